/**
 * `cbadm init`, the cloud path: provider (those with a driver), region (from the catalog and the
 * region table), a credential (secrets with hidden input), the connection, then `connection test`.
 * Everything goes through the same core services as `credential add` and `connection add`.
 */
import { readFileSync } from 'node:fs';
import type { AddCredentialInput, ConnectionTestResult, Core } from '@cloud-barista/core';
import { REGION_LOCATIONS } from '@cloud-barista/core/data/regions';
import { OperationError } from '@cloud-barista/core/errors';
import { nameIssue } from '@cloud-barista/core/names';
import { choose, pick, secret, text, yesNo, type Choice } from './ask.js';

export interface CloudInitResult {
  path: 'cloud';
  connection: string;
  credential: string;
  test: ConnectionTestResult;
}

const PROVIDER_NAMES: Record<string, string> = { aws: 'AWS (Amazon EC2)', gcp: 'Google Cloud (Compute Engine)', azure: 'Microsoft Azure' };

/** The regions to pick from: the ones the catalog has data for first, then our region table. */
function regionChoices(core: Core, provider: string): Array<Choice<string>> {
  const inCatalog = [...new Set(core.store.listSpecRecords({ provider }).map((s) => s.region))].sort();
  const table = REGION_LOCATIONS[provider];
  const label = (r: string) => {
    const loc = table?.get(r);
    const where = loc ? `  ${loc.display}${loc.display.includes(loc.city) ? '' : ` (${loc.city})`}` : '';
    return `${r}${where}${inCatalog.includes(r) ? '  [catalog]' : ''}`;
  };
  const rest = [...(table?.keys() ?? [])].filter((r) => !inCatalog.includes(r)).sort();
  return [...inCatalog, ...rest].map((r) => ({ value: r, name: label(r) }));
}

const validName = (what: string) => (v: string) => {
  const issue = nameIssue(what, v.trim());
  return issue ? issue.message : true;
};

/** The credential's fields for one provider, asked one by one; secrets hidden. */
async function credentialFields(provider: string): Promise<Omit<AddCredentialInput, 'name' | 'provider' | 'replace'> & { subscription?: string }> {
  if (provider === 'aws') return { kind: 'aws-keys', accessKeyId: await text('AWS access key id:'), secretAccessKey: await secret('AWS secret access key') };
  if (provider === 'gcp') {
    const path = await text('Service-account key file (JSON):', {
      validate: (p) => {
        try {
          JSON.parse(readFileSync(p.trim(), 'utf8'));
          return true;
        } catch (e) {
          return `cannot read a JSON key from it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
        }
      },
    });
    return { kind: 'gcp-service-account', keyJson: readFileSync(path, 'utf8') };
  }
  if (provider === 'azure') {
    return {
      kind: 'azure-client-secret',
      tenantId: await text('Azure tenant id:'),
      clientId: await text('Azure client (application) id:'),
      clientSecret: await secret('Azure client secret'),
      subscription: await text('Azure subscription id:'),
    };
  }
  return { kind: 'default-chain' };
}

export async function initCloud(core: Core, providers: string[], opts: { endpoint?: string }): Promise<CloudInitResult> {
  const provider = await choose('Which cloud?', providers.map((p) => ({ value: p, name: PROVIDER_NAMES[p] ?? p })));
  const regions = regionChoices(core, provider);
  const region = regions.length ? await pick('Region (type to search):', regions) : await text('Region:');
  const name = await text('Name for this connection:', { default: `${provider}-${region}`, validate: validName('connection name') });
  const replace = core.store.getConnection(name) ? await yesNo(`Connection ${name} exists: replace it?`, false) : false;
  if (core.store.getConnection(name) && !replace) throw new OperationError(`Cancelled: connection ${name} is kept as it is.`, { hint: `test it with: cbadm connection test ${name}` });

  let credential = name;
  let subscription: string | undefined;
  const existing = core.store.getCredential(credential);
  if (!existing || (await yesNo(`Credential ${credential} exists: replace it?`, false))) {
    const { subscription: sub, ...fields } = await credentialFields(provider);
    subscription = sub;
    await core.credentials.add({ name: credential, provider, ...fields, replace: Boolean(existing) });
  } else credential = existing.name;

  await core.connections.add({
    name,
    provider,
    region,
    credential,
    replace,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(subscription ? { subscription } : {}),
  });
  process.stderr.write(`Saved credential ${credential} and connection ${name}; testing it (cbadm connection test ${name}) …\n`);
  return { path: 'cloud', connection: name, credential, test: await core.testConnection(name) };
}
