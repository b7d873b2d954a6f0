/** Tables for MCIS results, shared by the mcis commands. */
import type { McisView } from '@cloud-barista/core';
import { paintStatus, stdoutChalk } from '@cloud-barista/cli-kit/colour';
import { makeTable } from './render.js';

export function vmTable(m: McisView): string {
  return makeTable(
    ['VM', 'STATUS', 'PUBLIC IP', 'SSH', 'CONNECTION', 'SPEC', 'ID', 'ERROR'],
    m.vms.map((v) => [v.name, v.status, v.publicIp, v.publicIp ? `${v.sshUser}@${v.publicIp}:${v.sshPort}` : null, v.connection, v.spec, v.providerId, v.error]),
    { paint: { 1: paintStatus, 7: (e) => (e === '-' ? e : stdoutChalk().red(e)) }, shorten: [6] },
  );
}

export function mcisSummary(m: McisView): string {
  const deleting = m.state === 'Deleting' ? ` — Deleting (finish with: cbadm mcis delete ${m.name} --ns ${m.ns})` : '';
  return `MCIS ${m.ns}/${m.name}: ${paintStatus(m.status)}${deleting}\n${vmTable(m)}`;
}

export function mcisListTable(list: McisView[]): string {
  return makeTable(
    ['NAMESPACE', 'NAME', 'STATUS', 'VMS', 'CONNECTIONS', 'CREATED'],
    list.map((m) => [m.ns, m.name, m.state === 'Deleting' ? `Deleting ${m.status}` : m.status, m.vms.length, [...new Set(m.vms.map((v) => v.connection))].join(','), m.createdAt]),
    { paint: { 2: paintStatus } },
  );
}
