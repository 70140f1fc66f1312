'use strict';
// One tenant's slow webhook endpoints hold up nobody (outside review):
// workspace B's 19 endpoints point at a receiver on 127.0.0.1 that accepts
// the connection and never answers, with 57 test events pending.  With
// the worker daemon running, a sync queued in workspace A still finishes
// in seconds (deliveries run in the daemon's deliverer, not before each
// lease of the sync queue), and A's own webhook arrives while B's still
// stall (the deliverer takes the workspaces in turns, one delivery each a
// round).  "Send test event" pressed again at once is refused (429),
// nothing queued.  On the old code the sync waited for each worker's 20
// stalled deliveries (10 s each), A's webhook for B's whole backlog, and
// every press queued an event.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startStack, defer, BIN } = require('./lib/stack');
const { hidden } = require('./lib/browser');
const { setupOwner, connectSandbox, syncStack, workerEnv } = require('./lib/flows');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn until it returns a truthy value or ms pass; the value, or null.
async function within(ms, fn) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) return null;
    await sleep(100);
  }
}


// Workspace B: 19 endpoints at the tarpit (a receiver that accepts and
// never answers), 3 test events each: 57 deliveries pending.  Its id.
function stallingWorkspace(stack, port) {
  const [[b]] = stack.sql("INSERT INTO workspaces (name) VALUES ('B') RETURNING id");
  const secret = `whsec_${crypto.randomBytes(32).toString('base64')}`;
  stack.sql(`INSERT INTO webhook_endpoints (workspace_id, url, events, secret)
    SELECT ${b}, 'http://127.0.0.1:${port}/hook/' || k, '{sync.failed}', '${secret}'
    FROM generate_series(1, 19) k`);
  stack.sql(`SELECT sluice_webhook_test(${b}, e.id) FROM webhook_endpoints e, generate_series(1, 3)
    WHERE e.workspace_id = ${b}`);
  return b;
}
test('a workspace whose endpoints never answer holds up no one', { timeout: 600000 }, async (t) => {
  // The attacker's receiver: accepts, reads, never answers.
  const held = [];
  const tarpit = net.createServer((s) => { held.push(s); s.on('error', () => {}); s.resume(); });
  await new Promise((r) => tarpit.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise((r) => { for (const s of held) s.destroy(); tarpit.close(r); }));
  // Workspace A's receiver: answers 200 at once.
  const got = [];
  const rx = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { got.push({ at: Date.now(), body: JSON.parse(body) }); res.end('ok'); });
  });
  await new Promise((r) => rx.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise((r) => { rx.closeAllConnections(); rx.close(r); }));

  const stack = await startStack({
    programs: ['api', 'pages', 'oauth', 'sandbox', 'cron'],
    env: {
      SLUICE_WORKER_PROCS: '2', SLUICE_WORKER_POLL_MS: '200',
      SLUICE_WEBHOOKS_ALLOW_HTTP: '1', SLUICE_WEBHOOKS_RETRY_UNIT_MS: '1000',
    },
  });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const owner = await setupOwner(stack.url);
  const [[a]] = stack.sql('SELECT id FROM workspaces');
  const csrf = hidden((await owner.get('/settings')).text, 'csrf');
  const { res } = await connectSandbox(owner, 'github');
  assert.equal(res.status, 303);
  const [[conn]] = stack.sql("SELECT id FROM connections WHERE provider = 'github'");
  // The sync the connect queued, if any, out of the way first.
  assert.ok(await within(60000, () => stack.sql("SELECT count(*) FROM sync_jobs WHERE status IN ('queued', 'running')")[0][0] === '0'),
    'the first sync did not end');
  let r = await owner.post('/settings/webhooks', [['csrf', csrf], ['url', `http://127.0.0.1:${rx.address().port}/a`], ['event', 'sync.succeeded']]);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const [[mine]] = stack.sql(`SELECT id FROM webhook_endpoints WHERE workspace_id = ${a}`);

  const b = stallingWorkspace(stack, tarpit.address().port);
  assert.equal(stack.sql(`SELECT count(*) FROM webhook_deliveries WHERE workspace_id = ${b} AND status = 'pending'`)[0][0], '57');
  assert.ok(await within(20000, () => held.length > 0), 'no delivery reached the tarpit');

  await t.test("a sync queued in A ends in seconds while B's deliveries stall", async () => {
    const [[job]] = stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${a}, ${conn}, 'manual') RETURNING id`);
    const t0 = Date.now();
    const st = await within(20000, () => {
      const [[s]] = stack.sql(`SELECT status FROM sync_jobs WHERE id = ${job}`);
      return s !== 'queued' && s !== 'running' ? s : null;
    });
    const took = Date.now() - t0;
    assert.ok(st, `the sync was still queued or running after ${took} ms`);
    assert.equal(st, 'done');
    assert.ok(took < 20000, `${took} ms`);
    // B's deliveries still stall.
    assert.ok(Number(stack.sql(`SELECT count(*) FROM webhook_deliveries WHERE workspace_id = ${b} AND status = 'pending'`)[0][0]) > 30);
  });

  await t.test("A's webhook arrives while B's stall", async () => {
    const t0 = Date.now();
    const ev = await within(45000, () => got.find((g) => g.body.type === 'sync.succeeded'));
    assert.ok(ev, `no sync.succeeded within ${Date.now() - t0} ms; worker log:\n${stack.log('worker').slice(-1500)}`);
    const [[run]] = stack.sql(`SELECT max(id) FROM sync_runs WHERE connection_id = ${conn} AND status = 'ok'`);
    assert.equal(ev.body.data.run_id, Number(run), 'the run just made');
    assert.equal(stack.sql(`SELECT status FROM webhook_deliveries WHERE endpoint_id = ${mine} ORDER BY id DESC LIMIT 1`)[0][0], 'delivered');
    // B is served too, in turns: its attempts went to the tarpit.
    assert.match(stack.log('worker'), /did not answer within 10000 ms/);
    assert.ok(Number(stack.sql(`SELECT count(*) FROM webhook_deliveries WHERE workspace_id = ${b} AND attempts > 0`)[0][0]) >= 1);
    assert.ok(Date.now() - t0 < 45000);
  });

  await t.test('"Send test event" again at once: 429, nothing queued', async () => {
    const tests = () => stack.sql(`SELECT count(*) FROM webhook_deliveries d JOIN webhook_events v ON v.id = d.event_id
      WHERE d.endpoint_id = ${mine} AND v.type = 'webhook.test'`)[0][0];
    r = await owner.post(`/settings/webhooks/${mine}/test`, { csrf });
    assert.equal(r.status, 303);
    assert.equal(tests(), '1');
    r = await owner.post(`/settings/webhooks/${mine}/test`, { csrf });
    assert.equal(r.status, 429, r.text.slice(0, 300));
    assert.match(r.text, /Too many test events \(1 per endpoint every 10 seconds, 60 per workspace every 60 minutes\): nothing was queued\. Try again in \d+ seconds?\./);
    const wait = Number(r.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 10, `Retry-After ${wait}`);
    assert.equal(tests(), '1', 'nothing queued');
    // Another workspace's counter is its own; the web role sees only its
    // workspace's rows of the throttle.
    assert.deepEqual(stack.sql(`SELECT DISTINCT workspace_id FROM webhook_test_throttle`), [[String(a)]]);
    // After the window, once more.
    await sleep(wait * 1000 + 200);
    r = await owner.post(`/settings/webhooks/${mine}/test`, { csrf });
    assert.equal(r.status, 303);
    assert.equal(tests(), '2');
  });
});

// Cron-only setups (`worker --once`, no daemon): the syncs first, then the
// due deliveries for at most 30 s.  On the old code each lease of the
// queue came after up to 20 stalled deliveries (200 s).
test('worker --once: the sync first, the deliveries within a budget', { timeout: 300000 }, async (t) => {
  const held = [];
  const tarpit = net.createServer((s) => { held.push(s); s.on('error', () => {}); s.resume(); });
  await new Promise((r) => tarpit.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise((r) => { for (const s of held) s.destroy(); tarpit.close(r); }));
  const stack = await syncStack(t, { SLUICE_WEBHOOKS_ALLOW_HTTP: '1' });
  const owner = await setupOwner(stack.url);
  const [[a]] = stack.sql('SELECT id FROM workspaces');
  await connectSandbox(owner, 'github');
  const [[conn]] = stack.sql("SELECT id FROM connections WHERE provider = 'github'");
  const b = stallingWorkspace(stack, tarpit.address().port);
  stack.sql(`DELETE FROM sync_jobs; INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${a}, ${conn}, 'manual')`);
  const t0 = Date.now();
  const c = spawn(path.join(BIN, 'worker'), ['--once'], {
    env: workerEnv(stack, { SLUICE_WEBHOOKS_ALLOW_HTTP: '1', SLUICE_WEBHOOKS_RETRY_UNIT_MS: '60000' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  c.stdout.on('data', (d) => { out += d; });
  c.stderr.on('data', () => {});
  const exited = new Promise((r) => c.on('close', (code) => r(code)));
  defer(t, () => { if (c.exitCode === null) c.kill('SIGKILL'); });
  const done = await within(20000, () => stack.sql("SELECT count(*) FROM sync_jobs WHERE status = 'done'")[0][0] === '1');
  assert.ok(done, `the sync was not done ${Date.now() - t0} ms after worker --once started`);
  const code = await Promise.race([exited, sleep(70000).then(() => 'still running')]);
  const took = Date.now() - t0;
  assert.equal(code, 0, `worker --once after ${took} ms`);
  assert.ok(took < 60000, `${took} ms`);
  assert.match(out, /"jobs":1,"ok":1/);
  // It did deliver (to the tarpit), and left the rest for the next run.
  const [[tried, left]] = stack.sql(`SELECT count(*) FILTER (WHERE attempts > 0), count(*) FILTER (WHERE status = 'pending')
    FROM webhook_deliveries WHERE workspace_id = ${b}`);
  assert.ok(Number(tried) >= 2 && Number(tried) <= 5, `${tried} attempts`);
  assert.ok(Number(left) >= 50, `${left} pending`);
});
