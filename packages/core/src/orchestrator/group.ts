/** Items grouped by a key, in first-seen order. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** VMs grouped by the connection they live in, in first-seen order: cloud calls go one batch per connection. */
export function groupByConnection<V extends { connection: string }>(vms: readonly V[]): Map<string, V[]> {
  return groupBy(vms, (v) => v.connection);
}
