'use strict';
// GET /internal/metrics and /readyz?details=1 against a real stack after
// real work: a sandbox connection synced by the worker daemon, Resend
// webhooks signed by the svix library, a weekly digest sent to a fake
// Resend and previews.  The page passes `promtool check metrics`
// (Debian's prometheus), and its numbers equal the database's; the
// README's alert rules pass `promtool check rules`.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Webhook } = require('svix');
const { startStack, request, defer, ROOT, FIXTURES } = require('./lib/stack');
const { setupOwner, connectSandbox } = require('./lib/flows');
const { startFakeResend } = require('./lib/fake_resend');

const CRON = 'cron-secret-for-metrics-tests-0123456789';
const HOOK_SECRET = 'whsec_' + crypto.randomBytes(32).toString('base64');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The exposition as a map "name{labels}" -> number (labels as written).
function parse(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

function promtool(args, input) {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool: ${r.error.message} (make deps-test installs Debian's prometheus)`);
  return r;
}

function signed(body, id = 'msg_' + crypto.randomBytes(12).toString('hex'), secret = HOOK_SECRET) {
  const date = new Date();
  return {
    'content-type': 'application/json',
    'svix-id': id,
    'svix-timestamp': String(Math.floor(date.getTime() / 1000)),
    'svix-signature': new Webhook(secret).sign(id, date, body),
  };
}

test('metrics and readyz', async (t) => {
  const fake = await startFakeResend();
  defer(t, () => fake.close());
  const stack = await startStack({
    programs: ['api', 'pages', 'oauth', 'sandbox', 'cron', 'webhooks', 'digest'],
    env: {
      SLUICE_CRON_SECRET: CRON,
      SLUICE_RESEND_WEBHOOK_SECRET: HOOK_SECRET,
      SLUICE_RESEND_API_BASE: fake.url,
      SLUICE_RESEND_API_KEY: 're_test',
      SLUICE_ALLOW_LOOPBACK_HTTP: '1',
      SLUICE_MAIL_FROM: 'digest@hub.example.com',
      SLUICE_FCGI_PROCS_DIGEST: '3',
      SLUICE_WORKER_PROCS: '2',
      SLUICE_WORKER_POLL_MS: '200',
    },
  });
  defer(t, () => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const metricsUrl = `${stack.url}/internal/metrics`;
  const scrape = async (headers = {}) => {
    const r = await request(metricsUrl, { headers });
    assert.equal(r.status, 200, r.text);
    return r;
  };
  const one = (sql) => Number(stack.sql(sql)[0][0]);

  // Real work: a GitHub connection synced by the daemon.
  const b = await setupOwner(stack.url);
  await connectSandbox(b, 'github');
  const enq = await request(`${stack.url}/internal/cron/sync-daily`, {
    method: 'POST', headers: { 'x-cron-secret': CRON },
  });
  assert.equal(enq.status, 202, enq.text);
  for (let i = 0; i < 150 && one("SELECT count(*) FROM sync_jobs WHERE status IN ('queued', 'running')") > 0; i++) {
    await sleep(200);
  }
  assert.equal(one("SELECT count(*) FROM sync_runs WHERE status = 'ok'"), 1, 'the daily sync did not finish');

  // Webhooks: one stored, the same again (duplicate), one badly signed.
  const body = fs.readFileSync(path.join(FIXTURES, 'resend', 'webhooks', 'email.delivered.json'), 'utf8');
  const h = signed(body);
  const hook = (hd) => request(`${stack.url}/v1/webhooks/resend`, { method: 'POST', body, headers: hd });
  assert.equal((await hook(h)).status, 200);
  assert.equal((await hook(h)).status, 200);
  assert.equal((await hook(signed(body, undefined, 'whsec_' + crypto.randomBytes(32).toString('base64')))).status, 401);

  // The digest: the weekly run through the fake Resend, and previews
  // spread over the digest program's three processes.
  const weekly = await request(`${stack.url}/v1/digest/weekly`, {
    method: 'POST', headers: { 'x-cron-secret': CRON, 'content-type': 'application/json' },
    body: '{"scope":"all"}',
  });
  assert.equal(weekly.status, 200, weekly.text);
  const PREVIEWS = 12;
  const previews = await Promise.all(Array.from({ length: PREVIEWS }, () => request(
    `${stack.url}/v1/digest/preview?email=owner@example.com`, { headers: { 'x-cron-secret': CRON } })));
  for (const p of previews) assert.equal(p.status, 200, p.text);

  await t.test('the page is valid: promtool check metrics', async () => {
    const r = await scrape();
    assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const c = promtool(['check', 'metrics'], r.text);
    assert.equal(c.status, 0, `promtool check metrics:\n${c.stdout}${c.stderr}`);
    for (const fam of ['sluice_sync_run_duration_seconds', 'sluice_http_request_duration_seconds']) {
      assert.match(r.text, new RegExp(`^# TYPE ${fam} histogram$`, 'm'));
    }
  });

  await t.test('the numbers equal the database and the requests made', async () => {
    const m = parse((await scrape()).text);
    const want = (key, value) => assert.equal(m.get(key), value, `${key}: ${m.get(key)} (want ${value})`);
    // Sync runs and rows, by provider and outcome.
    want('sluice_sync_run_duration_seconds_count{provider="github",outcome="ok"}',
      one("SELECT count(*) FROM sync_runs WHERE provider = 'github' AND status = 'ok'"));
    want('sluice_sync_run_duration_seconds_bucket{provider="github",outcome="ok",le="+Inf"}', 1);
    want('sluice_sync_run_duration_seconds_count{provider="ga4",outcome="ok"}', 0);
    const ms = one("SELECT duration_ms FROM sync_runs WHERE provider = 'github'");
    assert.ok(Math.abs(m.get('sluice_sync_run_duration_seconds_sum{provider="github",outcome="ok"}') - ms / 1000) < 1e-9);
    want('sluice_sync_run_duration_seconds_bucket{provider="github",outcome="ok",le="1"}', ms <= 1000 ? 1 : 0);
    const written = one("SELECT sum(rows_changed) FROM sync_runs WHERE provider = 'github'");
    assert.ok(written > 0);
    want('sluice_sync_rows_written_total{provider="github"}', written);
    want('sluice_sync_rows_fetched_total{provider="github"}',
      one("SELECT sum(rows_fetched) FROM sync_runs WHERE provider = 'github'"));
    // The queue and the last daily run.
    want('sluice_sync_queue_jobs{state="queued"}', one("SELECT count(*) FROM sync_jobs WHERE status = 'queued'"));
    want('sluice_sync_expired_leases', 0);
    want('sluice_sync_queue_oldest_wait_seconds', 0);
    want('sluice_sync_daily_last_done_timestamp_seconds',
      one("SELECT floor(extract(epoch FROM max(finished_at))) FROM sync_jobs WHERE kind = 'daily' AND status = 'done'"));
    // Connections, every provider and status written (zeros included).
    want('sluice_connections{provider="github",status="connected"}', 1);
    want('sluice_connections{provider="ga4",status="needs_reauth"}', 0);
    // Digest emails and webhook deliveries.
    const sent = one("SELECT count(*) FROM digest_sends WHERE status = 'sent'");
    assert.ok(sent >= 1, 'the weekly digest sent nothing');
    want('sluice_digest_emails_total{status="sent"}', sent);
    want('sluice_digest_emails_total{status="failed"}', one("SELECT count(*) FROM digest_sends WHERE status = 'failed'"));
    want('sluice_webhook_events_total{outcome="stored"}', one('SELECT count(*) FROM email_events'));
    want('sluice_webhook_events_total{outcome="duplicate"}', 1);
    want('sluice_webhook_events_total{outcome="rejected"}', 1);
    // HTTP counters across the prefork processes, and latency.
    want('sluice_http_requests_total{program="digest",route="/v1/digest/preview",status="200"}', PREVIEWS);
    want('sluice_http_request_duration_seconds_count{program="digest",route="/v1/digest/preview"}', PREVIEWS);
    want('sluice_http_requests_total{program="webhooks",route="/v1/webhooks/resend",status="200"}', 2);
    want('sluice_http_requests_total{program="webhooks",route="/v1/webhooks/resend",status="401"}', 1);
    want('sluice_http_requests_total{program="cron",route="/internal/cron/sync-daily",status="202"}', 1);
    // Process facts: one supervisor and its children per program.
    want('sluice_processes{program="digest"}', 4);
    const started = m.get('sluice_process_start_time_seconds{program="api"}');
    assert.ok(started > Date.now() / 1000 - 600 && started <= Date.now() / 1000 + 1, `start time ${started}`);
    assert.ok(m.get('sluice_process_resident_memory_bytes{program="api"}') > 1e6);
    want('sluice_database_up', 1);
    // A scrape is counted once answered: the first one shows in this one.
    want('sluice_http_requests_total{program="cron",route="/internal/metrics",status="200"}', 1);
  });

  await t.test('counters never go down: a deleted run stays counted', async () => {
    const key = 'sluice_sync_run_duration_seconds_count{provider="github",outcome="ok"}';
    const before = parse((await scrape()).text).get(key);
    assert.equal(before, 1);
    stack.sql('DELETE FROM sync_runs');
    assert.equal(parse((await scrape()).text).get(key), before);
  });

  await t.test('access: loopback or the cron secret; never a 5xx', async () => {
    const fwd = { 'x-forwarded-for': '203.0.113.7' };
    // Forwarded by a proxy that is not trusted: refused without the secret.
    let r = await request(metricsUrl, { headers: fwd });
    assert.equal(r.status, 401, r.text);
    assert.match(r.json.error.message, /X-Cron-Secret/);
    assert.ok(!r.text.includes('sluice_'));
    for (const hd of [{ forwarded: 'for=203.0.113.7' }, { 'x-real-ip': '203.0.113.7' },
      { ...fwd, 'x-cron-secret': 'wrong' }, { ...fwd, 'x-cron-secret': '' }]) {
      r = await request(metricsUrl, { headers: hd });
      assert.equal(r.status, 401, JSON.stringify(hd));
    }
    r = await request(metricsUrl, { headers: { ...fwd, 'x-cron-secret': CRON } });
    assert.equal(r.status, 200);
    assert.match(r.text, /^sluice_database_up 1$/m);
    r = await request(metricsUrl, { method: 'POST', body: 'x' });
    assert.equal(r.status, 405);
  });

  await t.test('behind a trusted proxy: the forwarded client decides', async () => {
    const proxied = await startStack({
      programs: ['cron'],
      env: { SLUICE_CRON_SECRET: CRON, SLUICE_TRUSTED_PROXIES: '127.0.0.1', SLUICE_WORKER: '0' },
    });
    try {
      const u = `${proxied.url}/internal/metrics`;
      assert.equal((await request(u, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status, 401);
      // A client's own claim left of the proxy's entry is not believed.
      assert.equal((await request(u, { headers: { 'x-forwarded-for': '127.0.0.1, 203.0.113.7' } })).status, 401);
      assert.equal((await request(u, { headers: { 'x-forwarded-for': '127.0.0.1' } })).status, 200);
      assert.equal((await request(u, { headers: { 'x-forwarded-for': '203.0.113.7', 'x-cron-secret': CRON } })).status, 200);
      assert.equal((await request(u)).status, 200);
    } finally {
      const reports = proxied.stop();
      assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
    }
  });

  await t.test('README alert rules pass promtool check rules', async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = readme.match(/```yaml\n(\s*groups:[\s\S]*?)```/);
    assert.ok(block, 'README.md has no alert rules block');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-rules-'));
    try {
      const f = path.join(tmp, 'rules.yml');
      fs.writeFileSync(f, block[1].replace(/^ {2}/gm, ''));
      const c = promtool(['check', 'rules', f]);
      assert.equal(c.status, 0, `promtool check rules:\n${c.stdout}${c.stderr}`);
      assert.match(c.stdout, /SUCCESS: 2 rules found/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  await t.test('readyz details: worker heartbeat, queue, schema', async () => {
    let r = await request(`${stack.url}/readyz?details=1`);
    assert.equal(r.status, 200);
    assert.equal(r.json.worker.stale, false);
    assert.ok(r.json.worker.last_seen_age_s >= 0 && r.json.worker.last_seen_age_s < 60, JSON.stringify(r.json.worker));
    assert.deepEqual(r.json.queue, { queued: 0, due: 0, running: 0, expired_leases: 0, oldest_wait_s: 0 });
    assert.equal(r.json.schema.state, 'current');
    assert.equal(r.json.warnings, undefined);
    assert.deepEqual(Object.keys((await request(`${stack.url}/readyz`)).json).sort(), ['db', 'migrations', 'status']);

    // The daemon stopped (it would take the job below over at once).
    const [pid] = stack.pids('worker');
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && stack.isAlive(pid); i++) await sleep(100);
    assert.ok(!stack.isAlive(pid), 'the worker daemon did not stop');

    // A job whose worker died (its lease ran out) shows in the queue.
    const [[cid]] = stack.sql('SELECT id FROM connections LIMIT 1');
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind, status, run_after, lease_until)
      SELECT workspace_id, id, 'manual', 'running', now() - interval '10 minutes', now() - interval '1 minute'
      FROM connections WHERE id = ${cid}`);
    r = await request(`${stack.url}/readyz?details=1`);
    assert.equal(r.json.queue.expired_leases, 1);
    assert.match(r.json.warnings.join('\n'), /1 running jobs lost their worker/);
    const m = parse((await scrape()).text);
    assert.equal(m.get('sluice_sync_expired_leases'), 1);
    assert.equal(m.get('sluice_sync_queue_jobs{state="running"}'), 0);
    stack.sql(`DELETE FROM sync_jobs WHERE kind = 'manual'`);

    // Its last beat 20 minutes old: said, still ready.
    stack.sql("UPDATE worker_beats SET beat_at = now() - interval '20 minutes'");
    r = await request(`${stack.url}/readyz?details=1`);
    assert.equal(r.status, 200);
    assert.equal(r.json.worker.stale, true);
    assert.match(r.json.warnings.join('\n'), /no sync worker was seen for 20 minutes \(0 jobs due\)/);
    stack.sql('DELETE FROM worker_beats');
    r = await request(`${stack.url}/readyz?details=1`);
    assert.equal(r.json.worker.last_seen_age_s, null);
    assert.match(r.json.warnings.join('\n'), /no sync worker has ever run/);
    // No secret in the details.
    for (const s of [CRON, HOOK_SECRET, 're_test']) assert.ok(!r.text.includes(s));

    // Migrations behind, then ahead: 503 naming which.
    const [[v, name]] = stack.sql('SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1');
    stack.sql(`DELETE FROM schema_migrations WHERE version = ${v}`);
    r = await request(`${stack.url}/readyz`);
    assert.equal(r.status, 503);
    assert.equal(r.json.schema, 'behind');
    assert.match(r.json.reason, /migrations are pending/);
    stack.sql(`INSERT INTO schema_migrations (version, name) VALUES (${v}, '${name}'), (9999, '9999_future.sql')`);
    r = await request(`${stack.url}/readyz`);
    assert.equal(r.status, 503);
    assert.equal(r.json.schema, 'ahead');
    stack.sql('DELETE FROM schema_migrations WHERE version = 9999');
    assert.equal((await request(`${stack.url}/readyz`)).status, 200);
  });

  await t.test('database down: readyz says so, the scrape still answers', async () => {
    stack.pgStop();
    try {
      let r;
      const t0 = Date.now();
      do {
        r = await request(`${stack.url}/readyz`);
      } while (r.status !== 503 && Date.now() - t0 < 3000);
      assert.equal(r.status, 503);
      assert.equal(r.json.db, 'down');
      assert.equal(r.json.schema, 'unknown');
      r = await request(metricsUrl);
      assert.equal(r.status, 200, r.text);
      assert.match(r.text, /^sluice_database_up 0$/m);
      assert.doesNotMatch(r.text, /sluice_connections\{/);
      assert.match(r.text, /^sluice_processes\{program="api"\} \d+$/m);
      const c = promtool(['check', 'metrics'], r.text);
      assert.equal(c.status, 0, `${c.stdout}${c.stderr}`);
    } finally {
      stack.pgStart();
    }
    const t1 = Date.now();
    let up;
    do {
      up = await request(`${stack.url}/readyz`);
      if (up.status !== 200) await sleep(100);
    } while (up.status !== 200 && Date.now() - t1 < 10000);
    assert.equal(up.status, 200);
  });
});
