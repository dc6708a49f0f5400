import { expect, test } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { Console } from './fixtures/console';
import { ImageAssetsPage } from './fixtures/image-assets-page';
import { SignInPage } from './fixtures/sign-in-page';

test('a seller sees why images cannot be released, releases the eligible one, and another seller does not see it (R1–R8)', async ({ page }) => {
  const signIn = new SignInPage(page);
  const console = new Console(page);
  const assets = new ImageAssetsPage(page);

  await signIn.goto();
  await signIn.signIn(demo.seller);
  await expect(page.getByRole('heading', { level: 1, name: 'My Products' })).toBeVisible();
  await console.open('Image Assets');

  // Every ineligible demo image names the rule it breaks.
  const reasons: Array<[string, string]> = [
    ['singapore-copy', 'R1'],
    ['imported-debian', 'R2'],
    ['partner-shared', 'R3'],
    ['encrypted-db', 'R4'],
    ['released-earlier', 'R5'],
    ['full-ecs-backup', 'R6'],
    ['data-volume', 'R6'],
    ['from-external-share', 'R7'],
    ['from-market-image', 'R7'],
    ['oversized-windows', 'R8'],
  ];
  for (const [name, rule] of reasons) {
    const row = assets.imageRow(name);
    // The rule is data on the message (read aloud, the message is only words).
    await expect(row.locator(`[data-rule="${rule}"]`).first()).toBeVisible();
    await expect(row.locator('.violations')).not.toContainText(/R\d/);
    await expect(row).toContainText('Cannot be released');
    await expect(row.getByRole('button', { name: 'Release as asset' })).toHaveCount(0);
  }
  await expect(assets.imageRow('oversized-windows')).toContainText('at most 128 GB');

  // An image that breaks three rules lists all three at once, each in words with its rule as data.
  const many = assets.imageRow('shared-encrypted-large');
  for (const rule of ['R3', 'R4', 'R8']) {
    await expect(many.locator(`[data-rule="${rule}"]`)).toHaveCount(1);
  }
  await expect(many.locator('.violations li')).toHaveCount(3);
  await expect(many.locator('.violations')).not.toContainText(/R\d/);

  await expect(assets.assets()).toContainText('No image assets yet');
  await assets.release('ubuntu-web-stack');
  await expect(page.getByRole('status').filter({ hasText: 'ubuntu-web-stack is now an image asset.' })).toBeVisible();
  // The pressed button has gone with the row's old state: the outcome takes the focus.
  await expect(page.getByRole('status').filter({ hasText: 'ubuntu-web-stack is now an image asset.' })).toBeFocused();
  // And says where to go on: a new product, or a draft waiting for an asset.
  const said = page.getByRole('status').filter({ hasText: 'ubuntu-web-stack is now an image asset.' });
  await expect(said.getByRole('link', { name: 'Release New Product' })).toHaveAttribute('href', '/console/products/new');
  await expect(said.getByRole('link', { name: 'Drafts' })).toHaveAttribute('href', '/console/drafts');
  await expect(assets.assets().getByRole('cell', { name: 'ubuntu-web-stack' })).toBeVisible();
  await expect(assets.imageRow('ubuntu-web-stack')).toContainText('Image asset');

  // Still there after a reload: it was saved, not only shown.
  await assets.goto();
  await expect(assets.assets().getByRole('cell', { name: 'ubuntu-web-stack' })).toBeVisible();

  await console.signOut();

  await signIn.goto();
  await signIn.signIn(demo.seller2);
  await expect(page.getByRole('heading', { level: 1, name: 'My Products' })).toBeVisible();
  await assets.goto();
  await expect(assets.imageRow('rocky-hardened')).toBeVisible();
  await expect(page.getByText('ubuntu-web-stack')).toHaveCount(0);
  await expect(assets.assets()).toContainText('No image assets yet');
  await console.signOut();
});

test('a wrong password is refused with a clear message', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn({ email: demo.seller.email, password: 'not-the-password' });
  await expect(signIn.error()).toHaveText('The email or password is not correct.');
});

test('a signed-out visitor sees the marketplace and is sent to sign in from the console', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Virtual-machine images, ready to deploy' })).toBeVisible();
  await expect(page.getByRole('search')).toBeVisible();
  await page.goto('/console/drafts');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fconsole%2Fdrafts$/);
});

test('the console navigation uses the seed words and each page says what to do next', async ({ page }) => {
  const signIn = new SignInPage(page);
  const console = new Console(page);
  await signIn.goto();
  // The seller who has just joined: no requests and no messages, whatever the other specs did.
  await signIn.signIn(demo.seller3);
  await console.open('My Applications');
  await expect(page.getByText('No release requests')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Release New Product' })).toBeVisible();
  await console.open('Messages');
  await expect(page.getByText('No messages')).toBeVisible();
  for (const section of ['Drafts', 'Image Assets', 'My Products'] as const) {
    await console.open(section);
  }
  await expect(console.nav().getByRole('link', { name: 'My Products' })).toHaveAttribute('aria-current', 'page');
});
