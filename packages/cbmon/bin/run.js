#!/usr/bin/env node
// Started for every command: keep it tiny; commands load the core and the metrics store lazily.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
