/**
 * One cbmon process's view of the world: the core (state store, MCIS records, exec transports) and
 * the metrics store. cbmon calls no cloud API: its driver registry loads only the drivers that are
 * how their VMs are reached (Docker's exec for containers) and refuses every other cloud, so no
 * cloud SDK is loaded for VMs reached over SSH.
 */
import type { Core, DriverRegistry } from '@cloud-barista/core';
import { openCore } from '@cloud-barista/core/core';
import { UsageError } from '@cloud-barista/core/errors';
import { driverRegistry } from '@cloud-barista/drivers';
import { metricsDbPath, MetricsStore } from '@cloud-barista/agent/store/metrics-store';

export interface Mon {
  core: Core;
  store: MetricsStore;
  close(): Promise<void>;
}

const transportsOnly: DriverRegistry = {
  load: (provider) =>
    driverRegistry.ownsExecTransport?.(provider)
      ? driverRegistry.load(provider)
      : Promise.reject(
          new UsageError(`cbmon does not call cloud APIs (asked for ${provider})`, {
            hint: 'use cbadm for cloud actions',
          }),
        ),
  providers: () => [],
  ownsExecTransport: (provider) => driverRegistry.ownsExecTransport?.(provider) === true,
};

export function openMon(opts: { home?: string } = {}): Mon {
  const core = openCore({ drivers: transportsOnly, ...(opts.home ? { home: opts.home } : {}) });
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
