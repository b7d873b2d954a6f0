/**
 * The simulated `kubectl` on a node: the subset the bootstrap and node removal use — apply (the
 * CNI), get nodes, label, cordon/uncordon, drain, delete node, wait for Ready. It acts on the cluster
 * its kubeconfig points at, as the real one would.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { serverOf } from './kubeconfig.js';
import { cniOf } from './manifests.js';
import { clusterAt } from './reach.js';
import type { SimCluster } from './model.js';
import { nodeList, nodeObject, type NodeView } from './objects.js';
import type { RunResponse } from './protocol.js';
import { sleep } from '../sleep.js';

export interface KubectlHost {
  clusters: Map<string, SimCluster>;
  views(c: SimCluster): NodeView[];
}

const ok = (stdout: string): RunResponse => ({ stdout, stderr: '', code: 0 });
const fail = (msg: string): RunResponse => ({ stdout: '', stderr: `error: ${msg}\n`, code: 1 });

function take(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const a = args[i]!;
  const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
  args.splice(i, a.includes('=') ? 1 : 2);
  return v;
}


export async function kubectl(host: KubectlHost, args0: string[], cwd: string, kubeconfigEnv?: string): Promise<RunResponse> {
  const args = [...args0];
  const kubeconfig = take(args, '--kubeconfig') ?? kubeconfigEnv;
  const output = take(args, '-o') ?? take(args, '--output');
  const timeoutArg = take(args, '--timeout');
  const forCond = take(args, '--for');
  const file = take(args, '-f') ?? take(args, '--filename');
  const server = take(args, '--server') ?? take(args, '-s');
  const words = args.filter((a) => !a.startsWith('-'));
  const [verb, ...objs] = words;
  if (verb === 'version' && args.includes('--client')) return ok('Client Version: v1.30.2\n');
  if (!kubeconfig) return fail('no configuration has been provided, try setting KUBERNETES_MASTER environment variable');
  let text: string;
  try {
    text = readFileSync(resolve(cwd, kubeconfig), 'utf8');
  } catch {
    return fail(`stat ${kubeconfig}: no such file or directory`);
  }
  const endpoint = server?.replace(/^https:\/\//, '').replace(/\/.*$/, '') ?? serverOf(text);
  const c = await clusterAt(host.clusters.values(), endpoint);
  if (!c) return fail(`Get "https://${endpoint ?? '?'}/api": dial tcp ${endpoint ?? '?'}: connect: connection refused`);
  const names = objs.flatMap((o) => (o === 'node' || o === 'nodes' || o === 'no' ? [] : [o.replace(/^nodes?\//, '')]));
  const missing = names.find((n) => !c.nodes.has(n));

  switch (verb) {
    case 'apply': {
      if (!file) return fail('must specify one of -f and -k');
      const manifest = readFileSync(resolve(cwd, file), 'utf8');
      const cni = cniOf(manifest);
      if (cni) c.cni = cni.cni;
      return ok((cni?.objects ?? ['configmap/unknown']).map((o) => `${o} created\n`).join(''));
    }
    case 'get': {
      if (missing) return { stdout: '', stderr: `Error from server (NotFound): nodes "${missing}" not found\n`, code: 1 };
      const views = host.views(c).filter((v) => names.length === 0 || names.includes(v.node.name));
      if (output === 'json') {
        const items = views.map((v) => nodeObject(c, v));
        return ok(`${JSON.stringify(names.length === 1 ? items[0] : nodeList(items), null, 2)}\n`);
      }
      if (output === 'name') return ok(views.map((v) => `node/${v.node.name}\n`).join(''));
      const rows = views.map((v) => [v.node.name, `${v.ready ? 'Ready' : 'NotReady'}${v.node.unschedulable ? ',SchedulingDisabled' : ''}`, v.node.controlPlane ? 'control-plane' : '<none>', `v${v.node.kubeletVersion}`]);
      return ok([['NAME', 'STATUS', 'ROLES', 'VERSION'], ...rows].map((r) => r.join('   ')).join('\n') + '\n');
    }
    case 'label': {
      const target = names[0];
      const node = target ? c.nodes.get(target) : undefined;
      if (!node) return { stdout: '', stderr: `Error from server (NotFound): nodes "${target ?? ''}" not found\n`, code: 1 };
      // Everything after the node name is a label change: k=v, or k- to remove.
      for (const l of names.slice(1)) {
        if (l.endsWith('-')) delete node.labels[l.slice(0, -1)];
        else {
          const eq = l.indexOf('=');
          if (eq > 0) node.labels[l.slice(0, eq)] = l.slice(eq + 1);
        }
      }
      return ok(`node/${node.name} labeled\n`);
    }
    case 'annotate': {
      const target = names[0];
      const node = target ? c.nodes.get(target) : undefined;
      if (!node) return { stdout: '', stderr: `Error from server (NotFound): nodes "${target ?? ''}" not found\n`, code: 1 };
      const annotations = (node.annotations ??= {});
      const changes = names.slice(1);
      // As kubectl: changing an existing value needs --overwrite, and nothing changes if one refuses.
      const clash = changes.find((a) => {
        const eq = a.indexOf('=');
        return eq > 0 && annotations[a.slice(0, eq)] !== undefined && annotations[a.slice(0, eq)] !== a.slice(eq + 1);
      });
      if (clash && !args.includes('--overwrite')) return fail(`--overwrite is false but found the following declared annotation(s): '${clash.slice(0, clash.indexOf('='))}' already has a value (${annotations[clash.slice(0, clash.indexOf('='))] ?? ''})`);
      for (const a of changes) {
        if (a.endsWith('-')) delete annotations[a.slice(0, -1)];
        else {
          const eq = a.indexOf('=');
          if (eq > 0) annotations[a.slice(0, eq)] = a.slice(eq + 1);
        }
      }
      return ok(`node/${node.name} annotated\n`);
    }
    case 'cordon':
    case 'uncordon':
    case 'drain': {
      if (missing || names.length === 0) return { stdout: '', stderr: `Error from server (NotFound): nodes "${missing ?? ''}" not found\n`, code: 1 };
      for (const n of names) c.nodes.get(n)!.unschedulable = verb !== 'uncordon';
      const what = verb === 'drain' ? 'drained' : verb === 'cordon' ? 'cordoned' : 'uncordoned';
      return ok(names.map((n) => `node/${n} ${verb === 'drain' ? 'cordoned\n' : ''}node/${n} ${what}\n`).join(''));
    }
    case 'delete': {
      if (missing) return args.includes('--ignore-not-found') ? ok('') : { stdout: '', stderr: `Error from server (NotFound): nodes "${missing}" not found\n`, code: 1 };
      for (const n of names) c.nodes.delete(n);
      return ok(names.map((n) => `node "${n}" deleted\n`).join(''));
    }
    case 'wait': {
      if (forCond !== 'condition=Ready') return fail(`the simulated kubectl waits only --for=condition=Ready, not ${forCond ?? '(none)'}`);
      const timeoutMs = Number(/^(\d+)s$/.exec(timeoutArg ?? '30s')?.[1] ?? 30) * 1000;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const views = host.views(c);
        const notReady = names.filter((n) => !views.find((v) => v.node.name === n)?.ready);
        if (notReady.length === 0) return ok(names.map((n) => `node/${n} condition met\n`).join(''));
        if (Date.now() >= deadline) return { stdout: '', stderr: notReady.map((n) => `error: timed out waiting for the condition on nodes/${n}\n`).join(''), code: 1 };
        await sleep(100);
      }
    }
    default:
      return fail(`the simulated kubectl does not implement '${verb ?? ''}' (apply, get, label, annotate, cordon, uncordon, drain, delete, wait)`);
  }
}
