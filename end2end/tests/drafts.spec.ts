import { expect, test } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { DraftsPage } from './fixtures/drafts-page';
import { SignInPage } from './fixtures/sign-in-page';

test('drafts are listed by name, and deleting one asks first and can be cancelled (R32)', async ({ page }) => {
  const signIn = new SignInPage(page);
  const drafts = new DraftsPage(page);
  const name = `Hardened Ubuntu ${Date.now()}`;

  await signIn.goto();
  await signIn.signIn(demo.seller2);
  await expect(page.getByRole('heading', { level: 1, name: 'My Products' })).toBeVisible();
  await drafts.create(name);
  await drafts.create('');

  await drafts.goto();
  await expect(drafts.draft(name)).toBeVisible();
  await expect(drafts.draft('Untitled')).toBeVisible();

  const dialog = await drafts.askToDelete(name);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(drafts.draft(name)).toBeVisible();

  await drafts.askToDelete(name);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toBeHidden();
  await expect(drafts.draft(name)).toBeVisible();

  const confirm = await drafts.askToDelete(name);
  await confirm.getByRole('button', { name: 'Delete draft' }).click();
  await expect(drafts.draft(name)).toHaveCount(0);
  await expect(page.getByRole('status')).toHaveText('The draft was deleted.');
  await expect(drafts.draft('Untitled')).toBeVisible();
  // Each row's buttons name their draft and its time: several drafts can share a name.
  await expect(drafts.table().getByRole('button', { name: /^Delete Untitled \(saved \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\)$/ }).first()).toBeVisible();

  await drafts.goto();
  await expect(drafts.draft(name)).toHaveCount(0);
});
