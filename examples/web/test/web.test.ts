// The invoices blade in a real browser: the gateway in-process, the app built with Vite and served by
// `vite preview` (with the demo sign-in plugin from vite.config.ts), Debian's Chromium driven by
// playwright-core. Screenshots go to examples/web/artifacts/.
//
// The gateway runs on a temporary SQLite FILE (not the harness's default :memory:) so that the preview
// server's demo sign-in plugin can read its users, exactly as it reads a `pnpm start` gateway's; it gets
// the gateway's DATABASE_PATH and JWT_SECRET through the same environment variables the gateway reads.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { createBillingClient, type BillingClient } from '@billing/sdk';
import { invoiceId, profileId, startTestGateway, type TestGateway } from '@billing/server/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = join(WEB_ROOT, 'artifacts');
const TIMEOUT = 60_000;

let gw: TestGateway;
let ada: BillingClient;
let tmp: string;
let origin: string;
let server: PreviewServer;
let browser: Browser;
const pageErrors: string[] = [];
const openPages: Page[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const succeededCharges = () => gw.gateway.resources.sandbox.chargeCount({ status: 'SUCCEEDED' });
const allCharges = () => gw.gateway.resources.sandbox.chargeCount();

async function numberOf(id: number): Promise<string> {
  return (await ada.invoice(invoiceId(id)))!.number;
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A fresh browser context, signed in through the demo-user picker (the /dev/token route). */
async function signIn(displayName: string, options: { beforeSignIn?: (page: Page) => void } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  openPages.push(page);
  page.on('pageerror', (error) => pageErrors.push(`${displayName}: ${error.message}`));
  await page.goto(origin);
  options.beforeSignIn?.(page);
  await page.getByRole('button', { name: displayName, exact: true }).click();
  await page.getByRole('heading', { name: 'Invoices', level: 1 }).waitFor();
  await page.locator('table[aria-busy="false"] tbody tr').first().waitFor();
  // Marks this document: if the page reloaded, the mark would be gone.
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  return page;
}

const notReloaded = (page: Page) =>
  page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true);
const row = (page: Page, number: string) => page.getByRole('row', { name: new RegExp(number) });
const payNowLink = (page: Page, number: string) => page.getByRole('button', { name: `Pay now: invoice ${number}` });
const panel = (page: Page) => page.getByRole('dialog', { name: 'Select a payment method' });

/** Resolves once the page's billingEvents stream is open at the gateway. */
function eventStreamOpened(page: Page) {
  return page.waitForResponse(
    (r) => r.url() === gw.url && (r.request().headers().accept ?? '').includes('text/event-stream'),
  );
}

// Without Chromium every browser test FAILS with this explanation (not skipped: CI installs Chromium,
// and a skipped browser suite would look like a passing one).
const chromiumMissing = existsSync(CHROMIUM)
  ? null
  : new Error(
      `Chromium is not installed at ${CHROMIUM}: the web example's browser tests need it. ` +
        'Install it with `apt-get install -y chromium` (CI does), or set CHROMIUM_PATH.',
    );

/** A browser test: fails at once, with the reason, when there is no browser. */
function browserTest(name: string, body: () => Promise<void>): void {
  it(
    name,
    async () => {
      if (chromiumMissing) throw chromiumMissing;
      await body();
    },
    TIMEOUT,
  );
}

beforeAll(async () => {
  if (chromiumMissing) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  tmp = mkdtempSync(join(tmpdir(), 'billing-web-example-'));
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const gatewayEnv = {
    DATABASE_PATH: join(tmp, 'billing.db'),
    SANDBOX_LEDGER_PATH: join(tmp, 'sandbox-ledger.db'),
    JWT_SECRET: 'web-example-test-secret-that-is-long-enough',
    CORS_ORIGINS: origin,
  };
  gw = await startTestGateway({ env: gatewayEnv });
  ada = createBillingClient({ url: gw.url, token: gw.tokens.ada });

  // What a developer does: point the app at the gateway, and give the dev server the gateway's settings.
  vi.stubEnv('VITE_GATEWAY_URL', gw.url);
  vi.stubEnv('DATABASE_PATH', gatewayEnv.DATABASE_PATH);
  vi.stubEnv('JWT_SECRET', gatewayEnv.JWT_SECRET);
  const outDir = join(tmp, 'dist');
  // A production build, as `vite build` makes it (vitest's NODE_ENV=test would give React's development build).
  const testNodeEnv = process.env.NODE_ENV ?? 'test';
  vi.stubEnv('NODE_ENV', 'production');
  await build({ root: WEB_ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  vi.stubEnv('NODE_ENV', testNodeEnv);
  server = await preview({
    root: WEB_ROOT,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port, strictPort: true },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 120_000);

afterEach(async () => {
  for (const page of openPages.splice(0)) await page.context().close();
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await gw?.close();
  vi.unstubAllEnvs();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the invoices blade', () => {
  browserTest(
    "the owner pays a past-due invoice with the default card; it turns Paid without a reload, on a reader's open page too",
    async () => {
      const number = await numberOf(3); // Engineering, past due
      const paidBefore = succeededCharges();

      let ritaStream: ReturnType<typeof eventStreamOpened> | undefined;
      const rita = await signIn('Rita Reader', { beforeSignIn: (page) => (ritaStream = eventStreamOpened(page)) });
      let adaStream: ReturnType<typeof eventStreamOpened> | undefined;
      const owner = await signIn('Ada Lovelace', { beforeSignIn: (page) => (adaStream = eventStreamOpened(page)) });
      await Promise.all([ritaStream, adaStream]);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the streams subscribe at the gateway

      // "Pay now" is on exactly the due and past-due invoices (viewerCanPay), nowhere else.
      const rows = owner.locator('tbody tr');
      for (let i = 0; i < (await rows.count()); i++) {
        const status = (await rows.nth(i).locator('.badge').innerText()).trim();
        const payable = status === 'Due' || status === 'Past due';
        expect(
          await rows
            .nth(i)
            .getByRole('button', { name: /^Pay now/ })
            .count(),
          `row ${i} (${status})`,
        ).toBe(payable ? 1 : 0);
      }
      expect(await row(owner, number).locator('.badge').innerText()).toBe('Past due');
      await screenshot(owner, '01-owner-invoices');

      await payNowLink(owner, number).click();
      const dialog = panel(owner);
      await dialog.waitFor();
      expect(await dialog.getByRole('radio', { name: /Visa ending in 4242/ }).isChecked()).toBe(true); // the default
      expect(await dialog.getByRole('radio', { name: /Visa ending in 1111/ }).isDisabled()).toBe(true); // expired
      await screenshot(owner, '02-owner-select-payment-method');

      await dialog.getByRole('button', { name: 'Pay now' }).click();
      await row(owner, number).getByText('Paid', { exact: true }).waitFor();
      await row(rita, number).getByText('Paid', { exact: true }).waitFor(); // only the subscription tells Rita
      expect(await payNowLink(owner, number).count()).toBe(0);
      expect(
        await owner
          .getByRole('status')
          .filter({ hasText: `Invoice ${number} is now paid.` })
          .count(),
      ).toBe(1);
      expect(await notReloaded(owner)).toBe(true);
      expect(await notReloaded(rita)).toBe(true);
      expect(succeededCharges()).toBe(paidBefore + 1);
      await screenshot(owner, '03-owner-paid');
      await screenshot(rita, '04-reader-sees-paid-live');
    },
  );

  browserTest('the owner pays another invoice with a newly added card', async () => {
    const number = await numberOf(2); // Engineering, past due
    const paidBefore = succeededCharges();
    const cardsBefore = (await ada.paymentMethods(profileId(1)))!.paymentMethods!.length;
    const owner = await signIn('Ada Lovelace');

    await payNowLink(owner, number).click();
    const dialog = panel(owner);
    await dialog.getByRole('radio', { name: 'Add a new card' }).check();
    await dialog.getByLabel('Card number').fill('4242 4242 4242 4242');
    await dialog.getByLabel('Expiry date (MM/YY)').fill('12/30');
    await dialog.getByLabel('Security code (CVC)').fill('123');
    expect(await dialog.getByLabel('Cardholder name').inputValue()).toBe('Ada Lovelace');
    await screenshot(owner, '05-owner-new-card');
    await dialog.getByRole('button', { name: 'Pay now' }).click();

    await row(owner, number).getByText('Paid', { exact: true }).waitFor();
    expect(await notReloaded(owner)).toBe(true);
    expect(succeededCharges()).toBe(paidBefore + 1);
    const cards = (await ada.paymentMethods(profileId(1)))!.paymentMethods!;
    expect(cards.length).toBe(cardsBefore + 1);
    expect(cards.some((c) => c.last4 === '4242' && c.expYear === 2030)).toBe(true);
    await screenshot(owner, '06-owner-paid-with-new-card');
  });

  browserTest('a declined card and an expired card get clear messages; the invoice stays payable', async () => {
    const number = await numberOf(1); // Engineering, due
    const paidBefore = succeededCharges();
    const owner = await signIn('Ada Lovelace');
    await payNowLink(owner, number).click();
    const dialog = panel(owner);
    const alert = dialog.getByRole('alert');

    // An existing card that the processor declines (Visa 0002, the sandbox's declining card).
    await dialog.getByRole('radio', { name: /Visa ending in 0002/ }).check();
    await dialog.getByRole('button', { name: 'Pay now' }).click();
    await alert.filter({ hasText: 'The card was declined.' }).waitFor();
    await screenshot(owner, '07-declined');

    // A new card the processor declines as expired (test number 4000 0000 0000 0069).
    await dialog.getByRole('radio', { name: 'Add a new card' }).check();
    await dialog.getByLabel('Card number').fill('4000000000000069');
    await dialog.getByLabel('Expiry date (MM/YY)').fill('10/31');
    await dialog.getByLabel('Security code (CVC)').fill('123');
    await dialog.getByRole('button', { name: 'Pay now' }).click();
    await alert.filter({ hasText: 'The card was declined: it has expired.' }).waitFor();

    // A new card whose expiry date is already past: refused before any charge.
    await dialog.getByRole('radio', { name: 'Add a new card' }).check();
    await dialog.getByLabel('Card number').fill('4242424242424242');
    await dialog.getByLabel('Expiry date (MM/YY)').fill('01/24');
    await dialog.getByLabel('Security code (CVC)').fill('123');
    await dialog.getByRole('button', { name: 'Pay now' }).click();
    await dialog.getByText('This card has expired.').waitFor();
    expect(await dialog.getByLabel('Expiry date (MM/YY)').getAttribute('aria-invalid')).toBe('true');
    await screenshot(owner, '08-expired-card');

    expect(succeededCharges()).toBe(paidBefore);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await row(owner, number).locator('.badge').innerText()).toBe('Due');
    expect(await payNowLink(owner, number).count()).toBe(1);
    expect((await ada.invoice(invoiceId(1)))!.status).toBe('DUE');
  });

  browserTest('a new card declined on its first charge is not saved, unless "Save this card" is ticked', async () => {
    const number = await numberOf(1); // Engineering, due
    const savedCards = async () => (await ada.paymentMethods(profileId(1)))!.paymentMethods!.length;
    const cardsBefore = await savedCards();
    const owner = await signIn('Ada Lovelace');
    await payNowLink(owner, number).click();
    const dialog = panel(owner);
    const alert = dialog.getByRole('alert');
    const payWithNewDecliningCard = async () => {
      await dialog.getByRole('radio', { name: 'Add a new card' }).check();
      await dialog.getByLabel('Card number').fill('4000 0000 0000 0002'); // the sandbox declines it
      await dialog.getByLabel('Expiry date (MM/YY)').fill('09/32');
      await dialog.getByLabel('Security code (CVC)').fill('123');
      await dialog.getByRole('button', { name: 'Pay now' }).click();
      await alert.filter({ hasText: 'The card was declined.' }).waitFor();
    };

    await payWithNewDecliningCard();
    expect(await savedCards()).toBe(cardsBefore);
    expect(await dialog.getByRole('radio', { name: /ending in 0002, expires 09\/2032/ }).count()).toBe(0);
    expect(await dialog.getByLabel('Card number').inputValue()).toBe(''); // the number is not kept either

    await dialog.getByRole('radio', { name: 'Add a new card' }).check();
    await dialog.getByLabel('Save this card for future payments').check();
    await payWithNewDecliningCard();
    expect(await savedCards()).toBe(cardsBefore + 1);
    await dialog.getByRole('radio', { name: /ending in 0002, expires 09\/2032/ }).waitFor();
    await screenshot(owner, '11-declined-new-card-saved-on-request');

    // Tidy up for the other tests: the saved declining card goes again.
    const kept = (await ada.paymentMethods(profileId(1)))!.paymentMethods!.find((c) => c.expYear === 2032)!;
    expect((await ada.removePaymentMethod(kept.id)).__typename).toBe('RemovePaymentMethodSuccess');
    expect((await ada.invoice(invoiceId(1)))!.status).toBe('DUE');
  });

  browserTest('the "is now paid" banner of an earlier payment is cleared by a later decline', async () => {
    const paidNumber = await numberOf(11); // Marketing, due: paid with its default card
    const declinedNumber = await numberOf(1); // Engineering, due: declined
    const owner = await signIn('Ada Lovelace');
    const banner = owner.locator('p.announcement[role="status"]');

    await payNowLink(owner, paidNumber).click();
    await panel(owner).getByRole('button', { name: 'Pay now' }).click();
    await row(owner, paidNumber).getByText('Paid', { exact: true }).waitFor();
    expect(await banner.textContent()).toBe(`Invoice ${paidNumber} is now paid.`);

    await payNowLink(owner, declinedNumber).click();
    const dialog = panel(owner);
    await dialog.getByRole('radio', { name: /Visa ending in 0002/ }).check();
    await dialog.getByRole('button', { name: 'Pay now' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'The card was declined.' }).waitFor();
    expect(await banner.textContent()).toBe('');
    await screenshot(owner, '12-decline-clears-earlier-paid-banner');
  });

  browserTest('a reader sees the invoices, no "Pay now", and the admin-only note', async () => {
    const charges = allCharges();
    const rita = await signIn('Rita Reader');
    await rita.getByRole('note').filter({ hasText: 'Only the billing account admin can pay invoices' }).waitFor();
    expect(await rita.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(
      await row(rita, await numberOf(12))
        .locator('.badge')
        .innerText(),
    ).toBe('Past due'); // unpaid, still no link
    expect(await rita.getByRole('button', { name: /Pay now/ }).count()).toBe(0);
    await screenshot(rita, '09-reader-no-pay-now');
    expect(allCharges()).toBe(charges);
  });

  browserTest('filters by status and pages forward and back with cursors', async () => {
    const owner = await signIn('Ada Lovelace');
    const caption = owner.locator('caption');
    const firstPage = await owner.locator('tbody th').allInnerTexts();
    const total = Number(/(\d+) invoices/.exec(await caption.innerText())![1]);
    expect(total).toBe(21); // Contoso: Engineering 10, Marketing 6, Europe 5

    await owner.getByRole('button', { name: 'Next' }).click();
    await owner.getByText('Page 2').waitFor();
    await owner.locator('table[aria-busy="false"]').waitFor();
    const secondPage = await owner.locator('tbody th').allInnerTexts();
    expect(secondPage.some((n) => firstPage.includes(n))).toBe(false);
    await owner.getByRole('button', { name: 'Previous' }).click();
    await owner.getByText('Page 1').waitFor();
    await owner.locator('table[aria-busy="false"]').waitFor();
    expect(await owner.locator('tbody th').allInnerTexts()).toEqual(firstPage);
    expect(await owner.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);

    await owner.getByLabel('Status').selectOption({ label: 'Void' });
    await owner.getByText('2 invoices').waitFor(); // Engineering and Europe have one void invoice each
    expect(await owner.locator('tbody .badge').allInnerTexts()).toEqual(['Void', 'Void']);
    await owner.getByLabel('Billing profile').selectOption({ label: 'Contoso Europe (EUR)' });
    await owner.getByText('1 invoice', { exact: true }).waitFor();
    expect(await owner.locator('tbody td').filter({ hasText: '€' }).count()).toBeGreaterThan(0);
    await screenshot(owner, '10-filtered');
  });
});
