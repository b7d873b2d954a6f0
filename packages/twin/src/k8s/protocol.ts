/** What a simulated command on a VM sends to the twin, and what it gets back. */
export interface RunRequest {
  instanceId: string;
  command: string;
  args: string[];
  /** The command's working directory, to resolve relative file arguments. */
  cwd: string;
  kubeconfig?: string;
}

export interface RunResponse {
  stdout: string;
  stderr: string;
  code: number;
}
