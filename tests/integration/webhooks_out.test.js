'use strict';
// Signed outgoing webhooks (issue 21, part 3): an admin registers an
// endpoint on Settings → Webhooks; a local receiver (node http on
// 127.0.0.1, allowed by SLUICE_WEBHOOKS_ALLOW_HTTP=1) gets what the worker
// posts, and every delivery is verified with the official svix library.
// Events come from real changes: the sandbox's connect flow, syncs that
// succeed and fail, a refresh token the provider refuses (invalid_grant),
// a disconnect.  Then retries (500, then 200: one webhook-id twice, the
// page shows two attempts), a tampered secret or body failing
// verification, a viewer's 403, another workspace's 404, bad URLs' 400,
// the secret unreadable by the web role, and "Send test event".
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { Webhook } = require('svix');
const { defer, TOOLS, BIN } = require('./lib/stack');
const { Client, hidden } = require('./lib/browser');
const { setupOwner, connectSandbox, syncStack, secrets, workerEnv } = require('./lib/flows');

const PASSWORD = 'correct horse battery';
const ALL = ['connection.connected', 'connection.needs_reauth', 'connection.disconnected',
  'sync.succeeded', 'sync.failed', 'digest.sent'];

// A receiver: records each request; answers the next status queued by
// answer(), else 200.
async function receiver(t) {
  const got = [];
  const queue = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const status = queue.length > 0 ? queue.shift() : 200;
      got.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'thanks' : `nope ${'x'.repeat(4000)}`);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${server.address().port}/hooks/sluice`, got, answer: (...s) => queue.push(...s) };
}

// `worker --once` without blocking this process (the receiver answers in
// it); resolves with its output, fails the test unless it exits 0.
function runWorker(stack, env = {}) {
  return new Promise((resolve, reject) => {
    const c = spawn(path.join(BIN, 'worker'), ['--once'], {
      env: workerEnv(stack, { SLUICE_WEBHOOKS_ALLOW_HTTP: '1', SLUICE_WEBHOOKS_RETRY_UNIT_MS: '1000', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => c.kill('SIGKILL'), 120000);
    c.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ out, err }); else reject(new Error(`worker exited ${code}: ${err}`));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('outgoing webhooks, signed and verified with svix', { timeout: 600000 }, async (t) => {
  const stack = await syncStack(t, { SLUICE_WEBHOOKS_ALLOW_HTTP: '1' });
  const rx = await receiver(t);
  const owner = await setupOwner(stack.url);
  const [[ws]] = stack.sql('SELECT id FROM workspaces');
  const csrfOf = async (c) => hidden((await c.get('/settings')).text, 'csrf');
  const csrf = await csrfOf(owner);
  const worker = (env) => runWorker(stack, env);
  let secret;
  let endpoint;
  // The deliveries received since mark, verified with svix (the test
  // fails on one that does not verify), as { type, data, id, ... }.
  let mark = 0;
  const fresh = () => {
    const list = rx.got.slice(mark);
    mark = rx.got.length;
    return list.map((r) => {
      const payload = new Webhook(secret).verify(r.body, r.headers);
      return { ...payload, id: r.headers['webhook-id'], answered: r.answered, raw: r };
    });
  };

  await t.test('an admin adds an endpoint and sees its secret once', async () => {
    const page = await owner.get('/settings/webhooks');
    assert.equal(page.status, 200);
    for (const type of ALL) assert.ok(page.text.includes(`value="${type}"`), type);
    // The hint says what this server takes (http to this machine too,
    // as the receiver here is), not only https.
    assert.match(page.text, /http URLs of this machine too \(<code>SLUICE_WEBHOOKS_ALLOW_HTTP<\/code> is on\)/);
    assert.doesNotMatch(page.text, /Only https URLs/);
    const r = await owner.post('/settings/webhooks', [['csrf', csrf], ['url', rx.url], ...ALL.map((e) => ['event', e])]);
    const { text } = r;
    assert.equal(r.status, 200, text.slice(0, 300));
    secret = (text.match(/<code>(whsec_[A-Za-z0-9+/=]+)<\/code>/) || [])[1];
    assert.ok(secret, 'the page shows the new secret');
    [[endpoint]] = stack.sql('SELECT id FROM webhook_endpoints');
    assert.deepEqual(stack.sql('SELECT events FROM webhook_endpoints')[0], [`{${ALL.join(',')}}`]);
    const again = await owner.get('/settings/webhooks');
    assert.ok(!again.text.includes(secret), 'the secret is shown once only');
    assert.ok(again.text.includes(rx.url));
  });

  let conn;
  let acct;
  await t.test('connecting makes connection.connected; a sync sync.succeeded', async () => {
    const { res } = await connectSandbox(owner, 'ga4');
    assert.equal(res.status, 303);
    [[conn, acct]] = stack.sql("SELECT id, selected->>0 FROM connections WHERE provider = 'ga4'");
    stack.sql(`UPDATE connections SET selected = '["${acct}"]' WHERE id = ${conn}`);
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${conn}, 'manual') ON CONFLICT DO NOTHING`);
    await worker();
    const got = fresh();
    const types = got.map((e) => e.type);
    assert.ok(types.includes('connection.connected'), types.join());
    assert.ok(types.includes('sync.succeeded'), types.join());
    const c = got.find((e) => e.type === 'connection.connected');
    assert.equal(c.data.connection_id, Number(conn));
    assert.equal(c.data.provider, 'ga4');
    assert.equal(c.data.owner, 'ana@agency.example', 'which login of the provider');
    assert.equal(c.data.workspace_id, Number(ws));
    const s = got.find((e) => e.type === 'sync.succeeded');
    const [[run]] = stack.sql(`SELECT max(id) FROM sync_runs WHERE connection_id = ${conn} AND status = 'ok'`);
    assert.equal(s.data.run_id, Number(run));
    assert.equal(s.data.status, 'ok');
    assert.deepEqual(s.data.account_ids, [acct]);
    assert.match(s.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Standard Webhooks headers, and no token or secret in any body.
    const [[blob]] = stack.sql(`SELECT token_blob FROM connections WHERE id = ${conn}`);
    for (const e of got) {
      assert.match(e.id, /^msg_[0-9a-f]{32}$/);
      assert.match(e.raw.headers['webhook-signature'], /^v1,[A-Za-z0-9+/=]{44}$/);
      assert.equal(e.raw.headers['content-type'], 'application/json');
      assert.ok(!e.raw.body.includes(blob.slice(0, 40)) && !e.raw.body.includes('whsec_') &&
        !/token/i.test(e.raw.body), e.raw.body);
    }
    assert.equal(new Set(got.map((e) => e.id)).size, got.length, 'one webhook-id per event');
    const [[delivered]] = stack.sql("SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'");
    assert.equal(Number(delivered), got.length);
  });

  await t.test('a failing sync makes sync.failed with its message', async () => {
    stack.sql(`UPDATE connections SET selected = '["${acct}-fault-500"]' WHERE id = ${conn}`);
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${conn}, 'manual') ON CONFLICT DO NOTHING; UPDATE sync_jobs SET run_after = now() WHERE status = 'queued'`);
    await worker({ SLUICE_SYNC_MAX_ATTEMPTS: '1' });
    const got = fresh();
    const failed = got.filter((e) => e.type === 'sync.failed');
    assert.ok(failed.length >= 1, got.map((e) => e.type).join());
    const [[run, err]] = stack.sql(`SELECT id, error FROM sync_runs WHERE connection_id = ${conn} AND status = 'error' ORDER BY id DESC LIMIT 1`);
    const f = failed.find((e) => e.data.run_id === Number(run));
    assert.ok(f, 'the failed run has its event');
    assert.equal(f.data.status, 'error');
    assert.equal(f.data.message, err);
    stack.sql(`UPDATE connections SET selected = '["${acct}"]' WHERE id = ${conn}`);
  });

  await t.test('a refused refresh token makes connection.needs_reauth', async () => {
    const { keys } = secrets(stack);
    const vault = (...args) => spawnSync(path.join(TOOLS, 'vault_tool'), args, { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: keys } });
    const [[blob]] = stack.sql(`SELECT token_blob FROM connections WHERE id = ${conn}`);
    const opened = vault('open', ws, 'ga4', conn, blob);
    assert.equal(opened.status, 0, opened.stderr);
    const tok = JSON.parse(opened.stdout);
    tok.access_token = 'ya29.garbled';
    tok.refresh_token = '1//0gGARBLED';
    const sealed = vault('seal', ws, 'ga4', conn, JSON.stringify(tok));
    assert.equal(sealed.status, 0, sealed.stderr);
    stack.sql(`UPDATE connections SET token_blob = '${sealed.stdout.trim()}' WHERE id = ${conn}`);
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${conn}, 'manual') ON CONFLICT DO NOTHING; UPDATE sync_jobs SET run_after = now() WHERE status = 'queued'`);
    await worker();
    const got = fresh();
    const n = got.find((e) => e.type === 'connection.needs_reauth');
    assert.ok(n, got.map((e) => e.type).join());
    assert.equal(n.data.connection_id, Number(conn));
    assert.equal(n.data.status, 'needs_reauth');
    assert.ok(n.data.message.length > 0);
    assert.ok(!n.raw.body.includes('GARBLED') && !n.raw.body.includes('garbled'));
    // The failed run is reported too (auth).
    assert.ok(got.some((e) => e.type === 'sync.failed' && e.data.status === 'auth'), got.map((e) => e.type).join());
  });

  await t.test('disconnecting makes connection.disconnected', async () => {
    const r = await owner.post('/connections/ga4/disconnect', { csrf, confirm: '1' });
    assert.equal(r.status, 303, r.text.slice(0, 200));
    await worker();
    const got = fresh();
    const d = got.find((e) => e.type === 'connection.disconnected');
    assert.ok(d, got.map((e) => e.type).join());
    assert.equal(d.data.connection_id, Number(conn));
  });

  await t.test('digest.sent once per send; one event per change; 30 days kept', async () => {
    // A send claimed, then sent (as lib/mail/digest.c does), then its
    // status written again: one event.  One inserted already sent: one.
    const [[claimed]] = stack.sql(`INSERT INTO digest_sends (workspace_id, recipient, period_start) VALUES (${ws}, 'owner@example.com', date '2026-11-30') RETURNING id`);
    stack.sql(`UPDATE digest_sends SET status = 'sent', sent_at = now(), resend_id = 're_1' WHERE id = ${claimed}`);
    stack.sql(`UPDATE digest_sends SET status = 'failed' WHERE id = ${claimed}; UPDATE digest_sends SET status = 'sent' WHERE id = ${claimed}`);
    const [[direct]] = stack.sql(`INSERT INTO digest_sends (workspace_id, recipient, period_start, status, sent_at) VALUES (${ws}, 'b@example.com', date '2026-11-30', 'sent', now()) RETURNING id`);
    // A finished run whose row is written again makes no second event.
    const [[runs]] = stack.sql("SELECT count(*) FROM webhook_events WHERE type LIKE 'sync.%'");
    stack.sql(`UPDATE sync_runs SET finished_at = finished_at + interval '1 second', status = status WHERE connection_id = ${conn}`);
    assert.equal(stack.sql("SELECT count(*) FROM webhook_events WHERE type LIKE 'sync.%'")[0][0], runs);
    // An event older than 30 days is dropped by the next worker.
    const [[old]] = stack.sql(`SELECT sluice_webhook_emit(${ws}, 'sync.failed', 'old', '{}'::jsonb)`);
    stack.sql(`UPDATE webhook_events SET created_at = now() - interval '31 days' WHERE id = ${old}; UPDATE webhook_deliveries SET status = 'failed' WHERE event_id = ${old}`);
    await worker();
    const got = fresh();
    const sent = got.filter((e) => e.type === 'digest.sent');
    assert.deepEqual(sent.map((e) => e.data.digest_send_id).sort(), [Number(claimed), Number(direct)].sort());
    assert.equal(sent.find((e) => e.data.digest_send_id === Number(claimed)).data.recipient, 'owner@example.com');
    assert.equal(sent.find((e) => e.data.digest_send_id === Number(claimed)).data.period_start, '2026-11-30');
    assert.equal(got.length, 2, got.map((e) => e.type).join());
    assert.equal(stack.sql(`SELECT count(*) FROM webhook_events WHERE id = ${old}`)[0][0], '0');
    assert.equal(stack.sql(`SELECT count(*) FROM webhook_deliveries WHERE event_id = ${old}`)[0][0], '0');
    // The same change twice (the dedupe key) is one event and one delivery.
    assert.deepEqual(stack.sql(`SELECT sluice_webhook_emit(${ws}, 'sync.failed', 'twice', '{}'::jsonb) IS NOT NULL, sluice_webhook_emit(${ws}, 'sync.failed', 'twice', '{}'::jsonb) IS NULL`), [['t', 't']]);
    assert.equal(stack.sql("SELECT count(*) FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.dedupe = 'twice'")[0][0], '1');
    assert.throws(() => stack.sql(`INSERT INTO webhook_deliveries (workspace_id, endpoint_id, event_id) SELECT workspace_id, endpoint_id, event_id FROM webhook_deliveries LIMIT 1`), /duplicate key/);
    await worker();
    assert.equal(fresh().length, 1);
  });

  await t.test('500 then 200: the same webhook-id twice, the page shows the attempts', async () => {
    rx.answer(500);
    const r = await owner.post(`/settings/webhooks/${endpoint}/test`, { csrf });
    assert.equal(r.status, 303, r.text.slice(0, 200));
    await worker();
    let got = fresh();
    assert.equal(got.length, 1);
    assert.equal(got[0].type, 'webhook.test');
    assert.equal(got[0].answered, 500);
    const first = got[0];
    let [[status, attempts, code, resp, wait]] = stack.sql("SELECT d.status, d.attempts, d.http_status, d.response, extract(epoch FROM d.next_at - now()) FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.type = 'webhook.test'");
    assert.deepEqual([status, attempts, code], ['pending', '1', '500']);
    assert.ok(Buffer.byteLength(resp) <= 1024 && resp.startsWith('nope'), 'at most 1 KiB of the answer is kept');
    assert.ok(Number(wait) > 0 && Number(wait) <= 1.1, `first retry after one unit: ${wait}`);
    // Not due yet: a worker now sends nothing.
    await worker();
    assert.equal(fresh().length, 0);
    await sleep(1200);
    await worker();
    got = fresh();
    assert.equal(got.length, 1);
    assert.equal(got[0].id, first.id, 'the retry keeps the webhook-id');
    assert.equal(got[0].raw.body, first.raw.body, 'and the body');
    assert.equal(got[0].answered, 200);
    [[status, attempts, code]] = stack.sql("SELECT d.status, d.attempts, d.http_status FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.type = 'webhook.test'");
    assert.deepEqual([status, attempts, code], ['delivered', '2', '200']);
    const page = await owner.get('/settings/webhooks');
    const row = page.text.match(/<tr><td><code>webhook\.test<\/code>[\s\S]*?<\/tr>/);
    assert.ok(row, 'the page lists the test delivery');
    assert.match(row[0], new RegExp(`${first.id}[\\s\\S]*<td>2</td><td>delivered</td><td>200</td>`));
  });

  await t.test('a tampered secret or body fails verification', () => {
    const r = rx.got[rx.got.length - 1];
    const raw = Buffer.from(secret.slice(6), 'base64');
    raw[0] ^= 1;
    const wrong = `whsec_${raw.toString('base64')}`;
    assert.throws(() => new Webhook(wrong).verify(r.body, r.headers), /signature/i);
    assert.throws(() => new Webhook(secret).verify(r.body.replace('webhook.test', 'sync.failed'), r.headers), /signature/i);
    assert.doesNotThrow(() => new Webhook(secret).verify(r.body, r.headers));
  });

  await t.test('the web role cannot read a secret, nor make events', () => {
    assert.throws(() => stack.sql(`SET ROLE sluice_web; SET sluice.workspace_id = '${ws}'; SELECT secret FROM webhook_endpoints`), /permission denied/);
    assert.deepEqual(stack.sql(`SET ROLE sluice_web; SET sluice.workspace_id = '${ws}'; SELECT url FROM webhook_endpoints`), [[rx.url]]);
    assert.deepEqual(stack.sql('SET ROLE sluice_web; SELECT count(*) FROM webhook_deliveries'), [['0']], 'no workspace set: no row');
    // It makes no event but a test event, and only for its own workspace.
    assert.throws(() => stack.sql(`SET ROLE sluice_web; SET sluice.workspace_id = '${ws}'; SELECT sluice_webhook_emit(${ws}, 'sync.failed', NULL, '{}'::jsonb)`), /permission denied/);
    assert.throws(() => stack.sql(`SET ROLE sluice_web; SET sluice.workspace_id = '${Number(ws) + 1}'; SELECT sluice_webhook_test(${ws}, ${endpoint})`), /not the workspace of this request/);
  });

  await t.test('bad URLs are refused with 400 and a message', async () => {
    const cases = [
      ['ftp://example.com/x', /must start with https/],
      ['http://example.com/hook', /https/],
      ['https://user:pw@example.com/hook', /user name or password/],
      ['https://10.1.2.3/hook', /private/],
      ['https://169.254.169.254/latest', /link-local/],
      ['https://[fd00::1]/hook', /private/],
      ['https://2130706433/hook', /four decimal numbers/],
      ['https://example.com:99999/hook', /port/],
      ['https://10.0.0.1./hook', /private/],
      ['https://vm/hook', /full domain name/],
      ['https://[64:ff9b:1::7f00:1]/hook', /reserved/],
      ['https://exa mple.com/', /spaces/],
      ['', /Enter the endpoint/],
    ];
    for (const [url, why] of cases) {
      const r = await owner.post('/settings/webhooks', { csrf, url, event: 'sync.failed' });
      assert.equal(r.status, 400, `${url}: ${r.status}`);
      assert.match(r.text, why, url);
    }
    // The refused address stays in the form, escaped, to be corrected
    // (a newcomer had to type it again).
    const kept = await owner.post('/settings/webhooks', { csrf, url: 'https://10.0.0.1/"x"', event: 'sync.failed' });
    assert.equal(kept.status, 400);
    assert.match(kept.text, /name="url"[^>]*value="https:\/\/10\.0\.0\.1\/&quot;x&quot;"/);
    const none = await owner.post('/settings/webhooks', { csrf, url: 'https://example.com/hook' });
    assert.equal(none.status, 400);
    assert.match(none.text, /at least one event/);
    const unknown = await owner.post('/settings/webhooks', { csrf, url: 'https://example.com/hook', event: 'sync.exploded' });
    assert.equal(unknown.status, 400);
    assert.equal(stack.sql('SELECT count(*) FROM webhook_endpoints')[0][0], '1', 'nothing stored');
  });

  await t.test('concurrent adds stop at the limit of 20', async () => {
    const [[ws]] = stack.sql('SELECT workspace_id FROM webhook_endpoints LIMIT 1');
    const had = Number(stack.sql(`SELECT count(*) FROM webhook_endpoints WHERE workspace_id = ${ws}`)[0][0]);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      owner.post('/settings/webhooks', { csrf, url: `https://hooks${i}.example.com/h`, event: 'sync.failed' })));
    assert.equal(answers.filter((r) => r.status === 409).length, 30 - (20 - had));
    assert.deepEqual(stack.sql(`SELECT count(*) FROM webhook_endpoints WHERE workspace_id = ${ws}`), [['20']]);
    stack.sql(`DELETE FROM webhook_endpoints WHERE workspace_id = ${ws} AND url LIKE 'https://hooks%.example.com/h'`);
  });

  await t.test('a viewer gets 403; another workspace gets 404', async () => {
    const inv = await owner.post('/settings/invite', { csrf, email: 'viewer@example.com', role: 'viewer' });
    const token = inv.text.match(/\/invite\/([A-Za-z0-9_-]+)/)[1];
    const viewer = new Client(stack.url);
    const p = await viewer.get(`/invite/${token}`);
    assert.equal((await viewer.post(`/invite/${token}`, { pre: hidden(p.text, 'pre'), password: PASSWORD })).status, 303);
    const vcsrf = await csrfOf(viewer);
    assert.equal((await viewer.get('/settings/webhooks')).status, 403);
    assert.equal((await viewer.post('/settings/webhooks', { csrf: vcsrf, url: 'https://example.com/x', event: 'sync.failed' })).status, 403);
    for (const act of ['test', 'disable', 'delete']) {
      assert.equal((await viewer.post(`/settings/webhooks/${endpoint}/${act}`, { csrf: vcsrf, confirm: '1' })).status, 403, act);
    }
    assert.ok(!(await viewer.get('/settings')).text.includes('/settings/webhooks'), 'no link for a viewer');
    // The viewer makes a workspace of their own (and is switched to it,
    // as its owner): from there, this endpoint is not found.
    const made = await viewer.post('/settings/workspaces', { csrf: vcsrf, name: 'Other' });
    assert.equal(made.status, 303, made.text.slice(0, 200));
    const b2 = viewer;
    const bcsrf = await csrfOf(b2);
    const mine = await b2.get('/settings/webhooks');
    assert.equal(mine.status, 200);
    assert.ok(!mine.text.includes(rx.url));
    const before = stack.sql('SELECT id, enabled FROM webhook_endpoints');
    for (const act of ['test', 'disable', 'enable', 'rotate', 'delete']) {
      const r = await b2.post(`/settings/webhooks/${endpoint}/${act}`, { csrf: bcsrf, confirm: '1' });
      assert.equal(r.status, 404, `${act}: ${r.status}`);
    }
    assert.deepEqual(stack.sql('SELECT id, enabled FROM webhook_endpoints'), before);
    // The same endpoint id with no CSRF token: refused before anything.
    assert.equal((await owner.post(`/settings/webhooks/${endpoint}/disable`, {})).status, 403);
  });

  await t.test('disable, enable, a new secret, delete', async () => {
    let r = await owner.post(`/settings/webhooks/${endpoint}/disable`, { csrf });
    assert.equal(r.status, 303);
    r = await owner.post(`/settings/webhooks/${endpoint}/test`, { csrf });
    assert.equal(r.status, 409, 'no test event to a disabled endpoint');
    // A disabled endpoint gets no event.
    const [[before]] = stack.sql('SELECT count(*) FROM webhook_events');
    stack.sql(`UPDATE connections SET status = 'connected' WHERE id = ${conn}`);
    assert.equal(stack.sql('SELECT count(*) FROM webhook_events')[0][0], before);
    r = await owner.post(`/settings/webhooks/${endpoint}/enable`, { csrf });
    assert.equal(r.status, 303);
    r = await owner.post(`/settings/webhooks/${endpoint}/rotate`, { csrf });
    assert.equal(r.status, 422, 'a new secret needs the confirmation');
    r = await owner.post(`/settings/webhooks/${endpoint}/rotate`, { csrf, confirm: '1' });
    assert.equal(r.status, 200);
    const old = secret;
    secret = r.text.match(/<code>(whsec_[A-Za-z0-9+/=]+)<\/code>/)[1];
    assert.notEqual(secret, old);
    // The endpoint's test button counts a press every 10 s at most
    // (webhooks_fair.test.js): the one above may be that recent.
    r = await owner.post(`/settings/webhooks/${endpoint}/test`, { csrf });
    if (r.status === 429) {
      await sleep(Number(r.headers.get('retry-after')) * 1000 + 100);
      r = await owner.post(`/settings/webhooks/${endpoint}/test`, { csrf });
    }
    assert.equal(r.status, 303);
    await worker();
    const [e] = rx.got.slice(mark);
    assert.ok(e, 'the test event came');
    assert.throws(() => new Webhook(old).verify(e.body, e.headers), /signature/i);
    fresh();	// verifies with the new secret
    r = await owner.post(`/settings/webhooks/${endpoint}/delete`, { csrf, confirm: '1' });
    assert.equal(r.status, 303);
    assert.equal(stack.sql('SELECT count(*) FROM webhook_endpoints')[0][0], '0');
    assert.equal(stack.sql('SELECT count(*) FROM webhook_deliveries')[0][0], '0');
  });
});

// Settings → Webhooks in a real browser (Debian's chromium,
// playwright-core): reached from Settings, an endpoint added with the
// form, a test event sent and delivered; axe-core finds no serious or
// critical violation; screenshots in tests/artifacts/21-webhooks*.png.
test('browser: Settings → Webhooks', { timeout: 300000 }, async (t) => {
  const fs = require('node:fs');
  const { chromium } = require('playwright-core');
  const { ROOT } = require('./lib/stack');
  const { checkA11y } = require('./lib/a11y');
  const ART = path.join(ROOT, 'tests/artifacts');
  fs.mkdirSync(ART, { recursive: true });
  const stack = await syncStack(t, { SLUICE_WEBHOOKS_ALLOW_HTTP: '1' });
  const rx = await receiver(t);
  const browser = await chromium.launch({
    executablePath: process.env.SLUICE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  defer(t, () => browser.close());
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`${stack.url}/setup`);
  await page.getByLabel('Your email').fill('owner@example.com');
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByLabel(/Workspace name/).fill('Acme');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/connections$/);
  await page.goto(`${stack.url}/settings`);
  await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
  await page.waitForURL(/\/settings\/webhooks$/);
  await checkA11y(page, 'webhooks (empty)');
  await page.getByLabel('URL').fill(rx.url);
  await page.getByRole('checkbox', { name: /digest\.sent/ }).uncheck();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const secret = await page.locator('.flash code').textContent();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  await checkA11y(page, 'webhooks (new secret)');
  await page.getByRole('button', { name: /^Send test event/ }).click();
  await page.waitForURL(/msg=hook_test/);
  await runWorker(stack);
  assert.equal(rx.got.length, 1);
  const ev = new Webhook(secret).verify(rx.got[0].body, rx.got[0].headers);
  assert.equal(ev.type, 'webhook.test');
  await page.reload();
  const row = page.getByRole('region', { name: /Last deliveries to/ }).locator('tbody tr');
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), /webhook\.test.*msg_[0-9a-f]{32}.*1delivered200/s);
  await checkA11y(page, 'webhooks (a delivery)');
  await page.screenshot({ path: path.join(ART, '21-webhooks.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await checkA11y(page, 'webhooks (phone)');
  await page.screenshot({ path: path.join(ART, '21-webhooks-phone.png'), fullPage: true });
  const events = stack.sql('SELECT events FROM webhook_endpoints');
  assert.deepEqual(events, [['{connection.connected,connection.needs_reauth,connection.disconnected,sync.succeeded,sync.failed}']]);
});
