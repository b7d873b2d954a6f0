import { readFileSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { parsePriceFile } from '@cloud-barista/core/catalog/price-file';
import { parsePlace } from '@cloud-barista/core/recommend/geo';
import { UsageError } from '@cloud-barista/core/errors';
import type { Connection } from '@cloud-barista/core';
import { PROVIDERS } from '@cloud-barista/core/domain';
import { BaseCommand } from '../../base-command.js';
import { connectionTable } from './list.js';
import { help } from '../../help.js';

function readPrices(file: string): Record<string, number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --price-file '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parsePriceFile(text, file);
}

export default class ConnectionAdd extends BaseCommand<typeof ConnectionAdd> {
  static override args = { name: Args.string({ required: true, description: 'Connection name (lower-case, e.g. aws-seoul).' }) };
  static override flags = {
    provider: Flags.option({ options: PROVIDERS, required: true, summary: 'Cloud driver.' })(),
    region: Flags.string({ required: true, summary: 'Region, e.g. ap-northeast-2.' }),
    zone: Flags.string({ summary: 'Zone, e.g. ap-northeast-2a (default: the first available).' }),
    credential: Flags.string({ summary: "Stored credential name; omit to use the provider's standard chain." }),
    endpoint: Flags.string({ summary: 'API endpoint override (Cloud-Twin or a private cloud); for docker the DOCKER_HOST value (unix://, tcp://, ssh://).' }),
    context: Flags.string({ summary: 'Docker context naming the Docker host (docker context ls); docker only. Default: DOCKER_HOST, then the current context.' }),
    'ssh-port': Flags.integer({ summary: "TCP port of the VMs' SSH servers.", default: 22 }),
    'ca-file': Flags.string({ summary: 'PEM CA file to trust for the endpoint (Cloud-Twin HTTPS, a private cloud).' }),
    'auth-endpoint': Flags.string({ summary: 'Identity endpoint override (Azure authority host).' }),
    project: Flags.string({ summary: "GCP project id (default: the service account's project).", env: 'GOOGLE_CLOUD_PROJECT' }),
    subscription: Flags.string({ summary: 'Azure subscription id.', env: 'AZURE_SUBSCRIPTION_ID' }),
    'resource-group': Flags.string({ summary: 'Azure resource group for default resources (default cb-<connection>).' }),
    location: Flags.string({ summary: "Where the region is, for a cloud whose regions have no fixed place (OpenStack): 'LAT,LON' or a city; used by recommend's location and latency priorities." }),
    'price-file': Flags.string({ summary: 'Prices the cloud does not publish (OpenStack, Cloudit): CSV "spec,usd_per_hour" or YAML "spec: usd_per_hour".' }),
    label: Flags.string({ multiple: true, summary: 'Label KEY=VALUE (repeatable).' }),
    replace: Flags.boolean({ summary: 'Overwrite a connection of the same name.' }),
  };

  protected async execute(): Promise<Connection> {
    const { connections } = await this.core();
    const labels = Object.fromEntries((this.flags.label ?? []).map((l) => [l.split('=')[0]!, l.split('=').slice(1).join('=')]));
    const prices = this.flags['price-file'] ? readPrices(this.flags['price-file']) : undefined;
    return connections.add({
      name: this.args.name,
      provider: this.flags.provider,
      region: this.flags.region,
      sshPort: this.flags['ssh-port'],
      labels,
      replace: this.flags.replace,
      ...(this.flags.zone ? { zone: this.flags.zone } : {}),
      ...(this.flags.credential ? { credential: this.flags.credential } : {}),
      ...(this.flags.endpoint ? { endpoint: this.flags.endpoint } : {}),
      ...(this.flags['ca-file'] ? { caFile: this.flags['ca-file'] } : {}),
      ...(this.flags['auth-endpoint'] ? { authEndpoint: this.flags['auth-endpoint'] } : {}),
      ...(this.flags.project && this.flags.provider === 'gcp' ? { project: this.flags.project } : {}),
      ...(this.flags.subscription && this.flags.provider === 'azure' ? { subscription: this.flags.subscription } : {}),
      ...(this.flags['resource-group'] ? { resourceGroup: this.flags['resource-group'] } : {}),
      ...(this.flags.context ? { context: dockerOnly(this.flags.provider, this.flags.context) } : {}),
      ...(prices ? { prices } : {}),
      ...(this.flags.location ? { location: placeOf(this.flags.location) } : {}),
    });
  }

  protected override table(c: Connection): string {
    return connectionTable([c]);
  }
}
help(ConnectionAdd, 'connection add');

/** --context names a Docker context: refused for other providers rather than silently kept. */
function dockerOnly(provider: string, context: string): string {
  if (provider !== 'docker') throw new UsageError(`--context is for --provider docker, not ${provider}`, { hint: 'leave --context out; nothing was changed' });
  return context;
}

/** --location as stored: coordinates, and the city when one was named. */
function placeOf(text: string): { lat: number; lon: number; city?: string } {
  const p = parsePlace(text, '--location');
  return { lat: p.lat, lon: p.lon, ...(/^\s*-?\d/.test(text) ? {} : { city: p.label }) };
}
