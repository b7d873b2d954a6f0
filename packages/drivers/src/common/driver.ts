/** Small pieces every driver's assembly (index.ts) needs. */

/**
 * The connection's zone, else the one `discover` picks from the region, asked once and shared by
 * every caller; a failed discovery is forgotten, so the next call asks again.
 */
export function zoneOnce(given: string | undefined, discover: () => Promise<string>): () => Promise<string> {
  let zone: Promise<string> | undefined;
  return () =>
    (zone ??= given
      ? Promise.resolve(given)
      : discover().catch((e: unknown) => {
          zone = undefined;
          throw e;
        }));
}

/** How long one cheap authenticated call takes, in whole milliseconds (what `ping` reports). */
export async function latencyOf(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await call();
  return Math.round(performance.now() - started);
}
