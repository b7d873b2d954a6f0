import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_HELP } from './cli/help.js';

// The manifest `npm run build` writes from the command classes: what oclif shows in --help.
const manifest = JSON.parse(readFileSync(new URL('../oclif.manifest.json', import.meta.url), 'utf8')) as {
  commands: Record<string, { summary?: string; description?: string; examples?: string[] }>;
};

describe('the help table', () => {
  it('has one entry per command, and each command shows its own', () => {
    const ids = Object.keys(manifest.commands).map((id) => id.split(':').join(' '));
    expect(Object.keys(COMMAND_HELP).sort()).toEqual(ids.sort());
    for (const [id, cmd] of Object.entries(manifest.commands)) {
      const h = COMMAND_HELP[id.split(':').join(' ') as keyof typeof COMMAND_HELP];
      expect({ id, summary: cmd.summary, description: cmd.description, examples: cmd.examples }).toEqual({ id, ...h });
    }
  });
});
