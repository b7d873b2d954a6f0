import { existsSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { twinStatusText } from './status.js';
import type { TwinStatus } from '../../twin/control.js';
import { help } from '../../help.js';

/** The twin's status, and the twin connections `twin up` had to point at new endpoints. */
type TwinUpResult = TwinStatus & { refreshedConnections: string[] };

export default class TwinUp extends BaseCommand<typeof TwinUp> {
  static override flags = {
    'boot-delay': Flags.string({ summary: 'Time from pending to running (e.g. 2s, 500ms).', default: '2s', env: 'CB_TWIN_BOOT_DELAY' }),
    'stop-delay': Flags.string({ summary: 'Time from stopping to stopped.', env: 'CB_TWIN_STOP_DELAY' }),
    port: Flags.integer({ summary: 'API port (default: any free port).', env: 'CB_TWIN_PORT' }),
    'azure-port': Flags.integer({ summary: 'HTTPS port of the Azure endpoint (default: any free port).', env: 'CB_TWIN_AZURE_PORT' }),
    'alibaba-port': Flags.integer({ summary: 'HTTP port of the Alibaba ECS endpoint (default: any free port).', env: 'CB_TWIN_ALIBABA_PORT' }),
    'ssh-port': Flags.integer({ summary: "Port of every VM's SSH server (each VM has its own 127.x.y.z).", default: 2222, env: 'CB_TWIN_SSH_PORT' }),
    isolation: Flags.string({ summary: 'VMs in their own Linux namespaces with enforced firewalls: auto (when root with iproute2 and nftables), on (or fail), off.', options: ['auto', 'on', 'off'], default: 'auto', env: 'CB_TWIN_ISOLATION' }),
    fault: Flags.string({ multiple: true, summary: 'Fault rule [PROVIDER:]ACTION:CODE:RATE[:LATENCY_MS][@REGION] (repeatable; PROVIDER aws, gcp, azure or alibaba).' }),
  };

  protected async execute(): Promise<TwinUpResult> {
    const { twinUp } = await import('../../twin/control.js');
    const { resolveHome, homePaths } = await import('@cloud-barista/core/home');
    const stateDir = homePaths(resolveHome()).twin;
    const status = await twinUp({
      stateDir,
      bootDelay: this.flags['boot-delay'],
      sshPort: this.flags['ssh-port'],
      isolation: this.flags.isolation,
      ...(this.flags['stop-delay'] ? { stopDelay: this.flags['stop-delay'] } : {}),
      ...(this.flags.port !== undefined ? { port: this.flags.port } : {}),
      ...(this.flags['azure-port'] !== undefined ? { azurePort: this.flags['azure-port'] } : {}),
      ...(this.flags['alibaba-port'] !== undefined ? { alibabaPort: this.flags['alibaba-port'] } : {}),
      ...(this.flags.fault ? { faults: this.flags.fault } : {}),
    });
    // The twin takes its old ports back; when one was taken meanwhile, its connections follow it.
    // No store yet means no twin connections: `twin up` on a fresh home creates nothing there.
    if (!existsSync(homePaths(resolveHome()).db)) return { ...status, refreshedConnections: [] };
    const { refreshStaleTwinConnections } = await import('../../twin/connect.js');
    const { driverRegistry } = await import('@cloud-barista/drivers');
    const refreshed = await refreshStaleTwinConnections(await this.core(), driverRegistry, stateDir);
    return { ...status, refreshedConnections: refreshed };
  }

  protected override table(s: TwinUpResult): string {
    const refreshed = s.refreshedConnections.length ? `\n${s.refreshedConnections.length} twin connection(s) pointed at the new endpoints: ${s.refreshedConnections.join(', ')}` : '';
    return `${twinStatusText(s)}${refreshed}\nNext: cbadm twin connect`;
  }
}
help(TwinUp, 'twin up');
