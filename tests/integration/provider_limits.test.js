'use strict';
// Limits of the providers' data, as their documentation states them and
// the simulator enforces them: LinkedIn's share statistics exist for a
// rolling 12-month window only (a request starting earlier is a 400), so
// a long backfill asks for the last 365 days and no more.
const test = require('node:test');
const assert = require('node:assert/strict');
const { setupOwner, connectSandbox, syncStack, runWorker } = require('./lib/flows');

test('LinkedIn: a 400-day backfill stays inside the 12-month window', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url);
  const { res } = await connectSandbox(b, 'linkedin');
  assert.equal(res.status, 303);
  stack.sql("INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections");
  runWorker(stack, { SLUICE_SYNC_BACKFILL_DAYS: '400' });
  assert.deepEqual(stack.sql("SELECT status, coalesce(error, '') FROM sync_runs"), [['ok', '']]);
  // 365 days ending today (UTC): the first is 364 days back.
  const [[oldest, want]] = stack.sql("SELECT min(day)::text, ((now() AT TIME ZONE 'UTC')::date - 364)::text FROM metric_daily WHERE provider = 'linkedin' AND metric = 'impressions'");
  assert.equal(oldest, want);
});
