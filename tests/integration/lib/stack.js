'use strict';
// A private Sluice stack for one test file: its own PostgreSQL cluster,
// programs and nginx under a temporary directory, on free loopback ports.
// Started and stopped through nginx/stack.sh, the same script `make run`
// uses.  Sanitizer reports of the programs land in DIR/log/asan.*; stop()
// returns them so a test can fail on any.
//
// Nothing is left running, whatever happens: a stack that fails to start
// is stopped before the error is thrown; one still running when the
// process exits (a test that never reached its after(), a time limit's
// SIGTERM, an uncaught error) is stopped then; and when tests/run.sh
// names a file in $SLUICE_TEST_STACKS, each stack is written there when it
// starts and when it is stopped, so run.sh stops what a killed process
// left behind.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../../..');
const STACK = path.join(ROOT, 'nginx/stack.sh');
const BIN = process.env.SLUICE_BIN || path.join(ROOT, 'build/asan/bin');
const FIXTURES = path.join(ROOT, 'tests/fixtures');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Runs stack.sh in a session of its own, so that a signal sent to this
// process's group (a time limit, an interrupted run) cannot cut a start or
// a stop short: a start cut short can leave programs no pid file names.
// timeout(1) ends the script, and what it started that stayed in its
// group (a program hanging in `api migrate`), after 110 s.
function run(args, env) {
  const r = spawnSync('setsid', ['-w', 'timeout', '-k', '5', '110', 'bash', STACK, ...args], {
    env, encoding: 'utf8', timeout: 130000,
  });
  if (r.status !== 0) {
    const why = r.status === 124 ? ' (still running after 110 s)'
      : r.error ? ` (${r.error.message})` : r.signal ? ` (${r.signal})` : '';
    throw new Error(`stack.sh ${args[0]} failed (${r.status})${why}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

// Stacks started by this process and not stopped yet: dir -> env.
const live = new Map();

// A line in run.sh's list of stacks ("start PID DIR" / "stopped PID DIR"),
// while run.sh keeps one.
function note(what, dir) {
  const list = process.env.SLUICE_TEST_STACKS;
  if (list && fs.existsSync(list)) fs.appendFileSync(list, `${what} ${process.pid} ${dir}\n`);
}

// Stops one stack once, on clean-up paths, and removes its directory
// (kept with SLUICE_KEEP, or when it could not be stopped: the error says
// why rather than being thrown).
function forceStop(dir, env) {
  if (!live.has(dir)) return;
  live.delete(dir);
  try {
    run(['stop', dir], env);
  } catch (e) {
    process.stderr.write(`stack: could not stop ${dir}: ${e.message}\n`);
    return;
  }
  note('stopped', dir);
  if (!process.env.SLUICE_KEEP) fs.rmSync(dir, { recursive: true, force: true });
}

// At exit, and on the signals a time limit or a person sends, stop what
// is still running (an exit handler may only do synchronous work, which
// spawnSync is).
let guarded = false;
function guardExit() {
  if (guarded) return;
  guarded = true;
  process.on('exit', () => {
    for (const [dir, env] of [...live]) forceStop(dir, env);
  });
  for (const [sig, n] of [['SIGTERM', 15], ['SIGINT', 2], ['SIGHUP', 1]]) {
    process.on(sig, () => {
      process.stderr.write(`stack: ${sig}: stopping ${live.size} stack(s)\n`);
      process.exit(128 + n);
    });
  }
}

// The last lines of the stack's logs, for an error message.
function logTails(dir) {
  const logdir = path.join(dir, 'log');
  const out = [];
  for (const f of fs.existsSync(logdir) ? fs.readdirSync(logdir).sort() : []) {
    const file = path.join(logdir, f);
    if (!fs.statSync(file).isFile()) continue;
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n').filter(Boolean);
    if (lines.length > 0) out.push(`--- ${f}:\n${lines.slice(-10).join('\n')}`);
  }
  return out.join('\n');
}

// The children of a process (from /proc).
function childrenOf(ppid) {
  const kids = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[1]) === ppid && rest[0] !== 'Z') kids.push(Number(d));
    } catch { /* gone */ }
  }
  return kids.sort((a, b) => a - b);
}

// A program's PIDs: the one in its pid file (the supervisor, or nginx's
// master) first, then that process's children.  Supervisors write theirs
// in svc/, root's are in run/ (nginx/stack.sh).
function pids(dir, name) {
  let f = path.join(dir, 'svc', `${name}.pid`);
  if (!fs.existsSync(f)) f = path.join(dir, 'run', `${name}.pid`);
  if (!fs.existsSync(f)) return [];
  const top = fs.readFileSync(f, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  return top.flatMap((p) => [p, ...childrenOf(p)]);
}

// Running and not a zombie (PID 1 here may never reap daemons).
function isAlive(pid) {
  try { process.kill(pid, 0); } catch { return false; }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch { return false; }
}

async function startStack({ programs = ['api'], env = {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-test-'));
  const port = await freePort();
  const pgPort = await freePort();
  const fullEnv = {
    ...process.env,
    SLUICE_PG_PORT: String(pgPort),
    // The checkout's sluice.env is the operator's, never a test's.
    SLUICE_ENV_FILE: '/dev/null',
    SLUICE_FCGI_PROCS: process.env.SLUICE_FCGI_PROCS || '2',
    // No mail files (VAR/mail, the sandbox's default) unless a test asks.
    SLUICE_MAIL_DIR: '',
    ASAN_OPTIONS: `log_path=${dir}/log/asan:detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1`,
    UBSAN_OPTIONS: `log_path=${dir}/log/ubsan:print_stacktrace=1:halt_on_error=1`,
    ...env,
  };
  guardExit();
  live.set(dir, fullEnv);
  note('start', dir);
  try {
    run(['start', dir, String(port), BIN, programs.join(' ')], fullEnv);
  } catch (e) {
    // Stop what the script started before it failed, keep its logs in
    // the message, and leave nothing behind.
    const tails = logTails(dir);
    forceStop(dir, fullEnv);
    e.message += tails ? `\nlogs of ${dir}:\n${tails}` : '';
    throw e;
  }
  const url = `http://127.0.0.1:${port}`;
  // The owner role the programs use; adminUrl is the cluster's superuser
  // (both by peer authentication: the tests run as root).
  const dbUrl = `host=${dir}/svc port=${pgPort} dbname=sluice user=sluice`;
  const adminUrl = `host=${dir}/svc port=${pgPort} dbname=sluice user=postgres`;
  let stopped = false;
  return {
    url, dir, port, pgPort, programs, env: fullEnv,
    pids: (name) => pids(dir, name),
    isAlive,
    dbUrl,
    adminUrl,
    // Runs SQL through psql as the owner role (as the superuser with
    // { admin: true }); returns the rows as arrays of strings.
    sql(query, { admin = false } = {}) {
      const r = spawnSync('/usr/lib/postgresql/15/bin/psql',
        ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d', admin ? adminUrl : dbUrl, '-f', '-'],
        { encoding: 'utf8', timeout: 30000, input: query, maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`psql: ${r.stderr || r.error}`);
      return r.stdout.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
    },
    // Runs a program's command-line mode against this stack's database.
    cli(program, args, env = {}) {
      return spawnSync(path.join(BIN, program), args, {
        encoding: 'utf8', timeout: 120000,
        env: { ...fullEnv, SLUICE_DATABASE_URL: dbUrl, SLUICE_LOG_FILE: '', ...env },
      });
    },
    // Stops the named programs (their supervisors, which stop their
    // processes) and starts them again with env added to the stack's.
    async restart(names, env = {}) {
      for (const name of names) {
        const all = pids(dir, name);
        if (all.length > 0) try { process.kill(all[0], 'SIGTERM'); } catch { /* gone */ }
        for (let i = 0; i < 100 && all.some(isAlive); i++) await new Promise((r) => setTimeout(r, 100));
        if (all.some(isAlive)) throw new Error(`${name} did not stop`);
      }
      run(['start', dir, String(port), BIN, names.join(' ')], { ...fullEnv, ...env });
    },
    pgStop: () => run(['pg-stop', dir], fullEnv),
    pgStart: () => run(['pg-start', dir], fullEnv),
    log: (name) => {
      const f = path.join(dir, 'log', `${name}.log`);
      return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
    },
    // Stops everything; returns sanitizer reports (file name → text).
    stop() {
      if (stopped) return {};
      stopped = true;
      run(['stop', dir], fullEnv);	// throws: still live, retried at exit
      live.delete(dir);
      note('stopped', dir);
      const reports = {};
      const logdir = path.join(dir, 'log');
      for (const f of fs.existsSync(logdir) ? fs.readdirSync(logdir) : []) {
        if (/^(asan|ubsan)\./.test(f)) {
          reports[f] = fs.readFileSync(path.join(logdir, f), 'utf8');
        }
      }
      if (Object.keys(reports).length === 0 && !process.env.SLUICE_KEEP) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      return reports;
    },
  };
}

// Runs fn when the test t ends, passed or failed, also when it threw
// half-way through its set-up: register each helper's clean-up right after
// starting it.  Clean-ups run last registered first; every one runs even
// when an earlier one throws, and the first error is thrown after all ran.
const deferred = new WeakMap();
function defer(t, fn) {
  let fns = deferred.get(t);
  if (!fns) {
    fns = [];
    deferred.set(t, fns);
    t.after(async () => {
      let first;
      while (fns.length > 0) {
        try { await fns.pop()(); } catch (e) { first ??= e; }
      }
      if (first) throw first;
    });
  }
  fns.push(fn);
}

// fetch with a timeout; returns { status, headers, text, json }.
async function request(url, opts = {}) {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(opts.timeout || 10000), ...opts });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

const TOOLS = process.env.SLUICE_TOOLS || path.join(path.dirname(BIN), 'tools');

module.exports = { startStack, defer, request, freePort, childrenOf, ROOT, BIN, TOOLS, FIXTURES };
