/**
 * The twin's own certificate authority and HTTPS server certificate, so SDKs that refuse bearer
 * tokens over plain HTTP (Azure's) can talk to it with TLS verified. Clients trust the CA through
 * the connection's `caFile`; nothing switches verification off.
 *
 * Files under `<stateDir>/tls/`: `ca.pem` (what clients trust), `ca-key.pem`, `server.pem`,
 * `server-key.pem` (keys 0600). They survive restarts, so a connection's caFile stays valid for the
 * life of the state dir; a server certificate close to expiry is reissued from the same CA.
 * Pure JavaScript (@peculiar/x509 on WebCrypto): no openssl binary needed.
 */
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

export interface TwinTls {
  /** Path of the CA certificate (PEM): what a connection's caFile names. */
  caFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** Server certificates live 397 days, the longest lifetime clients accept for public ones. */
const SERVER_DAYS = 397;
const CA_DAYS = 3650;

// x509 finds Node's WebCrypto on globalThis.crypto (Node 20 has it) by itself.
type CryptoKey = webcrypto.CryptoKey;

function serial(): string {
  // Positive, 16 random bytes: unique per issue, as RFC 5280 asks.
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] ?? 0) & 0x7f;
  return Buffer.from(b).toString('hex');
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), ALG, true, ['sign']);
}

async function newCa(): Promise<{ cert: x509.X509Certificate; key: CryptoKey; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=Cloud-Twin local CA, O=Cloud-Barista',
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + CA_DAYS * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, key: keys.privateKey, keyPem: await pkcs8Pem(keys.privateKey) };
}

async function newServerCert(ca: x509.X509Certificate, caKey: CryptoKey): Promise<{ certPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=localhost, O=Cloud-Barista',
    issuer: ca.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + SERVER_DAYS * DAY_MS),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      // Loopback only, under every name a client may use for it.
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await pkcs8Pem(keys.privateKey) };
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
    const ca = await newCa();
    caCert = ca.cert;
    caKey = ca.key;
    caPem = ca.cert.toString('pem');
    write(f.caKey, ca.keyPem, 0o600);
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
