/**
 * MCIS manifests (YAML, `apiVersion: cloud-barista.io/v1alpha1`, `kind: MCIS`). Parsing is pure:
 * it returns `{value, errors, warnings}` as data, names each bad field by its path, and never
 * touches the network or the store.
 */
import { z } from 'zod';
import type { FieldIssue } from './errors.js';
import { cidrProblem, firewallIssues } from './firewall.js';
import { loadBalancerIssues } from './nlb/spec.js';
import { FirewallRuleSpec, LoadBalancerSpec, ManifestSubgroup, Name, OnFailure, OverlaySpec, SshAccess, Tags, type Requirements } from './model.js';
import { formatPath } from './util/field-path.js';
import { readYamlManifest, zodIssues } from './util/yaml-manifest.js';

export { formatPath };

export const API_VERSION = 'cloud-barista.io/v1alpha1';

export const McisManifest = z
  .object({
    apiVersion: z.literal(API_VERSION, { message: `apiVersion must be '${API_VERSION}'` }),
    kind: z.literal('MCIS', { message: "kind must be 'MCIS'" }),
    metadata: z
      .object({ name: Name, namespace: Name.optional(), labels: Tags.optional() })
      .strict(),
    spec: z
      .object({
        subgroups: z.array(ManifestSubgroup.strict()).min(1, 'an MCIS needs at least one subgroup'),
        /** Copied to every new VM over SFTP once SSH answers (src relative to the manifest's folder). */
        files: z.array(z.object({ src: z.string().min(1), dest: z.string().min(1) }).strict()).max(100).optional(),
        /** Run in order on every new VM after `files` (like cloud-init's runcmd, over SSH, reported per VM). */
        run: z.array(z.string().min(1)).max(100).optional(),
        /** Ingress rules for every VM of the MCIS (subgroups may add their own). */
        firewall: z.array(FirewallRuleSpec).max(100).optional(),
        /** Narrows SSH (port 22) to these CIDRs; default 0.0.0.0/0. */
        ssh: SshAccess.optional(),
        /** HAProxy balancers on VMs of their own in front of subgroups on any cloud (nlb/spec.ts). */
        loadBalancers: z.array(LoadBalancerSpec).max(20).optional(),
        /** MCIS-wide networking: `overlay` joins every VM into one WireGuard network across clouds. */
        network: z.object({ overlay: OverlaySpec.optional() }).strict().optional(),
        policy: z
          .object({
            onFailure: OnFailure.optional(),
            parallelism: z.number().int().min(1).max(1000).optional(),
            /** apply: VMs of one subgroup replaced at once (default 1), each round waiting for SSH. */
            maxUnavailable: z.number().int().min(1).max(1000).optional(),
            /** apply: a command run on a VM over SSH before scale-in terminates it; a failure keeps the VM. */
            drain: z.string().min(1).optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict();
export type McisManifest = z.infer<typeof McisManifest>;

export interface Validation<T> {
  value?: T;
  errors: FieldIssue[];
  warnings: FieldIssue[];
}

/**
 * Checks the contents of a `requirements` block (places, priorities, GPU filter). The recommender
 * supplies it (`requirementIssues`), so this leaf knows no service.
 */
export type RequirementCheck = (r: Requirements, path: string) => FieldIssue[];

/**
 * Validates an already-parsed object against the manifest schema plus cross-field rules, each
 * requirements block by `checkRequirements`. `validateMcisManifest` (orchestrator) passes the recommender's.
 */
export function checkMcisManifest(input: unknown, checkRequirements: RequirementCheck): Validation<McisManifest> {
  const parsed = McisManifest.safeParse(input);
  if (!parsed.success) return { errors: zodIssues(parsed.error, input, McisManifest), warnings: [] };
  const m = parsed.data;
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  const seen = new Map<string, number>();
  m.spec.subgroups.forEach((sg, i) => {
    const first = seen.get(sg.name);
    if (first !== undefined) {
      errors.push({ path: `spec.subgroups[${i}].name`, message: `duplicate subgroup name '${sg.name}' (also spec.subgroups[${first}]): names must be unique` });
    } else seen.set(sg.name, i);
    errors.push(...placementIssues(sg, `spec.subgroups[${i}]`, checkRequirements));
  });
  errors.push(...firewallIssues({ ...m.spec, subgroups: m.spec.subgroups }));
  errors.push(...loadBalancerIssues(m.spec));
  m.spec.loadBalancers?.forEach((lb, i) => {
    if (lb.requirements) errors.push(...checkRequirements(lb.requirements, `spec.loadBalancers[${i}].requirements`));
  });
  const overlay = m.spec.network?.overlay;
  if (overlay) errors.push(...overlayIssues(overlay.cidr, 'spec.network.overlay.cidr'));
  const total = m.spec.subgroups.reduce((n, sg) => n + sg.count, 0);
  if (total > 1000) errors.push({ path: 'spec.subgroups', message: `${total} VMs in one MCIS; the limit is 1000: split it` });
  if (m.spec.policy?.parallelism && m.spec.policy.parallelism > total) {
    warnings.push({ path: 'spec.policy.parallelism', message: `parallelism ${m.spec.policy.parallelism} exceeds the ${total} VMs requested` });
  }
  return errors.length ? { errors, warnings } : { value: m, errors, warnings };
}

/** Parses YAML text; syntax errors are reported with line and column. */
export function readMcisManifest(text: string, source: string, checkRequirements: RequirementCheck): Validation<McisManifest> {
  const read = readYamlManifest(text, source);
  return read.errors.length ? { errors: read.errors, warnings: [] } : checkMcisManifest(read.value, checkRequirements);
}

/** Exactly one of `connection` + `spec` or `requirements`; requirements that parse. Shared with K8s node sets. */
export function placementIssues(sg: { connection?: string; spec?: string; requirements?: Requirements }, path: string, checkRequirements: RequirementCheck): FieldIssue[] {
  if (sg.requirements) {
    const extra = [sg.connection !== undefined ? 'connection' : '', sg.spec !== undefined ? 'spec' : ''].filter(Boolean);
    if (extra.length) return [{ path: `${path}.requirements`, message: `give either ${extra.join(' and ')} or requirements, not both: requirements let cbadm pick the connection and spec` }];
    return checkRequirements(sg.requirements, `${path}.requirements`);
  }
  if (sg.connection === undefined && sg.spec === undefined) {
    return [{ path, message: 'needs connection and spec, or requirements (e.g. requirements: { vcpu: 2, memory: 4, near: Seoul })' }];
  }
  if (sg.connection === undefined) return [{ path: `${path}.connection`, message: 'is required with spec (or replace both with requirements)' }];
  if (sg.spec === undefined) return [{ path: `${path}.spec`, message: 'is required with connection (or replace both with requirements)' }];
  return [];
}

/** An overlay network must be a private IPv4 range with room for the MCIS (a /8 to a /24). */
export function overlayIssues(cidr: string, path: string): FieldIssue[] {
  const bad = cidrProblem(cidr);
  if (bad) return [{ path, message: bad.replace(", 'subgroup:NAME' or 'mcis'", '') }];
  const bits = Number(cidr.split('/')[1]);
  if (bits < 8 || bits > 24) return [{ path, message: `'${cidr}': use a /8 to /24 network (e.g. 10.77.0.0/16) so every VM gets an address` }];
  const [a, b] = cidr.split('.').map(Number) as [number, number];
  const isPrivate = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  if (!isPrivate) return [{ path, message: `'${cidr}' is not a private range: use one inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10` }];
  return [];
}
