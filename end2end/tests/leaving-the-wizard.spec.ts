import { expect, test } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { personAt } from './fixtures/review';
import { ReleaseWizard } from './fixtures/release-wizard';
import { hydrated } from './fixtures/hydration';
import { DraftsPage } from './fixtures/drafts-page';
import { SignInPage } from './fixtures/sign-in-page';
import type { Browser, Page } from '@playwright/test';

/** Seller3 in the wizard, on Add Details, with the product named `name` (not saved yet). */
async function wizardNaming(browser: Browser, name: string) {
  const page = await personAt(browser, demo.seller3, 'My Products');
  const wizard = new ReleaseWizard(page);
  await wizard.open();
  await wizard.step('Add Details');
  await page.getByLabel('Product name').fill(name);
  return { page, wizard };
}

/** In tab `other` of the same browser: signs out whoever is signed in, then signs in `account`. */
async function signInThere(other: Page, account: { email: string; password: string }) {
  await other.bringToFront();
  await other.goto('/console/products');
  const signOut = other.getByRole('button', { name: 'Sign out', exact: true });
  if (await signOut.count()) {
    await signOut.click();
    await expect(other.getByRole('link', { name: 'Sign in' }).first()).toBeVisible();
  }
  const signIn = new SignInPage(other);
  await signIn.goto();
  await signIn.signIn(account);
  await expect(other.getByRole('heading', { level: 1, name: 'My Products' })).toBeVisible();
}

/** Seller3's wizard naming `name`, then another seller (seller6) signed in in a second tab
 *  of the same browser; back on the wizard's tab. */
async function wizardThenAnotherSeller(browser: Browser, name: string) {
  const { page, wizard } = await wizardNaming(browser, name);
  const other = await page.context().newPage();
  await signInThere(other, demo.seller6);
  await page.bringToFront();
  return { page, wizard, other };
}

/** Back to the wizard's tab. Headless pages all keep the focus, so coming back to the tab
 *  is sent as the browser would send it. */
async function comeBackTo(page: Page) {
  await page.bringToFront();
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
}

test('reloading right after typing shows the edit, and the next edit saves over it, not into a conflict (R31, R33)', async ({ browser }) => {
  const { page, wizard } = await wizardNaming(browser, 'Reloaded at once');
  await expect(wizard.saveStatus()).toContainText('Saved at', { timeout: 10_000 });

  // The save sent as the page goes is held back until the reloaded page has read the draft:
  // the reloaded page opens the draft as it was before that save.
  let letThrough = () => {};
  const held = new Promise<void>((resolve) => { letThrough = resolve; });
  await page.route('**/api/drafts/save', async (route) => {
    await held;
    await route.continue();
  }, { times: 1 });
  page.on('dialog', (dialog) => dialog.accept());
  await page.getByLabel('Summary').fill('Typed just before the reload');
  await expect(wizard.saveStatus()).toHaveText('Not saved yet');
  await page.reload();
  await hydrated(page);
  await wizard.step('Add Details');
  await expect(page.getByLabel('Summary'), 'the edit is there after the reload').toHaveValue('Typed just before the reload');
  letThrough();
  await expect(wizard.saveStatus()).toContainText('Saved at', { timeout: 10_000 });

  // No tab but this one: the next edit is saved, not refused as another tab's.
  await page.getByLabel('Summary').fill('Typed after the reload');
  await page.getByRole('button', { name: 'Save as Draft' }).click();
  await expect(wizard.saveStatus()).toContainText('Saved at');
  await expect(page.getByRole('alert').filter({ hasText: 'saved in another tab' })).toHaveCount(0);
  await page.goto('/console/drafts');
  await expect(page.getByRole('rowheader', { name: 'Reloaded at once', exact: true }), 'one draft, not two').toHaveCount(1);
  await page.context().close();
});

test('a link clicked while saves fail asks before leaving, and a seller signed out elsewhere is saved on coming back (R31)', async ({ browser }) => {
  const { page, wizard } = await wizardNaming(browser, 'Kept through trouble');
  await expect(wizard.saveStatus()).toContainText('Saved at', { timeout: 10_000 });

  // The server cannot be reached: a console link asks, and staying keeps the page.
  await page.route('**/api/drafts/save', (route) => route.abort());
  await page.getByLabel('Summary').fill('Typed while the server was away');
  await expect(wizard.saveStatus()).toContainText('Not saved: the connection to the server was lost', { timeout: 10_000 });
  const asked: string[] = [];
  page.once('dialog', (dialog) => { asked.push(dialog.message()); dialog.dismiss(); });
  await page.getByRole('navigation', { name: 'Seller Console' }).getByRole('link', { name: 'My Products' }).click();
  await expect.poll(() => asked.length).toBe(1);
  expect(asked[0]).toContain('Your latest edits are not saved');
  await expect(page.getByRole('heading', { level: 1, name: 'Release New Product' })).toBeVisible();
  await expect(page.getByLabel('Summary')).toHaveValue('Typed while the server was away');

  // Signed out in another tab: the edits stay, and are saved once the seller, signed in
  // again, comes back to this tab.
  await page.unroute('**/api/drafts/save');
  const other = await page.context().newPage();
  await other.goto('/console/products');
  await other.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(other.getByRole('link', { name: 'Sign in' }).first()).toBeVisible();
  await page.bringToFront();
  await page.getByLabel('Summary').fill('Typed while signed out');
  await page.getByRole('button', { name: 'Save as Draft' }).click();
  await expect(wizard.saveStatus()).toContainText('you were signed out');
  await signInThere(other, demo.seller3);
  await comeBackTo(page);
  await expect(wizard.saveStatus()).toContainText('Saved at', { timeout: 10_000 });
  await page.context().close();
});

test('a wizard left open while another account signs in, in another tab, saves nothing as that account (R31)', async ({ browser }) => {
  const { page, wizard, other } = await wizardThenAnotherSeller(browser, 'Typed by the first seller');
  await page.getByRole('button', { name: 'Save as Draft' }).click();
  await expect(wizard.saveStatus()).toContainText('another account signed in since this page opened');
  await other.goto('/console/drafts');
  await expect(other.getByRole('rowheader', { name: 'Typed by the first seller' }), 'nothing saved as the other seller').toHaveCount(0);

  // The first seller signs in again there and comes back: the edits are saved as theirs.
  await signInThere(other, demo.seller3);
  await comeBackTo(page);
  await expect(wizard.saveStatus()).toContainText('Saved at', { timeout: 10_000 });
  await other.goto('/console/drafts');
  await expect(other.getByRole('rowheader', { name: 'Typed by the first seller' })).toHaveCount(1);
  await page.context().close();
});

test('a draft deleted in another tab while its wizard is open: the edits there are kept as a new draft (R31)', async ({ browser }) => {
  const { page, wizard } = await wizardNaming(browser, 'Deleted elsewhere');
  await page.getByRole('button', { name: 'Save as Draft' }).click();
  await expect(wizard.saveStatus()).toContainText('Saved at');

  const other = await page.context().newPage();
  const drafts = new DraftsPage(other);
  await drafts.goto();
  const dialog = await drafts.askToDelete('Deleted elsewhere');
  await dialog.getByRole('button', { name: 'Delete draft' }).click();
  await expect(drafts.draft('Deleted elsewhere')).toHaveCount(0);

  await page.bringToFront();
  await page.getByLabel('Summary').fill('Typed after it was deleted');
  await page.getByRole('button', { name: 'Save as Draft' }).click();
  await expect(wizard.saveStatus()).toContainText('no longer saved');
  await page.getByRole('button', { name: 'Save as Draft' }).click();
  await expect(wizard.saveStatus()).toContainText('Saved at');
  await drafts.goto();
  await expect(drafts.draft('Deleted elsewhere'), 'kept as a new draft').toHaveCount(1);
  await page.context().close();
});

test('reloading after another account signed in, in another tab, gives that account none of the edits (R31)', async ({ browser }) => {
  const { page, wizard, other } = await wizardThenAnotherSeller(browser, 'Not for the other seller');
  page.on('dialog', (dialog) => dialog.accept());
  // Unsaved, or refused as another account's: either way the edits go with the page.
  await page.reload();
  await hydrated(page);
  await wizard.step('Add Details');
  await expect(page.getByLabel('Product name'), 'the other seller\'s wizard starts empty').toHaveValue('');
  await other.goto('/console/drafts');
  await expect(other.getByText('Not for the other seller')).toHaveCount(0);
  // Nor is anything saved for them a moment later.
  await page.waitForTimeout(3_000);
  await other.reload();
  await expect(other.getByRole('heading', { level: 1, name: 'Drafts' })).toBeVisible();
  await expect(other.getByText('Not for the other seller')).toHaveCount(0);
  await page.context().close();
});
