/** Kubeconfig files as kubeadm writes them (admin.conf, kubelet.conf). */
import type { SimCluster } from './model.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function kubeconfigText(c: SimCluster, user: string): string {
  const ctx = `${user}@${c.name}`;
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64(c.pki.caPem)}
    server: https://${c.endpoint}
  name: ${c.name}
contexts:
- context:
    cluster: ${c.name}
    user: ${user}
  name: ${ctx}
current-context: ${ctx}
kind: Config
preferences: {}
users:
- name: ${user}
  user:
    client-certificate-data: ${b64(c.pki.adminCertPem)}
    client-key-data: ${b64(c.pki.adminKeyPem)}
`;
}

/** The API endpoint (host:port) a kubeconfig points at. */
export function serverOf(text: string): string | undefined {
  return /server:\s*https:\/\/([^\s/]+)/.exec(text)?.[1];
}
