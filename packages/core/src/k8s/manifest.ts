/**
 * K8sCluster manifests (`kind: K8sCluster`). Parsing is pure and returns `{value, errors, warnings}`;
 * everything here is checked before any VM is created: a control plane exists, its size is odd
 * (etcd needs a majority) unless the manifest says otherwise, the CNI is one we can install, and
 * the pod and service CIDRs are valid and do not overlap.
 */
import { z } from 'zod';
import type { FieldIssue } from '../errors.js';
import { API_VERSION, placementIssues, type Validation } from '../manifest.js';
import { Name, Tags } from '../model.js';
import { CNIS, NodeSet, type Cni, type K8sClusterSpec } from '../records/k8s.js';
import { requirementIssues } from '../recommend/requirements.js';
import { readYamlManifest, zodIssues } from '../util/yaml-manifest.js';
import { overlaps, parseCidr } from './cidr.js';

export { CNIS, NodeSet, type Cni, type K8sClusterSpec };

/** The MCIS default network (10.0.0.0/16) would collide with pod or service addresses. */
const VPC_CIDR = '10.0.0.0/16';

const Version = z.string().regex(/^v?1\.\d{2}(\.\d{1,2})?$/, "use a Kubernetes version like '1.30' or '1.30.2'");

export const K8sClusterManifest = z
  .object({
    apiVersion: z.literal(API_VERSION, { message: `apiVersion must be '${API_VERSION}'` }),
    kind: z.literal('K8sCluster', { message: "kind must be 'K8sCluster'" }),
    metadata: z.object({ name: Name, namespace: Name.optional(), labels: Tags.optional() }).strict(),
    spec: z
      .object({
        controlPlane: z.union([NodeSet, z.array(NodeSet)]).optional(),
        workers: z.array(NodeSet).default([]),
        kubernetes: z
          .object({
            version: Version.default('1.30.2'),
            cni: z.string().default('flannel'),
            podCidr: z.string().default('10.244.0.0/16'),
            serviceCidr: z.string().default('10.96.0.0/12'),
            apiPort: z.number().int().min(1).max(65535).default(6443),
            /**
             * A stable address in front of the control planes (a load balancer or DNS name you run),
             * `host` or `host:port`. Default: the first control plane's public IP and apiPort.
             */
            controlPlaneEndpoint: z.string().optional(),
          })
          .strict()
          .default({ version: '1.30.2', cni: 'flannel', podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', apiPort: 6443 }),
        /** An even number of control-plane nodes is allowed only when stated (etcd quorum). */
        allowEvenControlPlane: z.boolean().default(false),
      })
      .strict(),
  })
  .strict();

export interface K8sClusterManifestValue {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  spec: K8sClusterSpec;
}

export function validateK8sManifest(input: unknown): Validation<K8sClusterManifestValue> {
  const parsed = K8sClusterManifest.safeParse(input);
  if (!parsed.success) return { errors: zodIssues(parsed.error, input, K8sClusterManifest), warnings: [] };
  const m = parsed.data;
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  const cp = m.spec.controlPlane === undefined ? [] : Array.isArray(m.spec.controlPlane) ? m.spec.controlPlane : [m.spec.controlPlane];
  if (cp.length === 0) {
    errors.push({ path: 'spec.controlPlane', message: 'a cluster needs a control plane: add spec.controlPlane {name, connection, count: 1, spec, image}' });
  }
  const cpCount = cp.reduce((n, s) => n + s.count, 0);
  if (cpCount > 0 && cpCount % 2 === 0 && !m.spec.allowEvenControlPlane) {
    errors.push({
      path: 'spec.controlPlane',
      message: `${cpCount} control-plane nodes: etcd needs an odd number to keep a majority (use ${cpCount - 1} or ${cpCount + 1}), or set spec.allowEvenControlPlane: true`,
    });
  }
  const seen = new Map<string, string>();
  const sets = [...cp.map((s, i) => [s, Array.isArray(m.spec.controlPlane) ? `spec.controlPlane[${i}]` : 'spec.controlPlane'] as const), ...m.spec.workers.map((s, i) => [s, `spec.workers[${i}]`] as const)];
  for (const [s, path] of sets) {
    const first = seen.get(s.name);
    if (first) errors.push({ path: `${path}.name`, message: `duplicate node set name '${s.name}' (also ${first}): names must be unique across control plane and workers` });
    else seen.set(s.name, path);
    errors.push(...placementIssues(s, path, requirementIssues));
  }
  const k = m.spec.kubernetes;
  if (!(CNIS as readonly string[]).includes(k.cni)) {
    errors.push({ path: 'spec.kubernetes.cni', message: `unknown CNI '${k.cni}': use one of ${CNIS.join(', ')} (flannel tunnels over WireGuard between clouds)` });
  }
  const pod = parseCidr(k.podCidr);
  const svc = parseCidr(k.serviceCidr);
  if (!pod) errors.push({ path: 'spec.kubernetes.podCidr', message: `'${k.podCidr}' is not an IPv4 network like 10.244.0.0/16` });
  if (!svc) errors.push({ path: 'spec.kubernetes.serviceCidr', message: `'${k.serviceCidr}' is not an IPv4 network like 10.96.0.0/12` });
  if (pod && svc && overlaps(pod, svc)) {
    errors.push({ path: 'spec.kubernetes.podCidr', message: `${k.podCidr} overlaps serviceCidr ${k.serviceCidr}: pick disjoint ranges (defaults 10.244.0.0/16 and 10.96.0.0/12)` });
  }
  const endpoint = k.controlPlaneEndpoint === undefined ? undefined : parseEndpoint(k.controlPlaneEndpoint, k.apiPort);
  if (endpoint === null) {
    errors.push({ path: 'spec.kubernetes.controlPlaneEndpoint', message: `'${k.controlPlaneEndpoint ?? ''}' is not host or host:port (a DNS name or IPv4 address, e.g. k8s.example.com:6443)` });
  }
  const vpc = parseCidr(VPC_CIDR)!;
  if (pod && overlaps(pod, vpc)) warnings.push({ path: 'spec.kubernetes.podCidr', message: `${k.podCidr} overlaps the VMs' default network ${VPC_CIDR}` });
  if (svc && overlaps(svc, vpc)) warnings.push({ path: 'spec.kubernetes.serviceCidr', message: `${k.serviceCidr} overlaps the VMs' default network ${VPC_CIDR}` });
  if (errors.length) return { errors, warnings };
  const version = k.version.replace(/^v/, '');
  const full = /^\d+\.\d+$/.test(version) ? `${version}.0` : version;
  return {
    value: {
      name: m.metadata.name,
      ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}),
      labels: m.metadata.labels ?? {},
      spec: {
        controlPlane: cp,
        workers: m.spec.workers,
        kubernetes: {
          version: full,
          minor: full.split('.').slice(0, 2).join('.'),
          cni: k.cni as Cni,
          podCidr: k.podCidr,
          serviceCidr: k.serviceCidr,
          apiPort: k.apiPort,
          ...(endpoint ? { controlPlaneEndpoint: endpoint } : {}),
        },
      },
    },
    errors,
    warnings,
  };
}

/** `host` or `host:port` → `host:port`; null when it is neither (IPv6 is not taken: kubeadm wants brackets). */
function parseEndpoint(text: string, defaultPort: number): string | null {
  const m = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m) return null;
  const host = m[1]!;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  const label = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  const okHost = ipv4 ? ipv4.slice(1).every((o) => Number(o) <= 255) : host.length <= 253 && host.split('.').every((l) => label.test(l)) && /[A-Za-z]/.test(host);
  return okHost && port >= 1 && port <= 65535 ? `${host}:${port}` : null;
}

export function parseK8sManifest(text: string, source = 'manifest'): Validation<K8sClusterManifestValue> {
  const read = readYamlManifest(text, source);
  return read.errors.length ? { errors: read.errors, warnings: [] } : validateK8sManifest(read.value);
}
