export * from './deps.js';
export * from './service.js';
export * from './view.js';
export * from './actions.js';
export { planCreate, DEFAULT_PER_REGION, DEFAULT_REGIONS_PER_PROVIDER, type CreateOptions, type CreatePlan, type PlannedVm } from './create.js';
export { defaultResourceName } from './resources.js';
export type { PlannedSubgroup, Alternate } from './placement.js';
export type { FailoverMove } from './failover.js';
export type { BenchmarkResult, VmBenchmark } from './benchmark.js';
