import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { tempDirEachTest } from '../../../../test-support/tmp.js';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, UsageError } from '@cloud-barista/core/errors';
import { MetricsStore } from '@cloud-barista/agent/store/metrics-store';
import type { Sample } from '@cloud-barista/agent/sample';
import { addAlert, evaluateAlerts, listAlerts, removeAlert, runAction, type Notification } from './alerts.js';

let store: MetricsStore;
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

function cpu(vm: string, i: number, v: number): Sample {
  return {
    ref: { ns: 'default', mcis: 'web', vm, subgroup: 'web', csp: 'aws', region: 'r' },
    seq: i + 1,
    tsMs: T0 + i * 1000,
    points: [{ measurement: 'cpu', tags: {}, fields: { cpu_utilization: v } }],
  };
}

const tempDir = tempDirEachTest('cbmon-alerts-', {
  open: (dir) => (store = new MetricsStore(join(dir, 'm.db'))),
  close: () => store.close(),
});

describe('alerts', () => {
  it('adds, lists and removes with clear errors', () => {
    addAlert(store, {
      name: 'cpu-hot',
      rule: 'cpu_utilization > 80 for 5s',
      ns: 'default',
      mcis: 'web',
      exec: 'true',
    });
    expect(() => addAlert(store, { name: 'cpu-hot', rule: 'cpu_utilization > 90', ns: 'default' })).toThrow(
      ConflictError,
    );
    expect(
      addAlert(store, { name: 'cpu-hot', rule: 'cpu_utilization > 90', ns: 'default', replace: true }).action,
    ).toEqual({ type: 'log' });
    expect(() => addAlert(store, { name: 'Bad Name', rule: 'cpu_utilization > 1', ns: 'default' })).toThrow(
      UsageError,
    );
    expect(() => addAlert(store, { name: 'x', rule: 'cpu_utilization >', ns: 'default' })).toThrow(
      UsageError,
    );
    expect(() =>
      addAlert(store, { name: 'x', rule: 'cpu_utilization > 1', ns: 'default', webhook: 'file:///x' }),
    ).toThrow(/http/);
    expect(listAlerts(store).map((a) => a.name)).toEqual(['cpu-hot']);
    expect(removeAlert(store, 'cpu-hot')).toEqual({ removed: 'cpu-hot' });
    expect(() => removeAlert(store, 'cpu-hot')).toThrow(NotFoundError);
  });

  it('notifies once when a series starts firing and once when it resolves', async () => {
    addAlert(store, { name: 'cpu-hot', rule: 'cpu_utilization > 80 for 5s', ns: 'default', mcis: 'web' });
    const sent: Notification[] = [];
    const notify = async (n: Notification) => {
      sent.push(n);
    };
    store.writeSamples([0, 1, 2, 3, 4, 5, 6].map((i) => cpu('web-1', i, 95)));
    store.writeSamples([0, 1, 2, 3, 4, 5, 6].map((i) => cpu('web-2', i, 10)));
    await evaluateAlerts(store, T0 + 6_500, notify);
    expect(sent.map((n) => [n.vm, n.status, n.value])).toEqual([['web-1', 'firing', 95]]);
    expect(listAlerts(store)[0]!.firing).toEqual([
      { series: 'default/web/web-1', since: new Date(T0).toISOString(), value: 95 },
    ]);
    await evaluateAlerts(store, T0 + 6_600, notify);
    expect(sent).toHaveLength(1);
    store.writeSamples([cpu('web-1', 7, 20)]);
    await evaluateAlerts(store, T0 + 7_500, notify);
    expect(sent.map((n) => [n.vm, n.status])).toEqual([
      ['web-1', 'firing'],
      ['web-1', 'resolved'],
    ]);
  });

  it('runs commands with the notification on stdin and in the environment, and webhooks', async () => {
    const n: Notification = {
      alert: 'a',
      status: 'firing',
      rule: 'cpu_utilization > 1',
      metric: 'cpu_utilization',
      value: 2,
      ns: 'default',
      mcis: 'web',
      vm: 'web-1',
      subgroup: 'web',
      csp: 'aws',
      region: 'r',
      series: '',
      since: null,
      at: 'now',
    };
    const out = join(tempDir(), 'out.json');
    const line = await runAction(
      { type: 'exec', command: `cat > ${out}; echo "$CBMON_VM $CBMON_STATUS" >> ${out}.env` },
      n,
    );
    expect(line).toMatch(/exit 0$/);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(n);
    expect(readFileSync(`${out}.env`, 'utf8')).toBe('web-1 firing\n');
    expect(await runAction({ type: 'exec', command: 'echo nope >&2; exit 3' }, n)).toMatch(/exit 3: nope/);

    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (d: Buffer) => (b += d.toString()));
      req.on('end', () => {
        bodies.push(b);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await runAction({ type: 'webhook', url: `http://127.0.0.1:${port}/hook` }, n)).toMatch(
        /webhook 204$/,
      );
      expect(JSON.parse(bodies[0]!)).toEqual(n);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
