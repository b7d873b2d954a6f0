/**
 * Certificates of one simulated cluster, as kubeadm makes them: a cluster CA, the API server's
 * serving certificate (SANs: the control-plane endpoint and every certSAN), and the admin client
 * certificate that admin.conf carries. The CA hash is the real thing (sha256 of the CA's
 * SubjectPublicKeyInfo), so a join with a wrong `--discovery-token-ca-cert-hash` fails as on kubeadm.
 */
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { type CryptoKey, issueLeaf, newCa } from '../x509.js';


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

function leaf(ca: x509.X509Certificate, caKey: CryptoKey, subject: string, extendedUsage: x509.ExtendedKeyUsage, sans: string[]): Promise<{ certPem: string; keyPem: string }> {
  return issueLeaf(ca, caKey, { subject, days: 365, usages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, extendedUsage, sans });
}

/** A fresh CA and the certificates kubeadm init would write; `sans` are the API server's names. */
export async function makeClusterPki(sans: string[]): Promise<ClusterPki> {
  const { cert: ca, keys } = await newCa('CN=kubernetes', 3650, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature);
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
