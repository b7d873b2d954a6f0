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
export { SshExecutor } from './executor.js';
export * from './types.js';
export { opensshArgs, shellQuote, formatCommandLine, type OpensshArgsOptions } from './openssh.js';
