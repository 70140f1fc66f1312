'use strict';
// Resend deliveries that arrive together are stored together: a webhooks
// process answers the deliveries already queued at it with one commit
// (app_defer(), webhook_store_all()).  One process here, and a burst of
// concurrent deliveries, so that it holds many at once; every delivery
// must still get its own answer and effects, as if stored alone.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Webhook } = require('svix');
const { startStack, request, FIXTURES } = require('./lib/stack');

const HOOKS = path.join(FIXTURES, 'resend', 'webhooks');
const SECRET = 'whsec_' + crypto.randomBytes(32).toString('base64');
const fixture = (name) => JSON.parse(fs.readFileSync(path.join(HOOKS, `${name}.json`), 'utf8'));
const newId = () => 'msg_' + crypto.randomBytes(12).toString('hex');
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

function signed(body, id = newId(), secret = SECRET) {
  const date = new Date();
  return {
    'content-type': 'application/json',
    'svix-id': id,
    'svix-timestamp': String(Math.floor(date.getTime() / 1000)),
    'svix-signature': new Webhook(secret).sign(id, date, body),
  };
}

test('webhooks stored in batches', async (t) => {
  const stack = await startStack({
    programs: ['api', 'webhooks'],
    env: { SLUICE_RESEND_WEBHOOK_SECRET: SECRET, SLUICE_FCGI_PROCS_WEBHOOKS: '1' },
  });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], `sanitizer reports:\n${Object.values(reports).join('\n')}`);
  });
  const hook = `${stack.url}/v1/webhooks/resend`;
  const post = (body, headers) => request(hook, { method: 'POST', body, headers, timeout: 30000 });
  const one = (query) => stack.sql(query)[0][0];

  await t.test('a burst: each delivery answered and stored as alone, with far fewer commits', async () => {
    const ws = one(`INSERT INTO workspaces (name) VALUES ('batch') RETURNING id`);
    const sends = [];
    for (let i = 0; i < 14; i++) {	// one for each sixth delivery
      sends.push(`re-b${i}`);
      stack.sql(`INSERT INTO digest_sends (workspace_id, recipient, period_start, status, resend_id)
        VALUES (${ws}, 'p${i}@example.com', '2026-11-30', 'claimed', 're-b${i}')`);
    }
    // Delivered and failed for one send in the same burst: whichever
    // comes first, the send ends failed (a late delivered undoes nothing).
    stack.sql(`INSERT INTO digest_sends (workspace_id, recipient, period_start, status, resend_id)
      VALUES (${ws}, 'twice@example.com', '2026-11-30', 'claimed', 're-twice')`);
    const kinds = ['email.sent', 'email.delivered', 'email.opened', 'email.clicked', 'email.bounced', 'email.complained'];
    const deliveries = [];
    for (let i = 0; i < 84; i++) {
      const kind = kinds[i % kinds.length];
      const ev = fixture(kind);
      const rcpt = `r${i}@example.com`;
      ev.data.to = [rcpt];
      ev.data.email_id = kind === 'email.delivered' ? sends[(i / 6) | 0] : `em-${i}`;
      ev.data.subject = `Burst ${i}`;
      deliveries.push({ kind, rcpt, emailId: ev.data.email_id, body: JSON.stringify(ev), id: newId() });
    }
    for (const kind of ['email.delivered', 'email.failed']) {
      const ev = fixture(kind);
      ev.data.email_id = 're-twice';
      ev.data.to = ['twice@example.com'];
      deliveries.push({ kind, rcpt: 'twice@example.com', emailId: 're-twice', body: JSON.stringify(ev), id: newId() });
    }
    // One svix-id three times: stored once, two answers say duplicate.
    const same = { body: JSON.stringify(fixture('email.opened')), id: newId() };
    // A number with more decimals than PostgreSQL's numeric holds
    // (16,383; the checks before the store let it through): 400 for it,
    // and the others in its batch are stored all the same.
    const big = JSON.stringify({ type: 'email.sent', data: { email_id: 'em-big', subject: 'x' } }).replace('"x"', `0.${'0'.repeat(17000)}1`);
    const bigId = newId();
    const forged = JSON.stringify(fixture('email.sent'));

    // Sent in the midst of the others, to share a batch with some.
    const jobs = deliveries.slice(0, 40).map((d) => post(d.body, signed(d.body, d.id)));
    const bigJob = post(big, signed(big, bigId));
    const sameJobs = [0, 1, 2].map(() => post(same.body, signed(same.body, same.id)));
    const forgedJob = post(forged, signed(forged, newId(), 'whsec_' + crypto.randomBytes(32).toString('base64')));
    jobs.push(...deliveries.slice(40).map((d) => post(d.body, signed(d.body, d.id))));
    const answers = await Promise.all(jobs);
    const sameAnswers = await Promise.all(sameJobs);
    const bigAnswer = await bigJob;
    const forgedAnswer = await forgedJob;

    answers.forEach((r, i) => {
      assert.equal(r.status, 200, `${deliveries[i].kind} ${i}: ${r.status} ${r.text}`);
      assert.deepEqual(r.json, { received: true, duplicate: false }, `${i}`);
    });
    for (const r of sameAnswers) assert.equal(r.status, 200, r.text);
    assert.deepEqual(sameAnswers.map((r) => r.json.duplicate).sort(), [false, true, true]);
    assert.equal(bigAnswer.status, 400, bigAnswer.text);
    assert.match(bigAnswer.json.error.message, /database refused its JSON/);
    assert.equal(forgedAnswer.status, 401, forgedAnswer.text);

    // The rows: one per svix-id, fields and payload as sent.
    assert.equal(one(`SELECT count(*) FROM email_events WHERE message_id = ${q(same.id)}`), '1');
    assert.equal(one(`SELECT count(*) FROM email_events WHERE message_id = ${q(bigId)}`), '0');
    for (const d of deliveries) {
      const row = stack.sql(`SELECT type, email_id, recipient, payload = ${q(d.body)}::jsonb
        FROM email_events WHERE message_id = ${q(d.id)}`);
      assert.deepEqual(row, [[d.kind, d.emailId, d.rcpt, 't']], `${d.kind} ${d.id}`);
    }
    // Effects: a suppression per bounced or complained address, naming
    // its event; delivered sends moved to sent.
    for (const d of deliveries.filter((x) => x.kind === 'email.bounced' || x.kind === 'email.complained')) {
      assert.deepEqual(stack.sql(`SELECT reason, source_event FROM email_suppressions WHERE email = ${q(d.rcpt)}`),
        [[d.kind === 'email.bounced' ? 'bounced' : 'complained', d.id]], d.rcpt);
    }
    assert.equal(one(`SELECT count(*) FROM email_suppressions WHERE email LIKE 'r%@example.com'`),
      String(deliveries.filter((x) => x.kind === 'email.bounced' || x.kind === 'email.complained').length));
    for (const s of sends) {
      assert.equal(one(`SELECT status || '|' || (sent_at IS NOT NULL) FROM digest_sends WHERE resend_id = ${q(s)}`),
        'sent|true', s);
    }
    assert.match(one(`SELECT status || '|' || error FROM digest_sends WHERE resend_id = 're-twice'`), /^failed\|failed: /);

    // Batched: the rows of one commit share their xmin (the inserting
    // transaction); the stored deliveries took far fewer than one each.
    const ids = [...deliveries.map((d) => d.id), same.id].map(q).join(',');
    const txns = Number(one(`SELECT count(DISTINCT xmin::text) FROM email_events WHERE message_id IN (${ids})`));
    const stored = deliveries.length + 1;
    assert.ok(txns < stored / 2, `${txns} commits for ${stored} stored deliveries`);
    t.diagnostic(`${txns} commits for ${stored} stored deliveries`);
  });

  await t.test('one at a time, each delivery is its own commit and answer', async () => {
    const body = JSON.stringify(fixture('email.sent'));
    const id = newId();
    let r = await post(body, signed(body, id));
    assert.deepEqual(r.json, { received: true, duplicate: false });
    r = await post(body, signed(body, id));
    assert.deepEqual(r.json, { received: true, duplicate: true });
  });

  await t.test('a stop in the midst of a burst: the deliveries held are stored, then answered', async () => {
    const burst = Array.from({ length: 60 }, (_, i) => {
      const ev = fixture(i % 2 ? 'email.delivered' : 'email.bounced');
      ev.data.to = [`stop${i}@example.com`];
      return { body: JSON.stringify(ev), id: newId() };
    });
    const [sup] = fs.readFileSync(`${stack.dir}/svc/webhooks.pid`, 'utf8').split(/\s+/).map(Number);
    const children = stack.pids('webhooks').filter((p) => p !== sup);
    const jobs = burst.map((d) => post(d.body, signed(d.body, d.id)));
    await new Promise((res) => setTimeout(res, 30));
    process.kill(sup, 'SIGTERM');
    const answers = await Promise.all(jobs);
    // nginx answers 502 for a connection closed unanswered; one that
    // came after the processes left finds no socket (502 too).  What
    // was answered 200 is stored; what was not is not.
    for (const r of answers) assert.ok(r.status === 200 || r.status === 502, `${r.status} ${r.text}`);
    const ok = answers.filter((r) => r.status === 200).length;
    assert.ok(ok > 0, 'some deliveries were answered before the stop');
    const ids = burst.filter((_, i) => answers[i].status === 200).map((d) => q(d.id)).join(',');
    assert.equal(one(`SELECT count(*) FROM email_events WHERE message_id IN (${ids})`), String(ok));
    const held = burst.filter((_, i) => answers[i].status !== 200).map((d) => q(d.id));
    if (held.length > 0)
      assert.equal(one(`SELECT count(*) FROM email_events WHERE message_id IN (${held.join(',')})`), '0',
        'a delivery answered with an error was stored');
    const t1 = Date.now();
    while (children.some((p) => stack.isAlive(p)) && Date.now() - t1 < 5000) await new Promise((res) => setTimeout(res, 50));
    assert.ok(!children.some((p) => stack.isAlive(p)), 'the process ended after answering');
    t.diagnostic(`${ok} of ${burst.length} answered 200 around the stop; statuses ${[...new Set(answers.map((r) => r.status))]}`);
  });
});
