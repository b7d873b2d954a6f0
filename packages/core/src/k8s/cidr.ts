/** IPv4 CIDR arithmetic for manifest validation: pure, no dependencies. */
export interface Cidr {
  base: number;
  bits: number;
}

/** Parses `a.b.c.d/n`; undefined when malformed or when host bits are set. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  if (base % size !== 0) return undefined;
  return { base, bits };
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + 2 ** (32 - a.bits);
  const bEnd = b.base + 2 ** (32 - b.bits);
  return a.base < bEnd && b.base < aEnd;
}
