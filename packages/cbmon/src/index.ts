/**
 * cbmon as a library, for other CLIs (cbadm's `mcis create --install-mon-agent`) and scripts. The
 * oclif commands are thin wrappers over these.
 */
export {
  installAgents,
  uninstallAgents,
  agentStatuses,
  assertAllOk,
  normalizePushUrl,
  DEFAULT_INTERVAL_MS,
  DEFAULT_RING_MS,
  type AgentJobOptions,
  type AgentJobResult,
  type AgentVmResult,
  type InstallOptions,
} from './agent/install.js';
export { agentScript, agentVersion, AGENT_SCRIPT_PATH } from './agent/script.js';
export type { AgentStatus } from './agent/protocol.js';
export { followAgent, type FollowOptions, type StreamStart } from './agent/follow.js';
export { Collector, COLLECTOR_LOCK, type CollectorOptions } from './collector/collector.js';
export type { CollectorStats } from './collector/stats.js';
export { MetricsStore, metricsDbPath } from './store/metrics-store.js';
export { openMon, type Mon } from './mon.js';
export { parseRule, evaluate, type Rule, type Evaluation } from './rules/rule.js';
export { runCheck, type CheckResult } from './rules/check.js';
export { parseDuration, formatDuration } from './duration.js';
export { METRICS, MEASUREMENTS, metricInfo, type MetricInfo } from './metrics.js';
export type { Sample, SamplePoint, VmRef } from './sample.js';
