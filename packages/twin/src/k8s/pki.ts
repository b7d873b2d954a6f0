/**
 * Certificates of one simulated cluster, as kubeadm makes them: a cluster CA, the API server's
 * serving certificate (SANs: the control-plane endpoint and every certSAN), and the admin client
 * certificate that admin.conf carries. The CA hash is the real thing (sha256 of the CA's
 * SubjectPublicKeyInfo), so a join with a wrong `--discovery-token-ca-cert-hash` fails as on kubeadm.
 */
import { createHash, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
type CryptoKey = webcrypto.CryptoKey;

export interface ClusterPki {
  caPem: string;
  /** `sha256:<hex>` over the CA's SubjectPublicKeyInfo (what kubeadm join checks). */
  caHash: string;
  serverCertPem: string;
  serverKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
  /** Kept in the twin's memory only, to sign the serving certificates of joining control planes. */
  caKey: CryptoKey;
  /** The API server's names from init (the endpoint and the certSANs), which every control plane serves. */
  sans: string[];
}

function serial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] ?? 0) & 0x7f;
  return Buffer.from(b).toString('hex');
}

async function keyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function leaf(
  ca: x509.X509Certificate,
  caKey: CryptoKey,
  subject: string,
  usage: x509.ExtendedKeyUsage,
  sans: string[],
): Promise<{ certPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: ca.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([usage]),
      ...(sans.length
        ? [new x509.SubjectAlternativeNameExtension(sans.map((s) => (isIP(s) ? { type: 'ip' as const, value: s } : { type: 'dns' as const, value: s })))]
        : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

/** A fresh CA and the certificates kubeadm init would write; `sans` are the API server's names. */
export async function makeClusterPki(sans: string[]): Promise<ClusterPki> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=kubernetes',
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const names = [...new Set(['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'localhost', '127.0.0.1', ...sans])];
  const server = await leaf(ca, keys.privateKey, 'CN=kube-apiserver', x509.ExtendedKeyUsage.serverAuth, names);
  const admin = await leaf(ca, keys.privateKey, 'CN=kubernetes-admin, O=kubeadm:cluster-admins', x509.ExtendedKeyUsage.clientAuth, []);
  return {
    caPem: ca.toString('pem'),
    caHash: `sha256:${createHash('sha256').update(Buffer.from(ca.publicKey.rawData)).digest('hex')}`,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    adminCertPem: admin.certPem,
    adminKeyPem: admin.keyPem,
    caKey: keys.privateKey,
    sans: names,
  };
}

/**
 * The serving certificate kubeadm makes on a joining control plane: the cluster's names plus the
 * node's own advertise address (the CA key travelled in the kubeadm-certs Secret, under --certificate-key).
 */
export async function controlPlaneServingCert(pki: ClusterPki, advertise: string): Promise<{ certPem: string; keyPem: string }> {
  const ca = new x509.X509Certificate(pki.caPem);
  return leaf(ca, pki.caKey, 'CN=kube-apiserver', x509.ExtendedKeyUsage.serverAuth, [...new Set([...pki.sans, advertise])]);
}
