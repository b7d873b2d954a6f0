import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionalTool } from '../../../../test-support/tools.js';
import type { LoadBalancerSpec } from '../model.js';
import { haproxyConfig, installScript, parseShowStat, ROOT_LAUNCHER, statsScript } from './haproxy.js';

const hasShellcheck = optionalTool('shellcheck', 'apt-get install -y shellcheck') !== undefined;
const haproxy = optionalTool('haproxy', 'apt-get install -y haproxy');

const LB: LoadBalancerSpec = { name: 'web', port: 80, targetPort: 8080, targets: ['subgroup:seoul', 'subgroup:tokyo'], healthCheck: { path: '/healthz', interval: '5s' }, algorithm: 'leastconn', connection: 'aws', spec: 't3.micro' };
const SERVERS = [
  { name: 'tokyo-1', address: '127.2.0.9' },
  { name: 'seoul-1', address: '127.1.0.5' },
];

describe('HAProxy configuration', () => {
  it('has one checked server per target, the algorithm, the HTTP check and the stats socket', () => {
    const cfg = haproxyConfig(LB, SERVERS);
    expect(cfg).toContain('  stats socket /var/lib/cb-nlb/web/stats.sock mode 600 level admin expose-fd listeners');
    // A connect to a dead backend is retried on another one; the connect timeout is short.
    expect(cfg).toContain('  mode tcp\n  retries 3\n  option redispatch 1\n  timeout connect 1s\n');
    expect(haproxyConfig({ ...LB, healthCheck: { timeout: '300ms' } }, SERVERS)).toContain('  timeout connect 300ms\n');
    expect(cfg).toContain('frontend web\n  bind :80\n  default_backend web');
    expect(cfg).toContain('  balance leastconn\n  option httpchk GET /healthz\n  server seoul-1 127.1.0.5:8080 check inter 5s fall 2 rise 2\n  server tokyo-1 127.2.0.9:8080 check inter 5s fall 2 rise 2\n');
    // Order-independent, so an unchanged set of targets is not reloaded.
    expect(haproxyConfig(LB, [...SERVERS].reverse())).toBe(cfg);
    const tcp = haproxyConfig({ ...LB, healthCheck: undefined, algorithm: undefined }, SERVERS);
    expect(tcp).toContain('  balance roundrobin\n  server');
    expect(tcp).not.toContain('httpchk');
  });

  it.skipIf(!haproxy)('is accepted by haproxy -c, with and without targets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-nlb-'));
    try {
      for (const [i, servers] of [SERVERS, []].entries()) {
        writeFileSync(join(dir, `${i}.cfg`), haproxyConfig(LB, servers));
        const r = spawnSync(haproxy!, ['-c', '-f', join(dir, `${i}.cfg`)], { encoding: 'utf8' });
        expect(r.status, r.stderr + r.stdout).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasShellcheck)('scripts pass shellcheck as cbadm sends them', () => {
    for (const text of [installScript('web', haproxyConfig(LB, SERVERS)), statsScript('web'), ROOT_LAUNCHER]) {
      const r = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: `#!/bin/sh\n${text}\n`, encoding: 'utf8' });
      expect(r.stdout).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('parses show stat into the backend servers by column name', () => {
    const csv = [
      '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,addr,check_desc',
      'web,FRONTEND,,,0,1,4096,12,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,1,,,,,,',
      'web,seoul-1,0,0,0,1,,7,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,40,0,,1,3,1,,7,,2,0,,1,L7OK,200,1,0,127.1.0.5:8080,Layer7 check passed',
      'web,tokyo-1,0,0,0,1,,5,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,3,3,,1,3,2,,5,,2,0,,1,L4CON,,0,0,127.2.0.9:8080,Layer4 connection problem',
      'web,BACKEND,0,0,0,1,410,12,0,0,0,0,,0,0,0,0,UP,1,1,0,,0,40,0,,1,3,0,,12,,1,0,,1,,,,0,,',
    ].join('\n');
    expect(parseShowStat(csv, 'web')).toEqual([
      { server: 'seoul-1', address: '127.1.0.5:8080', status: 'UP', check: 'L7OK Layer7 check passed', since: 40, sessions: 7 },
      { server: 'tokyo-1', address: '127.2.0.9:8080', status: 'DOWN', check: 'L4CON Layer4 connection problem', since: 3, sessions: 5 },
    ]);
    expect(parseShowStat(csv, 'other')).toEqual([]);
  });

  it('runs as root, and refuses a Cloud-Twin VM without isolation (its ports would be the host\'s)', () => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const twin = spawnSync('sh', ['-c', ROOT_LAUNCHER], { input: 'echo ran', encoding: 'utf8', env: { ...env, CB_TWIN_INSTANCE_ID: 'i-1' } });
    expect(twin.status).toBe(97);
    expect(twin.stderr).toMatch(/isolated Cloud-Twin.*--isolation on/);
    if (process.getuid?.() !== 0) return; // the sudo branch needs a sudoer
    expect(spawnSync('sh', ['-c', ROOT_LAUNCHER], { input: 'id -u', encoding: 'utf8', env: { ...env, CB_TWIN_INSTANCE_ID: 'i-1', CB_TWIN_ISOLATED: '1' } }).stdout.trim()).toBe('0');
    expect(spawnSync('sh', ['-c', ROOT_LAUNCHER], { input: 'id -u', encoding: 'utf8', env }).stdout.trim()).toBe('0');
  });

  it('refuses a configuration that would end its here-document early', () => {
    expect(() => installScript('web', 'x\nCB_NLB_EOF\ny')).toThrow(/here-document/);
  });
});
