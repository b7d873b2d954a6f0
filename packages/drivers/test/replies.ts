/** Recorded replies served in order: a route's n-th call gets its n-th reply, later calls the last one. */
export class ReplySequences<K> {
  private readonly served = new Map<K, number>();

  /** The reply for this call of `key`; undefined only for an empty list. */
  next<R>(key: K, list: readonly R[]): R | undefined {
    const n = this.served.get(key) ?? 0;
    this.served.set(key, n + 1);
    return list[Math.min(n, list.length - 1)];
  }
}
