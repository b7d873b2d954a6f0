import { defineConfig } from 'vitest/config';

/**
 * Files whose twin runs VMs in their own namespaces with enforced firewalls and real daemons (k8s
 * bootstrap, WireGuard, haproxy): one at a time, after the rest, so none starves another of CPU on
 * 2 cores (two of them at once timed out the k8s bootstrap).
 */
const ALONE = ['test/k8s.int.test.ts', 'test/firewall.int.test.ts', 'test/isolation.int.test.ts', 'test/overlay.int.test.ts', 'test/nlb.int.test.ts'];
// The fault campaign runs on its own: `npm run test:chaos` (vitest.chaos.config.ts).
const CHAOS = 'test/chaos-*.int.test.ts';

export default defineConfig({
  test: {
    // Every other file has its own CB_HOME, twin and free ports and mostly waits on CLI starts and
    // the twin: two run side by side.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Never let an SDK's credential chain reach for the EC2 metadata address: tests stay on loopback.
    env: { AWS_EC2_METADATA_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: { name: 'cbadm', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: [CHAOS, ...ALONE, '**/node_modules/**'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'cbadm-isolated', include: ALONE, poolOptions: { forks: { singleFork: true } }, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
