export {
  generateSshKeyPair,
  writeKeyPair,
  readPrivateKey,
  fingerprintSha256,
  parseSshKey,
  keyTypeOfBlob,
  type SshKeyPair,
  type WrittenKeyPair,
} from './keys.js';
export { KnownHosts, knownHostsName, type HostKeyVerdict, type KnownHostKey } from './known-hosts.js';
export {
  SshExecutor,
  SshCommandTimeoutError,
  SshStreamIdleError,
  describeTarget,
  // SshTarget is not re-exported here: orchestrator/deps.ts exports the same shape under that name
  // from the package root, and two star exports of one name would be ambiguous.
  type SshExecutorOptions,
  type SshExecOptions,
  type SshExecResult,
  type SshOutputSink,
  type SshProbeOptions,
  type SshProbeResult,
  type SshShellOptions,
  type SshStreamOptions,
  type SshStreamResult,
} from './executor.js';
export { opensshArgs, shellQuote, formatCommandLine, type OpensshArgsOptions } from './openssh.js';
