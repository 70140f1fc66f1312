'use strict';
// What the connection page says of a sync while it runs and once it is
// over: the polling endpoint's "live" words count the selected accounts
// done and the rows fetched so far; the page opened after Sync now says
// what the run came to (rows and duration, or the failure in words), not
// "queued" any more; a queued sync says what it waits for (a worker that
// checks in, its due time, or that no worker runs).  A slow sandbox account (its calls answer after
// 3 s) holds the run in the middle.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { BIN } = require('./lib/stack');
const { setupOwner, connectSandbox, formFields, syncStack, workerEnv } = require('./lib/flows');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('sync progress and result', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url);
  await connectSandbox(b, 'ga4');
  const [[id, accts]] = stack.sql(`SELECT id, (SELECT string_agg(x->>'id', ',') FROM jsonb_array_elements(accounts) x) FROM connections WHERE provider = 'ga4'`);
  const [a1, a2] = accts.split(',');
  assert.ok(a1 && a2, `two GA4 properties listed: ${accts}`);
  const selected = [a1, a2, `${a1}-fault-slow`];
  stack.sql(`UPDATE connections SET selected = '${JSON.stringify(selected)}' WHERE id = ${id}`);
  const status = async () => {
    const r = await b.get('/connections/ga4/status');
    assert.equal(r.status, 200);
    return JSON.parse(r.text);
  };
  const flashText = (html) => ((html.match(/<div class="flash[^"]*"[^>]*>([\s\S]*?)<\/div>/) || [])[1] || '').replace(/<[^>]*>/g, '').trim();
  const liveText = (html) => (html.match(/id="job-state">([\s\S]*?)<span/) || [])[1] || '';

  await t.test('queued: the page and the endpoint say so', async () => {
    const page = await b.get('/connections/ga4');
    const r = await b.post('/connections/ga4/sync', { csrf: Object.fromEntries(formFields(page.text)).csrf });
    assert.equal(r.status, 303);
    const after = await b.get(new URL(r.headers.get('location'), stack.url).pathname + '?msg=queued');
    // What the queued job waits for, truthfully: no worker runs yet.
    assert.match(liveText(after.text), /^Sync queued, but no sync worker has checked in, so nothing will take it yet: start one \(worker --daemon; make run starts it\)\. $/);
    assert.equal(flashText(after.text), '', 'no second "queued" notice beside the live line');
    let s = await status();
    assert.equal(s.job, 'queued');
    assert.match(s.live, /^Sync queued, but no sync worker has checked in, so/);
    // A worker that checked in 20 minutes ago, and none since.
    stack.sql("INSERT INTO worker_beats (name, beat_at) VALUES ('test-worker', now() - interval '20 minutes')");
    assert.match((await status()).live, /^Sync queued, but no sync worker has checked in for 20 minutes, so nothing will take it yet/);
    // A worker that checks in: it looks at the queue every second.
    stack.sql("UPDATE worker_beats SET beat_at = now()");
    s = await status();
    assert.equal(s.live, 'Sync queued: a sync worker takes it within seconds, as soon as one is free.');
    assert.match(liveText((await b.get('/connections/ga4?msg=queued')).text), /^Sync queued: a sync worker takes it within seconds/);
    // A job due later (a retry): when, in the workspace's zone.
    stack.sql(`UPDATE sync_jobs SET run_after = date_trunc('minute', now()) + interval '2 hours' WHERE connection_id = ${id} AND status = 'queued'`);
    const [[due]] = stack.sql(`SELECT to_char(run_after AT TIME ZONE w.time_zone, 'YYYY-MM-DD HH24:MI ') || w.time_zone FROM sync_jobs j JOIN workspaces w ON w.id = j.workspace_id WHERE connection_id = ${id} AND status = 'queued'`);
    assert.equal((await status()).live, `Sync queued: it waits until ${due}, then a sync worker takes it.`);
    stack.sql(`UPDATE sync_jobs SET run_after = now() WHERE connection_id = ${id} AND status = 'queued'`);
    stack.sql("DELETE FROM worker_beats WHERE name = 'test-worker'");
  });

  await t.test('running: accounts done of those selected, rows so far', async () => {
    const worker = spawn(path.join(BIN, 'worker'), ['--once'], { env: workerEnv(stack), stdio: 'ignore' });
    const exited = new Promise((r) => worker.on('exit', r));
    let seen = null;
    t.after(() => exited);
    for (let i = 0; i < 200 && !seen; i++) {
      const s = await status();
      if (s.job === 'running' && s.progress && s.progress.done === 2) seen = s;
      else await sleep(100);
    }
    assert.ok(seen, 'the run was seen with two accounts done');
    assert.equal(seen.progress.total, 3);
    const [[rows]] = stack.sql(`SELECT sum(rows_fetched) FROM sync_accounts WHERE connection_id = ${id} AND run_id = (SELECT max(id) FROM sync_runs WHERE connection_id = ${id})`);
    assert.equal(seen.progress.rows, Number(rows));
    assert.ok(Number(rows) > 0);
    assert.match(seen.live, new RegExp(`^Syncing Google Analytics 4\u2026 2 of 3 properties done, ${Number(rows).toLocaleString('en-US')} rows fetched so far \\(\\d+ s\\)\\.$`));
    const page = await b.get('/connections/ga4?msg=queued');
    assert.match(liveText(page.text), /^Syncing Google Analytics 4\u2026 2 of 3 properties done/);
    assert.equal(await exited, 0);
  });

  await t.test('finished: rows and duration of the run, not "queued"', async () => {
    const [[runStatus, fetched, changed, err]] = stack.sql(`SELECT status, rows_fetched, rows_changed, coalesce(error, '') FROM sync_runs WHERE connection_id = ${id} ORDER BY id DESC LIMIT 1`);
    assert.equal(runStatus, 'ok', `the run: ${err}; jobs: ${JSON.stringify(stack.sql('SELECT status, attempts, last_error FROM sync_jobs'))}`);
    for (const msg of ['queued', 'sync_done']) {
      const page = await b.get(`/connections/ga4?msg=${msg}`);
      const f = flashText(page.text);
      assert.match(f, new RegExp(`^Sync finished: ${Number(fetched).toLocaleString('en-US')} rows fetched, ${Number(changed).toLocaleString('en-US')} changed, in [\\d.]+ s\\.$`), f);
      assert.equal(liveText(page.text), '');
    }
    const plain = await b.get('/connections/ga4');
    assert.equal(flashText(plain.text), '', 'no result without a Sync now');
    assert.equal((await status()).live, undefined);
  });

  await t.test('a failed run says why in words', async () => {
    stack.sql(`UPDATE connections SET selected = '["${a1}-fault-403"]' WHERE id = ${id}`);
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections WHERE id = ${id}`);
    const w = spawn(path.join(BIN, 'worker'), ['--once'], { env: workerEnv(stack), stdio: 'ignore' });
    assert.equal(await new Promise((r) => w.on('exit', r)), 0);
    const [[st, err]] = stack.sql(`SELECT status, coalesce(error, '') FROM sync_runs WHERE connection_id = ${id} ORDER BY id DESC LIMIT 1`);
    assert.notEqual(st, 'ok');
    const page = await b.get('/connections/ga4?msg=sync_done');
    assert.match(page.text, /<div class="flash flash-error"/);
    assert.match(flashText(page.text), /^Sync (failed|stopped|finished, but)/);
    assert.ok(err.length > 0);
  });
});
