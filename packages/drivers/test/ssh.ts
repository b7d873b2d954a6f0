/** A minimal SSH exec for tests, straight on ssh2's Client (the product uses core's executor). */
import { Client } from 'ssh2';

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey: string;
}

export function sshExec(t: SshTarget, command: string, timeoutMs = 15_000): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const conn = new Client();
    const timer = setTimeout(() => {
      conn.end();
      reject(new Error(`ssh ${t.username}@${t.host}:${t.port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      conn.end();
      reject(e);
    };
    conn
      .on('ready', () => {
        conn.exec(command, (err, stream) => {
          if (err) return fail(err);
          let stdout = '';
          let stderr = '';
          let code: number | null = null;
          stream.on('data', (d: Buffer) => (stdout += d.toString()));
          stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          stream.on('exit', (c: number | null) => (code = c));
          stream.on('close', () => {
            clearTimeout(timer);
            conn.end();
            resolve({ code, stdout, stderr });
          });
        });
      })
      .on('error', fail)
      .connect({
        host: t.host,
        port: t.port,
        username: t.username,
        privateKey: t.privateKey,
        readyTimeout: timeoutMs,
        // Fresh VMs have fresh host keys; pinning is the product's SSH executor's job, not this test's.
        hostVerifier: () => true,
      });
  });
}
