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
    expect(header('vary'), 'caches keep each encoding apart').toMatch(/accept-encoding/i);
    expect(response.url, 'a content hash in the name').toMatch(/\.[A-Za-z0-9_-]{22}\.(js|wasm)$/);
    expect(header('x-content-type-options'), 'code is never taken for a page').toBe('nosniff');
    // The headers only a document obeys are sent with pages, not with each of a page's files.
    expect(header('content-security-policy') + header('x-frame-options'), response.url).toBe('');
    expect(header('last-modified'), 'a hashed name has nothing to revalidate').toBe('');
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

test('the wizard loads a bundle of its own: one WASM file, compressed and kept, with the last two steps fetched when the first is left (issue 9)', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller5, 'My Products');
  const cdp = await seller.context().newCDPSession(seller);
  await cdp.send('Network.enable');
  const code = new Map<string, { path: string; initiators: string[]; headers: Record<string, string> }>();
  cdp.on('Network.requestWillBeSent', (e) => {
    const path = new URL(e.request.url).pathname;
    if (!/\.(js|wasm)$/.test(path)) return;
    const seen = code.get(path) ?? { path, initiators: [], headers: {} };
    seen.initiators.push(e.initiator.type);
    code.set(path, seen);
  });
  cdp.on('Network.responseReceived', (e) => {
    const seen = code.get(new URL(e.response.url).pathname);
    if (seen) seen.headers = e.response.headers;
  });
  await seller.goto('/console/products/new');
  await expect(seller.getByRole('heading', { level: 1, name: 'Release New Product' })).toBeVisible();
  await hydrated(seller);
  await seller.waitForLoadState('networkidle');

  // One WASM file, the wizard's, requested once, by the page's own preload; its scripts
  // come from the wizard's bundle too, and nothing of the console's bundle is loaded.
  const wasm = [...code.values()].filter((c) => c.path.endsWith('.wasm'));
  expect(wasm.map((c) => c.path)).toEqual([expect.stringMatching(/^\/wizard-pkg\/marketplace\.[A-Za-z0-9_-]{22}\.wasm$/)]);
  expect(wasm[0].initiators, 'requested once, by its preload').toEqual(['parser']);
  for (const c of code.values()) {
    expect(c.path, 'from the wizard\'s bundle').toMatch(/^\/wizard-pkg\//);
    const header = (name: string) => Object.entries(c.headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
    expect(header('content-encoding'), c.path).toMatch(/^(br|gzip)$/);
    expect(header('cache-control'), c.path).toContain('immutable');
  }
  expect([...code.keys()].filter((p) => /\/split_later_steps[._]/.test(p)), 'the last two steps wait').toEqual([]);

  // Leaving the first step fetches the last two steps' code, and the wizard goes on answering.
  await seller.getByRole('navigation', { name: 'Release steps' }).getByRole('button', { name: 'Add Details' }).click();
  await expect(seller.getByLabel('Product name')).toBeVisible();
  await expect.poll(() => [...code.keys()].filter((p) => /^\/wizard-pkg\/split_later_steps[._]/.test(p)).length).toBe(1);
  await seller.getByRole('navigation', { name: 'Release steps' }).getByRole('button', { name: 'Review and submit' }).click();
  await expect(seller.getByRole('table', { name: 'Product Release Description' })).toBeVisible();
  await seller.context().close();
});

test('a page names its lazy island files in the page, so they download beside the main module, each once (issue 9)', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller5, 'My Products');
  const cdp = await seller.context().newCDPSession(seller);
  await cdp.send('Network.enable');
  const initiators = new Map<string, string[]>();
  cdp.on('Network.requestWillBeSent', (e) => {
    const path = new URL(e.request.url).pathname;
    if (path.endsWith('.wasm')) initiators.set(path, [...(initiators.get(path) ?? []), e.initiator.type]);
  });
  await seller.goto('/account');
  await hydrated(seller);
  await seller.waitForLoadState('networkidle');

  // Sign out everywhere is a lazy island: the page names its module and the shared chunks
  // it needs (beside the main module, which Leptos preloads itself).
  const preloaded = (
    await seller.locator('link[rel="preload"][href$=".wasm"]').evaluateAll((links) =>
      links.map((l) => new URL((l as HTMLLinkElement).href).pathname),
    )
  ).filter((p) => !/\/marketplace\.[^/]*\.wasm$/.test(p));
  expect(preloaded.filter((p) => /^\/pkg\/split_sign_out_everywhere_button_loader_/.test(p)), 'the island module is preloaded').toHaveLength(1);
  expect(new Set(preloaded).size, 'each file is named once').toBe(preloaded.length);

  // Exactly the files the page needs were preloaded, and each was requested once, by its
  // preload: none by the split loader's own fetch (a file missing from the preloads, or a
  // preload the loader's request does not match, is fetched by the script).
  const requested = [...initiators.keys()].filter((p) => !/\/marketplace\.[^/]*\.wasm$/.test(p));
  expect([...requested].sort()).toEqual([...preloaded].sort());
  for (const [path, by] of initiators) {
    expect(by, `${path} was requested once, by its preload`).toEqual(['parser']);
  }
  await expect(seller.getByRole('button', { name: 'Sign out everywhere' })).toBeEnabled();
  await seller.context().close();
});

test('a step whose code has not arrived yet says so, then draws (issue 9)', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller5, 'My Products');
  let arrive = () => {};
  const held = new Promise<void>((resolve) => (arrive = resolve));
  await seller.route(/\/split_later_steps[._]/, async (route) => {
    await held;
    await route.continue();
  });
  await seller.goto('/console/products/new');
  await hydrated(seller);
  await seller.getByRole('navigation', { name: 'Release steps' }).getByRole('button', { name: 'Product Specification' }).click();
  const loading = seller.getByRole('status').filter({ hasText: 'Loading this step…' });
  await expect(loading).toBeVisible();
  arrive();
  await expect(loading).toBeHidden();
  await expect(
    seller.getByRole('button', { name: 'Add specification' }).or(seller.getByRole('heading', { name: 'Release an image asset first' })),
  ).toBeVisible();
  await seller.context().close();
});

test('a step whose code cannot be fetched says so, the wizard goes on working, and it loads when tried again (issue 9)', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller5, 'My Products');
  const step = /\/split_later_steps[._]/;
  await seller.route(step, (route) => route.abort('internetdisconnected'));
  await seller.goto('/console/products/new');
  await hydrated(seller);
  const steps = seller.getByRole('navigation', { name: 'Release steps' });
  await steps.getByRole('button', { name: 'Product Specification' }).click();
  const alert = seller.getByRole('alert').filter({ hasText: 'This step could not be loaded' });
  await expect(alert).toBeVisible();

  // The rest of the wizard still answers: a field's rule, and a save.
  await steps.getByRole('button', { name: 'Add Details' }).click();
  await seller.getByLabel('Product name').fill('x'.repeat(61));
  await expect(seller.locator('.field-error').filter({ hasText: 'at most 60 characters' }).first()).toBeVisible();
  await seller.getByRole('button', { name: 'Save as Draft' }).click();
  await expect(seller.getByRole('status').filter({ hasText: /^Saved at/ })).toBeVisible();

  // Back on the step it fails again; once the network is back, trying again loads it.
  await steps.getByRole('button', { name: 'Product Specification' }).click();
  await expect(alert).toBeVisible();
  await seller.unroute(step);
  await seller.getByRole('button', { name: 'Try again' }).click();
  await expect(alert).toBeHidden();
  await expect(
    seller.getByRole('button', { name: 'Add specification' }).or(seller.getByRole('heading', { name: 'Release an image asset first' })),
  ).toBeVisible();
  await seller.context().close();
});
