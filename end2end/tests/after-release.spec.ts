import { expect, test, type Page } from '@playwright/test';
import { demo } from './fixtures/accounts';
import { personAt, releasedProduct } from './fixtures/review';
import { hydrated } from './fixtures/hydration';

async function myProducts(seller: Page) {
  await seller.goto('/console/products');
  await hydrated(seller);
  await expect(seller.getByRole('table', { name: 'Products' })).toBeVisible();
}

test('Set as Free Image from the More menu, by keyboard, after a confirmation (R50)', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller4, 'My Products');
  const reviewer = await personAt(browser, demo.reviewer, 'Review queue');
  await releasedProduct(seller, reviewer, 'img-demo4-tools', 'Debian Tools',
    { template: 'Simple', billing: [true, false, false], simple_prices: ['0', '', ''], tiers: [] });

  await myProducts(seller);
  const row = seller.getByRole('row', { name: /Debian Tools/ });
  await expect(row).toContainText('Released');
  await expect(row).toContainText('Charged');
  const more = row.getByRole('button', { name: 'More for Debian Tools' });
  await more.focus();
  await seller.keyboard.press('Enter');
  const menu = seller.getByRole('menu', { name: 'More for Debian Tools' });
  await expect(menu.getByRole('menuitem').first()).toBeFocused();
  await seller.keyboard.press('End');
  await expect(menu.getByRole('menuitem', { name: 'Set as Free Image' })).toBeFocused();
  await seller.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect(more).toBeFocused();

  // ↑ on the button opens on the last item.
  await seller.keyboard.press('ArrowUp');
  await expect(menu.getByRole('menuitem', { name: 'Set as Free Image' })).toBeFocused();
  await seller.keyboard.press('Escape');
  await expect(more).toBeFocused();
  // ↓ opens on the first item; ↑ from there wraps to the last.
  await seller.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem').first()).toBeFocused();
  await seller.keyboard.press('ArrowUp');
  await expect(menu.getByRole('menuitem', { name: 'Set as Free Image' })).toBeFocused();
  await seller.keyboard.press('Enter');
  const dialog = seller.getByRole('dialog', { name: 'Set as Free Image?' });
  await expect(dialog).toContainText('The price of this image will be fixed');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toContainText('Charged');

  await more.click();
  await menu.getByRole('menuitem', { name: 'Set as Free Image' }).click();
  await dialog.getByRole('button', { name: 'OK' }).click();
  // The page is loaded again: the server draws the rows as they now are, and says what changed.
  const notice = seller.getByRole('status').filter({ hasText: 'Debian Tools is now a Free image.' });
  await expect(notice, 'a screen reader reads it, and the keyboard starts from it').toBeFocused();
  await expect(row).toContainText('Free image');
  // Said once: the address no longer asks for it, and a reload does not say it again.
  await expect(seller).toHaveURL(/\/console\/products$/);
  await seller.reload();
  await expect(row).toContainText('Free image');
  await expect(notice).toHaveCount(0);
  await hydrated(seller);
  await more.click();
  await expect(menu.getByRole('menuitem', { name: 'View on the marketplace' })).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Set as Free Image' })).toHaveCount(0);

  // A Free image's prices page has no price to type, so leaving it asks nothing.
  await menu.getByRole('menuitem', { name: 'Prices and history' }).click();
  await expect(seller.getByRole('heading', { level: 1, name: 'Debian Tools' })).toBeVisible();
  await hydrated(seller);
  const asked = questionsAsked(seller);
  await seller.getByRole('heading', { level: 1, name: 'Debian Tools' }).click(); // a person's gesture, without which Chromium never asks
  await seller.getByRole('link', { name: '← My Products' }).click();
  await expect(seller).toHaveURL(/\/console\/products$/);
  expect(asked(), 'no question on leaving').toEqual([]);

  // The address says which product; any other id (not this seller's, not freed) says nothing.
  await seller.goto('/console/products?freed=not-a-product');
  await expect(seller.getByRole('table', { name: 'Products' })).toBeVisible();
  await expect(seller.getByText('is now a Free image')).toHaveCount(0);
});

test('a vCPU product: no Set as Free Image, a tier price lowered at once and shown publicly, and its locked image bought to deploy, and its whole story in the history (R51–R54, R74)', async ({ browser }) => {
  const seller = await personAt(browser, demo.seller4, 'My Products');
  const reviewer = await personAt(browser, demo.reviewer, 'Review queue');
  await releasedProduct(seller, reviewer, 'img-demo4-gpu', 'GPU Compute', {
    template: 'Vcpu', billing: [true, true, false], simple_prices: ['', '', ''],
    tiers: [{ vcpus: '4', prices: ['0.40', '200', ''] }, { vcpus: '8', prices: ['0.80', '400', ''] }],
  });

  await myProducts(seller);
  const row = seller.getByRole('row', { name: /GPU Compute/ });
  await expect(row).toContainText('vCPU');
  await row.getByRole('button', { name: 'More for GPU Compute' }).click();
  const menu = seller.getByRole('menu', { name: 'More for GPU Compute' });
  await expect(menu.getByRole('menuitem', { name: 'Change vCPU prices' })).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Set as Free Image' })).toHaveCount(0);
  // A click anywhere else closes the menu.
  await seller.getByRole('heading', { level: 1, name: 'My Products' }).click();
  await expect(menu).toHaveCount(0);
  await row.getByRole('button', { name: 'More for GPU Compute' }).click();
  await menu.getByRole('menuitem', { name: 'Change vCPU prices' }).click();
  await expect(seller.getByRole('heading', { level: 1, name: 'GPU Compute' })).toBeVisible();
  await hydrated(seller);

  const price = seller.getByLabel('Pay-per-use (hourly) price for 4 vCPUs');
  await price.fill('-1');
  await expect(price).toHaveAttribute('aria-invalid', 'true');
  await expect(seller.getByRole('button', { name: 'Save prices' })).toBeDisabled();
  await price.fill('0.35');
  await expect(price).toHaveAttribute('aria-invalid', 'false');
  // Leaving with a price typed and not saved: the browser asks first, and staying keeps it.
  const asked = new Promise<string>((resolve) => seller.once('dialog', (dialog) => { resolve(dialog.type()); void dialog.dismiss(); }));
  await price.click(); // a person's gesture on the page, without which Chromium never asks
  await seller.getByRole('link', { name: '← My Products' }).click();
  expect(await asked).toBe('beforeunload');
  await expect(seller.getByRole('heading', { level: 1, name: 'GPU Compute' })).toBeVisible();
  await expect(price).toHaveValue('0.35');
  await expect(seller.getByRole('button', { name: /delete|remove/i })).toHaveCount(0);
  await seller.getByRole('button', { name: 'Save prices' }).click();
  await expect(seller.getByRole('status').filter({ hasText: 'Prices saved: 1 lower price applies now.' })).toBeVisible();
  await expect(seller.getByRole('button', { name: 'Save prices' }), 'saving keeps the focus').toBeFocused();
  const history = seller.getByRole('table', { name: 'Price history' });
  await expect(history).toContainText('$0.40');
  await expect(history).toContainText('$0.35');
  await expect(history).toContainText('Woodgrove Labs');

  // The product's whole story, from the audit log, one kind at a time when asked (R74): the
  // change just saved is in it without reloading the page.
  const story = seller.getByRole('list', { name: 'Changes, oldest first' });
  await expect(story).toContainText('Pay-per-use (hourly): $0.40 → $0.35');
  const told = await story.getByRole('listitem').allTextContents();
  const order = ['Image asset released', 'Submitted', 'Approved', 'Image locked', 'Price changed'].map((kind) => told.findIndex((line) => line.includes(kind)));
  expect(order.every((at, n) => at >= 0 && (n === 0 || at > order[n - 1])), told.join('\n')).toBeTruthy();
  // A log, one change a line (it was drawn side by side, as the request's progress bar is).
  const [upper, lower] = [await story.getByRole('listitem').nth(0).boundingBox(), await story.getByRole('listitem').nth(1).boundingBox()];
  expect(lower!.y, 'the second change is under the first').toBeGreaterThanOrEqual(upper!.y + upper!.height - 1);
  expect(lower!.x).toBe(upper!.x);
  await expect(story).toContainText('Pay-per-use (hourly): $0.40 → $0.35');
  await seller.getByRole('navigation', { name: 'Show in the history' }).getByRole('link', { name: 'Price changed' }).click();
  await expect(story.getByRole('listitem')).toHaveCount(1);
  await expect(story).toContainText('by Woodgrove Labs');

  // The locked image cannot deploy a VM (R52). Leaving once the prices are saved asks nothing.
  const askedAfterSaving = questionsAsked(seller);
  await seller.getByRole('heading', { level: 1, name: 'GPU Compute' }).click();
  await seller.getByRole('link', { name: '← My Products' }).click();
  await expect(seller).toHaveURL(/\/console\/products$/);
  expect(askedAfterSaving(), 'no question on leaving').toEqual([]);
  await seller.goto('/console/assets');
  await hydrated(seller);
  await seller.getByRole('button', { name: 'Deploy VM from ubuntu-gpu' }).click();
  await expect(seller.locator('#deploy-error')).toContainText('Purchase the product from the marketplace');
  await expect(seller.getByRole('button', { name: 'Deploy VM from ubuntu-gpu' }), 'the focus stays by the answer').toBeFocused();

  // The public page shows the new price; the seller buys its own product, then deploys it (R53).
  await seller.getByRole('link', { name: 'Marketplace' }).click();
  await seller.getByRole('link', { name: 'GPU Compute' }).click();
  await hydrated(seller);
  await expect(seller.getByRole('row', { name: /^4/ })).toContainText('$0.35');
  await seller.locator('#buy-billing').selectOption({ label: 'Monthly' });
  await seller.locator('#buy-tier').selectOption({ label: '8' });
  await expect(seller.locator('#purchase-price')).toHaveText('Price: $400.00 per month');
  // The buyer's credit is in the header, and the form says what is left after buying.
  const dollars = (text: string | null) => Math.round(Number((text ?? '').replace(/[^0-9.]/g, '')) * 100);
  const before = dollars(await seller.locator('#credit-balance').textContent());
  expect(before).toBeGreaterThanOrEqual(40035);
  const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;
  await expect(seller.locator('#purchase-balance')).toHaveText(`Your credit: ${money(before)} · after this purchase: ${money(before - 40000)}`);
  await seller.getByRole('button', { name: 'Purchase' }).click();
  await seller.getByRole('dialog', { name: 'Confirm your purchase' }).getByRole('button', { name: 'Confirm purchase' }).click();
  await expect(seller.getByRole('status').filter({ hasText: 'Purchased for $400.00.' })).toBeVisible();
  await expect(seller.getByRole('button', { name: 'Purchase' }), 'the focus is back where it was, not on the page').toBeFocused();
  await expect(seller.locator('#purchase'), 'bought once, the button says it buys again').toHaveText('Purchase again');
  await expect(seller.locator('#purchase-balance')).toContainText(`Your credit: ${money(before - 40000)}`);
  await expect(seller.locator('#credit-balance'), 'the header says so at once').toHaveText(`Credit: ${money(before - 40000)}`);
  // The answer to the next purchase is lost on its way back: sent again, it is charged once.
  await seller.locator('#buy-billing').selectOption({ label: 'Pay-per-use (hourly)' });
  await seller.locator('#buy-tier').selectOption({ label: '4' });
  await seller.route('**/api/purchases/buy', async (route) => {
    await route.fetch();
    await route.abort('connectionreset');
  }, { times: 1 });
  for (const attempt of ['lost', 'sent again']) {
    await seller.getByRole('button', { name: 'Purchase' }).click();
    await seller.getByRole('dialog', { name: 'Confirm your purchase' }).getByRole('button', { name: 'Confirm purchase' }).click();
    const said = attempt === 'lost' ? 'The server could not be reached' : 'Purchased for $0.35.';
    await expect(seller.getByRole('status').or(seller.getByRole('alert')).filter({ hasText: said }), attempt).toBeVisible();
    await expect(seller.locator('#purchase'), 'a failed attempt does not unsay the purchase made before').toHaveText('Purchase again');
  }
  await expect(seller.locator('#credit-balance'), 'charged once').toHaveText(`Credit: ${money(before - 40035)}`);
  // Opened again, the page says it was bought, and where it is.
  await seller.reload();
  await hydrated(seller);
  await expect(seller.locator('#bought-before')).toContainText('You last bought this product on');
  await expect(seller.locator('#bought-before').getByRole('link', { name: 'My purchases' })).toHaveAttribute('href', '/purchases');
  await expect(seller.locator('#purchase')).toHaveText('Purchase again');
  // A choice the credit does not cover is not offered for confirmation; the form says why.
  expect(before - 40035, 'the demo seller has $500.00').toBeLessThan(40000);
  await seller.locator('#buy-billing').selectOption({ label: 'Monthly' });
  await seller.locator('#buy-tier').selectOption({ label: '8' });
  await expect(seller.locator('#purchase-balance')).toContainText('which does not cover $400.00');
  await expect(seller.getByRole('button', { name: 'Purchase' })).toBeDisabled();
  await seller.getByRole('link', { name: 'My purchases' }).first().click();
  await expect(seller.getByRole('heading', { level: 1, name: 'My purchases' })).toBeVisible();
  await expect(seller.locator('#credit-balance')).toHaveText(`Credit: ${money(before - 40035)}`);
  await expect(seller.getByRole('row', { name: /GPU Compute/ })).toHaveCount(2);
  await hydrated(seller);
  const first = seller.getByRole('row', { name: /GPU Compute/ }).filter({ hasText: '$400.00' });
  await first.getByRole('button', { name: 'Deploy VM from GPU Compute' }).click();
  await expect(seller.getByRole('status').filter({ hasText: 'A VM is being deployed' })).toBeVisible();
  await expect(seller.getByRole('columnheader', { name: 'Charged' })).toBeVisible();
  await expect(first).toHaveCount(1);
});

/** The kinds of the dialogs `page` shows from now on (each accepted, as Playwright does for a
 *  question on leaving when no one listens, so a test must look for one to see it). */
function questionsAsked(page: Page): () => string[] {
  const seen: string[] = [];
  page.on('dialog', (dialog) => { seen.push(dialog.type()); void dialog.accept(); });
  return () => seen;
}
