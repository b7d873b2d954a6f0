// BENCH_ONLY=nlb (as root, on the isolated twin): HAProxy throughput across the overlay vs direct.
// One MCIS with a web server on one VM on each of AWS, GCP and Azure, the overlay on, and a load
// balancer on port 80 over the three; 8080 is also opened to the host so one backend can be asked
// directly. The same HTTP load (Node's http client, a new connection per request, C at a time) goes
// to the balancer and straight to one backend's public IP:8080, alternated; the figure is the
// ratio of requests per second (balancer ÷ direct), both measured in this one run.
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SERVE = 'mkdir -p www && hostname > www/index.html && (nohup busybox httpd -p 8080 -h www >/dev/null 2>&1 &)';

function manifest(home, conns) {
  const [aws, gcp, azure] = conns;
  const file = join(home, 'nb.yaml');
  writeFileSync(
    file,
    `apiVersion: cloud-barista.io/v1alpha1
kind: MCIS
metadata: { name: nb }
spec:
  subgroups:
    - { name: aw, connection: ${aws}, count: 1, spec: t3.micro, image: debian-12 }
    - { name: gc, connection: ${gcp}, count: 1, spec: e2-small, image: debian-12 }
    - { name: az, connection: ${azure}, count: 1, spec: Standard_B1s, image: debian-12 }
  firewall:
    - { ports: "8080", from: ["0.0.0.0/0"] }
  network:
    overlay: { cidr: 10.77.0.0/16 }
  loadBalancers:
    - { name: web, port: 80, targetPort: 8080, targets: ["subgroup:aw", "subgroup:gc", "subgroup:az"], healthCheck: { path: /, interval: 1s }, connection: ${aws}, spec: t3.micro }
`,
  );
  return file;
}

/** One GET on a new connection; resolves true on a 200. */
function hit(host, port) {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** `n` requests, `c` at a time: requests per second and how many failed. */
async function load(host, port, n, c) {
  let next = 0;
  let failed = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next++ < n) if (!(await hit(host, port))) failed++;
    }),
  );
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rps: n / s, failed };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `cb(args)` runs cbadm; the twin must not be up yet. Returns the section's figures. */
export async function benchNlb(cb, home) {
  cb(['twin', 'up', '--boot-delay', '200ms', '--isolation', 'on']);
  try {
    const conns = JSON.parse(cb(['twin', 'connect', '--json']).stdout).connections;
    const three = ['aws', 'gcp', 'azure'].map((p) => conns.find((c) => c.provider === p).name);
    cb(['mcis', 'create', '-f', manifest(home, three), '--json']);
    cb(['mcis', 'exec', 'nb', '--json', '--', SERVE]);
    const vms = JSON.parse(cb(['mcis', 'get', 'nb', '--json']).stdout).vms;
    const lb = JSON.parse(cb(['mcis', 'nlb', 'list', 'nb', '--json']).stdout)[0];
    const backend = vms.find((v) => v.name === 'aw-1');
    // Until HAProxy's checks see all three UP.
    for (let i = 0; i < 120; i++) {
      const h = JSON.parse(cb(['mcis', 'nlb', 'get', 'nb', 'web', '--json']).stdout);
      if (h.backends?.length === 3 && h.backends.every((b) => b.status === 'UP')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const n = Number(process.env.BENCH_NLB_REQUESTS ?? 2000);
    const c = Number(process.env.BENCH_NLB_CONCURRENCY ?? 16);
    await load(lb.publicIp, 80, 200, c); // warm both paths (ARP, WireGuard handshakes)
    await load(backend.publicIp, 8080, 200, c);
    const via = [];
    const direct = [];
    let failed = 0;
    for (let round = 0; round < Number(process.env.BENCH_ROUNDS ?? 3); round++) {
      const a = await load(lb.publicIp, 80, n, c);
      const b = await load(backend.publicIp, 8080, n, c);
      via.push(a.rps);
      direct.push(b.rps);
      failed += a.failed + b.failed;
    }
    cb(['mcis', 'delete', 'nb', '--yes', '--force', '--json']);
    return {
      requests: n,
      concurrency: c,
      balancerRps: Math.round(median(via)),
      directRps: Math.round(median(direct)),
      ratio: +(median(via) / median(direct)).toFixed(2),
      failed,
      note: 'HAProxy (TCP) on its own VM → 3 backends over the WireGuard overlay vs the host straight to one backend; busybox httpd, a new connection per request',
    };
  } finally {
    cb(['twin', 'down', '--yes'], { check: false });
  }
}
