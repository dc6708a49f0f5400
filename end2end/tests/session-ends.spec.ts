import { test, expect } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { personAt } from './fixtures/review';
import { hydrated } from './fixtures/hydration';
import { SignInPage } from './fixtures/sign-in-page';

test('signed out in another tab, an island says nothing was saved and signs in again back to its page (the seventh UX review)', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller6, 'My Products');
  await seller.goto('/console/tokens');
  await hydrated(seller);
  // Another tab of the same browser signs out.
  const other = await seller.context().newPage();
  await other.goto('/console/products');
  await other.getByRole('button', { name: 'Sign out' }).click();
  // The header's link (the home page of an empty marketplace has one more).
  await expect(other.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign in' })).toBeVisible();
  await other.close();

  await seller.getByLabel('Name').fill('after sign-out');
  await seller.getByRole('button', { name: 'Create token' }).click();
  const said = seller.getByRole('alert').filter({ hasText: 'You are signed out, so nothing was saved.' });
  await expect(said).toBeVisible();
  await said.getByRole('link', { name: 'Sign in again' }).click();
  await new SignInPage(seller).signIn(demo.seller6);
  await expect(seller).toHaveURL(/\/console\/tokens$/);
  await expect(seller.getByRole('heading', { level: 1, name: 'API tokens' })).toBeVisible();
  await expect(seller.getByRole('row', { name: /after sign-out/ }), 'nothing was made').toHaveCount(0);
});

test('Your account lists each browser where it is signed in, and signs out another one there', async ({ browser }) => {
  // A second browser of the same account, which names itself as Firefox on Windows.
  const firefoxContext = await browser.newContext({
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  });
  const other = await firefoxContext.newPage();
  await new SignInPage(other).goto();
  await new SignInPage(other).signIn(demo.customer);
  await expect(other.getByRole('heading', { level: 1, name: /Virtual-machine images/ })).toBeVisible();

  const laptop = await personAt(browser, demo.customer, /Virtual-machine images/);
  await laptop.goto('/account');
  const devices = laptop.getByRole('table', { name: 'Where you are signed in' });
  const here = devices.getByRole('row').filter({ hasText: 'This device' });
  await expect(here).toHaveCount(1);
  // Chromium, named with the system it runs on.
  await expect(here).toContainText(/Chrome on \w+/);
  await expect(here).toContainText('Now');
  await expect(here.getByRole('button')).toHaveCount(0);
  await expect(here).toContainText('Use Sign out at the top');
  await expect(devices.getByRole('row', { name: /Firefox on Windows/ })).toHaveCount(1);

  await devices.getByRole('button', { name: /^Sign out Firefox on Windows, signed in / }).click();
  const said = laptop.getByRole('status');
  await expect(said).toHaveText('That device is signed out. Signing in there again needs the password.');
  await expect(said, 'the notice takes the focus, so it is read out').toBeFocused();
  await expect(devices.getByRole('row', { name: /Firefox on Windows/ })).toHaveCount(0);
  await expect(devices.getByRole('row').filter({ hasText: 'This device' })).toHaveCount(1);
  // Said once: the address no longer asks for it, so a reload does not say it again.
  await expect(laptop).toHaveURL(/\/account$/);
  await laptop.reload();
  await expect(laptop.getByRole('table', { name: 'Where you are signed in' })).toBeVisible();
  await expect(laptop.getByText('That device is signed out.')).toHaveCount(0);

  await other.goto('/purchases');
  await expect(other.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await laptop.goto('/purchases');
  await expect(laptop.getByRole('heading', { level: 1, name: 'Sign in' })).toHaveCount(0);

  // Signed in there again: this time every other device is signed out at once.
  await new SignInPage(other).goto();
  await new SignInPage(other).signIn(demo.customer);
  await expect(other.getByRole('heading', { level: 1, name: /Virtual-machine images/ })).toBeVisible();
  await laptop.goto('/account');
  await expect(devices.getByRole('row', { name: /Firefox on Windows/ })).toHaveCount(1);
  await laptop.getByRole('button', { name: 'Sign out every other device' }).click();
  await expect(laptop.getByRole('status')).toHaveText('Every other device is signed out. Signing in there again needs the password.');
  await expect(devices.getByRole('row')).toHaveCount(2); // the header's row and this device's
  await expect(laptop.getByRole('button', { name: 'Sign out every other device' })).toHaveCount(0);
  await other.goto('/purchases');
  await expect(other.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await firefoxContext.close();
  await laptop.context().close();
});
