/**
 * Cities for `--near-city` and manifest `near:`: the world's large metros and every city a cloud
 * region is named after, with city-centre coordinates (WGS84, 2 decimals ≈ 1 km — more precision
 * than a great-circle latency estimate can use). Names match case- and accent-insensitively;
 * aliases cover common alternatives ("NYC", "Bengaluru"/"Bangalore").
 */

export interface City {
  name: string;
  country: string;
  lat: number;
  lon: number;
}

type Row = [name: string, country: string, lat: number, lon: number, aliases?: string[]];

const CITIES: Row[] = [
  // Asia
  ['Seoul', 'KR', 37.57, 126.98],
  ['Busan', 'KR', 35.18, 129.08],
  ['Daejeon', 'KR', 36.35, 127.38],
  ['Tokyo', 'JP', 35.68, 139.77],
  ['Osaka', 'JP', 34.69, 135.5],
  ['Beijing', 'CN', 39.9, 116.41, ['Peking']],
  ['Shanghai', 'CN', 31.23, 121.47],
  ['Shenzhen', 'CN', 22.54, 114.06],
  ['Guangzhou', 'CN', 23.13, 113.26],
  ['Hong Kong', 'HK', 22.32, 114.17],
  ['Taipei', 'TW', 25.03, 121.57],
  ['Manila', 'PH', 14.6, 120.98],
  ['Hanoi', 'VN', 21.03, 105.85],
  ['Ho Chi Minh City', 'VN', 10.82, 106.63, ['Saigon']],
  ['Bangkok', 'TH', 13.76, 100.5],
  ['Kuala Lumpur', 'MY', 3.14, 101.69],
  ['Singapore', 'SG', 1.35, 103.82],
  ['Jakarta', 'ID', -6.21, 106.85],
  ['Mumbai', 'IN', 19.08, 72.88, ['Bombay']],
  ['Delhi', 'IN', 28.61, 77.21, ['New Delhi']],
  ['Bangalore', 'IN', 12.97, 77.59, ['Bengaluru']],
  ['Hyderabad', 'IN', 17.39, 78.49],
  ['Chennai', 'IN', 13.08, 80.27, ['Madras']],
  ['Pune', 'IN', 18.52, 73.86],
  ['Kolkata', 'IN', 22.57, 88.36, ['Calcutta']],
  ['Karachi', 'PK', 24.86, 67.0],
  ['Dhaka', 'BD', 23.81, 90.41],
  ['Dubai', 'AE', 25.2, 55.27],
  ['Abu Dhabi', 'AE', 24.45, 54.38],
  ['Doha', 'QA', 25.29, 51.53],
  ['Riyadh', 'SA', 24.71, 46.68],
  ['Dammam', 'SA', 26.43, 50.1],
  ['Manama', 'BH', 26.23, 50.59, ['Bahrain']],
  ['Tel Aviv', 'IL', 32.09, 34.78],
  ['Istanbul', 'TR', 41.01, 28.98],
  ['Tehran', 'IR', 35.69, 51.39],
  // Oceania
  ['Sydney', 'AU', -33.87, 151.21],
  ['Melbourne', 'AU', -37.81, 144.96],
  ['Canberra', 'AU', -35.28, 149.13],
  ['Brisbane', 'AU', -27.47, 153.03],
  ['Perth', 'AU', -31.95, 115.86],
  ['Auckland', 'NZ', -36.85, 174.76],
  // Europe
  ['London', 'GB', 51.51, -0.13],
  ['Cardiff', 'GB', 51.48, -3.18],
  ['Manchester', 'GB', 53.48, -2.24],
  ['Dublin', 'IE', 53.35, -6.26],
  ['Paris', 'FR', 48.86, 2.35],
  ['Marseille', 'FR', 43.3, 5.37],
  ['Brussels', 'BE', 50.85, 4.35],
  ['Amsterdam', 'NL', 52.37, 4.9],
  ['Frankfurt', 'DE', 50.11, 8.68],
  ['Berlin', 'DE', 52.52, 13.4],
  ['Munich', 'DE', 48.14, 11.58, ['München']],
  ['Hamburg', 'DE', 53.55, 9.99],
  ['Zurich', 'CH', 47.37, 8.54, ['Zürich']],
  ['Geneva', 'CH', 46.2, 6.14],
  ['Vienna', 'AT', 48.21, 16.37, ['Wien']],
  ['Milan', 'IT', 45.46, 9.19, ['Milano']],
  ['Turin', 'IT', 45.07, 7.69, ['Torino']],
  ['Rome', 'IT', 41.9, 12.5, ['Roma']],
  ['Madrid', 'ES', 40.42, -3.7],
  ['Barcelona', 'ES', 41.39, 2.17],
  ['Zaragoza', 'ES', 41.65, -0.88],
  ['Lisbon', 'PT', 38.72, -9.14, ['Lisboa']],
  ['Copenhagen', 'DK', 55.68, 12.57],
  ['Oslo', 'NO', 59.91, 10.75],
  ['Stockholm', 'SE', 59.33, 18.07],
  ['Helsinki', 'FI', 60.17, 24.94],
  ['Warsaw', 'PL', 52.23, 21.01, ['Warszawa']],
  ['Prague', 'CZ', 50.08, 14.44],
  ['Budapest', 'HU', 47.5, 19.04],
  ['Bucharest', 'RO', 44.43, 26.1],
  ['Athens', 'GR', 37.98, 23.73],
  ['Kyiv', 'UA', 50.45, 30.52, ['Kiev']],
  ['Moscow', 'RU', 55.76, 37.62],
  // Africa
  ['Cairo', 'EG', 30.04, 31.24],
  ['Lagos', 'NG', 6.52, 3.38],
  ['Nairobi', 'KE', -1.29, 36.82],
  ['Johannesburg', 'ZA', -26.2, 28.05],
  ['Cape Town', 'ZA', -33.92, 18.42],
  ['Casablanca', 'MA', 33.57, -7.59],
  // North America
  ['New York', 'US', 40.71, -74.01, ['NYC', 'New York City']],
  ['Washington', 'US', 38.91, -77.04, ['Washington DC', 'Washington, D.C.']],
  ['Ashburn', 'US', 39.04, -77.49],
  ['Boston', 'US', 42.36, -71.06],
  ['Atlanta', 'US', 33.75, -84.39],
  ['Miami', 'US', 25.76, -80.19],
  ['Chicago', 'US', 41.88, -87.63],
  ['Columbus', 'US', 39.96, -83.0],
  ['Dallas', 'US', 32.78, -96.8],
  ['Houston', 'US', 29.76, -95.37],
  ['San Antonio', 'US', 29.42, -98.49],
  ['Denver', 'US', 39.74, -104.99],
  ['Phoenix', 'US', 33.45, -112.07],
  ['Salt Lake City', 'US', 40.76, -111.89],
  ['Las Vegas', 'US', 36.17, -115.14],
  ['Los Angeles', 'US', 34.05, -118.24, ['LA']],
  ['San Francisco', 'US', 37.77, -122.42, ['SF']],
  ['San Jose', 'US', 37.34, -121.89],
  ['Seattle', 'US', 47.61, -122.33],
  ['Portland', 'US', 45.52, -122.68],
  ['Des Moines', 'US', 41.59, -93.62],
  ['Toronto', 'CA', 43.65, -79.38],
  ['Montreal', 'CA', 45.5, -73.57, ['Montréal']],
  ['Quebec City', 'CA', 46.81, -71.21, ['Québec']],
  ['Vancouver', 'CA', 49.28, -123.12],
  ['Calgary', 'CA', 51.05, -114.07],
  ['Mexico City', 'MX', 19.43, -99.13, ['Ciudad de México', 'CDMX']],
  ['Querétaro', 'MX', 20.59, -100.39],
  // South America
  ['São Paulo', 'BR', -23.55, -46.63],
  ['Rio de Janeiro', 'BR', -22.91, -43.17, ['Rio']],
  ['Buenos Aires', 'AR', -34.6, -58.38],
  ['Santiago', 'CL', -33.45, -70.67],
  ['Lima', 'PE', -12.05, -77.04],
  ['Bogotá', 'CO', 4.71, -74.07],
];

/** Lower case, accents and punctuation dropped: 'São Paulo' → 'sao paulo'. */
export function cityKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const BY_KEY = new Map<string, City>();
for (const [name, country, lat, lon, aliases] of CITIES) {
  const city = { name, country, lat, lon };
  for (const n of [name, ...(aliases ?? [])]) BY_KEY.set(cityKey(n), city);
}

export const CITY_NAMES: readonly string[] = CITIES.map((c) => c[0]);

/** The city of that name (case/accent-insensitive); undefined when unknown. */
export function findCity(name: string): City | undefined {
  return BY_KEY.get(cityKey(name));
}

/** Up to `n` known city names closest in spelling to `name`, for "did you mean" hints. */
export function suggestCities(name: string, n = 3): string[] {
  const key = cityKey(name);
  return CITIES.map((c) => ({ name: c[0], d: editDistance(key, cityKey(c[0])) }))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, n)
    .map((c) => c.name);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
