import { expect, test, type Page } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { hydrated } from './fixtures/hydration';
import { ReleaseWizard } from './fixtures/release-wizard';
import { personAt } from './fixtures/review';
import { SignInPage } from './fixtures/sign-in-page';

/** How much wider than the window the page is: a page that scrolls sideways as a whole. */
async function sidewaysOverflow(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test('the wizard moves the focus to each new step, whose fields come next, and Save as Draft keeps it', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller3, 'My Products');
  const wizard = new ReleaseWizard(seller);
  await wizard.open();
  await seller.getByRole('button', { name: 'Next', exact: true }).focus();
  await seller.keyboard.press('Enter');
  const title = seller.getByRole('heading', { level: 2, name: 'Add Details' });
  await expect(title).toBeFocused();
  // Tab goes on into the step, not from the footer through the page's header.
  await seller.keyboard.press('Tab');
  expect(await seller.evaluate(() => !!document.activeElement?.closest('.wizard-step'))).toBe(true);

  await seller.getByRole('button', { name: 'Back' }).focus();
  await seller.keyboard.press('Enter');
  await expect(seller.getByRole('heading', { level: 2, name: 'Sales type and pricing' })).toBeFocused();

  await seller.getByRole('button', { name: 'Save as Draft' }).focus();
  await seller.keyboard.press('Enter');
  await expect(wizard.saveStatus()).toContainText('Saved');
  await expect(seller.getByRole('button', { name: 'Save as Draft' }), 'a save does not drop the focus to the page').toBeFocused();
});

test('a skip link leads past the header, and a page for another role has a title', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller3, 'My Products');
  await seller.goto('/console/applications');
  await seller.keyboard.press('Tab');
  const skip = seller.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await seller.keyboard.press('Enter');
  await seller.keyboard.press('Tab');
  expect(await seller.evaluate(() => !!document.activeElement?.closest('main'))).toBe(true);

  const customer = await personAt(browser, demo.customer, /.+/);
  const answer = await customer.goto('/console/products');
  expect(answer?.status()).toBe(403);
  await expect(customer).toHaveTitle(/^Not available to this account/);
});

test('on a phone-sized screen, 320 pixels wide, no page scrolls sideways: wide tables scroll within themselves', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller, 'My Products');
  await seller.setViewportSize({ width: 320, height: 667 });
  // The first seller's images fill the widest tables (Image Assets: every rule of R1–R8).
  for (const path of ['/console/assets', '/console/products', '/console/applications', '/console/drafts', '/console/tokens', '/console/settings', '/account']) {
    await seller.goto(path);
    await hydrated(seller);
    expect(await sidewaysOverflow(seller), path).toBeLessThanOrEqual(0);
    if (path === '/console/assets') {
      const images = seller.getByRole('table').last();
      expect(await images.evaluate((t) => t.scrollWidth > t.clientWidth), 'the table itself scrolls').toBe(true);
      // The header and the console's links leave the page most of the screen.
      const top = await seller.getByRole('heading', { level: 1 }).evaluate((h) => h.getBoundingClientRect().top);
      expect(top, 'where the page begins').toBeLessThan(667 / 3);
    }
  }

  const wizard = new ReleaseWizard(seller);
  await wizard.open();
  for (const step of ['Sales type and pricing', 'Add Details', 'Product Specification', 'Review and submit']) {
    await wizard.step(step);
    expect(await sidewaysOverflow(seller), step).toBeLessThanOrEqual(0);
  }
});

test('a failed sign-in keeps the email typed, focuses the password, and still goes on to the page asked for', async ({ page }) => {
  await page.goto('/console/applications');
  const signIn = new SignInPage(page);
  await signIn.signIn({ email: demo.seller3.email, password: 'not the password' });
  await expect(signIn.error()).toContainText('email or password');
  await expect(page.getByLabel('Email')).toHaveValue(demo.seller3.email);
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(demo.seller3.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'My Applications' })).toBeVisible();
});

test('signing in from a link to a console page goes on to that page', async ({ page }) => {
  await page.goto('/console/applications');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fconsole%2Fapplications$/);
  await new SignInPage(page).signIn(demo.seller3);
  await expect(page.getByRole('heading', { level: 1, name: 'My Applications' })).toBeVisible();
  await expect(page).toHaveURL(/\/console\/applications$/);
});
