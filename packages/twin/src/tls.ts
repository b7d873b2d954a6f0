/**
 * The twin's own certificate authority and HTTPS server certificate, so SDKs that refuse bearer
 * tokens over plain HTTP (Azure's) can talk to it with TLS verified. Clients trust the CA through
 * the connection's `caFile`; nothing switches verification off.
 *
 * Files under `<stateDir>/tls/`: `ca.pem` (what clients trust), `ca-key.pem`, `server.pem`,
 * `server-key.pem` (keys 0600). They survive restarts, so a connection's caFile stays valid for the
 * life of the state dir; a server certificate close to expiry is reissued from the same CA.
 */
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { ALG, type CryptoKey, DAY_MS, issueLeaf, newCa, pkcs8Pem } from './x509.js';

export interface TwinTls {
  /** Path of the CA certificate (PEM): what a connection's caFile names. */
  caFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Server certificates live 397 days, the longest lifetime clients accept for public ones. */
const SERVER_DAYS = 397;
const CA_DAYS = 3650;

async function importKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), ALG, true, ['sign']);
}

function newServerCert(ca: x509.X509Certificate, caKey: CryptoKey): Promise<{ certPem: string; keyPem: string }> {
  return issueLeaf(ca, caKey, {
    subject: 'CN=localhost, O=Cloud-Barista',
    days: SERVER_DAYS,
    usages: x509.KeyUsageFlags.digitalSignature,
    extendedUsage: x509.ExtendedKeyUsage.serverAuth,
    // Loopback only, under every name a client may use for it.
    sans: ['localhost', '127.0.0.1', '::1'],
  });
}

function validFor(pem: string, ms: number): boolean {
  try {
    return new x509.X509Certificate(pem).notAfter.getTime() > Date.now() + ms;
  } catch {
    return false;
  }
}

/** Loads the twin's CA and server certificate from `<stateDir>/tls`, making what is missing. */
export async function ensureTwinTls(stateDir: string): Promise<TwinTls> {
  const dir = join(stateDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = {
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server-key.pem'),
  };
  const write = (file: string, text: string, mode: number) => writeFileSync(file, text, { mode });

  let caPem: string;
  let caCert: x509.X509Certificate;
  let caKey: CryptoKey;
  if (existsSync(f.ca) && existsSync(f.caKey) && validFor(readFileSync(f.ca, 'utf8'), 30 * DAY_MS)) {
    caPem = readFileSync(f.ca, 'utf8');
    caCert = new x509.X509Certificate(caPem);
    caKey = await importKey(readFileSync(f.caKey, 'utf8'));
  } else {
    const ca = await newCa('CN=Cloud-Twin local CA, O=Cloud-Barista', CA_DAYS, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    caCert = ca.cert;
    caKey = ca.keys.privateKey;
    caPem = ca.cert.toString('pem');
    write(f.caKey, await pkcs8Pem(caKey), 0o600);
    write(f.ca, caPem, 0o644);
    // A new CA invalidates the old server certificate.
    write(f.cert, '', 0o644);
  }

  const current = existsSync(f.cert) ? readFileSync(f.cert, 'utf8') : '';
  if (current && existsSync(f.key) && validFor(current, DAY_MS) && issuedBy(current, caCert)) {
    return { caFile: f.ca, caPem, certPem: current, keyPem: readFileSync(f.key, 'utf8') };
  }
  const server = await newServerCert(caCert, caKey);
  write(f.key, server.keyPem, 0o600);
  write(f.cert, server.certPem, 0o644);
  return { caFile: f.ca, caPem, certPem: server.certPem, keyPem: server.keyPem };
}

function issuedBy(certPem: string, ca: x509.X509Certificate): boolean {
  try {
    return new x509.X509Certificate(certPem).issuer === ca.subject;
  } catch {
    return false;
  }
}
