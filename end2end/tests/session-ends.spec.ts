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
  await expect(other.getByRole('link', { name: 'Sign in' })).toBeVisible();
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
