'use strict';
// Google Ads' errors as Google sends them: a searchStream that fails after
// it started still answers HTTP 200, its last element the error — the run
// fails and keeps nothing of that answer (its batches stop short: a day
// of it may lack campaigns, and must not replace a whole day); an error's
// own words reach the person (a developer token approved for test
// accounts only says so, not "The caller does not have permission").
const test = require('node:test');
const assert = require('node:assert/strict');
const { setupOwner, connectSandbox, syncStack, runWorker } = require('./lib/flows');

test('Google Ads: a stream that stops with an error, a refused developer token', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url);
  assert.equal((await connectSandbox(b, 'google_ads')).res.status, 303);
  const [[conn, list]] = stack.sql("SELECT id, accounts::text FROM connections WHERE provider = 'google_ads'");
  const cust = JSON.parse(list).map((a) => a.id).find((id) => !/manager/i.test(id));
  const select = (ids) => stack.sql(`UPDATE connections SET selected = '${JSON.stringify(ids)}' WHERE id = ${conn}`);
  const sync = () => {
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections WHERE id = ${conn} ON CONFLICT DO NOTHING; UPDATE sync_jobs SET run_after = now() WHERE connection_id = ${conn} AND status = 'queued'`);
    runWorker(stack);
    const [[status, err]] = stack.sql(`SELECT status, coalesce(error, '') FROM sync_runs WHERE connection_id = ${conn} ORDER BY id DESC LIMIT 1`);
    return { status, err };
  };
  const rows = (acct) => stack.sql(`SELECT count(*), coalesce(sum(value), 0)::text FROM metric_daily WHERE provider = 'google_ads' AND split_part(account_id, ':', 1) = '${acct}'`)[0];

  select([cust]);
  let r = sync();
  assert.equal(r.status, 'ok', r.err);
  const before = rows(cust);
  assert.ok(Number(before[0]) > 0, 'the first sync stored rows');

  // The stream's last element is an error: not "ok", nothing kept.
  const broken = `${cust}-fault-stream_error`;
  select([broken]);
  r = sync();
  assert.notEqual(r.status, 'ok', 'a stream that ended in an error is not a good sync');
  assert.match(r.err, /the answer stopped with an error after 1 batch, so none of it was kept: An internal error has occurred\. \(INTERNAL_ERROR\)/);
  assert.deepEqual(rows(broken), ['0', '0'], 'nothing of the broken stream stored');
  assert.deepEqual(rows(cust), before, 'the rows stored before are as they were');

  // A developer token approved for test accounts only: Google Ads' words.
  select([`${cust}-fault-dev_token`]);
  r = sync();
  assert.notEqual(r.status, 'ok');
  assert.match(r.err, /The developer token is only approved for use with test accounts\. To access non-test accounts, apply for Basic or Standard access\. \(DEVELOPER_TOKEN_NOT_APPROVED, HTTP 403\)/);
  assert.doesNotMatch(r.err, /The caller does not have permission/);

  // A campaign's day whose metrics are all 0 is left out of the answer:
  // a stored row of the days the answer covered that it lacks is 0 after
  // the sync (its clicks went away); rows of other days or accounts stay.
  const quiet = `${cust}-fault-quiet_days`;
  select([quiet]);
  r = sync();
  assert.equal(r.status, 'ok', r.err);
  const [[camp]] = stack.sql(`SELECT split_part(account_id, ':', 2) FROM metric_daily WHERE provider = 'google_ads' AND split_part(account_id, ':', 1) = '${quiet}' LIMIT 1`);
  assert.ok(camp, 'campaign rows stored');
  assert.deepEqual(stack.sql(`SELECT count(*) FROM metric_daily WHERE provider = 'google_ads' AND split_part(account_id, ':', 1) = '${quiet}' AND (day - date '1970-01-01') % 5 = 0`), [['0']], 'the quiet days have no rows');
  const [[day]] = stack.sql(`SELECT max(d)::text FROM generate_series(current_date - 12, current_date - 2, '1 day') d WHERE (d::date - date '1970-01-01') % 5 = 0`);
  stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value) SELECT workspace_id, 'google_ads', a, 'clicks', d::date, v
    FROM connections, (VALUES ('${quiet}:${camp}', '${day}', 99), ('${quiet}:${camp}', '2001-01-05', 77), ('${quiet}x:${camp}', '${day}', 55)) t(a, d, v) WHERE id = ${conn}`);
  r = sync();
  assert.equal(r.status, 'ok', r.err);
  const clicks = (acct, d) => stack.sql(`SELECT value::text FROM metric_daily WHERE provider = 'google_ads' AND account_id = '${acct}' AND metric = 'clicks' AND day = '${d}'`);
  assert.deepEqual(clicks(`${quiet}:${camp}`, day), [['0']], 'the day the answer left out is 0');
  assert.deepEqual(clicks(`${quiet}:${camp}`, '2001-01-05'), [['77']], 'a day outside the window stays');
  assert.deepEqual(clicks(`${quiet}x:${camp}`, day), [['55']], 'another account stays');
  assert.deepEqual(rows(cust), before, 'the first customer\'s rows are as they were');
});
