/**
 * Replays recorded ECS answers to the real SDK: a loopback HTTP server that answers each action
 * (the SDK's `x-acs-action` header) with a queued reply, rendering Libcloud's XML samples as the
 * JSON ECS sends for the same document.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudDriver } from '@cloud-barista/core';
import { buildAlibabaDriver } from '../src/alibaba/index.js';
import { ReplySequences } from './replies.js';

/** Elements that are list items in ECS's JSON even when only one is present. */
const LIST_ITEMS = new Set(['Instance', 'Permission', 'SecurityGroup', 'IpAddress', 'SecurityGroupId', 'Region', 'Zone', 'InstanceType', 'Image', 'ResourceTypes', 'InstanceTypes', 'DiskCategories', 'LockReason', 'Tag', 'DiskDeviceMapping']);

type Json = string | number | boolean | Json[] | { [k: string]: Json };

interface Node {
  name: string;
  children: Node[];
  text: string;
}

function parseXml(xml: string): Node {
  const root: Node = { name: '#root', children: [], text: '' };
  const stack: Node[] = [root];
  const body = xml.replace(/<\?xml[^>]*\?>/, '');
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w.]*)\s*(\/?)>|([^<]+)/g)) {
    const top = stack[stack.length - 1]!;
    if (m[4] !== undefined) {
      top.text += m[4];
    } else if (m[1]) {
      stack.pop();
    } else {
      const node: Node = { name: m[2]!, children: [], text: '' };
      top.children.push(node);
      if (!m[3]) stack.push(node);
    }
  }
  return root.children[0]!;
}

function scalar(text: string): Json {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  return t;
}

function toJson(n: Node): Json {
  if (n.children.length === 0) return scalar(n.text);
  const names = new Set(n.children.map((c) => c.name));
  const only = n.children[0]!.name;
  if (names.size === 1 && (n.children.length > 1 || LIST_ITEMS.has(only))) return { [only]: n.children.map(toJson) };
  // An empty element (`<OperationLocks />`, `<VlanId></VlanId>`): ECS's JSON leaves the field out.
  return Object.fromEntries(n.children.filter((c) => c.children.length > 0 || c.text.trim() !== '').map((c) => [c.name, toJson(c)]));
}

/** A Libcloud ECS sample as ECS's JSON answer. */
export function ecsFixture(file: string): Record<string, Json> {
  return toJson(parseXml(readFileSync(new URL(`./fixtures/ecs/${file}`, import.meta.url), 'utf8'))) as Record<string, Json>;
}

export interface Reply {
  status?: number;
  json: unknown;
}

export interface Replay {
  driver: CloudDriver;
  /** Actions asked, in order. */
  asked: string[];
  close(): Promise<void>;
}

/** A driver whose calls are answered by `replies[action]` (a list: one reply per call, the last repeats). */
export async function replayDriver(replies: Record<string, Reply[]>, zone = 'cn-qingdao-b'): Promise<Replay> {
  const asked: string[] = [];
  const served = new ReplySequences<string>();
  const server: Server = createServer((req, res) => {
    req.resume();
    const action = String(req.headers['x-acs-action'] ?? '');
    asked.push(action);
    const list = replies[action];
    const reply = (list && served.next(action, list)) ?? { status: 404, json: { Code: 'InvalidAction.NotFound', Message: `no recorded answer for ${action}`, RequestId: 'replay' } };
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify(reply.json));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const driver = buildAlibabaDriver(
    {
      connection: { name: 'replay', provider: 'alibaba', region: 'cn-qingdao', zone, endpoint: `http://127.0.0.1:${port}`, sshPort: 22, labels: {}, createdAt: new Date().toISOString() },
      credentials: { kind: 'alibaba-access-key', accessKeyId: 'LTAI5tReplayKeyId0000', accessKeySecret: 'replay-secret-not-real' },
      throttleWaitMs: 5_000,
    },
    { backoff: { minDelayMs: 10, maxDelayMs: 50 } },
  );
  return { driver, asked, close: () => new Promise((r) => server.close(() => r())) };
}
