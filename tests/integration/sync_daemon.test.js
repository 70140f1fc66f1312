'use strict';
// The worker as `make run` starts it: a daemon beside the cron program
// (nginx/stack.sh), draining what cron enqueues; SIGTERM lets the job in
// hand finish; `make stop` (stack.sh stop) stops it by its PID.  Beside
// its workers it runs the webhook deliverer (webhooks_fair.test.js) and
// the scheduler (schedule.test.js), replaced when they die like a worker.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startStack } = require('./lib/stack');
const { setupOwner, connectSandbox } = require('./lib/flows');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('worker daemon', async (t) => {
  const stack = await startStack({
    programs: ['api', 'pages', 'oauth', 'sandbox', 'cron'],
    env: { SLUICE_WORKER_PROCS: '2', SLUICE_WORKER_POLL_MS: '200', SLUICE_WORKER_CARE_S: '1' },
  });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const secret = fs.readFileSync(path.join(stack.dir, 'secrets.env'), 'utf8')
    .match(/^SLUICE_CRON_SECRET=(.*)$/m)[1];
  const status = async () => (await fetch(`${stack.url}/internal/scheduler-status`, { headers: { 'X-Cron-Secret': secret } })).json();
  const b = await setupOwner(stack.url);
  await connectSandbox(b, 'github');
  await connectSandbox(b, 'ga4');
  let [pid] = stack.pids('worker');
  assert.ok(pid && stack.isAlive(pid), 'no worker daemon');

  await t.test('cron enqueues, the daemon drains', async () => {
    const res = await fetch(`${stack.url}/internal/cron/sync-daily`, {
      method: 'POST', headers: { 'X-Cron-Secret': secret, 'Content-Type': 'application/json' },
      body: '{"provider":"github"}',
    });
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { enqueued: 1, connections: 1, already: 0, purged: 0 });
    const bad = await fetch(`${stack.url}/internal/cron/sync-daily`, {
      method: 'POST', headers: { 'X-Cron-Secret': secret }, body: '{"provider":"myspace"}',
    });
    assert.equal(bad.status, 400);
    const r2 = await fetch(`${stack.url}/internal/cron/sync-daily`, { method: 'POST', headers: { 'X-Cron-Secret': secret } });
    assert.deepEqual(await r2.json(), { enqueued: 1, connections: 2, already: 1, purged: 0 });
    let s;
    for (let i = 0; i < 100; i++) {
      s = await status();
      if (s.last_daily && s.last_daily.done === 2) break;
      await sleep(200);
    }
    assert.equal(s.last_daily.done, 2, JSON.stringify(s));
    assert.equal(s.queued, 0);
    assert.equal(s.running, 0);
    assert.equal(s.oldest_waiting, null);
    const [[n]] = stack.sql(`SELECT count(DISTINCT provider) FROM metric_daily`);
    assert.equal(n, '2');
  });

  await t.test('token care: refresh before expiry, a cheap call when idle', async () => {
    const [[id]] = stack.sql(`SELECT id FROM connections WHERE provider = 'ga4'`);
    const [[gh]] = stack.sql(`SELECT id FROM connections WHERE provider = 'github'`);
    stack.sql(`UPDATE connections SET token_expires_at = now() + interval '10 minutes' WHERE id = ${id}`);
    stack.sql(`UPDATE connections SET last_sync_at = now() - interval '2 days', created_at = now() - interval '3 days', last_tested_at = NULL WHERE id = ${gh}`);
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      await sleep(200);
      const [[fresh, tested]] = stack.sql(`SELECT (SELECT token_expires_at > now() + interval '50 minutes' FROM connections WHERE id = ${id}), (SELECT last_test_ok FROM connections WHERE id = ${gh})`);
      ok = fresh === 't' && tested === 't';
    }
    assert.ok(ok, 'the token was not refreshed or the idle connection not checked');
  });

  await t.test('the daemon runs a scheduler beside its workers, and replaces it when it dies', async () => {
    const children = () => fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
    const beats = () => stack.sql('SELECT name FROM scheduler_beats ORDER BY started_at').map((r) => r[0]);
    let names;
    for (let i = 0; i < 50 && !(names = beats()).length; i++) await sleep(200);
    assert.equal(names.length, 1, 'one scheduler');
    const spid = Number(names[0].split(':').pop());
    assert.equal(children().length, 4, 'two workers, the deliverer and the scheduler');
    assert.ok(children().includes(spid));
    process.kill(spid, 'SIGKILL');
    let again = [];
    for (let i = 0; i < 100; i++) {
      again = children();
      if (again.length === 4 && !again.includes(spid) && beats().length === 2) break;
      await sleep(200);
    }
    assert.equal(again.length, 4, 'replaced');
    assert.ok(!again.includes(spid));
    const npid = Number(beats()[1].split(':').pop());
    assert.ok(again.includes(npid), 'the new scheduler beats');
    assert.match(stack.log('worker'), new RegExp(`process ${spid} \\(slot 3\\) killed by signal 9; starting another`));
  });

  await t.test('kill -9 of the daemon: one of its processes takes its place', async () => {
    const old = pid;
    const kids = stack.pids('worker').slice(1);
    assert.equal(kids.length, 4);
    process.kill(old, 'SIGKILL');
    let now = [];
    for (let i = 0; i < 100; i++) {
      now = stack.pids('worker');
      if (now[0] !== old && stack.isAlive(now[0]) && now.length === 5) break;
      await sleep(100);
    }
    assert.notEqual(now[0], old, 'no new supervisor');
    assert.ok(kids.includes(now[0]), 'the new supervisor is not one of the old processes');
    assert.equal(now.length, 5, 'two workers, the deliverer and the scheduler again');
    assert.match(stack.log('worker'), /the supervisor died; pid \d+ takes its place/);
    pid = now[0];
    // The queue is still drained.
    const res = await fetch(`${stack.url}/internal/cron/sync-daily`, { method: 'POST', headers: { 'X-Cron-Secret': secret } });
    assert.equal(res.status, 202);
    stack.sql("INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections WHERE provider = 'github'");
    let left;
    for (let i = 0; i < 100; i++) {
      [[left]] = stack.sql("SELECT count(*) FROM sync_jobs WHERE status IN ('queued', 'running')");
      if (left === '0') break;
      await sleep(200);
    }
    assert.equal(left, '0', 'the jobs were not run after the takeover');
  });

  await t.test('SIGTERM: the job in hand finishes, then the daemon exits', async () => {
    const [[id, acct]] = stack.sql(`SELECT id, selected->>0 FROM connections WHERE provider = 'ga4'`);
    stack.sql(`UPDATE connections SET selected = '["${acct}-fault-slow"]' WHERE id = ${id}`);
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections WHERE id = ${id}`);
    let st;
    for (let i = 0; i < 50; i++) {
      [[st]] = stack.sql(`SELECT status FROM sync_jobs WHERE connection_id = ${id} ORDER BY id DESC LIMIT 1`);
      if (st === 'running') break;
      await sleep(100);
    }
    assert.equal(st, 'running');
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 300 && stack.isAlive(pid); i++) await sleep(100);
    assert.ok(!stack.isAlive(pid), 'the daemon did not exit');
    const [[status2, runStatus]] = stack.sql(`SELECT j.status, r.status FROM sync_jobs j JOIN sync_runs r ON r.job_id = j.id WHERE j.connection_id = ${id} ORDER BY j.id DESC LIMIT 1`);
    assert.equal(status2, 'done');
    assert.equal(runStatus, 'ok');
  });
});
