'use strict';
// Issue 24 in a real browser (Debian's chromium, playwright-core): a
// site's form submission becomes an inquiry, counted in the navigation;
// it is marked contacted, then converted, and "Create booking" makes its
// booking, shown with its value in its currency, and in attribution
// next to its channel's ad spend.  Every page is checked
// by axe-core and screenshotted to tests/artifacts/24-*.png.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { startStack, defer, freePort, ROOT } = require('./lib/stack');
const { checkA11y } = require('./lib/a11y');

const ART = path.join(ROOT, 'tests/artifacts');
const CHROMIUM = process.env.SLUICE_CHROMIUM || '/usr/bin/chromium';

test('browser: a form submission becomes an inquiry, then a booking (issue 24)', { timeout: 300000 }, async (t) => {
  fs.mkdirSync(ART, { recursive: true });
  const stack = await startStack({ programs: ['api', 'pages'] });
  defer(t, () => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  defer(t, () => browser.close());
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.setDefaultTimeout(15000);
  // A select's name includes its options' text (the label wraps it).
  const select = (name) => page.getByRole('combobox', { name: new RegExp(`^${name}`) });
  const shot = async (name, p = page) => {
    await p.screenshot({ path: path.join(ART, `24-${name}.png`), fullPage: true });
    await checkA11y(p, name);
  };

  await page.goto(`${stack.url}/setup`);
  await page.getByLabel('Your email').fill('owner@example.com');
  await page.getByLabel(/^Password/).fill('correct horse battery');
  await page.getByLabel(/Workspace name/).fill('Studio');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/connections$/);

  // The form's address and the site's origin, set in Settings.
  let formUrl;
  const sitePort = await freePort();
  const site = `http://127.0.0.1:${sitePort}`;
  await t.test('Settings shows the form, takes the site origin', async () => {
    await page.goto(`${stack.url}/settings`);
    await page.getByRole('link', { name: 'Your site\'s inquiry form' }).click();
    await page.waitForURL(/\/settings\/inquiry-form$/);
    formUrl = (await page.locator('#form-url').textContent()).trim();
    assert.match(formUrl, /\/f\/[A-Za-z0-9_-]{24}$/);
    await page.getByLabel(/Site origins/).fill(site);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/done=saved$/);
    await shot('form-settings');
    assert.match(await page.locator('.flash').textContent(), /Saved/);
  });

  // A visitor on the site sends the pasted form with fetch (CORS).
  await t.test('a visitor sends the site\'s form', async () => {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Studio</title></head>
<body><main><h1>Book a shoot</h1>
<form id="f"><label>Name <input name="name"></label><label>Email <input name="email" type="email"></label>
<label>Message <textarea name="message"></textarea></label>
<input name="website" tabindex="-1" autocomplete="off" style="display:none" aria-hidden="true">
<button>Send</button></form><p id="out" role="status"></p>
<script>
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  const body = Object.fromEntries(new FormData(e.target));
  const q = new URLSearchParams(location.search);
  Object.assign(body, { utm_source: q.get('utm_source') || '', utm_medium: q.get('utm_medium') || '',
    utm_campaign: q.get('utm_campaign') || '', landing_page: location.href });
  const r = await fetch(${JSON.stringify(formUrl)}, { method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'visit-1' }, body: JSON.stringify(body) });
  document.getElementById('out').textContent = r.status + ' ' + (await r.text());
});
</script></main></body></html>`;
    const srv = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    });
    await new Promise((resolve) => srv.listen(sitePort, '127.0.0.1', resolve));
    defer(t, () => new Promise((resolve) => srv.close(resolve)));
    const visitor = await browser.newPage();
    defer(t, () => visitor.close());
    await visitor.goto(`${site}/?utm_source=google&utm_medium=cpc&utm_campaign=weddings`);
    await visitor.getByLabel('Name').fill('Maya & Tom');
    await visitor.getByLabel('Email').fill('maya@example.com');
    await visitor.getByLabel('Message').fill('Our wedding is on 12 June 2027 — are you free?');
    await visitor.getByRole('button', { name: 'Send' }).click();
    await visitor.waitForFunction(() => document.getElementById('out').textContent !== '');
    assert.equal(await visitor.locator('#out').textContent(), '201 {"status":"received"}');
    assert.deepEqual(stack.sql("SELECT name, utm_source, utm_medium, utm_campaign, source FROM inquiries"),
      [['Maya & Tom', 'google', 'cpc', 'weddings', 'form']]);
  });

  await t.test('the inquiry is counted, listed, marked contacted with a note', async () => {
    await page.goto(`${stack.url}/dashboard`);
    const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Inquiries/ });
    assert.equal((await nav.textContent()).trim(), 'Inquiries (1)');
    // An error page is drawn after the request's scoped transaction
    // ended: it reads nothing more (no count), then the count is back.
    const missing = await page.goto(`${stack.url}/inquiries/999999999`);
    assert.equal(missing.status(), 404);
    assert.equal((await nav.textContent()).trim(), 'Inquiries');
    await page.goto(`${stack.url}/dashboard`);
    await nav.click();
    await page.waitForURL(/\/inquiries$/);
    await shot('inquiries');
    await page.getByRole('link', { name: /\d{4}-\d\d-\d\d/ }).first().click();
    await page.waitForURL(/\/inquiries\/\d+$/);
    assert.equal(await page.locator('h1').textContent(), 'Inquiry from Maya & Tom');
    await select('Status').selectOption('contacted');
    await select('Owner').selectOption({ label: 'owner@example.com' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/done=saved$/);
    await page.getByLabel('Add a note').fill('Called Maya; sending the price list.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.waitForURL(/done=note$/);
    await shot('inquiry-contacted');
    assert.match(await page.locator('.badge').first().textContent(), /contacted/);
    // The change is noted by its author, then the note.
    const notes = page.locator('article.note');
    assert.equal(await notes.count(), 2);
    assert.match(await notes.first().textContent(), /owner@example\.com.*Status: new → contacted/s);
    assert.match(await notes.last().textContent(), /Called Maya/);
    // No new inquiry left: the count is gone.
    assert.equal((await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Inquiries/ }).textContent()).trim(), 'Inquiries');
  });

  await t.test('converted, it offers "Create booking"; the booking shows its value', async () => {
    assert.equal(await page.getByRole('button', { name: 'Create booking' }).count(), 0, 'no booking before converting');
    await select('Status').selectOption('converted');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/done=saved$/);
    await select('Event type').selectOption('wedding');
    await page.getByLabel('Event date').fill('2027-06-12');
    await page.getByLabel('Value').fill('2400.00');
    await page.getByLabel('Currency').fill('EUR');
    await page.getByRole('button', { name: 'Create booking' }).click();
    await page.waitForURL(/done=booked$/);
    await shot('inquiry-booked');
    const link = page.getByRole('link', { name: 'wedding on 2027-06-12' });
    assert.equal(await link.count(), 1);
    assert.match(await page.locator('#bookings-heading + p').textContent(), /€2,400\.00/);
    await link.click();
    await page.waitForURL(/\/bookings\/\d+$/);
    await shot('booking');
    await select('Status').selectOption('confirmed');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/done=saved$/);
    await page.goto(`${stack.url}/bookings`);
    await shot('bookings');
    const row = page.locator('tbody tr').first();
    assert.match(await row.textContent(), /wedding.*2027-06-12.*confirmed.*€2,400\.00/s);
    assert.deepEqual(stack.sql('SELECT b.status, b.value, b.currency, i.status FROM bookings b JOIN inquiries i ON i.id = b.inquiry_id'),
      [['confirmed', '2400.000', 'EUR', 'converted']]);
  });

  await t.test('attribution: the inquiry and its booking next to Google Ads\' spend', async () => {
    stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value, dims)
      SELECT id, 'google_ads', '123-456-7890', 'cost_micros', current_date, 82000000, '{"currency":"EUR"}' FROM workspaces`);
    await page.goto(`${stack.url}/inquiries`);
    await page.getByRole('link', { name: 'Attribution' }).click();
    await page.waitForURL(/\/attribution$/);
    await shot('attribution');
    const row = page.locator('tbody tr', { hasText: 'Google Ads' });
    assert.deepEqual(await row.locator('td').allTextContents(),
      ['Google Ads', '1', '1', '100.0%', '€2,400.00', '€82.00', '€82.00', '€82.00']);
    await page.goto(`${stack.url}/bookings`);
  });

  await t.test('a refused booking says why, in the page', async () => {
    await page.getByLabel('Value').fill('12.345');
    await page.getByLabel('Currency').fill('EUR');
    await page.getByRole('button', { name: 'Create booking' }).click();
    await page.waitForLoadState();
    assert.match(await page.locator('.flash').textContent(), /value has more decimals than its currency uses/);
    await shot('booking-refused');
  });
});
