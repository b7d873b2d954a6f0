/**
 * Alert rules kept in the metrics store and evaluated by the running collector: on every change of
 * a series between OK and firing the alert's action runs once (a local command, or a webhook).
 */
import { spawn } from 'node:child_process';
import { ConflictError, NotFoundError, UsageError } from '@cloud-barista/core/errors';
import type { MetricsStore } from '@cloud-barista/agent/store/metrics-store';
import type { VmRef } from '@cloud-barista/agent/sample';
import { evaluate, parseRule, type Evaluation } from '../rules/rule.js';

export type AlertAction =
  { type: 'exec'; command: string } | { type: 'webhook'; url: string } | { type: 'log' };

export interface AlertDoc {
  name: string;
  rule: string;
  ns: string;
  /** Only this MCIS; null = every MCIS of the namespace. */
  mcis: string | null;
  action: AlertAction;
  createdAt: string;
}

export interface AlertView extends AlertDoc {
  firing: Array<{ series: string; since: string | null; value: number | null }>;
}

/** What an action receives (JSON on stdin or as the webhook body). */
export interface Notification extends VmRef {
  alert: string;
  status: 'firing' | 'resolved';
  rule: string;
  metric: string;
  value: number | null;
  /** Series tags within the VM (mount=/, interface=eth0) or ''. */
  series: string;
  since: string | null;
  at: string;
}

const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function addAlert(
  store: MetricsStore,
  o: {
    name: string;
    rule: string;
    ns: string;
    mcis?: string;
    exec?: string;
    webhook?: string;
    replace?: boolean;
  },
): AlertDoc {
  if (!NAME.test(o.name) || o.name.length > 63) {
    throw new UsageError(`alert name '${o.name}' is not valid`, {
      hint: 'use lower-case letters, digits and inner dashes (e.g. cpu-hot)',
    });
  }
  parseRule(o.rule);
  if (o.exec && o.webhook) throw new UsageError('give --exec or --webhook, not both');
  if (o.webhook) {
    let u: URL;
    try {
      u = new URL(o.webhook);
    } catch {
      throw new UsageError(`--webhook: '${o.webhook}' is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new UsageError('--webhook must be an http or https URL');
  }
  const action: AlertAction = o.exec
    ? { type: 'exec', command: o.exec }
    : o.webhook
      ? { type: 'webhook', url: o.webhook }
      : { type: 'log' };
  const doc: AlertDoc = {
    name: o.name,
    rule: parseRule(o.rule).text,
    ns: o.ns,
    mcis: o.mcis ?? null,
    action,
    createdAt: new Date().toISOString(),
  };
  if (!store.putAlert(o.name, doc, o.replace ?? false)) {
    throw new ConflictError(`alert '${o.name}' already exists`, {
      hint: `pass --replace to change it, or remove it: cbmon alert remove ${o.name}`,
    });
  }
  return doc;
}

export function listAlerts(store: MetricsStore): AlertView[] {
  return store.listAlerts().map(({ name, doc }) => ({
    ...(doc as AlertDoc),
    firing: store
      .alertStates(name)
      .filter((s) => s.firing)
      .map((s) => ({
        series: s.series,
        since: s.since === null ? null : new Date(s.since).toISOString(),
        value: s.value,
      })),
  }));
}

export function removeAlert(store: MetricsStore, name: string): { removed: string } {
  if (!store.deleteAlert(name))
    throw new NotFoundError('alert', name, { hint: 'list them with: cbmon alert list' });
  return { removed: name };
}

function seriesId(e: Evaluation): string {
  return `${e.ref.ns}/${e.ref.mcis}/${e.ref.vm}${e.tags ? ` ${e.tags}` : ''}`;
}

/**
 * Evaluates every alert at `nowMs` and calls `notify` for each series that started or stopped
 * firing; the new states are stored whatever notify does (a failing webhook is not retried forever).
 */
export async function evaluateAlerts(
  store: MetricsStore,
  nowMs: number,
  notify: (n: Notification, action: AlertAction) => Promise<void>,
): Promise<Notification[]> {
  const sent: Notification[] = [];
  for (const { name, doc } of store.listAlerts()) {
    const a = doc as AlertDoc;
    let rule;
    try {
      rule = parseRule(a.rule);
    } catch {
      continue; // a rule from an older cbmon that this one cannot read: leave it alone
    }
    const series = store.readMetric({
      filter: { ns: a.ns, ...(a.mcis ? { mcis: a.mcis } : {}) },
      metric: rule.metric,
      fromMs: nowMs - rule.forMs - 60_000,
      toMs: nowMs,
    });
    const previous = new Map(store.alertStates(name).map((s) => [s.series, s]));
    const seen = new Set<string>();
    const at = new Date(nowMs).toISOString();
    for (const s of series) {
      const e = evaluate(rule, s, { mode: 'now', nowMs });
      const id = seriesId(e);
      seen.add(id);
      const was = previous.get(id)?.firing ?? false;
      store.setAlertState(name, id, e.fired, e.fired ? e.since : null, e.value, nowMs);
      if (e.fired !== was) {
        const n: Notification = {
          alert: name,
          status: e.fired ? 'firing' : 'resolved',
          rule: rule.text,
          metric: rule.metric,
          value: e.value,
          ...e.ref,
          series: e.tags,
          since: e.since === null ? null : new Date(e.since).toISOString(),
          at,
        };
        sent.push(n);
        await notify(n, a.action);
      }
    }
    // A series that vanished (VM deleted, agent removed) is resolved, not left firing forever.
    for (const [id, st] of previous) {
      if (seen.has(id) || !st.firing) continue;
      store.setAlertState(name, id, false, null, st.value, nowMs);
      const [ns = '', mcis = '', vmAndTags = ''] = id.split('/');
      const [vm = '', tags = ''] = vmAndTags.split(' ');
      const n: Notification = {
        alert: name,
        status: 'resolved',
        rule: rule.text,
        metric: rule.metric,
        value: null,
        ns,
        mcis,
        vm,
        subgroup: '',
        csp: '',
        region: '',
        series: tags,
        since: null,
        at,
      };
      sent.push(n);
      await notify(n, a.action);
    }
  }
  return sent;
}

/** Runs an alert's action; resolves with a line for the collector's log. Never throws. */
export async function runAction(action: AlertAction, n: Notification, timeoutMs = 30_000): Promise<string> {
  const what = `alert ${n.alert} ${n.status} on ${n.vm}${n.series ? ` ${n.series}` : ''} (${n.metric}=${n.value ?? '-'})`;
  if (action.type === 'log') return what;
  if (action.type === 'webhook') {
    try {
      const res = await fetch(action.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(n),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return `${what}: webhook ${res.status}`;
    } catch (e) {
      return `${what}: webhook failed: ${(e as Error).message}`;
    }
  }
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', action.command], {
      stdio: ['pipe', 'ignore', 'pipe'],
      env: {
        ...process.env,
        CBMON_ALERT: n.alert,
        CBMON_STATUS: n.status,
        CBMON_RULE: n.rule,
        CBMON_METRIC: n.metric,
        CBMON_VALUE: n.value === null ? '' : String(n.value),
        CBMON_NS: n.ns,
        CBMON_MCIS: n.mcis,
        CBMON_VM: n.vm,
        CBMON_SERIES: n.series,
      },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(n));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(`${what}: exec failed: ${e.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(
        `${what}: exec ${signal ? `killed by ${signal}` : `exit ${code}`}${err.trim() ? `: ${err.trim().slice(0, 200)}` : ''}`,
      );
    });
  });
}
