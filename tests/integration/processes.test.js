'use strict';
// Processes that die are replaced (lib/web/prefork.h): a killed FastCGI process
// costs at most the requests it held and is back within 2 s; a killed
// supervisor is replaced by one of its children; a crash loop waits longer
// each time and says so; SIGTERM still stops everything.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const { startStack } = require('./lib/stack');

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
const PROCS = 4;
const CLIENTS = 8;

// Keeps CLIENTS clients requesting path until stopped; counts answers by
// status (0: the connection failed).
function load(url, path) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const counts = {};
  let running = true;
  const one = () => new Promise((res) => {
    const req = http.get(`${url}${path}`, { agent, timeout: 5000 }, (r) => {
      r.resume();
      r.on('end', () => { counts[r.statusCode] = (counts[r.statusCode] || 0) + 1; res(); });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => { counts[0] = (counts[0] || 0) + 1; res(); });
  });
  const loops = Array.from({ length: CLIENTS }, async () => {
    while (running) await one();
  });
  return {
    counts,
    async stop() { running = false; await Promise.all(loops); agent.destroy(); return counts; },
  };
}

const failures = (counts) => Object.entries(counts)
  .filter(([s]) => s !== '200').reduce((n, [, c]) => n + c, 0);

// Waits until fn() is true, up to ms; returns how long it took (or -1).
async function within(ms, fn) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (fn()) return Date.now() - t0;
    await sleep(20);
  }
  return -1;
}

test('processes that die are replaced', async (t) => {
  const stack = await startStack({ programs: ['api'], env: { SLUICE_FCGI_PROCS: String(PROCS) } });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const supervisor = () => stack.pids('api')[0];
  const children = () => stack.pids('api').slice(1);

  await t.test('the supervisor keeps its processes', () => {
    assert.equal(children().length, PROCS);
  });

  await t.test('kill -9 of a process under load: back within 2 s, only its requests lost', async () => {
    const l = load(stack.url, '/readyz');
    await sleep(500);
    const before = children();
    const victim = before[1];
    process.kill(victim, 'SIGKILL');
    const took = await within(2000, () => {
      const now = children();
      return now.length === PROCS && !now.includes(victim);
    });
    await sleep(300);
    const counts = await l.stop();
    assert.ok(took >= 0, `not back to ${PROCS} processes within 2 s: ${children()}`);
    assert.ok(counts[200] > 100, `too few answers: ${JSON.stringify(counts)}`);
    // A process holds one request at a time.
    assert.ok(failures(counts) <= 1, `lost more than the killed process held: ${JSON.stringify(counts)}`);
    assert.match(stack.log('api'), new RegExp(`process ${victim} \\(slot \\d+\\) killed by signal 9; starting another`));
  });

  await t.test('every process killed at once: all back within 2 s', async () => {
    const before = children();
    for (const pid of before) process.kill(pid, 'SIGKILL');
    const took = await within(2000, () => {
      const now = children();
      return now.length === PROCS && now.every((p) => !before.includes(p));
    });
    assert.ok(took >= 0, `not back within 2 s: ${children()}`);
    const r = await fetch(`${stack.url}/readyz`);
    assert.equal(r.status, 200);
  });

  await t.test('a process that dies young again and again waits longer each time', async () => {
    // Kill each replacement of one slot as soon as it appears (the
    // newest process is the last replacement).
    for (let i = 0; i < 4; i++) {
      const victim = Math.max(...children());
      process.kill(victim, 'SIGKILL');
      const took = await within(5000, () => {
        const now = children();
        return now.length === PROCS && !now.includes(victim);
      });
      assert.ok(took >= 0, 'no replacement');
    }
    const pauses = [...stack.log('api').matchAll(/starting another in (\d+) ms/g)].map((m) => Number(m[1]));
    const last = pauses.slice(-4);
    assert.ok(last.every((p, i) => i === 0 || p > last[i - 1]), `pauses did not grow: ${last}`);
  });

  await t.test('kill -9 of the supervisor: a child takes its place, requests go on', async () => {
    const l = load(stack.url, '/readyz');
    await sleep(300);
    const old = supervisor();
    const oldKids = children();
    process.kill(old, 'SIGKILL');
    const took = await within(2000, () => {
      const s = supervisor();
      return s !== old && stack.isAlive(s) && children().length === PROCS;
    });
    await sleep(300);
    const counts = await l.stop();
    assert.ok(took >= 0, `no new supervisor with ${PROCS} processes within 2 s`);
    assert.ok(oldKids.includes(supervisor()), 'the new supervisor is not one of the old children');
    assert.ok(failures(counts) <= PROCS, `too many lost: ${JSON.stringify(counts)}`);
    // The other old children left; nothing else runs the program.
    await within(3000, () => oldKids.filter((p) => p !== supervisor() && stack.isAlive(p)).length === 0);
    for (const p of oldKids) {
      if (p !== supervisor()) assert.ok(!stack.isAlive(p), `old process ${p} still runs`);
    }
    assert.match(stack.log('api'), /the supervisor died; pid \d+ takes its place/);
  });

  await t.test('SIGTERM to the supervisor stops it and every process; none takes over', async () => {
    const all = stack.pids('api');
    process.kill(all[0], 'SIGTERM');
    const took = await within(5000, () => all.every((p) => !stack.isAlive(p)));
    assert.ok(took >= 0, `still running: ${all.filter((p) => stack.isAlive(p))}`);
    await sleep(300);
    // Nothing started again behind our back: no process runs the binary.
    const exe = `${stack.dir}/app/bin/api`;
    const running = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
      try { return fs.readlinkSync(`/proc/${d}/exe`).startsWith(exe); } catch { return false; }
    });
    assert.deepEqual(running, []);
  });
});
