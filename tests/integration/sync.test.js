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
const { setupOwner, connectSandbox, providers } = require('./lib/flows');

// The providers synced: SYNC_PROVIDERS (slugs, space-separated), else
// every provider of the registry (GET /v1/providers).
let PROVIDERS;
// The rows each must yield after one sync: every stored metric of its
// catalogue, and a TOTALS metric's "<name>:<N>d" rows for each period its
// provider gives totals for.
const EXPECT = {};
// A subtest about given providers' own traits: skipped, saying why, when
// SYNC_PROVIDERS selects none of them.
const about = (...slugs) => ({
  skip: !slugs.some((s) => PROVIDERS.includes(s)) &&
    `about ${slugs.join(' or ')}, not in SYNC_PROVIDERS=${process.env.SYNC_PROVIDERS}`,
});

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
  const registry = await providers(stack);
  PROVIDERS = process.env.SYNC_PROVIDERS ? process.env.SYNC_PROVIDERS.split(' ') :
    registry.map((p) => p.slug);
  for (const p of registry) {
    EXPECT[p.slug] = p.metrics.filter((m) => m.stored).flatMap((m) =>
      [m.name, ...m.periods.map((n) => `${m.name}:${n}d`)]);
    assert.ok(EXPECT[p.slug].length > 0, `${p.slug}: no stored metrics`);
  }
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
    assert.deepEqual(first.json, { enqueued: PROVIDERS.length, connections: PROVIDERS.length, already: 0, purged: 0 });
    const again = await cron(stack);
    assert.deepEqual(again.json, { enqueued: 0, connections: PROVIDERS.length, already: PROVIDERS.length, purged: 0 });
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
      if (p !== 'slack') assert.equal(fetched, changed, `${p}: first run writes every row`);
    }
    const last = stack.sql(`SELECT count(*) FROM connections WHERE last_sync_at IS NULL OR last_error IS NOT NULL`);
    assert.equal(last[0][0], '0');
  });

  await t.test('rows per provider, named as the catalogue names them', () => {
    for (const p of PROVIDERS) {
      const got = new Map(stack.sql(`SELECT metric, count(*) FROM metric_daily WHERE provider = '${p}' GROUP BY 1`));
      for (const m of EXPECT[p]) assert.ok(Number(got.get(m)) > 0, `${p}: no ${m} rows (${[...got.keys()]})`);
    }
  });

  await t.test('ga4: the backfill fills the dashboard\'s 90 days whole', about('ga4'), async () => {
    // The dashboard's longest period ends yesterday in the workspace's
    // zone; the backfill (90 whole days ending yesterday, today, one day
    // more for a property's zone ahead of the workspace's) covers each
    // property's every day of it, whatever its zone.
    const [[was]] = stack.sql('SELECT time_zone FROM workspaces');
    for (const zone of ['UTC', 'Pacific/Auckland', 'America/Los_Angeles']) {
      stack.sql(`UPDATE workspaces SET time_zone = '${zone}'`);
      const per = stack.sql(`SELECT account_id, count(DISTINCT day) FROM metric_daily WHERE provider = 'ga4' AND metric = 'sessions'
        AND day BETWEEN (SELECT (now() AT TIME ZONE time_zone)::date - 90 FROM workspaces) AND (SELECT (now() AT TIME ZONE time_zone)::date - 1 FROM workspaces)
        GROUP BY 1 ORDER BY 1`);
      assert.ok(per.length > 0, 'no ga4 property');
      for (const [acct, n] of per) assert.equal(n, '90', `${zone}: ${acct} has data on ${n} of the dashboard's 90 days`);
    }
    stack.sql(`UPDATE workspaces SET time_zone = '${was}'`);
    const [[ws]] = stack.sql('SELECT id FROM workspaces');
    const key = stack.cli('api', ['create-key', ws, 'k90', 'viewer']).stdout.trim();
    const res = await fetch(`${stack.url}/v1/dashboard/tiles?period=90d&provider=ga4`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    const sessions = (await res.json()).tiles.find((x) => x.metric === 'sessions');
    assert.equal(sessions.coverage.current, 90, JSON.stringify(sessions.coverage));
  });

  await t.test('google_ads: money in integer micros, by campaign and currency', about('google_ads'), () => {
    // Money exact: integer micros with campaign and currency in dims.
    const ads = stack.sql(`SELECT value, dims->>'currency', dims->>'campaign_id', account_id FROM metric_daily WHERE provider = 'google_ads' AND metric = 'cost_micros' LIMIT 5`);
    for (const [v, cur, camp, acct] of ads) {
      assert.match(v, /^\d+$/);
      assert.match(cur, /^[A-Z]{3}$/);
      assert.ok(acct.endsWith(`:${camp}`));
    }
  });

  await t.test('meta_ads: spend in integer micros', about('meta_ads'), () => {
    const [[spend]] = stack.sql(`SELECT count(*) FROM metric_daily WHERE provider = 'meta_ads' AND metric = 'spend_micros' AND value <> trunc(value)`);
    assert.equal(spend, '0');
  });

  await t.test('slack: messages with threads, several pages, counted per day', about('slack'), () => {
    // Slack: messages in communications, threads kept, no duplicates.
    const [[msgs, threads, replies]] = stack.sql(`SELECT count(*), count(DISTINCT thread_ts), count(*) FILTER (WHERE thread_ts IS NOT NULL AND thread_ts <> ts) FROM communications`);
    assert.ok(Number(msgs) > 0 && Number(threads) > 0 && Number(replies) > 0, `${msgs} ${threads} ${replies}`);
    // Slack's history came in several cursor pages (limit 200).
    const [[slackPages]] = stack.sql(`SELECT pages FROM sync_runs WHERE provider = 'slack' ORDER BY id LIMIT 1`);
    assert.ok(Number(slackPages) > 3, `slack pages ${slackPages}`);
    const [[perDay]] = stack.sql(`SELECT sum(value) FROM metric_daily WHERE provider = 'slack' AND metric = 'messages'`);
    const [[stored]] = stack.sql(`SELECT count(*) FROM communications WHERE posted_at >= current_date - 91`);
    assert.equal(Number(perDay), Number(stored));
  });

  const rerun = () => {
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections`);
    worker(stack, ['--once', '--procs', '2']);
    return stack.sql(`SELECT provider, status, coalesce(error, ''), rows_fetched, rows_changed FROM sync_runs WHERE id > (SELECT max(id) - ${PROVIDERS.length} FROM sync_runs) ORDER BY provider`);
  };

  await t.test('a rerun on unchanged data writes nothing', () => {
    const [[before]] = stack.sql(`SELECT count(*) FROM metric_daily`);
    const [[stamp]] = stack.sql(`SELECT max(updated_at) FROM metric_daily`);
    const runs = rerun();
    assert.equal(runs.length, PROVIDERS.length);
    for (const [p, status, error, fetched, changed] of runs) {
      assert.equal(status, 'ok', `${p}: ${error}`);
      assert.ok(Number(fetched) > 0, `${p} fetched nothing`);
      assert.equal(changed, '0', `${p} changed ${changed} rows`);
    }
    const [[after]] = stack.sql(`SELECT count(*) FROM metric_daily`);
    assert.equal(after, before);
    assert.deepEqual(stack.sql(`SELECT max(updated_at) FROM metric_daily`), [[stamp]]);
  });

  await t.test('restated values are updated', about('google_ads', 'ga4'), () => {
    // Values as the provider first reported them, now restated upstream.
    const [[n]] = stack.sql(`WITH u AS (UPDATE metric_daily SET value = value + 7 WHERE provider IN ('google_ads', 'ga4') AND metric IN ('clicks', 'sessions') AND day = current_date - 1 RETURNING 1) SELECT count(*) FROM u`);
    assert.ok(Number(n) > 0);
    const [[mark]] = stack.sql(`SELECT clock_timestamp()`);
    const runs = rerun();
    const changed = runs.filter(([p]) => p === 'google_ads' || p === 'ga4').reduce((a, r) => a + Number(r[4]), 0);
    assert.equal(changed, Number(n));
    const [[left]] = stack.sql(`SELECT count(*) FROM metric_daily WHERE provider IN ('google_ads', 'ga4') AND updated_at > '${mark}' AND day <> current_date - 1`);
    assert.equal(left, '0');
    const [[fixed]] = stack.sql(`SELECT count(*) FROM metric_daily WHERE updated_at > '${mark}'`);
    assert.equal(fixed, n);
    assert.equal(left, '0');
  });

  await t.test('a first sync over rows already stored (an earlier connection\'s) updates them, never duplicates', about('ga4'), () => {
    // A first sync inserts without ON CONFLICT's check (lib/metrics/ingest.c,
    // fresh batches) and falls back to the upsert when rows exist.
    // (A backfill is each account's own: its sync_accounts row says it
    // is not done.)
    stack.sql(`UPDATE connections SET last_sync_at = NULL WHERE provider = 'ga4'; UPDATE sync_accounts SET backfilled_at = NULL WHERE connection_id IN (SELECT id FROM connections WHERE provider = 'ga4')`);
    const [[n]] = stack.sql(`WITH u AS (UPDATE metric_daily SET value = value + 3 WHERE provider = 'ga4' AND metric = 'sessions' AND day >= current_date - 40 RETURNING 1) SELECT count(*) FROM u`);
    assert.ok(Number(n) > 30, n);
    const [[before]] = stack.sql(`SELECT count(*) FROM metric_daily`);
    // The refused COPY shows in PostgreSQL's log.
    const refused = () => (stack.log('postgres').match(/duplicate key value violates unique constraint "metric_daily(_p[0-9]+)?_pkey"[^\n]*\n[^\n]*\n[^\n]*COPY metric_daily/g) || []).length;
    const copiesBefore = refused();
    const runs = rerun();
    assert.ok(refused() > copiesBefore, 'the first sync did not try COPY');
    const ga4 = runs.find(([p]) => p === 'ga4');
    assert.ok(ga4, 'no ga4 run');
    assert.equal(ga4[1], 'ok', ga4[2]);
    assert.ok(Number(ga4[3]) > 800, `a 90-day backfill again: ${ga4[3]} rows`);
    assert.equal(ga4[4], n, 'only the rows that differ are written');
    const [[after]] = stack.sql(`SELECT count(*) FROM metric_daily`);
    assert.equal(after, before);
  });

  await t.test('cron deletes finished jobs older than SLUICE_SYNC_KEEP_JOBS_DAYS; their runs stay', async () => {
    assert.ok(Number(stack.sql(`SELECT count(*) FROM sync_jobs WHERE status IN ('done', 'failed')`)[0][0]) >= PROVIDERS.length);
    // (Fewer reruns ran when SYNC_PROVIDERS skipped subtests.)
    const manual = () => Number(stack.sql(`SELECT count(*) FROM sync_jobs WHERE status = 'done' AND kind = 'manual'`)[0][0]);
    while (manual() < 2) rerun();
    const [[jobs]] = stack.sql(`SELECT count(*) FROM sync_jobs WHERE status IN ('done', 'failed')`);
    // Two finished (manual) jobs age past the default 30 days.
    stack.sql(`UPDATE sync_jobs SET finished_at = now() - interval '31 days' WHERE id IN (SELECT id FROM sync_jobs WHERE status = 'done' AND kind = 'manual' ORDER BY id LIMIT 2)`);
    const [[old]] = stack.sql(`SELECT string_agg(id::text, ',') FROM sync_jobs WHERE finished_at < now() - interval '30 days'`);
    const [[runsBefore]] = stack.sql(`SELECT count(*) FROM sync_runs`);
    const r = await cron(stack);
    assert.equal(r.status, 202);
    assert.equal(r.json.purged, 2);
    assert.deepEqual(stack.sql(`SELECT count(*) FROM sync_jobs WHERE id IN (${old})`), [['0']]);
    assert.equal(stack.sql(`SELECT count(*) FROM sync_jobs WHERE status IN ('done', 'failed')`)[0][0], String(Number(jobs) - 2));
    assert.deepEqual(stack.sql(`SELECT count(*) FROM sync_runs`), [[runsBefore]]);
    assert.ok(Number(stack.sql(`SELECT count(*) FROM sync_runs WHERE job_id IS NULL`)[0][0]) >= 2);
    const again = await cron(stack);
    assert.equal(again.json.purged, 0);
    assert.equal(again.json.enqueued, 0);
  });

  await t.test('sync status and log through the API', async () => {
    const [[ws]] = stack.sql(`SELECT id FROM workspaces LIMIT 1`);
    const key = stack.cli('api', ['create-key', ws, 'k', 'viewer']).stdout.trim();
    const get = async (q) => {
      const r = await fetch(`${stack.url}${q}`, { headers: { authorization: `Bearer ${key}` } });
      return { status: r.status, json: await r.json() };
    };
    const st = await get('/v1/sync/status');
    assert.equal(st.status, 200);
    assert.equal(st.json.connections.length, PROVIDERS.length);
    for (const c of st.json.connections) {
      assert.ok(c.last_sync_at, `${c.provider} never synced`);
      assert.equal(c.last_error, null);
      assert.equal(c.job.status, 'done');
      assert.equal(c.last_run.status, 'ok');
    }
    const one = PROVIDERS.includes('google_ads') ? 'google_ads' : PROVIDERS[0];
    const log = await get(`/v1/sync/log?provider=${one}`);
    assert.equal(log.status, 200);
    const [[runs]] = stack.sql(`SELECT count(*) FROM sync_runs WHERE provider = '${one}'`);
    assert.ok(Number(runs) >= 3, runs);
    assert.equal(log.json.runs.length, Number(runs));
    assert.ok(log.json.runs.every((r) => r.provider === one && r.finished_at && r.duration_ms >= 0 && r.pages > 0));
    assert.equal((await get('/v1/sync/log?provider=nope')).status, 400);
    assert.equal((await fetch(`${stack.url}/v1/sync/status`)).status, 401);
  });
});
