/**
 * Recorded OpenStack answers (Apache Libcloud's openstack_v1.1 fixtures) through the driver's own
 * fetch client: Nova's server states → common status, flavors → specs, Glance images, error
 * bodies → ProviderError classes; and the Keystone session issuing a new token before expiry.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProviderError, type Connection } from '@cloud-barista/core';
import { buildOpenStackDriver } from '../src/openstack/index.js';
import { classifyOpenStackCode, readBody } from '../src/openstack/errors.js';
import { toVmStatus } from '../src/openstack/states.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/openstack/${name}`, import.meta.url), 'utf8');

const BASE = 'http://os.test';
const conn: Connection = { name: 'replay', provider: 'openstack', region: 'RegionOne', sshPort: 22, labels: {}, createdAt: '2026-01-01T00:00:00Z' };
const cred = { kind: 'openstack-app-credential' as const, authUrl: `${BASE}/identity/v3`, applicationCredentialId: 'ac', applicationCredentialSecret: 's3cret-value' };

/** Keystone's token answer (Identity API v3 reference shape), valid for `ttlMs`. */
function tokenAnswer(ttlMs: number, n: number): Response {
  const now = Date.now();
  const endpoints = (path: string) => [{ id: 'e', interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: `${BASE}${path}` }];
  const body = {
    token: {
      methods: ['application_credential'],
      expires_at: new Date(now + ttlMs).toISOString(),
      issued_at: new Date(now).toISOString(),
      project: { id: 'p1', name: 'demo', domain: { id: 'default', name: 'Default' } },
      catalog: [
        { type: 'compute', name: 'nova', endpoints: endpoints('/compute/v2.1') },
        { type: 'network', name: 'neutron', endpoints: endpoints('/network') },
        { type: 'image', name: 'glance', endpoints: endpoints('/image') },
      ],
    },
  };
  return new Response(JSON.stringify(body), { status: 201, headers: { 'x-subject-token': `tok-${n}`, 'content-type': 'application/json' } });
}

function replay(routes: Record<string, () => Response>, ttlMs = 3_600_000) {
  const seen: { url: string; token: string | null; microversion: string | null }[] = [];
  let issued = 0;
  const fake: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : input.toString();
    const headers = new Headers(init?.headers);
    if (url.endsWith('/identity/v3/auth/tokens')) return tokenAnswer(ttlMs, ++issued);
    seen.push({ url, token: headers.get('x-auth-token'), microversion: headers.get('openstack-api-version') });
    const path = url.slice(BASE.length).replace(/\?.*$/, '');
    const route = routes[path];
    return route ? route() : new Response(JSON.stringify({ itemNotFound: { code: 404, message: `no replay for ${path}` } }), { status: 404 });
  };
  return { fake, seen, issued: () => issued };
}

const json = (text: string, status = 200) => () => new Response(text, { status, headers: { 'content-type': 'application/json' } });

describe('openstack replay', () => {
  it('maps recorded Nova servers (BUILD, ACTIVE, ERROR) to common statuses, addresses and flavors', async () => {
    const r = replay({
      '/compute/v2.1/servers/detail': json(fixture('_servers_detail.json')),
    });
    const driver = buildOpenStackDriver({ connection: conn, credentials: cred }, { fetch: r.fake });
    const vms = await driver.vms.describe(['12065', '12064']);
    expect(vms.map((v) => [v.providerId, v.status, v.nativeState])).toEqual([
      // BUILD with task "spawning", and an ACTIVE one Nova is still spawning: both still being created.
      ['12065', 'Creating', 'BUILD/spawning'],
      ['12064', 'Creating', 'ACTIVE/spawning'],
    ]);
    expect(vms[1]?.publicIp).toBe('50.57.94.30');
    expect(vms[1]?.privateIp).toBe('10.182.64.29');
    // Every call carries the token and Nova's the microversion the driver speaks.
    expect(r.seen.every((c) => c.token === 'tok-1' && c.microversion === 'compute 2.79')).toBe(true);

    const failed = replay({ '/compute/v2.1/servers/detail': json(fixture('_servers_detail_ERROR_STATE.json')) });
    const d2 = buildOpenStackDriver({ connection: conn, credentials: cred }, { fetch: failed.fake });
    const [err] = await d2.vms.describe(['2d05bd68-3fbb-4b47-9f38-c690a5d93e45']);
    expect([err?.status, err?.nativeState]).toEqual(['Failed', 'ERROR']);
  });

  it('maps single-server answers and every documented state pair', () => {
    const server = (f: string) => (JSON.parse(fixture(f)) as { server: Record<string, unknown> }).server;
    expect(toVmStatus({ status: server('_servers_12064.json').status as string })).toBe('Running');
    expect(toVmStatus({ status: server('_servers_26f7fbee_8ce1_4c28_887a_bfe8e4bb10fe.json').status as string })).toBe('Creating');
    const table: [string, string | null, string | null, string][] = [
      ['ACTIVE', 'active', null, 'Running'],
      ['ACTIVE', 'active', 'powering-off', 'Suspending'],
      ['SHUTOFF', 'stopped', null, 'Suspended'],
      ['SHUTOFF', 'stopped', 'powering-on', 'Resuming'],
      ['REBOOT', 'active', 'rebooting', 'Rebooting'],
      ['HARD_REBOOT', 'active', 'rebooting_hard', 'Rebooting'],
      ['PAUSED', 'paused', null, 'Suspended'],
      ['SUSPENDED', 'suspended', null, 'Suspended'],
      ['ACTIVE', 'active', 'deleting', 'Terminating'],
      ['ERROR', 'error', null, 'Failed'],
      ['ERROR', 'error', 'deleting', 'Terminating'],
      ['DELETED', 'deleted', null, 'Terminated'],
      ['BUILD', 'building', 'networking', 'Creating'],
    ];
    for (const [status, vmState, taskState, want] of table) expect(toVmStatus({ status, vmState, taskState }), `${status}/${vmState}/${taskState}`).toBe(want);
  });

  it('lists recorded flavors as specs, unpriced without a price table and priced with one', async () => {
    const r = replay({ '/compute/v2.1/flavors/detail': json(fixture('_flavors_detail.json')) });
    const unpriced = await buildOpenStackDriver({ connection: conn, credentials: cred }, { fetch: r.fake }).catalog.listSpecs();
    expect(unpriced.find((s) => s.name === '2GB slice')).toEqual({ name: '2GB slice', vcpu: 2, memoryGiB: 2, arch: 'x86_64' });
    const driver = buildOpenStackDriver({ connection: { ...conn, prices: { '2GB slice': 0.04 } }, credentials: cred }, { fetch: r.fake });
    expect((await driver.catalog.listSpecs()).find((s) => s.name === '2GB slice')?.pricePerHour).toBe(0.04);
    expect((await driver.catalog.listPrices?.())?.prices).toEqual([{ spec: '2GB slice', pricePerHour: 0.04 }]);
  });

  it('resolves an image by name from recorded Glance answers, newest first', async () => {
    const r = replay({ '/image/v2/images': json(fixture('_images_v2.json')) });
    const img = await buildOpenStackDriver({ connection: conn, credentials: cred }, { fetch: r.fake }).catalog.resolveImage('hypernode');
    expect([img.createdAt, img.sshUser, img.os]).toEqual(['2017-09-11T13:00:05Z', 'ubuntu', expect.stringMatching(/^Ubuntu/)]);
    expect(r.seen[0]?.url).toContain('name=hypernode');
  });

  it('reads each service error body into a classified ProviderError; a missing key pair is "no key pair"', async () => {
    const r = replay({ '/compute/v2.1/os-keypairs/k': json(fixture('_os_keypairs_not_found.json'), 404) });
    const driver = buildOpenStackDriver({ connection: conn, credentials: cred }, { fetch: r.fake });
    expect(await driver.keys.hasKeyPair('k')).toBe(false);
    expect(readBody('network', 409, JSON.stringify({ NeutronError: { type: 'OverQuota', message: 'Quota exceeded', detail: '' } }))).toEqual({ code: 'OverQuota', message: 'Quota exceeded' });
    expect(readBody('compute', 403, JSON.stringify({ forbidden: { code: 403, message: 'Quota exceeded for instances: Requested 1, but already used 10 of 10 instances' } })).code).toBe('QuotaExceeded');
    expect(readBody('image', 404, '404 Not Found\n\nNo image found with ID x\n\n   ')).toEqual({ code: 'HTTP404', message: 'No image found with ID x' });
    expect(classifyOpenStackCode('NoValidHost')).toBe('capacity');
    expect(classifyOpenStackCode('conflictingRequest', 409)).toBe('conflict');
    expect(classifyOpenStackCode('forbidden', 403)).toBe('auth');
    const denied = replay({ '/compute/v2.1/flavors': json(JSON.stringify({ forbidden: { code: 403, message: 'Policy does not allow … s3cret-value' } }), 403) });
    const e = await buildOpenStackDriver({ connection: conn, credentials: cred }, { fetch: denied.fake }).ping().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).errorClass).toBe('auth');
    expect((e as ProviderError).message).not.toContain('s3cret-value');
  });

  it('issues a new token before the current one expires', async () => {
    const r = replay({ '/compute/v2.1/flavors': json(JSON.stringify({ flavors: [] })) }, 400);
    const driver = buildOpenStackDriver({ connection: conn, credentials: cred }, { fetch: r.fake, renewBeforeMs: 150 });
    await driver.ping();
    await driver.ping();
    expect(r.issued()).toBe(1);
    await new Promise((res) => setTimeout(res, 300));
    await driver.ping();
    expect(r.issued()).toBe(2);
    expect(r.seen.map((c) => c.token)).toEqual(['tok-1', 'tok-1', 'tok-2']);
  });
});
