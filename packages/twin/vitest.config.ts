import { defineConfig } from 'vitest/config';
import { testDefaults } from '../../test-support/vitest.js';

export default defineConfig({ test: testDefaults });
