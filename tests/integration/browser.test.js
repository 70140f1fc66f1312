'use strict';
// What a person does, in a real browser: Debian's chromium driven by
// playwright-core against a private stack.  Screenshots of every page go
// to tests/artifacts/ (ignored by git).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { startStack, defer, request, ROOT } = require('./lib/stack');
const { checkA11y } = require('./lib/a11y');
const { providers } = require('./lib/flows');

const ART = path.join(ROOT, 'tests/artifacts');
const CHROMIUM = process.env.SLUICE_CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'correct horse battery';

// playwright-core gives every launch a fresh, empty user data directory.
async function launch() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { browser };
}

test('browser: setup, connect, dashboard, roles and escaping', async (t) => {
  fs.mkdirSync(ART, { recursive: true });
  // cron brings the sync worker daemon along (nginx/stack.sh).
  const stack = await startStack({ programs: ['api', 'pages', 'oauth', 'sandbox', 'cron'] });
  defer(t, () => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const { browser } = await launch();
  defer(t, () => browser.close());
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  // Every page is screenshotted, checked for template leftovers and by
  // axe-core (no serious or critical violation).
  const shot = async (name, p = page) => {
    await p.screenshot({ path: path.join(ART, `${name}.png`), fullPage: true });
    const text = await p.textContent('body');
    assert.ok(!/\{\{|\}\}/.test(text), `${name}: template braces in the page`);
    await checkA11y(p, name);
  };
  // Every page visited is checked by axe-core too.
  const go = async (p) => {
    const r = await page.goto(stack.url + p);
    await checkA11y(page, p);
    return r;
  };

  await t.test('first run: setup creates the owner and logs in', async () => {
    await go('/');
    assert.match(page.url(), /\/setup$/);
    await shot('01-setup');
    await page.getByLabel('Your email').fill('owner@example.com');
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByLabel(/Workspace name/).fill('<script>alert("x")</script> Shop');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/connections$/);
    await shot('02-connections-empty');
  });

  await t.test('a workspace name with <script> shows as text', async () => {
    const text = await page.locator('.workspace').textContent();
    assert.equal(text, '<script>alert("x")</script> Shop');
    assert.equal(await page.locator('header script').count(), 0);
  });

  await t.test('connect sandbox Google Analytics through the real redirect flow', async () => {
    await page.locator('article', { hasText: 'Google Analytics 4' }).getByRole('link', { name: 'Connect' }).click();
    await page.waitForURL(/\/sandbox\//);
    await shot('03-sandbox-consent');
    assert.match(await page.textContent('body'), /Google/);
    // Styled (its own stylesheet: the CSP allows no inline style) and
    // plainly Sluice's sandbox, not the provider; every control named.
    const note = page.getByRole('note');
    assert.match(await note.textContent(), /Sluice's built-in simulator, not the real Google\./);
    assert.equal(await note.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(255, 244, 214)');
    assert.equal(await page.locator('main').evaluate((e) => getComputedStyle(e).maxWidth), '512px');
    assert.equal(await page.getByLabel('Sign in as').count(), 1);
    const scopes = page.getByRole('group', { name: /permissions/ }).getByRole('checkbox');
    assert.ok(await scopes.count() > 0);
    assert.match(await scopes.first().evaluate((e) => e.labels[0].textContent), /^ ?do not allow \S+$/);
    await page.getByRole('button', { name: 'Deny' }).focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.getByRole('button', { name: 'Deny' }).evaluate((e) => getComputedStyle(e).outlineStyle), 'solid', 'focus is visible');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(/\/connections\/ga4\?connected=1$/);
    await shot('04-connection-ga4');
    assert.match(await page.textContent('h1'), /Connected/);
  });

  await t.test('choose one account', async () => {
    const boxes = page.locator('input[name="account"]');
    const n = await boxes.count();
    assert.ok(n >= 2);
    for (let i = 1; i < n; i++) await boxes.nth(i).uncheck();
    await page.getByRole('button', { name: 'Save selection' }).click();
    await page.waitForURL(/msg=saved$/);
    assert.equal(await page.locator('input[name="account"]:checked').count(), 1);
  });

  await t.test('sync now is queued, runs, and the card shows the last sync', async () => {
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.waitForURL(/msg=(queued|running)$/);
    // One line says where the sync stands (queued, or how far it is),
    // unless the worker was done before the page was.
    if (await page.locator('#job-state').count()) {
      assert.match(await page.locator('#job-state').textContent(), /^(Sync queued: a sync worker takes it within seconds, as soon as one is free\.|Syncing Google Analytics 4\u2026 \d of 1 properties done)/);
      assert.equal(await page.locator('div.flash').count(), 0, 'no second "queued" notice');
      await shot('05a-connection-syncing');
      // The page's script polls the job and reloads when the worker is done.
      await page.waitForSelector('#job-state', { state: 'detached', timeout: 60000 });
      await page.waitForURL(/msg=sync_done$/);
    }
    // Then it says what the sync came to, not "queued" any more.
    const flash = await page.locator('div.flash').textContent();
    assert.match(flash, /Sync finished: [\d,]+ rows? fetched, [\d,]+ changed, in [\d.]+ (ms|s)\./);
    assert.doesNotMatch(flash, /queued/);
    await shot('05-connection-synced');
    const history = await page.locator('#history .table-wrap table tbody tr').first().locator('td').allTextContents();
    assert.equal(history[1], 'ok');
    assert.match(history[2], /^\d+ ms$|^[\d,]+\.\d s$/, `duration ${history[2]}`);
    const [[fetched]] = stack.sql('SELECT rows_fetched FROM sync_runs ORDER BY id DESC LIMIT 1');
    assert.equal(history[4], Number(fetched).toLocaleString('en-US'), 'rows fetched, thousands separated');
    // The rows-per-day chart: a point on the day of the sync, titled
    // with what was stored; days without a sync are gaps, not zeros.
    const [[today, changed]] = stack.sql(`SELECT (started_at AT TIME ZONE 'UTC')::date::text, sum(rows_changed)
      FROM sync_runs GROUP BY 1`);
    assert.deepEqual(await page.locator('#history figure.chart circle.chart-point title').allTextContents(),
      [`${today}: ${Number(changed).toLocaleString('en-US')}`]);
    await go('/connections');
    const card = page.locator('article', { hasText: 'Google Analytics 4' });
    assert.match(await card.textContent(), /Connected/);
    assert.match(await card.locator('time').textContent(), /just now|minute/);
  });

  await t.test('the dashboard shows tiles with numbers and sparklines', async () => {
    await go('/dashboard?period=28d');
    await shot('06-dashboard');
    const values = await page.locator('.tile-value').allTextContents();
    assert.ok(values.length >= 5, `only ${values.length} tiles`);
    assert.ok(values.some((v) => /^\d{1,3}(,\d{3})+$|^\d+$/.test(v)), `no numeric tile: ${values.join('|')}`);
    assert.ok(values.some((v) => /%$/.test(v)), 'no rate tile');
    const points = await page.locator('svg.spark polyline').first().getAttribute('points');
    assert.ok(points.split(' ').length >= 20, 'sparkline has too few points');
    assert.match(await page.locator('.tile-change').first().textContent(), /[▲▼]|no comparison/);
    for (const p of ['7d', '90d']) {
      await go(`/dashboard?period=${p}`);
      assert.ok(await page.locator('.tile-value').count() >= 5, `no tiles for ${p}`);
    }
    // Any range of days, from the form; the page names its days and zone.
    const [[a, b]] = stack.sql("SELECT to_char(current_date - 20, 'YYYY-MM-DD'), to_char(current_date - 10, 'YYYY-MM-DD')");
    await page.getByLabel('From').fill(a);
    await page.getByLabel('to', { exact: true }).fill(b);
    await page.getByRole('button', { name: 'Show these days' }).click();
    await page.waitForURL(/from=.*&to=/);
    assert.match(await page.locator('#period-hint').textContent(), new RegExp(`From ${a} to ${b} in UTC, compared`));
    assert.ok(await page.locator('.tile-value').count() >= 5, 'no tiles for the range');
    await shot('06b-dashboard-range');
  });

  await t.test('the time zone is set on the settings page; an unknown one is refused', async () => {
    const zone = () => stack.sql('SELECT time_zone FROM workspaces')[0][0];
    await go('/settings');
    assert.equal(await page.getByLabel('Time zone').inputValue(), 'UTC');
    await page.getByLabel('Time zone').fill('America/New_York');
    await page.getByRole('button', { name: 'Save time zone' }).click();
    await page.waitForURL(/\/settings\?msg=time_zone$/);
    assert.match(await page.locator('.flash').first().textContent(), /Time zone saved/);
    assert.equal(await page.getByLabel('Time zone').inputValue(), 'America/New_York');
    assert.equal(zone(), 'America/New_York');
    // Sync times on the connection page follow it, named.
    await go('/connections/ga4');
    const want = stack.sql("SELECT to_char(last_sync_at AT TIME ZONE 'America/New_York', 'YYYY-MM-DD HH24:MI:SS') || ' America/New_York' FROM connections WHERE provider = 'ga4'")[0][0];
    assert.equal(await page.locator('time').first().getAttribute('title'), want);
    // (the dashboard above has tiles: a sync has run, so a history row exists)
    assert.match(await page.locator('#history .table-wrap th').first().textContent(), /Started \(America\/New_York\)/);
    await go('/settings');
    for (const bad of ['Mars/Olympus', '+05:00', 'europe/paris ']) {
      await page.getByLabel('Time zone').fill(bad);
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/settings/time-zone')),
        page.getByRole('button', { name: 'Save time zone' }).click(),
      ]);
      assert.equal(res.status(), 422, bad);
      assert.match(await page.locator('.flash').first().textContent(), /Unknown time zone/);
      assert.equal(zone(), 'America/New_York', `${bad} changed the zone`);
    }
    // A key's "last used" is a time in the workspace's zone, which it names.
    const ws = stack.sql('SELECT id FROM workspaces')[0][0];
    const key = stack.cli('api', ['create-key', ws, 'zone check', 'viewer']).stdout.trim();
    assert.equal((await request(`${stack.url}/v1/connections`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
    await go('/settings');
    const used = await page.locator('tr', { hasText: 'zone check' }).locator('td').nth(4).textContent();
    const there = stack.sql("SELECT to_char(last_used_at AT TIME ZONE 'America/New_York', 'YYYY-MM-DD HH24:MI') FROM api_keys WHERE name = 'zone check'")[0][0];
    assert.equal(used, `${there} America/New_York`);
    await go('/settings');
    await page.getByLabel('Time zone').fill('UTC');
    await page.getByRole('button', { name: 'Save time zone' }).click();
    await page.waitForURL(/msg=time_zone$/);
    assert.equal(zone(), 'UTC');
  });

  await t.test('a viewer sees no Connect or Disconnect, and a forged POST is 403', async () => {
    await go('/settings');
    await shot('07-settings');
    await page.getByLabel('Invite by email').fill('viewer@example.com');
    await page.getByRole('button', { name: 'Create invitation link' }).click();
    const link = (await page.locator('.flash code').first().textContent()).trim();
    assert.match(link, /\/invite\/[A-Za-z0-9_-]{43}$/);
    const ctx2 = await browser.newContext();
    const v = await ctx2.newPage();
    await v.goto(link);
    await checkA11y(v, 'invite');
    await v.getByLabel(/Choose a password/).fill('viewer password 1');
    await v.getByRole('button', { name: 'Join' }).click();
    await v.waitForURL(/\/dashboard$/);
    await v.goto(`${stack.url}/connections`);
    await shot('08-connections-viewer', v);
    // (the links' names end with the provider's: "Connect GitHub")
    assert.equal(await v.getByRole('link', { name: /^(Re)?connect\b/i }).count(), 0);
    assert.equal(await v.getByRole('button', { name: /^Sync now\b/ }).count(), 0);
    await v.goto(`${stack.url}/connections/ga4`);
    await checkA11y(v, 'viewer connection');
    assert.equal(await v.getByRole('button', { name: 'Disconnect', exact: true }).count(), 0);
    const csrf = await v.locator('input[name="csrf"]').first().getAttribute('value');
    const res = await v.request.post(`${stack.url}/connections/ga4/disconnect`, { form: { csrf, confirm: '1' }, maxRedirects: 0 });
    assert.equal(res.status(), 403);
    assert.equal(stack.sql("SELECT status FROM connections WHERE provider = 'ga4'")[0][0], 'connected');
    // The time zone: shown to a viewer, not a form; a forged change is 403.
    await v.goto(`${stack.url}/settings`);
    await checkA11y(v, 'viewer settings');
    assert.equal(await v.getByLabel('Time zone').count(), 0);
    assert.match(await v.locator('#ws-heading + form + p, section[aria-labelledby="ws-heading"]').first().textContent(), /Time zone: UTC/);
    const tz = await v.request.post(`${stack.url}/settings/time-zone`, { form: { csrf, time_zone: 'Asia/Tokyo' }, maxRedirects: 0 });
    assert.equal(tz.status(), 403);
    assert.equal(stack.sql('SELECT time_zone FROM workspaces')[0][0], 'UTC');
    await ctx2.close();
  });

  await t.test('a POST without its CSRF token is 403', async () => {
    const res = await page.request.post(`${stack.url}/connections/ga4/disconnect`, { form: { confirm: '1' }, maxRedirects: 0 });
    assert.equal(res.status(), 403);
  });

  await t.test('disconnect asks to confirm, then disconnects', async () => {
    await go('/connections/ga4');
    await page.getByLabel(/Yes, disconnect/).check();
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.waitForURL(/\/connections\?msg=disconnected$/);
    await shot('09-disconnected');
    assert.match(await page.locator('.flash').textContent(), /Disconnected/);
    assert.equal(stack.sql("SELECT status FROM connections WHERE provider = 'ga4'")[0][0], 'disconnected');
  });

  await t.test('a second workspace from Settings, then back to the first', async () => {
    await go('/settings');
    await page.getByLabel('New workspace').fill('Second <Shop>');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL(/\/connections\?msg=workspace_created$/);
    await shot('10-workspace-created');
    assert.equal(await page.locator('.workspace').textContent(), 'Second <Shop>');
    assert.match(await page.locator('.flash').textContent(), /Workspace created, and you are its owner/);
    // A fresh workspace: nothing connected yet.
    assert.equal(await page.getByRole('link', { name: /^Connect\b/ }).count(), (await providers(stack)).length);
    await go('/settings');
    await page.getByLabel('Current workspace').selectOption({ label: '<script>alert("x")</script> Shop (owner)' });
    await page.getByRole('button', { name: 'Switch' }).click();
    await page.waitForURL(/\/dashboard$/);
    assert.equal(await page.locator('.workspace').textContent(), '<script>alert("x")</script> Shop');
  });

  await t.test('wrong password is refused with a message', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByLabel('Email').fill('owner@example.com');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await shot('11-login-wrong');
    assert.match(await page.locator('.flash').textContent(), /Wrong email or password/);
  });

  await t.test('unknown pages are the 404 page with a request id', async () => {
    const r = await go('/no/such/page');
    assert.equal(r.status(), 404);
    await shot('12-not-found');
    assert.match(await page.textContent('body'), /request ID/);
  });
});
