/**
 * Great-circle distance and the latency model the recommender uses when no measurement exists.
 *
 * Model: RTT(ms) ≈ 2 + d_km / 57.
 *   - Light in optical fibre covers ~200 km per ms, so a round trip over a straight cable costs
 *     d/100 ms.
 *   - Real routes are longer than the great circle (cables follow coasts, traffic goes through
 *     exchange points): the median ratio of measured RTT to d/100 over the 2,477 aws/gcp/azure region
 *     pairs of Cloud-Barista's measured matrix (cloudlatencymap.csv) is 1.75, hence d × 1.75 / 100
 *     = d / 57.
 *   - ~2 ms for switching and the hosts' network stacks: what two regions in one metro measure.
 * The estimate is monotonic in distance, so it ranks region pairs exactly as distance does; a test
 * checks that ranking against the measured matrix (Spearman ρ ≥ 0.85). A measured matrix imported
 * with `cbadm catalog import-latency` takes precedence wherever it has a value.
 */
import { UsageError } from '../errors.js';
import { findCity, suggestCities } from '../data/cities.js';

export const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

export interface LatLon {
  lat: number;
  lon: number;
}

/** A user location: from `--near LAT,LON` or `--near-city NAME`. */
export interface NamedPoint extends LatLon {
  label: string;
}

/** Haversine great-circle distance in km. */
export function distanceKm(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export const RTT_FIXED_MS = 2;
export const KM_PER_RTT_MS = 57;

/** Estimated round-trip time between two points (see the model above). */
export function estimateRttMs(distance: number): number {
  return RTT_FIXED_MS + distance / KM_PER_RTT_MS;
}

/** `'37.5,127'` → a point; throws UsageError naming `what` when malformed or out of range. */
export function parseLatLon(text: string, what: string): NamedPoint {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) {
    throw new UsageError(`${what} '${text}' is not LAT,LON`, { hint: `give decimal degrees, latitude first, e.g. ${what} 37.57,126.98 (Seoul)` });
  }
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  if (lat < -90 || lat > 90) throw new UsageError(`${what} '${text}': latitude ${lat} is outside -90..90`, { hint: 'latitude comes first: LAT,LON' });
  if (lon < -180 || lon > 180) throw new UsageError(`${what} '${text}': longitude ${lon} is outside -180..180`, { hint: 'give LAT,LON in decimal degrees' });
  return { lat, lon, label: `${lat},${lon}` };
}

export function cityPoint(name: string, what: string): NamedPoint {
  const c = findCity(name);
  if (!c) {
    throw new UsageError(`${what} '${name}' is not a city we know`, {
      hint: `did you mean ${suggestCities(name).join(', ')}? Or give coordinates with --near LAT,LON`,
    });
  }
  return { lat: c.lat, lon: c.lon, label: c.name };
}

/** A manifest `near:` value: 'LAT,LON' or a city name. */
export function parsePlace(text: string, what: string): NamedPoint {
  return /^\s*-?\d/.test(text) ? parseLatLon(text, what) : cityPoint(text, what);
}
