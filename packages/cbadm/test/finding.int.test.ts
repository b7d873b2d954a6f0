/** Finding your way with the built cbadm: "did you mean", a missing -f named, help, shell completion. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cli } from './harness.js';

const cli = new Cli({ env: {} });
const cache = () => join(cli.home, 'cache');
afterAll(() => cli.dispose());

describe('finding your way', () => {
  it('a mistyped command: exit 2 with "did you mean", as JSON too', async () => {
    const r = await cli.run(['mcis', 'craete', '-f', 'x.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("Error: 'mcis craete' is not a cbadm command\nHint: did you mean `cbadm mcis create`? (every command: `cbadm help`)\n");
    const j = await cli.run(['conection', 'lsit', '--json']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toEqual({ error: { kind: 'usage', message: "'conection lsit' is not a cbadm command", hint: 'did you mean `cbadm connection list`? (every command: `cbadm help`)' } });
  });

  it('a manifest given without -f is named', async () => {
    const r = await cli.run(['mcis', 'create', 'examples/quickstart.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Hint: did you mean `cbadm mcis create -f examples/quickstart.yaml`?');
    expect(await cli.json(['mcis', 'list'])).toEqual([]);
  });

  it('`cbadm help COMMAND…` and `-h` show the command\'s usage', async () => {
    for (const args of [['help', 'mcis', 'create'], ['mcis', 'create', '-h'], ['mcis', 'create', '--help']]) {
      const r = await cli.run(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/USAGE\n\s+\$ cbadm mcis create -f <value>/);
    }
    const top = await cli.run(['help']);
    expect(top.stdout).toMatch(/TOPICS[\s\S]*mcis[\s\S]*COMMANDS[\s\S]*autocomplete/);
  });

  it('`cbadm autocomplete script bash|zsh` sets up completion of every command and flag', async () => {
    for (const shell of ['bash', 'zsh']) {
      const setup = await cli.run(['autocomplete', shell], { env: { XDG_CACHE_HOME: cache() } });
      expect(setup.code, shell).toBe(0);
      expect(setup.stdout, shell).toContain(`cbadm autocomplete script ${shell}`);
      const r = await cli.run(['autocomplete', 'script', shell], { env: { XDG_CACHE_HOME: cache() } });
      expect(r.code, shell).toBe(0);
      expect(r.stdout).toContain(`autocomplete/${shell}_setup`);
    }
    const bash = readFileSync(join(cache(), 'cbadm/autocomplete/functions/bash/cbadm.bash'), 'utf8');
    expect(bash).toMatch(/mcis:create .*--file/);
    expect(bash).toContain('k8s:node:remove');
  });
});
