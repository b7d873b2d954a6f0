/** What `spec list --json` and `recommend --json` print, as the end-to-end tests read it. */

export interface SpecRow {
  provider: string;
  region: string;
  name: string;
  vcpu: number;
  memoryGiB: number;
  gpu?: { model: string; count: number; memoryGiB?: number };
  pricePerHour?: number;
  age: string;
}

export interface RankedRow {
  provider: string;
  region: string;
  spec: string;
  gpu: { model: string; count: number } | null;
  pricePerHour: number | null;
  distanceKm: number | null;
  connection: string | null;
  scores: Record<string, { score: number; reason: string }>;
}
