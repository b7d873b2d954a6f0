/** How the orchestrator reaches a VM: its exec target, and the deps' router (vm-transports.ts). */
import { SshTransport } from '../exec/ssh.js';
import type { ExecTarget } from '../exec/transport.js';
import type { Vm } from '../model.js';
import type { OrchestratorDeps } from './deps.js';
import { privateKeyPath } from './resources.js';
import { VmTransports } from './vm-transports.js';

/** How the VM is addressed by any transport: its ids, and its SSH login when it has an address. */
export function execTargetOf(deps: Pick<OrchestratorDeps, 'home'>, vm: Vm): ExecTarget {
  return {
    vm: vm.name,
    connection: vm.connection,
    provider: vm.provider,
    ...(vm.providerId ? { providerId: vm.providerId } : {}),
    ...(vm.publicIp
      ? { ssh: { host: vm.publicIp, port: vm.sshPort, user: vm.sshUser, privateKeyPath: vm.sshKeyPath ?? privateKeyPath(deps, vm.connection), label: vm.name } }
      : {}),
  };
}

/** The deps' router, made on first use from their SSH client and driver registry when not passed in. */
export function transportsOf(deps: OrchestratorDeps): VmTransports {
  deps.transports ??= new VmTransports({
    ssh: new SshTransport(deps.ssh, deps.home.knownHosts),
    drivers: deps.drivers,
    store: deps.store,
    credentials: deps.credentials,
  });
  return deps.transports;
}
