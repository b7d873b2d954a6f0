/**
 * The Cloudit driver against Cloud-Twin's Cloudit (IAM, ACE, DNA), with a cloudit-password
 * credential: the shared driver contract, and a look through the tenant for anything of ours left
 * behind (subnets, security groups, servers, adaptive IPs).
 */
import type { Tags } from '@cloud-barista/core';
import { buildClouditDriver } from '../src/cloudit/index.js';
import { clouditConnection, clouditCredential, bootTwin, rawCloudit, type Twin } from './cloudit-twin.js';
import { runContractOnTwin } from './contract.js';

async function leftovers(twin: Twin, tags: Tags): Promise<string[]> {
  const ours = (d?: string) => Object.entries(tags).every(([k, v]) => d?.includes(`"${k}":"${v}"`));
  const out: string[] = [];
  for (const [service, path] of [['dna', '/subnets'], ['iam', '/securitygroups'], ['ace', '/servers']] as const) {
    out.push(...(await rawCloudit(twin, service, path)).filter((x) => ours(x.description)).map((x) => `${path.slice(1)}/${x.name}`));
  }
  out.push(...(await rawCloudit<{ ip: string }[]>(twin, 'dna', '/adaptive-ips')).map((a) => `adaptive-ips/${a.ip}`));
  return out;
}

runContractOnTwin('cloudit on Cloud-Twin', bootTwin, ({ twin }) => ({
  driver: buildClouditDriver({ connection: clouditConnection(twin, { name: 'contract' }), credentials: clouditCredential(twin) }, { pollIntervalMs: 100 }),
  // Cloudit's templates log in as root; the key travels with each server.
  sshUser: 'root',
  keyPairResources: false,
  leftovers: (tags) => leftovers(twin, tags),
}));
