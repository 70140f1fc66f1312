'use strict';
// The Resend webhook receiver over real HTTP: nginx → webhooks program →
// PostgreSQL, with deliveries signed by the official svix library.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Webhook } = require('svix');
const { startStack, request, FIXTURES } = require('./lib/stack');

const HOOKS = path.join(FIXTURES, 'resend', 'webhooks');
const SECRET = 'whsec_' + crypto.randomBytes(32).toString('base64');

function fixture(name) {
  return fs.readFileSync(path.join(HOOKS, name), 'utf8');
}

function newId() {
  return 'msg_' + crypto.randomBytes(12).toString('hex');
}

// svix-* headers for body, signed with secret at date.
function signed(body, { id = newId(), date = new Date(), secret = SECRET } = {}) {
  return {
    'content-type': 'application/json',
    'svix-id': id,
    'svix-timestamp': String(Math.floor(date.getTime() / 1000)),
    'svix-signature': new Webhook(secret).sign(id, date, body),
  };
}

// SQL through the harness (psql on the stack's socket); rows joined by
// newlines, columns by '|'.
function sql(stack, query) {
  return stack.sql(query).map((r) => r.join('|')).join('\n');
}

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const rows = (stack, id) => Number(sql(stack,
  `SELECT count(*) FROM email_events WHERE message_id = ${q(id)}`));

test('webhooks', async (t) => {
  const stack = await startStack({
    programs: ['api', 'webhooks'],
    env: { SLUICE_RESEND_WEBHOOK_SECRET: SECRET, SLUICE_FCGI_PROCS_WEBHOOKS: '4' },
  });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], `sanitizer reports:\n${Object.values(reports).join('\n')}`);
  });
  const hook = `${stack.url}/v1/webhooks/resend`;
  const pidsAtStart = stack.pids('webhooks');
  const post = (body, headers) => request(hook, { method: 'POST', body, headers });

  await t.test('a signed event is stored once, with its fields', async () => {
    const body = fixture('email.delivered.json');
    const h = signed(body);
    const r = await post(body, h);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { received: true, duplicate: false });
    assert.equal(sql(stack, `SELECT type || '|' || email_id || '|' || recipient
      || '|' || (created_at = '2026-02-22T23:41:12.126Z') || '|' ||
      (payload = ${q(body)}::jsonb) FROM email_events WHERE message_id = ${q(h['svix-id'])}`),
    'email.delivered|56761188-7520-42d8-8898-ff6fc54ce618|delivered@resend.dev|true|true');
  });

  await t.test('a redelivery (same id, new signature) is 200 and changes nothing', async () => {
    const body = fixture('email.sent.json');
    const id = newId();
    const r1 = await post(body, signed(body, { id, date: new Date(Date.now() - 60000) }));
    assert.equal(r1.status, 200);
    const before = sql(stack, `SELECT id, received_at FROM email_events WHERE message_id = ${q(id)}`);
    const r2 = await post(body, signed(body, { id }));
    assert.equal(r2.status, 200);
    assert.deepEqual(r2.json, { received: true, duplicate: true });
    assert.equal(rows(stack, id), 1);
    assert.equal(sql(stack, `SELECT id, received_at FROM email_events WHERE message_id = ${q(id)}`), before);
  });

  await t.test('a tampered body is 401 and nothing is stored', async () => {
    const body = fixture('email.delivered.json');
    const h = signed(body);
    const r = await post(body.replace('delivered@resend.dev', 'other@resend.dev'), h);
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'unauthorized');
    assert.match(r.json.error.message, /no_match/);
    assert.equal(rows(stack, h['svix-id']), 0);
  });

  await t.test('a wrong secret is 401', async () => {
    const body = fixture('email.opened.json');
    const other = 'whsec_' + crypto.randomBytes(32).toString('base64');
    const h = signed(body, { secret: other });
    const r = await post(body, h);
    assert.equal(r.status, 401);
    assert.match(r.json.error.message, /no_match/);
    assert.equal(rows(stack, h['svix-id']), 0);
  });

  await t.test('a stale or future timestamp (6 minutes) is 401', async () => {
    const body = fixture('email.clicked.json');
    const old = signed(body, { date: new Date(Date.now() - 6 * 60000) });
    let r = await post(body, old);
    assert.equal(r.status, 401);
    assert.match(r.json.error.message, /too_old/);
    const future = signed(body, { date: new Date(Date.now() + 6 * 60000) });
    r = await post(body, future);
    assert.equal(r.status, 401);
    assert.match(r.json.error.message, /too_new/);
    assert.equal(rows(stack, old['svix-id']) + rows(stack, future['svix-id']), 0);
  });

  await t.test('missing headers are 401', async () => {
    const body = fixture('email.delivered.json');
    for (const drop of ['svix-id', 'svix-timestamp', 'svix-signature']) {
      const h = signed(body);
      delete h[drop];
      const r = await post(body, h);
      assert.equal(r.status, 401, drop);
      assert.match(r.json.error.message, /missing/, drop);
      if (drop !== 'svix-id') assert.equal(rows(stack, h['svix-id']), 0);
    }
    const r = await post(body, { 'content-type': 'application/json' });
    assert.equal(r.status, 401);
    assert.equal(Number(sql(stack, `SELECT count(*) FROM email_events WHERE message_id = ''`)), 0);
  });

  await t.test('a permanent bounce suppresses the recipients, lower-cased', async () => {
    const ev = JSON.parse(fixture('email.bounced.json'));
    ev.data.to = ['Bounce.Me@Example.COM', 'Second <second@example.com>'];
    const body = JSON.stringify(ev);
    const h = signed(body);
    assert.equal((await post(body, h)).status, 200);
    assert.equal(sql(stack, `SELECT string_agg(email || ':' || reason || ':' || source_event, ',' ORDER BY email)
      FROM email_suppressions WHERE email IN ('bounce.me@example.com', 'second@example.com')`),
    `bounce.me@example.com:bounced:${h['svix-id']},second@example.com:bounced:${h['svix-id']}`);
  });

  await t.test('a transient bounce is stored but suppresses nothing', async () => {
    const body = fixture('variants/email.bounced.transient.json');
    const h = signed(body);
    assert.equal((await post(body, h)).status, 200);
    assert.equal(rows(stack, h['svix-id']), 1);
    assert.equal(sql(stack, `SELECT count(*) FROM email_suppressions WHERE email = 'full.mailbox@example.com'`), '0');
  });

  await t.test('a complaint suppresses the address', async () => {
    const ev = JSON.parse(fixture('email.complained.json'));
    ev.data.to = ['spam.clicker@example.com'];
    const body = JSON.stringify(ev);
    assert.equal((await post(body, signed(body))).status, 200);
    assert.equal(sql(stack, `SELECT reason FROM email_suppressions WHERE email = 'spam.clicker@example.com'`), 'complained');
  });

  await t.test('suppression.added suppresses data.email', async () => {
    const body = fixture('suppression.added.json');
    assert.equal((await post(body, signed(body))).status, 200);
    assert.equal(sql(stack, `SELECT reason FROM email_suppressions WHERE email = 'steve.wozniak@gmail.com'`), 'bounced');
  });

  await t.test('every shared fixture is accepted and stored', async () => {
    const files = fs.readdirSync(HOOKS).filter((f) => f.endsWith('.json'))
      .concat(fs.readdirSync(path.join(HOOKS, 'variants')).map((f) => `variants/${f}`));
    assert.ok(files.length >= 14);
    for (const f of files) {
      const body = fixture(f);
      const h = signed(body);
      const r = await post(body, h);
      assert.equal(r.status, 200, `${f}: ${r.text}`);
      assert.equal(rows(stack, h['svix-id']), 1, f);
    }
  });

  await t.test('an unknown event type is 200 and stored with its payload', async () => {
    const body = JSON.stringify({ type: 'contact.created', created_at: '2026-11-22T01:02:03.456Z', data: { id: 'c1', whatever: [1, 2] } });
    const h = signed(body);
    const r = await post(body, h);
    assert.equal(r.status, 200);
    assert.equal(sql(stack, `SELECT type || ' ' || (payload->'data'->'whatever')::text FROM email_events WHERE message_id = ${q(h['svix-id'])}`),
      'contact.created [1, 2]');
  });

  await t.test('malformed JSON with a valid signature is 400 and stores nothing', async () => {
    for (const body of ['{"type":"email.sent",', '[]', '{"data":{}}', '{"type":""}',
      '{"type":"email.sent","data":{"subject":"\\u0000"}}', '{"type":"email.sent"} x']) {
      const h = signed(body);
      const r = await post(body, h);
      assert.equal(r.status, 400, body);
      assert.equal(r.json.error.code, 'bad_request');
      assert.equal(rows(stack, h['svix-id']), 0, body);
    }
  });

  await t.test('a 300 KiB body is 413 and stores nothing', async () => {
    const body = JSON.stringify({ type: 'email.sent', data: { pad: 'x'.repeat(300 * 1024) } });
    const h = signed(body);
    const r = await post(body, h);
    assert.equal(r.status, 413);
    assert.equal(r.json.error.code, 'payload_too_large');
    assert.equal(rows(stack, h['svix-id']), 0);
  });

  await t.test('20 parallel deliveries of one id: all 2xx, one row', async () => {
    const body = fixture('email.delivered.json');
    const id = newId();
    const rs = await Promise.all(Array.from({ length: 20 },
      () => post(body, signed(body, { id }))));
    for (const r of rs) assert.ok(r.status >= 200 && r.status < 300, `${r.status} ${r.text}`);
    assert.equal(rs.filter((r) => r.json.duplicate === false).length, 1);
    assert.equal(rows(stack, id), 1);
  });

  await t.test('events update the digest send with the same Resend id', async () => {
    sql(stack, `INSERT INTO workspaces (name) VALUES ('wh')`);
    const ws = sql(stack, `SELECT max(id) FROM workspaces`);
    const mk = (rcpt, rid, status) => sql(stack, `INSERT INTO digest_sends
      (workspace_id, recipient, period_start, status, resend_id)
      VALUES (${ws}, ${q(rcpt)}, '2026-02-16', ${q(status)}, ${q(rid)})`);
    const send = (rid) => sql(stack, `SELECT status || '|' || (sent_at IS NOT NULL) || '|' ||
      coalesce(error, '') FROM digest_sends WHERE resend_id = ${q(rid)}`);
    const deliver = (type, rid, extra = {}) => {
      const ev = JSON.parse(fixture(`${type}.json`));
      ev.data.email_id = rid;
      ev.data.to = ['someone@example.com'];
      Object.assign(ev.data, extra);
      const body = JSON.stringify(ev);
      return post(body, signed(body));
    };
    mk('a@example.com', 're-1', 'claimed');
    mk('b@example.com', 're-2', 'sent');
    mk('c@example.com', 're-3', 'sent');
    assert.equal((await deliver('email.delivered', 're-1')).status, 200);
    assert.equal(send('re-1'), 'sent|true|');
    assert.equal((await deliver('email.bounced', 're-2')).status, 200);
    assert.match(send('re-2'), /^failed\|false\|bounced \(Permanent\/Suppressed\): The recipient/);
    assert.equal((await deliver('email.bounced', 're-3', { bounce: { type: 'Transient', subType: 'MailboxFull', message: 'full' } })).status, 200);
    assert.equal(send('re-3'), 'sent|false|soft bounce (Transient/MailboxFull): full');
    mk('d@example.com', 're-4', 'claimed');
    assert.equal((await deliver('email.failed', 're-4')).status, 200);
    assert.equal(send('re-4'), 'failed|false|failed: reached_daily_quota');
    // A late delivered does not undo a failure.
    assert.equal((await deliver('email.delivered', 're-2')).status, 200);
    assert.match(send('re-2'), /^failed\|false\|bounced/);
    // No matching send: a no-op, still 200.
    assert.equal((await deliver('email.delivered', 're-none')).status, 200);
  });

  await t.test('the summary counts the last day by type and lists the newest 10', async () => {
    const summary = `${stack.url}/v1/email-events/summary`;
    const ws = sql(stack, `INSERT INTO workspaces (name) VALUES ('admins') RETURNING id`);
    const mkKey = (role) => {
      const c = stack.cli('api', ['create-key', ws, `summary ${role}`, role]);
      assert.equal(c.status, 0, c.stderr);
      return c.stdout.trim();
    };
    // A workspace sees only events about its own digest sends.
    const adminKey = mkKey('admin');
    let r = await request(summary, { headers: { authorization: `Bearer ${adminKey}` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, 0, 'another workspace\'s events leaked');
    assert.equal(r.json.latest.length, 0);
    sql(stack, `INSERT INTO digest_sends (workspace_id, recipient, period_start, resend_id, status)
      SELECT ${ws}, 'r' || min(id), current_date, email_id, 'sent' FROM email_events WHERE email_id IS NOT NULL GROUP BY email_id`);
    r = await request(summary);
    assert.equal(r.status, 401, r.text);
    r = await request(summary, { headers: { authorization: `Bearer ${mkKey('viewer')}` } });
    assert.equal(r.status, 403, r.text);
    r = await request(summary, { headers: { authorization: `Bearer ${adminKey}` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const total = Number(sql(stack, `SELECT count(*) FROM email_events WHERE received_at > now() - interval '24 hours' AND email_id IS NOT NULL`));
    assert.equal(r.json.window_hours, 24);
    assert.equal(r.json.total, total);
    assert.equal(Object.values(r.json.counts).reduce((a, b) => a + b, 0), total);
    assert.equal(r.json.counts['email.bounced'],
      Number(sql(stack, `SELECT count(*) FROM email_events WHERE type = 'email.bounced' AND email_id IS NOT NULL`)));
    assert.equal(r.json.latest.length, 10);
    const newest = sql(stack, `SELECT message_id FROM email_events WHERE email_id IS NOT NULL ORDER BY received_at DESC, id DESC LIMIT 1`);
    assert.equal(r.json.latest[0].message_id, newest);
    for (const e of r.json.latest) {
      for (const k of ['id', 'type', 'email_id', 'recipient', 'created_at', 'received_at']) assert.ok(k in e, k);
      assert.match(e.received_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  await t.test('while the database is down: 503 and nothing half-done; the retry stores it', async () => {
    const body = fixture('email.complained.json').replace('delivered@resend.dev', 'outage@example.com');
    const id = newId();
    stack.pgStop();
    try {
      const r = await post(body, signed(body, { id }));
      assert.equal(r.status, 503, r.text);
      assert.ok(r.headers.get('retry-after'));
    } finally {
      stack.pgStart();
    }
    let r;
    const t0 = Date.now();
    do {
      r = await post(body, signed(body, { id }));
      if (r.status !== 200) await new Promise((res) => setTimeout(res, 200));
    } while (r.status !== 200 && Date.now() - t0 < 10000);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { received: true, duplicate: false });
    assert.equal(rows(stack, id), 1);
    assert.equal(sql(stack, `SELECT reason FROM email_suppressions WHERE email = 'outage@example.com'`), 'complained');
    // Each process reconnected and prepares its statements again on the
    // new connection: deliveries of every effect, spread over all four.
    for (let i = 0; i < 12; i++) {
      const f = ['email.sent.json', 'email.delivered.json', 'email.bounced.json'][i % 3];
      const b = fixture(f).replace('delivered@resend.dev', `after${i}@example.com`);
      const bid = newId();
      const a = await post(b, signed(b, { id: bid }));
      assert.equal(a.status, 200, `${f}: ${a.text}`);
      assert.equal(rows(stack, bid), 1);
    }
  });

  await t.test('every webhooks process is still the one that started', async () => {
    // The supervisor and its four processes (SLUICE_FCGI_PROCS 2, twice).
    assert.equal(pidsAtStart.length, 5);
    assert.deepEqual(stack.pids('webhooks'), pidsAtStart);
    for (const pid of pidsAtStart) assert.ok(stack.isAlive(pid), `webhooks ${pid} died`);
  });

  await t.test('the secret never reaches the logs', async () => {
    const logs = fs.readdirSync(path.join(stack.dir, 'log'))
      .map((f) => fs.readFileSync(path.join(stack.dir, 'log', f), 'utf8')).join('\n');
    const webhooksLog = stack.log('webhooks');
    assert.ok(webhooksLog.includes('/v1/webhooks/resend'), 'the webhooks log has its requests');
    assert.ok(webhooksLog.includes('webhook_rejected'), 'rejections are logged');
    assert.ok(!logs.includes(SECRET.slice(6)), 'secret found in a log');
    assert.ok(!logs.includes(SECRET.slice(6, 30)), 'part of the secret found in a log');
  });
});

test('without a configured secret the receiver is 503 and says what to set', async (t) => {
  const stack = await startStack({
    programs: ['webhooks'],
    env: { SLUICE_RESEND_WEBHOOK_SECRET: '' },
  });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], `sanitizer reports:\n${Object.values(reports).join('\n')}`);
  });
  const body = fixture('email.delivered.json');
  const h = signed(body);
  const r = await request(`${stack.url}/v1/webhooks/resend`, { method: 'POST', body, headers: h });
  assert.equal(r.status, 503);
  assert.match(r.json.error.message, /SLUICE_RESEND_WEBHOOK_SECRET/);
  assert.equal(rows(stack, h['svix-id']), 0);
});
