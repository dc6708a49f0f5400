import { expect, test } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { ReleaseWizard } from './fixtures/release-wizard';
import { SignInPage } from './fixtures/sign-in-page';
import { hydrated } from './fixtures/hydration';

async function signInAs(page: import('@playwright/test').Page, account: { email: string; password: string }) {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn(account);
  await expect(page.getByRole('heading', { level: 1, name: 'My Products' })).toBeVisible();
}

test('a full release with the simple template reserves its image (R10–R12, R15, R16, R18, R21, R22, R52)', async ({ page }) => {
  const wizard = new ReleaseWizard(page);
  await signInAs(page, demo.seller2);
  await wizard.releaseAsset('img-demo2-postgres');

  await wizard.open();
  await wizard.basics('Charged, with a Pricing Template');
  await wizard.next();
  await expect(page.getByRole('heading', { level: 2, name: 'Add Details' })).toBeVisible();
  await wizard.details('Postgres on Debian');
  await wizard.next();
  await page.getByRole('button', { name: 'Add specification' }).click();
  const spec = wizard.spec(1);
  await spec.getByLabel('Image asset').selectOption({ label: 'debian-postgres (Debian 12, eu-dublin)' });
  await spec.getByRole('checkbox', { name: 'eu-dublin' }).check();
  await spec.getByRole('checkbox', { name: 'eu-paris' }).check();
  await spec.getByRole('checkbox', { name: 'Monthly' }).check();
  await spec.getByLabel('Price per hour (USD)').fill('0.25');
  // A decimal comma is refused, not read as a hundred times the price (R18).
  await spec.getByLabel('Price per month (USD)').fill('12,50');
  await expect(spec.locator('[data-rule="R18"]', { hasText: 'Write cents after a point, such as 12.50' })).toBeVisible();
  await spec.getByLabel('Price per month (USD)').fill('1,200');
  await expect(page.getByText('No problems on this step.')).toBeVisible();

  await wizard.step('Review and submit');
  const checklist = page.getByRole('table', { name: 'Product Release Description' });
  await expect(checklist.getByText('Complete')).toHaveCount(4);
  await expect(checklist.getByText('Name: Postgres on Debian')).toBeVisible();
  await expect(checklist.getByText('Specification 1: debian-postgres in eu-dublin, eu-paris')).toBeVisible();
  // Prices as they are read: a thousands comma is $1200.00.
  await expect(checklist.getByText('Specification 1: simple, Pay-per-use (hourly) $0.25; Monthly $1200.00')).toBeVisible();
  await expect(page.locator('#lock-warning')).toContainText('Your images will be locked.');
  const submit = page.getByRole('button', { name: 'Submit release request' });
  await expect(submit).toBeDisabled();
  await wizard.submit();
  await expect(page.locator('.page-head [data-status]')).toHaveText('Submitted');

  // The asset is now reserved: shown, but it cannot be chosen for another product (R20).
  await wizard.open();
  await wizard.step('Product Specification');
  await page.getByRole('button', { name: 'Add specification' }).click();
  const option = wizard.spec(1).getByRole('option', { name: /debian-postgres/ });
  await expect(option).toBeDisabled();
  await expect(wizard.spec(1).getByText("debian-postgres: Reserved by another product's release request.")).toBeVisible();
  // Image Assets says which request holds it (R52).
  const assets = await page.context().newPage();
  await assets.goto('/console/assets');
  const row = assets.getByRole('table', { name: 'Your image assets' }).getByRole('row').filter({ hasText: 'debian-postgres' });
  await expect(row.getByText('Reserved', { exact: true })).toBeVisible();
  await expect(row).toContainText('In the release request for Postgres on Debian: it goes into no other product meanwhile');
});

test('a vCPU-priced product: tiers filled from a per-vCPU price, and Free image is refused (R13, R19)', async ({ page }) => {
  const wizard = new ReleaseWizard(page);
  await signInAs(page, demo.seller2);
  await wizard.releaseAsset('img-demo2-nginx');

  await wizard.open();
  await expect(page.locator('#no-assets-yet'), 'a seller with an asset is not told they have none').toHaveCount(0);
  await wizard.basics('Charged, with a Pricing Template');
  await wizard.step('Add Details');
  await wizard.details('Nginx on Alpine');
  await wizard.step('Product Specification');
  await page.getByRole('button', { name: 'Add specification' }).click();
  const spec = wizard.spec(1);
  await spec.getByLabel('Image asset').selectOption({ label: 'alpine-nginx (Alpine 3.20, eu-dublin)' });
  await spec.getByRole('checkbox', { name: 'eu-dublin' }).check();
  await spec.getByRole('radio', { name: 'vCPU: a price per vCPU tier' }).check();
  await expect(spec.locator('[data-rule="R19"]', { hasText: 'Add at least one vCPU tier.' })).toBeVisible();

  await spec.getByText('Fill the table from a price per vCPU').click();
  await spec.getByLabel('Pay-per-use (hourly) per vCPU (USD)').fill('0.05');
  await spec.getByRole('button', { name: 'Fill the table' }).click();
  const tiers = spec.getByRole('table', { name: 'vCPU tiers of specification 1' });
  await expect(tiers.getByRole('row')).toHaveCount(6);
  await expect(tiers.getByLabel('Pay-per-use (hourly) price of tier 4')).toHaveValue('0.40');
  await tiers.getByLabel('Pay-per-use (hourly) price of tier 1').fill('0.06');
  await tiers.getByRole('button', { name: 'Remove tier 5' }).click();
  // A blank specification goes at once; one with anything chosen in it asks first.
  await page.getByRole('button', { name: 'Add specification' }).click();
  await expect(wizard.spec(2)).toBeVisible();
  await page.getByRole('button', { name: 'Remove specification 2' }).click();
  await expect(wizard.spec(2)).toHaveCount(0);
  await page.getByRole('button', { name: 'Remove specification 1' }).click();
  const asked = page.getByRole('dialog', { name: 'Remove this specification?' });
  await expect(asked).toContainText('Specification 1 is removed from this product, with its image asset, regions and prices.');
  await asked.getByRole('button', { name: 'Cancel' }).click();
  await expect(asked).toBeHidden();
  await expect(tiers.getByLabel('Pay-per-use (hourly) price of tier 1'), 'kept').toHaveValue('0.06');
  // Confirmed, it goes.
  await page.getByRole('button', { name: 'Add specification' }).click();
  await wizard.spec(2).getByRole('checkbox', { name: 'eu-paris' }).check();
  await page.getByRole('button', { name: 'Remove specification 2' }).click();
  await expect(asked).toContainText('Specification 2 is removed from this product');
  await asked.getByRole('button', { name: 'Remove specification' }).click();
  await expect(wizard.spec(2)).toHaveCount(0);
  await expect(tiers.getByLabel('Pay-per-use (hourly) price of tier 1'), 'the first is untouched').toHaveValue('0.06');
  await expect(tiers.getByRole('row')).toHaveCount(5);
  await spec.getByRole('button', { name: 'Add tier' }).click();
  await tiers.getByLabel('vCPUs of tier 5').fill('2');
  await expect(spec.locator('[data-rule="R19"]', { hasText: /ascending/ })).toBeVisible();
  await tiers.getByLabel('vCPUs of tier 5').fill('32');
  await tiers.getByLabel('Pay-per-use (hourly) price of tier 5').fill('1.60');
  await expect(page.getByText('No problems on this step.')).toBeVisible();

  // R13: with a vCPU template, Free image is no longer a choice, and the page says why.
  await wizard.step('Sales type and pricing');
  await expect(page.getByRole('radio', { name: 'Free image' })).toBeDisabled();
  await expect(page.locator('#pricing-free-reason')).toContainText('can never be a Free image');

  await wizard.submit();
  await expect(page.locator('.page-head [data-status]')).toHaveText('Submitted');
});

test('an error shows as the seller types and clears when fixed (R15)', async ({ page }) => {
  const wizard = new ReleaseWizard(page);
  await signInAs(page, demo.seller3);
  await wizard.open();
  await wizard.step('Add Details');
  const name = page.getByLabel('Product name');
  await name.fill('x'.repeat(61));
  const tooLong = page.locator('[data-rule="R15"]', { hasText: 'A name has at most 60 characters.' });
  await expect(tooLong).toBeVisible();
  await expect(tooLong).toHaveText('A name has at most 60 characters.');
  // The field points at its messages, so a screen reader reads them with it.
  const describedBy = await name.getAttribute('aria-describedby');
  await expect(page.locator(`[id="${describedBy}"]`)).toContainText('A name has at most 60 characters.');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await name.fill('Tailspin Toolbox');
  await expect(tooLong).toHaveCount(0);
  await expect(name).toHaveAttribute('aria-invalid', 'false');
  await expect(page.getByText(/problems? remains? on this step/)).toBeVisible();
  // A name is one line of plain spaces: a pasted no-break space is named as it is typed.
  await name.fill('Tailspin\u00a0Toolbox');
  const oddSpace = page.locator('[data-rule="R15"]', { hasText: 'Use only plain spaces in the name' });
  await expect(oddSpace).toContainText('U+00A0');
  await name.fill('Tailspin Toolbox');
  await expect(oddSpace).toHaveCount(0);
});

test('Save as Draft, reload, and resume from Drafts (R30, R32)', async ({ page }) => {
  const wizard = new ReleaseWizard(page);
  await signInAs(page, demo.seller3);
  await wizard.open();
  await wizard.step('Add Details');
  await page.getByLabel('Product name').fill('Saved by hand');
  await page.getByRole('button', { name: 'Save as Draft' }).click();
  await expect(wizard.saveStatus()).toContainText(/Saved at \d\d:\d\d:\d\d UTC/);
  await expect(page).toHaveURL(/\/console\/products\/new\?draft=/);

  await page.reload();
  await wizard.step('Add Details');
  await expect(page.getByLabel('Product name')).toHaveValue('Saved by hand');

  await page.goto('/console/drafts');
  const row = page.getByRole('table', { name: 'Drafts' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Saved by hand', exact: true }) });
  await expect(row).toContainText('problems to fix');
  await row.getByRole('link', { name: 'Resume Saved by hand' }).click();
  await wizard.step('Add Details');
  await expect(page.getByLabel('Product name')).toHaveValue('Saved by hand');
});

test('autosave keeps the draft through a reload (R31)', async ({ page }) => {
  const wizard = new ReleaseWizard(page);
  await signInAs(page, demo.seller3);
  await wizard.open();
  await wizard.step('Add Details');
  await page.getByLabel('Product name').fill('Saved on its own');
  await expect(wizard.saveStatus()).toHaveText('Not saved yet');
  await expect(wizard.saveStatus()).toContainText(/Saved at \d\d:\d\d:\d\d/, { timeout: 10_000 });
  await page.reload();
  await wizard.step('Add Details');
  await expect(page.getByLabel('Product name')).toHaveValue('Saved on its own');
});

test('two tabs on one draft: the stale save is refused and shown, and nothing is lost (R33)', async ({ page, context }) => {
  const wizard = new ReleaseWizard(page);
  await signInAs(page, demo.seller3);
  await wizard.open();
  await wizard.step('Add Details');
  await page.getByLabel('Product name').fill('Two tabs');
  await page.getByRole('button', { name: 'Save as Draft' }).click();
  await expect(wizard.saveStatus()).toContainText('Saved at');

  const other = await context.newPage();
  await other.goto(page.url());
  await hydrated(other);
  const otherWizard = new ReleaseWizard(other);
  await otherWizard.step('Add Details');
  await other.getByLabel('Summary').fill('Edited in the second tab');
  await other.getByRole('button', { name: 'Save as Draft' }).click();
  await expect(otherWizard.saveStatus()).toContainText('Saved at');

  await page.getByLabel('Summary').fill('Edited in the first tab');
  await page.getByRole('button', { name: 'Save as Draft' }).click();
  const conflict = page.getByRole('alert').filter({ hasText: 'saved in another tab' });
  await expect(conflict).toBeVisible();
  await expect(wizard.saveStatus()).toHaveText('Not saved: changed in another tab');
  await expect(page.getByLabel('Summary')).toHaveValue('Edited in the first tab');

  await conflict.getByRole('button', { name: 'Keep mine as a new draft' }).click();
  await expect(wizard.saveStatus()).toContainText('Saved at');
  await page.goto('/console/drafts');
  const drafts = page.getByRole('table', { name: 'Drafts' });
  await expect(drafts.getByRole('rowheader', { name: 'Two tabs', exact: true })).toHaveCount(2);
  await other.close();
});

test('with no image asset, the specification step links to Image Assets (R17)', async ({ page }) => {
  const wizard = new ReleaseWizard(page);
  await signInAs(page, demo.seller3);
  await wizard.open();
  // Told at the first step, not only at the third.
  await expect(page.locator('#no-assets-yet')).toContainText('You have no image asset yet');
  await expect(page.locator('#no-assets-yet').getByRole('link', { name: 'release one of your images as an asset' })).toHaveAttribute('href', '/console/assets');
  await wizard.step('Product Specification');
  await expect(page.getByRole('heading', { name: 'Release an image asset first' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to Image Assets' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Image Assets' })).toBeVisible();
});

test('moving to another console page right after typing keeps the edit (R31)', async ({ page }) => {
  const wizard = new ReleaseWizard(page);
  await signInAs(page, demo.seller3);
  await wizard.open();
  await wizard.step('Add Details');
  await page.getByLabel('Product name').fill('Left in a hurry');
  await expect(wizard.saveStatus()).toHaveText('Not saved yet');
  await page.getByRole('navigation', { name: 'Seller Console' }).getByRole('link', { name: 'Drafts' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Drafts' })).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('rowheader', { name: 'Left in a hurry', exact: true })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
});
