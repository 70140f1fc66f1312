'use strict';
// The foundation over real HTTP: nginx → FastCGI → PostgreSQL, including a
// database outage while the stack runs.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startStack, request, ROOT } = require('./lib/stack');

const migrations = fs.readdirSync(path.join(ROOT, 'sql'))
  .filter((f) => /^\d+_.*\.sql$/.test(f)).length;

test('foundation', async (t) => {
  const stack = await startStack({ programs: ['api'], env: { SLUICE_CORS_ORIGINS: 'https://app.example.com https://other.example.org' } });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], `sanitizer reports:\n${Object.values(reports).join('\n')}`);
  });

  await t.test('healthz answers 200 with security headers', async () => {
    const r = await request(`${stack.url}/healthz`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ok' });
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
  });

  await t.test('HEAD healthz has no body', async () => {
    const r = await request(`${stack.url}/healthz`, { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
  });

  await t.test('readyz reports the database and migrations', async () => {
    const r = await request(`${stack.url}/readyz`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ok', db: 'ok', migrations });
  });

  await t.test('nginx\'s own answers carry the security headers too', async () => {
    const want = ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'content-security-policy'];
    const big = await request(`${stack.url}/readyz`, { headers: { 'x-big': 'a'.repeat(9000) } });
    assert.equal(big.status, 400);
    const stat = await request(`${stack.url}/static/style.css`);
    assert.equal(stat.status, 200);
    const ready = await request(`${stack.url}/readyz`);
    for (const r of [big, stat, ready]) {
      for (const h of want) assert.ok(r.headers.get(h), `${h} missing (${r.status})`);
      // Once each: the programs' copies are hidden behind nginx's.
      assert.ok(!r.headers.get('x-frame-options').includes(','), 'a header came twice');
    }
    assert.equal(ready.headers.get('strict-transport-security'), null, 'HSTS over plain http');
  });

  await t.test('an invitation\'s or a form\'s token is not written to the access log', async () => {
    const token = 'Zq7secretinvitetoken0123456789abcdef';
    for (const p of [`/invite/${token}`, `/Invite/${token}`, `/f/${token}`, `/v1/INVITE/${token}/x`]) {
      await request(`${stack.url}${p}`);
    }
    // nginx writes a request's line once its answer went out: the last
    // one may land a moment after the client has it.
    const read = () => require('node:fs').readFileSync(path.join(stack.dir, 'log/nginx-access.log'), 'utf8');
    let log = read();
    for (let i = 0; i < 40 && !/"GET \/v1\/INVITE\/:token"/.test(log); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      log = read();
    }
    assert.match(log, /"GET \/invite\/:token"/);
    assert.match(log, /"GET \/f\/:token"/);
    assert.match(log, /"GET \/v1\/INVITE\/:token"/);
    assert.ok(!log.includes(token));
  });

  await t.test('unknown path is a JSON 404', async () => {
    const r = await request(`${stack.url}/v1/no/such/thing?x=1`);
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'not_found');
    assert.ok(r.json.error.message.length > 0);
  });

  await t.test('wrong method is 405 with Allow', async () => {
    const r = await request(`${stack.url}/readyz`, { method: 'POST', body: 'x' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET, HEAD');
    assert.equal(r.json.error.code, 'method_not_allowed');
  });

  await t.test('an oversize body is 413 with a JSON error', async () => {
    const body = Buffer.alloc(7 * 1024 * 1024, 0x61);
    const r = await request(`${stack.url}/v1/anything`, { method: 'POST', body });
    assert.equal(r.status, 413);
    assert.equal(r.json.error.code, 'payload_too_large');
  });

  // The program answers these before it reads the body (no such route,
  // a method the route refuses): nginx is still sending it when the
  // answer is written, so the connection must not be closed with bytes
  // unread (lib/web/app.c finish()) — that would reset it, and nginx
  // would answer 502 instead of the program's answer.
  await t.test('an answer given before a large body was read arrives whole', async () => {
    const body = Buffer.alloc(5 * 1024 * 1024, 0x61);
    const asks = [];
    for (let i = 0; i < 12; i++)
      asks.push(request(`${stack.url}/v1/nothing-here-${i}`, { method: 'POST', body }),
        request(`${stack.url}/healthz`, { method: 'POST', body }));
    const rs = await Promise.all(asks);
    assert.deepEqual(rs.map((r) => r.status), Array.from({ length: 12 }, () => [404, 405]).flat());
    assert.deepEqual([...new Set(rs.map((r) => r.json.error.code))].sort(), ['method_not_allowed', 'not_found']);
  });

  // Health probes come every few seconds from every monitor: a 2xx answer
  // gets no line in the program's log (nginx's access log has it), a
  // refused one does.
  await t.test('health answers that succeed are not logged, refused ones are', async () => {
    const lines = (p) => stack.log('api').split('\n').filter((l) => l.includes(`"path":"${p}"`));
    const before = { healthz: lines('/healthz').length, readyz: lines('/readyz').length };
    for (let i = 0; i < 5; i++) {
      assert.equal((await request(`${stack.url}/healthz`)).status, 200);
      assert.equal((await request(`${stack.url}/readyz`)).status, 200);
    }
    assert.equal((await request(`${stack.url}/healthz`, { method: 'POST', body: '' })).status, 405);
    const tiles = await request(`${stack.url}/v1/dashboard/tiles`);
    assert.equal(tiles.status, 401);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(lines('/readyz').length, before.readyz);
    const h = lines('/healthz').slice(before.healthz);
    assert.equal(h.length, 1, h.join('\n'));
    assert.match(h[0], /"status":405/);
    assert.ok(lines('/v1/dashboard/tiles').some((l) => /"status":401/.test(l)), 'other routes are logged');
  });

  await t.test('a malformed query string is a clear 400', async () => {
    const r = await request(`${stack.url}/healthz?a=%4`);
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /escape|NUL/);
  });

  await t.test('every request is one JSON log line without the query', async () => {
    await request(`${stack.url}/healthz?secret_code=s3cr3t-value`);
    const lines = stack.log('api').trim().split('\n').map((l) => JSON.parse(l));
    const access = lines.filter((l) => l.path === '/healthz');
    assert.ok(access.length >= 2);
    for (const l of access) {
      for (const k of ['time', 'request_id', 'program', 'method', 'path', 'status', 'ms']) {
        assert.ok(k in l, `log line lacks ${k}`);
      }
    }
    assert.ok(!stack.log('api').includes('s3cr3t-value'));
    const nginxLog = fs.readFileSync(path.join(stack.dir, 'log/nginx-access.log'), 'utf8');
    assert.ok(!nginxLog.includes('s3cr3t-value'));
  });

  await t.test('a database newer than the code is refused', async () => {
    stack.sql("INSERT INTO schema_migrations (version, name) VALUES (999, '999_future.sql')");
    let r = await request(`${stack.url}/readyz`);
    assert.equal(r.status, 503);
    assert.match(r.json.reason, /newer than this code/);
    const m = stack.cli('api', ['migrate']);
    assert.equal(m.status, 1);
    assert.match(m.stderr, /999.*newer than the code/);
    stack.sql('DELETE FROM schema_migrations WHERE version = 999');
    r = await request(`${stack.url}/readyz`);
    assert.equal(r.status, 200);
    const again = stack.cli('api', ['migrate']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /0 applied now/);
  });

  await t.test('CORS answers only the listed origins', async () => {
    let r = await request(`${stack.url}/v1/connections`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(r.headers.get('access-control-allow-headers'), /Authorization/);
    r = await request(`${stack.url}/v1/connections`, { headers: { origin: 'https://other.example.org' } });
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://other.example.org');
    r = await request(`${stack.url}/v1/connections`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.net' } });
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    assert.notEqual(r.status, 204);
    r = await request(`${stack.url}/v1/connections`, { headers: { origin: 'https://app.example.com.evil.net' } });
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  });

  await t.test('a database outage is 503 within 2 s and heals by itself', async () => {
    const before = stack.pids('api');
    assert.ok(before.length > 0);
    stack.pgStop();
    const t0 = Date.now();
    let r;
    do {
      r = await request(`${stack.url}/readyz`);
    } while (r.status !== 503 && Date.now() - t0 < 2000);
    assert.equal(r.status, 503, 'readyz still 200 2 s after PostgreSQL stopped');
    assert.equal(r.json.db, 'down');
    assert.ok(r.headers.get('retry-after'));
    // The log says why, beside the answer's line (request id to request id).
    const why = stack.log('api').trim().split('\n').map((l) => JSON.parse(l))
      .filter((l) => l.event === 'not_ready' && l.request_id === r.headers.get('x-request-id'));
    assert.equal(why.length, 1, 'no "not_ready" line for the 503');
    assert.equal(why[0].level, 'warn');
    assert.match(why[0].msg, /database is not reachable/);
    // Every process answers 503 too, not just one.
    for (let i = 0; i < 6; i++) {
      assert.equal((await request(`${stack.url}/readyz`)).status, 503);
    }
    assert.equal((await request(`${stack.url}/healthz`)).status, 200);
    stack.pgStart();
    const t1 = Date.now();
    do {
      r = await request(`${stack.url}/readyz`);
      if (r.status !== 200) await new Promise((res) => setTimeout(res, 100));
    } while (r.status !== 200 && Date.now() - t1 < 10000);
    assert.equal(r.status, 200, 'readyz did not recover after PostgreSQL came back');
    for (let i = 0; i < 6; i++) {
      assert.equal((await request(`${stack.url}/readyz`)).status, 200);
    }
    assert.deepEqual(stack.pids('api'), before);
    for (const pid of before) assert.ok(stack.isAlive(pid), `api ${pid} died`);
  });

  await t.test('stop leaves no process of the stack', async () => {
    const all = [...stack.pids('api'), ...stack.pids('nginx')];
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
    await new Promise((res) => setTimeout(res, 200));
    for (const pid of all) assert.ok(!stack.isAlive(pid), `pid ${pid} still running`);
    assert.ok(!fs.existsSync(path.join(stack.dir, 'pg/postmaster.pid')));
  });
});
