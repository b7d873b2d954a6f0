/**
 * Public IPs of twin VMs: each one its own loopback address, so every VM can have an SSH server
 * on the same port. Addresses are handed out in order and never reused within one twin's life
 * (the counter is part of the snapshot). 127.0.0.x is never used: 127.0.0.1 is the host's own
 * and Debian maps 127.0.1.1 to the hostname; the range starts at 127.1.0.1 and skips .0 / .255.
 * A twin with isolated VMs starts at 127.K.0.1 for a random K (see firstIndex).
 */
import { execFileSync } from 'node:child_process';

const PER_THIRD = 254;
const PER_SECOND = 256 * PER_THIRD;

export function loopbackIp(n: number): string {
  const second = 1 + Math.floor(n / PER_SECOND);
  if (second > 254) throw new Error('Cloud-Twin ran out of loopback addresses');
  const third = Math.floor(n / PER_THIRD) % 256;
  const fourth = (n % PER_THIRD) + 1;
  return `127.${second}.${third}.${fourth}`;
}

/**
 * Whether this machine would deliver to `ip` itself: not when another twin's isolated VM holds it
 * (a /32 routed to that VM's link). Where `ip` cannot be asked, every address counts as free.
 */
export function deliveredLocally(ip: string): boolean {
  try {
    const route = execFileSync('ip', ['-o', 'route', 'get', ip], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2_000 });
    return /^local\b/.test(route.trim()) && /\bdev lo\b/.test(route);
  } catch {
    return true;
  }
}

/** Second octets a new isolated twin may start at (127.1 … 127.200), each block 65,024 addresses. */
const START_BLOCKS = 200;

/**
 * Where a new twin starts numbering. Isolated VMs' addresses are routed machine-wide, so twins side by
 * side (parallel test files, two users) would hand out the same addresses: each isolated twin starts in
 * a random block of its own, and allocateFree skips the rare address another twin holds anyway.
 * Without isolation every twin starts at 127.1.0.1: its VMs only listen there, on the twin's own port.
 */
export function firstIndex(isolated: boolean, random: () => number = Math.random): number {
  return isolated ? Math.floor(random() * START_BLOCKS) * PER_SECOND : 0;
}

export class LoopbackIps {
  constructor(private next = 0) {}

  allocate(): string {
    return loopbackIp(this.next++);
  }

  /**
   * An address the API fixes for good (a floating IP): skips those another twin on this machine
   * serves already, since the VM could never answer there.
   */
  allocateFree(): string {
    for (let tries = 0; tries < 1_000; tries++) {
      const ip = this.allocate();
      if (deliveredLocally(ip)) return ip;
    }
    throw new Error('Cloud-Twin found no free loopback address in 1000 tries');
  }

  /** How many have been handed out (what the snapshot stores). */
  get counter(): number {
    return this.next;
  }
}
