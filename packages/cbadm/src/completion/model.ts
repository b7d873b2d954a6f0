/**
 * What shell completion knows about cbadm, read from oclif's command list (the manifest): every
 * command path, its flags, and which arguments and flag values name things in the store (MCIS,
 * connections, credentials, VMs, clusters), which the scripts ask `cbadm __complete KIND` for.
 */
import type { Command, Config } from '@oclif/core';

/** Names the store holds; `vm` needs the MCIS named by the command's first argument. */
export type NameKind = 'mcis' | 'connection' | 'credential' | 'vm' | 'k8s';
export const NAME_KINDS: readonly NameKind[] = ['mcis', 'connection', 'credential', 'vm', 'k8s'];

export interface FlagSpec {
  long: string;
  short?: string;
  summary: string;
  /** The flag takes a value (an option or string flag), rather than being a switch. */
  takesValue: boolean;
  /** Its fixed choices, if any. */
  options?: string[];
  /** What its value names: a stored name, or a file. */
  completes?: NameKind | 'file';
}

export interface CommandSpec {
  /** Words after `cbadm`: ['mcis', 'create']. */
  words: string[];
  summary: string;
  flags: FlagSpec[];
  /** Per positional argument, what it names (undefined: free text). */
  args: Array<NameKind | undefined>;
}

export interface CompletionModel {
  bin: string;
  commands: CommandSpec[];
  /** Topics (groups of commands) with their description: ['mcis'] → "Multi-cloud …". */
  topics: Array<{ words: string[]; summary: string }>;
}

const FILE_FLAGS = new Set(['file', 'key', 'from', 'ca-file', 'kubeconfig']);
const NAME_FLAGS: Record<string, NameKind> = { connection: 'connection', credential: 'credential', vm: 'vm' };
/** Commands whose `name` argument is a new name, which nothing can complete. */
const NEW_NAME = new Set(['connection:add', 'credential:add', 'mcis:register']);

function argKind(id: string, arg: string, index: number): NameKind | undefined {
  if (NEW_NAME.has(id)) return undefined;
  const topic = id.split(':')[0];
  if (arg === 'vm') return 'vm';
  if (index !== 0 || arg !== 'name') return undefined;
  if (topic === 'mcis' || topic === 'connection' || topic === 'credential' || topic === 'k8s') return topic;
  return undefined;
}

/** The first line of a summary, with oclif's `<%= config.bin %>` filled in. */
function oneLine(text: string | undefined, bin: string): string {
  return ((text ?? '').split('\n')[0] ?? '').replaceAll('<%= config.bin %>', bin).trim();
}

function flagSpecs(cmd: Command.Loadable, bin: string): FlagSpec[] {
  return Object.entries(cmd.flags)
    .filter(([, f]) => !f.hidden)
    .map(([long, f]): FlagSpec => {
      const takesValue = f.type === 'option';
      const options = takesValue && 'options' in f && Array.isArray(f.options) ? f.options : undefined;
      const completes = !takesValue ? undefined : FILE_FLAGS.has(long) ? 'file' : NAME_FLAGS[long];
      return {
        long,
        ...(f.char ? { short: f.char } : {}),
        summary: oneLine(f.summary ?? f.description, bin),
        takesValue,
        ...(options ? { options } : {}),
        ...(completes ? { completes } : {}),
      };
    })
    .sort((a, b) => a.long.localeCompare(b.long));
}

export function completionModel(config: Config): CompletionModel {
  const commands = config.commands
    .filter((c) => !c.hidden)
    .map(
      (c): CommandSpec => ({
        words: c.id.split(':'),
        summary: oneLine(c.summary ?? c.description, config.bin),
        flags: flagSpecs(c, config.bin),
        args: Object.keys(c.args ?? {}).map((name, i) => argKind(c.id, name, i)),
      }),
    )
    .sort((a, b) => a.words.join(' ').localeCompare(b.words.join(' ')));
  const declared = (config.pjson.oclif.topics ?? {}) as Record<string, { description?: string }>;
  const topicIds = new Set(commands.flatMap((c) => c.words.slice(0, -1).map((_, i) => c.words.slice(0, i + 1).join(':'))));
  const topics = [...topicIds].sort().map((id) => ({ words: id.split(':'), summary: oneLine(declared[id]?.description, config.bin) }));
  return { bin: config.bin, commands, topics };
}
