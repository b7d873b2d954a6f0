/**
 * The twin's OpenStack over HTTP: Keystone tokens (password, application credential, expiry,
 * forgery), OpenStack's error bodies, Nova's state machine and microversions, Neutron's floating
 * IP reachability, faults and policies; and the real `openstack` client (python-openstackclient)
 * with an ordinary clouds.yaml listing what was made.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionalTool } from '../../../../test-support/tools.js';
import { admin, startTestTwin, type TestTwin } from '../../test/helpers.js';
import { generateHostKey } from '../ssh/vm-ssh-server.js';

const run = promisify(execFile);
const openstackCli = optionalTool('openstack', 'apt-get install -y python3-openstackclient');

let t: TestTwin;
let token: string;
let catalog: { type: string; endpoints: { region: string; interface: string; url: string }[] }[];

async function issue(body: unknown): Promise<Response> {
  return fetch(`${t.twin.endpoints.openstack}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function passwordAuth(password: string, scoped = true) {
  const o = t.twin.credentials.openstack;
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: o.username, domain: { name: 'Default' }, password } },
      },
      ...(scoped ? { scope: { project: { name: o.projectName, domain: { name: 'Default' } } } } : {}),
    },
  };
}

function url(type: string, region = 'RegionOne'): string {
  return catalog
    .find((c) => c.type === type)!
    .endpoints.find((e) => e.region === region && e.interface === 'public')!.url;
}

/** The members of OpenStack answers these tests read. */
type Member =
  | 'token'
  | 'project'
  | 'name'
  | 'expires_at'
  | 'unauthorized'
  | 'code'
  | 'NeutronError'
  | 'type'
  | 'network'
  | 'id'
  | 'subnet'
  | 'networks'
  | 'port'
  | 'ports'
  | 'router'
  | 'external_gateway_info'
  | 'network_id'
  | 'security_group'
  | 'images'
  | 'server'
  | 'status'
  | 'floatingip'
  | 'floating_ip_address'
  | 'fault'
  | 'message'
  | 'OS-EXT-STS:vm_state'
  | 'OS-EXT-STS:task_state';

/**
 * A JSON answer read loosely for assertions: each member it reads is another such value, typed as
 * a string too so a leaf can be compared or put into a URL without a cast at each use.
 */
type Loose = string & { readonly [K in Member]: Loose };

/** The first element of a list member. */
const first = (list: Loose): Loose => (list as unknown as Loose[])[0]!;

async function call(
  method: string,
  u: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Loose; headers: Headers }> {
  const res = await fetch(u, {
    method,
    headers: { 'x-auth-token': token, 'content-type': 'application/json', ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const json = (
    text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : { text }
  ) as Loose;
  return { status: res.status, json, headers: res.headers };
}

async function waitStatus(id: string, want: string): Promise<Loose> {
  for (let i = 0; i < 100; i++) {
    const r = await call('GET', `${url('compute')}/servers/${id}`);
    if (r.json.server?.status === want) return r.json.server;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`server ${id} never became ${want}`);
}

beforeAll(async () => {
  t = await startTestTwin({ bootDelayMs: 100, stopDelayMs: 50 });
  const res = await issue(passwordAuth(t.twin.credentials.openstack.password));
  expect(res.status).toBe(201);
  token = res.headers.get('x-subject-token')!;
  catalog = ((await res.json()) as { token: { catalog: typeof catalog } }).token.catalog;
});

afterAll(async () => {
  await t?.cleanup();
});

describe('Keystone', () => {
  it('issues project-scoped tokens with a catalog pointing back at the twin, for two regions', async () => {
    expect(token).toMatch(/^gAAAAAB/);
    expect(url('compute')).toBe(`${t.twin.endpoints.aws}/compute/v2.1`);
    expect(url('compute', 'RegionTwo')).toBe(`${t.twin.endpoints.aws}/RegionTwo/compute/v2.1`);
    expect(url('network')).toBe(`${t.twin.endpoints.aws}/network`);
    const v = await call('GET', `${t.twin.endpoints.openstack}/auth/tokens`, undefined, {
      'x-subject-token': token,
    });
    expect(v.status).toBe(200);
    expect(v.json.token.project.name).toBe('cb-twin');
    expect(Date.parse(v.json.token.expires_at)).toBeGreaterThan(Date.now());
  });

  it("accepts the application credential and refuses a wrong password with 401 in Keystone's shape", async () => {
    const o = t.twin.credentials.openstack;
    const ac = await issue({
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: { id: o.applicationCredentialId, secret: o.applicationCredentialSecret },
        },
      },
    });
    expect(ac.status).toBe(201);
    const wrong = await issue(passwordAuth('not-the-password'));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 401, title: 'Unauthorized' } });
  });

  it('verifies the token on every service call: forged, unscoped or expired tokens get 401', async () => {
    const forged = `${token.slice(0, -4)}AAAA`;
    const r = await call('GET', `${url('compute')}/servers`, undefined, { 'x-auth-token': forged });
    expect(r.status).toBe(401);
    expect(r.json.unauthorized.code).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Keystone uri=/);
    const unscoped = (await issue(passwordAuth(t.twin.credentials.openstack.password, false))).headers.get(
      'x-subject-token',
    )!;
    expect(
      (await call('GET', `${url('network')}/v2.0/networks`, undefined, { 'x-auth-token': unscoped })).status,
    ).toBe(401);
    const short = await startTestTwin({ openstackTokenTtlMs: 200 });
    try {
      const o = short.twin.credentials.openstack;
      const res = await fetch(`${short.twin.endpoints.openstack}/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          auth: {
            identity: { methods: ['password'], password: { user: { id: o.userId, password: o.password } } },
            scope: { project: { id: o.projectId } },
          },
        }),
      });
      const tok = res.headers.get('x-subject-token')!;
      const flavors = `${short.twin.endpoints.aws}/compute/v2.1/flavors`;
      expect((await fetch(flavors, { headers: { 'x-auth-token': tok } })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 250));
      expect((await fetch(flavors, { headers: { 'x-auth-token': tok } })).status).toBe(401);
    } finally {
      await short.cleanup();
    }
  });
});

describe('Nova, Neutron, Glance', () => {
  let netId: string;
  let subnetId: string;
  let serverId: string;
  const key = generateHostKey();

  it("answers errors in each service's shape, with a request id", async () => {
    const nova = await call('GET', `${url('compute')}/servers/00000000-0000-0000-0000-000000000000`);
    expect(nova.status).toBe(404);
    expect(nova.json).toEqual({
      itemNotFound: {
        code: 404,
        message: 'Instance 00000000-0000-0000-0000-000000000000 could not be found.',
      },
    });
    expect(nova.headers.get('x-openstack-request-id')).toMatch(/^req-/);
    const neutron = await call('GET', `${url('network')}/v2.0/networks/nope`);
    expect(neutron.json.NeutronError.type).toBe('NetworkNotFound');
    const tooNew = await call('GET', `${url('compute')}/flavors`, undefined, {
      'openstack-api-version': 'compute 2.999',
    });
    expect(tooNew.status).toBe(406);
  });

  it('builds the network pieces and refuses a floating IP the subnet cannot reach', async () => {
    netId = (await call('POST', `${url('network')}/v2.0/networks`, { network: { name: 'n1' } })).json.network
      .id;
    subnetId = (
      await call('POST', `${url('network')}/v2.0/subnets`, {
        subnet: { network_id: netId, cidr: '10.1.0.0/24', ip_version: 4 },
      })
    ).json.subnet.id;
    const pub = first(
      (await call('GET', `${url('network')}/v2.0/networks?router:external=true`)).json.networks,
    );
    expect(pub.name).toBe('public');
    const port: Loose = (await call('POST', `${url('network')}/v2.0/ports`, { port: { network_id: netId } }))
      .json.port;
    const unreachable = await call('POST', `${url('network')}/v2.0/floatingips`, {
      floatingip: { floating_network_id: pub.id, port_id: port.id },
    });
    expect(unreachable.status).toBe(404);
    expect(unreachable.json.NeutronError.type).toBe('ExternalGatewayForFloatingIPNotFound');
    expect((await call('DELETE', `${url('network')}/v2.0/ports/${port.id}`)).status).toBe(204);
    const router = (
      await call('POST', `${url('network')}/v2.0/routers`, {
        router: { name: 'r1', external_gateway_info: { network_id: pub.id } },
      })
    ).json.router;
    expect(router.external_gateway_info.network_id).toBe(pub.id);
    expect(
      (
        await call('PUT', `${url('network')}/v2.0/routers/${router.id}/add_router_interface`, {
          subnet_id: subnetId,
        })
      ).status,
    ).toBe(200);
    const sg = (
      await call('POST', `${url('network')}/v2.0/security-groups`, { security_group: { name: 'ssh' } })
    ).json.security_group;
    const rule = {
      security_group_rule: {
        security_group_id: sg.id,
        direction: 'ingress',
        protocol: 'tcp',
        port_range_min: 22,
        port_range_max: 22,
        remote_ip_prefix: '0.0.0.0/0',
      },
    };
    expect((await call('POST', `${url('network')}/v2.0/security-group-rules`, rule)).status).toBe(201);
    const dup = await call('POST', `${url('network')}/v2.0/security-group-rules`, rule);
    expect([dup.status, dup.json.NeutronError.type]).toEqual([409, 'SecurityGroupRuleExists']);
    // Neutron has no port 0 for TCP/UDP (all ports is a rule without a range).
    const zero = await call('POST', `${url('network')}/v2.0/security-group-rules`, { security_group_rule: { ...rule.security_group_rule, port_range_min: 0, port_range_max: 65535 } });
    expect([zero.status, zero.json.NeutronError.type]).toEqual([400, 'SecurityGroupInvalidPortValue']);
  });

  it('runs a server through build, SSH on its floating IP, stop, start and delete; Nova refuses a second start', async () => {
    expect(
      (
        await call(
          'POST',
          `${url('compute')}/os-keypairs`,
          { keypair: { name: 'k1', public_key: key.publicKey } },
          { 'openstack-api-version': 'compute 2.10' },
        )
      ).status,
    ).toBe(201);
    const image = first(
      (await call('GET', `${url('image')}/v2/images?os_distro=ubuntu&os_version=22.04`)).json.images,
    );
    expect(image.name).toMatch(/ubuntu-22\.04/);
    const mv = { 'openstack-api-version': 'compute 2.79' };
    const made = await call(
      'POST',
      `${url('compute')}/servers`,
      {
        server: {
          name: 'vm1',
          imageRef: image.id,
          flavorRef: '2',
          key_name: 'k1',
          networks: [{ uuid: netId }],
          security_groups: [{ name: 'ssh' }],
          metadata: { 'cb-client-token': 'tok-1' },
          tags: ['cb-managed'],
          user_data: Buffer.from('#!/bin/sh\n').toString('base64'),
        },
      },
      mv,
    );
    expect(made.status).toBe(202);
    expect(made.headers.get('openstack-api-version')).toBe('compute 2.79');
    serverId = made.json.server.id;
    const building = (await call('GET', `${url('compute')}/servers/${serverId}`, undefined, mv)).json.server;
    expect([building.status, building['OS-EXT-STS:vm_state'], building['OS-EXT-STS:task_state']]).toEqual([
      'BUILD',
      'building',
      'spawning',
    ]);
    await waitStatus(serverId, 'ACTIVE');
    const port: Loose = first(
      (await call('GET', `${url('network')}/v2.0/ports?device_id=${serverId}`)).json.ports,
    );
    const pub = first((await call('GET', `${url('network')}/v2.0/networks?name=public`)).json.networks);
    const fip: Loose = (
      await call('POST', `${url('network')}/v2.0/floatingips`, {
        floatingip: { floating_network_id: pub.id, port_id: port.id },
      })
    ).json.floatingip;
    expect(fip.status).toBe('ACTIVE');
    const vm = t.twin.instances().find((i) => i.instanceId === serverId)!;
    expect([vm.provider, vm.publicIp, vm.sshUser]).toEqual(['openstack', fip.floating_ip_address, 'ubuntu']);
    expect(
      (await call('POST', `${url('compute')}/servers/${serverId}/action`, { 'os-stop': null })).status,
    ).toBe(202);
    await waitStatus(serverId, 'SHUTOFF');
    expect(
      (await call('POST', `${url('compute')}/servers/${serverId}/action`, { 'os-start': null })).status,
    ).toBe(202);
    const again = await call('POST', `${url('compute')}/servers/${serverId}/action`, { 'os-start': null });
    expect([again.status, Object.keys(again.json)]).toEqual([409, ['conflictingRequest']]);
    await waitStatus(serverId, 'ACTIVE');
    expect(t.twin.instances().find((i) => i.instanceId === serverId)?.publicIp).toBe(fip.floating_ip_address);
  });

  it('shows what was made to the real openstack client through an ordinary clouds.yaml', async () => {
    if (!openstackCli) return;
    const o = t.twin.credentials.openstack;
    const file = join(t.stateDir, 'clouds.yaml');
    writeFileSync(
      file,
      `clouds:\n  twin:\n    auth:\n      auth_url: ${t.twin.endpoints.openstack}\n      username: ${o.username}\n      password: ${o.password}\n      project_name: ${o.projectName}\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n`,
      { mode: 0o600 },
    );
    const os = async (...args: string[]) =>
      JSON.parse(
        (
          await run(openstackCli, ['--os-cloud', 'twin', ...args, '-f', 'json'], {
            env: { ...process.env, OS_CLIENT_CONFIG_FILE: file },
          })
        ).stdout,
      ) as Record<string, string>[];
    expect((await os('server', 'list')).map((s) => [s.Name, s.Status, s.Flavor])).toEqual([
      ['vm1', 'ACTIVE', 'm1.small'],
    ]);
    expect((await os('network', 'list')).map((n) => n.Name).sort()).toEqual(['n1', 'public']);
    expect((await os('flavor', 'list')).map((f) => f.Name)).toContain('m1.small');
    expect((await os('image', 'list')).map((i) => i.Name)).toContain('debian-12-genericcloud-amd64');
    // A group given to the server's port (Neutron) is the server's group (Nova), with its rules.
    const web = (await call('POST', `${url('network')}/v2.0/security-groups`, { security_group: { name: 'web' } })).json.security_group;
    const allUdp = { security_group_id: web.id, direction: 'ingress', protocol: 'udp', remote_ip_prefix: '10.0.0.0/8' };
    for (const r of [{ security_group_id: web.id, direction: 'ingress', protocol: 'tcp', port_range_min: 8080, port_range_max: 8090, remote_ip_prefix: '192.0.2.0/24' }, allUdp]) {
      expect((await call('POST', `${url('network')}/v2.0/security-group-rules`, { security_group_rule: r })).status).toBe(201);
    }
    const port: Loose = first((await call('GET', `${url('network')}/v2.0/ports?device_id=${serverId}`)).json.ports);
    expect((await call('PUT', `${url('network')}/v2.0/ports/${port.id}`, { port: { security_groups: [web.id] } })).status).toBe(200);
    const shown = JSON.parse((await run(openstackCli, ['--os-cloud', 'twin', 'server', 'show', 'vm1', '-f', 'json'], { env: { ...process.env, OS_CLIENT_CONFIG_FILE: file } })).stdout) as { security_groups: { name: string }[] };
    expect(shown.security_groups).toEqual([{ name: 'web' }]);
    const rules = await os('security', 'group', 'rule', 'list', 'web', '--ingress');
    expect(rules.map((r) => [r['IP Protocol'], r['Port Range'], r['IP Range'], r.Ethertype])).toEqual([
      ['tcp', '8080:8090', '192.0.2.0/24', 'IPv4'],
      ['udp', '', '10.0.0.0/8', 'IPv4'],
    ]);
    // Zones as the client gathers them: Nova's detail (its hosts), then Neutron's by extension name.
    const zones = await os('availability', 'zone', 'list', '--long');
    expect(zones.map((z) => [z['Zone Name'], z['Zone Status'], z['Zone Resource'] ?? '', z['Host Name'] ?? '', z['Service Name'] ?? ''])).toEqual([
      ['nova', 'available', '', 'twin-compute-nova', 'nova-compute'],
      ['nova', 'available', 'network', '', ''],
      ['nova', 'available', 'router', '', ''],
    ]);
  }, 60_000);

  it('keeps servers, ports and floating IPs across a restart, with SSH back on the floating IP', async () => {
    const before = t.twin.instances().find((i) => i.instanceId === serverId)!;
    await t.twin.close();
    t = await startTestTwin({ stateDir: t.stateDir, sshPort: before.sshPort, bootDelayMs: 100, stopDelayMs: 50 });
    const res = await issue(passwordAuth(t.twin.credentials.openstack.password));
    token = res.headers.get('x-subject-token')!;
    catalog = ((await res.json()) as { token: { catalog: typeof catalog } }).token.catalog;
    const server = await waitStatus(serverId, 'ACTIVE');
    expect(server.name).toBe('vm1');
    const after = t.twin.instances().find((i) => i.instanceId === serverId)!;
    expect(after.publicIp).toBe(before.publicIp);
    const banner = await new Promise<string>((resolve, reject) => {
      const attempt = (n: number) => {
        const sock = connect(after.sshPort, after.publicIp);
        sock.once('data', (d: Buffer) => {
          resolve(d.toString());
          sock.destroy();
        });
        sock.once('error', (e) => (n > 0 ? setTimeout(() => attempt(n - 1), 100) : reject(e)));
      };
      attempt(30);
    });
    expect(banner).toMatch(/^SSH-2\.0-/);
  });

  it('injects faults (NoValidHost ends the build in ERROR) and denies policies', async () => {
    const image = first((await call('GET', `${url('image')}/v2/images?os_distro=debian`)).json.images);
    await admin(t.twin, '/faults', {
      method: 'PUT',
      body: JSON.stringify(['openstack:servers.create:NoValidHost:1#1']),
    });
    const made = await call('POST', `${url('compute')}/servers`, {
      server: { name: 'vm2', imageRef: image.id, flavorRef: '1', networks: [{ uuid: netId }] },
    });
    expect(made.status).toBe(202);
    const failed = (await call('GET', `${url('compute')}/servers/${made.json.server.id}`)).json.server;
    expect([failed.status, failed.fault.message]).toEqual(['ERROR', expect.stringMatching(/No valid host/)]);
    expect((await call('DELETE', `${url('compute')}/servers/${made.json.server.id}`)).status).toBe(204);
    await admin(t.twin, '/iam', {
      method: 'PUT',
      body: JSON.stringify({ deny: ['create_floatingip', 'os_compute_api:servers:delete'] }),
    });
    const denied = await call('DELETE', `${url('compute')}/servers/${serverId}`);
    expect(denied.json).toEqual({
      forbidden: {
        code: 403,
        message: "Policy doesn't allow os_compute_api:servers:delete to be performed.",
      },
    });
    await admin(t.twin, '/iam', { method: 'PUT', body: JSON.stringify({ deny: [] }) });
    expect((await call('DELETE', `${url('compute')}/servers/${serverId}`)).status).toBe(204);
    expect(t.twin.status().endpoints.openstack).toBe(t.twin.endpoints.openstack);
  });
});
