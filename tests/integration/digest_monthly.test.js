'use strict';
// The monthly digest (issue 23, part 4) against a fake Resend: members
// choose weekly, monthly, both or none in Settings; a monthly run sends
// the last full calendar month (the workspace's zone) to those who chose
// it, exactly once per recipient and month, also after a crash between
// sending and recording and with two runs at once; a weekly send of the
// same day does not stand in its way; the preview pages show it; an
// unsubscribe link stops both digests.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startStack, defer, request } = require('./lib/stack');
const { startFakeResend } = require('./lib/fake_resend');
const { setupOwner } = require('./lib/flows');
const { hidden } = require('./lib/browser');

const CRON = 'cron-secret-for-monthly-digest-0123456789';
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];

test('monthly digest through a fake Resend', async (t) => {
  const fake = await startFakeResend();
  defer(t, () => fake.close());
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-monthly-'));
  defer(t, () => fs.rmSync(tmp, { recursive: true, force: true }));
  fs.chmodSync(tmp, 0o777);	// the programs run as another user
  const faultFile = path.join(tmp, 'crash-once');
  const stack = await startStack({
    programs: ['pages', 'digest'],
    env: {
      SLUICE_RESEND_API_BASE: fake.url,
      SLUICE_RESEND_API_KEY: 're_test',
      SLUICE_ALLOW_LOOPBACK_HTTP: '1',
      SLUICE_CRON_SECRET: CRON,
      SLUICE_MAIL_FROM: 'digest@hub.example.com',
      SLUICE_DIGEST_FAULT_FILE: faultFile,
    },
  });
  defer(t, () => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const sql = (q) => stack.sql(q);

  const owner = await setupOwner(stack.url);
  const [[acme]] = sql("SELECT id FROM workspaces WHERE name = 'Acme'");
  sql(`UPDATE workspaces SET time_zone = 'Pacific/Auckland' WHERE id = ${acme}`);
  const member = (email) => sql(`WITH u AS (INSERT INTO users (email, password_hash) VALUES ('${email}', 'x') RETURNING id)
    INSERT INTO memberships (workspace_id, user_id, role) SELECT ${acme}, id, 'viewer' FROM u`);
  member('both@example.com');
  member('weekly@example.com');
  member('none@example.com');
  sql(`INSERT INTO digest_subscriptions (workspace_id, email, subscribed, monthly) VALUES
    (${acme}, 'both@example.com', true, true), (${acme}, 'none@example.com', false, false)`);
  // The month before last: 100 sessions a day; last month 150 a day; this
  // month's days count for neither.
  const [[start, end, prevStart, y, m]] = sql(`SELECT s, (s + interval '1 month')::date - 1,
      (s - interval '1 month')::date, extract(year FROM s), extract(month FROM s)
    FROM (SELECT (date_trunc('month', now() AT TIME ZONE 'Pacific/Auckland') - interval '1 month')::date AS s) x`);
  sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
    SELECT ${acme}, 'ga4', 'p1', 'sessions', d::date, CASE WHEN d::date >= '${start}' THEN 150 ELSE 100 END
    FROM generate_series('${prevStart}'::date, (now() AT TIME ZONE 'Pacific/Auckland')::date, interval '1 day') d`);
  const label = `${MONTHS[Number(m) - 1]} ${y}`;
  const [[days, prevDays]] = sql(`SELECT '${end}'::date - '${start}'::date + 1, '${start}'::date - '${prevStart}'::date`);

  const monthly = (headers = { 'x-cron-secret': CRON }) => request(`${stack.url}/v1/digest/monthly`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"scope":"all"}', timeout: 60000,
  });
  const cool = () => sql("UPDATE digest_runs SET finished_at = now() - interval '1 hour' WHERE finished_at IS NOT NULL");
  const fresh = () => {
    sql("DELETE FROM digest_sends; DELETE FROM digest_batches;");
    cool();
    fake.reset();
  };
  const deliveredTo = () => fake.state.delivered.map((d) => d.to).sort();

  await t.test('the owner chooses monthly in Settings', async () => {
    let page = await owner.get('/settings');
    assert.match(page.text, /<option value="weekly" selected>/, 'weekly unless chosen otherwise');
    const csrf = hidden(page.text, 'csrf');
    const bad = await owner.post('/settings/digest', { csrf, cadence: 'daily' });
    assert.equal(bad.status, 422);
    const r = await owner.post('/settings/digest', { csrf, cadence: 'monthly' });
    assert.equal(r.status, 303);
    page = await owner.get('/settings');
    assert.match(page.text, /<option value="monthly" selected>/);
    assert.deepEqual(sql(`SELECT subscribed, monthly FROM digest_subscriptions WHERE email = 'owner@example.com'`),
      [['f', 't']]);
    // Previews: the page and the API.
    const pv = await owner.get('/digest/preview?kind=monthly');
    assert.equal(pv.status, 200);
    assert.match(pv.text, /Sluice monthly digest/);
    assert.ok(pv.text.includes(`${label} (Pacific/Auckland), compared with the month before`), pv.text.slice(0, 2000));
    const api = await request(`${stack.url}/v1/digest/preview?kind=monthly&email=owner@example.com`,
      { headers: { 'x-cron-secret': CRON } });
    assert.equal(api.status, 200, api.text);
    assert.equal(api.json.period_start, start);
    assert.equal(api.json.period_end, end);
    assert.equal(api.json.subject, `Acme monthly digest: ${label}`);
    // 150 a day against 100 a day, whatever the months' lengths.
    const cur = (150 * days).toLocaleString('en-US');
    const prev = (100 * prevDays).toLocaleString('en-US');
    assert.ok(api.json.text.includes(`- Sessions: ${cur} / ${prev} / `), api.json.text);
    assert.equal((await request(`${stack.url}/v1/digest/preview?kind=yearly&email=owner@example.com`,
      { headers: { 'x-cron-secret': CRON } })).status, 400);
  });

  await t.test('run twice, sent once, to those who chose it', async () => {
    fresh();
    assert.equal((await monthly({})).status, 401);
    const r = await monthly();
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.sent, 2);
    assert.deepEqual(deliveredTo(), ['both@example.com', 'owner@example.com']);
    assert.ok(fake.state.delivered.every((d) => d.subject === `Acme monthly digest: ${label}`));
    assert.ok(fake.state.delivered.every((d) => /compared with the month before/.test(d.text)));
    assert.ok(fake.state.delivered.every((d) => /\/v1\/digest\/unsubscribe\?token=/.test(d.headers['List-Unsubscribe'])));
    const again = await monthly();
    assert.equal(again.status, 429, 'the cooldown');
    cool();
    const third = await monthly();
    assert.equal(third.status, 200, third.text);
    assert.equal(third.json.sent, 0);
    assert.equal(fake.state.delivered.length, 2);
    assert.deepEqual(sql(`SELECT kind, period_start, count(*) FROM digest_sends GROUP BY 1, 2`),
      [['monthly', start, '2']]);
    const status = await request(`${stack.url}/v1/digest/status?kind=monthly`, { headers: { 'x-cron-secret': CRON } });
    assert.equal(status.json.last_run.sent, 0);
    assert.equal(status.json.last_run.complete, true);
    // The weekly digest is another digest: its run sends the weekly ones.
    const w = await request(`${stack.url}/v1/digest/weekly`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-cron-secret': CRON }, body: '{"scope":"all"}',
      timeout: 60000,
    });
    assert.equal(w.status, 200, w.text);
    assert.deepEqual(fake.state.delivered.slice(2).map((d) => d.to).sort(), ['both@example.com', 'weekly@example.com']);
  });

  await t.test('a weekly send of the same day is no monthly send', async () => {
    fresh();
    sql(`INSERT INTO digest_sends (workspace_id, recipient, period_start, status, kind)
      VALUES (${acme}, 'owner@example.com', '${start}', 'sent', 'weekly')`);
    const r = await monthly();
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(deliveredTo(), ['both@example.com', 'owner@example.com']);
    // And the key holds for the monthly kind itself.
    assert.throws(() => sql(`INSERT INTO digest_sends (workspace_id, recipient, period_start, status, kind)
      VALUES (${acme}, 'owner@example.com', '${start}', 'sent', 'monthly')`), /digest_sends_once/);
  });

  await t.test('two runs at once: one email per recipient', async () => {
    fresh();
    const [x, y2] = await Promise.all([monthly(), monthly()]);
    const statuses = [x.status, y2.status].sort();
    assert.equal(statuses[0], 200, `statuses ${statuses}`);
    assert.ok(statuses[1] === 200 || statuses[1] === 429, `statuses ${statuses}`);
    assert.deepEqual(deliveredTo(), ['both@example.com', 'owner@example.com']);
  });

  await t.test('crash between send and record: the rerun does not send twice', async () => {
    fresh();
    fs.writeFileSync(faultFile, '1');
    const r = await monthly();
    assert.ok(r.status >= 500, `the crashed run answers ${r.status}`);
    assert.equal(fake.state.calls.length, 1);
    const key = fake.state.calls[0].headers['idempotency-key'];
    assert.equal(sql("SELECT count(*) FROM digest_sends WHERE status = 'claimed' AND kind = 'monthly'")[0][0], '2');
    cool();
    const again = await monthly();
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.recovered, 2);
    assert.equal(fake.state.calls[1].headers['idempotency-key'], key, 'same key');
    assert.equal(fake.state.calls[1].text, fake.state.calls[0].text, 'same body');
    assert.equal(fake.state.calls[1].replayed, true);
    assert.deepEqual(deliveredTo(), ['both@example.com', 'owner@example.com']);
    assert.deepEqual(sql("SELECT DISTINCT status, kind FROM digest_sends"), [['sent', 'monthly']]);
  });

  await t.test('an unsubscribe link stops both digests', async () => {
    const d = fake.state.delivered.find((x) => x.to === 'both@example.com');
    const url = /<([^>]+)>/.exec(d.headers['List-Unsubscribe'])[1];
    const u = new URL(url);
    const r = await request(`${stack.url}${u.pathname}${u.search}`, { method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(sql("SELECT subscribed, monthly FROM digest_subscriptions WHERE email = 'both@example.com'"),
      [['f', 'f']]);
    fresh();
    const again = await monthly();
    assert.deepEqual(deliveredTo(), ['owner@example.com']);
    assert.equal(again.json.sent, 1);
  });
});

// The worker daemon's scheduler sends the monthly digest by itself from
// the 1st (at SLUICE_SCHEDULE_DIGEST_HOUR 0, so now), once, although it
// ticks every second.
test('the scheduler sends the monthly digest once', async (t) => {
  const fake = await startFakeResend();
  defer(t, () => fake.close());
  const stack = await startStack({
    programs: ['pages', 'digest', 'cron'],
    env: {
      SLUICE_RESEND_API_BASE: fake.url,
      SLUICE_RESEND_API_KEY: 're_test',
      SLUICE_ALLOW_LOOPBACK_HTTP: '1',
      SLUICE_CRON_SECRET: CRON,
      SLUICE_WORKER_PROCS: '1',
      SLUICE_SCHEDULER_TICK_S: '1',
      SLUICE_SCHEDULE_DIGEST_HOUR: '0',
    },
  });
  defer(t, () => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const owner = await setupOwner(stack.url);
  // A workspace set up this month has no last month: made before it.
  stack.sql("UPDATE workspaces SET created_at = now() - interval '40 days'");
  const page = await owner.get('/settings');
  const r = await owner.post('/settings/digest', { csrf: hidden(page.text, 'csrf'), cadence: 'both' });
  assert.equal(r.status, 303);
  const monthlies = () => fake.state.delivered.filter((d) => / monthly digest: /.test(d.subject));
  for (let i = 0; i < 300 && monthlies().length === 0; i++) await new Promise((res) => setTimeout(res, 100));
  assert.equal(monthlies().length, 1, 'the scheduler sent the monthly digest');
  await new Promise((res) => setTimeout(res, 3000));
  assert.deepEqual(monthlies().map((d) => d.to), ['owner@example.com'], 'once, though it ticks every second');
  assert.deepEqual(stack.sql("SELECT started_by, complete, sent FROM digest_runs WHERE kind = 'monthly' AND workspace_id IS NOT NULL"),
    [['schedule', 't', '1']]);
});
