/**
 * What `--help` says of each command lives in one table per CLI (cbadm `src/help.ts`, cbmon
 * `src/cli/help.ts`), keyed by the command as it is typed (`mcis network enable`), so the command
 * classes hold only their flags and their work, and the help reads as one text.
 */
import type { Command } from '@oclif/core';

export interface CommandHelp {
  /** One line: the command list, completion and the top of `--help`. */
  summary: string;
  /** The paragraphs under DESCRIPTION, after the summary. */
  description?: string;
  /** `<%= config.bin %>` stands for the CLI's name. */
  examples?: string[];
}

/**
 * What each command file calls after its class, `help(McisGet, 'mcis get')`: sets the statics oclif
 * reads (for the manifest, `--help` and completion), as `static summary = …` in the class would.
 */
export function helpSetter<Id extends string>(
  table: Record<Id, CommandHelp>,
): (cmd: typeof Command, id: Id) => void {
  return (cmd, id) => {
    const { summary, description, examples } = table[id];
    cmd.summary = summary;
    if (description !== undefined) cmd.description = description;
    if (examples !== undefined) cmd.examples = examples;
  };
}
