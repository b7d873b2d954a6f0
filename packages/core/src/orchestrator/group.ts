/** VMs grouped by the connection they live in, in first-seen order: cloud calls go one batch per connection. */
export function groupByConnection<V extends { connection: string }>(vms: readonly V[]): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const vm of vms) {
    const list = groups.get(vm.connection);
    if (list) list.push(vm);
    else groups.set(vm.connection, [vm]);
  }
  return groups;
}
