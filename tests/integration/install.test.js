'use strict';
// Installation from any clone, and the database locked to the services:
// a checkout in a folder other users cannot enter (like /root or a
// mktemp -d folder) starts with its state away from the checkout; nobody
// but the service user (and root) reaches PostgreSQL, there is no TCP
// listener unless asked, the services' role is no superuser, files are
// private; a cluster made by an older Sluice with trust authentication is
// upgraded with its data.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { request, freePort, ROOT, BIN } = require('./lib/stack');

const PGBIN = '/usr/lib/postgresql/15/bin';

function sh(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: 120000, ...opts });
}

// psql as an OS user (root when user is null); returns the result.
function psql(osUser, socketDir, port, role, sql, extra = []) {
  const args = [`${PGBIN}/psql`, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
    '-h', socketDir, '-p', String(port), '-U', role, '-d', 'sluice', ...extra, '-c', sql];
  return osUser ? sh('runuser', ['-u', osUser, '--', ...args]) : sh(args[0], args.slice(1));
}

// Running and not a zombie (PID 1 here may never reap).
function isAlive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch { return false; }
}

// /readyz on a fresh connection: a start reloads nginx, whose old workers
// close the connections they kept (a kept one may be closed under us).
async function ready(port) {
  for (let i = 0; ; i++) {
    try {
      return await request(`http://127.0.0.1:${port}/readyz`);
    } catch (e) {
      if (i >= 5) throw e;
      await new Promise((res) => setTimeout(res, 200));
    }
  }
}

function tcpRefused(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(false); });
    s.on('error', (e) => resolve(e.code === 'ECONNREFUSED'));
  });
}

// A copy of what a clone holds that stack.sh uses, in a 0700 folder.
function makeClone() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-home-'));
  fs.chmodSync(home, 0o700);
  const clone = path.join(home, 'sluice');
  fs.mkdirSync(clone);
  for (const d of ['nginx', 'templates', 'sql']) {
    fs.cpSync(path.join(ROOT, d), path.join(clone, d), { recursive: true });
  }
  return { home, clone };
}

// Sanitizer reports of the stack's programs go to a folder they may write.
function sanEnv(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o1777);
  return {
    ASAN_OPTIONS: `log_path=${dir}/asan:detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1`,
    UBSAN_OPTIONS: `log_path=${dir}/ubsan:print_stacktrace=1:halt_on_error=1`,
  };
}

function sanReports(dir) {
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')) : [];
}

test('a clone in a folder nobody else may enter', async (t) => {
  const { home, clone } = makeClone();
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-state-'));
  fs.chmodSync(top, 0o755);
  // Like /var/lib/sluice on a new machine: not there yet.
  const base = path.join(top, 'lib/sluice');
  const port = await freePort();
  const pgPort = await freePort();
  const san = path.join(top, 'san');
  const env = { ...process.env, SLUICE_ENV_FILE: '/dev/null', SLUICE_STATE_BASE: base, SLUICE_PG_PORT: String(pgPort), SLUICE_FCGI_PROCS: '1', ...sanEnv(san) };
  const stackSh = path.join(clone, 'nginx/stack.sh');
  let stateDir = null;
  t.after(() => {
    sh('bash', [stackSh, 'stop'], { env });
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(top, { recursive: true, force: true });
  });

  await t.test('starts, and says where its state lives', async () => {
    const r = sh('bash', [stackSh, 'start', '', String(port), BIN, 'api'], { env });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const m = r.stdout.match(/state and logs: (\S+)/);
    assert.ok(m, r.stdout);
    stateDir = m[1];
    assert.match(stateDir, new RegExp(`^${base}/sluice-[0-9a-f]{8}$`));
    assert.equal(fs.statSync(base).mode & 0o777, 0o755, 'the base folder is not open to the service user');
    assert.equal(fs.readlinkSync(path.join(clone, 'var')), stateDir);
    assert.equal(sh('bash', [stackSh, 'where'], { env }).stdout.trim(), stateDir);
    const ready = await request(`http://127.0.0.1:${port}/readyz`);
    assert.equal(ready.status, 200, ready.text);
    assert.equal(ready.json.status, 'ok');
  });

  await t.test('nothing the services run is read from the checkout', () => {
    for (const pid of fs.readFileSync(path.join(stateDir, 'svc/api.pid'), 'utf8').split(/\s+/).filter(Boolean)) {
      assert.ok(fs.readlinkSync(`/proc/${pid}/exe`).startsWith(`${stateDir}/app/bin/`));
    }
    // The service user may read its copy but not change it.
    assert.equal(sh('runuser', ['-u', 'sluice', '--', 'test', '-r', `${stateDir}/app/bin/api`]).status, 0);
    assert.notEqual(sh('runuser', ['-u', 'sluice', '--', 'test', '-w', `${stateDir}/app/bin/api`]).status, 0);
    assert.notEqual(sh('runuser', ['-u', 'sluice', '--', 'test', '-x', clone]).status, 0, 'the test clone is reachable');
  });

  await t.test('a second start is harmless', async () => {
    const r = sh('bash', [stackSh, 'start', '', String(port), BIN, 'api'], { env });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /api: already running/);
    assert.equal((await ready(port)).status, 200);
  });

  await t.test('only the service user and root reach the database, and not as a superuser', async () => {
    const sock = path.join(stateDir, 'svc');
    // Another local user: not through the socket, and there is no TCP.
    const nobody = psql('nobody', sock, pgPort, 'sluice', 'SELECT 1');
    assert.notEqual(nobody.status, 0, 'nobody connected');
    const nobodyAdmin = psql('nobody', sock, pgPort, 'postgres', 'SELECT 1');
    assert.notEqual(nobodyAdmin.status, 0, 'nobody connected as postgres');
    assert.ok(await tcpRefused(pgPort), 'PostgreSQL listens on TCP');
    // The services' role is no superuser and cannot run programs.
    const su = psql(null, sock, pgPort, 'sluice', 'SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user');
    assert.equal(su.status, 0, su.stderr);
    assert.equal(su.stdout.trim(), 'f|f|f');
    const prog = psql(null, sock, pgPort, 'sluice', "COPY (SELECT 1) TO PROGRAM 'id'");
    assert.notEqual(prog.status, 0);
    assert.match(prog.stderr, /superuser|pg_execute_server_program/);
    // The service user cannot become the superuser either.
    const svcAdmin = psql('sluice', sock, pgPort, 'postgres', 'SELECT 1');
    assert.notEqual(svcAdmin.status, 0, 'the service user connected as postgres');
    assert.match(svcAdmin.stderr, /Peer authentication failed/);
    const hba = fs.readFileSync(path.join(stateDir, 'pg/pg_hba.conf'), 'utf8');
    assert.doesNotMatch(hba.replace(/^#.*$/mg, ''), /\btrust\b/);
  });

  await t.test('the service user cannot steer what root writes', () => {
    // Root writes pid files, nginx's logs and its configuration: only in
    // folders the service user may not change.
    for (const d of ['.', 'run', 'log', 'nginx', 'nginx/tmp', 'app']) {
      const f = path.join(stateDir, d, 'planted');
      const r = sh('runuser', ['-u', 'sluice', '--', 'ln', '-s', '/etc/passwd', f]);
      assert.notEqual(r.status, 0, `the service user could plant a link in ${d}`);
      assert.equal(fs.statSync(path.join(stateDir, d)).uid, 0, `${d} is not root's`);
    }
    // What the service user owns, root only reads.
    assert.equal(fs.statSync(path.join(stateDir, 'svc')).uid, Number(sh('id', ['-u', 'sluice']).stdout.trim()));
  });

  await t.test('links and pid files the service user plants do not move root', async () => {
    // Links where root's start used to write PostgreSQL's auth files.
    const victim = path.join(top, 'victim');
    fs.writeFileSync(victim, 'root\'s own\n', { mode: 0o644 });
    const victim2 = path.join(top, 'victim2');
    for (const [f, target] of [['pg_hba.conf.new', victim], ['pg_ident.conf.new', victim2]]) {
      const r = sh('runuser', ['-u', 'sluice', '--', 'ln', '-s', target, path.join(stateDir, 'pg', f)]);
      assert.equal(r.status, 0, r.stderr);
    }
    // A pid file naming a process of root's that is not Sluice's.
    const bystander = require('node:child_process').spawn('sleep', ['600'], { stdio: 'ignore', detached: true });
    t.bystander = bystander.pid;
    t.after(() => { try { process.kill(bystander.pid, 'SIGKILL'); } catch { /* gone */ } });
    for (const f of ['sleep.pid', 'api.pid.x', 'rootdaemon.pid']) {
      sh('runuser', ['-u', 'sluice', '--', 'sh', '-c', `echo ${bystander.pid} > ${path.join(stateDir, 'svc', f)}`]);
    }
    const r = sh('bash', [stackSh, 'start', '', String(port), BIN, 'api'], { env });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'root\'s own\n');
    assert.equal(fs.statSync(victim).uid, 0);
    assert.ok(!fs.existsSync(victim2), 'root made a file through a planted link');
    assert.equal((await ready(port)).status, 200);
    const st = sh('bash', [stackSh, 'status'], { env });
    assert.doesNotMatch(st.stdout, /sleep|rootdaemon/);
  });

  await t.test('a state folder below another user\'s folder is refused', () => {
    const theirs = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-theirs-'));
    try {
      sh('chown', ['nobody', theirs]);
      const r = sh('bash', [stackSh, 'start', path.join(theirs, 'sub/var'), String(port + 2), BIN, 'api'], { env });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /belongs to another user/);
      const s2 = sh('bash', [stackSh, 'stop', theirs], { env });
      assert.notEqual(s2.status, 0, 'stop trusted another user\'s folder');
    } finally {
      fs.rmSync(theirs, { recursive: true, force: true });
    }
  });

  await t.test('a state folder of another user is refused', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-other-'));
    try {
      sh('chown', ['nobody', other]);
      const r = sh('bash', [stackSh, 'start', other, String(port + 1), BIN, 'api'], { env });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /belongs to another user/);
      assert.deepEqual(fs.readdirSync(other), [], 'it wrote into the folder');
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  await t.test('logs and secrets are private', () => {
    const logdir = path.join(stateDir, 'log');
    const files = fs.readdirSync(logdir);
    for (const f of ['api.log', 'nginx-access.log', 'initdb.log', 'postgres.log']) assert.ok(files.includes(f), `${f} missing`);
    for (const f of files) {
      const mode = fs.statSync(path.join(logdir, f)).mode & 0o777;
      assert.equal(mode & 0o027, 0, `${f} is ${mode.toString(8)}`);
    }
    assert.equal(fs.statSync(path.join(stateDir, 'secrets.env')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(stateDir).mode & 0o007, 0, 'the state folder is open to others');
  });

  await t.test('stop, from the clone without naming the state, leaves nothing', async () => {
    const pids = fs.readFileSync(path.join(stateDir, 'svc/api.pid'), 'utf8').split(/\s+/).filter(Boolean).map(Number);
    const r = sh('bash', [stackSh, 'stop'], { env });
    assert.equal(r.status, 0, r.stderr);
    for (const pid of pids) assert.ok(!isAlive(pid), `pid ${pid} still running`);
    assert.ok(t.bystander && isAlive(t.bystander), 'stop killed a process that is not Sluice\'s');
    assert.ok(!fs.existsSync(path.join(stateDir, 'pg/postmaster.pid')));
    assert.ok(await tcpRefused(port));
    assert.deepEqual(sanReports(san), []);
  });
});

test('a cluster made with trust authentication is upgraded with its data', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-legacy-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const pgPort = await freePort();
  const san = path.join(dir, 'san');
  const env = { ...process.env, SLUICE_ENV_FILE: '/dev/null', SLUICE_PG_PORT: String(pgPort), SLUICE_PG_LISTEN: '127.0.0.1', SLUICE_FCGI_PROCS: '1', ...sanEnv(san) };
  const stackSh = path.join(ROOT, 'nginx/stack.sh');
  t.after(() => {
    sh('bash', [stackSh, 'stop', dir], { env });
    fs.rmSync(dir, { recursive: true, force: true });
  });
  // What the earlier nginx/stack.sh made: the services' role the
  // bootstrap superuser, every local connection trusted.
  for (const d of ['pg', 'run', 'log']) {
    fs.mkdirSync(path.join(dir, d));
    sh('chown', ['sluice:', path.join(dir, d)]);
  }
  fs.chmodSync(path.join(dir, 'pg'), 0o700);
  const asSluice = (args) => sh('runuser', ['-u', 'sluice', '--', ...args]);
  let r = asSluice([`${PGBIN}/initdb`, '-D', `${dir}/pg`, '-U', 'sluice', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  assert.equal(r.status, 0, r.stderr);
  r = asSluice([`${PGBIN}/pg_ctl`, '-D', `${dir}/pg`, '-w', '-l', `${dir}/log/postgres.log`, '-o', `-p ${pgPort} -k ${dir}/run -c listen_addresses=''`, 'start']);
  assert.equal(r.status, 0, r.stderr);
  r = asSluice([`${PGBIN}/createdb`, '-h', `${dir}/run`, '-p', String(pgPort), '-U', 'sluice', 'sluice']);
  assert.equal(r.status, 0, r.stderr);
  r = asSluice([`${PGBIN}/psql`, '-X', '-q', '-h', `${dir}/run`, '-p', String(pgPort), '-U', 'sluice', '-d', 'sluice',
    '-c', 'CREATE TABLE legacy_probe (x int); INSERT INTO legacy_probe VALUES (42)']);
  assert.equal(r.status, 0, r.stderr);
  r = asSluice([`${PGBIN}/pg_ctl`, '-D', `${dir}/pg`, '-w', 'stop']);
  assert.equal(r.status, 0, r.stderr);

  r = sh('bash', [stackSh, 'start', dir, String(port), BIN, 'api'], { env });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /upgrading .*trusted every local connection/);
  assert.equal((await request(`http://127.0.0.1:${port}/readyz`)).status, 200);
  const sock = path.join(dir, 'svc');
  const rows = psql(null, sock, pgPort, 'sluice', 'SELECT x FROM legacy_probe');
  assert.equal(rows.status, 0, rows.stderr);
  assert.equal(rows.stdout.trim(), '42');
  const owner = psql(null, sock, pgPort, 'sluice', "SELECT tableowner FROM pg_tables WHERE tablename = 'legacy_probe'");
  assert.equal(owner.stdout.trim(), 'sluice');
  const su = psql(null, sock, pgPort, 'sluice', 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
  assert.equal(su.stdout.trim(), 'f');
  assert.ok(fs.readdirSync(dir).some((f) => /^pg\.trust-\d{14}$/.test(f)), 'the old cluster was not kept');
  // Asked to listen on TCP: a login there needs a password.
  const tcp = sh(`${PGBIN}/psql`, ['-X', '-w', '-h', '127.0.0.1', '-p', String(pgPort), '-U', 'sluice', '-d', 'sluice', '-c', 'SELECT 1']);
  assert.notEqual(tcp.status, 0);
  assert.match(tcp.stderr, /password/);
  assert.deepEqual(sanReports(san), []);
});
