'use strict';
// GA4 leaves out a report row whose metrics are all 0 (keepEmptyRows
// unset): a day without one in the window had no visit. Sluice stores it
// as 0 — a small site's quiet day is a day of numbers, not a gap that
// makes the tiles "partial" — and a day that had numbers and has none
// any more is 0 after the next sync, not its old numbers (an outside
// tester's stand-in found both). The window's last lag_days (2: GA4 may
// not have published them) are not filled.
const test = require('node:test');
const assert = require('node:assert/strict');
const { setupOwner, connectSandbox, syncStack, runWorker } = require('./lib/flows');

test('GA4: the days a report leaves out are zero', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url);
  assert.equal((await connectSandbox(b, 'ga4')).res.status, 303);
  const [[conn, list]] = stack.sql("SELECT id, accounts::text FROM connections WHERE provider = 'ga4'");
  const prop = `${JSON.parse(list)[0].id}-fault-quiet_days`;
  stack.sql(`UPDATE connections SET selected = '["${prop}"]' WHERE id = ${conn}`);
  const sync = (env = {}) => {
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections WHERE id = ${conn} ON CONFLICT DO NOTHING; UPDATE sync_jobs SET run_after = now() WHERE connection_id = ${conn} AND status = 'queued'`);
    runWorker(stack, { SLUICE_SYNC_BACKFILL_DAYS: '30', ...env });
    const [[status, err]] = stack.sql(`SELECT status, coalesce(error, '') FROM sync_runs WHERE connection_id = ${conn} ORDER BY id DESC LIMIT 1`);
    assert.equal(status, 'ok', err);
  };
  sync();
  // The quiet days (days since 1970 divisible by 5) before the last two
  // of the window: stored, every metric 0.
  const quiet = stack.sql(`SELECT day::text, count(*), sum(value)::text FROM metric_daily
    WHERE provider = 'ga4' AND account_id = '${prop}' AND metric NOT LIKE '%:%'
      AND (day - date '1970-01-01') % 5 = 0 AND day <= (SELECT max(day) - 2 FROM metric_daily WHERE account_id = '${prop}' AND metric = 'sessions')
    GROUP BY day ORDER BY day`);
  assert.ok(quiet.length >= 4, `quiet days stored: ${JSON.stringify(quiet)}`);
  for (const [day, n, sum] of quiet) {
    assert.equal(sum, '0', day);
    assert.ok(Number(n) >= 8, `${day}: every daily metric (${n})`);
  }
  // Every day of the window but the last two has its sessions row: no gap.
  const [[days, first, last]] = stack.sql(`SELECT count(*), min(day)::text, max(day)::text FROM metric_daily WHERE provider = 'ga4' AND account_id = '${prop}' AND metric = 'sessions'`);
  const span = (Date.parse(last) - Date.parse(first)) / 86400000 + 1;
  assert.equal(Number(days), span, `sessions on every day from ${first} to ${last}`);
  // A day that had numbers and has none any more: 0 after the next sync.
  // The last quiet day is 2 to 6 days before the last stored one; the
  // rerun asks for its restatement window (GA4's 3 days after its 2 of
  // lag) — on 2 days in 5 the quiet day was older than that, and the test
  // failed by the date: a window of 10 covers it whatever the day.
  const [day] = quiet[quiet.length - 1];
  stack.sql(`UPDATE metric_daily SET value = 1234 WHERE provider = 'ga4' AND account_id = '${prop}' AND day = '${day}' AND metric = 'sessions'`);
  sync({ SLUICE_SYNC_RESTATE_DAYS: '10' });
  assert.deepEqual(stack.sql(`SELECT value::text FROM metric_daily WHERE provider = 'ga4' AND account_id = '${prop}' AND day = '${day}' AND metric = 'sessions'`), [['0']]);
});
