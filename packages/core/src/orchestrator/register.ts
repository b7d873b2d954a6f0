/**
 * `mcis register`: adopt machines that already exist and answer SSH (on-premises, another tool's
 * VMs). No cloud API is behind them, so lifecycle actions are refused; exec, ssh and monitoring work.
 */
import { copyFileSync, chmodSync, existsSync } from 'node:fs';
import { ConflictError, OperationError, UsageError, type FieldIssue } from '../errors.js';
import { nowIso } from '../domain.js';
import { childPath, ensurePrivateDir } from '../home.js';
import { loginUserIssue, nameIssue } from '../names.js';
import type { Vm } from '../model.js';
import { compareVmNames } from '../store/sqlite-store.js';
import type { OrchestratorDeps } from './deps.js';

export interface RegisterHost {
  user: string;
  host: string;
  port: number;
}

/** `USER@HOST[:PORT]` → parts; errors name the flag and the expected form. */
export function parseHostSpec(spec: string): RegisterHost {
  const m = /^([^@]*)@(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(spec.trim());
  const port = m?.[3] ? Number(m[3]) : 22;
  if (!m || loginUserIssue('--host', m[1]!) || port < 1 || port > 65535) {
    throw new UsageError(`--host '${spec}' is not USER@HOST[:PORT]`, { hint: 'e.g. --host ubuntu@10.0.0.5 or --host admin@db1.example.com:2222' });
  }
  return { user: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ''), port };
}

export interface RegisterOptions {
  ns: string;
  name: string;
  subgroup: string;
  hosts: RegisterHost[];
  /** Private key file that logs in to every host. */
  keyFile: string;
  /** Free-form location label for the VMs (default 'external'). */
  region?: string;
}

export async function registerMachines(deps: OrchestratorDeps, o: RegisterOptions): Promise<Vm[]> {
  const issues: FieldIssue[] = [];
  for (const issue of [nameIssue('--ns', o.ns), nameIssue('name', o.name), nameIssue('--subgroup', o.subgroup)]) if (issue) issues.push(issue);
  if (!o.hosts.length) issues.push({ path: '--host', message: 'give at least one --host USER@HOST[:PORT]' });
  if (!existsSync(o.keyFile)) issues.push({ path: '--key', message: `no such file: ${o.keyFile}` });
  if (issues.length) throw new UsageError(`cannot register '${o.name}'`, { issues });

  const existing = deps.store.getMcis(o.ns, o.name);
  const vms = existing ? deps.store.listVms(o.ns, o.name) : [];
  if (existing && vms.some((v) => v.origin !== 'registered')) {
    throw new ConflictError(`MCIS '${o.name}' holds cloud VMs; registered machines go into an MCIS of their own`, { hint: 'pick another name' });
  }
  // Every host must answer with that key before anything is recorded (this pins host keys too).
  const failures: string[] = [];
  await Promise.all(
    o.hosts.map(async (h) => {
      try {
        await deps.ssh.probe({ host: h.host, port: h.port, user: h.user, privateKeyPath: o.keyFile, label: `${h.user}@${h.host}:${h.port}` }, { maxWaitMs: 8_000 });
      } catch (e) {
        failures.push(`${h.user}@${h.host}:${h.port}: ${(e as Error).message}`);
      }
    }),
  );
  if (failures.length) {
    throw new OperationError(`SSH did not accept the key on ${failures.length} host(s): ${failures.join('; ')}`, {
      hint: "check the user, the port and that the key is in the host's authorized_keys; nothing was registered",
    });
  }

  // Keep our own 0600 copy: the user's file may move, and OpenSSH refuses keys others can read.
  ensurePrivateDir(deps.home.keys);
  const keyPath = childPath(deps.home.keys, `registered-${o.ns}-${o.name}-${o.subgroup}`);
  copyFileSync(o.keyFile, keyPath);
  chmodSync(keyPath, 0o600);

  const now = nowIso();
  if (!existing) {
    deps.store.createMcis({ ns: o.ns, name: o.name, labels: { origin: 'registered' }, subgroups: [], policy: { onFailure: 'continue' }, targetAction: 'register', createdAt: now, updatedAt: now });
  }
  const taken = new Set(vms.map((v) => v.name));
  let n = vms.filter((v) => v.subgroup === o.subgroup).length;
  const added: Vm[] = [];
  for (const h of o.hosts) {
    let name: string;
    do name = `${o.subgroup}-${++n}`;
    while (taken.has(name));
    const vm: Vm = {
      name,
      subgroup: o.subgroup,
      connection: '',
      provider: 'external',
      region: o.region ?? 'external',
      spec: 'external',
      image: 'external',
      status: 'Running',
      origin: 'registered',
      sshKeyPath: keyPath,
      clientToken: '',
      publicIp: h.host,
      sshPort: h.port,
      sshUser: h.user,
      createdAt: now,
      updatedAt: now,
    };
    deps.store.putVm(o.ns, o.name, vm);
    added.push(vm);
  }
  return added.sort(compareVmNames);
}
