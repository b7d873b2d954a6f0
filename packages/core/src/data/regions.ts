/**
 * Where each cloud region is: display name and the coordinates of the metro area it is in. Used by
 * the recommender's `location` and `latency` priorities. Facts written by us, not read from any
 * cloud at run time, so they are checked into the project and cited here:
 *
 * - AWS: "Regions and Availability Zones" (docs.aws.amazon.com/global-infrastructure/latest/regions/
 *   aws-regions.html) gives each region's code, display name and city/area; coordinates are that
 *   city's centre (e.g. US East (N. Virginia) → Ashburn, US West (Oregon) → Boardman).
 * - GCP: "Regions and zones" (cloud.google.com/compute/docs/regions-zones) gives each region's
 *   location (e.g. us-central1 → Council Bluffs, Iowa; europe-west1 → St. Ghislain, Belgium);
 *   coordinates are that town's centre.
 * - Azure: the latitude/longitude that Azure Resource Manager itself returns for each physical
 *   region (Subscriptions – List Locations, `az account list-locations`, metadata.latitude/longitude),
 *   rounded to 2 decimals, with the display names from the same call.
 * - Alibaba Cloud: "Regions and zones" (alibabacloud.com/help/en/ecs/product-overview/regions-and-
 *   zones) gives each region's id, name and city; coordinates are that city's centre.
 *
 * Coordinates are metro-level (±50 km): enough for a great-circle latency estimate, not a street
 * address (providers do not publish data-centre addresses). New regions open every year: a region
 * missing here still works everywhere; it only gets no location score.
 */

export interface RegionLocation {
  /** Display name as the provider shows it. */
  display: string;
  /** The city/area the provider names for it. */
  city: string;
  lat: number;
  lon: number;
}

type Row = [code: string, display: string, city: string, lat: number, lon: number];

const AWS: Row[] = [
  ['us-east-1', 'US East (N. Virginia)', 'Ashburn, Virginia', 39.04, -77.49],
  ['us-east-2', 'US East (Ohio)', 'Columbus, Ohio', 39.96, -83.0],
  ['us-west-1', 'US West (N. California)', 'San Jose, California', 37.34, -121.89],
  ['us-west-2', 'US West (Oregon)', 'Boardman, Oregon', 45.84, -119.7],
  ['ca-central-1', 'Canada (Central)', 'Montreal', 45.5, -73.57],
  ['ca-west-1', 'Canada West (Calgary)', 'Calgary', 51.05, -114.07],
  ['mx-central-1', 'Mexico (Central)', 'Querétaro', 20.59, -100.39],
  ['sa-east-1', 'South America (São Paulo)', 'São Paulo', -23.55, -46.63],
  ['eu-west-1', 'Europe (Ireland)', 'Dublin', 53.35, -6.26],
  ['eu-west-2', 'Europe (London)', 'London', 51.51, -0.13],
  ['eu-west-3', 'Europe (Paris)', 'Paris', 48.86, 2.35],
  ['eu-central-1', 'Europe (Frankfurt)', 'Frankfurt', 50.11, 8.68],
  ['eu-central-2', 'Europe (Zurich)', 'Zurich', 47.37, 8.54],
  ['eu-south-1', 'Europe (Milan)', 'Milan', 45.46, 9.19],
  ['eu-south-2', 'Europe (Spain)', 'Aragón (Zaragoza)', 41.65, -0.88],
  ['eu-north-1', 'Europe (Stockholm)', 'Stockholm', 59.33, 18.07],
  ['il-central-1', 'Israel (Tel Aviv)', 'Tel Aviv', 32.09, 34.78],
  ['me-south-1', 'Middle East (Bahrain)', 'Manama', 26.23, 50.59],
  ['me-central-1', 'Middle East (UAE)', 'Abu Dhabi', 24.45, 54.38],
  ['af-south-1', 'Africa (Cape Town)', 'Cape Town', -33.92, 18.42],
  ['ap-east-1', 'Asia Pacific (Hong Kong)', 'Hong Kong', 22.32, 114.17],
  ['ap-east-2', 'Asia Pacific (Taipei)', 'Taipei', 25.03, 121.57],
  ['ap-south-1', 'Asia Pacific (Mumbai)', 'Mumbai', 19.08, 72.88],
  ['ap-south-2', 'Asia Pacific (Hyderabad)', 'Hyderabad', 17.39, 78.49],
  ['ap-northeast-1', 'Asia Pacific (Tokyo)', 'Tokyo', 35.68, 139.77],
  ['ap-northeast-2', 'Asia Pacific (Seoul)', 'Seoul', 37.57, 126.98],
  ['ap-northeast-3', 'Asia Pacific (Osaka)', 'Osaka', 34.69, 135.5],
  ['ap-southeast-1', 'Asia Pacific (Singapore)', 'Singapore', 1.35, 103.82],
  ['ap-southeast-2', 'Asia Pacific (Sydney)', 'Sydney', -33.87, 151.21],
  ['ap-southeast-3', 'Asia Pacific (Jakarta)', 'Jakarta', -6.21, 106.85],
  ['ap-southeast-4', 'Asia Pacific (Melbourne)', 'Melbourne', -37.81, 144.96],
  ['ap-southeast-5', 'Asia Pacific (Malaysia)', 'Kuala Lumpur', 3.14, 101.69],
  ['ap-southeast-6', 'Asia Pacific (New Zealand)', 'Auckland', -36.85, 174.76],
  ['ap-southeast-7', 'Asia Pacific (Thailand)', 'Bangkok', 13.76, 100.5],
];

const GCP: Row[] = [
  ['us-central1', 'Iowa', 'Council Bluffs, Iowa', 41.26, -95.86],
  ['us-east1', 'South Carolina', 'Moncks Corner, South Carolina', 33.2, -80.01],
  ['us-east4', 'Northern Virginia', 'Ashburn, Virginia', 39.04, -77.49],
  ['us-east5', 'Columbus', 'Columbus, Ohio', 39.96, -83.0],
  ['us-south1', 'Dallas', 'Dallas, Texas', 32.78, -96.8],
  ['us-west1', 'Oregon', 'The Dalles, Oregon', 45.6, -121.18],
  ['us-west2', 'Los Angeles', 'Los Angeles, California', 34.05, -118.24],
  ['us-west3', 'Salt Lake City', 'Salt Lake City, Utah', 40.76, -111.89],
  ['us-west4', 'Las Vegas', 'Las Vegas, Nevada', 36.17, -115.14],
  ['northamerica-northeast1', 'Montréal', 'Montréal, Québec', 45.5, -73.57],
  ['northamerica-northeast2', 'Toronto', 'Toronto, Ontario', 43.65, -79.38],
  ['northamerica-south1', 'Querétaro', 'Querétaro, Mexico', 20.59, -100.39],
  ['southamerica-east1', 'São Paulo', 'Osasco, São Paulo', -23.53, -46.79],
  ['southamerica-west1', 'Santiago', 'Santiago, Chile', -33.45, -70.67],
  ['europe-west1', 'Belgium', 'St. Ghislain, Belgium', 50.47, 3.82],
  ['europe-west2', 'London', 'London, England', 51.51, -0.13],
  ['europe-west3', 'Frankfurt', 'Frankfurt, Germany', 50.11, 8.68],
  ['europe-west4', 'Netherlands', 'Eemshaven, Netherlands', 53.44, 6.83],
  ['europe-west6', 'Zurich', 'Zurich, Switzerland', 47.37, 8.54],
  ['europe-west8', 'Milan', 'Milan, Italy', 45.46, 9.19],
  ['europe-west9', 'Paris', 'Paris, France', 48.86, 2.35],
  ['europe-west10', 'Berlin', 'Berlin, Germany', 52.52, 13.4],
  ['europe-west12', 'Turin', 'Turin, Italy', 45.07, 7.69],
  ['europe-central2', 'Warsaw', 'Warsaw, Poland', 52.23, 21.01],
  ['europe-north1', 'Finland', 'Hamina, Finland', 60.57, 27.2],
  ['europe-north2', 'Stockholm', 'Stockholm, Sweden', 59.33, 18.07],
  ['europe-southwest1', 'Madrid', 'Madrid, Spain', 40.42, -3.7],
  ['me-central1', 'Doha', 'Doha, Qatar', 25.29, 51.53],
  ['me-central2', 'Dammam', 'Dammam, Saudi Arabia', 26.43, 50.1],
  ['me-west1', 'Tel Aviv', 'Tel Aviv, Israel', 32.09, 34.78],
  ['africa-south1', 'Johannesburg', 'Johannesburg, South Africa', -26.2, 28.05],
  ['asia-east1', 'Taiwan', 'Changhua County, Taiwan', 24.07, 120.54],
  ['asia-east2', 'Hong Kong', 'Hong Kong', 22.32, 114.17],
  ['asia-northeast1', 'Tokyo', 'Tokyo, Japan', 35.68, 139.77],
  ['asia-northeast2', 'Osaka', 'Osaka, Japan', 34.69, 135.5],
  ['asia-northeast3', 'Seoul', 'Seoul, South Korea', 37.57, 126.98],
  ['asia-south1', 'Mumbai', 'Mumbai, India', 19.08, 72.88],
  ['asia-south2', 'Delhi', 'Delhi, India', 28.61, 77.21],
  ['asia-southeast1', 'Singapore', 'Jurong West, Singapore', 1.34, 103.71],
  ['asia-southeast2', 'Jakarta', 'Jakarta, Indonesia', -6.21, 106.85],
  ['asia-southeast3', 'Bangkok', 'Bangkok, Thailand', 13.76, 100.5],
  ['australia-southeast1', 'Sydney', 'Sydney, Australia', -33.87, 151.21],
  ['australia-southeast2', 'Melbourne', 'Melbourne, Australia', -37.81, 144.96],
];

const AZURE: Row[] = [
  ['eastus', 'East US', 'Virginia', 37.37, -79.82],
  ['eastus2', 'East US 2', 'Virginia', 36.67, -78.39],
  ['centralus', 'Central US', 'Iowa', 41.59, -93.62],
  ['northcentralus', 'North Central US', 'Illinois', 41.88, -87.63],
  ['southcentralus', 'South Central US', 'Texas', 29.42, -98.5],
  ['westcentralus', 'West Central US', 'Wyoming', 40.89, -110.23],
  ['westus', 'West US', 'California', 37.78, -122.42],
  ['westus2', 'West US 2', 'Washington', 47.23, -119.85],
  ['westus3', 'West US 3', 'Phoenix', 33.45, -112.07],
  ['canadacentral', 'Canada Central', 'Toronto', 43.65, -79.38],
  ['canadaeast', 'Canada East', 'Quebec', 46.82, -71.22],
  ['mexicocentral', 'Mexico Central', 'Querétaro State', 20.59, -100.39],
  ['brazilsouth', 'Brazil South', 'Sao Paulo State', -23.55, -46.63],
  ['brazilsoutheast', 'Brazil Southeast', 'Rio', -22.9, -43.21],
  ['chilecentral', 'Chile Central', 'Santiago', -33.44, -70.65],
  ['northeurope', 'North Europe', 'Ireland', 53.35, -6.26],
  ['westeurope', 'West Europe', 'Netherlands', 52.37, 4.9],
  ['uksouth', 'UK South', 'London', 50.94, -0.8],
  ['ukwest', 'UK West', 'Cardiff', 53.43, -3.08],
  ['francecentral', 'France Central', 'Paris', 46.38, 2.37],
  ['francesouth', 'France South', 'Marseille', 43.83, 2.2],
  ['germanywestcentral', 'Germany West Central', 'Frankfurt', 50.11, 8.68],
  ['germanynorth', 'Germany North', 'Berlin', 53.07, 8.81],
  ['switzerlandnorth', 'Switzerland North', 'Zurich', 47.45, 8.56],
  ['switzerlandwest', 'Switzerland West', 'Geneva', 46.2, 6.14],
  ['norwayeast', 'Norway East', 'Norway', 59.91, 10.75],
  ['norwaywest', 'Norway West', 'Norway', 58.97, 5.73],
  ['swedencentral', 'Sweden Central', 'Gävle', 60.67, 17.14],
  ['polandcentral', 'Poland Central', 'Warsaw', 52.23, 21.02],
  ['italynorth', 'Italy North', 'Milan', 45.47, 9.18],
  ['spaincentral', 'Spain Central', 'Madrid', 40.43, -3.42],
  ['austriaeast', 'Austria East', 'Vienna', 48.21, 16.37],
  ['belgiumcentral', 'Belgium Central', 'Brussels', 50.85, 4.35],
  ['denmarkeast', 'Denmark East', 'Copenhagen', 55.68, 12.57],
  ['uaenorth', 'UAE North', 'Dubai', 25.27, 55.32],
  ['uaecentral', 'UAE Central', 'Abu Dhabi', 24.47, 54.37],
  ['qatarcentral', 'Qatar Central', 'Doha', 25.55, 51.44],
  ['israelcentral', 'Israel Central', 'Israel', 31.27, 33.45],
  ['southafricanorth', 'South Africa North', 'Johannesburg', -25.73, 28.22],
  ['southafricawest', 'South Africa West', 'Cape Town', -34.08, 18.84],
  ['centralindia', 'Central India', 'Pune', 18.58, 73.92],
  ['southindia', 'South India', 'Chennai', 12.98, 80.16],
  ['westindia', 'West India', 'Mumbai', 19.09, 72.87],
  ['eastasia', 'East Asia', 'Hong Kong', 22.27, 114.19],
  ['southeastasia', 'Southeast Asia', 'Singapore', 1.28, 103.83],
  ['indonesiacentral', 'Indonesia Central', 'Jakarta', -6.21, 106.85],
  ['malaysiawest', 'Malaysia West', 'Kuala Lumpur', 3.14, 101.69],
  ['japaneast', 'Japan East', 'Tokyo, Saitama', 35.68, 139.77],
  ['japanwest', 'Japan West', 'Osaka', 34.69, 135.5],
  ['koreacentral', 'Korea Central', 'Seoul', 37.57, 126.98],
  ['koreasouth', 'Korea South', 'Busan', 35.18, 129.08],
  ['australiaeast', 'Australia East', 'New South Wales', -33.86, 151.21],
  ['australiasoutheast', 'Australia Southeast', 'Victoria', -37.81, 144.96],
  ['australiacentral', 'Australia Central', 'Canberra', -35.31, 149.12],
  ['australiacentral2', 'Australia Central 2', 'Canberra', -35.31, 149.12],
  ['newzealandnorth', 'New Zealand North', 'Auckland', -36.85, 174.76],
];

const ALIBABA: Row[] = [
  ['cn-hangzhou', 'China (Hangzhou)', 'Hangzhou', 30.27, 120.16],
  ['cn-shanghai', 'China (Shanghai)', 'Shanghai', 31.23, 121.47],
  ['cn-qingdao', 'China (Qingdao)', 'Qingdao', 36.07, 120.38],
  ['cn-beijing', 'China (Beijing)', 'Beijing', 39.9, 116.41],
  ['cn-zhangjiakou', 'China (Zhangjiakou)', 'Zhangjiakou', 40.77, 114.88],
  ['cn-huhehaote', 'China (Hohhot)', 'Hohhot', 40.84, 111.75],
  ['cn-wulanchabu', 'China (Ulanqab)', 'Ulanqab', 41.03, 113.13],
  ['cn-shenzhen', 'China (Shenzhen)', 'Shenzhen', 22.54, 114.06],
  ['cn-heyuan', 'China (Heyuan)', 'Heyuan', 23.74, 114.7],
  ['cn-guangzhou', 'China (Guangzhou)', 'Guangzhou', 23.13, 113.26],
  ['cn-chengdu', 'China (Chengdu)', 'Chengdu', 30.57, 104.07],
  ['cn-hongkong', 'China (Hong Kong)', 'Hong Kong', 22.32, 114.17],
  ['ap-southeast-1', 'Singapore', 'Singapore', 1.35, 103.82],
  ['ap-southeast-3', 'Malaysia (Kuala Lumpur)', 'Kuala Lumpur', 3.14, 101.69],
  ['ap-southeast-5', 'Indonesia (Jakarta)', 'Jakarta', -6.21, 106.85],
  ['ap-southeast-6', 'Philippines (Manila)', 'Manila', 14.6, 120.98],
  ['ap-southeast-7', 'Thailand (Bangkok)', 'Bangkok', 13.76, 100.5],
  ['ap-northeast-1', 'Japan (Tokyo)', 'Tokyo', 35.68, 139.69],
  ['ap-northeast-2', 'South Korea (Seoul)', 'Seoul', 37.57, 126.98],
  ['us-west-1', 'US (Silicon Valley)', 'Silicon Valley, California', 37.39, -122.08],
  ['us-east-1', 'US (Virginia)', 'Virginia', 38.95, -77.45],
  ['eu-central-1', 'Germany (Frankfurt)', 'Frankfurt', 50.11, 8.68],
  ['eu-west-1', 'UK (London)', 'London', 51.51, -0.13],
  ['me-east-1', 'UAE (Dubai)', 'Dubai', 25.2, 55.27],
  ['me-central-1', 'Saudi Arabia (Riyadh)', 'Riyadh', 24.71, 46.68],
];

function table(rows: Row[]): ReadonlyMap<string, RegionLocation> {
  return new Map(rows.map(([code, display, city, lat, lon]) => [code, { display, city, lat, lon }]));
}

/** Region locations per provider, keyed by the provider's region code. */
export const REGION_LOCATIONS: Readonly<Record<string, ReadonlyMap<string, RegionLocation>>> = {
  aws: table(AWS),
  gcp: table(GCP),
  azure: table(AZURE),
  alibaba: table(ALIBABA),
};

export function regionLocation(provider: string, region: string): RegionLocation | undefined {
  return REGION_LOCATIONS[provider]?.get(region);
}
