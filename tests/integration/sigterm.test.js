'use strict';
// SIGTERM lets the request in hand finish, then the process exits.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { startStack, request } = require('./lib/stack');

test('SIGTERM finishes the request in hand', async (t) => {
  const stack = await startStack({ programs: ['api', 'sandbox'], env: { SLUICE_FCGI_PROCS: '1' } });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const [pid] = stack.pids('sandbox');
  assert.ok(pid > 0);
  // The sandbox's "slow" switch answers after 3 s.
  const t0 = Date.now();
  const pending = request(`${stack.url}/sandbox/github-api/user`, { headers: { 'x-sandbox-fault': 'slow' }, timeout: 15000 });
  await new Promise((res) => setTimeout(res, 700));
  process.kill(pid, 'SIGTERM');
  const r = await pending;
  assert.ok(Date.now() - t0 >= 2500, 'the answer came before the slow request finished');
  assert.notEqual(r.status, 502, 'the request in hand was cut off');
  assert.ok(r.status === 200 || r.status < 500, `status ${r.status}`);
  const t1 = Date.now();
  while (stack.isAlive(pid) && Date.now() - t1 < 5000) await new Promise((res) => setTimeout(res, 50));
  assert.ok(!stack.isAlive(pid), 'the process did not exit after its request');
  assert.match(stack.log('sandbox'), /"event":"stop"/);
});

test('SIGTERM: what nginx already sent while the processes were busy is answered too', async (t) => {
  // Both processes hold a slow request; the next ones wait in a kept
  // connection or in the socket's queue.  A stop must answer them before
  // the processes end (nginx answers 502 for a closed connection).
  const stack = await startStack({ programs: ['api', 'sandbox'], env: { SLUICE_FCGI_PROCS: '2' } });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const url = `${stack.url}/sandbox/github-api/user`;
  const slow = [1, 2].map(() => request(url, { headers: { 'x-sandbox-fault': 'slow' }, timeout: 15000 }));
  await new Promise((res) => setTimeout(res, 500));
  const queued = [1, 2, 3, 4].map(() => request(url, { timeout: 15000 }));
  await new Promise((res) => setTimeout(res, 500));
  const [sup] = fs.readFileSync(`${stack.dir}/svc/sandbox.pid`, 'utf8').split(/\s+/).map(Number);
  const children = stack.pids('sandbox').filter((p) => p !== sup);
  process.kill(sup, 'SIGTERM');
  const answers = await Promise.all([...slow, ...queued]);
  assert.deepEqual(answers.map((r) => r.status), [401, 401, 401, 401, 401, 401],
    'every request sent before the stop is answered (401: no token), none cut off (502)');
  const t1 = Date.now();
  while (children.some((p) => stack.isAlive(p)) && Date.now() - t1 < 5000) await new Promise((res) => setTimeout(res, 50));
  assert.ok(!children.some((p) => stack.isAlive(p)), 'the processes ended after answering');
});

test('SIGTERM: a burst of new connections queued behind busy processes is answered, not cut off', async (t) => {
  // Every route but health's takes a new FastCGI connection per request
  // (nginx/fastcgi.conf): a burst that finds the process busy waits as 400
  // connections in the socket's queue, more than one a drain round for
  // eight rounds (the first bound) or 32 a round would answer.
  const stack = await startStack({ programs: ['api', 'sandbox'], env: { SLUICE_FCGI_PROCS: '1' } });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const url = `${stack.url}/sandbox/github-api/user`;
  const slow = [1].map(() => request(url, { headers: { 'x-sandbox-fault': 'slow' }, timeout: 20000 }));
  await new Promise((res) => setTimeout(res, 500));
  const queued = Array.from({ length: 400 }, () => request(url, { timeout: 20000 }));
  await new Promise((res) => setTimeout(res, 1500));
  const [sup] = fs.readFileSync(`${stack.dir}/svc/sandbox.pid`, 'utf8').split(/\s+/).map(Number);
  process.kill(sup, 'SIGTERM');
  const answers = await Promise.all([...slow, ...queued]);
  const statuses = answers.map((r) => r.status);
  assert.deepEqual(statuses.filter((s) => s !== 401), [],
    `all 401 requests sent before the stop are answered (401: no token), none cut off (502): ${statuses.join(' ')}`);
});

test('stack.sh stop: a request nginx is serving is finished, not cut off', async (t) => {
  // `make stop` (nginx/stack.sh stop) stops nginx first, then the
  // programs: nginx is asked to stop gracefully (QUIT), so it finishes
  // what it has in hand — here a request its FastCGI program answers
  // after 3 s — and takes nothing new.
  const stack = await startStack({ programs: ['api', 'sandbox'], env: { SLUICE_FCGI_PROCS: '1' } });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const pending = request(`${stack.url}/sandbox/github-api/user`, { headers: { 'x-sandbox-fault': 'slow' }, timeout: 15000 })
    .catch((e) => ({ status: 0, error: e.message }));
  await new Promise((res) => setTimeout(res, 700));
  const t0 = Date.now();
  const reports = stack.stop();	// synchronous: returns once everything ended
  assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  assert.ok(Date.now() - t0 >= 1500, 'the stop did not wait for the request in hand');
  const r = await pending;
  assert.equal(r.status, 401, `the request in flight was cut off: ${JSON.stringify(r.error || r.status)}`);
});
