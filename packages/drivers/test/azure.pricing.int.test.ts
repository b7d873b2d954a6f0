/** Azure prices from Cloud-Twin's Azure Retail Prices API through the driver's REST client. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '@cloud-barista/core';
import { AZURE_REGIONS, AZURE_VM_SIZES, azurePrice } from '@cloud-barista/twin';
import { driverRegistry } from '../src/index.js';
import { linuxHourly, retailPricesBase } from '../src/pricing/azure-retail.js';
import { azureConnection, bootTwin, CLIENT_SECRET, type Twin } from './azure-twin.js';

let twin: Twin;
let booted: Awaited<ReturnType<typeof bootTwin>>;
const saved = process.env.CB_AZURE_RETAIL_PRICES_URL;
beforeAll(async () => {
  booted = await bootTwin(20_000 + Math.floor(Math.random() * 40_000));
  twin = booted.twin;
  // The twin serves the Retail Prices API on its main listener (the ARM listener is the endpoint).
  process.env.CB_AZURE_RETAIL_PRICES_URL = twin.endpoints.aws;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.CB_AZURE_RETAIL_PRICES_URL;
  else process.env.CB_AZURE_RETAIL_PRICES_URL = saved;
  await booted.cleanup();
});

describe('Azure driver prices (Retail Prices API)', () => {
  it('prices every size of the region at its Linux pay-as-you-go rate, over several pages', async () => {
    const factory = await driverRegistry.load('azure');
    const region = AZURE_REGIONS.find((r) => r.name === 'koreacentral')!;
    const d = factory({ connection: azureConnection(twin), credentials: CLIENT_SECRET });
    try {
      const out = await d.catalog.listPrices!();
      expect(out.source).toMatch(/^Azure Retail Prices API \(127\.0\.0\.1:\d+, Virtual Machines koreacentral, Linux pay-as-you-go\)$/);
      const sizes = AZURE_VM_SIZES.filter((s) => !s.notIn?.includes('koreacentral') && (!s.onlyIn || s.onlyIn.includes('koreacentral')));
      expect(out.prices).toHaveLength(sizes.length);
      for (const s of sizes) expect(out.prices.find((p) => p.spec === s.name)?.pricePerHour, s.name).toBe(azurePrice(s, region));
    } finally {
      d.close();
    }
  });

  it('an endpoint that does not serve the API gives a ProviderError with its code', async () => {
    const factory = await driverRegistry.load('azure');
    const d = factory({ connection: azureConnection(twin), credentials: CLIENT_SECRET });
    const env = process.env.CB_AZURE_RETAIL_PRICES_URL;
    // A base under which the twin's ARM host has no route.
    process.env.CB_AZURE_RETAIL_PRICES_URL = `${twin.endpoints.azure}/nothing-here`;
    try {
      await expect(d.catalog.listPrices!()).rejects.toSatisfy((e) => e instanceof ProviderError && e.code === 'NotFound' && e.httpStatus === 404);
    } finally {
      if (env === undefined) delete process.env.CB_AZURE_RETAIL_PRICES_URL;
      else process.env.CB_AZURE_RETAIL_PRICES_URL = env;
      d.close();
    }
  });

  it("without an override the connection's own endpoint answers (the twin's ARM host serves the API)", async () => {
    const factory = await driverRegistry.load('azure');
    const d = factory({ connection: azureConnection(twin), credentials: CLIENT_SECRET });
    const env = process.env.CB_AZURE_RETAIL_PRICES_URL;
    delete process.env.CB_AZURE_RETAIL_PRICES_URL;
    try {
      const { prices, source } = await d.catalog.listPrices!();
      expect(prices.length).toBeGreaterThan(0);
      expect(source).toMatch(/Retail Prices/);
    } finally {
      if (env !== undefined) process.env.CB_AZURE_RETAIL_PRICES_URL = env;
      d.close();
    }
  });

  it('keeps Linux pay-as-you-go hourly rows only, and picks the endpoint', () => {
    const row = { armSkuName: 'Standard_D2s_v5', unitOfMeasure: '1 Hour', type: 'Consumption', productName: 'Virtual Machines Dsv5 Series', skuName: 'D2s v5', retailPrice: 0.096 };
    const prices = linuxHourly([
      row,
      { ...row, productName: 'Virtual Machines Dsv5 Series Windows', retailPrice: 0.188 },
      { ...row, skuName: 'D2s v5 Spot', retailPrice: 0.0192 },
      { ...row, skuName: 'D2s v5 Low Priority', retailPrice: 0.0192 },
      { ...row, type: 'Reservation', retailPrice: 500 },
    ]);
    expect([...prices]).toEqual([['Standard_D2s_v5', 0.096]]);
    const conn = azureConnection(twin);
    expect(retailPricesBase({ ...conn, endpoint: undefined }, {})).toBe('https://prices.azure.com');
    expect(retailPricesBase(conn, {})).toBe(twin.endpoints.azure);
  });
});
