/**
 * Public IPs of twin VMs: each one its own loopback address, so every VM can have an SSH server
 * on the same port. Addresses are handed out in order and never reused within one twin's life
 * (the counter is part of the snapshot). 127.0.0.x is never used: 127.0.0.1 is the host's own
 * and Debian maps 127.0.1.1 to the hostname; the range starts at 127.1.0.1 and skips .0 / .255.
 */
const PER_THIRD = 254;
const PER_SECOND = 256 * PER_THIRD;

export function loopbackIp(n: number): string {
  const second = 1 + Math.floor(n / PER_SECOND);
  if (second > 254) throw new Error('Cloud-Twin ran out of loopback addresses');
  const third = Math.floor(n / PER_THIRD) % 256;
  const fourth = (n % PER_THIRD) + 1;
  return `127.${second}.${third}.${fourth}`;
}

export class LoopbackIps {
  constructor(private next = 0) {}

  allocate(): string {
    return loopbackIp(this.next++);
  }

  /** How many have been handed out (what the snapshot stores). */
  get counter(): number {
    return this.next;
  }
}
