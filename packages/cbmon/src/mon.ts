/**
 * One cbmon process's view of the world: the core (state store, MCIS records, SSH executor) and the
 * metrics store. cbmon reaches VMs over SSH only, so the core gets a driver registry that refuses
 * every cloud: no cloud SDK is ever loaded.
 */
import type { Core, DriverRegistry } from '@cloud-barista/core';
import { openCore } from '@cloud-barista/core/core';
import { UsageError } from '@cloud-barista/core/errors';
import { metricsDbPath, MetricsStore } from '@cloud-barista/agent/store/metrics-store';

export interface Mon {
  core: Core;
  store: MetricsStore;
  close(): Promise<void>;
}

const noClouds: DriverRegistry = {
  load: (provider) =>
    Promise.reject(
      new UsageError(`cbmon does not call cloud APIs (asked for ${provider})`, {
        hint: 'use cbadm for cloud actions',
      }),
    ),
  providers: () => [],
};

export function openMon(opts: { home?: string } = {}): Mon {
  const core = openCore({ drivers: noClouds, ...(opts.home ? { home: opts.home } : {}) });
  const store = new MetricsStore(metricsDbPath(core.home.root));
  return {
    core,
    store,
    async close() {
      await core.close();
      store.close();
    },
  };
}
