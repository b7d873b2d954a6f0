/** Failures grouped by their cause (whitespace-normalised error text), the cause hitting most first. */
export function byCause<T>(items: readonly T[], errorOf: (item: T) => string): Array<[cause: string, items: T[]]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const cause = errorOf(item).replace(/\s+/g, ' ').trim();
    groups.set(cause, [...(groups.get(cause) ?? []), item]);
  }
  return [...groups].sort((a, b) => b[1].length - a[1].length);
}
