/** The lifecycle record every cloud's new VM starts with (see lifecycle.ts). */
import type { BackedVm } from './lifecycle.js';

export interface NewBacking {
  /** Unique across providers: it names the VM's directory under the state dir. */
  id: string;
  sshUser: string;
  /** A public IP from launch on (EC2-style); clouds that attach one later leave it false. */
  assignPublicIp?: boolean;
  /** The one public key the SSH server accepts (a key pair)… */
  authorizedKey?: string | undefined;
  /** …or several (Azure's osProfile keys). */
  authorizedKeys?: string[];
  /** Set from the image: the VM gets the simulated node runtime. */
  nodeRuntime?: 'kubernetes' | undefined;
}

/** A pending VM with a fresh SSH host key, the login its cloud gives it, and nothing else yet. */
export function newBacking(lifecycle: { hostKey(): BackedVm['hostKey'] }, o: NewBacking): BackedVm {
  return {
    id: o.id,
    state: 'pending',
    assignPublicIp: o.assignPublicIp ?? false,
    hostKey: lifecycle.hostKey(),
    ...(o.authorizedKey ? { authorizedKey: o.authorizedKey } : {}),
    ...(o.authorizedKeys ? { authorizedKeys: o.authorizedKeys } : {}),
    sshUser: o.sshUser,
    stateTransitionReason: '',
    ...(o.nodeRuntime ? { nodeRuntime: o.nodeRuntime } : {}),
  };
}
