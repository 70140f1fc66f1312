'use strict';
// Sluice keeps its own schedule (lib/sync/schedule.c): the worker daemon's
// scheduler enqueues each workspace's daily sync at its local hour and
// sends the weekly digest at its day and hour, without crontab lines.
// Cron's calls and a second scheduler (another host) never double the
// work; SLUICE_SCHEDULER=0 leaves it to cron; a scheduler that stopped
// ticking shows on the pages and in the status.  "The next day" is made
// by moving the recorded dates back a day in SQL.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startStack, request, BIN, ROOT } = require('./lib/stack');
const { startFakeResend } = require('./lib/fake_resend');
const { setupOwner, connectSandbox } = require('./lib/flows');
const { hidden } = require('./lib/browser');

const CRON = 'cron-secret-for-schedule-tests-0123456789';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn until it returns a truthy value; fails with what it saw last.
async function until(what, fn, ms = 30000) {
  let last;
  for (const t0 = Date.now(); Date.now() - t0 < ms; await sleep(200)) {
    last = await fn();
    if (last) return last;
  }
  throw new Error(`timed out waiting for ${what}`);
}

const status = async (stack) => (await request(`${stack.url}/internal/scheduler-status`, { headers: { 'x-cron-secret': CRON } })).json;
const cronDaily = async (stack) => (await request(`${stack.url}/internal/cron/sync-daily`, { method: 'POST', headers: { 'x-cron-secret': CRON } })).json;

// The recorded dates of a workspace, one day back: "tomorrow" comes.
const dayPasses = (stack) => stack.sql(`
  UPDATE sync_jobs SET day = day - 1, created_at = created_at - interval '1 day',
    finished_at = finished_at - interval '1 day', run_after = run_after - interval '1 day';
  UPDATE sync_runs SET started_at = started_at - interval '1 day', finished_at = finished_at - interval '1 day';
  UPDATE connections SET created_at = created_at - interval '1 day', last_sync_at = last_sync_at - interval '1 day'`);

test('the built-in schedule: daily syncs and the weekly digest without crontab', async (t) => {
  const fake = await startFakeResend();
  const isoDay = ((new Date().getUTCDay() + 6) % 7) + 1;
  const stack = await startStack({
    programs: ['api', 'pages', 'oauth', 'sandbox', 'cron', 'digest'],
    env: {
      SLUICE_CRON_SECRET: CRON,
      SLUICE_WORKER_PROCS: '1',
      SLUICE_WORKER_POLL_MS: '200',
      SLUICE_SCHEDULER_TICK_S: '1',
      SLUICE_SCHEDULER_STALE_S: '60',
      SLUICE_RESEND_API_BASE: fake.url,
      SLUICE_RESEND_API_KEY: 're_test',
      SLUICE_ALLOW_LOOPBACK_HTTP: '1',
      // The digest is due from 00:00 today, in the workspace's zone (UTC).
      SLUICE_SCHEDULE_DIGEST_DAY: String(isoDay),
      SLUICE_SCHEDULE_DIGEST_HOUR: '0',
    },
  });
  let second;
  t.after(async () => {
    if (second && second.exitCode === null) second.kill('SIGTERM');
    await fake.close();
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const b = await setupOwner(stack.url);
  // A workspace set up this week gets no digest of last week (checked
  // below): this one is made older.
  await new Promise((res) => setTimeout(res, 2500));	// ticks with it new
  const [[ws0]] = stack.sql('SELECT id FROM workspaces');
  assert.equal(stack.sql(`SELECT count(*) FROM digest_runs WHERE workspace_id = ${ws0}`)[0][0], '0',
    'no digest for a week before the workspace existed');
  assert.equal(fake.state.delivered.length, 0);
  stack.sql("UPDATE workspaces SET created_at = now() - interval '8 days'");
  await connectSandbox(b, 'github');
  const [[conn, ws, madeHour]] = stack.sql(`SELECT id, workspace_id, extract(hour FROM created_at AT TIME ZONE 'UTC')::int FROM connections WHERE provider = 'github'`);
  const daily = () => stack.sql(`SELECT to_char(day, 'YYYY-MM-DD'), status FROM sync_jobs WHERE connection_id = ${conn} AND kind = 'daily' ORDER BY day, id`);
  const localToday = () => stack.sql(`SELECT to_char((now() AT TIME ZONE time_zone)::date, 'YYYY-MM-DD') FROM workspaces WHERE id = ${ws}`)[0][0];

  await t.test('the scheduler ticks, and says when the next daily run is due', async () => {
    const s = await until('a tick', async () => {
      const x = await status(stack);
      return x.scheduler.last_tick && x;
    });
    assert.equal(s.scheduler.enabled, true);
    assert.equal(s.scheduler.stale, false);
    assert.equal(s.scheduler.instances.length, 1);
    assert.equal(s.scheduler.sync_hour, 3);
    assert.ok(Date.now() - Date.parse(s.scheduler.last_tick) < 10000, s.scheduler.last_tick);
    assert.equal(s.scheduler.next_daily.time_zone, 'UTC');
    assert.match(s.scheduler.next_daily.local, / 03:00$/);
    assert.ok(Date.parse(s.scheduler.next_daily.at) > Date.now());
    assert.equal(s.scheduler.digest.enabled, true);
  });

  await t.test('a connection made after today\'s hour waits for the next day', async () => {
    // The workspace's hour is the one the connection was made in: due
    // since before the connection existed, so not today.
    const page = await b.get('/settings');
    assert.match(page.text, /Daily sync at 03:00 \(the default\), UTC time/);
    const r = await b.post('/settings/schedule', { csrf: hidden(page.text, 'csrf'), sync_hour: madeHour });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(stack.sql(`SELECT sync_hour FROM workspaces WHERE id = ${ws}`)[0][0], madeHour);
    const bad = await b.post('/settings/schedule', { csrf: hidden(page.text, 'csrf'), sync_hour: '24' });
    assert.equal(bad.status, 422);
    const hh = String(madeHour).padStart(2, '0');
    const [[next]] = stack.sql(`SELECT to_char(date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day' + make_interval(hours => ${madeHour}), 'YYYY-MM-DD HH24:MI') || ' UTC'`);
    const cards = await b.get('/connections');
    assert.ok(cards.text.includes(`Next sync:</span> ${next}`), `no "Next sync: ${next}" on the connections page`);
    assert.doesNotMatch(cards.text, /scheduler is not running|scheduler last ran/);
    assert.match((await b.get('/settings')).text, new RegExp(`Daily sync at ${hh}:00, UTC time; next: ${next}\\.`));
    await sleep(3000);
    assert.deepEqual(daily(), []);
  });

  await t.test('made yesterday: its daily run comes without any crontab, and the next day\'s too', async () => {
    stack.sql(`UPDATE connections SET created_at = created_at - interval '1 day' WHERE id = ${conn}`);
    await until('the first daily run', () => daily().length === 1 && daily()[0][1] === 'done');
    assert.deepEqual(daily(), [[localToday(), 'done']]);
    assert.ok(Number(stack.sql(`SELECT count(*) FROM metric_daily WHERE workspace_id = ${ws}`)[0][0]) > 0);
    // Cron's call the same day adds nothing.
    assert.deepEqual(await cronDaily(stack), { enqueued: 0, connections: 1, already: 1, purged: 0 });
    dayPasses(stack);
    await until('the next day\'s run', () => daily().length === 2 && daily()[1][1] === 'done');
    const days = daily().map((x) => x[0]);
    assert.equal(days[1], localToday());
    assert.equal(Date.parse(days[1]) - Date.parse(days[0]), 86400000);
    await sleep(2000);
    assert.equal(daily().length, 2, 'once a day');
  });

  await t.test('cron first, then the scheduler: one job for the day', async () => {
    // The workspace's clock at 10:00 or 11:00 of the same date as UTC
    // (an Etc/GMT zone; at 23:00 UTC, +11 would be tomorrow there, when
    // the digest of this test's day is not due), its hour 20:00: not due
    // yet.
    const u = new Date().getUTCHours();
    const k = Math.max(10 - u, -12);
    const tz = k === 0 ? 'UTC' : `Etc/GMT${k > 0 ? '-' : '+'}${Math.abs(k)}`;
    stack.sql(`UPDATE workspaces SET time_zone = '${tz}', sync_hour = 20 WHERE id = ${ws}`);
    dayPasses(stack);
    const before = daily().length;
    await sleep(3000);
    assert.equal(daily().length, before, 'the scheduler waits for 20:00 local');
    const r = await cronDaily(stack);
    assert.equal(r.enqueued, 1);
    await until('cron\'s job done', () => daily().slice(-1)[0][1] === 'done');
    // Due now, and the connection looks unsynced since: still today's one.
    stack.sql(`UPDATE workspaces SET sync_hour = 0 WHERE id = ${ws};
      UPDATE connections SET last_sync_at = now() - interval '2 days' WHERE id = ${conn}`);
    await sleep(3000);
    const today = daily().filter((x) => x[0] === localToday());
    assert.equal(today.length, 1, JSON.stringify(daily()));
    assert.equal(daily().length, before + 1);
  });

  await t.test('two schedulers (two hosts) enqueue and send once', async () => {
    // The stack's settings and secrets, as another host would have them.
    const secrets = Object.fromEntries(fs.readFileSync(path.join(stack.dir, 'secrets.env'), 'utf8')
      .split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    second = spawn(path.join(BIN, 'worker'), ['--daemon', '--procs', '1'], {
      env: {
        ...stack.env, ...secrets, SLUICE_DATABASE_URL: stack.dbUrl, SLUICE_LOG_FILE: '',
        SLUICE_SANDBOX: '1', SLUICE_BASE_URL: stack.url, SLUICE_TEMPLATE_DIR: path.join(ROOT, 'templates'),
      },
      stdio: 'ignore',
    });
    await until('two schedulers', async () => (await status(stack)).scheduler.instances.length === 2);
    // The week's digest (sent at start-up) is due again, for both.
    await until('the first digest', () => fake.state.delivered.length > 0);
    stack.sql('DELETE FROM digest_sends; DELETE FROM digest_batches; DELETE FROM digest_runs');
    fake.reset();
    const before = daily().length;
    dayPasses(stack);
    stack.sql(`UPDATE connections SET last_sync_at = now() - interval '2 days' WHERE id = ${conn}`);
    await until('the day\'s run', () => daily().length === before + 1 && daily().slice(-1)[0][1] === 'done')
      .catch((e) => { throw new Error(`${e.message}: ${JSON.stringify(daily())}, today ${localToday()}, ${JSON.stringify(stack.sql('SELECT id, kind, status, day, last_error FROM sync_jobs ORDER BY id'))}`); });
    await sleep(3000);
    assert.equal(daily().filter((x) => x[0] === localToday()).length, 1, JSON.stringify(daily()));
    const [[dups]] = stack.sql("SELECT count(*) FROM (SELECT connection_id, day FROM sync_jobs WHERE kind = 'daily' GROUP BY 1, 2 HAVING count(*) > 1) d");
    assert.equal(dups, '0');
  });

  await t.test('the weekly digest went out once, by the schedule; cron\'s call adds nothing', async () => {
    await until('the scheduled digest', () => fake.state.delivered.length > 0);
    assert.equal((await status(stack)).scheduler.instances.length, 2);
    await sleep(2000);
    assert.deepEqual(fake.state.delivered.map((d) => d.to), ['owner@example.com']);
    const runs = stack.sql(`SELECT started_by, complete, sent FROM digest_runs WHERE workspace_id = ${ws} ORDER BY id`);
    assert.deepEqual(runs, [['schedule', 't', '1']], 'one scheduled run, although two schedulers tick');
    const calls = fake.state.calls.length;
    const r = await request(`${stack.url}/v1/digest/weekly`, { method: 'POST', headers: { 'x-cron-secret': CRON } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.sent, 0);
    await sleep(2000);
    assert.equal(fake.state.calls.length, calls);
    const s = await status(stack);
    assert.ok(Date.parse(s.scheduler.digest.next.at) > Date.now() + 6 * 86400000, 'next week');
    second.kill('SIGTERM');
    await until('the second daemon to stop', () => second.exitCode !== null);
  });

  await t.test('a stopped scheduler shows on the pages and in the status', async () => {
    // Running: /readyz?details=1 says when the scheduler last ticked.
    let ready = await request(`${stack.url}/readyz?details=1`);
    assert.equal(ready.status, 200);
    assert.equal(ready.json.scheduler.enabled, true);
    assert.equal(ready.json.scheduler.stale, false);
    assert.ok(ready.json.scheduler.last_tick_age_s >= 0 && ready.json.scheduler.last_tick_age_s < 60);
    assert.equal(ready.json.warnings, undefined);
    const [pid] = stack.pids('worker');
    process.kill(pid, 'SIGTERM');
    await until('the daemon to stop', () => !stack.isAlive(pid));
    stack.sql("UPDATE scheduler_beats SET beat_at = now() - interval '10 minutes'");
    // Stopped: still ready (the API serves without it), but it says so;
    // the plain answer a load balancer polls stays as it was.
    ready = await request(`${stack.url}/readyz?details=1`);
    assert.equal(ready.status, 200);
    assert.equal(ready.json.scheduler.stale, true);
    assert.match(ready.json.warnings.join('\n'), /the scheduler last ran 6\d\d s ago: the worker daemon is down or stuck/);
    assert.deepEqual(Object.keys((await request(`${stack.url}/readyz`)).json).sort(), ['db', 'migrations', 'status']);
    const s = await status(stack);
    assert.equal(s.scheduler.stale, true);
    assert.equal(s.scheduler.instances.length, 0);
    const page = await b.get('/connections');
    assert.match(page.text, /role="alert">Sluice&#39;s scheduler last ran at \d{4}-\d\d-\d\d \d\d:\d\d (UTC|Etc\/GMT[-+]\d+) \(10 minutes ago\), so daily syncs are not being queued/);
    stack.sql('DELETE FROM scheduler_beats');
    assert.match((await b.get('/connections')).text, /Sluice&#39;s scheduler is not running/);
    assert.match((await b.get('/settings')).text, /Sluice&#39;s scheduler is not running/);
    assert.equal((await status(stack)).scheduler.last_tick, null);
    ready = await request(`${stack.url}/readyz?details=1`);
    assert.equal(ready.json.scheduler.last_tick_age_s, null);
    assert.match(ready.json.warnings.join('\n'), /the scheduler has never run/);
  });
});

test('SLUICE_SCHEDULER=0: nothing is enqueued by itself, cron drives it', async (t) => {
  const stack = await startStack({
    programs: ['api', 'pages', 'oauth', 'sandbox', 'cron'],
    env: {
      SLUICE_CRON_SECRET: CRON,
      SLUICE_SCHEDULER: '0',
      SLUICE_SCHEDULER_TICK_S: '1',
      SLUICE_WORKER_PROCS: '1',
      SLUICE_WORKER_POLL_MS: '200',
    },
  });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const b = await setupOwner(stack.url);
  await connectSandbox(b, 'github');
  // Made yesterday, its hour long past: the scheduler would run it now.
  stack.sql(`UPDATE connections SET created_at = now() - interval '1 day';
    UPDATE workspaces SET sync_hour = 0`);
  await sleep(3000);
  assert.equal(stack.sql("SELECT count(*) FROM sync_jobs")[0][0], '0');
  assert.equal(stack.sql('SELECT count(*) FROM scheduler_beats')[0][0], '0');
  const s = await status(stack);
  assert.equal(s.scheduler.enabled, false);
  assert.equal(s.scheduler.stale, false);
  assert.equal(s.scheduler.next_daily, null);
  // Off by choice: nothing to warn about.
  const ready = await request(`${stack.url}/readyz?details=1`);
  assert.equal(ready.json.scheduler.enabled, false);
  assert.equal(ready.json.scheduler.stale, false);
  assert.equal(ready.json.warnings, undefined);
  const page = await b.get('/connections');
  assert.doesNotMatch(page.text, /Next sync|scheduler is not running|scheduler last ran/);
  assert.match((await b.get('/settings')).text, /own schedule is off \(SLUICE_SCHEDULER=0\)/);
  // Cron's call still works, and the daemon drains it.
  assert.equal((await cronDaily(stack)).enqueued, 1);
  await until('cron\'s job done', () => stack.sql("SELECT status FROM sync_jobs WHERE kind = 'daily'")[0][0] === 'done');
});
