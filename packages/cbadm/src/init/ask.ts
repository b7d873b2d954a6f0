/**
 * The questions `cbadm init` asks, through @inquirer/prompts on the terminal's stderr (stdout stays
 * for data). Ctrl-C or a closed terminal cancels: nothing further is stored.
 */
import { OperationError } from '@cloud-barista/core/errors';

const cancelled = (e: unknown): never => {
  if (e instanceof Error && e.name === 'ExitPromptError') throw new OperationError('Cancelled: cbadm init stopped; what was already stored stays.');
  throw e;
};
const out = { output: process.stderr };
const required = (v: string) => (v.trim() ? true : 'may not be empty');

export interface Choice<T extends string> {
  value: T;
  name: string;
  description?: string;
}

export async function choose<T extends string>(message: string, choices: Array<Choice<T>>): Promise<T> {
  const { select } = await import('@inquirer/prompts');
  return select<T>({ message, choices }, out).catch(cancelled);
}

/** A pick from a long list: typing narrows it (region codes, display names and cities all match). */
export async function pick<T extends string>(message: string, choices: Array<Choice<T>>): Promise<T> {
  const { search } = await import('@inquirer/prompts');
  const source = (term: string | undefined) => {
    const t = (term ?? '').toLowerCase();
    return choices.filter((c) => !t || c.value.toLowerCase().includes(t) || c.name.toLowerCase().includes(t));
  };
  return search<T>({ message, source, pageSize: 10 }, out).catch(cancelled);
}

export async function text(message: string, opts: { default?: string; validate?: (v: string) => true | string } = {}): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  const v = await input({ message, ...(opts.default ? { default: opts.default } : {}), validate: opts.validate ?? required }, out).catch(cancelled);
  return v.trim();
}

/** Hidden input: what is typed is not shown. */
export async function secret(message: string): Promise<string> {
  const { password } = await import('@inquirer/prompts');
  const v = await password({ message: `${message} (not shown):`, validate: required }, out).catch(cancelled);
  return v.trim();
}

export async function yesNo(message: string, dflt: boolean): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message, default: dflt }, out).catch(cancelled);
}
