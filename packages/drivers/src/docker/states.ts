/**
 * Docker container states → common VM status. Suspend is `docker stop`, so a stopped (exited)
 * container is Suspended; a paused one too (its memory is kept, but it is not running).
 */
import type { VmStatus } from '@cloud-barista/core/model';

export const STATE_TO_VM: Readonly<Record<string, VmStatus>> = {
  created: 'Creating',
  running: 'Running',
  paused: 'Suspended',
  restarting: 'Rebooting',
  removing: 'Terminating',
  exited: 'Suspended',
  dead: 'Failed',
};

export function toVmStatus(state: string): VmStatus {
  return STATE_TO_VM[state] ?? 'Undefined';
}

/** `running`, `exited (137)`: the state as `docker ps` shows it, with the exit code when it matters. */
export function nativeStateOf(state: { Status: string; ExitCode?: number }): string {
  return state.Status === 'exited' || state.Status === 'dead' ? `${state.Status} (${state.ExitCode ?? 0})` : state.Status;
}
