'use strict';
// Issue 20, in a real browser (Debian's chromium, playwright-core): the
// connection pages' actions, pickers, team settings, the error pages, the
// providers' marks, a phone-sized window and the keyboard alone.  Every
// page visited is checked by axe-core (no serious or critical violation)
// and screenshotted to tests/artifacts/ (ignored by git).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { startStack, defer, request, ROOT } = require('./lib/stack');
const { axeViolations, checkA11y } = require('./lib/a11y');
const { providers } = require('./lib/flows');

const ART = path.join(ROOT, 'tests/artifacts');
const CHROMIUM = process.env.SLUICE_CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'correct horse battery';

test('browser: pages a person enjoys (issue 20)', { timeout: 300000 }, async (t) => {
  fs.mkdirSync(ART, { recursive: true });
  // No worker daemon: a queued sync stays queued, which is all this needs.
  const stack = await startStack({ programs: ['api', 'pages', 'oauth', 'sandbox'], env: { SLUICE_WORKER: '0' } });
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
  const sql = (q) => stack.sql(q);
  // Each screenshotted page's load time (navigation timing), for the
  // issue's closing note: tests/artifacts/20-timings.json.
  const timings = {};
  const shot = async (name, p = page) => {
    await p.screenshot({ path: path.join(ART, `20-${name}.png`), fullPage: true });
    await checkA11y(p, name);
    const nav = await p.evaluate(() => {
      const e = performance.getEntriesByType('navigation')[0];
      return e ? { ms: Math.round(e.loadEventEnd - e.startTime), server_ms: Math.round(e.responseEnd - e.requestStart) } : null;
    });
    timings[`20-${name}.png`] = { url: new URL(p.url()).pathname + new URL(p.url()).search, ...nav };
  };
  defer(t, () => {
    fs.writeFileSync(path.join(ART, '20-timings.json'), `${JSON.stringify(timings, null, 1)}\n`);
    t.diagnostic(Object.entries(timings).map(([k, v]) => `${k} ${v.url} ${v.ms} ms`).join('\n'));
  });
  const go = async (p, name) => {
    const r = await page.goto(stack.url + p);
    if (name) await shot(name); else await checkA11y(page, p);
    return r;
  };
  const connect = async (slug, name) => {
    await go('/connections');
    await page.getByRole('link', { name: `Connect ${name}`, exact: true }).click();
    await page.waitForURL(/\/sandbox\//);
    await checkA11y(page, `consent ${slug}`);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(new RegExp(`/connections/${slug}\\?connected=1$`));
  };

  await t.test('axe-core finds a violation when there is one (the check can fail)', async () => {
    await page.goto(`${stack.url}/setup`);
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<button id="nameless"></button>'));
    const bad = await axeViolations(page);
    assert.ok(bad.some((v) => v.id === 'button-name'), `axe found: ${bad.map((v) => v.id).join(', ')}`);
  });

  await t.test('setup, then every card shows its mark and what Sluice reads', async () => {
    await go('/setup', 'setup');
    await page.getByLabel('Your email').fill('owner@example.com');
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByLabel(/Workspace name/).fill('Acme');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/connections$/);
    await shot('connections');
    const cards = page.locator('article.card');
    const n = (await providers(stack)).length;
    assert.equal(await cards.count(), n);
    for (let i = 0; i < n; i++) {
      const card = cards.nth(i);
      const mark = card.locator('.mark');
      assert.match(await mark.textContent(), /^[A-Za-z]{2}$/, 'a two-letter monogram');
      assert.equal(await mark.getAttribute('aria-hidden'), 'true');
      // Drawn in the provider's own colour, not the default grey.
      assert.notEqual(await mark.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(74, 82, 96)');
      assert.match(await card.locator('p.reads').textContent(), /you choose\b.*\. Sluice only reads; .+\.$/);
    }
    assert.match(await page.locator('article', { hasText: 'Google Analytics 4' }).locator('p.reads').textContent(),
      /sessions, users.*GA4 properties you choose/);
  });

  await t.test('a connected source: Sync now is the primary action, Reconnect secondary; pickers read well', async () => {
    await connect('ga4', 'Google Analytics 4');
    await shot('connection-ga4');
    const actions = page.locator('main .actions').first();
    const sync = actions.getByRole('button', { name: 'Sync now' });
    assert.equal(await sync.getAttribute('class'), 'primary');
    const reconnect = actions.getByRole('link', { name: 'Reconnect' });
    assert.match(await reconnect.getAttribute('class'), /\bsecondary\b/);
    // Sync now comes first, and above the fold.
    const [sb, rb] = [await sync.boundingBox(), await reconnect.boundingBox()];
    assert.ok(sb.x < rb.x && sb.y + sb.height < 900, `sync ${JSON.stringify(sb)} reconnect ${JSON.stringify(rb)}`);
    // The heading says "Properties", not the slug-like "properties".
    assert.equal(await page.locator('#accounts-heading').textContent(), 'Properties');
    // Each checkbox sits beside its words, not centred above them.
    const labels = page.locator('form.picker label.check');
    assert.ok(await labels.count() >= 2);
    for (let i = 0; i < await labels.count(); i++) {
      const box = await labels.nth(i).locator('input').boundingBox();
      const words = await labels.nth(i).locator('> span').boundingBox();
      assert.ok(box.width < 30, `checkbox ${i} is ${box.width}px wide`);
      assert.ok(box.x + box.width <= words.x, `checkbox ${i} is left of its words`);
      assert.ok(Math.abs((box.y + box.height / 2) - (words.y + Math.min(words.height, 24) / 2)) < 12,
        `checkbox ${i} is on its words' first line: ${JSON.stringify(box)} ${JSON.stringify(words)}`);
    }
    // On the card too: Sync now first and primary.
    await go('/connections');
    const card = page.locator('article', { hasText: 'Google Analytics 4' });
    assert.equal(await card.getByRole('button', { name: 'Sync now Google Analytics 4' }).getAttribute('class'), 'primary');
    assert.match(await card.getByRole('link', { name: 'Reconnect Google Analytics 4' }).getAttribute('class'), /secondary/);
    assert.equal(await card.locator('p.reads').count(), 0, 'a connected card does not repeat what it reads');
    await card.getByRole('button', { name: 'Sync now Google Analytics 4' }).click();
    await page.waitForURL(/\/connections\/ga4\?msg=queued$/);
  });

  await t.test('GitHub repositories are named once', async () => {
    await connect('github', 'GitHub');
    const labels = page.locator('form.picker label.check');
    assert.ok(await labels.count() >= 1);
    for (let i = 0; i < await labels.count(); i++) {
      const text = (await labels.nth(i).textContent()).trim();
      const id = await labels.nth(i).locator('input').getAttribute('value');
      assert.equal(text, id, 'the repository\'s full name, once');
    }
    assert.equal(await page.locator('#accounts-heading').textContent(), 'Repositories');
  });

  await t.test('a long list has a filter that works without JavaScript and keeps hidden choices', async () => {
    const accounts = Array.from({ length: 40 }, (_, i) => ({ id: `p${1000 + i}`, name: `${i % 2 ? 'Shop' : 'Blog'} site ${i}` }));
    sql(`UPDATE connections SET accounts = '${JSON.stringify(accounts)}'::jsonb, selected = '["p1000","p1001"]'::jsonb WHERE provider = 'ga4'`);
    const ctx = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
    const nojs = await ctx.newPage();
    nojs.setDefaultTimeout(15000);
    // (no page.evaluate here: scripts are off, axe runs on the same page
    // with JavaScript below)
    const boxes = async () => [...(await nojs.content()).matchAll(/<input type="checkbox" name="account" value="([^"]+)"/g)].map((m) => m[1]);
    await nojs.goto(`${stack.url}/connections/ga4`);
    assert.equal((await boxes()).length, 40);
    await nojs.getByLabel('Find properties').fill('shop site 1');
    await nojs.getByRole('button', { name: 'Filter' }).click();
    await nojs.waitForURL(/\?q=shop\+site\+1$/);
    await nojs.screenshot({ path: path.join(ART, '20-picker-filtered.png'), fullPage: true });
    const shown = await boxes();
    // Shop sites are the odd ones: 1, 11, 13, ..., 19.
    assert.deepEqual(shown, ['p1001', 'p1011', 'p1013', 'p1015', 'p1017', 'p1019']);
    assert.match(await nojs.locator('#filter-note').textContent(), /6 of 40 match “shop site 1”/);
    // p1000 is chosen but hidden: saving the filtered list keeps it.
    await nojs.locator('input[value="p1013"]').check();
    await nojs.getByRole('button', { name: 'Save selection' }).click();
    await nojs.waitForURL(/msg=saved$/);
    assert.deepEqual(JSON.parse(sql("SELECT selected::text FROM connections WHERE provider = 'ga4'")[0][0]).sort(), ['p1000', 'p1001', 'p1013']);
    await ctx.close();
    // With JavaScript the list narrows as one types.
    await go('/connections/ga4?q=site', 'picker-filter-js');
    await page.getByLabel('Find properties').fill('blog site 3');
    const visible = await page.locator('form.picker label.check:visible').count();
    assert.equal(visible, 0 + ['Blog site 30', 'Blog site 32', 'Blog site 34', 'Blog site 36', 'Blog site 38'].length);
    assert.equal(await page.locator('form.picker input[type="checkbox"]').count(), 40, 'hidden boxes stay in the form');
  });

  await t.test('a connection that needs re-auth: Reconnect first, Disconnect and Test still there; a good reconnect forgets the failed test', async () => {
    sql("UPDATE connections SET status = 'needs_reauth', last_error = 'Google: the grant was revoked', last_tested_at = now(), last_test_ok = false WHERE provider = 'github'");
    await go('/connections/github', 'connection-reauth');
    const reconnect = page.locator('main .actions').first().getByRole('link', { name: 'Reconnect' });
    assert.equal(await reconnect.getAttribute('class'), 'button');
    assert.equal(await page.getByRole('button', { name: 'Sync now' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Disconnect' }).count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Test connection' }).count(), 1);
    // Nothing synced yet: no chart drawing a flat line, but the empty
    // state in words; the history says so too.
    assert.equal(await page.locator('figure.chart svg').count(), 0);
    assert.match(await page.locator('figure.chart .chart-empty').textContent(), /No rows synced in the last 30 days yet/);
    assert.match(await page.locator('#history').textContent(), /No sync has run yet/);
    await reconnect.click();
    await page.waitForURL(/\/sandbox\//);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(/\/connections\/github\?connected=1$/);
    assert.deepEqual(sql("SELECT status, coalesce(last_test_ok::text, 'none') FROM connections WHERE provider = 'github'")[0], ['connected', 'none']);
    assert.doesNotMatch(await page.textContent('main'), /last test: failed/);
  });

  await t.test('a disconnected source no longer says Collecting', async () => {
    await go('/connections/github');
    await page.getByLabel(/Yes, disconnect/).check();
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.waitForURL(/\/connections\?msg=disconnected/);
    await shot('connections-after-disconnect');
    const card = page.locator('article', { hasText: 'GitHub' });
    assert.doesNotMatch(await card.textContent(), /Collecting/);
    assert.match(await page.locator('article', { hasText: 'Google Analytics 4' }).textContent(), /Collecting/);
  });

  await t.test('team settings: invitations revoked after a confirmation, keys read-only by default, revoked after a confirmation', async () => {
    await go('/settings');
    await page.getByLabel('Invite by email').fill('new.person@example.com');
    await page.getByRole('button', { name: 'Create invitation link' }).click();
    await page.waitForSelector('.flash code');
    await go('/settings', 'settings');
    const pending = () => Number(sql("SELECT count(*) FROM invites WHERE email = 'new.person@example.com'")[0][0]);
    // A revoke without the confirmation is refused, the invitation kept.
    const [[iid]] = sql("SELECT id FROM invites WHERE email = 'new.person@example.com'");
    const csrf0 = await page.locator('input[name="csrf"]').first().getAttribute('value');
    const bareInvite = await page.request.post(`${stack.url}/settings/invites/${iid}/revoke`, { form: { csrf: csrf0 }, maxRedirects: 0 });
    assert.equal(bareInvite.status(), 422);
    assert.equal(pending(), 1);
    const row = page.locator('tr', { hasText: 'new.person@example.com' });
    assert.equal(await row.getByRole('button', { name: /Yes, revoke/ }).isVisible(), false, 'the button shows only once Revoke… is opened');
    await row.locator('summary').click();
    await row.getByRole('button', { name: /Yes, revoke/ }).click();
    await page.waitForURL(/msg=invite_revoked$/);
    assert.equal(await page.locator('tr', { hasText: 'new.person@example.com' }).count(), 0);
    assert.equal(pending(), 0);
    // A key: Viewer unless chosen otherwise.
    await page.getByLabel('Key name').fill('report script');
    assert.equal(await page.locator('form[action="/settings/keys"] select[name="role"]').inputValue(), 'viewer');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.waitForSelector('.flash code');
    assert.equal(sql("SELECT role FROM api_keys WHERE name = 'report script'")[0][0], 'viewer');
    // A revoke without the confirmation is refused, the key untouched.
    const csrf = await page.locator('input[name="csrf"]').first().getAttribute('value');
    const [[kid]] = sql("SELECT id FROM api_keys WHERE name = 'report script'");
    const bare = await page.request.post(`${stack.url}/settings/keys/${kid}/revoke`, { form: { csrf }, maxRedirects: 0 });
    assert.equal(bare.status(), 422);
    assert.equal(sql(`SELECT revoked_at IS NULL FROM api_keys WHERE id = ${kid}`)[0][0], 't');
    await go('/settings');
    const krow = page.locator('tr', { hasText: 'report script' });
    assert.equal(await krow.getByRole('button', { name: /Yes, revoke/ }).isVisible(), false, 'the button shows only once Revoke… is opened');
    await krow.locator('summary').click();
    await krow.getByRole('button', { name: /Yes, revoke/ }).click();
    await page.waitForURL(/msg=revoked$/);
    assert.equal(sql(`SELECT revoked_at IS NOT NULL FROM api_keys WHERE id = ${kid}`)[0][0], 't');
  });

  await t.test('the time zone offers the zones PostgreSQL knows', async () => {
    await go('/settings');
    const zones = await page.locator('datalist#zones option').evaluateAll((els) => els.map((e) => e.value));
    const [[known]] = sql("SELECT count(*) FROM pg_timezone_names WHERE name !~ '^(posix|right)/' AND name NOT IN ('localtime', 'Factory', 'posixrules')");
    assert.equal(zones.length, Number(known));
    assert.ok(zones.includes('Europe/Paris') && zones.includes('America/New_York') && zones.includes('UTC'));
    assert.ok(!zones.some((z) => /^(posix|right)\//.test(z)));
    // tzdata's files that are no place are not offered.
    assert.ok(!zones.some((z) => ['Factory', 'posixrules', 'localtime'].includes(z)), 'Factory or posixrules offered');
    assert.equal(await page.getByLabel('Time zone').getAttribute('list'), 'zones');
    await page.getByLabel('Time zone').fill('Asia/Kolkata');
    await page.getByRole('button', { name: 'Save time zone' }).click();
    await page.waitForURL(/msg=time_zone$/);
    assert.equal(sql('SELECT time_zone FROM workspaces')[0][0], 'Asia/Kolkata');
  });

  await t.test('the 404 page keeps the navigation of a logged-in person and says one thing', async () => {
    const r = await go('/no/such/page', 'not-found');
    assert.equal(r.status(), 404);
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 1);
    const paras = await page.locator('section.error > p:not(.reqid)').allTextContents();
    assert.equal(paras.length, 1, paras.join(' | '));
    assert.match(paras[0], /nothing at this address/);
    const anon = await browser.newPage();
    const r2 = await anon.goto(`${stack.url}/no/such/page`);
    assert.equal(r2.status(), 404);
    assert.equal(await anon.getByRole('navigation', { name: 'Main' }).count(), 0);
    await checkA11y(anon, 'not-found anonymous');
    await anon.close();
  });

  await t.test('forgot password: ask, get a link from the operator, set a new one', async () => {
    const anon = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await anon.goto(`${stack.url}/login`);
    await anon.getByRole('link', { name: 'Forgot your password?' }).click();
    await anon.waitForURL(/\/password\/forgot$/);
    await anon.getByLabel('Email').fill('owner@example.com');
    await anon.getByRole('button', { name: 'Continue' }).click();
    await anon.waitForLoadState();
    assert.match(await anon.textContent('main'), /This Sluice sends no email, so ask the person who runs it for a link/);
    await shot('password-forgot-sent', anon);
    // No email service here: the operator makes the link.
    const shell = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLUICE_')));
    const made = require('node:child_process').spawnSync('make', ['-s', '--no-print-directory', `VAR=${stack.dir}`, 'password-link', 'EMAIL=owner@example.com'],
      { cwd: ROOT, env: { ...shell, SLUICE_ENV_FILE: '/dev/null' }, encoding: 'utf8', timeout: 60000 });
    assert.equal(made.status, 0, made.stderr);
    await anon.goto(made.stdout.trim());
    await shot('password-reset-form', anon);
    await anon.getByLabel(/New password/).fill(PASSWORD);
    await anon.getByLabel('The same again').fill(PASSWORD);
    await anon.getByRole('button', { name: 'Set the password' }).click();
    await anon.waitForURL(/\/login\?msg=password_reset$/);
    assert.match(await anon.textContent('main'), /Your new password is set/);
    await checkA11y(anon, 'login after reset');
    await anon.close();
    // The reset ended this session too: log in again for what follows.
    await page.goto(`${stack.url}/login`);
    await page.getByLabel('Email').fill('owner@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/dashboard/);
  });

  await t.test('an expired form says it expired, not that access is missing', async () => {
    await go('/connections/ga4');
    await page.locator('form[action="/connections/ga4/sync"] input[name="csrf"]').evaluate((e) => { e.value = 'stale'; });
    const [res] = await Promise.all([
      page.waitForResponse((x) => x.url().endsWith('/connections/ga4/sync')),
      page.getByRole('button', { name: 'Sync now' }).click(),
    ]);
    assert.equal(res.status(), 403);
    await page.waitForLoadState();
    await shot('form-expired');
    assert.equal(await page.locator('h1').textContent(), 'This form has expired');
    assert.doesNotMatch(await page.textContent('main'), /do not have access|ask an admin/i);
  });

  await t.test('/favicon.ico is served, and the pages name an icon', async () => {
    const r = await request(`${stack.url}/favicon.ico`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^image\//);
    await go('/connections');
    const href = await page.locator('link[rel="icon"]').getAttribute('href');
    const icon = await request(stack.url + href);
    assert.equal(icon.status, 200);
    assert.match(icon.headers.get('content-type'), /^image\/svg\+xml/);
  });

  await t.test('dashboard sections are ordered by display name, custom sources last', async () => {
    const [[ws]] = sql('SELECT id FROM workspaces');
    sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
      SELECT ${ws}, p, 'a1', m, (now() AT TIME ZONE 'Asia/Kolkata')::date - d, 5
      FROM (VALUES ('crm', 'leads'), ('github', 'views'), ('facebook', 'page_views'), ('ga4', 'sessions')) v(p, m), generate_series(1, 10) d
      ON CONFLICT DO NOTHING`);
    await go('/dashboard?period=7d', 'dashboard-order');
    const names = await page.locator('main section h2[id^="p-"]').allTextContents();
    assert.deepEqual(names.filter((n) => ['crm', 'Facebook Pages', 'GitHub', 'Google Analytics 4'].includes(n)),
      ['Facebook Pages', 'GitHub', 'Google Analytics 4', 'crm']);
  });

  await t.test('dashboard charts: dated axes, a titled point per day with data equal to what is stored, gaps, the period before', async () => {
    const [[ws]] = sql('SELECT id FROM workspaces');
    // Days 1..14 before today in the workspace's zone, none on days 3
    // and 5: the current 7 days have 5 points, the 7 before 7.
    sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
      SELECT ${ws}, 'shop', 'a1', 'orders', (now() AT TIME ZONE 'Asia/Kolkata')::date - d, 1000 + 37 * d
      FROM generate_series(1, 14) d WHERE d NOT IN (3, 5)`);
    await go('/dashboard?period=7d', 'dashboard-charts');
    const chart = page.locator('section[aria-labelledby="p-shop"] figure.chart');
    const stored = sql(`SELECT day::text, value::bigint FROM metric_daily WHERE provider = 'shop'
      AND day >= (now() AT TIME ZONE 'Asia/Kolkata')::date - 7 ORDER BY day`);
    assert.equal(stored.length, 5);
    const titles = await chart.locator('circle.chart-point title').allTextContents();
    assert.deepEqual(titles, stored.map(([day, v]) => `${day}: ${Number(v).toLocaleString('en-US')}`));
    // A point is easy to point at: the mouse over it finds it (its
    // title is then the browser's tooltip).
    const last = chart.locator('circle.chart-point').last();
    await last.hover();
    assert.ok(await last.evaluate((e) => e.matches(':hover')), 'the point is hovered');
    // Gaps, not zeros: the line breaks at the two days without data.
    assert.equal(await chart.locator('polyline.chart-line').count(), 3);
    assert.ok(await chart.locator('polyline.chart-previous').count() >= 1, 'the period before is drawn');
    // The x axis: the period's first, middle and last day; y: rounded values.
    const [from, to] = sql(`SELECT ((now() AT TIME ZONE 'Asia/Kolkata')::date - 7)::text,
      ((now() AT TIME ZONE 'Asia/Kolkata')::date - 1)::text`)[0];
    const xs = await chart.locator('text.chart-x').allTextContents();
    assert.equal(xs.length, 3);
    assert.deepEqual([xs[0], xs[2]], [from, to]);
    const ys = await chart.locator('text.chart-y').allTextContents();
    assert.equal(ys[0], '0');
    assert.ok(ys.length >= 2 && ys.every((y) => /^[0-9,]+$/.test(y)), ys.join(' '));
    // Its words for screen readers: the summary it is described by.
    const desc = await chart.locator('svg').getAttribute('aria-describedby');
    assert.match(await page.locator(`#${desc}`).textContent(),
      new RegExp(`^orders per day, ${from} to ${to}: lowest 1,037 on ${to}, highest 1,259 on ${from}; no data on 2 of 7 days`));
    // The same numbers in a table, without a mouse.
    await chart.locator('summary').click();
    assert.equal(await chart.locator('tbody tr').count(), 7);
    await shot('dashboard-charts-table');
  });

  await t.test('the range form picks days up to yesterday in the workspace\'s zone, also beside an error', async () => {
    const [[yesterday, today]] = sql(`SELECT ((now() AT TIME ZONE time_zone)::date - 1)::text,
      ((now() AT TIME ZONE time_zone)::date)::text FROM workspaces WHERE name = 'Acme'`);
    const check = async () => {
      for (const id of ['#range-from', '#range-to']) {
        const input = page.locator(id);
        assert.equal(await input.getAttribute('max'), yesterday, id);
        assert.equal(await input.getAttribute('min'), '2000-01-01', id);
      }
      // The browser itself refuses today: the form is not sent.
      await page.locator('#range-from').fill(yesterday);
      await page.locator('#range-to').fill(today);
      assert.equal(await page.locator('#range-to').evaluate((e) => e.checkValidity()), false);
      const before = page.url();
      await page.getByRole('button', { name: 'Show these days' }).click();
      assert.equal(page.url(), before, 'a range ending today was sent');
      await page.locator('#range-to').fill(yesterday);
      assert.equal(await page.locator('#range-to').evaluate((e) => e.checkValidity()), true);
    };
    await go('/dashboard?period=7d');
    await check();
    await page.getByRole('button', { name: 'Show these days' }).click();
    await page.waitForURL(new RegExp(`to=${yesterday}$`));
    // The page given again with an error keeps the same bounds.
    const r = await page.goto(`${stack.url}/dashboard?from=${yesterday}&to=${today}`);
    assert.equal(r.status(), 400);
    assert.match(await page.locator('#range-error').textContent(), new RegExp(yesterday));
    await check();
  });

  await t.test('the digest preview and an empty dashboard pass axe-core too', async () => {
    await go('/digest/preview', 'digest-preview');
    await page.goto(`${stack.url}/settings`);
    await page.getByLabel('New workspace').fill('Empty');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL(/msg=workspace_created$/);
    await go('/dashboard', 'dashboard-empty');
    await page.goto(`${stack.url}/settings`);
    await page.getByLabel('Current workspace').selectOption({ label: 'Acme (owner)' });
    await page.getByRole('button', { name: 'Switch' }).click();
    await page.waitForURL(/\/dashboard$/);
  });

  await t.test('at 390×844 nothing runs off the side of the screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, storageState: await page.context().storageState() });
    for (const [p, name] of [['/connections', 'phone-connections'], ['/connections/ga4', 'phone-connection'],
      ['/settings', 'phone-settings'], ['/dashboard?period=7d', 'phone-dashboard'], ['/no/such/page', 'phone-not-found'],
      // The digest as its email is drawn, and the form's snippets (a
      // newcomer found both wider than the phone: 624 and 792 px).
      ['/digest/preview', 'phone-digest-preview'], ['/settings/inquiry-form', 'phone-inquiry-form']]) {
      await phone.goto(stack.url + p);
      await shot(name, phone);
      const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 390, `${p}: the page is ${wide}px wide`);
    }
    await phone.close();
  });

  await t.test('by keyboard alone: skip link, a visible focus, Sync now, a checkbox', async () => {
    await go('/connections');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => ({ text: document.activeElement.textContent, outline: getComputedStyle(document.activeElement).outlineStyle }));
    assert.equal(first.text, 'Skip to main content');
    assert.notEqual(first.outline, 'none', 'the focus is visible');
    await page.keyboard.press('Enter');
    assert.match(page.url(), /#main$/);
    // Tab on until Google Analytics 4's Sync now, then Enter.
    let name = '';
    // (Its words name the login too: "Sync now Google Analytics 4
    // (ana@agency.example)".)
    for (let i = 0; i < 40 && !name.startsWith('Sync now Google Analytics 4'); i++) {
      await page.keyboard.press('Tab');
      name = await page.evaluate(() => document.activeElement.textContent.trim());
    }
    assert.match(name, /^Sync now Google Analytics 4 \(.+@.+\)$/);
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/connections\/ga4\?msg=(queued|running)$/);
    // The picker's first checkbox, reached by Tab, toggled by Space.
    let value = null;
    for (let i = 0; i < 40 && value === null; i++) {
      await page.keyboard.press('Tab');
      value = await page.evaluate(() => (document.activeElement.matches('form.picker input[type="checkbox"]') ? document.activeElement.value : null));
    }
    assert.equal(value, 'p1000');
    const box = page.locator('input[value="p1000"]');
    const before = await box.isChecked();
    await page.keyboard.press('Space');
    assert.equal(await box.isChecked(), !before);
    const ring = await box.evaluate((e) => ({ w: e.getBoundingClientRect().width, outline: getComputedStyle(e).outlineStyle }));
    assert.ok(ring.w < 30, 'the focus ring is the box\'s, not a full-width line');
    assert.notEqual(ring.outline, 'none');
    await shot('keyboard-picker');
  });
});
