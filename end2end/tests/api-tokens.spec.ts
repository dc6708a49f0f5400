import { expect, test } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { personAt } from './fixtures/review';
import { hydrated } from './fixtures/hydration';

test('a seller creates an API token, sees its secret once, uses it, and revokes it (R60)', async ({ browser, baseURL }) => {
  const seller = await personAt(browser, demo.seller3, 'My Products');
  await seller.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await seller.getByRole('navigation', { name: 'Seller Console' }).getByRole('link', { name: 'API tokens' }).click();
  await expect(seller.getByRole('heading', { level: 1, name: 'API tokens' })).toBeVisible();
  await hydrated(seller);
  await expect(seller.getByText('No tokens yet')).toBeVisible();

  await seller.getByLabel('Name').fill('Release pipeline');
  await expect(seller.getByLabel('Expires after (days)')).toHaveValue('90');
  await seller.getByLabel(/^submit/).check();
  await seller.getByRole('button', { name: 'Create token' }).click();

  // Shown once, with a button to copy it.
  const made = seller.getByRole('status').filter({ hasText: 'Token “Release pipeline” created' });
  await expect(made).toContainText('It will not be shown again.');
  const secret = await seller.getByLabel('Secret').inputValue();
  expect(secret).toMatch(/^mpt_[0-9a-f]{64}$/);
  // The secret takes the focus, and the form starts again empty, so no second token by mistake.
  await expect(seller.getByLabel('Secret')).toBeFocused();
  await expect(seller.getByLabel('Name')).toHaveValue('');
  await seller.getByRole('button', { name: 'Copy secret' }).click();
  await expect(seller.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await seller.evaluate(() => navigator.clipboard.readText())).toBe(secret);

  const row = seller.getByRole('table', { name: 'API tokens' }).getByRole('row', { name: /Release pipeline/ });
  await expect(row).toContainText('read, submit');
  await expect(row).toContainText('Never');

  // The token opens the API; the page never shows its secret again.
  const api = (token: string) => seller.request.get('/api/v1/applications', { headers: { authorization: `Bearer ${token}` } });
  expect((await api(secret)).status()).toBe(200);
  await seller.reload();
  await hydrated(seller);
  expect(await seller.content()).not.toContain(secret);
  await expect(row).not.toContainText('Never');

  // Revoked after a confirmation: refused from the next request on.
  await row.getByRole('button', { name: 'Revoke Release pipeline' }).click();
  const dialog = seller.getByRole('dialog', { name: 'Revoke this token?' });
  await expect(dialog).toContainText('“Release pipeline” will be refused');
  await dialog.getByRole('button', { name: 'Revoke token' }).click();
  await expect(row).toContainText('Revoked');
  await expect(row.getByRole('button', { name: /Revoke/ })).toHaveCount(0);
  const refused = await api(secret);
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.message).toContain('revoked');

  // The reference the page links to.
  await seller.getByRole('link', { name: 'API reference' }).click();
  await expect(seller.getByRole('heading', { level: 1, name: 'Marketplace seller API' })).toBeVisible();
});

test('a button busy with its request keeps the focus, and pressing it again sends nothing more', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller6, 'My Products');
  await seller.goto('/console/tokens');
  await hydrated(seller);
  // The answer is held back until the button has been pressed a second time.
  let sent = 0;
  let answer = () => {};
  const held = new Promise<void>((resolve) => { answer = resolve; });
  await seller.route('**/api/tokens/create', async (route) => {
    sent += 1;
    await held;
    await route.continue();
  });
  await seller.getByLabel('Name').fill('Nightly build');
  const create = seller.getByRole('button', { name: 'Creating…' }).or(seller.getByRole('button', { name: 'Create token' }));
  await create.click();
  await expect(seller.getByRole('button', { name: 'Creating…' })).toHaveAttribute('aria-disabled', 'true');
  await expect(create, 'busy, it keeps the focus').toBeFocused();
  await seller.keyboard.press('Enter');
  // A pointer press too (forced: Playwright itself waits for a button marked disabled).
  await create.click({ force: true });
  answer();
  await expect(seller.getByRole('status').filter({ hasText: 'Token “Nightly build” created' })).toBeVisible();
  expect(sent).toBe(1);
  await expect(seller.getByRole('row').filter({ hasText: 'Nightly build' })).toHaveCount(1);
});
