import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNodeRuntimeBin } from './shims.js';

const stateDir = mkdtempSync(join(tmpdir(), 'cb-shims-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('node runtime commands', () => {
  // An isolated VM sees the host's /tmp, /home and /root only where the twin keeps them (the node
  // runtime directory): a command that ran a file from the twin's install dir failed there.
  it('run nothing from outside the node runtime directory but node itself', () => {
    const bin = writeNodeRuntimeBin(stateDir);
    const runtime = join(stateDir, 'node-runtime');
    for (const name of readdirSync(bin)) {
      const text = readFileSync(join(bin, name), 'utf8');
      for (const [, file] of text.matchAll(/exec "[^"]*" "([^"]+\.m?js)"/g)) {
        expect(file!.startsWith(`${runtime}/`), `${name} runs ${file}`).toBe(true);
        expect(readFileSync(file!, 'utf8')).toContain('/_twin/k8s/');
      }
    }
    expect(readFileSync(join(bin, 'curl'), 'utf8')).toContain(join(runtime, 'lib', 'shim-main.mjs'));
  });
});
