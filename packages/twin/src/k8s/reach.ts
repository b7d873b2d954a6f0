/**
 * Which simulated cluster answers at host:port. An address where one of its API servers listens
 * is known at once; anything else (a load balancer or proxy of the user's in front of the control
 * planes) is asked over the network, as kubeadm and kubectl would: an HTTPS GET /version that only
 * a server with that cluster's certificates can answer.
 */
import { request } from 'node:https';
import type { SimCluster } from './model.js';

function answers(c: SimCluster, endpoint: string): Promise<boolean> {
  const m = /^(.+):(\d+)$/.exec(endpoint);
  if (!m) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = request(
      { host: m[1], port: Number(m[2]), path: '/version', ca: c.pki.caPem, cert: c.pki.adminCertPem, key: c.pki.adminKeyPem, timeout: 3_000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export async function clusterAt(clusters: Iterable<SimCluster>, endpoint: string | undefined): Promise<SimCluster | undefined> {
  if (!endpoint) return undefined;
  const all = [...clusters];
  const direct = all.find((c) => c.apiServers.has(endpoint));
  if (direct) return direct;
  for (const c of all) if (c.apiServers.size > 0 && (await answers(c, endpoint))) return c;
  return undefined;
}
