/**
 * Waiting on GCE operations: zone, region or global, through each scope's `wait` method (which
 * holds the call up to two minutes, then answers with the operation as it is). An operation that
 * finishes with an error becomes a ProviderError with the error's code: this is how GCE reports
 * ZONE_RESOURCE_POOL_EXHAUSTED and QUOTA_EXCEEDED for an insert.
 */
import type { protos } from '@google-cloud/compute';
import { OperationError } from '@cloud-barista/core/errors';
import { poll, type Acceptance } from '@cloud-barista/core/util/poll';
import type { GcpContext } from './context.js';
import { providerError } from './errors.js';

export type Operation = protos.google.cloud.compute.v1.IOperation;

/** The Operation resource in what an insert/delete/stop/… call resolved to. */
export function operationOf(result: readonly [unknown, ...unknown[]]): Operation {
  // Long-running calls resolve to `{latestResponse: Operation, …}`; accept a bare Operation too.
  const first = result[0] as (Operation & { latestResponse?: Operation }) | undefined;
  const op: Operation | undefined = first?.latestResponse ?? first;
  if (!op?.name) throw new OperationError('the Compute API returned no operation');
  return op;
}

export function lastSegment(link: string | null | undefined): string | undefined {
  if (!link) return undefined;
  return link.split('/').pop() || undefined;
}

/** Throws the operation's own error, if it finished with one. */
export function raiseOperationError(op: Operation): void {
  const first = op.error?.errors?.[0];
  if (!first) return;
  throw providerError({
    code: first.code ?? 'OPERATION_FAILED',
    message: first.message ?? `operation ${op.name ?? ''} failed`,
    ...(typeof op.httpErrorStatusCode === 'number' ? { httpStatus: op.httpErrorStatusCode } : {}),
  });
}

/**
 * Waits until `op` is DONE; throws its error if it failed. Each `wait` call is held by GCE until
 * the operation ends or about two minutes pass, so the poller asks again almost at once.
 */
export async function waitOperation(ctx: GcpContext, op: Operation): Promise<Operation> {
  const project = await ctx.project();
  let cur = op;
  const done = await poll(
    async () => {
      if (cur.status === 'DONE') return cur;
      const operation = cur.name ?? '';
      const zone = lastSegment(cur.zone);
      const region = lastSegment(cur.region);
      [cur] = await ctx.call(() =>
        zone
          ? ctx.clients.zoneOperations.wait({ project, zone, operation })
          : region
            ? ctx.clients.regionOperations.wait({ project, region, operation })
            : ctx.clients.globalOperations.wait({ project, operation }),
      );
      return cur;
    },
    (o): Acceptance<Operation> => (o.status === 'DONE' ? { state: 'success', value: o } : { state: 'retry' }),
    {
      maxWaitMs: ctx.tuning.operationWaitMs,
      minDelayMs: 100,
      maxDelayMs: 1_000,
      what: `GCE operation ${op.name ?? ''} (${op.operationType ?? ''})`,
      hint: 'it may still finish: check with `cbadm mcis status NAME --refresh`',
    },
  );
  raiseOperationError(done);
  return done;
}
