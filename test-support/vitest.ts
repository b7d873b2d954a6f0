/** What the packages' vitest configs share. */

/** Test files beside the code and under test/, with room for real servers and processes. */
export const testDefaults = {
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
  // Two files at once: most wait on sockets, child processes and twins, and each has its own ports
  // and temp dirs. (vitest's default is one fewer than the cores: a single worker on a 2-core CI.)
  maxWorkers: 2,
  minWorkers: 1,
  // Never let an SDK's credential chain reach for the EC2 metadata address: tests stay on loopback.
  env: { AWS_EC2_METADATA_DISABLED: 'true' },
};
