/**
 * Images the twin's registry "has": every well-formed reference can be pulled; the official ones the
 * product lists get their real default command and environment, others a shell. Pulling writes
 * Docker's JSON-lines progress (per layer: Pulling fs layer, Downloading, Download complete,
 * Extracting, Pull complete; then Digest and Status).
 */
import { createHash } from 'node:crypto';
import { badParameter } from './errors.js';
import type { DockerImage } from './model.js';

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Defaults of official images, by repository. */
const KNOWN: Record<string, { cmd: string[]; size: number }> = {
  ubuntu: { cmd: ['/bin/bash'], size: 77_863_000 },
  debian: { cmd: ['bash'], size: 116_500_000 },
  alpine: { cmd: ['/bin/sh'], size: 7_800_000 },
  busybox: { cmd: ['sh'], size: 4_260_000 },
};

const REFERENCE = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** `docker.io/library/ubuntu:22.04` → `ubuntu:22.04`; no tag means `latest`. Throws 400 when malformed. */
export function familiarReference(ref: string, tag?: string): string {
  let name = ref.trim();
  let t = tag?.trim() || undefined;
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    t ??= name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  name = name.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
  t ??= 'latest';
  if (!REFERENCE.test(name) || !TAG.test(t)) throw badParameter(`invalid reference format: repository name (${ref}) must be lowercase`);
  return `${name}:${t}`;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** What the registry serves for a familiar reference (same bytes every time: ids are stable). */
export function registryImage(reference: string, now: string): DockerImage {
  const repo = reference.slice(0, reference.lastIndexOf(':'));
  const known = KNOWN[repo.split('/').pop() ?? ''];
  const digest = `sha256:${sha(`manifest ${reference}`)}`;
  return {
    id: `sha256:${sha(`config ${reference}`)}`,
    repoTags: [reference],
    repoDigests: [`${repo}@${digest}`],
    created: now,
    size: known?.size ?? 50_000_000,
    os: 'linux',
    architecture: 'amd64',
    cmd: known?.cmd ?? ['/bin/sh'],
    env: [PATH_ENV],
    layers: [`sha256:${sha(`layer ${reference}`)}`],
  };
}

export type ProgressLine = Record<string, unknown>;

/** The progress lines `POST /images/create` writes, as Docker's daemon writes them. */
export function pullProgress(reference: string, image: DockerImage, alreadyHere: boolean): ProgressLine[] {
  const tag = reference.slice(reference.lastIndexOf(':') + 1);
  const lines: ProgressLine[] = [{ status: `Pulling from ${pathOf(reference)}`, id: tag }];
  if (!alreadyHere) {
    for (const layer of image.layers) {
      const id = layer.slice(7, 19);
      const total = image.size;
      lines.push({ status: 'Pulling fs layer', progressDetail: {}, id });
      for (const part of [0.25, 0.5, 1]) {
        const current = Math.round(total * part);
        lines.push({ status: 'Downloading', progressDetail: { current, total }, progress: bar(current, total), id });
      }
      lines.push({ status: 'Verifying Checksum', progressDetail: {}, id });
      lines.push({ status: 'Download complete', progressDetail: {}, id });
      lines.push({ status: 'Extracting', progressDetail: { current: total, total }, progress: bar(total, total), id });
      lines.push({ status: 'Pull complete', progressDetail: {}, id });
    }
  }
  lines.push({ status: `Digest: ${image.repoDigests[0]?.split('@')[1] ?? ''}` });
  lines.push({ status: `Status: ${alreadyHere ? 'Image is up to date' : 'Downloaded newer image'} for ${reference}` });
  return lines;
}

/** `ubuntu:22.04` → `library/ubuntu` (what the daemon prints in "Pulling from"). */
function pathOf(reference: string): string {
  const repo = reference.slice(0, reference.lastIndexOf(':'));
  return repo.includes('/') ? repo : `library/${repo}`;
}

function bar(current: number, total: number): string {
  const width = 50;
  const done = Math.round((current / total) * width);
  const fmt = (n: number) => `${(n / 1e6).toFixed(1)}MB`;
  return `[${'='.repeat(Math.max(0, done - 1))}${done > 0 ? '>' : ''}${' '.repeat(width - done)}] ${fmt(current)}/${fmt(total)}`;
}
