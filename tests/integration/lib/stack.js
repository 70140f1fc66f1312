'use strict';
// A private Sluice stack for one test file: its own PostgreSQL cluster,
// programs and nginx under a temporary directory, on free loopback ports.
// Started and stopped through nginx/stack.sh, the same script `make run`
// uses.  Sanitizer reports of the programs land in DIR/log/asan.*; stop()
// returns them so a test can fail on any.
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

function run(args, env) {
  const r = spawnSync('bash', [STACK, ...args], {
    env, encoding: 'utf8', timeout: 120000,
  });
  if (r.status !== 0) {
    throw new Error(`stack.sh ${args[0]} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

// Programs' PIDs from the stack's pid files.
function pids(dir, name) {
  const f = path.join(dir, 'run', `${name}.pid`);
  if (!fs.existsSync(f)) return [];
  return fs.readFileSync(f, 'utf8').split(/\s+/).filter(Boolean).map(Number);
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
    SLUICE_FCGI_PROCS: process.env.SLUICE_FCGI_PROCS || '2',
    ASAN_OPTIONS: `log_path=${dir}/log/asan:detect_leaks=1:halt_on_error=1`,
    UBSAN_OPTIONS: `log_path=${dir}/log/ubsan:print_stacktrace=1:halt_on_error=1`,
    ...env,
  };
  run(['start', dir, String(port), BIN, programs.join(' ')], fullEnv);
  const url = `http://127.0.0.1:${port}`;
  const dbUrl = `host=${dir}/run port=${pgPort} dbname=sluice user=sluice`;
  let stopped = false;
  return {
    url, dir, port, pgPort, programs, env: fullEnv,
    pids: (name) => pids(dir, name),
    isAlive,
    dbUrl,
    // Runs SQL through psql; returns the rows as arrays of strings.
    sql(query) {
      const r = spawnSync('/usr/lib/postgresql/15/bin/psql',
        ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl, '-f', '-'],
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
      run(['stop', dir], fullEnv);
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

// fetch with a timeout; returns { status, headers, text, json }.
async function request(url, opts = {}) {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(opts.timeout || 10000), ...opts });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

const TOOLS = process.env.SLUICE_TOOLS || path.join(path.dirname(BIN), 'tools');

module.exports = { startStack, request, freePort, ROOT, BIN, TOOLS, FIXTURES };
