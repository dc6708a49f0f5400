import { expect, test } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { personAt } from './fixtures/review';
import { hydrated } from './fixtures/hydration';

test('the public site loads no script, and a page with an island loads compressed code a returning browser keeps (issue 9)', async ({ browser }) => {
  // A visitor: HTML and CSS only.
  const visitor = await (await browser.newContext()).newPage();
  const publicCode: string[] = [];
  visitor.on('response', (r) => { if (/\.(js|wasm)$/.test(new URL(r.url()).pathname)) publicCode.push(r.url()); });
  await visitor.goto('/');
  await expect(visitor.getByRole('heading', { level: 1, name: 'Virtual-machine images, ready to deploy' })).toBeVisible();
  await visitor.waitForLoadState('networkidle');
  expect(publicCode).toEqual([]);

  // A customer's account page has an island: its code arrives compressed, with hashed
  // names, cached for good.
  const customer = await personAt(browser, demo.customer, /Virtual-machine images/);
  const cdp = await customer.context().newCDPSession(customer);
  await cdp.send('Network.enable');
  const code = new Map<string, { url: string; headers: Record<string, string>; cached: boolean }>();
  const bytes = new Map<string, number>();
  cdp.on('Network.responseReceived', (e) => {
    if (/\.(js|wasm)$/.test(new URL(e.response.url).pathname)) {
      code.set(e.requestId, { url: e.response.url, headers: e.response.headers, cached: !!(e.response.fromDiskCache || e.response.fromMemoryCache) });
    }
  });
  cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
  await customer.goto('/account');
  await hydrated(customer);
  await customer.waitForLoadState('networkidle');
  const first = [...code.values()];
  expect(first.some((r) => r.url.endsWith('.wasm'))).toBeTruthy();
  for (const response of first) {
    const header = (name: string) => Object.entries(response.headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
    expect(header('content-encoding'), response.url).toMatch(/^(br|gzip)$/);
    expect(header('cache-control'), response.url).toContain('immutable');
    expect(response.url, 'a content hash in the name').toMatch(/\.[A-Za-z0-9_-]{22}\.(js|wasm)$/);
  }

  // A second visit downloads no code: every script and WASM file comes from the cache.
  code.clear();
  bytes.clear();
  await customer.goto('/account');
  await hydrated(customer);
  await customer.waitForLoadState('networkidle');
  const again = [...code.entries()];
  expect(again.length).toBeGreaterThan(0);
  for (const [id, response] of again) {
    expect(response.cached || (bytes.get(id) ?? 0) === 0, `${response.url} was downloaded again`).toBeTruthy();
  }
  await expect(customer.getByRole('button', { name: 'Sign out everywhere' })).toBeEnabled();
});
