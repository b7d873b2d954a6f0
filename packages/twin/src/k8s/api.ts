/**
 * The minimal Kubernetes API of one simulated cluster, served over HTTPS on the control-plane
 * endpoint with the cluster's own certificates, so the real kubectl works with the kubeconfig kubeadm
 * wrote: /version, discovery (/api, /apis, /api/v1), nodes list/get/patch/delete, with the Table
 * output `kubectl get nodes -o wide` asks for. Clients must present a certificate the cluster CA signed.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { HttpError, readJson } from '../http/io.js';
import type { SimCluster } from './model.js';
import { nodeList, nodeObject, nodeTable, status, type NodeView } from './objects.js';

export interface ApiHooks {
  views(): NodeView[];
  deleteNode(name: string): boolean;
  patchNode(name: string, patch: { labels?: Record<string, string | null>; annotations?: Record<string, string | null>; unschedulable?: boolean }): boolean;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const NODE_RESOURCE = {
  name: 'nodes',
  singularName: 'node',
  namespaced: false,
  kind: 'Node',
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  shortNames: ['no'],
};

export function serveApi(c: SimCluster, hooks: ApiHooks, tls: { certPem: string; keyPem: string } = { certPem: c.pki.serverCertPem, keyPem: c.pki.serverKeyPem }): Server {
  const [major, minor] = c.version.split('.');
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!(req.socket as TLSSocket).authorized) {
      send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const url = new URL(req.url ?? '/', 'https://sim');
    const path = url.pathname.replace(/\/+$/, '');
    const table = (req.headers.accept ?? '').includes('as=Table');
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/version') {
      send(res, 200, { major, minor, gitVersion: `v${c.version}`, gitCommit: 'cloud-twin', gitTreeState: 'clean', buildDate: new Date(c.createdAt).toISOString(), goVersion: 'go1.22', compiler: 'gc', platform: 'linux/amd64' });
      return;
    }
    if (method === 'GET' && path === '/api') {
      send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: c.endpoint }] });
      return;
    }
    if (method === 'GET' && path === '/apis') {
      send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
      return;
    }
    if (method === 'GET' && path === '/api/v1') {
      send(res, 200, { kind: 'APIResourceList', groupVersion: 'v1', resources: [NODE_RESOURCE] });
      return;
    }
    const one = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path);
    if (path === '/api/v1/nodes' && method === 'GET') {
      const byName = /^metadata\.name=(.+)$/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
      const views = hooks.views().filter((v) => byName === undefined || v.node.name === byName);
      if (url.searchParams.get('watch') === 'true') {
        // No changes are ever streamed; the client re-lists when the watch ends.
        res.writeHead(200, { 'content-type': 'application/json' });
        setTimeout(() => res.end(), 1000);
        return;
      }
      send(res, 200, table ? nodeTable(c, views) : nodeList(views.map((v) => nodeObject(c, v))));
      return;
    }
    if (one) {
      const name = decodeURIComponent(one[1]!);
      const view = hooks.views().find((v) => v.node.name === name);
      const notFound = () => send(res, 404, status(404, 'NotFound', `nodes "${name}" not found`, { name, kind: 'nodes' }));
      if (!view) return notFound();
      if (method === 'GET') return send(res, 200, table ? nodeTable(c, [view]) : nodeObject(c, view));
      if (method === 'DELETE') {
        hooks.deleteNode(name);
        return send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'nodes', uid: view.node.uid } });
      }
      if (method === 'PATCH') {
        const body = (await readJson(req)) as { metadata?: { labels?: Record<string, string | null>; annotations?: Record<string, string | null> }; spec?: { unschedulable?: boolean } };
        hooks.patchNode(name, {
          ...(body.metadata?.labels ? { labels: body.metadata.labels } : {}),
          ...(body.metadata?.annotations ? { annotations: body.metadata.annotations } : {}),
          ...(body.spec?.unschedulable !== undefined ? { unschedulable: body.spec.unschedulable } : {}),
        });
        const after = hooks.views().find((v) => v.node.name === name);
        return after ? send(res, 200, nodeObject(c, after)) : notFound();
      }
    }
    send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
  };
  const server = createServer(
    { key: tls.keyPem, cert: tls.certPem, ca: c.pki.caPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      handle(req, res).catch((e: unknown) => {
        const code = e instanceof HttpError ? e.status : 500;
        if (!res.headersSent) send(res, code, status(code, code === 500 ? 'InternalError' : 'BadRequest', e instanceof Error ? e.message : String(e)));
        else res.destroy();
      });
    },
  );
  return server;
}
