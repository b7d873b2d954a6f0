/** The check both CLIs make of their help table (cli-kit/help.ts) against the manifest the build writes. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

type Help = { summary: string; description?: string; examples?: string[] };

/** One entry per command, keyed as it is typed, and each command shows its own entry in --help. */
export function expectHelpTable(manifestUrl: URL, table: Readonly<Record<string, Help>>): void {
  const { commands } = JSON.parse(readFileSync(manifestUrl, 'utf8')) as { commands: Record<string, Help> };
  const typed = (id: string) => id.split(':').join(' ');
  expect(Object.keys(table).sort()).toEqual(Object.keys(commands).map(typed).sort());
  for (const [id, cmd] of Object.entries(commands)) {
    expect({ id, summary: cmd.summary, description: cmd.description, examples: cmd.examples }).toEqual({ id, ...table[typed(id)] });
  }
}
