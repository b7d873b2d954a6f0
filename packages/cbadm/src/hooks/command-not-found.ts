/**
 * An unknown command gets "did you mean" and exit 2 (a usage error), on a terminal or not: a
 * command that exists followed by a word it does not take is named as such, and a manifest given
 * without -f gets the -f it needs.
 */
import { Errors, type Hook } from '@oclif/core';
import { UsageError } from '@cloud-barista/core/errors';
import { renderError } from '@cloud-barista/cli-kit/render';
import { closest } from '@cloud-barista/cli-kit/suggest';

const hook: Hook.CommandNotFound = async function (opts) {
  const ids = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id);
  const words = opts.id.split(':');
  const bin = opts.config.bin;
  let n = words.length - 1;
  while (n > 0 && !ids.includes(words.slice(0, n).join(':'))) n--;
  let err: UsageError;
  if (n > 0) {
    const id = words.slice(0, n).join(':');
    const cmd = `${bin} ${id.replaceAll(':', ' ')}`;
    const extra = words.slice(n).join(':');
    err =
      opts.config.findCommand(id)?.flags.file && /\.(ya?ml|json)$/i.test(extra)
        ? new UsageError(`unexpected argument '${extra}': ${cmd} takes its manifest with -f`, { hint: `did you mean \`${cmd} -f ${extra}\`?` })
        : new UsageError(`unexpected argument '${extra}' for ${cmd}`, { hint: `see \`${cmd} --help\`` });
  } else {
    const best = closest(opts.id, ids);
    err = new UsageError(`'${words.join(' ')}' is not a ${bin} command`, {
      hint: best ? `did you mean \`${bin} ${best.replaceAll(':', ' ')}\`? (every command: \`${bin} help\`)` : `every command: \`${bin} help\``,
    });
  }
  const json = (opts.argv ?? []).includes('--json');
  const { text } = renderError(err, json ? 'json' : 'table', false);
  (json ? process.stdout : process.stderr).write(text);
  throw new Errors.ExitError(err.exitCode);
};

export default hook;
