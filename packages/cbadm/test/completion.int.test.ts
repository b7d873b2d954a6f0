/**
 * Shell completion: `cbadm completion bash|zsh|fish` prints a script generated from the command
 * list (commands, flags, their fixed values, files), and the scripts ask the hidden
 * `cbadm __complete KIND` for the names in the store: MCIS, connections, credentials, VMs of an
 * MCIS. bash (COMP_WORDS → COMPREPLY) and fish (`complete -C`) are driven for real; the fish
 * script's lines are checked too.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionalTool } from '../../../test-support/tools.js';
import { CBADM, Cli, manifestYaml, shq } from './harness.js';

const FISH = optionalTool('fish', 'apt-get install -y fish');
const ZSH = optionalTool('zsh', 'apt-get install -y zsh');

const cli = new Cli();
let bashScriptFile = '';
let binDir = '';

/** COMPREPLY for a command line whose last word is being completed (bash, as on TAB). */
async function complete(words: string[]): Promise<string[]> {
  const script = [
    `source ${shq(bashScriptFile)}`,
    `COMP_WORDS=(${words.map(shq).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_cbadm_complete',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const { stdout } = await promisify(execFile)('bash', ['-c', script], { env: { ...cli.env, PATH: `${binDir}:${process.env.PATH}` }, cwd: cli.home, encoding: 'utf8' });
  return stdout.split('\n').filter(Boolean).sort();
}

beforeAll(async () => {
  // `cbadm` on the PATH, as the scripts call it.
  binDir = join(cli.home, 'bin');
  mkdirSync(binDir);
  writeFileSync(join(binDir, 'cbadm'), `#!/bin/sh\nexec ${shq(process.execPath)} ${shq(CBADM)} "$@"\n`);
  chmodSync(join(binDir, 'cbadm'), 0o755);
  await cli.json(['twin', 'up', '--boot-delay', '0']);
  await cli.json(['twin', 'connect']);
  const file = join(cli.home, 'web.yaml');
  writeFileSync(file, manifestYaml('web', [{ name: 'app', connection: 'twin-aws-us-east-1', count: 2 }]));
  await cli.json(['mcis', 'create', '-f', file]);
  const r = await cli.run(['completion', 'bash']);
  expect(r.code).toBe(0);
  bashScriptFile = join(cli.home, 'cbadm.bash');
  writeFileSync(bashScriptFile, r.stdout);
}, 60_000);
afterAll(() => cli.dispose());

describe('cbadm __complete (hidden)', () => {
  it('lists the names in the store, one per line', async () => {
    expect((await cli.run(['__complete', 'mcis'])).stdout).toBe('web\n');
    expect((await cli.run(['__complete', 'vm', 'web'])).stdout).toBe('app-1\napp-2\n');
    expect((await cli.run(['__complete', 'credential'])).stdout.split('\n')).toEqual(expect.arrayContaining(['twin-aws', 'twin-azure']));
    const conns = (await cli.run(['__complete', 'connection'])).stdout.split('\n');
    expect(conns).toEqual(expect.arrayContaining(['twin-aws-us-east-1', 'twin-azure-koreacentral', 'twin-gcp-asia-northeast3']));
  });

  it('offers nothing, quietly, for an MCIS that does not exist', async () => {
    expect(await cli.run(['__complete', 'vm', 'nope'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('creates nothing where there is no store yet', async () => {
    const home = join(cli.home, 'not-yet');
    expect(await cli.run(['__complete', 'mcis'], { env: { CB_HOME: home } })).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(home)).toBe(false);
  });
});

describe('bash completion', () => {
  it('completes commands, not hidden ones', async () => {
    const top = await complete(['cbadm', '']);
    expect(top).toEqual(expect.arrayContaining(['mcis', 'twin', 'connection', 'completion', 'recommend', 'help']));
    expect(top).not.toContain('__complete');
    expect(await complete(['cbadm', 'mcis', 'cr'])).toEqual(['create']);
    expect(await complete(['cbadm', 'k8s', 'node', ''])).toEqual(['add', 'remove']);
  });

  it('completes flags, their fixed values, and files', async () => {
    expect(await complete(['cbadm', 'mcis', 'create', '--dry'])).toEqual(['--dry-run']);
    expect(await complete(['cbadm', 'mcis', 'get', 'web', '-o', ''])).toEqual(['json', 'table', 'wide', 'yaml']);
    expect(await complete(['cbadm', 'mcis', 'create', '-f', 'we'])).toEqual(['web.yaml']);
  });

  it('completes MCIS, VM and connection names from the store', async () => {
    expect(await complete(['cbadm', 'mcis', 'get', ''])).toEqual(['web']);
    expect(await complete(['cbadm', 'mcis', 'ssh', 'web', ''])).toEqual(['app-1', 'app-2']);
    expect(await complete(['cbadm', 'mcis', 'terminate', 'web', '--vm', 'app-'])).toEqual(['app-1', 'app-2']);
    expect(await complete(['cbadm', 'connection', 'test', 'twin-aws-us-e'])).toEqual(['twin-aws-us-east-1', 'twin-aws-us-east-2']);
    expect(await complete(['cbadm', 'catalog', 'update', '--connection', 'twin-azure-koreac'])).toEqual(['twin-azure-koreacentral']);
    // Flags and their values before the command's argument do not shift it.
    expect(await complete(['cbadm', 'mcis', 'get', '--ns', 'default', '-o', 'json', ''])).toEqual(['web']);
  });

  it('the bash and zsh scripts register the completion function', async () => {
    const { stdout } = await promisify(execFile)('bash', ['-c', `source ${shq(bashScriptFile)}; complete -p cbadm`], { encoding: 'utf8' });
    expect(stdout.trim()).toBe('complete -F _cbadm_complete cbadm');
    const zsh = (await cli.run(['completion', 'zsh'])).stdout;
    expect(zsh).toContain('autoload -U +X bashcompinit && bashcompinit');
    expect(zsh).toContain('complete -F _cbadm_complete cbadm');
  });
});

describe('fish completion', () => {
  let fish = '';
  beforeAll(async () => {
    fish = (await cli.run(['completion', 'fish'])).stdout;
  });

  it('has a line per command, with its summary, under its topic', () => {
    expect(fish).toContain("complete -c cbadm -n '__cbadm_is \\'\\'' -a 'mcis' -d 'Multi-cloud infrastructure services'");
    expect(fish).toMatch(/^complete -c cbadm -n '__cbadm_is \\'mcis\\'' -a 'create' -d '.+'$/m);
    expect(fish).toMatch(/^complete -c cbadm -n '__cbadm_is \\'k8s node\\'' -a 'add'/m);
    expect(fish).not.toContain("-a '__complete'");
  });

  it('has each flag with its short form, its values, files or names', () => {
    expect(fish).toMatch(/^complete -c cbadm -n '__cbadm_is \\'mcis create\\'' -l file -s f -r -F -d '.+'$/m);
    expect(fish).toMatch(/^complete -c cbadm -n '__cbadm_is \\'mcis get\\'' -l output -s o -x -a 'table wide json yaml'/m);
    expect(fish).toMatch(/^complete -c cbadm -n '__cbadm_is \\'mcis create\\'' -l dry-run -d '.+'$/m);
    expect(fish).toContain("complete -c cbadm -n '__cbadm_is \\'catalog update\\'' -l connection -x -a '(cbadm __complete connection 2>/dev/null)'");
    expect(fish).toContain("-l vm -x -a '(cbadm __complete vm (__cbadm_arg 1) 2>/dev/null)'");
  });

  it('completes MCIS and VM names for the arguments that take them', () => {
    expect(fish).toContain("complete -c cbadm -n '__cbadm_is \\'mcis get\\'; and __cbadm_argc 0' -a '(cbadm __complete mcis 2>/dev/null)'");
    expect(fish).toContain("complete -c cbadm -n '__cbadm_is \\'mcis ssh\\'; and __cbadm_argc 1' -a '(cbadm __complete vm (__cbadm_arg 1) 2>/dev/null)'");
    expect(fish).toContain("complete -c cbadm -n '__cbadm_is \\'connection test\\'; and __cbadm_argc 0' -a '(cbadm __complete connection 2>/dev/null)'");
    // A new name (connection add NAME) has nothing to complete.
    expect(fish).not.toContain("'__cbadm_is \\'connection add\\'; and __cbadm_argc 0'");
  });
});

describe.skipIf(!FISH)('fish completion, run by fish', () => {
  let fishFile = '';
  beforeAll(async () => {
    fishFile = join(cli.home, 'cbadm.fish');
    writeFileSync(fishFile, (await cli.run(['completion', 'fish'])).stdout);
  });

  /** The candidates fish offers for a command line (the text before the cursor), without descriptions. */
  async function fishComplete(line: string): Promise<string[]> {
    const { stdout } = await promisify(execFile)(FISH ?? 'fish', ['--no-config', '-c', `source ${shq(fishFile)}; complete -C ${shq(line)}`], {
      env: { ...cli.env, PATH: `${binDir}:${process.env.PATH}` },
      cwd: cli.home,
      encoding: 'utf8',
    });
    return stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0] ?? '').sort();
  }

  it('parses, and completes commands, flags and values', async () => {
    await promisify(execFile)(FISH ?? 'fish', ['--no-execute', fishFile]);
    expect(await fishComplete('cbadm ')).toEqual(expect.arrayContaining(['mcis', 'twin', 'completion']));
    expect(await fishComplete('cbadm ')).not.toContain('__complete');
    expect(await fishComplete('cbadm mcis cr')).toEqual(['create']);
    expect(await fishComplete('cbadm mcis create --dr')).toEqual(['--dry-run']);
    expect(await fishComplete('cbadm mcis get web -o ')).toEqual(['json', 'table', 'wide', 'yaml']);
  });

  it('completes MCIS, VM and connection names from the store', async () => {
    expect(await fishComplete('cbadm mcis get ')).toEqual(['web']);
    expect(await fishComplete('cbadm mcis ssh web ')).toEqual(['app-1', 'app-2']);
    expect(await fishComplete('cbadm mcis terminate web --vm ')).toEqual(['app-1', 'app-2']);
    expect(await fishComplete('cbadm connection test twin-aws-us-e')).toEqual(['twin-aws-us-east-1', 'twin-aws-us-east-2']);
  });
});

describe.skipIf(!ZSH)('zsh completion, run by zsh', () => {
  it('parses, and the function finds commands and names in zsh as in bash (zsh filters by prefix itself)', async () => {
    const file = join(cli.home, 'cbadm.zsh');
    writeFileSync(file, (await cli.run(['completion', 'zsh'])).stdout);
    await promisify(execFile)(ZSH ?? 'zsh', ['-n', file]);
    // bashcompinit calls the function under `emulate sh` (0-based arrays), as this does.
    const call = (words: string[]) =>
      [`COMP_WORDS=(${words.map(shq).join(' ')})`, `COMP_CWORD=${words.length - 1}`, '_cbadm_complete', 'print -l "${COMPREPLY[@]}"'].join('; ');
    const script = [`source ${shq(file)}`, 'emulate sh', 'setopt kshglob noshglob braceexpand', call(['cbadm', 'mcis', 'ssh', 'web', '']), 'echo ---', call(['cbadm', 'k8s', 'node', ''])].join('\n');
    const { stdout } = await promisify(execFile)(ZSH ?? 'zsh', ['-f', '-c', script], { env: { ...cli.env, PATH: `${binDir}:${process.env.PATH}`, HOME: cli.home }, cwd: cli.home, encoding: 'utf8' });
    const [vms, node] = stdout.split('---\n');
    expect(vms?.split('\n').filter(Boolean)).toEqual(['app-1', 'app-2']);
    expect(node?.split('\n').filter(Boolean)).toEqual(['add', 'remove']);
  });
});
