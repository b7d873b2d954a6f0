/**
 * cbmon as a library, for scripts (what cbadm needs of the agent is in @cloud-barista/agent). The
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
} from '@cloud-barista/agent/install';
export { agentScript, agentVersion, AGENT_SCRIPT_PATH } from '@cloud-barista/agent/script';
export type { AgentStatus } from '@cloud-barista/agent/protocol';
export { followAgent, type FollowOptions, type StreamStart } from './agent/follow.js';
export { Collector, COLLECTOR_LOCK, type CollectorOptions } from './collector/collector.js';
export type { CollectorStats } from './collector/stats.js';
export { MetricsStore, metricsDbPath } from '@cloud-barista/agent/store/metrics-store';
export { openMon, type Mon } from './mon.js';
export { parseRule, evaluate, type Rule, type Evaluation } from './rules/rule.js';
export { runCheck, type CheckResult } from './rules/check.js';
export { parseDuration, formatDuration } from '@cloud-barista/agent/duration';
export { METRICS, MEASUREMENTS, metricInfo, type MetricInfo } from './metrics.js';
export type { Sample, SamplePoint, VmRef } from '@cloud-barista/agent/sample';
