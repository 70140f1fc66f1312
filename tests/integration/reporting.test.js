'use strict';
// Direct read-only SQL for BI tools (issue 23, part 3): an admin makes a
// read-only database login in Settings; psql logs in with it over TCP
// (scram) and sees the reporting views of its own workspace only, cannot
// read anything else, write, create, move to another workspace with a
// setting, or call the functions that make logins; after a revoke its
// open connection is ended and it cannot log in again.  The views'
// columns are listed here as the README documents them: a change to the
// published interface fails this test on purpose.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');
const { startStack } = require('./lib/stack');
const { Client, hidden } = require('./lib/browser');
const { setupOwner } = require('./lib/flows');

const PSQL = '/usr/lib/postgresql/15/bin/psql';

// The published interface (README, "Direct SQL for BI tools").
const COLUMNS = {
  accounts: ['connection_id', 'provider', 'account_id', 'name', 'time_zone', 'currency', 'selected',
    'sync_status', 'last_synced_at', 'data_through'],
  connections: ['connection_id', 'provider', 'status', 'last_sync_at', 'last_error', 'created_at',
    'external_owner', 'owner_label'],
  content: ['connection_id', 'provider', 'account_id', 'item_id', 'type', 'caption', 'permalink', 'published_at',
    'measured_on', 'views', 'reach', 'likes', 'comments', 'shares', 'saves'],
  metric_catalogue: ['provider', 'metric', 'label', 'unit', 'aggregation'],
  metrics_daily: ['provider', 'account_id', 'metric', 'base_metric', 'label', 'unit', 'aggregation',
    'total_days', 'day', 'value', 'currency', 'updated_at'],
  reviews: ['connection_id', 'provider', 'account_id', 'review_id', 'rating', 'comment', 'reviewer',
    'created_at', 'updated_at', 'reply', 'reply_updated_at'],
  sync_runs: ['run_id', 'connection_id', 'provider', 'started_at', 'finished_at', 'status',
    'rows_fetched', 'rows_changed', 'duration_ms', 'error'],
  workspace: ['workspace_id', 'name', 'time_zone'],
};

const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');

// Seeds one workspace's connection, accounts, runs and metrics; every
// text names the tag so a leak is recognisable.
function seed(sql, ws, tag) {
  const [[conn]] = sql(`INSERT INTO connections (workspace_id, provider, external_owner, owner_label, status, token_blob,
      key_id, scopes, accounts, selected, last_error)
    VALUES (${ws}, 'ga4', '${tag}-owner', '${tag}@login.example', 'connected', 'SECRET-TOKEN-${tag}', 'k1', 'scope-${tag}',
      '[{"id": "${tag}-acct", "name": "${tag} property", "time_zone": "Europe/Paris", "currency": "EUR"},
        {"id": "${tag}-other", "name": "${tag} unselected"}]', '["${tag}-acct"]', NULL) RETURNING id`);
  sql(`INSERT INTO sync_runs (workspace_id, connection_id, provider, status, finished_at, rows_fetched, rows_changed)
    VALUES (${ws}, ${conn}, 'ga4', 'ok', now(), 3, 3)`);
  sql(`INSERT INTO sync_accounts (workspace_id, connection_id, account_id, status, synced_at, data_through)
    VALUES (${ws}, ${conn}, '${tag}-acct', 'ok', now(), current_date - 1)`);
  sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value, dims) VALUES
    (${ws}, 'ga4', '${tag}-acct', 'sessions', current_date - 2, 11, '{}'),
    (${ws}, 'ga4', '${tag}-acct', 'sessions', current_date - 1, 12, '{}'),
    (${ws}, 'ga4', '${tag}-acct', 'active_users:7d', current_date - 1, 40, '{}'),
    (${ws}, 'google_ads', '${tag}-acct', 'cost_micros', current_date - 1, 9500000, '{"currency": "EUR"}')`);
  sql(`INSERT INTO reviews (workspace_id, connection_id, provider, account_id, review_id, rating, comment,
    reviewer, created_at, updated_at) VALUES (${ws}, ${conn}, 'gbp', '${tag}-acct', '${tag}-review', 5,
    '${tag} was great', '${tag} reviewer', now(), now())`);
  sql(`INSERT INTO content (workspace_id, connection_id, provider, account_id, item_id, type, caption,
    published_at) VALUES (${ws}, ${conn}, 'instagram', '${tag}-acct', '${tag}-item', 'reel', '${tag} reel', now());
    INSERT INTO content_metrics (workspace_id, provider, account_id, item_id, day, views, likes)
    VALUES (${ws}, 'instagram', '${tag}-acct', '${tag}-item', current_date, 100, 7)`);
  return conn;
}

test('reporting: read-only SQL logins for BI tools', { timeout: 300000 }, async (t) => {
  const stack = await startStack({ programs: ['pages'], env: { SLUICE_PG_LISTEN: '127.0.0.1' } });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const sql = (q) => stack.sql(q);
  const admin = (q) => stack.sql(q, { admin: true });
  const owner = await setupOwner(stack.url);
  const [[acme]] = sql("SELECT id FROM workspaces WHERE name = 'Acme'");
  const [[other]] = sql("INSERT INTO workspaces (name) VALUES ('Other Tenant') RETURNING id");
  seed(sql, acme, 'acme');
  seed(sql, other, 'othertenant');

  // psql as a login: over loopback TCP with its password (scram).
  function ro(login, password, query, { db = 'sluice', host = '127.0.0.1' } = {}) {
    const r = spawnSync(PSQL, ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1',
      '-d', `host=${host} port=${stack.pgPort} dbname=${db} user=${login} sslmode=disable`, '-c', query], {
      encoding: 'utf8', timeout: 30000, env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' },
    });
    return { ok: r.status === 0, out: r.stdout, err: r.stderr,
      rows: r.stdout.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t')) };
  }
  const must = (r, what) => { assert.ok(r.ok, `${what}: ${r.err}`); return r.rows; };
  const refused = (r, what, why = /permission denied|read-only transaction|does not exist/) => {
    assert.ok(!r.ok, `${what} must fail, gave ${r.out}`);
    assert.match(r.err, why, what);
  };

  // A viewer of Acme, through an invitation.
  const vtok = crypto.randomBytes(32).toString('base64url');
  sql(`INSERT INTO invites (token_hash, workspace_id, email, role, expires_at)
       VALUES (decode('${sha256(vtok)}', 'hex'), ${acme}, 'viewer@example.com', 'viewer', now() + interval '1 day')`);
  const viewer = new Client(stack.url);
  {
    const page = await viewer.get(`/invite/${vtok}`);
    const r = await viewer.post(`/invite/${vtok}`, { pre: hidden(page.text, 'pre'), password: 'viewer password here' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
  }

  let login;
  let password;
  await t.test('an admin makes a login in Settings; its password is shown once', async () => {
    const page = await owner.get('/settings');
    assert.equal(page.status, 200);
    assert.match(page.text, /Direct SQL for BI tools/);
    assert.match(page.text, /takes no TCP connections|host <code>127\.0\.0\.1<\/code>/);
    assert.match(page.text, /host <code>127\.0\.0\.1<\/code>/, 'the page names the TCP address');
    const csrf = hidden(page.text, 'csrf');
    const nocsrf = await owner.post('/settings/sql-logins', { name: 'Metabase' });
    assert.equal(nocsrf.status, 403, 'no CSRF token, no login');
    const bad = await owner.post('/settings/sql-logins', { csrf, name: '' });
    assert.equal(bad.status, 422);
    const r = await owner.post('/settings/sql-logins', { csrf, name: 'Metabase, "main"' });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    const m = /User <code>(sluice_ro_[0-9]+_[0-9a-f]+)<\/code>, password <code>([0-9a-f]{40,})<\/code>/.exec(r.text);
    assert.ok(m, 'the new login and its password are on the page');
    [, login, password] = m;
    assert.ok(login.startsWith(`sluice_ro_${acme}_`), 'named by the database after the workspace');
    const again = await owner.get('/settings');
    assert.ok(!again.text.includes(password), 'the password is never shown again');
    assert.ok(again.text.includes(login), 'the login is listed');
    assert.match(again.text, /Metabase, &quot;main&quot;/);
    assert.ok(!JSON.stringify(sql('SELECT * FROM reporting_logins')).includes(password), 'Sluice stores no password');
  });

  await t.test('the installation holds 15 logins at most, whoever asks', async () => {
    // 14 logins of another workspace beside Acme's one: the 16th is
    // refused (each login has at most 3 connections: 45 of the server's).
    sql(`INSERT INTO reporting_logins (workspace_id, role_name, name)
      SELECT ${other}, 'sluice_ro_${other}_fake' || g, 'fake' FROM generate_series(1, 14) g`);
    const page = await owner.get('/settings');
    const r = await owner.post('/settings/sql-logins', { csrf: hidden(page.text, 'csrf'), name: 'one too many' });
    assert.equal(r.status, 409, r.text.slice(0, 300));
    assert.match(r.text, /15 in this installation/);
    sql(`DELETE FROM reporting_logins WHERE role_name LIKE 'sluice_ro_${other}_fake%'`);
    assert.deepEqual(sql(`SELECT rolconnlimit FROM pg_roles WHERE rolname = '${login}'`), [['3']]);
  });

  await t.test('a viewer can neither see nor make nor revoke logins', async () => {
    const page = await viewer.get('/settings');
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes('Direct SQL for BI tools'));
    assert.ok(!page.text.includes(login));
    const csrf = hidden(page.text, 'csrf');
    const r = await viewer.post('/settings/sql-logins', { csrf, name: 'mine' });
    assert.equal(r.status, 403);
    const v = await viewer.post('/settings/sql-logins/revoke', { csrf, login, confirm: '1' });
    assert.equal(v.status, 403);
    assert.equal(sql("SELECT count(*) FROM reporting_logins")[0][0], '1');
  });

  await t.test('the views keep their published columns', () => {
    const rows = sql(`SELECT table_name, string_agg(column_name, ',' ORDER BY ordinal_position)
      FROM information_schema.columns WHERE table_schema = 'reporting' GROUP BY table_name ORDER BY table_name`);
    assert.deepEqual(Object.fromEntries(rows.map(([n, c]) => [n, c.split(',')])), COLUMNS);
  });

  await t.test('the login sees its own workspace in every view, and no secret', () => {
    assert.deepEqual(must(ro(login, password, 'SELECT workspace_id, name FROM reporting.workspace'), 'workspace'),
      [[acme, 'Acme']]);
    const views = Object.keys(COLUMNS);
    for (const v of views) {
      const all = must(ro(login, password, `SELECT * FROM reporting.${v}`), v);
      const text = JSON.stringify(all);
      assert.ok(!/othertenant|Other Tenant/.test(text), `${v} shows another workspace: ${text}`);
      assert.ok(!/SECRET-TOKEN|scope-/.test(text), `${v} shows a token or scopes`);
      if (v !== 'metric_catalogue') assert.ok(all.length > 0, `${v} has Acme's rows`);
    }
    // Which login each connection is (several of one provider possible).
    assert.deepEqual(must(ro(login, password, 'SELECT provider, external_owner, owner_label FROM reporting.connections'),
      'connections'), [['ga4', 'acme-owner', 'acme@login.example']]);
    const metrics = must(ro(login, password, `SELECT provider, account_id, metric, label, unit, total_days, value, currency
      FROM reporting.metrics_daily ORDER BY provider, metric, day`), 'metrics');
    assert.deepEqual(metrics, [
      ['ga4', 'acme-acct', 'active_users:7d', 'Active users', 'count', '7', '40', ''],
      ['ga4', 'acme-acct', 'sessions', 'Sessions', 'count', '', '11', ''],
      ['ga4', 'acme-acct', 'sessions', 'Sessions', 'count', '', '12', ''],
      ['google_ads', 'acme-acct', 'cost_micros', 'Cost', 'currency_micros', '', '9500000', 'EUR'],
    ].map((r) => {
      // Labels and units come from the programs' catalogue.
      const [[label, unit]] = sql(`SELECT label, unit FROM metric_catalogue WHERE provider = '${r[0]}'
        AND metric = split_part('${r[2]}', ':', 1)`);
      return [r[0], r[1], r[2], label, unit, r[5], r[6], r[7]];
    }));
    assert.deepEqual(must(ro(login, password,
      'SELECT account_id, name, selected, sync_status FROM reporting.accounts ORDER BY account_id'), 'accounts'),
    [['acme-acct', 'acme property', 't', 'ok'], ['acme-other', 'acme unselected', 'f', '']]);
    const n = Number(must(ro(login, password, 'SELECT count(*) FROM reporting.metric_catalogue'), 'catalogue')[0][0]);
    assert.ok(n > 20, 'the catalogue is filled by api migrate');
  });

  await t.test('the login cannot read other tables, write, create, or call the role functions', () => {
    for (const q of ['SELECT * FROM public.metric_daily', 'SELECT * FROM metric_daily',
      'SELECT * FROM public.connections', 'SELECT * FROM public.reporting_logins', 'SELECT * FROM public.users',
      'SELECT token_blob FROM public.connections']) {
      refused(ro(login, password, q), q);
    }
    for (const q of [
      "INSERT INTO reporting.metrics_daily (provider, account_id, metric, day, value) VALUES ('ga4', 'x', 'sessions', current_date, 1)",
      "UPDATE reporting.metrics_daily SET value = 0",
      'DELETE FROM reporting.metrics_daily',
      "UPDATE reporting.connections SET status = 'error'",
      'BEGIN READ WRITE; DELETE FROM reporting.sync_runs; COMMIT',
      'BEGIN READ WRITE; CREATE TABLE reporting.x (a int); COMMIT',
      'BEGIN READ WRITE; CREATE TABLE public.x (a int); COMMIT',
      'BEGIN READ WRITE; CREATE TEMP TABLE x (a int); COMMIT',
      'BEGIN READ WRITE; CREATE FUNCTION pg_temp.leak(text) RETURNS bool LANGUAGE sql AS $$ SELECT true $$; COMMIT',
      'BEGIN READ WRITE; CREATE SCHEMA mine; COMMIT',
      'SELECT * FROM public.reporting_login_create(1)',
      `SELECT * FROM public.reporting_login_create(${other})`,
      `SELECT public.reporting_login_drop('${login}')`,
      `SELECT * FROM public.reporting_login_new(${acme}, 1, 'x')`,
      `SELECT public.reporting_login_revoke(${acme}, '${login}')`,
      'SELECT public.sluice_workspace()',
    ]) {
      refused(ro(login, password, q), q, /permission denied|cannot|does not exist|read-only/);
    }
    assert.equal(sql("SELECT count(*) FROM pg_roles WHERE rolname ~ '^sluice_ro_[0-9]'")[0][0], '1');
  });

  await t.test('no setting, role or failing cast reaches another workspace', () => {
    const own = must(ro(login, password, 'SELECT count(*) FROM reporting.metrics_daily'), 'count')[0][0];
    assert.equal(own, '4');
    for (const q of [
      `SET sluice.workspace_id = '${other}'; SELECT count(*) FROM reporting.metrics_daily`,
      `SELECT set_config('sluice.workspace_id', '${other}', false), count(*) FROM reporting.metrics_daily`,
      `SET ROLE sluice_reporting; SET sluice.workspace_id = '${other}'; SELECT count(*) FROM reporting.metrics_daily`,
    ]) {
      const r = must(ro(login, password, q), q);
      assert.equal(r[r.length - 1][r[0].length - 1], own, `${q} moved the login to another workspace`);
    }
    refused(ro(login, password, 'SET ROLE sluice; SELECT 1'), 'SET ROLE sluice', /permission denied/);
    refused(ro(login, password, 'SET SESSION AUTHORIZATION sluice; SELECT 1'), 'SET SESSION AUTHORIZATION',
      /permission denied/);
    // A cast that fails prints the value it failed on: with the views as
    // security barriers it only ever meets the login's own rows.
    // (It fails on any row but the login's own.)
    for (const [v, col] of [['metrics_daily', 'account_id'], ['accounts', 'name'], ['sync_runs', 'provider'],
      ['connections', 'provider']]) {
      // (Plans that scan the tables whole, as an attacker may ask.)
      const q = `SET enable_nestloop = off; SET enable_indexscan = off; SET enable_bitmapscan = off;
        SET enable_mergejoin = off; SELECT count(*) FROM reporting.${v} WHERE CASE WHEN ${col} LIKE 'acme%' OR ${col} = 'ga4'
        THEN true ELSE (${col} || 'x')::int = 0 END`;
      const leak = ro(login, password, q);
      assert.ok(!/othertenant/.test(leak.err), `a failing cast shows another workspace: ${leak.err}`);
      assert.ok(leak.ok, `${q}: ${leak.err}`);
    }
    // Another database, or the socket, is no way in either.
    refused(ro(login, password, 'SELECT 1', { db: 'postgres' }), 'database postgres', /rejects|no pg_hba|not permitted/);
    refused(ro(login, password, 'SELECT 1', { host: `${stack.dir}/svc` }), 'the socket', /authentication failed/);
    // Any other role (the programs' included) sees no row.
    assert.equal(sql('SELECT count(*) FROM reporting.metrics_daily')[0][0], '0');
  });

  await t.test('EXPLAIN ANALYZE of a login\'s own condition counts its own rows only', () => {
    // Leakproof conditions (text and date comparisons) used to reach the
    // base tables' scans, where EXPLAIN ANALYZE counted every workspace's
    // matches (an outside review read another workspace's name so).
    const force = 'SET enable_nestloop = off; SET enable_mergejoin = off; SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_hashjoin = off;';
    const plan = (view, cond) => must(ro(login, password,
      `${force} EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT 1 FROM reporting.${view} WHERE ${cond}`),
    `${view} ${cond}`).map((r) => r.join(' ')).join('\n').replace(/'[^']*'/g, "'?'");
    for (const [view, col] of [['workspace', 'name'], ['metrics_daily', 'account_id'], ['metrics_daily', 'metric'],
      ['connections', 'last_error'], ['accounts', 'account_id'], ['sync_runs', 'provider'], ['reviews', 'comment'],
      ['content', 'caption']]) {
      const theirs = plan(view, `starts_with(${col}, 'othertenant')`);
      const nobody = plan(view, `starts_with(${col}, 'zzzznobody')`);
      assert.equal(theirs, nobody, `${view}.${col}: the plan tells another workspace's rows apart:\n${theirs}`);
    }
    const other = plan('workspace', "name = 'Other Tenant'");
    assert.equal(other, plan('workspace', "name = 'No Such Tenant'"));
  });

  await t.test('a login cannot write large objects or take the application\'s locks', () => {
    refused(ro(login, password, "SET default_transaction_read_only = off; SELECT lo_from_bytea(0, 'x'::bytea)"),
      'a large object', /permission denied/);
    refused(ro(login, password, 'SELECT lo_create(0)'), 'lo_create', /permission denied/);
    refused(ro(login, password, 'SELECT pg_advisory_lock(7226110)'), 'the migration lock', /permission denied/);
    refused(ro(login, password, 'SELECT pg_try_advisory_xact_lock(7412, 2)'), 'a digest lock', /permission denied/);
    // The application keeps them.
    assert.deepEqual(sql('SELECT pg_try_advisory_xact_lock(1, 1)'), [['t']]);
  });

  await t.test('a revoked login is dropped, its connection ended, and cannot log in', async () => {
    const sleeper = spawn(PSQL, ['-X', '-q', '-d',
      `host=127.0.0.1 port=${stack.pgPort} dbname=sluice user=${login} sslmode=disable`, '-c', 'SELECT pg_sleep(60)'],
    { env: { ...process.env, PGPASSWORD: password }, stdio: ['ignore', 'pipe', 'pipe'] });
    const ended = new Promise((resolve) => sleeper.on('exit', (code) => resolve(code)));
    t.after(() => { if (sleeper.exitCode === null) sleeper.kill(); });
    for (let i = 0; i < 100; i++) {
      if (sql(`SELECT count(*) FROM pg_stat_activity WHERE usename = '${login}'`)[0][0] === '1') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const page = await owner.get('/settings');
    assert.match(page.text, /<td>1<\/td>/, 'the open connection is counted');
    const csrf = hidden(page.text, 'csrf');
    const unconfirmed = await owner.post('/settings/sql-logins/revoke', { csrf, login });
    assert.equal(unconfirmed.status, 422);
    const notours = await owner.post('/settings/sql-logins/revoke', { csrf, login: 'sluice', confirm: '1' });
    assert.equal(notours.status, 404, 'only the workspace\'s own logins');
    const r = await owner.post('/settings/sql-logins/revoke', { csrf, login, confirm: '1' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const code = await Promise.race([ended, new Promise((res) => setTimeout(() => res('still running'), 15000))]);
    assert.notEqual(code, 'still running', 'the open connection was ended');
    assert.notEqual(code, 0);
    assert.equal(sql(`SELECT count(*) FROM pg_roles WHERE rolname = '${login}'`)[0][0], '0');
    refused(ro(login, password, 'SELECT 1'), 'login after revoke', /authentication failed|does not exist/);
    const again = await owner.post('/settings/sql-logins/revoke', { csrf, login, confirm: '1' });
    assert.equal(again.status, 404);
  });

  await t.test('the programs cannot drop other roles through the functions', () => {
    for (const role of ['sluice', 'sluice_web', 'postgres', 'sluice_reporting', 'sluice_roles']) {
      assert.deepEqual(sql(`SELECT public.reporting_login_drop('${role}')`), [['f']], role);
    }
    assert.throws(() => sql('ALTER ROLE sluice CREATEROLE'), /permission denied/);
    assert.throws(() => sql('GRANT sluice_roles TO sluice'), /permission denied|must have admin/);
    assert.throws(() => sql(`SET ROLE sluice_roles`), /permission denied/);
  });

  await t.test('without the administrator\'s functions, Settings says what to ask for', async () => {
    admin('DROP FUNCTION public.reporting_login_create(bigint)');
    const page = await owner.get('/settings');
    assert.match(page.text, /not available on this database: ask your database administrator to run <code>nginx\/stack\.sh reporting-sql/);
    const r = await owner.post('/settings/sql-logins', { csrf: hidden(page.text, 'csrf'), name: 'Grafana' });
    assert.equal(r.status, 503);
    assert.match(r.text, /administrator/);
    // The script puts it back.
    const script = spawnSync('bash', [`${__dirname}/../../nginx/stack.sh`, 'reporting-sql'], { encoding: 'utf8' });
    assert.equal(script.status, 0, script.stderr);
    admin(script.stdout);
    const back = await owner.get('/settings');
    assert.match(back.text, /Create read-only SQL login/);
  });

  await t.test('after make backup and make restore, logins can still be made', async () => {
    // An operator's shell (backup.test.js).
    const shell = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLUICE_')));
    shell.SLUICE_ENV_FILE = '/dev/null';
    const make = (...args) => spawnSync('make', ['-s', '--no-print-directory', `VAR=${stack.dir}`, ...args],
      { cwd: `${__dirname}/../..`, env: shell, encoding: 'utf8', timeout: 120000 });
    const dump = `${stack.dir}/reporting.dump`;
    let r = make('backup', `FILE=${dump}`);
    assert.equal(r.status, 0, r.stderr);
    r = make('restore', `FILE=${dump}`, 'FORCE=1');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(sql(`SELECT proname, proowner::regrole::text FROM pg_proc
      WHERE proname IN ('reporting_login_create', 'reporting_login_drop') ORDER BY 1`),
    [['reporting_login_create', 'sluice_roles'], ['reporting_login_drop', 'sluice_roles']]);
    let page;
    for (let i = 0; i < 50; i++) {
      page = await owner.get('/settings');
      if (page.status === 200) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    const made = await owner.post('/settings/sql-logins', { csrf: hidden(page.text, 'csrf'), name: 'After restore' });
    assert.equal(made.status, 200, made.text.slice(0, 300));
    const m = /User <code>(sluice_ro_[0-9]+_[0-9a-f]+)<\/code>, password <code>([0-9a-f]+)<\/code>/.exec(made.text);
    assert.ok(m);
    assert.deepEqual(must(ro(m[1], m[2], 'SELECT name FROM reporting.workspace'), 'after restore'), [['Acme']]);
  });
});
