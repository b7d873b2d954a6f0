/** Tables for MCIS results, shared by the mcis commands. */
import type { McisView } from '@cloud-barista/core';
import { paintStatus, stdoutChalk } from '@cloud-barista/cli-kit/colour';
import { byCause } from './by-cause.js';
import { makeTable, wideTablesOn } from './render.js';

const HEADLINE_MAX = 60;

/**
 * An error as one table line: its first sentence, at most HEADLINE_MAX characters (whole with
 * `-o wide`). The full reason is in the summary under the table, once per cause.
 */
export function errorHeadline(error: string): string {
  const flat = error.replace(/\s+/g, ' ').trim();
  if (wideTablesOn()) return flat;
  const sentence = flat.match(/^.*?[.!?](?=\s|$)/)?.[0] ?? flat;
  return sentence.length > HEADLINE_MAX ? `${sentence.slice(0, HEADLINE_MAX - 1)}…` : sentence;
}

export function vmTable(m: McisView): string {
  return makeTable(
    ['VM', 'STATUS', 'PUBLIC IP', 'SSH', 'CONNECTION', 'SPEC', 'ID', 'ERROR'],
    m.vms.map((v) => [v.name, v.status, v.publicIp, v.publicIp ? `${v.sshUser}@${v.publicIp}:${v.sshPort}` : null, v.connection, v.spec, v.providerId, v.error ? errorHeadline(v.error) : null]),
    { paint: { 1: paintStatus, 7: (e) => (e === '-' ? e : stdoutChalk().red(e)) }, shorten: [6] },
  );
}

export function mcisSummary(m: McisView): string {
  const deleting = m.state === 'Deleting' ? ` — Deleting (finish with: cbadm mcis delete ${m.name} --ns ${m.ns})` : '';
  return `MCIS ${m.ns}/${m.name}: ${paintStatus(m.status)}${deleting}\n${vmTable(m)}${overlayLine(m)}`;
}

/** Under the table while the overlay is on: its network and each VM's address on it. */
function overlayLine(m: McisView): string {
  if (!m.overlay) return '';
  const ips = m.vms.filter((v) => v.overlayIp).map((v) => `${v.name} ${v.overlayIp}`);
  const hubs = m.overlay.topology === 'hub' ? `, hubs ${m.overlay.hubs?.join(', ') || 'none yet'}` : '';
  return `\noverlay ${m.overlay.cidr} (udp ${m.overlay.port}, ${m.overlay.topology}${hubs}): ${ips.join(', ') || 'no VM joined yet'}`;
}

/** Failures grouped by cause, most VMs first: one line per cause with its full reason and the VMs it hit. */
export function failureLines(failed: ReadonlyArray<{ vm: string; error: string }>): string[] {
  const red = stdoutChalk().red;
  return byCause(failed, (f) => f.error).map(([cause, list]) => `  ${list.map((f) => f.vm).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).join(', ')}: ${red(cause)}`);
}

/** Under the table of a run where some VMs failed: what went (`headline`), then each cause once with its VMs. */
export function failureSummary(headline: string, failed: ReadonlyArray<{ vm: string; error: string }>): string {
  return failed.length ? [`Summary: ${headline}, ${failed.length} failed:`, ...failureLines(failed)].join('\n') : '';
}

export function mcisListTable(list: McisView[]): string {
  return makeTable(
    ['NAMESPACE', 'NAME', 'STATUS', 'VMS', 'CONNECTIONS', 'CREATED'],
    list.map((m) => [m.ns, m.name, m.state === 'Deleting' ? `Deleting ${m.status}` : m.status, m.vms.length, [...new Set(m.vms.map((v) => v.connection))].join(','), m.createdAt]),
    { paint: { 2: paintStatus } },
  );
}
