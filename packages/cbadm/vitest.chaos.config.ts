import { defineConfig } from 'vitest/config';

/**
 * The fault campaign (`npm run test:chaos`): kills, cloud faults, load and fuzzed input against
 * Cloud-Twin. Each file has its own twin and store, and mostly waits on the twin's delays, so the
 * three files run side by side.
 */
export default defineConfig({
  test: {
    include: ['test/chaos-*.int.test.ts'],
    maxWorkers: 3,
    minWorkers: 1,
    testTimeout: 600_000,
    hookTimeout: 120_000,
    env: { AWS_EC2_METADATA_DISABLED: 'true' },
  },
});
