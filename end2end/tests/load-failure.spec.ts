import { test, expect } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { personAt } from './fixtures/review';
import { hydrated } from './fixtures/hydration';

test("a page whose code cannot load says so, where its fields would stay off with no word why (the UX review's F31)", async ({ browser }) => {
  const seller = await personAt(browser, demo.seller6, 'My Products');
  const said = seller.getByRole('alert').filter({ hasText: 'Part of this page could not load' });
  await seller.goto('/console/tokens');
  await hydrated(seller);
  await expect(seller.getByLabel('Name')).toBeEnabled();
  await expect(seller.getByText('Part of this page could not load'), 'nothing is said when the code loads').toBeHidden();

  // The connection drops the WebAssembly (routing also turns the browser's cache off).
  await seller.route('**/*.wasm', (route) => route.abort());
  await seller.reload();
  await expect(said).toBeVisible();
  await expect(said).toContainText('Check your connection, then reload the page.');
  await expect(seller.getByLabel('Name'), 'the form is drawn but off').toBeDisabled();

  // The connection is back: a reload works.
  await seller.unroute('**/*.wasm');
  await seller.reload();
  await hydrated(seller);
  await expect(seller.getByLabel('Name')).toBeEnabled();
  await expect(seller.getByText('Part of this page could not load')).toBeHidden();
});
