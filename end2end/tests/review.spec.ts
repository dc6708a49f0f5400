import { expect, test } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { openFromQueue, personAt, status, submitOnAsset, submitThroughApi } from './fixtures/review';
import { ReleaseWizard } from './fixtures/release-wizard';
import { hydrated } from './fixtures/hydration';

test('a seller submits, the reviewer approves, the seller sees it Approved with a message and it is listed (R40, R41, R43, R44, R45, R52)', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller2, 'My Products');
  const wizard = new ReleaseWizard(seller);
  await wizard.releaseAsset('img-demo2-devtools');
  await wizard.open();
  await wizard.basics('Charged, with a Pricing Template');
  await wizard.next();
  await wizard.details('Fedora Devtools');
  await wizard.next();
  await seller.getByRole('button', { name: 'Add specification' }).click();
  const spec = wizard.spec(1);
  await spec.getByLabel('Image asset').selectOption({ label: 'fedora-devtools (Fedora 40, eu-dublin)' });
  await spec.getByRole('checkbox', { name: 'eu-dublin' }).check();
  await spec.getByRole('checkbox', { name: 'ap-singapore' }).check();
  await spec.getByLabel('Price per hour (USD)').fill('0.35');
  await wizard.submit();
  await expect(status(seller)).toHaveText('Submitted');
  await expect(seller.locator('.due')).toContainText('Due ');
  const requestUrl = seller.url();

  // The reviewer works the queue, oldest first, and takes this one up.
  const reviewer = await personAt(browser, demo.reviewer, 'Review queue');
  await expect(reviewer.getByRole('table', { name: 'Pending release requests' })).toContainText('Fedora Devtools');
  await openFromQueue(reviewer, 'Fedora Devtools');
  await expect(reviewer, 'each request its own tab title').toHaveTitle(/^Review Fedora Devtools/);
  await expect(reviewer.getByText('Contoso Systems', { exact: false }).first()).toBeVisible();
  // What the seller submitted is read before the decision; a link leads past it.
  const top = (name: string) => reviewer.getByRole('heading', { level: 2, name, exact: true }).evaluate((h) => h.getBoundingClientRect().top);
  expect(await top('What the seller submitted')).toBeLessThan(await top('Decision'));
  await reviewer.getByRole('link', { name: 'Go to the decision' }).click();
  await expect(reviewer).toHaveURL(/#decision-title$/);
  await reviewer.getByRole('button', { name: 'Start review' }).click();
  await expect(status(reviewer)).toHaveText('Under review');
  // The page is drawn again after a decision, saying what was done where the focus lands.
  await expect(reviewer.getByRole('status').filter({ hasText: 'You took up this request' })).toBeFocused();
  // Its decision panel answers once hydrated.
  await hydrated(reviewer);

  await seller.reload();
  await expect(status(seller)).toHaveText('Under review');

  await reviewer.getByRole('button', { name: 'Approve' }).click();
  const dialog = reviewer.getByRole('dialog', { name: 'Approve this product?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Approve and list' }).click();
  await expect(status(reviewer)).toHaveText('Approved');
  await expect(reviewer.getByRole('status').filter({ hasText: 'Approved: the product is listed' })).toBeFocused();
  // Said once: a reload shows the request as it is, without saying it again.
  await expect(reviewer).not.toHaveURL(/done=/);
  await reviewer.reload();
  await expect(status(reviewer)).toHaveText('Approved');
  await expect(reviewer.getByText('Approved: the product is listed')).toHaveCount(0);
  // Out of the queue, the decision is found again under Your decisions, the newest first.
  const decidedAt = reviewer.url();
  await reviewer.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Your decisions' }).click();
  await expect(reviewer.getByRole('heading', { level: 1, name: 'Your decisions' })).toBeVisible();
  await expect(reviewer.locator('header [aria-current="page"]'), 'one current page in the header').toHaveText('Your decisions');
  const decision = reviewer.getByRole('table', { name: 'Your decisions' }).getByRole('row', { name: /Fedora Devtools/ }).first();
  await expect(decision.locator('[data-status]')).toHaveText('Approved');
  // One kind of decision at a time.
  const kinds = reviewer.getByRole('navigation', { name: 'Filter decisions' });
  await kinds.getByRole('link', { name: 'Rejected' }).click();
  await expect(kinds.getByRole('link', { name: 'Rejected' })).toHaveAttribute('aria-current', 'true');
  await expect(reviewer.getByRole('table', { name: 'Your decisions' }).or(reviewer.getByRole('heading', { name: 'None of this kind yet' }))).toBeVisible();
  await expect(reviewer.getByRole('row', { name: /Fedora Devtools/ })).toHaveCount(0);
  await kinds.getByRole('link', { name: 'Approved' }).click();
  await expect(kinds.getByRole('link', { name: 'Approved' })).toHaveAttribute('aria-current', 'true');
  await expect(decision.locator('[data-status]')).toHaveText('Approved');
  await decision.getByRole('link', { name: 'View the request for Fedora Devtools' }).click();
  expect(reviewer.url().split('?')[0]).toBe(decidedAt.split('?')[0]);

  // The seller: Approved, with every step's time, and an unread message.
  await seller.goto('/console/applications');
  await hydrated(seller);
  const row = seller.getByRole('row', { name: /Fedora Devtools/ });
  await expect(row.locator('[data-status]')).toHaveText('Approved');
  await expect(seller.locator('#unread-count')).toHaveText('1');
  await row.getByRole('link', { name: 'View the request for Fedora Devtools' }).click();
  expect(seller.url()).toBe(requestUrl);
  const timeline = seller.getByRole('list', { name: 'Review progress' });
  await expect(timeline.locator('li.done')).toHaveCount(3);
  await expect(timeline).toContainText('Approved');
  await expect(seller.getByText('Decided by Marketplace Review.')).toBeVisible();

  await seller.getByRole('navigation', { name: 'Seller Console' }).getByRole('link', { name: /Messages/ }).click();
  const message = seller.getByRole('listitem').filter({ hasText: 'Approved: Fedora Devtools' });
  await expect(message).toContainText('now listed on the marketplace');
  await message.getByRole('button', { name: 'Mark as read' }).click();
  await expect(seller.locator('#unread-count')).toHaveCount(0);

  // Listed on the public site, for visitors who are not signed in, even without JavaScript.
  const visitor = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await visitor.goto('/?q=devtools');
  await visitor.getByRole('link', { name: 'Fedora Devtools' }).click();
  await expect(visitor).toHaveTitle('Fedora Devtools · Marketplace');
  await expect(visitor.getByRole('heading', { level: 1, name: 'Fedora Devtools' })).toBeVisible();
  await expect(visitor.locator('meta[name="description"]')).toHaveAttribute('content', /A ready-to-run web stack/);
  await expect(visitor.getByText('Regions: ap-singapore, eu-dublin')).toBeVisible();
  await expect(visitor.getByRole('row', { name: /Pay-per-use \(hourly\)/ })).toContainText('$0.35');
});

test('a rejection with a reason, then edit and submit again (R44, R52)', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller2, 'My Products');
  await submitThroughApi(seller, 'img-demo2-ml', 'Ubuntu ML');
  const reviewer = await personAt(browser, demo.reviewer, 'Review queue');
  await openFromQueue(reviewer, 'Ubuntu ML');

  await reviewer.getByRole('button', { name: 'Reject', exact: true }).click();
  await expect(reviewer.locator('#reject-reason-error [data-rule="R44"]')).toHaveText('Give the seller a reason for the rejection.');
  await expect(reviewer.getByLabel('Reason for rejection (sent to the seller)'), 'the reason takes the focus').toBeFocused();
  await expect(status(reviewer)).toHaveText('Submitted');
  await reviewer.getByLabel('Reason for rejection (sent to the seller)').fill('The description must list the installed frameworks.');
  await reviewer.getByRole('button', { name: 'Reject', exact: true }).click();
  // A rejection is as final as an approval: it is confirmed first, with the reason to be sent.
  const confirm = reviewer.getByRole('dialog', { name: 'Reject this request?' });
  await expect(confirm).toContainText('“The description must list the installed frameworks.”');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(status(reviewer)).toHaveText('Submitted');
  await reviewer.getByRole('button', { name: 'Reject', exact: true }).click();
  await confirm.getByRole('button', { name: 'Reject request' }).click();
  await expect(status(reviewer)).toHaveText('Rejected');

  await seller.goto('/console/applications');
  await seller.getByRole('link', { name: 'View the request for Ubuntu ML' }).click();
  await expect(status(seller)).toHaveText('Rejected');
  await expect(seller.locator('#rejection-reason')).toContainText('The description must list the installed frameworks.');
  await hydrated(seller);
  await seller.getByRole('button', { name: 'Edit and submit again' }).click();
  await expect(seller.getByRole('heading', { level: 1, name: 'Release New Product' })).toBeVisible();
  await expect(seller).toHaveURL(/\/console\/products\/new\?draft=/);
  // The wizard says why the product is back, with the reviewer's reason.
  await expect(seller.getByRole('note')).toContainText('The reviewer\'s reason: “The description must list the installed frameworks.”');

  const wizard = new ReleaseWizard(seller);
  await wizard.step('Add Details');
  await expect(seller.getByLabel('Product name')).toHaveValue('Ubuntu ML');
  await seller.getByLabel('Description').fill('PyTorch 2.5, TensorFlow 2.18 and CUDA 12 on Ubuntu 24.04.');
  await wizard.submit();
  await expect(status(seller)).toHaveText('Submitted');

  await seller.goto('/console/applications');
  const rows = seller.getByRole('row', { name: /Ubuntu ML/ });
  await expect(rows).toHaveCount(2);
  await expect(rows.locator('[data-status]')).toHaveText(['Submitted', 'Rejected']);
});

test('a pending request is withdrawn after a confirmation, freeing its image (R52)', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller2, 'My Products');
  const id = await submitThroughApi(seller, 'img-demo2-rocky', 'Rocky Hardened');
  // A reviewer has it open meanwhile.
  const reviewer = await personAt(browser, demo.reviewer, 'Review queue');
  await reviewer.goto(`/review/${id}`);
  await hydrated(reviewer);
  await seller.goto(`/console/applications/${id}`);
  await hydrated(seller);
  await seller.getByRole('button', { name: 'Withdraw request' }).click();
  const dialog = seller.getByRole('dialog', { name: 'Withdraw this release request?' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(status(seller)).toHaveText('Submitted');

  await seller.getByRole('button', { name: 'Withdraw request' }).click();
  await dialog.getByRole('button', { name: 'Withdraw request' }).click();
  await expect(status(seller)).toHaveText('Withdrawn');
  await expect(seller.getByText('Withdrawn: its image assets are free again.')).toBeVisible();

  // The reviewer's decision now changes nothing, and the page is drawn as the request now is.
  await reviewer.getByRole('button', { name: 'Approve' }).click();
  await reviewer.getByRole('dialog', { name: 'Approve this product?' }).getByRole('button', { name: 'Approve and list' }).click();
  await expect(reviewer.getByRole('status').filter({ hasText: 'This request changed while you had it open, so nothing was done: it is Withdrawn now.' })).toBeFocused();
  await expect(reviewer).not.toHaveURL(/changed=/);
  await expect(status(reviewer)).toHaveText('Withdrawn');
  await expect(reviewer.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await reviewer.goto('/review');
  await expect(reviewer.getByText('Rocky Hardened')).toHaveCount(0);

  // As the dialog said: the withdrawn request opens again as a draft, to submit later.
  await hydrated(seller);
  await seller.getByRole('button', { name: 'Edit and submit again' }).click();
  await expect(seller).toHaveURL(/\/console\/products\/new\?draft=/);
  await new ReleaseWizard(seller).step('Add Details');
  await expect(seller.getByLabel('Product name')).toHaveValue('Rocky Hardened');
});

test('notification settings: SMS needs a number, and the settings are kept (R43)', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller3, 'My Products');
  await seller.getByRole('navigation', { name: 'Seller Console' }).getByRole('link', { name: 'Notification settings' }).click();
  await expect(seller.getByRole('heading', { level: 1, name: 'Notification settings' })).toBeVisible();
  await hydrated(seller);
  await expect(seller.getByRole('checkbox', { name: 'Internal message (always sent)' })).toBeDisabled();
  await expect(seller.getByRole('checkbox', { name: 'Email to seller3@example.com' })).toBeChecked();
  await seller.getByRole('checkbox', { name: 'SMS' }).check();
  await expect(seller.locator('#phone-error [data-rule="R43"]')).toHaveText('Enter the mobile number SMS should go to.');
  await expect(seller.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  await seller.getByLabel('Mobile number for SMS').fill('+353 1 234 5678');
  await seller.getByRole('button', { name: 'Save settings' }).click();
  await expect(seller.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  await seller.reload();
  await expect(seller.getByRole('checkbox', { name: 'SMS' })).toBeChecked();
  await expect(seller.getByLabel('Mobile number for SMS')).toHaveValue('+35312345678');
});

test('the tenth request of a day is announced before it is submitted and marked afterwards (R42)', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller5, 'My Products');
  const released = await seller.request.post('/api/images/release', { form: { image_id: 'img-demo5-busy' } });
  expect(released.ok(), await released.text()).toBeTruthy();
  const asset = await released.json();
  // Nine requests today, each withdrawn, which frees the image for the next one (R52).
  for (let n = 1; n <= 9; n++) {
    const id = await submitOnAsset(seller, asset.id, `Busy Debian ${n}`);
    const withdrawn = await seller.request.post('/api/applications/withdraw', { form: { id } });
    expect(withdrawn.ok(), await withdrawn.text()).toBeTruthy();
  }

  const wizard = new ReleaseWizard(seller);
  await wizard.open();
  await wizard.basics('Charged, with a Pricing Template');
  await wizard.next();
  await wizard.details('Busy Debian 10');
  await wizard.next();
  await seller.getByRole('button', { name: 'Add specification' }).click();
  const spec = wizard.spec(1);
  await spec.getByLabel('Image asset').selectOption({ label: 'debian-busy (Debian 12, eu-dublin)' });
  await spec.getByRole('checkbox', { name: 'eu-dublin' }).check();
  await spec.getByLabel('Price per hour (USD)').fill('0.10');
  await wizard.step('Review and submit');
  const warning = seller.getByRole('note').filter({ hasText: 'Review may take longer' });
  await expect(warning).toContainText('This will be your request number 10 today.');
  await wizard.submit();
  await expect(status(seller)).toHaveText('Submitted');
  await expect(seller.getByText('This was one of 10 or more requests you submitted on its day')).toBeVisible();

  await seller.goto('/console/applications');
  const rows = seller.getByRole('row');
  await expect(rows.filter({ hasText: 'Busy Debian 10' })).toContainText('Review may take longer');
  await expect(rows.filter({ hasText: 'Busy Debian 10' }), 'not held to the date (R42)').toContainText('Usually by');
  await expect(rows.filter({ hasText: 'Busy Debian 9' })).not.toContainText('Review may take longer');
});
