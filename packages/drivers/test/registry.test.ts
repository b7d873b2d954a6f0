/**
 * The registry must not load any cloud SDK until asked: spawn Node on the built package with a
 * resolve hook that refuses the cloud SDKs, list providers (fine), then load each (refused = lazy).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Provider, UsageError } from '@cloud-barista/core';
import { driverRegistry } from '../src/index.js';

const dist = new URL('../dist/index.js', import.meta.url);

const HOOK = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@aws-sdk/') || specifier.startsWith('@azure/') || specifier.startsWith('@google-cloud/')) throw new Error('refused ' + specifier);
  return next(specifier, context);
}`;

const SCRIPT = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}));
const { driverRegistry } = await import(${JSON.stringify(dist.href)});
console.log(JSON.stringify(driverRegistry.providers()));
for (const p of ['aws', 'gcp', 'azure']) {
  try { await driverRegistry.load(p); console.log('loaded'); } catch (e) { console.log(e.message); }
}
`;

// Refuses the core barrel and the services behind it: a driver needs only the port, model and errors.
const CORE_HOOK = `export async function resolve(specifier, context, next) {
  if (specifier === '@cloud-barista/core') throw new Error('refused the core barrel from ' + context.parentURL);
  const r = await next(specifier, context);
  if (/\\/core\\/dist\\/(orchestrator|store|catalog|recommend|k8s)\\//.test(r.url)) throw new Error('refused ' + r.url);
  return r;
}`;

const CORE_SCRIPT = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(CORE_HOOK)}));
const { driverRegistry } = await import(${JSON.stringify(dist.href)});
for (const p of ['aws', 'gcp', 'azure']) {
  try { await driverRegistry.load(p); console.log('loaded'); } catch (e) { console.log(e.message); }
}
`;

describe('driver registry', () => {
  it('lists aws, gcp and azure and loads their factories', async () => {
    expect(driverRegistry.providers()).toEqual(expect.arrayContaining(['aws', 'gcp', 'azure']));
    expect(typeof (await driverRegistry.load('aws'))).toBe('function');
    expect(typeof (await driverRegistry.load('gcp'))).toBe('function');
    expect(typeof (await driverRegistry.load('azure'))).toBe('function');
  });

  it('an unknown provider is a UsageError listing the available ones', async () => {
    const err = await driverRegistry.load('no-such-cloud' as Provider).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).hint).toContain('aws');
  });

  it('importing the registry loads no SDK; load() does', () => {
    expect(existsSync(dist), 'build the package first: npx tsc -b').toBe(true);
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8' });
    const [providers, ...loads] = out.trim().split('\n');
    expect(JSON.parse(providers ?? '[]')).toEqual(expect.arrayContaining(['aws', 'gcp', 'azure']));
    expect(loads).toEqual(['refused @aws-sdk/client-ec2', expect.stringMatching(/^refused @google-cloud\//), expect.stringMatching(/^refused @azure\//)]);
  });

  it('loading a driver loads no core service: drivers import core subpaths, not the barrel', () => {
    expect(existsSync(dist), 'build the package first: npx tsc -b').toBe(true);
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', CORE_SCRIPT], { encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual(['loaded', 'loaded', 'loaded']);
  });
});
