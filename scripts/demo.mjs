// The quick-start demo: Cloud-Twin up → connections → a 14-VM MCIS on AWS, GCP, Azure, Alibaba, OpenStack, Cloudit and
// Docker through the real drivers → a command on every VM → suspend → resume → terminate → delete → twin down, with a
// summary at the end. It drives the built `cbadm` exactly as a user would, with its own CB_HOME.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cbadm = join(root, 'packages/cbadm/bin/run.js');
const home = process.env.CB_HOME ?? mkdtempSync(join(tmpdir(), 'cb-demo-'));
const env = { ...process.env, CB_HOME: home, CB_PROGRESS: '1' };
const steps = [];

function run(title, args, { json = true } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    process.stdout.write(`\n▶ ${title}\n  $ cbadm ${args.join(' ')}\n`);
    // cbadm's flags go before `--`: what follows it is the remote command.
    const dash = args.indexOf('--');
    const argv = !json ? args : dash < 0 ? [...args, '--json'] : [...args.slice(0, dash), '--json', ...args.slice(dash)];
    const child = spawn(process.execPath, [cbadm, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    let partial = '';
    child.stderr.on('data', (d) => {
      const lines = (partial + d).split('\n');
      partial = lines.pop();
      for (const line of lines) process.stdout.write(`  │ ${line}\n`);
    });
    child.on('exit', (code) => {
      const ms = Date.now() - started;
      steps.push({ step: title, exit: code, seconds: (ms / 1000).toFixed(1) });
      if (code !== 0) return reject(new Error(`cbadm ${args.join(' ')} exited ${code}\n${out}`));
      resolve(json ? JSON.parse(out) : out);
    });
  });
}

const vmLine = (v) => `${v.name.padEnd(12)} ${v.status.padEnd(10)} ${(v.publicIp ?? '-').padEnd(16)} ${v.connection}`;

try {
  await run('Start Cloud-Twin (local AWS, GCP, Azure, Alibaba, OpenStack, Cloudit and Docker Engine APIs; VMs that run commands)', ['twin', 'up', '--boot-delay', '1s']);
  const conns = await run('Register one connection per twin region', ['twin', 'connect']);
  console.log(`  ${conns.connections.length} connections: ${conns.connections.map((c) => c.name).slice(0, 4).join(', ')}, …`);

  const created = await run('Create MCIS "quickstart": 14 VMs and containers on AWS, GCP, Azure, Alibaba, OpenStack, Cloudit and Docker', ['mcis', 'create', '-f', join(root, 'examples/quickstart.yaml')]);
  console.log(`  status: ${created.mcis.status}`);
  for (const v of created.mcis.vms) console.log(`  ${vmLine(v)}`);

  const exec = await run('Run a command on every VM (SSH; docker exec for containers)', ['mcis', 'exec', 'quickstart', '--', 'echo "$USER@$(hostname) on $(uname -s), home $HOME"']);
  for (const r of exec) console.log(`  ${r.vm.padEnd(12)} exit ${r.exitCode}  ${r.stdout.trim()}`);

  const suspended = await run('Suspend the MCIS', ['mcis', 'suspend', 'quickstart']);
  console.log(`  status: ${suspended.mcis.status}`);
  const resumed = await run('Resume the MCIS', ['mcis', 'resume', 'quickstart']);
  console.log(`  status: ${resumed.mcis.status}`);
  const terminated = await run('Terminate the MCIS', ['mcis', 'terminate', 'quickstart', '--yes']);
  console.log(`  status: ${terminated.mcis.status}`);
  const deleted = await run('Delete the MCIS and its default resources', ['mcis', 'delete', 'quickstart', '--yes']);
  console.log(`  deleted ${deleted.deleted}; cleaned default resources on ${deleted.cleanedConnections.join(', ')}`);
} catch (e) {
  console.error(`\n✖ ${e.message}`);
  process.exitCode = 1;
} finally {
  await run('Stop Cloud-Twin', ['twin', 'down', '--yes']).catch((e) => console.error(e.message));
  console.log('\nSummary');
  const width = Math.max(4, ...steps.map((s) => s.step.length));
  console.log(`  ${'step'.padEnd(width)}  exit  seconds`);
  for (const s of steps) console.log(`  ${s.step.padEnd(width)}  ${String(s.exit).padEnd(5)} ${s.seconds}`);
  if (!process.env.CB_HOME) rmSync(home, { recursive: true, force: true });
  console.log(process.exitCode ? '\nDemo FAILED.' : '\nDemo finished: every step succeeded.');
}
