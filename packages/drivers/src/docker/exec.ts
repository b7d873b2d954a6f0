/**
 * Running a command in a container the Engine's way: exec create (`/bin/sh -c`), exec start with
 * the hijacked stream (stdout and stderr multiplexed in frames without a TTY), demultiplexed here,
 * and the exit code from exec inspect. Works on images without sshd.
 */
import { PassThrough } from 'node:stream';
import type { DockerClient } from './client.js';

export interface ContainerExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ContainerExecOptions {
  /** Sent to the command's stdin, then closed. */
  stdin?: string | Buffer;
  /** Output as it comes (the full text is also returned). */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  env?: Record<string, string>;
}

export async function execInContainer(client: DockerClient, containerId: string, command: string, o: ContainerExecOptions = {}): Promise<ContainerExecResult> {
  const exec = await client.call((d) =>
    d.getContainer(containerId).exec({
      Cmd: ['/bin/sh', '-c', command],
      AttachStdin: o.stdin !== undefined,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      ...(o.env ? { Env: Object.entries(o.env).map(([k, v]) => `${k}=${v}`) } : {}),
    }),
  );
  // Not retried: starting an exec runs the command.
  const stream = await exec.start({ hijack: true, stdin: o.stdin !== undefined });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => {
    out.push(c);
    o.onStdout?.(c);
  });
  stderr.on('data', (c: Buffer) => {
    err.push(c);
    o.onStderr?.(c);
  });
  const ended = new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', reject);
  });
  client.docker.modem.demuxStream(stream, stdout, stderr);
  if (o.stdin !== undefined) stream.end(o.stdin);
  await ended;
  const info = await client.call(() => exec.inspect());
  return { code: info.ExitCode ?? null, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** What a user types to get a shell in the container (`mcis ssh` prints it). */
export function dockerExecCommand(endpoint: { host: string }, containerId: string, shell = '/bin/sh'): string {
  const host = endpoint.host === 'unix:///var/run/docker.sock' ? '' : `-H ${endpoint.host} `;
  return `docker ${host}exec -it ${containerId.slice(0, 12)} ${shell}`;
}
