'use strict';
// Backups that restore (issue 21, part 4): `make backup` of a stack with a
// workspace, a login, synced sandbox connections and an API key; `make
// restore` into a fresh stack given the same keys (secrets.env) brings back
// every table's rows, the login, the key and tokens that still open; into
// a stack with other keys the tokens do not open, which is said plainly
// and breaks nothing.  A restore over data is refused unless FORCE=1.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { request, ROOT, BIN } = require('./lib/stack');
const { Client, hidden } = require('./lib/browser');
const { setupOwner, connectSandbox, syncStack, secrets, runWorker } = require('./lib/flows');

const EMAIL = 'owner@example.com';
const PASSWORD = 'correct horse battery';
const PROVIDERS = ['ga4', 'slack'];

// An operator's shell: no SLUICE_* variable at all (cli.test.js).
const shell = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLUICE_')));
shell.SLUICE_ENV_FILE = '/dev/null';

function make(stack, ...args) {
  return spawnSync('make', ['-s', '--no-print-directory', `VAR=${stack.dir}`, ...args],
    { cwd: ROOT, env: shell, encoding: 'utf8', timeout: 120000 });
}

// Every table of the schema with its row count (the catalogue, so a table
// added later is counted too).
function counts(stack) {
  const tables = stack.sql(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`).map(([n]) => n);
  const q = tables.map((n) => `SELECT '${n}', count(*) FROM public.${n}`).join(' UNION ALL ');
  return Object.fromEntries(stack.sql(q).map(([n, c]) => [n, Number(c)]));
}

// Stops a stack's programs and starts them again with what its state
// directory now holds (a secrets.env put back by the operator).
function restart(stack) {
  for (const args of [['stop', stack.dir],
    ['start', stack.dir, String(stack.port), BIN, stack.programs.join(' ')]]) {
    const r = spawnSync('bash', [path.join(ROOT, 'nginx/stack.sh'), ...args], { env: stack.env, encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, `stack.sh ${args[0]}: ${r.stdout}${r.stderr}`);
  }
}

async function login(url) {
  const c = new Client(url);
  const page = await c.get('/login');
  const r = await c.post('/login', { pre: hidden(page.text, 'pre'), email: EMAIL, password: PASSWORD });
  return { c, status: r.status };
}

// Asks for a sync of every connection through the API and runs the
// worker; returns each provider's newest run [provider, status, error].
async function syncAll(stack, key) {
  for (const p of PROVIDERS) {
    const r = await request(`${stack.url}/v1/connections/${p}/sync`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    assert.equal(r.status, 202, `${p} sync: ${r.status} ${r.text}`);
  }
  runWorker(stack);
  return stack.sql(`SELECT DISTINCT ON (provider) provider, status, coalesce(error, '')
                    FROM sync_runs ORDER BY provider, id DESC`);
}

test('backup and restore', async (t) => {
  // The installation backed up.
  const a = await syncStack(t);
  const owner = await setupOwner(a.url, { email: EMAIL, password: PASSWORD });
  for (const p of PROVIDERS) {
    const { res } = await connectSandbox(owner, p);
    assert.equal(res.status, 303, `${p}: ${res.text.slice(0, 300)}`);
  }
  const [[ws]] = a.sql('SELECT id FROM workspaces');
  let r = make(a, 'api-key', `WS=${ws}`, 'NAME=backup test', 'ROLE=admin');
  assert.equal(r.status, 0, r.stderr);
  const key = r.stdout.trim();
  for (const [p, status, error] of await syncAll(a, key)) assert.equal(status, 'ok', `${p}: ${error}`);
  const before = counts(a);
  for (const n of ['workspaces', 'users', 'memberships', 'sessions', 'api_keys', 'connections',
    'sync_jobs', 'sync_runs', 'sync_accounts', 'metric_daily', 'communications']) {
    assert.ok(before[n] > 0, `nothing in ${n} to back up`);
  }
  const [[sum]] = a.sql('SELECT sum(value) FROM metric_daily');
  const keysA = secrets(a).keys;
  const cronA = secrets(a).cron;
  let dump;

  await t.test('make backup writes a dump and says where the keys are', () => {
    r = make(a, 'backup');
    assert.equal(r.status, 0, r.stderr);
    const m = r.stdout.match(/^backup: (\S+) \(/m);
    assert.ok(m, r.stdout);
    dump = m[1];
    assert.equal(path.dirname(dump), path.join(a.dir, 'backups'));
    assert.match(path.basename(dump), /^sluice-\d{8}T\d{6}Z\.dump$/);
    const st = fs.statSync(dump);
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(st.uid, process.getuid());
    assert.equal(fs.readFileSync(dump).subarray(0, 5).toString(), 'PGDMP', 'pg_dump custom format');
    assert.ok(r.stdout.includes(path.join(a.dir, 'secrets.env')), r.stdout);
    assert.match(r.stdout, /useless without those keys/);
    assert.match(r.stdout, /NOT in the dump: back that file up separately/);
    assert.ok(r.stdout.includes(`key ids used: ${keysA.split(':')[0]}`), r.stdout);
    // Never a secret.
    for (const s of [keysA.slice(keysA.indexOf(':') + 1), cronA, key]) {
      assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), 'a secret was printed');
    }
    // A named file: made, and never overwritten.
    const named = path.join(a.dir, 'named.dump');
    r = make(a, 'backup', `FILE=${named}`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.statSync(named).mode & 0o777, 0o600);
    r = make(a, 'backup', `FILE=${named}`);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /exists; give another FILE/);
    assert.deepEqual(fs.readdirSync(a.dir).filter((f) => f.includes('partial')), []);
  });

  await t.test('restore into a fresh stack with the same keys', async () => {
    const b = await syncStack(t);
    // The operator puts the backed-up secrets.env in place and restarts.
    fs.copyFileSync(path.join(a.dir, 'secrets.env'), path.join(b.dir, 'secrets.env'));
    restart(b);
    assert.equal(secrets(b).keys, keysA);
    const usage = make(b, 'restore');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /make restore FILE=/);
    r = make(b, 'restore', `FILE=${dump}`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /restored data migrated to this code's schema/);
    assert.match(r.stdout, /restored: 1 workspace\(s\), 1 user\(s\), 2 connection\(s\)/);
    assert.match(r.stdout, /key id\(s\) \(\S+\) are configured here/);
    assert.deepEqual(counts(b), before);
    assert.deepEqual(b.sql('SELECT sum(value) FROM metric_daily'), [[sum]]);
    // Only the restored database is left (the empty one was dropped).
    assert.deepEqual(b.sql(`SELECT datname FROM pg_database WHERE datname LIKE 'sluice%' ORDER BY 1`, { admin: true }), [['sluice']]);

    // The login, the pages, the API key and the sealed tokens.
    const { c, status } = await login(b.url);
    assert.equal(status, 303, 'login with the restored password');
    for (const page of ['/dashboard', '/connections', '/connections/ga4']) {
      const res = await c.get(page);
      assert.equal(res.status, 200, `${page}: ${res.text.slice(0, 200)}`);
    }
    const conns = await request(`${b.url}/v1/connections`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(conns.status, 200);
    assert.equal(conns.text.includes('"ga4"') && conns.text.includes('"slack"'), true, conns.text);
    const runs = await syncAll(b, key);
    assert.deepEqual(runs.map(([p]) => p), PROVIDERS);
    for (const [p, status, error] of runs) assert.equal(status, 'ok', `${p} after restore: ${error}`);

    // Restoring over data is refused, saying what would be lost.
    const n = counts(b);
    r = make(b, 'restore', `FILE=${dump}`);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /is not empty: it has 1 workspace\(s\), 1 user\(s\), 2 connection\(s\) and \d+ metric row\(s\), which restoring would replace/);
    assert.match(r.stderr, /FORCE=1/);
    assert.deepEqual(counts(b), n, 'a refused restore changed nothing');
    // FORCE=1 replaces it and keeps the replaced database aside.
    r = make(b, 'restore', `FILE=${dump}`, 'FORCE=1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /the replaced database is kept as sluice_before_restore_\d{14}/);
    assert.deepEqual(counts(b), before);
    const dbs = b.sql(`SELECT datname FROM pg_database WHERE datname LIKE 'sluice%' ORDER BY 1`, { admin: true });
    assert.equal(dbs.length, 2);
    assert.equal((await request(`${b.url}/v1/connections`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
  });

  await t.test('restore with other keys: the tokens do not open, nothing crashes', async () => {
    const idA = keysA.split(':')[0];
    // A fresh stack whose secrets.env holds keys, restored from the dump.
    const restoredWith = async (keys) => {
      const c = await syncStack(t);
      const file = path.join(c.dir, 'secrets.env');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^SLUICE_ENCRYPTION_KEYS=.*$/m, `SLUICE_ENCRYPTION_KEYS=${keys}`));
      restart(c);
      r = make(c, 'restore', `FILE=${dump}`);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(!r.stdout.includes(keys.split(':')[1]), 'a key was printed');
      assert.deepEqual(counts(c), before);
      return c;
    };
    // The sync says the tokens do not open; the pages still work.
    const unopened = async (c) => {
      const runs = await syncAll(c, key);
      assert.equal(runs.length, PROVIDERS.length);
      for (const [p, status, error] of runs) {
        assert.equal(status, 'auth', `${p}: ${status} ${error}`);
        assert.match(error, /stored tokens do not open/, p);
      }
      const { c: client, status } = await login(c.url);
      assert.equal(status, 303);
      for (const page of ['/dashboard', '/connections', '/connections/ga4']) {
        const res = await client.get(page);
        assert.equal(res.status, 200, `${page}: ${res.status}`);
      }
    };
    const newKey = () => crypto.randomBytes(32).toString('base64');
    // Keys under another id: restore says which ids are missing.
    let c = await restoredWith(`kother:${newKey()}`);
    assert.match(r.stdout, new RegExp(`WARNING: the restored tokens are sealed with key id\\(s\\) ${idA}, which this installation does not have`));
    assert.match(r.stdout, /secrets\.env that goes with this backup/);
    await unopened(c);
    // Another key under the same id (every stack made the same day gets
    // the same id): restore cannot tell, the sync does.
    c = await restoredWith(`${idA}:${newKey()}`);
    assert.match(r.stdout, new RegExp(`key id\\(s\\) \\(${idA}\\) are configured here; they open only if`));
    await unopened(c);
  });
});
