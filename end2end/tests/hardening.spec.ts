import { expect, test, type Page } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { openFromQueue, personAt, status, submitThroughApi } from './fixtures/review';
import { hydrated } from './fixtures/hydration';
import { SignInPage } from './fixtures/sign-in-page';

/** Fails the test if the page reports a Content-Security-Policy violation or a script error. */
function watchForViolations(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

// A name that closes the <title> and opens a script, within R15's 60 characters.
const markup = '</title><script>window.pwned=1</script>';

test('a product named with markup shows as text to the reviewer, the seller and every visitor, and runs nowhere (issue 10)', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller4, 'My Products');
  const sellerProblems = watchForViolations(seller);
  await submitThroughApi(seller, 'img-demo4-lab', markup);

  const reviewer = await personAt(browser, demo.reviewer, 'Review queue');
  const reviewerProblems = watchForViolations(reviewer);
  await expect(reviewer.getByRole('table', { name: 'Pending release requests' })).toContainText(markup);
  await openFromQueue(reviewer, markup);
  await reviewer.getByRole('button', { name: 'Start review' }).click();
  await expect(status(reviewer)).toHaveText('Under review');
  // The page is loaded again after a decision; its decision panel answers once hydrated.
  await hydrated(reviewer);
  await reviewer.getByRole('button', { name: 'Approve' }).click();
  await reviewer.getByRole('dialog', { name: 'Approve this product?' }).getByRole('button', { name: 'Approve and list' }).click();
  await expect(status(reviewer)).toHaveText('Approved');

  await seller.goto('/console/products');
  await hydrated(seller);
  await expect(seller.getByRole('row', { name: new RegExp(markup.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')) })).toContainText('Released');

  // A visitor, signed out, opens the public page.
  const context = await browser.newContext();
  const visitor = await context.newPage();
  const visitorProblems = watchForViolations(visitor);
  await visitor.goto('/');
  await visitor.getByRole('link', { name: markup }).click();
  await expect(visitor.getByRole('heading', { level: 1, name: markup })).toBeVisible();
  await expect(visitor).toHaveTitle(`${markup} · Marketplace`);
  expect(await visitor.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  // The same page loaded directly (rendered on the server, head included).
  await visitor.reload();
  await hydrated(visitor);
  await expect(visitor).toHaveTitle(`${markup} · Marketplace`);
  expect(await visitor.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  for (const page of [seller, reviewer]) {
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  }
  expect([...sellerProblems, ...reviewerProblems, ...visitorProblems]).toEqual([]);
});

test('Sign out everywhere, after a confirmation, signs out every browser of the account (issue 10)', async ({ browser }) => {
  const laptop = await personAt(browser, demo.customer, /Virtual-machine images/);
  const phone = await personAt(browser, demo.customer, /Virtual-machine images/);
  await laptop.getByRole('link', { name: /Fabrikam Ltd/ }).click();
  await expect(laptop.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
  await hydrated(laptop);
  await laptop.getByRole('button', { name: 'Sign out everywhere' }).click();
  const dialog = laptop.getByRole('dialog', { name: 'Sign out everywhere?' });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(laptop.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();

  await phone.goto('/purchases');
  await expect(phone.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
});

test('a form sent without JavaScript shows its own error, and a link carrying an error made elsewhere shows none (issue 10)', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn({ email: 'nobody@example.com', password: 'not the password' });
  await expect(signIn.error()).toHaveText('The email or password is not correct.');

  // The same kind of address, with words of the link's maker (URL-safe base64 of
  // {"BadRequest":"Your account is locked. Call +1 555 0100."}): the page opens without them.
  const forged = 'eyJCYWRSZXF1ZXN0IjoiWW91ciBhY2NvdW50IGlzIGxvY2tlZC4gQ2FsbCArMSA1NTUgMDEwMC4ifQ%3D%3D';
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(`/sign-in?__path=%2Fapi%2Fsession%2Fsign-in&__err=${forged}`);
  await expect(visitor).toHaveURL(/\/sign-in$/);
  await expect(visitor.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(visitor.getByRole('alert')).toHaveCount(0);
  await expect(visitor.getByText('locked')).toHaveCount(0);
  await context.close();
});
