/**
 * Certificates the twin issues (its HTTPS CA in ./tls.ts, each simulated cluster's PKI in
 * ./k8s/pki.ts): ECDSA P-256 keys, pure JavaScript (@peculiar/x509 on WebCrypto, which x509 finds
 * on globalThis.crypto by itself), no openssl binary.
 */
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

export const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
export const DAY_MS = 86_400_000;
export type CryptoKey = webcrypto.CryptoKey;

function serial(): string {
  // Positive, 16 random bytes: unique per issue, as RFC 5280 asks.
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] ?? 0) & 0x7f;
  return Buffer.from(b).toString('hex');
}

export async function pkcs8Pem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A new self-signed CA (valid from a day ago, for `days`), and its key pair. */
export async function newCa(name: string, days: number, usages: x509.KeyUsageFlags): Promise<{ cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + days * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(usages, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

export interface LeafSpec {
  subject: string;
  days: number;
  usages: x509.KeyUsageFlags;
  extendedUsage: x509.ExtendedKeyUsage;
  /** DNS names and IP addresses; none for a client certificate. */
  sans: string[];
}

/** A certificate `ca` signs for a new key pair (valid from a day ago). */
export async function issueLeaf(ca: x509.X509Certificate, caKey: CryptoKey, spec: LeafSpec): Promise<{ certPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: spec.subject,
    issuer: ca.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + spec.days * DAY_MS),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(spec.usages, true),
      new x509.ExtendedKeyUsageExtension([spec.extendedUsage]),
      ...(spec.sans.length
        ? [new x509.SubjectAlternativeNameExtension(spec.sans.map((s) => (isIP(s) ? { type: 'ip' as const, value: s } : { type: 'dns' as const, value: s })))]
        : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await pkcs8Pem(keys.privateKey) };
}
