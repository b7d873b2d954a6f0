/**
 * TLS for the push listener: the operator's certificate and key, or a self-signed pair the
 * collector makes once under `$CB_HOME/cbmon/tls` (0700, key 0600). Agents authenticate a
 * self-signed collector by the SHA-256 of its public key (curl's `--pinnedpubkey sha256//…`).
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OperationError, UsageError } from '@cloud-barista/core/errors';

export interface PushTls {
  cert: Buffer;
  key: Buffer;
  /** `sha256//BASE64` of the certificate's public key (SubjectPublicKeyInfo, DER). */
  pin: string;
}

export const PIN = /^sha256\/\/[A-Za-z0-9+/]{43}=$/;

export function pinOf(certPem: string | Buffer): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256//${createHash('sha256').update(spki).digest('base64')}`;
}

function read(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(`${flag}: cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      hint: `${flag} takes a PEM file`,
    });
  }
}

/** The operator's pair (both files, PEM), checked to be a certificate and its key. */
export function loadTls(certFile: string, keyFile: string): PushTls {
  const cert = read(certFile, '--tls-cert');
  const key = read(keyFile, '--tls-key');
  let pin: string;
  try {
    pin = pinOf(cert);
  } catch (e) {
    throw new UsageError(`--tls-cert: '${certFile}' is not a PEM certificate (${(e as Error).message})`);
  }
  return { cert, key, pin };
}

/** The collector's own self-signed pair, made with openssl on first use and kept for the next runs. */
export function selfSignedTls(home: string): PushTls {
  const dir = join(home, 'cbmon', 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    try {
      // The key goes straight to a file in a 0700 directory: never through argv or our memory first.
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile,
          '-out', certFile, '-days', '3650', '-subj', '/CN=cbmon-collector'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } catch (e) {
      throw new OperationError(`cannot make a self-signed certificate with openssl: ${(e as Error).message.split('\n')[0]}`, {
        hint: 'install openssl, or give --tls-cert and --tls-key',
      });
    }
    chmodSync(keyFile, 0o600);
  }
  return loadTls(certFile, keyFile);
}
