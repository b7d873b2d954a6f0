import type { OverlayStatus } from '@cloud-barista/core/orchestrator/overlay';
import { BaseCommand } from '../../../base-command.js';
import { nameArgs, nsFlag } from '../../../flags.js';
import { makeTable } from '../../../render.js';
import { help } from '../../../help.js';

export default class McisNetworkStatus extends BaseCommand<typeof McisNetworkStatus> {
  static override args = nameArgs;
  static override flags = { ns: nsFlag };

  protected async execute(): Promise<OverlayStatus> {
    const { mcis } = await this.core();
    return mcis.network.status({ ns: this.flags.ns, name: this.args.name });
  }

  protected override table(s: OverlayStatus): string {
    if (!s.enabled) return `MCIS ${s.mcis}: the overlay is off (turn it on with: cbadm mcis network enable ${s.mcis})`;
    const names = s.vms.map((v) => v.vm);
    const cell = (from: OverlayStatus['vms'][number], to: string) => {
      if (from.vm === to) return '·';
      if (!from.up) return from.error ? 'error' : 'down';
      const p = from.peers.find((x) => x.to === to);
      const rtt = p?.rttMs == null ? 'no reply' : `${p.rttMs.toFixed(1)} ms`;
      const hs = p?.handshakeAgeSec == null ? 'no handshake' : `hs ${p.handshakeAgeSec}s ago`;
      if (p?.via) return `${rtt} via ${p.via}`;
      return `${rtt}, ${hs}`;
    };
    const head = `overlay ${s.cidr} (udp ${s.port}, ${s.topology}); rows: from, columns: to${s.topology === 'hub' ? '; "via": carried by that hub (its handshake is in that column)' : ''}`;
    const table = makeTable(['FROM', ...names], s.vms.map((v) => [`${v.vm} ${v.overlayIp ?? ''}`.trim(), ...names.map((n) => cell(v, n))]));
    const errors = s.vms.filter((v) => v.error).map((v) => `  ${v.vm}: ${v.error}`);
    return [head, table, ...errors].join('\n');
  }
}
help(McisNetworkStatus, 'mcis network status');
