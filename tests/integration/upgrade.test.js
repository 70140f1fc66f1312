'use strict';
// Upgrades that keep data (issue 21, part 5).  A database made by the
// previous release's migrations, with rows in every table and a value in
// every column, is brought up to today's migrations by `make migrate`;
// every row of every table is still there, column for column, and the
// pages render it.
//
// The previous release is the state of sql/ at PREVIOUS.commit (no tag was
// ever made); migrations are never edited once landed, so it is today's
// files up to PREVIOUS.latest, checked against git when git is at hand.
// "Latest" is whatever sql/ holds today: nothing here needs changing when
// a migration is added.  The rows are generated from the catalogue (a
// table with no rows after the fill fails the test), with realistic values
// where the pages read them (SEED); a type the generator does not know
// fails with the column's name.
//
// A migration that drops or rewrites old data on purpose names the table
// or column in CHANGED with why; anything else that changes fails.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startStack, request, ROOT, BIN, TOOLS } = require('./lib/stack');
const { Client, hidden } = require('./lib/browser');
const { secrets } = require('./lib/flows');

const PREVIOUS = { commit: 'a0e7085', latest: 120 };
// 'table' or 'table.column' -> why a later migration changes it.
const CHANGED = {};
const ROWS = 2;		// per table: two workspaces, each with its own rows

const EMAIL = (i) => `upgrade${i}@example.com`;
const PASSWORD = 'upgrade keeps data';
const API_KEY = `slk_${crypto.randomBytes(32).toString('base64url')}`;

// scrypt as lib/crypto writes it (cheap parameters; the stored ones say).
function passwordHash(pw) {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(pw, salt, 32, { N: 1 << 10, r: 8, p: 1 });
  return `$scrypt$ln=10,r=8,p=1$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;
const PW_HASH = passwordHash(PASSWORD);

// Values the pages and logins read: 'table.column' -> (row number) -> SQL.
const SEED = {
  'workspaces.name': (i) => lit(`Upgrade workspace ${i}`),
  'workspaces.time_zone': (i) => lit(i === 1 ? 'UTC' : 'Europe/Paris'),
  'users.email': (i) => lit(EMAIL(i)),
  'users.password_hash': () => lit(PW_HASH),
  'api_keys.prefix': () => lit(API_KEY.slice(0, 12)),
  'api_keys.key_hash': (i) => (i === 1 ? `decode(${lit(crypto.createHash('sha256').update(API_KEY).digest('hex'))}, 'hex')`
    : `decode(md5('other key'), 'hex')`),
  'api_keys.role': (i) => lit(i === 1 ? 'viewer' : 'admin'),
  'api_keys.revoked_at': (i) => (i === 1 ? 'NULL' : 'now()'),
  'connections.provider': (i) => lit(['ga4', 'slack'][(i - 1) % 2]),
  'connections.sandbox': () => 'true',
  'connections.accounts': (i) => lit(JSON.stringify([{ id: `acct-${i}`, name: `Account ${i}` }])),
  'connections.selected': (i) => lit(JSON.stringify([`acct-${i}`])),
  'metric_daily.provider': () => lit('ga4'),
  'metric_daily.metric': () => lit('sessions'),
  'metric_daily.day': (i) => `current_date - ${i}`,
  'sync_runs.provider': () => lit('ga4'),
  'sync_runs.status': () => lit('ok'),
  'sync_jobs.status': () => lit('done'),
  'sessions.expires_at': () => "now() + interval '1 day'",
};

function sqlFiles(dir) {
  return fs.readdirSync(dir).filter((f) => /^\d+_.*\.sql$/.test(f))
    .sort((x, y) => parseInt(x, 10) - parseInt(y, 10));
}

// The previous release's migrations in a folder the service user reads.
function previousSql() {
  const files = sqlFiles(path.join(ROOT, 'sql')).filter((f) => parseInt(f, 10) <= PREVIOUS.latest);
  const git = spawnSync('git', ['-C', ROOT, 'ls-tree', '--name-only', PREVIOUS.commit, 'sql/'], { encoding: 'utf8' });
  if (git.status === 0) {
    assert.deepEqual(git.stdout.trim().split('\n').map((f) => path.basename(f)).sort(), [...files].sort(),
      `sql/ at ${PREVIOUS.commit}`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-previous-sql-'));
  fs.chmodSync(dir, 0o755);
  for (const f of files) {
    let text = fs.readFileSync(path.join(ROOT, 'sql', f), 'utf8');
    if (git.status === 0) {
      const old = spawnSync('git', ['-C', ROOT, 'show', `${PREVIOUS.commit}:sql/${f}`], { encoding: 'utf8' });
      assert.equal(old.status, 0, old.stderr);
      assert.equal(text, old.stdout, `${f} was edited since ${PREVIOUS.commit}: migrations are never edited`);
      text = old.stdout;
    }
    fs.writeFileSync(path.join(dir, f), text, { mode: 0o644 });
  }
  return { dir, files };
}

// The catalogue: tables (schema_migrations aside: migrate owns it), their
// columns and foreign keys, and the values CHECK constraints allow.
function catalogue(stack) {
  const tables = stack.sql(`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations' ORDER BY 1`).map(([t]) => t);
  const cols = {};
  for (const [t, c, type, notnull, hasdef, ident, gen] of stack.sql(`SELECT c.relname, a.attname, format_type(a.atttypid, NULL),
      a.attnotnull, a.atthasdef, a.attidentity <> '', a.attgenerated <> ''
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') ORDER BY c.relname, a.attnum`)) {
    (cols[t] ||= []).push({ name: c, type, notnull: notnull === 't', hasdef: hasdef === 't', auto: ident === 't' || gen === 't' });
  }
  const fks = {};
  for (const [t, c, ft, fc] of stack.sql(`SELECT c.relname, a.attname, fc.relname, fa.attname
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class fc ON fc.oid = k.confrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
    JOIN pg_attribute fa ON fa.attrelid = k.confrelid AND fa.attnum = k.confkey[1]
    WHERE k.contype = 'f' AND n.nspname = 'public' AND cardinality(k.conkey) = 1`)) {
    (fks[t] ||= {})[c] = { table: ft, column: fc };
  }
  const allowed = {};
  for (const [t, def] of stack.sql(`SELECT c.relname, pg_get_constraintdef(k.oid) FROM pg_constraint k
    JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE k.contype = 'c' AND n.nspname = 'public'`)) {
    const m = def.match(/^CHECK \(\(\(?(\w+)\)? = ANY \(ARRAY\[(.*)\]\)\)\)$/);
    if (m) allowed[`${t}.${m[1]}`] = [...m[2].matchAll(/'((?:[^']|'')*)'::text/g)].map((v) => v[1]);
  }
  return { tables, cols, fks, allowed };
}

// Parents before children.
function order({ tables, fks }) {
  const done = [];
  const visit = (t, seen = new Set()) => {
    if (done.includes(t)) return;
    assert.ok(!seen.has(t), `foreign keys loop through ${t}`);
    seen.add(t);
    for (const fk of Object.values(fks[t] || {})) if (fk.table !== t) visit(fk.table, seen);
    done.push(t);
  };
  tables.forEach((t) => visit(t));
  return done;
}

// A value of a column's type for row i, unique per table, column and row.
function generated(t, col, i) {
  const tag = `${t}.${col.name}.${i}`;
  switch (col.type) {
    case 'bigint': case 'integer': case 'smallint': return String(i);
    case 'numeric': return `${i}.5`;
    case 'text': return lit(`${t}-${col.name}-${i}`);
    case 'bytea': return `decode(md5(${lit(tag)}), 'hex')`;
    case 'boolean': return i % 2 === 1 ? 'true' : 'false';
    case 'date': return `current_date - ${i}`;
    case 'timestamp with time zone': return `now() - interval '${i} hours'`;
    case 'jsonb': return lit(JSON.stringify({ upgrade: tag }));
    default: throw new Error(`upgrade.test.js: no value for ${t}.${col.name} of type ${col.type}: add the type to generated()`);
  }
}

// Fills every table with ROWS rows; row i of a child points at row i of
// its parent, so each workspace's rows stay its own.
function fill(stack, cat) {
  const keys = {};		// 'table.column' -> values by row
  const referenced = new Set(Object.values(cat.fks).flatMap((m) => Object.values(m)).map((f) => `${f.table}.${f.column}`));
  for (const t of order(cat)) {
    const names = [];
    const rows = [];
    const fk = cat.fks[t] || {};
    for (let i = 1; i <= ROWS; i++) {
      const vals = [];
      for (const col of cat.cols[t]) {
        const k = `${t}.${col.name}`;
        let v;
        if (col.auto) continue;
        if (SEED[k]) v = SEED[k](i);
        else if (fk[col.name]) v = lit(keys[`${fk[col.name].table}.${fk[col.name].column}`][i - 1]);
        else if (cat.allowed[k]) v = lit(cat.allowed[k][(i - 1) % cat.allowed[k].length]);
        else if (col.hasdef) continue;
        else v = generated(t, col, i);
        if (i === 1) names.push(col.name);
        vals.push(v);
      }
      rows.push(`(${vals.join(', ')})`);
    }
    stack.sql(`INSERT INTO ${t} (${names.join(', ')}) VALUES ${rows.join(', ')}`);
    for (const col of cat.cols[t]) {
      if (!referenced.has(`${t}.${col.name}`)) continue;
      keys[`${t}.${col.name}`] = stack.sql(`SELECT ${col.name}::text FROM ${t} ORDER BY ctid`).map(([v]) => v);
    }
  }
}

// Each table's rows: how many, a digest of the rows and one per column.
function snapshot(stack, cols) {
  const out = {};
  for (const [t, list] of Object.entries(cols)) {
    const digest = (expr) => `md5(coalesce(string_agg(${expr}, E'\\n' ORDER BY ${expr}), ''))`;
    const row = `ROW(${list.map((c) => `${c}::text`).join(', ')})::text`;
    const [[n, all, ...each]] = stack.sql(`SELECT count(*), ${digest(row)}, ${list.map((c) => digest(`coalesce(${c}::text, '(null)')`)).join(', ')} FROM ${t}`);
    out[t] = { rows: Number(n), digest: all, columns: Object.fromEntries(list.map((c, k) => [c, each[k]])) };
  }
  return out;
}

// Every table and column of the previous release is still there (or
// named in CHANGED), with the same rows.
function assertKept(stack, cols, before) {
  const now = catalogue(stack);
  const kept = {};
  for (const [tb, list] of Object.entries(cols)) {
    if (!now.tables.includes(tb)) {
      assert.ok(CHANGED[tb], `table ${tb} is gone after the upgrade`);
      continue;
    }
    if (CHANGED[tb]) continue;
    kept[tb] = list.filter((c) => {
      const here = now.cols[tb].some((x) => x.name === c);
      assert.ok(here || CHANGED[`${tb}.${c}`], `column ${tb}.${c} is gone after the upgrade`);
      return here && !CHANGED[`${tb}.${c}`];
    });
  }
  const after = snapshot(stack, kept);
  for (const [tb, list] of Object.entries(kept)) {
    assert.equal(after[tb].rows, before[tb].rows, `${tb}: rows after the upgrade`);
    for (const c of list) assert.equal(after[tb].columns[c], before[tb].columns[c], `${tb}.${c} changed by the upgrade`);
    if (list.length === cols[tb].length) assert.equal(after[tb].digest, before[tb].digest, `${tb}: rows changed by the upgrade`);
  }
}

const shell = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLUICE_')));
shell.SLUICE_ENV_FILE = '/dev/null';

test('an upgrade from the previous release keeps every row', async (t) => {
  const prev = previousSql();
  t.after(() => fs.rmSync(prev.dir, { recursive: true, force: true }));
  const stack = await startStack({ programs: ['api', 'pages'], env: { SLUICE_SQL_DIR: prev.dir, SLUICE_WORKER: '0' } });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const applied = stack.sql('SELECT version FROM schema_migrations ORDER BY 1').map(([v]) => Number(v));
  assert.deepEqual(applied, prev.files.map((f) => parseInt(f, 10)));
  assert.equal(Math.max(...applied), PREVIOUS.latest);

  // Rows in every table and a value in every column.
  const cat = catalogue(stack);
  fill(stack, cat);
  const sealed = spawnSync(path.join(TOOLS, 'vault_tool'), ['seal-lines'], {
    encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: secrets(stack).keys },
    input: stack.sql('SELECT workspace_id, provider, id FROM connections ORDER BY id')
      .map(([ws, p, id]) => `${ws} ${p} ${id} {"access_token":"tok-${id}","token_type":"Bearer"}\n`).join(''),
  });
  assert.equal(sealed.status, 0, sealed.stderr);
  const keyId = secrets(stack).keys.split(':')[0];
  const conns = stack.sql('SELECT id FROM connections ORDER BY id');
  sealed.stdout.trim().split('\n').forEach((blob, n) => {
    stack.sql(`UPDATE connections SET token_blob = ${lit(blob)}, key_id = ${lit(keyId)} WHERE id = ${conns[n][0]}`);
  });
  for (const tbl of cat.tables) {
    for (const col of cat.cols[tbl]) {
      const [[n, filled]] = stack.sql(`SELECT count(*), count(${col.name}) FROM ${tbl}`);
      assert.equal(Number(n), ROWS, `${tbl}: ${n} rows`);
      assert.ok(Number(filled) > 0, `${tbl}.${col.name}: no value in any row`);
    }
  }
  const cols = Object.fromEntries(cat.tables.map((tb) => [tb, cat.cols[tb].map((c) => c.name)]));
  const before = snapshot(stack, cols);

  await t.test('a backup of the previous release restores into today\'s code', async () => {
    const make = (st, ...args) => spawnSync('make', ['-s', '--no-print-directory', `VAR=${st.dir}`, ...args],
      { cwd: ROOT, env: shell, encoding: 'utf8', timeout: 300000 });
    const dump = path.join(stack.dir, 'previous.dump');
    let r = make(stack, 'backup', `FILE=${dump}`);
    assert.equal(r.status, 0, r.stderr);
    const fresh = await startStack({ programs: ['api'] });
    t.after(() => {
      const reports = fresh.stop();
      assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
    });
    r = make(fresh, 'restore', `FILE=${dump}`);
    assert.equal(r.status, 0, r.stderr);
    const today = sqlFiles(path.join(ROOT, 'sql'));
    const pending = today.filter((f) => parseInt(f, 10) > PREVIOUS.latest);
    assert.match(r.stdout, new RegExp(`restored data migrated to this code's schema \\(api migrate: ${pending.length} applied now, ${today.length} in all\\)`));
    for (const f of pending) assert.match(r.stdout, new RegExp(`^  ${f} applied in \\d+ ms`, 'm'));
    assertKept(fresh, cols, before);
  });

  await t.test('make migrate applies today\'s migrations and keeps the data', () => {
    const r = spawnSync('make', ['-s', '--no-print-directory', `VAR=${stack.dir}`, 'migrate'],
      { cwd: ROOT, env: shell, encoding: 'utf8', timeout: 300000 });
    assert.equal(r.status, 0, r.stderr);
    const today = sqlFiles(path.join(ROOT, 'sql'));
    assert.match(r.stdout, new RegExp(`migrations: ${today.length - prev.files.length} applied now, ${today.length} in all`));
    assert.deepEqual(stack.sql('SELECT version FROM schema_migrations ORDER BY 1').map(([v]) => Number(v)),
      today.map((f) => parseInt(f, 10)));
    assertKept(stack, cols, before);
    // The sealed tokens still open.
    for (const [ws, p, id, blob] of stack.sql('SELECT workspace_id, provider, id, token_blob FROM connections ORDER BY id')) {
      const o = spawnSync(path.join(TOOLS, 'vault_tool'), ['open', ws, p, id, blob],
        { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: secrets(stack).keys } });
      assert.equal(o.status, 0, o.stderr);
      assert.match(o.stdout, new RegExp(`tok-${id}`));
    }
  });

  await t.test('api migrate logs how long each migration held its locks', () => {
    stack.sql('CREATE DATABASE timing OWNER sluice', { admin: true });
    const url = stack.dbUrl.replace('dbname=sluice', 'dbname=timing');
    const today = sqlFiles(path.join(ROOT, 'sql'));
    const r = stack.cli('api', ['migrate'], { SLUICE_DATABASE_URL: url, SLUICE_SQL_DIR: path.join(stack.dir, 'app/sql') });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((l) => l.event === 'migration');
    assert.deepEqual(lines.map((l) => l.msg.split(' ')[0]), today);
    for (const l of lines) assert.match(l.msg, /^\S+\.sql applied in \d+ ms \(its locks were held that long\)$/);
    // Nothing pending: nothing logged.
    const again = stack.cli('api', ['migrate'], { SLUICE_DATABASE_URL: url, SLUICE_SQL_DIR: path.join(stack.dir, 'app/sql') });
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /"migration"/);
    stack.sql('DROP DATABASE timing', { admin: true });
  });

  await t.test('the pages and the API show the upgraded data', async () => {
    // The programs as `make run` starts them: today's migrations installed.
    const env = { ...stack.env };
    delete env.SLUICE_SQL_DIR;
    for (const args of [['stop', stack.dir], ['start', stack.dir, String(stack.port), BIN, 'api pages']]) {
      const r = spawnSync('bash', [path.join(ROOT, 'nginx/stack.sh'), ...args], { env, encoding: 'utf8', timeout: 120000 });
      assert.equal(r.status, 0, `stack.sh ${args[0]}: ${r.stdout}${r.stderr}`);
    }
    const ready = await request(`${stack.url}/readyz`);
    assert.equal(ready.status, 200, ready.text);
    const c = new Client(stack.url);
    const page = await c.get('/login');
    const login = await c.post('/login', { pre: hidden(page.text, 'pre'), email: EMAIL(1), password: PASSWORD });
    assert.equal(login.status, 303, `login: ${login.text.slice(0, 200)}`);
    const dash = await c.get('/dashboard');
    assert.equal(dash.status, 200, dash.text.slice(0, 300));
    assert.match(dash.text, /Upgrade workspace 1/);
    const list = await c.get('/connections');
    assert.equal(list.status, 200, list.text.slice(0, 300));
    assert.match(list.text, /Google Analytics/);
    const one = await c.get('/connections/ga4');
    assert.equal(one.status, 200, one.text.slice(0, 300));
    const api = await request(`${stack.url}/v1/connections`, { headers: { authorization: `Bearer ${API_KEY}` } });
    assert.equal(api.status, 200, api.text);
    assert.match(api.text, /"ga4"/);
    const tiles = await request(`${stack.url}/v1/dashboard/tiles?period=7d`, { headers: { authorization: `Bearer ${API_KEY}` } });
    assert.equal(tiles.status, 200, tiles.text);
  });
});
