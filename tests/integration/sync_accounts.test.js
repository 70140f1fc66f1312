'use strict';
// Each selected account syncs on its own (issue 17, items 1, 3 and 5):
// one account that fails never silences the others, and says which one
// failed and why, in plain words; Facebook's Page whose token does not
// come back is that Page's trouble, not the login's; a GA4 report served
// in short pages is stored whole; an account ticked after the first sync
// is backfilled; a YouTube day published three days late is stored, and
// a day not published yet is asked again until it comes.
const test = require('node:test');
const assert = require('node:assert/strict');
const { setupOwner, connectSandbox, syncStack, runWorker } = require('./lib/flows');
const { validate, responseSchema } = require('./lib/schema');

test('accounts sync on their own', async (t) => {
  const stack = await syncStack(t);
  const worker = () => runWorker(stack);
  const b = await setupOwner(stack.url);
  const conn = {};
  const accts = {};
  for (const slug of ['ga4', 'facebook', 'youtube']) {
    await connectSandbox(b, slug);
    const [[id, list]] = stack.sql(`SELECT id, accounts::text FROM connections WHERE provider = '${slug}'`);
    conn[slug] = id;
    accts[slug] = JSON.parse(list).map((a) => a.id);
  }
  const select = (slug, ids) => stack.sql(`UPDATE connections SET selected = '${JSON.stringify(ids)}' WHERE id = ${conn[slug]}`);
  const sync = (slug) => {
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections WHERE id = ${conn[slug]} ON CONFLICT DO NOTHING; UPDATE sync_jobs SET run_after = now() WHERE connection_id = ${conn[slug]} AND status = 'queued'`);
    worker();
    const [[id, status, err]] = stack.sql(`SELECT id, status, coalesce(error, '') FROM sync_runs WHERE connection_id = ${conn[slug]} ORDER BY id DESC LIMIT 1`);
    return { id, status, err };
  };
  const outcomes = (slug, run) => Object.fromEntries(stack.sql(`SELECT account_id, status, coalesce(error, '') FROM sync_accounts WHERE connection_id = ${conn[slug]} AND run_id = ${run}`).map(([a, s, e]) => [a, { status: s, error: e }]));
  const days = (slug, acct, metric) => Number(stack.sql(`SELECT count(DISTINCT day) FROM metric_daily WHERE provider = '${slug}' AND account_id = '${acct}' AND metric = '${metric}'`)[0][0]);
  const conninfo = (slug) => {
    const [[status, err]] = stack.sql(`SELECT status, coalesce(last_error, '') FROM connections WHERE id = ${conn[slug]}`);
    return { status, err };
  };

  await t.test('an account ticked after the first sync is backfilled', () => {
    const [p1, p2] = accts.ga4;
    select('ga4', [p1]);
    assert.equal(sync('ga4').status, 'ok');
    // The backfill: 90 whole days ending yesterday, today, one more
    // for the property's zone.
    assert.equal(days('ga4', p1, 'sessions'), 92);
    select('ga4', [p1, p2]);
    const r = sync('ga4');
    assert.equal(r.status, 'ok', r.err);
    // The connection's later runs re-fetch a short window; the new
    // property gets its own backfill.
    assert.equal(days('ga4', p2, 'sessions'), 92);
    const [[p1rows]] = stack.sql(`SELECT rows_fetched FROM sync_accounts WHERE connection_id = ${conn.ga4} AND account_id = '${p1}'`);
    assert.ok(Number(p1rows) < 90 * 9, `p1 fetched ${p1rows} rows: a short window`);
  });

  await t.test('three properties, the first refused: the other two sync, the run is partial', async () => {
    const [p1, p2, p3] = accts.ga4;
    const bad = `${p1}-fault-403`;
    select('ga4', [bad, p2, p3]);
    const r = sync('ga4');
    assert.equal(r.status, 'partial', r.err);
    assert.match(r.err, /1 of 3 properties failed/);
    assert.match(r.err, new RegExp(`${bad}: .*no access to this property`));
    // Shown on GA4's own page: its name is not repeated inside.
    assert.doesNotMatch(r.err, /Google Analytics 4:/);
    const o = outcomes('ga4', r.id);
    assert.equal(o[bad].status, 'error');
    assert.match(o[bad].error, /no access to this property/);
    assert.equal(o[p2].status, 'ok');
    assert.equal(o[p3].status, 'ok');
    assert.equal(days('ga4', p3, 'sessions'), 92);	// backfilled, too
    const c = conninfo('ga4');
    assert.equal(c.status, 'connected');
    assert.match(c.err, new RegExp(bad));
    assert.doesNotMatch(c.err, new RegExp(`${p2}[^-]`));
    const [[job]] = stack.sql(`SELECT status FROM sync_jobs WHERE connection_id = ${conn.ga4} ORDER BY id DESC LIMIT 1`);
    assert.equal(job, 'done');	// a refusal is not retried

    // The status API and the connection page show each account's outcome.
    const [[ws]] = stack.sql(`SELECT id FROM workspaces LIMIT 1`);
    const key = stack.cli('api', ['create-key', ws, 'k', 'viewer']).stdout.trim();
    const st = await (await fetch(`${stack.url}/v1/sync/status`, { headers: { authorization: `Bearer ${key}` } })).json();
    assert.deepEqual(validate(responseSchema('/v1/sync/status'), st), []);
    const log = await (await fetch(`${stack.url}/v1/sync/log?provider=ga4`, { headers: { authorization: `Bearer ${key}` } })).json();
    assert.deepEqual(validate(responseSchema('/v1/sync/log'), log), []);
    const ga4 = st.connections.find((x) => x.provider === 'ga4');
    assert.equal(ga4.last_run.status, 'partial');
    const byId = Object.fromEntries(ga4.accounts.map((a) => [a.id, a]));
    assert.deepEqual(Object.keys(byId).sort(), [bad, p2, p3].sort());
    assert.equal(byId[bad].status, 'error');
    assert.match(byId[bad].error, /no access/);
    assert.equal(byId[p2].status, 'ok');
    assert.equal(byId[p2].error, null);
    const page = await b.get('/connections/ga4');
    assert.equal(page.status, 200);
    assert.match(page.text, /Selected properties: last sync/);
    assert.match(page.text, new RegExp(`${bad}</span> — <span class="error-text">error: [^<]*no access to this property`));
    assert.match(page.text, new RegExp(`${p2}</span> — ok `));
  });

  await t.test('a Page whose token does not come back is that Page\'s error, not the login\'s', () => {
    const [g1, g2, g3] = accts.facebook;
    const lost = `${g1}-fault-no_page_token`;
    select('facebook', [lost, g2, g3]);
    const r = sync('facebook');
    assert.equal(r.status, 'partial', r.err);
    const o = outcomes('facebook', r.id);
    assert.equal(o[lost].status, 'error');
    assert.match(o[lost].error, /access token of the Page/);
    assert.match(o[lost].error, /no longer has a role/);
    assert.equal(o[g2].status, 'ok');
    assert.equal(o[g3].status, 'ok');
    assert.ok(days('facebook', g2, 'impressions') > 80);
    assert.ok(days('facebook', g3, 'impressions') > 80);
    const c = conninfo('facebook');
    assert.equal(c.status, 'connected');	// reconnecting would not help
    assert.match(c.err, new RegExp(lost));
  });

  await t.test('a GA4 report served 2 rows a page is stored whole', () => {
    const p = `${accts.ga4[1]}-fault-short_pages`;
    select('ga4', [p]);
    const r = sync('ga4');
    assert.equal(r.status, 'ok', r.err);
    assert.equal(days('ga4', p, 'sessions'), 92);
    const [[pages]] = stack.sql(`SELECT pages FROM sync_runs WHERE id = ${r.id}`);
    assert.equal(Number(pages), 46 + 6);	// 92 rows by 2, six totals
  });

  await t.test('a YouTube day published three days late is stored, and one not there yet is asked again', () => {
    const ch = `${accts.youtube[0]}-fault-late`;
    select('youtube', [ch]);
    assert.equal(sync('youtube').status, 'ok');
    const today = "(now() AT TIME ZONE 'America/Los_Angeles')::date";
    const newest = () => stack.sql(`SELECT max(day)::text, (${today} - max(day))::int FROM metric_daily WHERE provider = 'youtube' AND account_id = '${ch}' AND metric = 'views'`)[0];
    assert.equal(newest()[1], '3');	// published 3 days late
    // The day just published (3 days back) was missing before today's
    // run: the window reaches it.
    stack.sql(`DELETE FROM metric_daily WHERE provider = 'youtube' AND account_id = '${ch}' AND day >= ${today} - 3`);
    assert.equal(newest()[1], '4');
    assert.equal(sync('youtube').status, 'ok');
    assert.equal(newest()[1], '3');
    // Days that did not come for a while are asked until they come.
    stack.sql(`DELETE FROM metric_daily WHERE provider = 'youtube' AND account_id = '${ch}' AND day >= ${today} - 12`);
    stack.sql(`UPDATE sync_accounts SET data_through = ${today} - 13 WHERE connection_id = ${conn.youtube} AND account_id = '${ch}'`);
    assert.equal(sync('youtube').status, 'ok');
    const [[n]] = stack.sql(`SELECT count(DISTINCT day) FROM metric_daily WHERE provider = 'youtube' AND account_id = '${ch}' AND metric = 'views' AND day >= ${today} - 12`);
    assert.equal(n, '10');	// 12 .. 3 days back
  });

  await t.test('a provider message with markup is stored as plain words', () => {
    const ch = `${accts.youtube[0]}-fault-429`;
    select('youtube', [ch]);
    const r = sync('youtube');
    assert.equal(r.status, 'rate_limited', r.err);
    assert.match(r.err, /exceeded your quota\./);
    const c = conninfo('youtube');
    assert.match(c.err, /exceeded your quota\./);
    assert.doesNotMatch(c.err, /[<>]/);
  });
});
