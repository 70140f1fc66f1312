'use strict';
// Google Business Profile end to end (issue 24, part 4): the sandbox
// connect lists the locations by title and address; one is picked;
// `worker --once` keeps its reviews and daily rating rows equal to the
// simulator's answers; a second run changes nothing; a review gone
// upstream disappears; GET /v1/reviews pages, filters and refuses bad
// input; another workspace sees none, through the API or the pages; and
// the dashboard's Reviews section in a real browser, axe-core clean,
// with a screenshot in tests/artifacts/.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { chromium } = require('playwright-core');
const { request, TOOLS, ROOT, defer } = require('./lib/stack');
const { hidden } = require('./lib/browser');
const { setupOwner, connectSandbox, syncStack, runWorker, secrets } = require('./lib/flows');
const { checkA11y } = require('./lib/a11y');

const ART = path.join(ROOT, 'tests/artifacts');
const PASSWORD = 'correct horse battery';

test('Google Business Profile reviews', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url, { password: PASSWORD });
  const { res } = await connectSandbox(b, 'gbp');
  assert.equal(res.status, 303, res.text.slice(0, 300));
  const [[conn, ws, list, blob]] = stack.sql("SELECT id, workspace_id, accounts::text, token_blob FROM connections WHERE provider = 'gbp'");
  const accounts = JSON.parse(list);
  const key = (role, w = ws) => stack.cli('api', ['create-key', w, 'k', role]).stdout.trim();
  const viewer = key('viewer');
  const api = (q, k = viewer) => request(`${stack.url}/v1/reviews${q}`, { headers: { Authorization: `Bearer ${k}` } });
  const sync = () => {
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${conn}, 'manual')`);
    runWorker(stack);
    const [[status, err, fetched, changed]] = stack.sql(`SELECT status, coalesce(error, ''), rows_fetched, rows_changed FROM sync_runs WHERE connection_id = ${conn} ORDER BY id DESC LIMIT 1`);
    return { status, err, fetched: Number(fetched), changed: Number(changed) };
  };
  let loc;

  await t.test('locations are offered by title and address; one is picked', async () => {
    const names = accounts.map((a) => a.name);
    assert.ok(names.includes('Café Zürich — Bahnhofstrasse 1, Zürich'), names.join(' | '));
    assert.ok(names.includes('Studio Nord — Hafenweg 12, Hamburg'), names.join(' | '));
    for (const a of accounts) assert.match(a.id, /^accounts\/\d+\/locations\/\d+$/);
    loc = accounts.find((a) => a.name.startsWith('Café')).id;
    const page = await b.get('/connections/gbp');
    assert.match(page.text, /Café Zürich — Bahnhofstrasse 1, Zürich/);
    const body = new URLSearchParams([['csrf', hidden(page.text, 'csrf')], ['account', loc]]);
    const r = await fetch(`${stack.url}/connections/gbp/accounts`, { method: 'POST', redirect: 'manual',
      headers: { cookie: b.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    assert.equal(r.status, 303);
    assert.deepEqual(JSON.parse(stack.sql(`SELECT selected FROM connections WHERE id = ${conn}`)[0][0]), [loc]);
  });

  // The simulator's answer for the location, every page, with the
  // connection's own token.
  const upstream = async () => {
    const keys = secrets(stack).keys;
    const opened = spawnSync(path.join(TOOLS, 'vault_tool'), ['open', ws, 'gbp', conn, blob],
      { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: keys } });
    assert.equal(opened.status, 0, opened.stderr);
    const token = JSON.parse(opened.stdout).access_token;
    const out = { reviews: [] };
    let next = '';
    for (let i = 0; i < 10; i++) {
      const r = await request(`${stack.url}/sandbox/gbp/v4/${loc}/reviews?pageSize=50${next}`,
        { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200, r.text);
      if (i === 0) Object.assign(out, { averageRating: r.json.averageRating, totalReviewCount: r.json.totalReviewCount });
      out.reviews.push(...(r.json.reviews || []));
      if (!r.json.nextPageToken) break;
      next = `&pageToken=${encodeURIComponent(r.json.nextPageToken)}`;
    }
    return out;
  };
  const stored = () => stack.sql(`SELECT review_id, coalesce(rating::text, ''), comment, reviewer,
      to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), coalesce(reply, '')
    FROM reviews WHERE workspace_id = ${ws} AND account_id = '${loc}' ORDER BY review_id`);
  const STARS = { ONE: '1', TWO: '2', THREE: '3', FOUR: '4', FIVE: '5' };

  await t.test('worker --once: reviews and daily rows equal the simulator\'s', async () => {
    const run = sync();
    assert.equal(run.status, 'ok', run.err);
    assert.equal(run.fetched, run.changed, 'a first run writes every row');
    const up = await upstream();
    assert.ok(up.reviews.length > 50, 'the location spans pages');
    const want = up.reviews.map((r) => [r.reviewId, STARS[r.starRating] || '', r.comment || '',
      r.reviewer.isAnonymous ? 'Anonymous' : r.reviewer.displayName, r.createTime,
      r.reviewReply ? r.reviewReply.comment : '']).sort((x, y) => (x[0] < y[0] ? -1 : 1));
    assert.deepEqual(stored(), want);
    assert.ok(want.some((r) => r[3] === 'Anonymous') && want.some((r) => r[2] === '') && want.some((r) => r[5] !== ''));
    // Nothing from the location not picked.
    assert.equal(stack.sql(`SELECT count(*) FROM reviews WHERE account_id <> '${loc}'`)[0][0], '0');
    const [[tz]] = stack.sql(`SELECT time_zone FROM workspaces WHERE id = ${ws}`);
    const [[today]] = stack.sql(`SELECT (now() AT TIME ZONE '${tz}')::date::text`);
    const metric = (m, day) => stack.sql(`SELECT value::text FROM metric_daily WHERE workspace_id = ${ws} AND provider = 'gbp'
      AND account_id = '${loc}' AND metric = '${m}' AND day = '${day}'`).map((r) => Number(r[0]))[0];
    assert.equal(metric('rating', today), up.averageRating);
    assert.equal(metric('reviews', today), up.totalReviewCount);
    // new_reviews: every day of the backfill (90 whole days ending
    // yesterday, today, one more for a zone), their sum the
    // reviews written in those days.
    const [[days, sum, min]] = stack.sql(`SELECT count(*), sum(value), min(day)::text FROM metric_daily
      WHERE workspace_id = ${ws} AND metric = 'new_reviews'`);
    assert.equal(Number(days), 92);
    const inWindow = up.reviews.filter((r) => r.createTime.slice(0, 10) >= min).length;
    assert.equal(Number(sum), inWindow);
    assert.ok(inWindow > 0 && inWindow < up.reviews.length);
  });

  await t.test('a second run changes nothing', () => {
    const before = stored();
    const run = sync();
    assert.equal(run.status, 'ok', run.err);
    assert.equal(run.changed, 0);
    assert.ok(run.fetched > 0);
    assert.deepEqual(stored(), before);
  });

  await t.test('the dashboard shows the reviews, escaped; a review gone upstream disappears', async () => {
    // A review stored earlier that the provider no longer has, written
    // last, with markup in its reviewer and comment.
    stack.sql(`INSERT INTO reviews (workspace_id, connection_id, provider, account_id, review_id, rating, comment,
      reviewer, created_at, updated_at) VALUES (${ws}, ${conn}, 'gbp', '${loc}', 'gone-upstream', 2,
      '<script>alert(1)</script> late & cold', '<b>Mallory</b>', now() - interval '1 minute', now() - interval '1 minute')`);
    const page = await b.get('/dashboard');
    assert.equal(page.status, 200);
    assert.match(page.text, /<h2 id="reviews-title">Reviews<\/h2>/);
    assert.match(page.text, /★★☆☆☆ 2<\/span> · <span class="review-who">&lt;b&gt;Mallory&lt;\/b&gt;<\/span> · <span class="review-where">([^<]+)<\/span>/);
    // Each review names its location as the picker does.
    const [[place]] = stack.sql(`SELECT a->>'name' FROM connections, jsonb_array_elements(accounts) a WHERE id = ${conn} AND a->>'id' = '${loc}'`);
    assert.ok(place && place !== loc, `no name for ${loc}`);
    assert.equal(/<span class="review-where">([^<]+)<\/span>/.exec(page.text)[1], place.replace(/&/g, '&amp;'));
    assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt; late &amp; cold/);
    assert.doesNotMatch(page.text, /<script>alert|<b>Mallory/);
    assert.equal((page.text.match(/<li class="review">/g) || []).length, 5);
    const run = sync();
    assert.equal(run.status, 'ok', run.err);
    assert.equal(run.changed, 1);
    assert.equal(stack.sql("SELECT count(*) FROM reviews WHERE review_id = 'gone-upstream'")[0][0], '0');
    assert.doesNotMatch((await b.get('/dashboard')).text, /Mallory/);
  });

  await t.test('GET /v1/reviews: pages, filters, bad input', async () => {
    const total = Number(stack.sql(`SELECT count(*) FROM reviews WHERE workspace_id = ${ws}`)[0][0]);
    let r = await api('');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.reviews.length, Math.min(total, 100));
    const first = r.json.reviews[0];
    assert.deepEqual(Object.keys(first).sort(), ['comment', 'created_at', 'location', 'provider', 'rating', 'reply',
      'reply_updated_at', 'review_id', 'reviewer', 'updated_at', 'url']);
    assert.equal(first.provider, 'gbp');
    assert.equal(first.location, loc);
    // Pages of 7 with the cursor: every review once, newest first.
    const seen = [];
    let cursor = '';
    for (let i = 0; i < 50; i++) {
      r = await api(`?limit=7${cursor}`);
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.reviews);
      if (r.json.next_cursor === null) break;
      assert.equal(r.json.reviews.length, 7);
      cursor = `&cursor=${encodeURIComponent(r.json.next_cursor)}`;
    }
    assert.equal(seen.length, total);
    assert.equal(new Set(seen.map((x) => x.review_id)).size, total);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].created_at >= seen[i].created_at);
    // Filters.
    r = await api('?rating=5&limit=500');
    assert.ok(r.json.reviews.length > 0);
    assert.ok(r.json.reviews.every((x) => x.rating === 5));
    assert.equal(r.json.reviews.length, Number(stack.sql(`SELECT count(*) FROM reviews WHERE rating = 5`)[0][0]));
    const day = seen[3].created_at.slice(0, 10);
    r = await api(`?from=${day}&to=${day}`);
    assert.ok(r.json.reviews.length > 0);
    assert.ok(r.json.reviews.every((x) => x.created_at.slice(0, 10) === day));
    r = await api(`?location=${encodeURIComponent(loc)}&limit=500`);
    assert.equal(r.json.reviews.length, total);
    r = await api(`?location=${encodeURIComponent(accounts.find((a) => a.id !== loc).id)}`);
    assert.deepEqual(r.json, { reviews: [], next_cursor: null });
    // Bad input: 400 naming the parameter, never a 5xx.
    for (const [q, what] of [['?rating=6', /rating/], ['?rating=x', /rating/], ['?from=2026-13-01', /from/],
      ['?from=2026-02-02&to=2026-02-01', /to/], ['?limit=0', /limit/], ['?limit=501', /limit/],
      ['?cursor=zz', /cursor/], ['?cursor=1.00.61.62', /cursor/], ['?cursor=99999999999999999999.61.61.61', /cursor/],
      ['?sort=rating', /sort/], ['?rating=1&rating=2', /rating/], [`?location=${'x'.repeat(300)}`, /location/]]) {
      r = await api(q);
      assert.equal(r.status, 400, `${q}: ${r.status} ${r.text}`);
      assert.match(r.json.error.message, what, q);
    }
    r = await request(`${stack.url}/v1/reviews`);
    assert.equal(r.status, 401);
    // A viewer reads only: no route writes reviews.
    r = await request(`${stack.url}/v1/reviews`, { method: 'POST', headers: { Authorization: `Bearer ${viewer}` } });
    assert.equal(r.status, 405);
  });

  await t.test('another workspace sees none, through the API or the pages', async () => {
    const s = await b.get('/settings');
    const r = await b.post('/settings/workspaces', { csrf: hidden(s.text, 'csrf'), name: 'Other' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const [[other]] = stack.sql("SELECT id FROM workspaces WHERE name = 'Other'");
    const a = await api('?limit=500', key('admin', other));
    assert.equal(a.status, 200);
    assert.deepEqual(a.json, { reviews: [], next_cursor: null });
    // The session is in the new workspace now: no Reviews section.
    const page = await b.get('/dashboard');
    assert.equal(page.status, 200);
    assert.match(page.text, /class="workspace"[^>]*>Other</);
    assert.doesNotMatch(page.text, /reviews-title|review-who/);
    const settings = await b.get('/settings');
    const back = await b.post('/workspace/switch', { csrf: hidden(settings.text, 'csrf'), workspace: ws });
    assert.equal(back.status, 303);
  });

  await t.test('the reviews go with the connection\'s data', async () => {
    const count = () => Number(stack.sql(`SELECT count(*) FROM reviews WHERE workspace_id = ${ws}`)[0][0]);
    const before = count();
    assert.ok(before > 0);
    // Disconnecting without deleting the data keeps them.
    let page = await b.get('/connections/gbp');
    let r = await b.post('/connections/gbp/disconnect', { csrf: hidden(page.text, 'csrf'), confirm: '1' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(count(), before);
    // Settings' "Delete synced data" removes them.
    page = await b.get('/settings');
    r = await b.post('/settings/data/delete', { csrf: hidden(page.text, 'csrf'), confirm: '1' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(count(), 0);
    // Connected and synced again, then disconnected with its data: gone.
    await connectSandbox(b, 'gbp');
    stack.sql(`UPDATE connections SET selected = '["${loc}"]' WHERE id = ${conn}`);
    assert.equal(sync().status, 'ok');
    assert.equal(count(), before);
    page = await b.get('/connections/gbp');
    r = await b.post('/connections/gbp/disconnect', { csrf: hidden(page.text, 'csrf'), confirm: '1', delete_data: '1' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(count(), 0);
    // Synced again for the browser's look.
    await connectSandbox(b, 'gbp');
    stack.sql(`UPDATE connections SET selected = '["${loc}"]' WHERE id = ${conn}`);
    assert.equal(sync().status, 'ok');
  });

  await t.test('in a browser: the Reviews section, axe-core clean', async () => {
    fs.mkdirSync(ART, { recursive: true });
    const browser = await chromium.launch({ executablePath: process.env.SLUICE_CHROMIUM || '/usr/bin/chromium',
      headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    defer(t, () => browser.close());
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${stack.url}/login`);
    await page.getByLabel('Email').fill('owner@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /log in/i }).click();
    await page.waitForURL(/\/(dashboard|connections)/);
    await page.goto(`${stack.url}/dashboard`);
    const section = page.locator('section.reviews');
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ART, 'reviews-dashboard.png'), fullPage: true });
    await section.screenshot({ path: path.join(ART, 'reviews-section.png') });
    await checkA11y(page, 'dashboard with reviews');
    assert.equal(await section.locator('h2').textContent(), 'Reviews');
    assert.equal(await section.locator('li.review').count(), 5);
    const stars = await section.locator('.review-stars').allTextContents();
    for (const s of stars) assert.match(s, /^[★☆]{5} [1-5]$|^No rating$/);
    // The rating's trend: today's point titled with the stated average.
    const [[avg]] = stack.sql(`SELECT value::text FROM metric_daily WHERE workspace_id = ${ws} AND metric = 'rating'`);
    const titles = await section.locator('figure.chart circle.chart-point title').allTextContents();
    assert.equal(titles.length, 1);
    assert.match(titles[0], new RegExp(`: ${Number(avg).toFixed(2).replace('.', '\\.')}$`));
  });
});
