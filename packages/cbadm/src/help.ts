/**
 * What `cbadm --help` says of each command, keyed by the command as it is typed; each command class
 * names its entry after the class: `help(McisCreate, 'mcis create')` (see cli-kit/help.ts).
 */
import { helpSetter, type CommandHelp } from '@cloud-barista/cli-kit/help';

/** What to run instead when init cannot ask: the same steps as commands. */
export const WITHOUT_QUESTIONS = [
  'cbadm twin up && cbadm twin connect   (the local emulator)',
  'printf %s "$SECRET" | cbadm credential add NAME --provider aws --access-key-id ID --secret-access-key-stdin',
  'cbadm connection add NAME --provider aws --region REGION --credential NAME',
  'cbadm connection test NAME',
];

/** The examples of the VM actions: the whole MCIS, one subgroup, one VM as JSON (`extra` appended to the last). */
function actionExamples(action: string, extra = ''): string[] {
  const run = `<%= config.bin %> mcis ${action} web`;
  return [run, `${run} --subgroup seoul`, `${run} --vm seoul-1 --json${extra}`];
}

const HELP = {
  __complete: {
    summary: 'Names for shell completion: MCIS, connections, credentials, VMs of an MCIS, clusters.',
  },
  apply: {
    summary: 'Make the MCIS what the manifest says: create it, or scale, replace and clean up what differs.',
    description: [
      'Plans first (see `cbadm plan`), shows the plan and, on a terminal, asks before changing anything; off a terminal (scripts, CI) it needs --auto-approve. A new name is created as `mcis create` would.',
      'Then: VMs leaving (count lowered, subgroup removed) run the manifest\'s `spec.policy.drain` command, if any, and are terminated (highest indexes first); instances tagged with the MCIS that no record knows are terminated; new VMs get the next indexes; VMs whose spec, image or connection changed are replaced `spec.policy.maxUnavailable` (default 1) per subgroup at a time, each round waiting for SSH before the next.',
      'Every step is recorded before its cloud call: an apply killed at any point and run again continues without duplicates. Exit code 3 when some VMs failed (the rest of a rolling replacement is left as it was).',
    ].join('\n\n'),
    examples: ['<%= config.bin %> apply -f web.yaml', '<%= config.bin %> apply -f web.yaml --auto-approve --json'],
  },
  'catalog import-latency': {
    summary: 'Load a measured inter-region RTT matrix; it takes precedence over the distance estimate.',
    description: "The format of Cloud-Barista's cloudlatencymap.csv: a header row ',aws-us-east-1,gcp-us-east4,…' then one row per region with RTTs in ms (empty: not measured). Replaces the previous matrix.",
    examples: ['<%= config.bin %> catalog import-latency cloudlatencymap.csv'],
  },
  'catalog update': {
    summary: "Fetch specs, on-demand prices and images through each connection's driver.",
    description: "Prices come from the cloud's pricing API (AWS Price List GetProducts; Azure Retail Prices and GCP Cloud Billing Catalog where the driver has them). Data is stored per provider region with its source and time; regions that fail keep their previous data (exit 3).",
    examples: ['<%= config.bin %> catalog update', '<%= config.bin %> catalog update --driver aws', '<%= config.bin %> catalog update --connection twin-aws-ap-northeast-2 --json'],
  },
  completion: {
    summary: 'Print the shell completion script for bash, zsh or fish (commands, flags, and MCIS, connection and VM names).',
    description: 'Completes commands, flags and their fixed values, files for -f/--key, and the names in your store: MCIS, connections, credentials, VMs of an MCIS, clusters (asked of `cbadm __complete` as you press TAB). `cbadm autocomplete` (oclif) sets up static bash/zsh completion instead.',
    examples: [
      'source <(<%= config.bin %> completion bash)          # bash: add to ~/.bashrc',
      'source <(<%= config.bin %> completion zsh)           # zsh: add to ~/.zshrc',
      '<%= config.bin %> completion fish > ~/.config/fish/completions/<%= config.bin %>.fish',
    ],
  },
  'connection add': {
    summary: 'Register a cloud connection: driver + region (+ zone) + credential.',
    examples: [
      '<%= config.bin %> connection add aws-seoul --provider aws --region ap-northeast-2 --credential my-aws',
      '<%= config.bin %> connection add aws-tokyo --provider aws --region ap-northeast-1   # standard AWS credential chain',
      '<%= config.bin %> connection add gcp-seoul --provider gcp --region asia-northeast3 --zone asia-northeast3-a --credential my-gcp',
      '<%= config.bin %> connection add azure-korea --provider azure --region koreacentral --subscription SUB_ID --credential my-azure',
      '<%= config.bin %> connection add alibaba-seoul --provider alibaba --region ap-northeast-2 --zone ap-northeast-2-a --credential my-alibaba',
      '<%= config.bin %> connection add lab-one --provider openstack --region RegionOne --credential lab --price-file lab-prices.csv',
      '<%= config.bin %> connection add my-docker --provider docker --region "$(docker info -f {{.Name}})"   # DOCKER_HOST or the current Docker context',
      '<%= config.bin %> connection add build-box --provider docker --region build-box --endpoint ssh://ops@build-box',
      '<%= config.bin %> connection add lab-docker --provider docker --region lab --context lab',
      '<%= config.bin %> connection add cloudit-seoul --provider cloudit --region CLUSTER --credential my-cloudit --price-file cloudit-prices.csv   # region: a Cloudit cluster',
    ],
  },
  'connection cleanup': {
    summary: 'Find and remove cbadm-made cloud objects on a connection that no record accounts for.',
    description: 'Asks the cloud for everything tagged cb-managed=true on this connection: VMs no MCIS records (a delete that failed or was killed), and the default network and key pair when no MCIS uses the connection. Removes them; --dry-run only lists them. Exits 3 when some could not be removed (re-run to retry).',
    examples: ['<%= config.bin %> connection cleanup aws-seoul --dry-run', '<%= config.bin %> connection cleanup aws-seoul --json'],
  },
  'connection get': {
    summary: 'Show one connection.',
  },
  'connection list': {
    summary: 'List connections.',
    examples: ['<%= config.bin %> connection list', '<%= config.bin %> connection list --json'],
  },
  'connection remove': {
    summary: 'Remove a connection (refused while an MCIS uses it).',
    description: 'Refused while its default resources (network, key pair) exist. --force removes it anyway: what the cloud has (found by the cb-managed tags) is deleted, records that point at nothing (e.g. stuck in creating) are forgotten, and it says which. Exits 3 when something could not be deleted from the cloud (the connection is removed; the output names what may remain).',
    examples: ['<%= config.bin %> connection remove aws-seoul', '<%= config.bin %> connection remove aws-seoul --force'],
  },
  'connection test': {
    summary: 'Check that a connection works: endpoint, region, credentials, and the permissions cbadm needs.',
    description: 'Pings the cloud, then asks it without side effects which permissions the credential holds (EC2 DryRun, GCP testIamPermissions, ARM Microsoft.Authorization/permissions). Exits 0 when every checked permission is allowed, 3 (partial) when some are missing: the result lists them under `missing`.',
    examples: ['<%= config.bin %> connection test aws-seoul', '<%= config.bin %> connection test aws-seoul --json'],
  },
  'credential add': {
    summary: 'Store a credential (secret kept in a 0600 file, never printed).',
    description: 'Kinds: aws-keys (access key id + secret; read from --secret-access-key-stdin or AWS_SECRET_ACCESS_KEY, never from a flag, so it stays out of shell history), aws-profile (a profile in ~/.aws), gcp-service-account (--key-file), azure-client-secret (--tenant-id, --client-id, secret from --client-secret-stdin or AZURE_CLIENT_SECRET), alibaba-access-key (--access-key-id or ALIBABA_CLOUD_ACCESS_KEY_ID, secret from --access-key-secret-stdin or ALIBABA_CLOUD_ACCESS_KEY_SECRET), openstack-clouds-yaml (--os-cloud NAME of a clouds.yaml), openstack-password (--auth-url, --username, --project-name, password from --secret-stdin or OS_PASSWORD: the values of an openrc), openstack-app-credential (--auth-url, --application-credential-id, secret from --secret-stdin or OS_APPLICATION_CREDENTIAL_SECRET), cloudit-password (--auth-url the identity endpoint, --username the IAM user id, --tenant-id, password from --secret-stdin or CLOUDIT_PASSWORD; or CLOUDIT_IDENTITY_ENDPOINT, CLOUDIT_USERNAME, CLOUDIT_TENANT_ID), default-chain (the provider\'s standard chain: for alibaba the ALIBABA_CLOUD_* variables, ~/.aliyun/config.json and ~/.alibabacloud/credentials profiles, ALIBABA_CLOUD_PROFILE; for OpenStack OS_CLOUD or the OS_* variables of an openrc).',
    examples: [
      'AWS_ACCESS_KEY_ID=AKIA… AWS_SECRET_ACCESS_KEY=… <%= config.bin %> credential add my-aws --provider aws --kind aws-keys',
      'printf %s "$SECRET" | <%= config.bin %> credential add my-aws --provider aws --kind aws-keys --access-key-id AKIA… --secret-access-key-stdin',
      '<%= config.bin %> credential add work --provider aws --kind aws-profile --profile work',
      '<%= config.bin %> credential add my-gcp --provider gcp --key-file sa.json',
      'printf %s "$SECRET" | <%= config.bin %> credential add my-azure --provider azure --tenant-id T --client-id C --client-secret-stdin',
      'printf %s "$SECRET" | <%= config.bin %> credential add my-alibaba --provider alibaba --access-key-id LTAI… --access-key-secret-stdin',
      '<%= config.bin %> credential add lab --provider openstack --os-cloud lab   # a cloud of ~/.config/openstack/clouds.yaml',
      '. ./demo-openrc.sh && <%= config.bin %> credential add demo --provider openstack --kind openstack-password   # OS_AUTH_URL, OS_USERNAME, OS_PASSWORD…',
      'printf %s "$PASSWORD" | <%= config.bin %> credential add my-cloudit --provider cloudit --auth-url https://cloudit.example.kr:9090 --username cb-user --tenant-id TENANT --secret-stdin',
    ],
  },
  'credential list': {
    summary: 'List stored credentials (no secrets).',
  },
  'credential remove': {
    summary: 'Remove a stored credential and its secret file.',
  },
  'image list': {
    summary: 'List images from the catalog (the current image of each alias per region), with the age of the data.',
    examples: ['<%= config.bin %> image list --os ubuntu-22.04', '<%= config.bin %> image list --provider aws --region ap-northeast-2 --json'],
  },
  init: {
    summary: 'Set up a first connection, asking step by step (on a terminal only).',
    description: `Either starts Cloud-Twin, the local emulator, and connects to it (twin up && twin connect), or walks through a cloud connection: provider, region (from the catalog and the region table), a credential (secrets typed hidden), then connection test. Off a terminal, or under --json, it asks nothing and exits 2; run instead:\n  ${WITHOUT_QUESTIONS.join('\n  ')}`,
    examples: ['<%= config.bin %> init', '<%= config.bin %> init --endpoint https://ec2.private.example   # a private cloud or Cloud-Twin'],
  },
  'k8s create': {
    summary: 'Create a Kubernetes cluster over MCIS VMs (re-running after a failure or interruption continues it).',
    examples: ['<%= config.bin %> k8s create -f examples/k8s-cluster.yaml', '<%= config.bin %> k8s create -f cluster.yaml --mcis my-vms --json', '<%= config.bin %> k8s create -f cluster.yaml --api-access 203.0.113.7/32'],
  },
  'k8s delete': {
    summary: "Delete a cluster: close its ports, terminate and delete the MCIS it created, drop the record.",
    description: "An MCIS given with `k8s create --mcis` is left alone (its VMs are the user's). The context, cluster and user `k8s kubeconfig` wrote are taken out of each kubeconfig it wrote them into (other entries stay); a file in $CB_HOME/kube that held only this cluster is deleted.",
    examples: ['<%= config.bin %> k8s delete multi'],
  },
  'k8s get': {
    summary: 'Show a cluster: phase (with the reason on failure), endpoint, and each node with its last bootstrap step.',
    examples: ['<%= config.bin %> k8s get multi', '<%= config.bin %> k8s get multi --json | jq -r .phase'],
  },
  'k8s kubeconfig': {
    summary: "Write the cluster's kubeconfig to a file, or merge it into your kubeconfig.",
    description: 'Without --merge the kubeconfig goes to $CB_HOME/kube/<ns>-<name>.yaml (or --file). With --merge a context, cluster and user named after the cluster are put into the first file of $KUBECONFIG, else ~/.kube/config; other contexts and the current context stay as they are. Files are written 0600; keys are never printed.',
    examples: ['<%= config.bin %> k8s kubeconfig multi', '<%= config.bin %> k8s kubeconfig multi --merge && kubectl --context multi get nodes -o wide'],
  },
  'k8s list': {
    summary: 'List Kubernetes clusters with their phase.',
    examples: ['<%= config.bin %> k8s list', '<%= config.bin %> k8s list -A --json'],
  },
  'k8s node add': {
    summary: 'Add nodes on a connection: new VMs (an MCIS of their own) bootstrapped and joined.',
    examples: ['<%= config.bin %> k8s node add multi --connection twin-aws-us-east-1 --count 2', '<%= config.bin %> k8s node add multi --connection aws-seoul --count 2 --role control-plane --spec t3.medium'],
  },
  'k8s node remove': {
    summary: 'Remove a node: cordon and drain it, `kubectl delete node`, terminate its VM.',
    examples: ['<%= config.bin %> k8s node remove multi w-aws-1'],
  },
  'mcis benchmark': {
    summary: 'Measure CPU, memory, disk and TCP RTT on every VM over SSH (nothing installed); results feed `recommend --priority performance`.',
    description: 'CPU: a fixed awk workload, once in one process and once per vCPU. Memory and disk: dd throughput (/dev/zero → /dev/null; 64 MiB written with fdatasync). RTT: best-of-5 TCP connect time between every pair of VMs (bash /dev/tcp) and from this machine. Runs on all VMs at once; results are stored per provider, region and spec.',
    examples: ['<%= config.bin %> mcis benchmark web', '<%= config.bin %> mcis benchmark web --json | jq .rtt'],
  },
  'mcis cp': {
    summary: 'Copy a file or directory tree to or from the VMs in parallel over SFTP; unchanged files are skipped.',
    description: [
      'Upload: `cbadm mcis cp LOCAL NAME:PATH` makes PATH on every selected VM a copy of LOCAL (a directory\'s contents go into PATH, created if missing; a file is written as PATH, or into PATH when it ends with / or is a directory). Relative remote paths are relative to the login user\'s home.',
      'Download: `cbadm mcis cp NAME:PATH LOCAL` puts each VM\'s PATH into LOCAL/<vm>/<last part of PATH>.',
      'Like `rsync -rt`: permissions and modification times are kept, and a file whose size and mtime already match is skipped, so a re-run moves only what changed; --checksum compares content instead.',
      'Exit code: 0 when every VM succeeded, 3 when some failed, 1 when all failed.',
    ].join('\n\n'),
    examples: [
      '<%= config.bin %> mcis cp ./dist web:/srv/app',
      '<%= config.bin %> mcis cp ./dist web:app --subgroup seoul --checksum',
      '<%= config.bin %> mcis cp web:/var/log/syslog ./logs/',
    ],
  },
  'mcis create': {
    summary: 'Create an MCIS from a manifest (re-running after an interruption continues it).',
    examples: [
      '<%= config.bin %> mcis create -f examples/quickstart.yaml',
      '<%= config.bin %> mcis create -f mcis.yaml --dry-run',
      '<%= config.bin %> mcis create -f mcis.yaml --parallelism 50 --on-failure rollback --json',
    ],
  },
  'mcis delete': {
    summary: 'Delete an MCIS: its VMs, the default resources no MCIS uses any more, then the record.',
    description: 'Refuses while VMs may still exist in the cloud; --force terminates them first. If anything fails (exit 3), the MCIS stays in state Deleting with the reasons per VM and per connection: run the same command again to finish it.',
    examples: ['<%= config.bin %> mcis delete web', '<%= config.bin %> mcis delete web --force', '<%= config.bin %> mcis delete web --yes'],
  },
  'mcis drift': {
    summary: 'Check the clouds against the record: VMs gone, stopped or started outside cbadm, unknown instances.',
    description: 'Asks every connection of the MCIS and changes nothing. Exit code 0 when the clouds agree with the record, 6 when they do not (for CI), 3 when none was found but some connection could not be asked (what it holds was not checked); `cbadm apply` with the manifest repairs what it can (replaces gone VMs, terminates unknown instances).',
    examples: ['<%= config.bin %> mcis drift web', '<%= config.bin %> mcis drift web --json | jq .changes'],
  },
  'mcis exec': {
    summary: 'Run a command on the VMs in parallel over SSH; per-VM exit code and output.',
    description: [
      'Table output (the default) streams the lines of every VM as they arrive, each prefixed with the VM name (`web-1 | …`): stdout to stdout, stderr to stderr. Lines of different VMs interleave but never mix; a line over 64 KiB is split. A per-VM summary follows on stderr.',
      '--json and --output yaml print one result per VM when all have finished: exit code, `stdoutBytes`/`stderrBytes` (all the command wrote), and the last --max-output bytes of its stdout and of its stderr (`truncated: true` when that is not all of it).',
      'Exit code: 0 when every VM succeeded, 3 when some failed, 1 when all failed.',
    ].join('\n\n'),
    examples: [
      "<%= config.bin %> mcis exec web -- uname -a",
      "<%= config.bin %> mcis exec web --subgroup seoul --json -- 'df -h / | tail -1'",
      "<%= config.bin %> mcis exec web --json --max-output 64KiB -- 'journalctl -b'",
    ],
  },
  'mcis get': {
    summary: 'Show an MCIS and its VMs (status, addresses, SSH, ids) from the record.',
    examples: ['<%= config.bin %> mcis get web', '<%= config.bin %> mcis get web --json | jq -r .vms[].publicIp'],
  },
  'mcis list': {
    summary: 'List MCIS with their status.',
    examples: ['<%= config.bin %> mcis list', '<%= config.bin %> mcis list --all-namespaces --json'],
  },
  'mcis network disable': {
    summary: 'Take the overlay down: tunnels, keys and /etc/hosts entries removed from every VM, its UDP rule from the firewall.',
    examples: ['<%= config.bin %> mcis network disable web'],
  },
  'mcis network enable': {
    summary: "Join the MCIS's VMs in one WireGuard network across clouds (the overlay).",
    description: 'Gives each running VM a stable address in --cidr, opens the UDP port to the MCIS\'s VMs only and sets up a full mesh (or, with --topology hub, one hub per region that its spokes and the other hubs peer with): keys made locally, each private key sent once over the VM\'s SSH channel. VMs added, replaced or resumed later join by themselves. The same as `spec.network.overlay` in the manifest.',
    examples: ['<%= config.bin %> mcis network enable web', '<%= config.bin %> mcis network enable web --cidr 10.88.0.0/16 --port 51821', '<%= config.bin %> mcis network enable web --topology hub'],
  },
  'mcis network status': {
    summary: "The overlay's matrix: each VM's ping round trip to every other VM, and its latest handshake with each direct peer.",
    examples: ['<%= config.bin %> mcis network status web', '<%= config.bin %> mcis network status web --json'],
  },
  'mcis nlb delete': {
    summary: 'Remove a load balancer: its VM and firewall rules go, as apply without it in spec.loadBalancers would.',
    examples: ['<%= config.bin %> mcis nlb delete shop web --yes'],
  },
  'mcis nlb get': {
    summary: "Show a load balancer and each backend's health, read from HAProxy's stats socket on the balancer VM.",
    examples: ['<%= config.bin %> mcis nlb get shop web', '<%= config.bin %> mcis nlb get shop --json | jq .backends'],
  },
  'mcis nlb list': {
    summary: "List an MCIS's load balancers (spec.loadBalancers): listener, balancer VM, targets.",
    examples: ['<%= config.bin %> mcis nlb list shop', '<%= config.bin %> mcis nlb list shop --json'],
  },
  'mcis reboot': {
    summary: 'Reboot running VMs.',
    examples: actionExamples('reboot'),
  },
  'mcis refine': {
    summary: 'Drop Failed and Undefined VMs (terminating whatever of them exists in the cloud).',
  },
  'mcis register': {
    summary: 'Adopt existing machines reachable over SSH as an MCIS (exec, ssh and monitoring work; no cloud actions).',
    description: 'Every host must accept the key before anything is recorded; host keys are pinned. Registered machines have no cloud API behind them: suspend/resume/reboot/terminate are refused with a clear message, and delete only removes the record.',
    examples: [
      '<%= config.bin %> mcis register onprem --host ubuntu@10.0.0.5 --host ubuntu@10.0.0.6 --key ~/.ssh/id_ed25519',
      '<%= config.bin %> mcis register lab --host admin@db1.example.com:2222 --key ./lab.pem --subgroup db',
    ],
  },
  'mcis resume': {
    summary: 'Resume suspended VMs.',
    examples: actionExamples('resume'),
  },
  'mcis scale': {
    summary: "Set a subgroup's VM count: scale out with the next indexes, scale in from the highest.",
    description: 'The imperative form of editing `count` and running `cbadm apply`: the same plan, drain hook and guarantees (resumable, no duplicates). The record keeps the new count; a manifest applied later wins.',
    examples: ['<%= config.bin %> mcis scale web --subgroup seoul --count 5'],
  },
  'mcis ssh': {
    summary: "Open an interactive shell on a VM; --print prints a working command line (OpenSSH, or the VM's own way in).",
    examples: ['<%= config.bin %> mcis ssh web seoul-1', '$(<%= config.bin %> mcis ssh web seoul-1 --print) uptime'],
  },
  'mcis status': {
    summary: 'MCIS status as Tumblebug prints it (e.g. Running:3 (R:3/3)); --refresh asks the clouds.',
    examples: ['<%= config.bin %> mcis status web', '<%= config.bin %> mcis status web --refresh --json'],
  },
  'mcis suspend': {
    summary: 'Suspend running VMs (stop them; disks are kept).',
    examples: actionExamples('suspend'),
  },
  'mcis terminate': {
    summary: 'Terminate VMs (the record stays until `cbadm mcis delete`).',
    examples: actionExamples('terminate', ' --yes'),
  },
  plan: {
    summary: 'Show what `apply` would change: the manifest against the record and the clouds.',
    description: [
      'Refreshes first: every connection is asked for the recorded VMs and for instances tagged with the MCIS, so VMs terminated outside cbadm and instances no record knows show as drift. Then prints one line per change: `+` create (count raised, subgroup added), `-` destroy (count lowered, subgroup removed, unknown instance), `-/+` replace (spec, image or connection changed, VM gone or failed), `~` update in place (labels), with the reason, and the cost per hour before and after.',
      'Changes nothing. --json gives the plan as data: `changes` (each with op, target, reason, drift, before/after), `summary` (counts per op) and `costPerHour`.',
      'Exit code: 0 whether or not there are changes; with --detailed-exitcode, 6 when there are changes (not Terraform\'s 2: 2 is a usage error here).',
    ].join('\n\n'),
    examples: ['<%= config.bin %> plan -f web.yaml', '<%= config.bin %> plan -f web.yaml --json | jq .summary', '<%= config.bin %> plan -f web.yaml --detailed-exitcode || echo "changes"'],
  },
  recommend: {
    summary: 'Rank (provider, region, spec) candidates from the catalog by cost, location, latency and measured performance.',
    description: `Scores are ratios to the best match, each with its reason. Priorities (one or weighted several): cost (price per hour); location (nearest to --near/--near-city; several places: fairest, i.e. the least worst distance); latency (sets of --set-size regions, and/or with --anchor regions, with the least total RTT: measured where \`catalog import-latency\` loaded a matrix, else estimated from great-circle distance); performance (\`mcis benchmark\` results). Default: cost, plus location when a place is given, plus latency when a set is.`,
    examples: [
      '<%= config.bin %> recommend --vcpu 2.. --memory 4.. --limit 5',
      '<%= config.bin %> recommend --vcpu 4 --near-city Seoul --priority cost=0.6,location=0.4',
      '<%= config.bin %> recommend --near-city Seoul --near-city Frankfurt --near-city "São Paulo" --priority location',
      '<%= config.bin %> recommend --priority latency --set-size 3 --provider aws,gcp --json',
    ],
  },
  'spec list': {
    summary: 'List specs (vCPU, memory, GPU, arch, price per hour) from the catalog, with the age of the data.',
    examples: [
      '<%= config.bin %> spec list --vcpu 2..8 --memory 4.. --max-price 0.2',
      '<%= config.bin %> spec list --provider aws --region ap-* --arch arm64 --sort price',
      '<%= config.bin %> spec list --gpu a100 --json',
    ],
  },
  'state check': {
    summary: "Check the state store with SQLite's full integrity check (and its backup).",
    description: 'Reads only. Exit code 0 when the store is healthy, 1 when it is damaged (the output says how to restore or recover it).',
    examples: ['<%= config.bin %> state check', '<%= config.bin %> state check --json | jq .ok'],
  },
  'state recover': {
    summary: "Rebuild the state store from the clouds' cb-* tags.",
    description: "For a damaged or lost store. Connections and credential records are salvaged from the old store or its backup; every connection's cloud is asked for the instances cbadm tagged, and each MCIS is recorded again with its VMs. The old store is kept aside as state.db.damaged-<time>. Exit 3 when some connection's cloud could not be asked (re-run when it answers).",
    examples: ['<%= config.bin %> state recover', '<%= config.bin %> state recover --json | jq .mcis'],
  },
  'state restore': {
    summary: 'Put the automatic backup (state.db.bak) in place of the state store.',
    description: 'The backup is taken before every schema migration and at most once a day. It is checked before use; the store it replaces is kept aside as state.db.damaged-<time>, never deleted. Records changed since the backup was taken are not in it: `cbadm state recover` rebuilds from the clouds instead.',
    examples: ['<%= config.bin %> state restore', '<%= config.bin %> state restore --from ./state.db.copy'],
  },
  'twin connect': {
    summary: 'Register one connection per Cloud-Twin region and provider (twin-aws-<region>, …).',
    examples: ['<%= config.bin %> twin connect', '<%= config.bin %> twin connect --json | jq -r .connections[].name'],
  },
  'twin down': {
    summary: "Stop Cloud-Twin and every VM's SSH server (its state is kept for the next `twin up`).",
  },
  'twin fault': {
    summary: 'Show or change fault injection on a running Cloud-Twin.',
    description: 'SPEC is [PROVIDER:]ACTION:CODE:RATE[:LATENCY][@REGION][#COUNT], e.g. RunInstances:InsufficientInstanceCapacity:0.3, *::1:800ms (latency only), StopInstances:RequestLimitExceeded:1#2 (the next two calls), gcp:instances.insert:ZONE_RESOURCE_POOL_EXHAUSTED:1@asia-northeast3-a (GCE: UPPER_CASE codes fail the operation, camelCase reasons such as rateLimitExceeded fail the call). azure:VirtualMachines_CreateOrUpdate:SkuNotAvailable:1@koreacentral (ARM: the operation id and its error code). alibaba:RunInstances:OperationDenied.NoStock:1@ap-northeast-2 (ECS: the action and its error code). openstack:servers.create:NoValidHost:1@RegionOne (the build fails: server ERROR), openstack:tokens.create:Unauthorized:1 (Keystone 401), openstack:servers.create:OverLimit:1 (Nova quota 403). cloudit:servers.create:NO_AVAILABLE_HOST:1@kr-seoul-1 (the server lands Failed), cloudit:*:TOO_MANY_REQUESTS:0.1 (Cloudit: the call name and an UPPER_CASE code; the zone is a cluster). PROVIDER is aws (default), gcp, azure, alibaba, openstack or cloudit. Given specs replace the current rules.',
    examples: [
      '<%= config.bin %> twin fault',
      '<%= config.bin %> twin fault RunInstances:InsufficientInstanceCapacity:1@ap-northeast-2',
      '<%= config.bin %> twin fault gcp:*:rateLimitExceeded:0.2@us-central1',
      '<%= config.bin %> twin fault --clear',
      '<%= config.bin %> twin fault --outage eu-west-1',
    ],
  },
  'twin iam': {
    summary: 'Show or change which permissions a running Cloud-Twin denies.',
    description: "PERMISSION is each cloud's own name, `*` as a wildcard: ec2:RunInstances, compute.instances.create, Microsoft.Compute/virtualMachines/write, ec2:Create*, OpenStack policy rules (os_compute_api:servers:create, create_floatingip), Keystone project roles (role:member: tokens issued while it is denied lack it), ECS actions (ecs:RunInstances) and Cloudit call names (cloudit:servers.create, cloudit:adaptiveIps.*). A denied call fails with the cloud's own authorization error (UnauthorizedOperation, 403 Required 'compute.…' permission, AuthorizationFailed, Nova/Neutron 403 policy, Cloudit 403 PERMISSION_DENIED), and `cbadm connection test` reports it as missing. Given permissions replace the current list.",
    examples: [
      '<%= config.bin %> twin iam',
      '<%= config.bin %> twin iam ec2:RunInstances compute.instances.create',
      '<%= config.bin %> twin iam --clear',
    ],
  },
  'twin status': {
    summary: 'Show whether Cloud-Twin runs, its endpoints and instance counts (exit 4 when it does not run).',
    description: 'Exit code 0 when the twin runs, 4 when it does not (the status is printed either way), so scripts can wait on it: until cbadm twin status >/dev/null; do sleep 1; done.',
    examples: ['<%= config.bin %> twin status --json | jq -r .endpoints.aws', '<%= config.bin %> twin status >/dev/null || cbadm twin up'],
  },
  'twin up': {
    summary: 'Start Cloud-Twin, the local cloud emulator, in the background (no-op if running).',
    examples: ['<%= config.bin %> twin up', '<%= config.bin %> twin up --boot-delay 2s --fault RunInstances:InsufficientInstanceCapacity:0.2'],
  },
} satisfies Record<string, CommandHelp>;

export const COMMAND_HELP: Readonly<Record<keyof typeof HELP, CommandHelp>> = HELP;
export const help = helpSetter(HELP);
