'use strict';
// Rate limits as the providers send them (issue 17, item 7): the job
// waits what the provider says (Meta's X-Business-Use-Case-Usage and
// usage headers, GA4's quota hour or day, Google Ads' retryDelay,
// Mailchimp's throttling 403 with its Retry-After), a fetch stops itself
// before the wall (Meta at 90% used, GA4 below its token floors), and a
// quota hit pauses a first sync's backfill without failing it: the
// accounts already backfilled keep their rows and are not fetched whole
// again; the retry backfills the others, whole.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { TOOLS } = require('./lib/stack');
const { setupOwner, connectSandbox, syncStack, secrets, runWorker } = require('./lib/flows');

test('rate limits', async (t) => {
  const stack = await syncStack(t);
  const { keys } = secrets(stack);
  const b = await setupOwner(stack.url);
  const conn = {};
  const accts = {};
  for (const slug of ['ga4', 'facebook', 'meta_ads', 'google_ads', 'mailchimp']) {
    await connectSandbox(b, slug);
    const [[id, list]] = stack.sql(`SELECT id, accounts::text FROM connections WHERE provider = '${slug}'`);
    conn[slug] = id;
    accts[slug] = JSON.parse(list).map((a) => a.id);
  }
  const select = (slug, ids) => stack.sql(`UPDATE connections SET selected = '${JSON.stringify(ids)}' WHERE id = ${conn[slug]}`);
  const enqueue = (slug) => stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections WHERE id = ${conn[slug]} ON CONFLICT DO NOTHING; UPDATE sync_jobs SET run_after = now() WHERE connection_id = ${conn[slug]} AND status = 'queued'`);
  const sync = (slug) => {
    enqueue(slug);
    runWorker(stack);
    const [[id, status, err]] = stack.sql(`SELECT id, status, coalesce(error, '') FROM sync_runs WHERE connection_id = ${conn[slug]} ORDER BY id DESC LIMIT 1`);
    return { id, status, err };
  };
  const job = (slug) => {
    const [[status, attempts, wait]] = stack.sql(`SELECT status, attempts, coalesce(extract(epoch FROM run_after - now())::int, 0) FROM sync_jobs WHERE connection_id = ${conn[slug]} ORDER BY id DESC LIMIT 1`);
    return { status, attempts: Number(attempts), wait: Number(wait) };
  };
  // The job waits about `want` seconds (the worker's run took a few).
  const waits = (slug, want) => {
    const j = job(slug);
    assert.equal(j.status, 'queued');
    assert.equal(j.attempts, 0, 'a rate limit is not a failed attempt');
    assert.ok(j.wait <= want + 1 && j.wait >= want - 15, `waits ${j.wait} s, not about ${want} s`);
  };
  // The wait until a minute past the next hour (as seen now; one hour
  // less when the hour turned since the run).
  const waitsHour = (slug) => {
    const j = job(slug);
    assert.equal(j.status, 'queued');
    assert.equal(j.attempts, 0, 'a rate limit is not a failed attempt');
    const want = 3600 - Math.floor(Date.now() / 1000) % 3600 + 60;
    // The run took a few seconds; its rounding may put it one past.
    const d = ((want - j.wait) % 3600 + 3600) % 3600;
    assert.ok(Math.min(d, 3600 - d) <= 15, `waits ${j.wait} s, not about ${want} s`);
  };
  const days = (slug, acct, metric) => Number(stack.sql(`SELECT count(DISTINCT day) FROM metric_daily WHERE provider = '${slug}' AND account_id = '${acct}' AND metric = '${metric}'`)[0][0]);
  const state = (slug) => Object.fromEntries(stack.sql(`SELECT account_id, status, rows_fetched, backfilled_at IS NOT NULL FROM sync_accounts WHERE connection_id = ${conn[slug]}`).map(([a, s, n, bf]) => [a, { status: s, rows: Number(n), backfilled: bf === 't' }]));
  // The stored tokens (sealed to the row), changed.
  const vault = (...args) => spawnSync(path.join(TOOLS, 'vault_tool'), args, { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: keys } });
  const retoken = (slug, change) => {
    const [[ws, blob]] = stack.sql(`SELECT workspace_id, token_blob FROM connections WHERE id = ${conn[slug]}`);
    const opened = vault('open', ws, slug, conn[slug], blob);
    assert.equal(opened.status, 0, opened.stderr);
    const tok = JSON.parse(opened.stdout);
    change(tok);
    const sealed = vault('seal', ws, slug, conn[slug], JSON.stringify(tok));
    assert.equal(sealed.status, 0, sealed.stderr);
    stack.sql(`UPDATE connections SET token_blob = '${sealed.stdout.trim()}' WHERE id = ${conn[slug]}`);
  };

  await t.test('GA4: a quota hit mid-backfill pauses it; the retry finishes it, whole', () => {
    const [p1, p2, p3] = accts.ga4;
    assert.ok(p3, 'the sandbox lists three properties');
    select('ga4', [p1, p2, p3]);
    // The project's hourly tokens run out after the first property: a
    // switch carried by the access token (kept a day, not refreshed).
    let original;
    retoken('ga4', (tok) => {
      original = tok.access_token;
      tok.access_token = tok.access_token.replace('S1.', '-fault-ga4_project_quota-S1.');
      tok.expires_at = Math.floor(Date.now() / 1000) + 86400;
    });
    let r = sync('ga4');
    assert.equal(r.status, 'rate_limited', r.err);
    assert.match(r.err, /rate limiting requests: The project's tokens per hour/);
    // No Retry-After: GA4's hourly tokens come back with the next hour.
    waitsHour('ga4');
    let s = state('ga4');
    assert.deepEqual([s[p1].status, s[p1].backfilled], ['ok', true]);
    assert.deepEqual([s[p2].status, s[p2].backfilled], ['rate_limited', false]);
    assert.equal(s[p3], undefined, 'the run stopped at the limit');
    const p1Backfill = s[p1].rows;
    // 90 whole days ending yesterday, today, one more for the zone.
    assert.equal(days('ga4', p1, 'sessions'), 92);
    assert.equal(days('ga4', p2, 'sessions'), 0);
    const [[connErr, firstDone]] = stack.sql(`SELECT last_error, last_sync_at IS NOT NULL FROM connections WHERE id = ${conn.ga4}`);
    assert.match(connErr, /rate limit/);
    assert.equal(firstDone, 'f', 'the first sync is not over');

    // The tokens are back: the retry goes on.
    retoken('ga4', (tok) => { tok.access_token = original; });
    r = sync('ga4');
    assert.equal(r.status, 'ok', r.err);
    s = state('ga4');
    for (const p of [p1, p2, p3]) assert.deepEqual([s[p].status, s[p].backfilled], ['ok', true], p);
    // p1's backfill was kept, not fetched whole again: a short window.
    assert.ok(s[p1].rows < p1Backfill / 4, `p1 fetched ${s[p1].rows} rows again (its backfill: ${p1Backfill})`);
    // p2 and p3 got their whole backfill (not the short window), each
    // day once, starting 91 days back in the property's zone.
    for (const p of [p2, p3]) {
      assert.equal(days('ga4', p, 'sessions'), 92, p);
      assert.equal(s[p].rows, p1Backfill, `${p} fetched ${s[p].rows} rows, its backfill`);
    }
    const [[dup]] = stack.sql(`SELECT count(*) FROM (SELECT account_id, metric, day, dims FROM metric_daily WHERE provider = 'ga4' GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) d`);
    assert.equal(dup, '0');
  });

  await t.test('GA4: a backfill cut part way keeps the days it got and goes on from there', () => {
    // A property not synced yet, its report in pages of 30 days; the
    // tokens run out after the first page.
    const p = accts.ga4[0];
    const worker = (env) => { enqueue('ga4'); runWorker(stack, env); };
    const lastRun = () => stack.sql(`SELECT status, coalesce(error, ''), rows_fetched FROM sync_runs WHERE connection_id = ${conn.ga4} ORDER BY id DESC LIMIT 1`)[0];
    stack.sql(`DELETE FROM metric_daily WHERE provider = 'ga4'; DELETE FROM sync_accounts WHERE connection_id = ${conn.ga4}`);
    select('ga4', [p]);
    let original;
    retoken('ga4', (tok) => {
      original = tok.access_token;
      tok.access_token = tok.access_token.replace('S1.', '-fault-quota_midway-S1.');
      tok.expires_at = Math.floor(Date.now() / 1000) + 86400;
    });
    worker({ SLUICE_SYNC_GA4_PAGE_ROWS: '30' });
    let [status, err] = lastRun();
    assert.equal(status, 'rate_limited', err);
    assert.match(err, /its backfill is stored through \d{4}-\d\d-\d\d and goes on from there/);
    waitsHour('ga4');
    // The first 30 days are stored, the oldest of the window first.
    assert.equal(days('ga4', p, 'sessions'), 30);
    const [[through, backfilled]] = stack.sql(`SELECT backfill_through::text, backfilled_at IS NOT NULL FROM sync_accounts WHERE connection_id = ${conn.ga4} AND account_id = '${p}'`);
    assert.equal(backfilled, 'f');
    const [[maxDay]] = stack.sql(`SELECT max(day)::text FROM metric_daily WHERE provider = 'ga4' AND account_id = '${p}' AND metric = 'sessions'`);
    assert.equal(through, maxDay);

    // The retry asks from there on (not the whole window, nor only the
    // restatement window) and the backfill is whole: 92 days, each once.
    retoken('ga4', (tok) => { tok.access_token = original; });
    worker({ SLUICE_SYNC_GA4_PAGE_ROWS: '30' });
    let fetched;
    [status, err, fetched] = lastRun();
    assert.equal(status, 'ok', err);
    assert.equal(days('ga4', p, 'sessions'), 92);
    const s = state('ga4');
    assert.deepEqual([s[p].status, s[p].backfilled], ['ok', true]);
    const [[left]] = stack.sql(`SELECT count(*) FROM sync_accounts WHERE connection_id = ${conn.ga4} AND backfill_through IS NOT NULL`);
    assert.equal(left, '0');
    // 62 or 63 days (and the totals) asked again, not 92.
    const perDay = Number(stack.sql(`SELECT count(*) FROM metric_daily WHERE provider = 'ga4' AND account_id = '${p}' AND metric NOT LIKE '%:%'`)[0][0]) / 92;
    assert.ok(Number(fetched) < 65 * perDay + 12 && Number(fetched) > 61 * perDay, `the retry fetched ${fetched} rows (${perDay} a day)`);
  });

  await t.test('GA4: below the hourly token floor the property stops until the next hour', () => {
    select('ga4', [`${accts.ga4[0]}-fault-quota_low`]);
    const r = sync('ga4');
    assert.equal(r.status, 'rate_limited', r.err);
    assert.match(r.err, /only 412 of the property's tokens for this hour are left/);
    waitsHour('ga4');
  });

  await t.test('Meta: the wait is the one Meta gives', () => {
    const page = accts.facebook[0];
    select('facebook', [`${page}-fault-error_80001_pages_limit`]);
    let r = sync('facebook');
    assert.equal(r.status, 'rate_limited', r.err);
    assert.match(r.err, /#80001/);
    waits('facebook', 7 * 60);	// estimated_time_to_regain_access: 7 minutes
    // A good answer at 93% of the limit: stop before the wall.
    select('facebook', [`${page}-fault-usage_high`]);
    r = sync('facebook');
    assert.equal(r.status, 'rate_limited', r.err);
    assert.match(r.err, /93% of Meta's .* rate limit is used/);
    waits('facebook', 4 * 60);
    const act = accts.meta_ads[0];
    select('meta_ads', [`${act}-fault-error_80004_ads_management_limit`]);
    r = sync('meta_ads');
    assert.equal(r.status, 'rate_limited', r.err);
    waits('meta_ads', 12 * 60);	// the business use case's 12 minutes
    select('meta_ads', [`${act}-fault-error_613_1487742_ad_account_limit`]);
    r = sync('meta_ads');
    assert.equal(r.status, 'rate_limited', r.err);
    waits('meta_ads', 1800);	// X-Ad-Account-Usage's reset_time_duration
  });

  await t.test('Google Ads: RESOURCE_EXHAUSTED waits its retryDelay', () => {
    const cust = accts.google_ads[0];
    select('google_ads', [`${cust}-fault-retry_info`]);
    const r = sync('google_ads');
    assert.equal(r.status, 'rate_limited', r.err);
    waits('google_ads', 42);
  });

  await t.test('Mailchimp: a throttling 403 waits; a refusing 403 is an error', () => {
    const list = accts.mailchimp[0];
    select('mailchimp', [`${list}-fault-throttled`]);
    let r = sync('mailchimp');
    assert.equal(r.status, 'rate_limited', r.err);
    assert.match(r.err, /simultaneous connections/);
    waits('mailchimp', 45);
    select('mailchimp', [`${list}-fault-403`]);
    r = sync('mailchimp');
    assert.equal(r.status, 'error', r.err);
    assert.match(r.err, /HTTP 403/);
  });
});
