'use strict';
// Every program behind a real PgBouncer in transaction mode (issue 22):
// a pool of two server sessions shared by all the processes, so that
// consecutive transactions of one process land on different sessions.
// With SLUICE_DB_POOLER=transaction the main flows work (setup and login
// pages, a sandbox connection synced by the worker daemon through COPY,
// ingest, tiles, the CSV export's cursor, webhooks, digest preview and
// runs, migrations); without it (the control) named prepared statements
// break, which shows the test can fail.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Webhook } = require('svix');
const { startStack, defer, request, freePort, ROOT, BIN, FIXTURES } = require('./lib/stack');
const { setupOwner, connectSandbox } = require('./lib/flows');
const { Client, hidden } = require('./lib/browser');
const { startFakeResend } = require('./lib/fake_resend');

const PGBOUNCER = '/usr/sbin/pgbouncer';
const CRON = 'cron-secret-for-pgbouncer-tests-0123456789';
const HOOK_SECRET = 'whsec_' + crypto.randomBytes(32).toString('base64');
const PROGRAMS = ['api', 'pages', 'oauth', 'sandbox', 'cron', 'webhooks', 'digest'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const root = process.getuid() === 0;

// Runs nginx/stack.sh as lib/stack.js does (its own session, bounded).
function stackSh(args, env) {
  const r = spawnSync('setsid', ['-w', 'timeout', '-k', '5', '110', 'bash', path.join(ROOT, 'nginx/stack.sh'), ...args],
    { env, encoding: 'utf8', timeout: 130000 });
  assert.equal(r.status, 0, `stack.sh ${args[0]}: ${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

// A PgBouncer in transaction mode on a free loopback port in front of the
// stack's PostgreSQL: clients log in with a password (SCRAM), PgBouncer
// reaches the server on its socket by peer authentication as the service
// user (PgBouncer refuses to run as root).  Returns { url, stop, log }.
async function startBouncer(stack) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-pgb-'));
  const port = await freePort();
  const password = crypto.randomBytes(18).toString('base64url');
  fs.writeFileSync(path.join(dir, 'userlist.txt'), `"sluice" "${password}"\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'pgbouncer.ini'), `[databases]
sluice = host=${stack.dir}/svc port=${stack.pgPort} dbname=sluice user=sluice

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = ${dir}/userlist.txt
pool_mode = transaction
default_pool_size = 2
max_db_connections = 2
reserve_pool_size = 0
min_pool_size = 0
max_client_conn = 400
server_reset_query =
; hand out the sessions in turn rather than the last one used, so that a
; process's next transaction really lands on another session
server_round_robin = 1
; stack.sh runs "api migrate" with PGOPTIONS; the worker asks for
; synchronous_commit=off unless SLUICE_DB_POOLER=transaction.
ignore_startup_parameters = options,extra_float_digits
logfile = ${dir}/pgbouncer.log
pidfile = ${dir}/pgbouncer.pid
`, { mode: 0o600 });
  if (root) {
    for (const f of ['', 'userlist.txt', 'pgbouncer.ini']) {
      spawnSync('chown', ['sluice:sluice', path.join(dir, f)]);
    }
  }
  const args = ['-d', path.join(dir, 'pgbouncer.ini')];
  const r = root ? spawnSync('runuser', ['-u', 'sluice', '--', PGBOUNCER, ...args], { encoding: 'utf8' })
    : spawnSync(PGBOUNCER, args, { encoding: 'utf8' });
  const log = () => (fs.existsSync(path.join(dir, 'pgbouncer.log')) ? fs.readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8') : '');
  assert.equal(r.status, 0, `pgbouncer: ${r.stderr}\n${log()}`);
  let pid = 0;
  for (let i = 0; i < 50 && !pid; i++) {
    try { pid = Number(fs.readFileSync(path.join(dir, 'pgbouncer.pid'), 'utf8').trim()); } catch { await sleep(100); }
  }
  assert.ok(pid > 0, `pgbouncer wrote no pid file:\n${log()}`);
  return {
    url: `host=127.0.0.1 port=${port} dbname=sluice user=sluice password=${password}`,
    port,
    log,
    stop() {
      try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
      for (let i = 0; i < 50; i++) {
        try { process.kill(pid, 0); } catch { break; }
        spawnSync('sleep', ['0.1']);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A stack whose programs all reach PostgreSQL through PgBouncer: started
// first without programs (the cluster, its roles, the migrations), then
// started again with every program, the worker daemon and the migrations
// through PgBouncer, with SLUICE_DB_POOLER=pooler ('' for unset).
async function bouncedStack(t, pooler) {
  const fake = await startFakeResend();
  defer(t, () => fake.close());
  const env = {
    SLUICE_RESEND_API_BASE: fake.url, SLUICE_RESEND_API_KEY: 're_test', SLUICE_ALLOW_LOOPBACK_HTTP: '1',
    SLUICE_CRON_SECRET: CRON, SLUICE_RESEND_WEBHOOK_SECRET: HOOK_SECRET,
    SLUICE_FCGI_PROCS: '2', SLUICE_WORKER_PROCS: '2', SLUICE_WORKER_POLL_MS: '200',
    SLUICE_SYNC_BACKOFF_S: '0',
  };
  const stack = await startStack({ programs: ['api'], env });
  const pgb = await startBouncer(stack);
  defer(t, () => {
    const reports = stack.stop();
    pgb.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  // stack.sh starts api when given no program: stopped here (its
  // supervisor stops its processes) to start again through PgBouncer.
  const direct = stack.pids('api');
  assert.ok(direct.length > 0, 'api runs');
  process.kill(direct[0], 'SIGTERM');
  for (let i = 0; i < 100 && direct.some((p) => stack.isAlive(p)); i++) await sleep(100);
  assert.ok(!direct.some((p) => stack.isAlive(p)), 'api stopped');
  const env2 = { ...stack.env, SLUICE_DATABASE_URL: pgb.url };
  if (pooler) env2.SLUICE_DB_POOLER = pooler;
  stackSh(['start', stack.dir, String(stack.port), BIN, PROGRAMS.join(' ')], env2);
  for (const name of PROGRAMS) {
    for (const p of stack.pids(name)) {
      const url = fs.readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').find((l) => l.startsWith('SLUICE_DATABASE_URL='));
      assert.equal(url, `SLUICE_DATABASE_URL=${pgb.url}`, `${name} (${p}) reaches PostgreSQL through PgBouncer`);
    }
  }
  return { stack, pgb, env2 };
}

// The server sessions PgBouncer opened (pg_stat_activity, as the superuser).
function serverSessions(stack) {
  return Number(stack.sql("SELECT count(*) FROM pg_stat_activity WHERE usename = 'sluice' AND backend_type = 'client backend'", { admin: true })[0][0]);
}

function signed(body) {
  const id = 'msg_' + crypto.randomBytes(12).toString('hex');
  const date = new Date();
  return {
    'content-type': 'application/json', 'svix-id': id,
    'svix-timestamp': String(Math.floor(date.getTime() / 1000)),
    'svix-signature': new Webhook(HOOK_SECRET).sign(id, date, body),
  };
}

function daysAgo(n) {
  return new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);
}

test('every program through PgBouncer in transaction mode (SLUICE_DB_POOLER=transaction)', { skip: !fs.existsSync(PGBOUNCER) && 'pgbouncer is not installed (make deps-test)' }, async (t) => {
  const { stack, pgb, env2 } = await bouncedStack(t, 'transaction');
  const cron = { 'x-cron-secret': CRON };

  await t.test('setup, logout and login pages', async () => {
    const b = await setupOwner(stack.url);
    let home = await b.get('/');
    if (home.status === 303) home = await b.get(new URL(home.headers.get('location'), stack.url).pathname);
    assert.equal(home.status, 200, home.text.slice(0, 300));
    assert.match(home.text, /Acme/);
    const b2 = new Client(stack.url);
    const login = await b2.get('/login');
    assert.equal(login.status, 200);
  });

  await t.test('sandbox connect and sync through the worker daemon (COPY)', async () => {
    const owner = new Client(stack.url);
    const lp = await owner.get('/login');
    const r = await owner.post('/login', { pre: hidden(lp.text, 'pre'), email: 'owner@example.com', password: 'correct horse battery' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    await connectSandbox(owner, 'github');
    const res = await request(`${stack.url}/internal/cron/sync-daily`, {
      method: 'POST', headers: { ...cron, 'content-type': 'application/json' }, body: '{"provider":"github"}',
    });
    assert.equal(res.status, 202, res.text);
    let n = 0;
    for (let i = 0; i < 150 && n === 0; i++) {
      await sleep(200);
      n = Number(stack.sql("SELECT count(*) FROM metric_daily WHERE provider = 'github'")[0][0]);
    }
    assert.ok(n > 0, `no rows synced; worker log:\n${stack.log('worker').slice(-2000)}`);
    const [[failed]] = stack.sql("SELECT count(*) FROM sync_jobs WHERE status = 'failed'");
    assert.equal(failed, '0');
  });

  const [[ws]] = stack.sql("SELECT id FROM workspaces WHERE name = 'Acme'");
  const mk = spawnSync(path.join(BIN, 'api'), ['create-key', ws, 'k', 'admin'],
    { encoding: 'utf8', env: { ...env2, SLUICE_LOG_FILE: '' } });
  assert.equal(mk.status, 0, `create-key through PgBouncer: ${mk.stderr}`);
  const key = mk.stdout.trim();
  const auth = { authorization: `Bearer ${key}` };

  await t.test('ingest, tiles and the CSV export (a cursor) many times over', async () => {
    const rows = [];
    for (let d = 1; d <= 40; d++) rows.push({ source: 'ga4', metric: 'sessions', date: daysAgo(d), value: 100 + d });
    for (let i = 0; i < 3; i++) {
      const r = await request(`${stack.url}/v1/metrics/ingest`, {
        method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(rows.map((x) => ({ ...x, value: x.value + i }))),
      });
      assert.equal(r.status, 200, r.text);
    }
    const [[sum]] = stack.sql(`SELECT sum(value) FROM metric_daily WHERE workspace_id = ${ws} AND provider = 'ga4'`);
    assert.equal(Number(sum), rows.reduce((s, x) => s + x.value + 2, 0));
    // Twenty rounds from the api's processes over two server sessions:
    // each statement a process once prepared would be missing on the
    // other session.
    for (let i = 0; i < 20; i++) {
      const tiles = await request(`${stack.url}/v1/dashboard/tiles?period=7d`, { headers: auth });
      assert.equal(tiles.status, 200, tiles.text);
      assert.ok(tiles.json.tiles.some((x) => x.provider === 'ga4' && x.metric === 'sessions'), tiles.text.slice(0, 300));
      const csv = await request(`${stack.url}/v1/metrics?format=csv&from=${daysAgo(30)}&to=${daysAgo(1)}`, { headers: auth });
      assert.equal(csv.status, 200, csv.text);
      assert.equal(csv.text.trimEnd().split('\r\n').filter((l) => l.includes(',ga4,,sessions,')).length, 30, csv.text.slice(0, 300));
    }
    assert.ok(serverSessions(stack) <= 3, 'PgBouncer holds at most two sessions (and one for psql)');
  });

  await t.test('webhooks are stored once', async () => {
    const hook = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'resend/webhooks/email.delivered.json'), 'utf8'));
    for (let i = 0; i < 6; i++) {
      const body = JSON.stringify({ ...hook, data: { ...hook.data, email_id: `pgb-${i}` } });
      const h = signed(body);
      const r = await request(`${stack.url}/v1/webhooks/resend`, { method: 'POST', body, headers: h });
      assert.equal(r.status, 200, r.text);
      const again = await request(`${stack.url}/v1/webhooks/resend`, { method: 'POST', body, headers: h });
      assert.equal(again.status, 200, again.text);
    }
    const [[n]] = stack.sql("SELECT count(*) FROM email_events WHERE email_id LIKE 'pgb-%'");
    assert.equal(n, '6');
  });

  await t.test('digest preview, and runs whose locks outlive their transactions', async () => {
    const p = await request(`${stack.url}/v1/digest/preview?email=owner@example.com`, { headers: cron });
    assert.equal(p.status, 200, p.text);
    assert.match(p.json.text, /Google Analytics 4/);
    const weekly = () => request(`${stack.url}/v1/digest/weekly`, {
      method: 'POST', headers: { ...cron, 'content-type': 'application/json' }, body: '{"scope":"all"}', timeout: 60000,
    });
    // A lock taken in one transaction and released in another would be
    // left behind on one of the two sessions: the next run found it busy.
    for (let i = 0; i < 4; i++) {
      stack.sql("UPDATE digest_runs SET finished_at = now() - interval '1 hour' WHERE finished_at IS NOT NULL");
      const r = await weekly();
      assert.ok(r.status < 500 && r.status !== 429, `run ${i}: ${r.status} ${r.text}`);
    }
    const [[held]] = stack.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'", { admin: true });
    assert.equal(held, '0', 'no advisory lock is left behind');
  });

  await t.test('migrations through PgBouncer, twice, leave no lock behind', () => {
    for (let i = 0; i < 2; i++) {
      const r = spawnSync(path.join(BIN, 'api'), ['migrate'], { encoding: 'utf8', timeout: 60000, env: { ...env2, SLUICE_LOG_FILE: '' } });
      assert.equal(r.status, 0, `migrate: ${r.stderr}`);
    }
    const [[held]] = stack.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'", { admin: true });
    assert.equal(held, '0');
  });

  await t.test('no program logged a database error', () => {
    for (const name of [...PROGRAMS, 'worker']) {
      const bad = stack.log(name).split('\n').filter((l) => /"db_error"|"db_lock"|prepared statement/.test(l));
      assert.deepEqual(bad, [], `${name}`);
    }
    assert.doesNotMatch(pgb.log(), /unsupported startup parameter/);
  });
});

test('control: the same stack without SLUICE_DB_POOLER breaks', { skip: !fs.existsSync(PGBOUNCER) && 'pgbouncer is not installed (make deps-test)' }, async (t) => {
  const { stack, env2 } = await bouncedStack(t, '');
  await setupOwner(stack.url);
  const [[ws]] = stack.sql("SELECT id FROM workspaces WHERE name = 'Acme'");
  const mk = spawnSync(path.join(BIN, 'api'), ['create-key', ws, 'k', 'admin'], { encoding: 'utf8', env: { ...env2, SLUICE_LOG_FILE: '' } });
  const key = mk.stdout.trim();
  let failed = 0;
  for (let i = 0; i < 10; i++) {
    const rs = await Promise.all([1, 2, 3, 4].map(() => request(`${stack.url}/v1/dashboard/tiles?period=7d`, { headers: { authorization: `Bearer ${key}` } })));
    failed += rs.filter((r) => r.status !== 200).length;
  }
  const logs = PROGRAMS.map((n) => stack.log(n)).join('\n');
  assert.ok(failed > 0 || mk.status !== 0, 'every request passed: the pooler test cannot fail');
  assert.match(logs, /prepared statement \\?"sluice_[0-9]+\\?" (does not exist|already exists)/);
});
