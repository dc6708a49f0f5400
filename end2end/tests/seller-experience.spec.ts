import { expect, test, type Browser, type Page } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { DraftsPage } from './fixtures/drafts-page';
import { hydrated } from './fixtures/hydration';
import { seriousViolations } from './fixtures/axe';
import { ReleaseWizard } from './fixtures/release-wizard';
import { personAt, submitThroughApi as submit } from './fixtures/review';

async function approve(reviewer: Page, requestId: string) {
  const decided = await reviewer.request.post('/api/review/decide', { form: { id: requestId, action: 'Approve', reason: '' } });
  expect(decided.ok(), await decided.text()).toBeTruthy();
}

function card(page: Page, name: string) {
  return page.getByRole('list', { name: 'Products' }).getByRole('listitem').filter({ has: page.getByRole('link', { name, exact: true }) });
}

/** Lists two products of the sixth seller: one charged by the month, one Free image. */
async function listTwoProducts(browser: Browser) {
  const seller = await personAt(browser, demo.seller6, 'My Products');
  const reviewer = await personAt(browser, demo.reviewer, 'Review queue');
  await approve(reviewer, await submit(seller, 'img-demo6-kiosk', 'Kiosk Station', { free: false, regions: ['eu-paris'], prices: ['0.05', '25', ''] }));
  await approve(reviewer, await submit(seller, 'img-demo6-mail', 'Mail Relay', { free: true, regions: ['eu-dublin'], prices: ['0', '0', ''] }));
  await seller.context().close();
  await reviewer.context().close();
}

async function filterBy(page: Page, filters: { words?: string; region?: string; mode?: string; min?: string; max?: string; sort?: string }) {
  const form = page.getByRole('search', { name: 'Products' });
  await form.getByLabel('Search').fill(filters.words ?? '');
  await form.getByLabel('Region').selectOption({ label: filters.region ?? 'Any region' });
  await form.getByLabel('Pricing mode').selectOption({ label: filters.mode ?? 'Any pricing mode' });
  await form.getByLabel('Billing mode of the price').selectOption({ label: 'per month' });
  await form.getByLabel('From').fill(filters.min ?? '');
  await form.getByLabel('to', { exact: true }).fill(filters.max ?? '');
  await form.getByLabel('Sort by').selectOption({ label: filters.sort ?? 'Best match' });
  await form.getByRole('button', { name: 'Search' }).click();
  await page.waitForLoadState('domcontentloaded');
}

test('the marketplace filters by pricing mode and price, with JavaScript and without, and every card shows its price (SPEC section 7)', async ({ browser }) => {
  await listTwoProducts(browser);
  for (const javaScriptEnabled of [false, true]) {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    await page.goto('/');
    // Every card says what the product costs at the least.
    await expect(card(page, 'Kiosk Station')).toContainText('from $25.00 / month');
    await expect(card(page, 'Mail Relay')).toContainText('Free');

    await filterBy(page, { mode: 'Free image' });
    await expect(page).toHaveURL(/mode=free/);
    await expect(card(page, 'Mail Relay')).toBeVisible();
    await expect(card(page, 'Kiosk Station')).toHaveCount(0);

    await filterBy(page, { mode: 'Charged', min: '20', max: '30' });
    await expect(card(page, 'Kiosk Station')).toBeVisible();
    await expect(card(page, 'Mail Relay')).toHaveCount(0);
    // The form keeps what was asked, so the search can be refined.
    await expect(page.getByLabel('Pricing mode')).toHaveValue('charged');
    await expect(page.getByLabel('From')).toHaveValue('20');

    await filterBy(page, { mode: 'Charged', min: '30' });
    await expect(card(page, 'Kiosk Station')).toHaveCount(0);

    await filterBy(page, { words: 'kiosk', region: 'eu-paris', sort: 'Lowest price' });
    await expect(card(page, 'Kiosk Station')).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Pages of products' })).toContainText('Page 1');

    // Words typed into a fresh form are sorted by best match.
    await page.goto('/?q=kiosk');
    await expect(page.getByLabel('Sort by')).toHaveValue('relevance');

    // A price that is not a price is said plainly.
    await filterBy(page, { min: 'ten' });
    await expect(page.getByRole('alert')).toContainText('The lowest price');
    await context.close();
  }
});

test('the stepper counts problems only on steps the seller has opened, and the review step shows the description', async ({ page }) => {
  const wizard = new ReleaseWizard(page);
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(demo.seller3.email);
  await page.getByLabel('Password').fill(demo.seller3.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My Products' })).toBeVisible();
  await wizard.open();

  const stepper = page.getByRole('navigation', { name: 'Release steps' });
  const stepButton = (name: string) => stepper.getByRole('button', { name });
  await expect(stepButton('Sales type and pricing')).toContainText('to fix');
  for (const later of ['Add Details', 'Product Specification']) {
    await expect(stepButton(later)).toContainText('not started');
    await expect(stepButton(later)).not.toContainText('to fix');
  }
  // Once opened, a step counts its problems.
  await wizard.step('Add Details');
  await expect(stepButton('Add Details')).toContainText('to fix');
  await expect(stepButton('Product Specification')).toContainText('not started');

  // On one line at 1280 px wide, and usable without sideways scrolling at 375 px.
  await page.setViewportSize({ width: 1280, height: 800 });
  const tops = await stepper.getByRole('listitem').evaluateAll((items) => items.map((i) => Math.round(i.getBoundingClientRect().top)));
  expect(new Set(tops).size, `stepper rows at 1280 px: ${tops}`).toBe(1);
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await expect(stepButton('Review and submit')).toBeInViewport();
  await page.setViewportSize({ width: 1280, height: 800 });

  // A short description is shown whole on the review step; a long one collapsed, then whole.
  await page.getByLabel('Description').fill('Nginx with a hardened base image.');
  await wizard.step('Review and submit');
  const checklist = page.getByRole('table', { name: 'Product Release Description' });
  await expect(checklist.getByText('Nginx with a hardened base image.')).toBeVisible();
  const long = `${'A web stack tuned for small shops, with nightly backups and monitoring. '.repeat(6)}The end.`;
  await wizard.step('Add Details');
  await page.getByLabel('Description').fill(long);
  await wizard.step('Review and submit');
  const preview = checklist.locator('details.description-preview');
  await expect(preview.locator('summary')).toContainText(`Description (${long.trim().length} characters): A web stack tuned`);
  await expect(preview.getByText('The end.')).toBeHidden();
  await preview.locator('summary').click();
  await expect(preview.getByText(/The end\.$/)).toBeVisible();
});

test('every page, step and dialog passes an axe-core scan with no serious or critical violation', async ({ browser }) => {
  test.setTimeout(180_000);
  const found: string[] = [];
  const scan = async (page: Page, where: string) => {
    await hydrated(page);
    found.push(...(await seriousViolations(page, where)));
  };

  // Signed out.
  const visitor = await (await browser.newContext()).newPage();
  for (const path of ['/', '/sign-in', '/?mode=charged&sort=price']) {
    await visitor.goto(path);
    await scan(visitor, `visitor ${path}`);
  }
  await visitor.goto('/');
  const firstProduct = visitor.getByRole('list', { name: 'Products' }).getByRole('link').first();
  await firstProduct.click();
  await scan(visitor, 'visitor product page');

  // A seller: every console page, every wizard step, and a confirmation dialog.
  const seller = await personAt(browser, demo.seller6, 'My Products');
  const pending = await submit(seller, 'img-demo6-proxy', 'Proxy Gate', { free: false, regions: ['eu-dublin'], prices: ['0.05', '15', ''] });
  for (const path of ['/console/products', '/console/drafts', '/console/applications', `/console/applications/${pending}`, '/console/assets', '/console/messages', '/console/settings', '/console/tokens', '/purchases', '/account']) {
    await seller.goto(path);
    // Every console page has exactly one main landmark, as the public pages do.
    await expect(seller.getByRole('main'), path).toHaveCount(1);
    await scan(seller, `seller ${path}`);
  }
  const wizard = new ReleaseWizard(seller);
  await wizard.open();
  for (const step of ['Sales type and pricing', 'Add Details', 'Product Specification', 'Review and submit']) {
    await wizard.step(step);
    await scan(seller, `wizard: ${step}`);
  }
  const drafts = new DraftsPage(seller);
  await drafts.create('Scanned draft');
  await drafts.goto();
  await drafts.askToDelete('Scanned draft');
  await scan(seller, 'dialog: delete a draft');
  await seller.keyboard.press('Escape');
  await seller.goto(`/console/applications/${pending}`);
  await hydrated(seller);
  await seller.getByRole('button', { name: 'Withdraw request' }).click();
  await expect(seller.getByRole('dialog', { name: 'Withdraw this release request?' })).toBeVisible();
  await scan(seller, 'dialog: withdraw a request');

  // A reviewer: the queue and a request.
  const reviewer = await personAt(browser, demo.reviewer, 'Review queue');
  await scan(reviewer, 'reviewer /review');
  await reviewer.goto('/review/decided');
  await scan(reviewer, 'reviewer /review/decided');
  await reviewer.goto(`/review/${pending}`);
  await scan(reviewer, 'reviewer request page');

  // A customer: the product page with its purchase form, My purchases, the account.
  const customer = await personAt(browser, demo.customer, /.+/);
  await customer.goto('/');
  await customer.getByRole('list', { name: 'Products' }).getByRole('link').first().click();
  await scan(customer, 'customer product page');
  for (const path of ['/purchases', '/messages', '/account']) {
    await customer.goto(path);
    await scan(customer, `customer ${path}`);
  }

  expect(found, found.join('\n')).toEqual([]);
});
