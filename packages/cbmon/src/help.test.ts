import { describe, it } from 'vitest';
import { expectHelpTable } from '../../../test-support/help-table.js';
import { COMMAND_HELP } from './cli/help.js';

describe('the help table', () => {
  it('has one entry per command, and each command shows its own', () => {
    expectHelpTable(new URL('../oclif.manifest.json', import.meta.url), COMMAND_HELP);
  });
});
