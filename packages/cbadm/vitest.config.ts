import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // End-to-end files mostly wait on boot delays and SSH: two at a time halves the wall time. Each
    // file has its own CB_HOME, twin and SSH port, so they cannot collide.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Never let an SDK's credential chain reach for the EC2 metadata address: tests stay on loopback.
    env: { AWS_EC2_METADATA_DISABLED: 'true' },
  },
});
