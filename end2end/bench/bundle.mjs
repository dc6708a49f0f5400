// Browser half of scripts/bench-bundle: what Chromium transfers for each page on a cold cache
// (its own count: encodedDataLength, bytes on the wire), what a second visit transfers, and
// how soon the wizard answers input and the product page is drawn, unthrottled and on the
// slow mobile profile web performance tools use. Prints figures; asserts nothing.
import { chromium } from '@playwright/test';

const base = process.argv[2].replace(/\/$/, '');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// 150 ms round trip, 1.6 Mbit/s down, 0.75 Mbit/s up.
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

/** A fresh browser context (cold cache), signed in through the API when `account` is given,
 *  so no page of it has been loaded yet. */
async function person(account) {
  const context = await browser.newContext({ baseURL: base });
  if (account) {
    const response = await context.request.post('/api/session/sign-in', { form: account, maxRedirects: 0 });
    if (response.status() >= 400) throw new Error(`sign-in as ${account.email}: ${response.status()}`);
  }
  return context;
}

async function hydrated(page) {
  await page.waitForFunction(() => !document.querySelector('leptos-island') || document.body.hasAttribute('data-hydrated'));
}

/** Loads `path` in `page` and counts what crossed the wire, by kind, until the page's islands
 *  are hydrated and the network is quiet. */
async function transfer(page, path) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const kinds = new Map();
  const byKind = { html: 0, css: 0, js: 0, wasm: 0, data: 0, other: 0 };
  let cached = 0;
  cdp.on('Network.responseReceived', (e) => {
    const url = e.response.url;
    const kind = e.type === 'Document' ? 'html'
      : url.endsWith('.css') ? 'css'
      : url.endsWith('.js') ? 'js'
      : url.endsWith('.wasm') ? 'wasm'
      : url.includes('/api/') || url.endsWith('.json') ? 'data' : 'other';
    kinds.set(e.requestId, kind);
    if (e.response.fromDiskCache || e.response.fromMemoryCache) cached++;
  });
  cdp.on('Network.requestServedFromCache', () => cached++);
  cdp.on('Network.loadingFinished', (e) => {
    const kind = kinds.get(e.requestId) ?? 'other';
    byKind[kind] += e.encodedDataLength;
  });
  await page.goto(path, { waitUntil: 'load' });
  await hydrated(page);
  await page.waitForLoadState('networkidle');
  await cdp.detach();
  const total = Object.values(byKind).reduce((a, b) => a + b, 0);
  return { total, byKind, requests: kinds.size, cached };
}

const seller = { email: 'seller2@example.com', password: 'seller-demo-2' };
const reviewer = { email: 'reviewer@example.com', password: 'reviewer-demo' };

/** A product the seller releases, on one of its demo images; returns its request id. */
async function submitted(context, imageId, name) {
  const released = await context.request.post('/api/images/release', { form: { image_id: imageId } });
  const asset = await released.json();
  const content = {
    sales_type: 'Standard', delivery_method: 'Image', pricing_mode: 'Charged', name,
    summary: `${name}, ready to run with security updates.`,
    description: 'A maintained image: the base system hardened, the services configured, updates applied monthly.',
    category: 'Developer tools', version: '1.0', support_email: 'support@example.com',
    specifications: [{ asset_id: asset.id, regions: ['eu-dublin', 'eu-paris'], template: 'Vcpu', billing: [true, true, false],
      simple_prices: ['', '', ''], tiers: [{ vcpus: '2', prices: ['0.10', '50', ''] }, { vcpus: '4', prices: ['0.20', '95', ''] }] }],
  };
  const response = await context.request.post('/api/release/submit', { data: { draft: null, content } });
  return (await response.json()).request_id;
}

// What the measured pages show: a listed product and a request waiting for review.
const ids = {};
{
  const sellerContext = await person(seller);
  const reviewerContext = await person(reviewer);
  const listed = await submitted(sellerContext, 'img-demo2-postgres', 'Postgres on Debian');
  await reviewerContext.request.post('/api/review/decide', { form: { id: listed, action: 'Approve', reason: '' } });
  ids.pending = await submitted(sellerContext, 'img-demo2-nginx', 'Nginx on Alpine');
  const page = await sellerContext.newPage();
  await page.goto('/');
  ids.product = (await page.getByRole('link', { name: 'Postgres on Debian' }).getAttribute('href')).split('/').pop();
  await sellerContext.close();
  await reviewerContext.close();
}
const pages = [
  ['public home /', null, '/', 50],
  ['public product page', null, `/products/${ids.product}`, 50],
  ['My Products (seller)', seller, '/console/products', 200],
  ['Release New Product (wizard)', seller, '/console/products/new', 250],
  ['review queue (reviewer)', reviewer, '/review', 200],
  ['a request to review (reviewer)', reviewer, `/review/${ids.pending}`, 200],
];

const kib = (n) => (n / 1024).toFixed(1);
console.log('\nbytes a browser transfers on a cold cache (Chromium encodedDataLength, KiB):');
console.log(`  ${'page'.padEnd(34)} ${'total'.padStart(7)} ${'goal'.padStart(6)}   html    css     js   wasm  other  requests`);
for (const [name, account, path, goal] of pages) {
  const context = await person(account);
  const page = await context.newPage();
  const cold = await transfer(page, path);
  const b = cold.byKind;
  console.log(`  ${name.padEnd(34)} ${kib(cold.total).padStart(7)} ${String(goal).padStart(6)} ${kib(b.html).padStart(6)} ${kib(b.css).padStart(6)} ${kib(b.js).padStart(6)} ${kib(b.wasm).padStart(6)} ${kib(b.data + b.other).padStart(6)} ${String(cold.requests).padStart(9)}`);
  const warm = await transfer(page, path);
  if (cold.byKind.wasm > 0 || cold.byKind.js > 0) {
    console.log(`  ${''.padEnd(34)} second visit: ${kib(warm.total)} KiB, of which JS ${kib(warm.byKind.js)} and WASM ${kib(warm.byKind.wasm)} KiB (${warm.cached} answers from the cache)`);
  }
  await context.close();
}

/** A new page for `account` (or a visitor), its network throttled as `throttle` says. */
async function pageOn(account, throttle) {
  const context = await person(account);
  const page = await context.newPage();
  if (throttle) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', throttle);
  }
  return { context, page };
}

/** Milliseconds from the start of navigation until the wizard's Product name shows its live
 *  rule message for what was typed. */
async function wizardAnswers(throttle) {
  const { context, page } = await pageOn(seller, throttle);
  const start = Date.now();
  await page.goto('/console/products/new', { waitUntil: 'commit' });
  await hydrated(page);
  await page.getByRole('navigation', { name: 'Release steps' }).getByRole('button', { name: 'Add Details' }).click();
  await page.getByLabel('Product name').fill('x'.repeat(61));
  await page.locator('[data-rule="R15"], .field-error').filter({ hasText: 'at most 60 characters' }).first().waitFor();
  const ms = Date.now() - start;
  await context.close();
  return ms;
}

/** Milliseconds from the start of navigation until the public product page has loaded
 *  everything it draws with (the load event). */
async function productDrawn(throttle) {
  const { context, page } = await pageOn(null, throttle);
  const start = Date.now();
  await page.goto(`/products/${ids.product}`, { waitUntil: 'load' });
  const ms = Date.now() - start;
  await context.close();
  return ms;
}

const median = async (f) => {
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await f());
  runs.sort((a, b) => a - b);
  return `median ${runs[2]} ms (runs ${runs.join(', ')})`;
};
console.log('\ntimes on a cold cache, median of 5 (goal with the slow profile: wizard 2500 ms, product page 1000 ms):');
console.log(`  wizard answers input, unthrottled:            ${await median(() => wizardAnswers(null))}`);
console.log(`  wizard answers input, 150 ms / 1.6 Mbit/s:    ${await median(() => wizardAnswers(SLOW_4G))}`);
console.log(`  product page drawn, unthrottled:              ${await median(() => productDrawn(null))}`);
console.log(`  product page drawn, 150 ms / 1.6 Mbit/s:      ${await median(() => productDrawn(SLOW_4G))}`);
await browser.close();
