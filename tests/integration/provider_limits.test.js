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

// Mailchimp counts its days in the account's time zone (the API root's
// account_timezone): a campaign goes on its send day there, the same day
// its emails count in the audience's daily activity.  The simulator's
// account is in Auckland and sends at 14:00 UTC: the next day there.
test('Mailchimp: campaigns on the account\'s day', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url);
  const { res } = await connectSandbox(b, 'mailchimp');
  assert.equal(res.status, 303);
  stack.sql("INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections");
  runWorker(stack, { SLUICE_SYNC_BACKFILL_DAYS: '60' });
  assert.deepEqual(stack.sql("SELECT status, coalesce(error, '') FROM sync_runs"), [['ok', '']]);
  // Campaign i is sent at 14:00 UTC, 3 + 14 i days before today (UTC).
  const rows = stack.sql("SELECT DISTINCT ((now() AT TIME ZONE 'UTC')::date - day) FROM metric_daily WHERE provider = 'mailchimp' AND metric = 'campaign_emails_sent' ORDER BY 1");
  assert.ok(rows.length >= 3, `campaign days: ${JSON.stringify(rows)}`);
  for (const [back] of rows)
    assert.equal((Number(back) - 2) % 14, 0, `a campaign ${back} days back is not on Auckland's day`);
});

// Google's granular consent lets a person untick a permission; a
// connection without it would sync nothing.  Sluice names what is missing
// and stores nothing; with every box ticked the same flow connects.
test('Google: an unticked permission is named, nothing stored', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url);
  const scope = 'https://www.googleapis.com/auth/analytics.readonly';
  const start = await b.get('/oauth/ga4/start');
  const authorize = new URL(start.headers.get('location'));
  const consent = await b.get(authorize.pathname + authorize.search);
  assert.equal(consent.status, 200);
  // The sandbox's consent screen offers to untick it, as Google's does.
  const box = new RegExp(`<input type="checkbox" name="(withhold_\\d+)" value="${scope.replace(/[./]/g, '\\$&')}">`).exec(consent.text);
  assert.ok(box, 'no checkbox for the analytics permission');
  const { callback, res } = await connectSandbox(b, 'ga4', 'allow', { [box[1]]: scope });
  assert.ok(callback.searchParams.get('code'));
  assert.equal(res.status, 403);
  assert.match(res.text, /Google Analytics 4 did not give Sluice every permission it asked for: https:\/\/www\.googleapis\.com\/auth\/analytics\.readonly was not allowed\. Connect again and leave every permission ticked/);
  assert.deepEqual(stack.sql('SELECT count(*) FROM connections'), [['0']]);
  const ok = await connectSandbox(b, 'ga4');
  assert.equal(ok.res.status, 303);
  assert.deepEqual(stack.sql('SELECT count(*) FROM connections'), [['1']]);
});
