/**
 * What `cbmon --help` says of each command, keyed by the command as it is typed; each command class
 * names its entry after the class: `help(AgentInstall, 'agent install')` (see cli-kit/help.ts).
 */
import { helpSetter, type CommandHelp } from '@cloud-barista/cli-kit/help';

const HELP = {
  'agent install': {
    summary: "Install (or upgrade) the monitoring agent on an MCIS's VMs over SSH.",
    description:
      'The agent is a POSIX sh script in ~/.cbmon of the login user: no root, no runtime. It samples /proc every interval and keeps an on-disk ring (default 1h) that a collector reads over SSH, or pushes to `cbmon collector serve --listen` with --push. Idempotent. Exit 3 when some VMs failed, 1 when all did.',
    examples: [
      '<%= config.bin %> agent install web',
      '<%= config.bin %> agent install web --subgroup seoul --interval 1s',
      '<%= config.bin %> agent install web --push http://10.0.0.5:8086',
    ],
  },
  'agent status': {
    summary: "Each VM's agent as it reports itself, and how far the collector has stored its samples.",
    description:
      'LAG is how many samples the agent has that the store does not (yet). Exit 3 when some VMs could not be asked.',
    examples: [
      '<%= config.bin %> agent status web',
      '<%= config.bin %> agent status web --json | jq ".[] | select(.running | not)"',
    ],
  },
  'agent uninstall': {
    summary: 'Stop and remove the agent (and its ring) from VMs of an MCIS. Idempotent.',
    examples: ['<%= config.bin %> agent uninstall web', '<%= config.bin %> agent uninstall web --vm web-2'],
  },
  'alert add': {
    summary:
      'Add an alert rule; the running collector evaluates it and acts when a series starts or stops firing.',
    description: [
      "Rules: METRIC OP NUMBER [for DURATION], e.g. 'cpu_utilization > 80 for 2m'.",
      '--exec runs a shell command with the notification as JSON on stdin and CBMON_ALERT, CBMON_STATUS (firing|resolved), CBMON_VM, CBMON_VALUE… in its environment; --webhook POSTs the same JSON. Without either, the collector logs it.',
    ].join('\n'),
    examples: [
      "<%= config.bin %> alert add cpu-hot --rule 'cpu_utilization > 80 for 2m' --mcis web --webhook https://hooks.example.com/cbmon",
      "<%= config.bin %> alert add disk-full --rule 'disk_utilization > 90' --exec 'logger -t cbmon \"$CBMON_VM $CBMON_STATUS\"'",
    ],
  },
  'alert list': {
    summary: 'Alert rules, their actions, and the series firing now.',
  },
  'alert remove': {
    summary: 'Remove an alert rule.',
  },
  check: {
    summary: 'Exit non-zero when an alert rule fires on an MCIS (for CI).',
    description: [
      "Rules: METRIC OP NUMBER [for DURATION], e.g. 'cpu_utilization > 80 for 2m', 'mem_available < 512M', 'disk_utilization >= 90'.",
      'Without --since: does the rule hold now (at the newest samples)? With --since: did it hold, long enough, at any time in that window?',
      "Data comes from the store when a collector runs, otherwise straight from the agents' on-disk rings over SSH (--source).",
      'Exit codes: 0 the rule did not fire, 6 it fired, 3 it did not fire but some VMs could not be judged; errors: 1 (SSH, store…), 2 bad rule or flags, 4 unknown MCIS/VM.',
    ].join('\n'),
    examples: [
      "<%= config.bin %> check web --rule 'cpu_utilization > 90 for 1m'",
      "<%= config.bin %> check web --rule 'mem_available < 256M' --since 30m --json",
    ],
  },
  'collector serve': {
    summary: 'Run the collector in the foreground: pull agents over SSH, accept pushes, store, alert.',
    description:
      'Pulls every agent installed in pull mode (one SSH stream per VM, resumed after any break from the last stored sample), accepts line protocol pushed by --push agents on --listen, writes the metrics store under $CB_HOME in batches, keeps 1-minute rollups, applies retention and evaluates alert rules. One collector per store (exit 5 if one runs). Ctrl-C stops it cleanly.',
    examples: [
      '<%= config.bin %> collector serve',
      '<%= config.bin %> collector serve --listen 0.0.0.0:8086 --retention 3d',
    ],
  },
  'collector start': {
    summary:
      'Start the collector in the background (no-op if one runs); logs go to $CB_HOME/cbmon/collector.log.',
    examples: [
      '<%= config.bin %> collector start',
      '<%= config.bin %> collector start --listen 0.0.0.0:8086',
    ],
  },
  'collector status': {
    summary: "The collector: running or not, each agent's stream, throughput, latency, loss, store size.",
    examples: [
      '<%= config.bin %> collector status',
      '<%= config.bin %> collector status --json | jq .stats.latencyMs',
    ],
  },
  'collector stop': {
    summary: 'Stop the background collector (it stores what it holds and rolls up first).',
  },
  'export influx': {
    summary: 'Stored samples as InfluxDB line protocol: to stdout, or written to InfluxDB (1.x or 2.x).',
    description:
      'Every line carries the tags ns, mcis, vm, subgroup, csp, region (plus mount/device/interface) and a nanosecond timestamp. --follow keeps sending new samples until Ctrl-C.',
    examples: [
      '<%= config.bin %> export influx --since 1h > web.lp',
      '<%= config.bin %> export influx --url http://influx:8086 --db cbmon --since 1d',
      'INFLUX_TOKEN=… <%= config.bin %> export influx --url http://influx:8086 --bucket metrics --org sre --follow',
      'pass show influx | <%= config.bin %> export influx --url http://influx:8086 --bucket metrics --org sre --token-stdin',
    ],
  },
  'export prometheus': {
    summary:
      'Serve the latest stored values in Prometheus exposition format, for a real Prometheus to scrape.',
    description:
      'Every scrape of /metrics reads the newest sample of each VM from the store (a collector keeps it current); VMs with nothing newer than --stale are left out. Runs until Ctrl-C or --duration; prints the URL on stdout once listening.',
    examples: [
      '<%= config.bin %> export prometheus --listen 127.0.0.1:9464',
      "# prometheus.yml:  scrape_configs: [{job_name: cbmon, static_configs: [{targets: ['127.0.0.1:9464']}]}]",
    ],
  },
  query: {
    summary:
      'One metric from the store over a window: a statistic per VM, subgroup, cloud or region, per step, with a plot.',
    description:
      'Reads what a collector stored (raw samples, and 1-minute rollups beyond raw retention). With one group the table output ends with a small plot of its steps.',
    examples: [
      '<%= config.bin %> query web --metric cpu_utilization --since 15m',
      '<%= config.bin %> query web --metric mem_utilization --since 1h --stat p95 --by subgroup --step 5m',
      '<%= config.bin %> query web --metric disk_utilization --since 1d --stat max --by series --json',
    ],
  },
  stream: {
    summary: "Stream the VMs' samples as the agents take them, straight over SSH.",
    description:
      'One line per VM per sample: compact text, or a JSON object per line with --json. Needs no collector. Runs until Ctrl-C or --duration; a VM that fails is reported on stderr and the others go on (exit 3 if some VMs never streamed).',
    examples: [
      '<%= config.bin %> stream web',
      '<%= config.bin %> stream web --metric cpu,mem_utilization --duration 30s',
      '<%= config.bin %> stream web --json | jq -c "{vm, cpu: (.points[] | select(.measurement==\\"cpu\\") | .fields.cpu_utilization)}"',
    ],
  },
  watch: {
    summary: 'A live table per VM (cpu, memory, disk, network) with sparklines, refreshing in place.',
    description:
      'Reads the agents straight over SSH (no collector needed). On a terminal the table is redrawn in place; otherwise (or with --json) one frame is printed per refresh.',
    examples: ['<%= config.bin %> watch web', '<%= config.bin %> watch web --subgroup seoul --refresh 2s'],
  },
} satisfies Record<string, CommandHelp>;

export const COMMAND_HELP: Readonly<Record<keyof typeof HELP, CommandHelp>> = HELP;
export const help = helpSetter(HELP);
