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
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { closeBillingPeriod } from '@billing/schema/billing';
import { createTestPostgresDatabase, type TestPostgresDatabase } from '@billing/schema/db';
import { createBillingClient, type BillingClient } from '@billing/sdk';
import {
  cardId,
  invoiceId,
  profileId,
  startTestGateway,
  TEST_DIALECT,
  type TestGateway,
} from '@billing/server/testing';
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
let postgres: TestPostgresDatabase | null = null;
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
async function signIn(
  displayName: string,
  options: { beforeSignIn?: (page: Page) => void; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1440, height: 900 } });
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
  // On the PostgreSQL project the gateway and the dev server's demo sign-in share one database of their own.
  postgres = TEST_DIALECT === 'postgresql' ? await createTestPostgresDatabase() : null;
  const gatewayEnv = {
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
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
  if (postgres) vi.stubEnv('DATABASE_URL', postgres.url);
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
  await postgres?.drop();
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

const savedCards = (page: Page) => page.getByRole('list', { name: 'Saved cards' });
/** A saved card's list item, named by its title ("Visa ending in 4242, expires 12/2028"). */
const savedCard = (page: Page, name: RegExp | string) => savedCards(page).getByRole('listitem', { name });

async function openPaymentMethods(page: Page, profile: string): Promise<void> {
  await page.getByRole('button', { name: 'Payment methods' }).click();
  await page.getByRole('heading', { name: 'Payment methods', level: 1 }).waitFor();
  await page.getByLabel('Billing profile').selectOption({ label: profile });
  await savedCards(page).waitFor();
}

describe('the payment methods page', () => {
  browserTest(
    'a contributor adds, edits, makes default and removes cards; the default and a prepaid card are refused with the reason',
    async () => {
      const marketing = profileId(2);
      const cardsOf = async () => (await ada.paymentMethods(marketing))!;
      const carlos = await signIn('Carlos Contributor');
      await openPaymentMethods(carlos, 'Contoso Marketing (USD)');
      const amex = savedCard(carlos, /American Express ending in 8431/);
      await amex.getByText('Default', { exact: true }).waitFor();
      expect(await carlos.getByRole('note').count()).toBe(0); // a contributor may manage cards

      // Add: the list shows the new card without a reload; the number is not kept in the form.
      const form = carlos.getByRole('form', { name: 'Add a card' });
      await form.getByLabel('Card number').fill('5555 5555 5555 4444');
      await form.getByLabel('Expiry date (MM/YY)').fill('10/31');
      await form.getByLabel('Security code (CVC)').fill('123');
      expect(await form.getByLabel('Cardholder name').inputValue()).toBe('Carlos Contributor');
      await form.getByRole('button', { name: 'Add card' }).click();
      const mastercard = savedCard(carlos, /Mastercard ending in 4444/);
      await savedCard(carlos, 'Mastercard ending in 4444, expires 10/2031').waitFor();
      expect(await form.getByLabel('Card number').inputValue()).toBe('');
      expect((await cardsOf()).paymentMethods!.map((c) => c.last4).sort()).toEqual(['4444', '8431']);
      await screenshot(carlos, '13-cards-added');

      // The default card cannot go while another card is there: the reason shows, nothing changes.
      await amex.getByRole('button', { name: /^Remove/ }).click();
      await amex
        .getByRole('alert')
        .filter({ hasText: "This card is the billing profile's default payment method." })
        .waitFor();
      expect((await cardsOf()).defaultPaymentMethod?.last4).toBe('8431');
      expect((await cardsOf()).paymentMethods!.length).toBe(2);
      await screenshot(carlos, '14-default-card-not-removable');

      // Edit: a past expiry is refused by the gateway on the expiry field; then a renewal and a new name.
      await mastercard.getByRole('button', { name: /^Edit/ }).click();
      const edit = carlos.getByRole('form', { name: 'Edit Mastercard ending in 4444' });
      await edit.getByLabel('Expiry date (MM/YY)').fill('01/24');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.getByText('This card has expired.').waitFor();
      expect(await edit.getByLabel('Expiry date (MM/YY)').getAttribute('aria-invalid')).toBe('true');
      await edit.getByLabel('Cardholder name').fill('Carlos \u202eContributor');
      await edit.getByLabel('Expiry date (MM/YY)').fill('08/32');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.getByText(/The cardholder name must be 1 to 100 characters/).waitFor();
      await edit.getByLabel('Cardholder name').fill('C. Contributor');
      await edit.getByRole('button', { name: 'Save' }).click();
      await savedCard(carlos, 'Mastercard ending in 4444, expires 08/2032').waitFor();
      await mastercard.getByText('C. Contributor').waitFor();
      const updated = (await cardsOf()).paymentMethods!.find((c) => c.last4 === '4444')!;
      expect(updated).toMatchObject({ expMonth: 8, expYear: 2032, holderName: 'C. Contributor' });

      // Make default: the tag moves from one card to the other, then the old default can go.
      await mastercard.getByRole('button', { name: /^Make default/ }).click();
      await mastercard.getByText('Default', { exact: true }).waitFor();
      await amex.getByRole('button', { name: /^Make default/ }).waitFor();
      expect(await amex.getByText('Default', { exact: true }).count()).toBe(0);
      await amex.getByRole('button', { name: /^Remove/ }).click();
      await amex.waitFor({ state: 'detached' });
      expect((await cardsOf()).paymentMethods!.map((c) => c.last4)).toEqual(['4444']);
      expect((await cardsOf()).defaultPaymentMethod?.last4).toBe('4444');

      // A prepaid card is refused when added (the sandbox's prepaid test number), and nothing is stored.
      await form.getByLabel('Card number').fill('5105 1051 0510 5100');
      await form.getByLabel('Expiry date (MM/YY)').fill('10/31');
      await form.getByLabel('Security code (CVC)').fill('123');
      await form.getByRole('button', { name: 'Add card' }).click();
      await form.getByRole('alert').filter({ hasText: 'Prepaid cards are not accepted.' }).waitFor();
      expect((await cardsOf()).paymentMethods!.length).toBe(1);
      await screenshot(carlos, '15-cards-managed');
      expect(await notReloaded(carlos)).toBe(true);
    },
  );

  browserTest('a reader sees the cards with no way to change them', async () => {
    const rita = await signIn('Rita Reader');
    await openPaymentMethods(rita, 'Contoso Engineering (USD)');
    await savedCard(rita, /^Visa ending in 4242, expires 12\/2028$/).waitFor();
    await rita.getByRole('note').filter({ hasText: 'You can see them, but not change them.' }).waitFor();
    await rita.getByText('Autopay is off. Only the billing account admin can change it.').waitFor();
    expect(await rita.getByRole('checkbox').count()).toBe(0);
    expect(await savedCards(rita).getByRole('button').count()).toBe(0);
    expect(await rita.getByRole('form', { name: 'Add a card' }).count()).toBe(0);
    await screenshot(rita, '16-reader-cards');
  });
});

describe('the invoice detail', () => {
  browserTest(
    'line items, the payments (a failed one included) and the documents; paying there adds the receipt',
    async () => {
      // A declined attempt first, made through the API as a partner's script would (Visa 0002 declines).
      const declined = await ada.payInvoice({ invoiceId: invoiceId(1), paymentMethodId: cardId(3) });
      expect(declined.__typename).toBe('CardDeclinedError');
      const before = (await ada.invoice(invoiceId(1)))!;
      const owner = await signIn('Ada Lovelace');
      await owner.getByLabel('Billing profile').selectOption({ label: 'Contoso Engineering (USD)' });
      await owner.getByRole('button', { name: `Invoice ${before.number}: details` }).click();
      await owner.getByRole('heading', { name: `Invoice ${before.number}`, level: 1 }).waitFor();

      const lineItems = owner.getByRole('table', { name: 'Line items' }).locator('tbody tr');
      await lineItems.first().waitFor();
      expect(await lineItems.count()).toBe(before.lineItems.length);
      expect(await lineItems.first().innerText()).toContain(before.lineItems[0]!.description);
      const documents = owner.locator('.documents a');
      expect(await documents.allInnerTexts()).toEqual(['Invoice (PDF)']);
      const pdf = await fetch((await documents.first().getAttribute('href'))!);
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toContain('application/pdf');

      const payments = owner.getByRole('table', { name: 'Payments' }).locator('tbody tr');
      expect(await payments.count()).toBe(before.payments.length);
      expect(await payments.first().innerText()).toMatch(/Failed \(declined\)/); // newest first
      expect(await payments.first().innerText()).toContain('Visa ending in 0002');
      await screenshot(owner, '17-invoice-detail');

      // Pay now from the detail: the payment and the receipt appear without a reload.
      await owner.getByRole('button', { name: 'Pay now', exact: true }).click();
      await panel(owner).getByRole('button', { name: 'Pay now' }).click();
      await owner.locator('.detail-header').getByText('Paid', { exact: true }).waitFor();
      await payments.filter({ hasText: 'Succeeded' }).waitFor();
      await owner.locator('.documents a', { hasText: 'Receipt (PDF)' }).waitFor();
      expect(await payments.count()).toBe(before.payments.length + 1);
      expect(await notReloaded(owner)).toBe(true);
      await screenshot(owner, '18-invoice-detail-paid');

      // Back to the list, where the row is Paid too.
      await owner.getByRole('button', { name: '← All invoices' }).click();
      await row(owner, before.number).getByText('Paid', { exact: true }).waitFor();
    },
  );
});

// Tom Owner's Tailspin Toys (the seed's last tenant): "Tailspin Autopay" pays automatically with a card that
// declines and holds G900062500, above the USD 50,000 card ceiling; "Tailspin Wire Transfer" pays by bank.
const ABOVE_CEILING = 'G900062500';
const CEILING_MESSAGE = 'Card payments are limited to USD 50,000.00. Pay by wire transfer.';
const TOM_USER_ID = 6; // the seed's sixth demo user
const TAILSPIN_AUTOPAY_ID = 6; // the seed's sixth billing profile

async function openInvoice(page: Page, number: string): Promise<void> {
  await page.getByRole('button', { name: `Invoice ${number}: details` }).click();
  await page.getByRole('heading', { name: `Invoice ${number}`, level: 1 }).waitFor();
}

/** Clicks a saved card's Remove, and waits for the refusal that says why it stays. */
async function removalRefused(card: Locator, reason: string): Promise<void> {
  await card.getByRole('button', { name: /^Remove/ }).click();
  await card.getByRole('alert').filter({ hasText: reason }).waitFor();
}

const wireInstructions = (page: Page) => page.getByRole('region', { name: 'Pay by wire transfer' });

describe('the Tailspin tenant: the card ceiling, wire transfer and autopay', () => {
  browserTest(
    'an invoice above the card ceiling says why Pay now is not offered, in the list and on its page',
    async () => {
      const tom = await signIn('Tom Owner');
      await tom.getByLabel('Billing profile').selectOption({ label: 'Tailspin Autopay (USD)' });
      const listed = row(tom, ABOVE_CEILING);
      await listed.getByText(CEILING_MESSAGE).waitFor();
      expect(await payNowLink(tom, ABOVE_CEILING).count()).toBe(0);
      expect(await listed.locator('.badge').innerText()).toBe('Due');
      await screenshot(tom, '23-above-ceiling-list');

      await openInvoice(tom, ABOVE_CEILING);
      await tom.getByRole('note').filter({ hasText: CEILING_MESSAGE }).waitFor();
      expect(await tom.getByRole('button', { name: 'Pay now', exact: true }).count()).toBe(0);
      expect(await tom.locator('.amounts').innerText()).toContain('$62,500.00');
      // Above the ceiling the invoice is paid by wire transfer, quoting its number.
      expect(await wireInstructions(tom).innerText()).toContain(`“${ABOVE_CEILING}”`);
      await screenshot(tom, '24-above-ceiling-detail');
    },
  );

  browserTest('a wire-transfer invoice shows the bank details with its number as the reference', async () => {
    const tom = await signIn('Tom Owner');
    await tom.getByLabel('Billing profile').selectOption({ label: 'Tailspin Wire Transfer (USD)' });
    await tom.getByLabel('Status').selectOption({ label: 'Due' });
    await tom.getByText('1 invoice', { exact: true }).waitFor();
    const number = (await tom.locator('tbody th').first().innerText()).trim();

    await openInvoice(tom, number);
    const instructions = wireInstructions(tom);
    await instructions.waitFor();
    expect(await instructions.innerText()).toContain(`Quote the reference “${number}”`);
    for (const term of ['Bank', 'Account holder', 'Account number', 'Bank code (SWIFT/BIC)', 'Reference']) {
      expect(await instructions.getByRole('term').getByText(term, { exact: true }).count(), term).toBe(1);
    }
    const reference = instructions.locator('div', {
      has: tom.getByRole('term').getByText('Reference', { exact: true }),
    });
    expect(await reference.getByRole('definition').innerText()).toBe(number);
    await screenshot(tom, '25-wire-transfer-detail');
  });

  browserTest(
    'the owner turns autopay off and on again; the removal refusals say why; a card not for recurring charges is marked',
    async () => {
      const tomApi = createBillingClient({
        url: gw.url,
        token: await gw.gateway.authenticator.mintUserToken(TOM_USER_ID),
      });
      const tom = await signIn('Tom Owner');
      await openPaymentMethods(tom, 'Tailspin Autopay (USD)');
      const autopayProfile = (await tom.getByLabel('Billing profile').inputValue()) as string;
      const autopayOf = async () => (await tomApi.paymentMethods(autopayProfile))!.autopay;
      const toggle = tom.getByLabel('Charge each new invoice to the default card automatically');
      expect(await toggle.isChecked()).toBe(true);
      const banner = tom.locator('p.announcement[role="status"]');

      // The only card of an autopay profile stays.
      const declining = savedCard(tom, /Visa ending in 0002/);
      await removalRefused(declining, 'This is the only card of a billing profile that pays automatically.');
      await screenshot(tom, '26-only-card-on-autopay');

      // The checkbox follows the gateway's answer (the cache), so it is clicked, not `uncheck`ed at once.
      await toggle.click();
      await banner.filter({ hasText: 'Autopay turned off.' }).waitFor();
      await tom.locator('#autopay-enabled:not(:checked)').waitFor();
      expect(await autopayOf()).toBe(false);
      await toggle.click();
      await banner.filter({ hasText: 'Autopay turned on.' }).waitFor();
      await tom.locator('#autopay-enabled:checked').waitFor();
      expect(await autopayOf()).toBe(true);

      // A card issued in India (the sandbox's test number) is saved, but not for recurring charges.
      const form = tom.getByRole('form', { name: 'Add a card' });
      await form.getByLabel('Card number').fill('4000 0035 6000 0008');
      await form.getByLabel('Expiry date (MM/YY)').fill('10/31');
      await form.getByLabel('Security code (CVC)').fill('123');
      await form.getByRole('button', { name: 'Add card' }).click();
      const indian = savedCard(tom, /Visa ending in 0008/);
      await indian.getByText('Not for recurring charges', { exact: true }).waitFor();
      expect(await declining.getByText('Not for recurring charges').count()).toBe(0);

      // With another card there, the default cannot go.
      await removalRefused(declining, "This card is the billing profile's default payment method.");
      await screenshot(tom, '27-autopay-cards');

      // Tidy up for the other tests.
      await indian.getByRole('button', { name: /^Remove/ }).click();
      await indian.waitFor({ state: 'detached' });
      expect((await tomApi.paymentMethods(autopayProfile))!.paymentMethods!.map((c) => c.last4)).toEqual(['0002']);
      expect(await notReloaded(tom)).toBe(true);
    },
  );
  browserTest(
    'a closed period: credits applied, the rest charged automatically and declined, the next try scheduled',
    async () => {
      // What `billing-gateway close-period` does: the USD 150.00 credit covers part, autopay charges the rest.
      const closed = await closeBillingPeriod(gw.gateway.resources.services, {
        billingProfileId: TAILSPIN_AUTOPAY_ID,
        periodStart: '2026-11-01',
        periodEnd: '2026-11-28',
        lineItems: [
          { description: 'Compute hours', serviceName: 'Virtual Machines', quantity: 100, unitPriceMinor: 200 },
        ],
        taxMinor: 0,
      });
      expect(closed).toMatchObject({ totalMinor: 20_000, creditAppliedMinor: 15_000, amountDueMinor: 5_000 });
      expect(closed.autopay.kind).toBe('declined');

      const tom = await signIn('Tom Owner');
      await tom.getByLabel('Billing profile').selectOption({ label: 'Tailspin Autopay (USD)' });
      await openInvoice(tom, closed.invoiceNumber);
      const amounts = await tom.locator('.amounts').innerText();
      expect(amounts).toMatch(/Credits applied\s+−\$150\.00/);
      expect(amounts).toMatch(/Amount due \(net of credits\)\s+\$50\.00/);
      expect(await tom.locator('.facts').first().innerText()).toMatch(/Next automatic charge\s+Nov 30, 2026/);
      const payments = tom.getByRole('table', { name: 'Payments' }).locator('tbody tr');
      expect(await payments.first().innerText()).toMatch(/Failed \(declined\)/);
      await tom.getByRole('button', { name: 'Pay now', exact: true }).waitFor(); // a decline shows Pay now
      await screenshot(tom, '29-credits-and-declined-autopay');
    },
  );
});

describe('at a phone width (390 px)', () => {
  const PHONE = { width: 390, height: 844 };
  const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

  browserTest('the list, the pay panel, the detail and the cards fit the screen', async () => {
    const owner = await signIn('Ada Lovelace', { viewport: PHONE });
    expect(await pageWidth(owner)).toBeLessThanOrEqual(390);
    // Status and Pay now are on screen, not past its right edge.
    const firstPayable = owner.getByRole('button', { name: /^Pay now: invoice/ }).first();
    for (const element of [owner.locator('tbody .badge').first(), firstPayable]) {
      const box = (await element.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await screenshot(owner, '19-phone-list');

    await firstPayable.click();
    await panel(owner).getByRole('radio', { name: 'Add a new card' }).check();
    expect(await pageWidth(owner)).toBeLessThanOrEqual(390);
    await screenshot(owner, '20-phone-pay-panel');
    await panel(owner).getByRole('button', { name: 'Cancel' }).click();

    await owner.locator('tbody th button').first().click();
    await owner.getByRole('table', { name: 'Line items' }).waitFor();
    expect(await pageWidth(owner)).toBeLessThanOrEqual(390);
    await screenshot(owner, '21-phone-invoice-detail');

    await openPaymentMethods(owner, 'Contoso Engineering (USD)');
    await savedCard(owner, /Visa ending in 1111/)
      .getByRole('button', { name: /^Edit/ })
      .click();
    expect(await pageWidth(owner)).toBeLessThanOrEqual(390);
    await screenshot(owner, '22-phone-payment-methods');
  });

  browserTest('an invoice with the wire instructions and the card-ceiling note fits the screen', async () => {
    const tom = await signIn('Tom Owner', { viewport: PHONE });
    await tom.getByLabel('Billing profile').selectOption({ label: 'Tailspin Autopay (USD)' });
    await openInvoice(tom, ABOVE_CEILING);
    await wireInstructions(tom).waitFor();
    await tom.getByRole('note').filter({ hasText: CEILING_MESSAGE }).waitFor();
    expect(await pageWidth(tom)).toBeLessThanOrEqual(390);
    await screenshot(tom, '28-phone-wire-transfer-detail');
  });
});
