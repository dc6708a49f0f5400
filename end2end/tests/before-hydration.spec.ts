import { test, expect } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { personAt } from './fixtures/review';
import { hydrated } from './fixtures/hydration';

// A page is drawn on the server and its islands come alive when their code has run. Until
// then an island is a drawing of a form: what is chosen or typed into it would be thrown
// away when it hydrates (or a purchase form would show one choice and buy another), so its
// fields are disabled until then, and drawn with the values they will have.
test("an island's fields wait until its code has run, drawn with their values, then take input (the seventh UX review)", async ({ browser }) => {
  const seller = await personAt(browser, demo.seller4, 'My Products');
  // A slow network: every WASM file arrives 1.5 s late.
  await seller.route(/\.wasm$/, async (route) => {
    await new Promise((done) => setTimeout(done, 1500));
    await route.continue();
  });
  await seller.goto('/console/tokens', { waitUntil: 'domcontentloaded' });
  await expect(seller.locator('body')).not.toHaveAttribute('data-hydrated');
  // Drawn as it will be once live (90 days, the read scope), but not yet taking input.
  const days = seller.getByLabel('Expires after (days)');
  await expect(days).toHaveValue('90');
  await expect(days).toBeDisabled();
  await expect(seller.locator('#scope-read')).toBeChecked();
  await expect(seller.getByRole('button', { name: 'Create token' })).toBeDisabled();
  // The page itself is there to read: the list of tokens is not held back.
  await expect(seller.getByRole('heading', { level: 1, name: 'API tokens' })).toBeVisible();

  await hydrated(seller);
  await expect(days).toBeEnabled();
  await seller.getByLabel('Name').fill('early bird');
  await seller.getByLabel('Expires after (days)').fill('30');
  await seller.getByRole('button', { name: 'Create token' }).click();
  await expect(seller.getByRole('row', { name: /early bird/ })).toBeVisible();
});
