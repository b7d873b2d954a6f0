export { startVmSshServer, generateHostKey } from './vm-ssh-server.js';
export type { VmSshServer, VmSshServerOptions } from './vm-ssh-server.js';
