#!/usr/bin/env node
// Started for every command: keep it tiny; commands load the core and cloud SDKs lazily.
import { enableCompileCache } from '@cloud-barista/cli-kit/compile-cache';

// oclif's CommonJS is compiled once, not on every start (see compile-cache.ts).
enableCompileCache();
// oclif checks its own `engines` with semver (~50 files, ~20 ms) on every start; ours (node >= 20)
// is stricter and npm checks it at install, so that check is skipped.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';
const { execute } = await import('@oclif/core');

await execute({ dir: import.meta.url });
