'use strict';
// A read replica (issue 22): a streaming standby made here with
// pg_basebackup -R from the stack's PostgreSQL (a replication role with a
// password, over 127.0.0.1), the programs started with
// SLUICE_DATABASE_READ_URL pointing at it.  Reads (tiles, /v1/metrics,
// the CSV export, the dashboard, a cron digest run's numbers) are served
// by the replica (its read connection is seen
// there, and with replay paused they show what the replica has, not what
// was just written); writes go to the primary; the replica stopped, pages
// still answer from the primary; replay paused past SLUICE_READ_MAX_LAG_S,
// reads come from the primary (fresh data); replay resumed or the replica
// back, it is used again.  Everything started here is stopped here.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startStack, defer, request, freePort } = require('./lib/stack');
const { setupOwner } = require('./lib/flows');
const { hidden } = require('./lib/browser');
const { startFakeResend } = require('./lib/fake_resend');

const PGBIN = '/usr/lib/postgresql/15/bin';
const LAG_S = 6;
const CRON = 'cron-secret-for-replica-tests-0123456789';
const root = process.getuid() === 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A command as the service user (PostgreSQL refuses to run as root).
function asService(cmd, args) {
  const r = root ? spawnSync('runuser', ['-u', 'sluice', '--', cmd, ...args], { encoding: 'utf8', timeout: 120000 })
    : spawnSync(cmd, args, { encoding: 'utf8', timeout: 120000 });
  return r;
}

function daysAgo(n) {
  return new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);
}

test('a read replica takes the reads and is left when down or lagging', async (t) => {
  // The replica's folder and port are known before the programs start:
  // until it exists they find it down and read from the primary.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-replica-'));
  if (root) spawnSync('chown', ['sluice:sluice', dir]);
  const rport = await freePort();
  const readUrl = `host=${dir} port=${rport} dbname=sluice user=sluice`;
  const fake = await startFakeResend();
  defer(t, () => fake.close());
  const stack = await startStack({
    programs: ['api', 'pages', 'digest'],
    env: {
      SLUICE_PG_LISTEN: '127.0.0.1', SLUICE_WORKER: '0', SLUICE_CRON_SECRET: CRON,
      SLUICE_RESEND_API_BASE: fake.url, SLUICE_RESEND_API_KEY: 're_test', SLUICE_ALLOW_LOOPBACK_HTTP: '1',
      SLUICE_DATABASE_READ_URL: readUrl, SLUICE_READ_MAX_LAG_S: String(LAG_S),
    },
  });
  defer(t, () => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const pgdata = path.join(dir, 'pg');
  const replicaUp = () => asService(`${PGBIN}/pg_ctl`, ['-D', pgdata, 'status']).status === 0;
  const startReplica = () => {
    const r = asService(`${PGBIN}/pg_ctl`, ['-D', pgdata, '-w', '-t', '60', '-l', path.join(dir, 'postgres.log'),
      '-o', `-p ${rport} -k ${dir} -c listen_addresses=''`, 'start']);
    assert.equal(r.status, 0, `replica start: ${r.stderr}\n${fs.existsSync(path.join(dir, 'postgres.log')) ? fs.readFileSync(path.join(dir, 'postgres.log'), 'utf8').slice(-2000) : ''}`);
  };
  const stopReplica = () => {
    if (fs.existsSync(path.join(pgdata, 'PG_VERSION')) && replicaUp()) {
      const r = asService(`${PGBIN}/pg_ctl`, ['-D', pgdata, '-m', 'fast', '-w', 'stop']);
      assert.equal(r.status, 0, `replica stop: ${r.stderr}`);
    }
  };
  defer(t, () => {
    stopReplica();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  // As the superuser on the replica (peer, as on the primary: the
  // replica's pg_hba.conf and pg_ident.conf are the primary's copies).
  const rsql = (q) => {
    const r = spawnSync(`${PGBIN}/psql`, ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
      '-d', `host=${dir} port=${rport} dbname=sluice user=postgres`, '-c', q], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 0, `replica psql: ${r.stderr}`);
    return r.stdout.trim();
  };

  // The API's connections to the replica (application_name sluice-read)
  // whose last statement ended a read transaction: the replica's health
  // checks run single statements, a handler's reads end in ROLLBACK
  // (lib/web/app.c, app_read_db()).  (Its statistics views are no help:
  // a standby's counters lag by seconds and vary.)
  const reads = () => Number(rsql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sluice-read' AND query = 'ROLLBACK'"));

  const [[ws]] = stack.sql("INSERT INTO workspaces (name) VALUES ('A') RETURNING id");
  const mk = stack.cli('api', ['create-key', ws, 'k', 'admin']);
  assert.equal(mk.status, 0, mk.stderr);
  const auth = { authorization: `Bearer ${mk.stdout.trim()}` };
  const ingest = (value, day = daysAgo(2)) => request(`${stack.url}/v1/metrics/ingest`, {
    method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify([{ source: 'ga4', metric: 'sessions', date: day, value }]),
  });
  // The stored value /v1/metrics answers for the row ingest() writes.
  const value = async () => {
    const r = await request(`${stack.url}/v1/metrics?provider=ga4&from=${daysAgo(2)}&to=${daysAgo(2)}`, { headers: auth });
    assert.equal(r.status, 200, r.text);
    return r.json.rows.length === 1 ? r.json.rows[0].value : null;
  };
  const details = async () => {
    const r = await request(`${stack.url}/readyz?details=1`);
    assert.equal(r.status, 200, r.text);
    return r.json.replica;
  };
  const until = async (what, fn, ms = 30000) => {
    let last;
    for (const end = Date.now() + ms; Date.now() < end; await sleep(250)) {
      if ((last = await fn())) return last;
    }
    assert.fail(`${what}: not within ${ms} ms (last ${JSON.stringify(last)}); api log:\n${stack.log('api').slice(-3000)}`);
  };

  let owner;	// the browser of the workspace Acme (setup, below)

  await t.test('no replica yet: reads go to the primary, readyz says so', async () => {
    let r = await ingest(1);
    assert.equal(r.status, 200, r.text);
    assert.equal(await value(), 1);
    const d = await until('replica seen down', async () => { const x = await details(); return x.state === 'down' && x; });
    assert.equal(d.reads, 'primary');
  });

  await t.test('pg_basebackup -R makes the replica; reads go to it', async () => {
    const password = crypto.randomBytes(18).toString('base64url');
    stack.sql(`CREATE ROLE sluice_replication REPLICATION LOGIN PASSWORD '${password}'`, { admin: true });
    const r = asService(`${PGBIN}/pg_basebackup`, ['-d', `host=127.0.0.1 port=${stack.pgPort} user=sluice_replication password=${password}`,
      '-D', pgdata, '-R', '-X', 'stream', '-c', 'fast']);
    assert.equal(r.status, 0, `pg_basebackup: ${r.stderr}`);
    startReplica();
    assert.equal(rsql('SELECT pg_is_in_recovery()'), 't');
    await until('replica used', async () => (await details()).reads === 'replica');
    assert.ok(Number(rsql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sluice-read'")) >= 1, 'the API is connected to the replica');
    assert.equal(reads(), 0, 'no read transaction on the replica before the reads');
    for (let i = 0; i < 5; i++) {
      const t1 = await request(`${stack.url}/v1/dashboard/tiles?period=7d`, { headers: auth });
      assert.equal(t1.status, 200, t1.text);
      assert.equal(await value(), 1);
    }
    const csv = await request(`${stack.url}/v1/metrics?format=csv&provider=ga4`, { headers: auth });
    assert.equal(csv.status, 200, csv.text);
    assert.match(csv.text, /sessions/);
    assert.ok(reads() >= 1, 'the reads ran on the replica');
    // Row security holds there too: the read ran as sluice_web for this
    // workspace (a key of another workspace sees nothing).
    const [[ws2]] = stack.sql("INSERT INTO workspaces (name) VALUES ('B') RETURNING id");
    const k2 = stack.cli('api', ['create-key', ws2, 'k', 'admin']).stdout.trim();
    await until('B replicated', async () => rsql(`SELECT count(*) FROM api_keys WHERE workspace_id = ${ws2}`) === '1');
    const other = await request(`${stack.url}/v1/metrics?provider=ga4&from=${daysAgo(2)}&to=${daysAgo(2)}`, { headers: { authorization: `Bearer ${k2}` } });
    assert.equal(other.status, 200, other.text);
    assert.deepEqual(other.json.rows, []);
  });

  await t.test('writes go to the primary; replay paused: stale within the bound, fresh past it', async () => {
    let r = await ingest(2);
    assert.equal(r.status, 200, r.text);	// a standby would refuse the write
    await until('2 replicated and read', async () => (await value()) === 2);
    const paused = Date.now();
    rsql('SELECT pg_wal_replay_pause()');
    await until('replay paused', async () => rsql('SELECT pg_get_wal_replay_pause_state()') === 'paused');
    r = await ingest(3);
    assert.equal(r.status, 200, r.text);
    assert.equal(stack.sql(`SELECT value FROM metric_daily WHERE workspace_id = ${ws} AND provider = 'ga4'`)[0][0], '3');
    // Within the bound the replica still serves, and it has not seen 3:
    // the reads are the replica's.
    const stale = await value();
    // A client that just wrote (the cookie a browser gets) reads from
    // the primary meanwhile.
    const own = await request(`${stack.url}/v1/metrics?provider=ga4&from=${daysAgo(2)}&to=${daysAgo(2)}`,
      { headers: { ...auth, cookie: 'sluice_rw=1' } });
    assert.equal(own.status, 200, own.text);
    if (Date.now() - paused < (LAG_S - 2) * 1000) {
      assert.equal(stale, 2, 'read from the paused replica');
      assert.equal(own.json.rows[0].value, 3, 'read-your-own-write from the primary');
    } else t.diagnostic('too slow to see the paused replica within the bound');
    // Past the bound (and the next check) the primary answers: fresh.
    await until('fresh value from the primary', async () => (await value()) === 3, (LAG_S + 20) * 1000);
    // Each api process checks the replica on its own; requests go to
    // whichever process is free (a FastCGI connection per request), so
    // the one that answers /readyz may see the lag a check later.
    const d = await until('readyz says lagging', async () => {
      const x = await details();
      return x.state === 'lagging' ? x : false;
    });
    assert.equal(d.state, 'lagging');
    assert.equal(d.reads, 'primary');
    assert.ok(d.lag_ms > LAG_S * 1000, JSON.stringify(d));
    assert.match(stack.log('api'), /reads go to the primary: the read replica lags/);
    rsql('SELECT pg_wal_replay_resume()');
    await until('replica used again', async () => (await details()).reads === 'replica');
    assert.equal(await value(), 3);
  });

  await t.test('a browser that changed something gets the cookie that keeps its reads on the primary', async () => {
    const b = owner = await setupOwner(stack.url);
    const csrf = hidden((await b.get('/settings')).text, 'csrf');
    assert.equal(b.cookies.get('sluice_rw'), undefined, 'not after a GET');
    const r = await b.post('/settings/keys', { csrf, name: 'replica test', role: 'viewer' });
    assert.ok(r.status < 400, r.text.slice(0, 300));
    assert.equal(b.cookies.get('sluice_rw'), '1');
    const set = r.headers.getSetCookie().find((c) => c.startsWith('sluice_rw=')) || '';
    assert.match(set, new RegExp(`^sluice_rw=1;.*HttpOnly.*Max-Age=${LAG_S}$`, 'i'));
    const d = await b.get('/dashboard');
    assert.equal(d.status, 200, d.text.slice(0, 300));
  });

  await t.test('the dashboard\'s other sections read the replica too: reviews, sources', async () => {
    const b = owner;
    const [[wb]] = stack.sql("SELECT id FROM workspaces WHERE name = 'Acme'");
    b.cookies.delete('sluice_rw');
    await until('replica used', async () => (await details()).reads === 'replica');
    await until('Acme replicated', async () => rsql(`SELECT count(*) FROM workspaces WHERE id = ${wb}`) === '1');
    const paused = Date.now();
    rsql('SELECT pg_wal_replay_pause()');
    await until('replay paused', async () => rsql('SELECT pg_get_wal_replay_pause_state()') === 'paused');
    const [[cid]] = stack.sql(`INSERT INTO connections (workspace_id, provider) VALUES (${wb}, 'gbp') RETURNING id`);
    stack.sql(`INSERT INTO reviews (workspace_id, connection_id, provider, account_id, review_id, rating, comment, created_at, updated_at)
      VALUES (${wb}, ${cid}, 'gbp', 'loc1', 'r1', 5, 'Written on the primary only', now(), now())`);
    const onReplica = await b.get('/dashboard');
    assert.equal(onReplica.status, 200, onReplica.text.slice(0, 300));
    b.cookies.set('sluice_rw', '1');
    const onPrimary = await b.get('/dashboard');
    b.cookies.delete('sluice_rw');
    assert.equal(onPrimary.status, 200, onPrimary.text.slice(0, 300));
    const late = Date.now() - paused >= (LAG_S - 2) * 1000;
    rsql('SELECT pg_wal_replay_resume()');
    assert.match(onPrimary.text, /Written on the primary only/);
    assert.match(onPrimary.text, /1 source is connected/);
    if (late) t.diagnostic('too slow to see the paused replica within the bound');
    else {
      assert.doesNotMatch(onReplica.text, /Written on the primary only/, 'the reviews came from the replica');
      assert.doesNotMatch(onReplica.text, /source is connected/, 'the sources came from the replica');
    }
    await until('replica used again', async () => (await details()).reads === 'replica');
  });

  await t.test('a digest run outside a request reads its numbers on the replica', async () => {
    // Cron's runs and the scheduler's (no request transaction) prepare
    // each workspace's digest on the replica (lib/mail/digest.c).
    const [[wb]] = stack.sql("SELECT id FROM workspaces WHERE name = 'Acme'");
    const kb = stack.cli('api', ['create-key', wb, 'digest', 'admin']);
    assert.equal(kb.status, 0, kb.stderr);
    const put = (value) => request(`${stack.url}/v1/metrics/ingest`, {
      method: 'POST', headers: { authorization: `Bearer ${kb.stdout.trim()}`, 'content-type': 'application/json' },
      // 21 days: the digest's week and the one before are Monday to
      // Sunday, up to 20 days back (14 covered both on Mondays only).
      body: JSON.stringify(Array.from({ length: 21 }, (_, i) => ({ source: 'ga4', metric: 'sessions', date: daysAgo(i + 1), value }))),
    });
    // One weekly run for every workspace, as cron starts it: the text of
    // the owner's email.
    const run = async () => {
      stack.sql("DELETE FROM digest_sends; DELETE FROM digest_batches; UPDATE digest_runs SET finished_at = now() - interval '1 hour' WHERE finished_at IS NOT NULL");
      fake.reset();
      const r = await request(`${stack.url}/v1/digest/weekly`, {
        method: 'POST', headers: { 'x-cron-secret': CRON, 'content-type': 'application/json' }, body: '{"scope":"all"}', timeout: 60000,
      });
      assert.ok(r.status < 300, `${r.status} ${r.text}`);
      const mail = fake.state.delivered.find((d) => d.to === 'owner@example.com');
      assert.ok(mail, `no digest for the owner: ${r.text}`);
      return mail.text.split('\n').find((l) => l.startsWith('- Sessions:'));
    };
    let r = await put(11);
    assert.equal(r.status, 200, r.text);
    await until('replica used', async () => (await details()).reads === 'replica');
    await until('the 11s replicated', async () => rsql(`SELECT count(*) FROM metric_daily WHERE workspace_id = ${wb} AND value = 11`) === '21');
    assert.equal(await run(), '- Sessions: 77 / 77 / 0%', 'a week of 11 sessions a day');
    const paused = Date.now();
    rsql('SELECT pg_wal_replay_pause()');
    await until('replay paused', async () => rsql('SELECT pg_get_wal_replay_pause_state()') === 'paused');
    r = await put(1000);
    assert.equal(r.status, 200, r.text);
    const during = await run();
    const late = Date.now() - paused >= (LAG_S - 2) * 1000;
    rsql('SELECT pg_wal_replay_resume()');
    if (late) t.diagnostic('too slow to see the paused replica within the bound');
    else assert.equal(during, '- Sessions: 77 / 77 / 0%', 'the digest was read on the paused replica');
    await until('replica used again', async () => (await details()).reads === 'replica');
    await until('the new numbers replicated', async () => rsql(`SELECT count(*) FROM metric_daily WHERE workspace_id = ${wb} AND value = 1000`) === '21');
    assert.equal(await run(), '- Sessions: 7,000 / 7,000 / 0%');
  });

  await t.test('replica stopped: pages answer from the primary; started: used again', async () => {
    stopReplica();
    for (let i = 0; i < 6; i++) {
      const r = await request(`${stack.url}/v1/dashboard/tiles?period=28d`, { headers: auth });
      assert.equal(r.status, 200, r.text);
      assert.equal(await value(), 3);
      await sleep(300);
    }
    let r = await ingest(4);
    assert.equal(r.status, 200, r.text);
    assert.equal(await value(), 4);
    const d = await until('replica seen down', async () => { const x = await details(); return x.state === 'down' && x; });
    assert.equal(d.reads, 'primary');
    startReplica();
    await until('replica used again', async () => (await details()).reads === 'replica');
    await until('4 read through the replica', async () => (await value()) === 4);
    assert.equal((await request(`${stack.url}/v1/dashboard/tiles?period=7d`, { headers: auth })).status, 200);
    assert.ok(reads() >= 1, 'the replica serves the reads again');
  });
});
