import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The fault campaign runs on its own: `npm run test:chaos` (vitest.chaos.config.ts).
    exclude: ['test/chaos-*.int.test.ts', '**/node_modules/**'],
    // One end-to-end file at a time: two at once halved the wall time but starved the k8s bootstrap
    // of CPU on 2 cores until it timed out.
    maxWorkers: 1,
    minWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Never let an SDK's credential chain reach for the EC2 metadata address: tests stay on loopback.
    env: { AWS_EC2_METADATA_DISABLED: 'true' },
  },
});
