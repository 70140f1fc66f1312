'use strict';
// An outside review of batched webhook storage (app_defer(),
// webhook_store_all()): what one-at-a-time storage promised must hold
// for deliveries that share a batch, or two processes' batches, or a
// batch whose database goes away.
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
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

function signed(body, id = newId()) {
  const date = new Date();
  return {
    'content-type': 'application/json',
    'svix-id': id,
    'svix-timestamp': String(Math.floor(date.getTime() / 1000)),
    'svix-signature': new Webhook(SECRET).sign(id, date, body),
  };
}

function bounce(to, emailId) {
  const ev = fixture('email.bounced');
  ev.data.to = [to];
  ev.data.email_id = emailId;
  return JSON.stringify(ev);
}

function stackFor(t, procs) {
  return startStack({
    programs: ['api', 'webhooks'],
    env: { SLUICE_RESEND_WEBHOOK_SECRET: SECRET, SLUICE_FCGI_PROCS_WEBHOOKS: String(procs) },
  }).then((stack) => {
    t.after(() => {
      const reports = stack.stop();
      assert.deepEqual(Object.keys(reports), [], `sanitizer reports:\n${Object.values(reports).join('\n')}`);
    });
    return stack;
  });
}

const post = (stack, body, headers) => request(`${stack.url}/v1/webhooks/resend`,
  { method: 'POST', body, headers, timeout: 30000 });

// One svix-id signed over two bodies of other email ids (sorted apart in
// the batch, so not found to be the same delivery): one-at-a-time, the
// second is a redelivery — duplicate:true and no effects.
test('one svix-id with two bodies in one batch: stored once, one answer new, effects once', async (t) => {
  const stack = await stackFor(t, 1);
  const one = (query) => stack.sql(query)[0][0];
  const pairs = [];
  const jobs = [];
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 4; i++) {	// fillers, to make batches
      const b = bounce(`fill${round}-${i}@example.com`, `em-fill-${round}-${i}`);
      jobs.push(post(stack, b, signed(b)));
    }
    const id = newId();
    const a = bounce(`twin${round}a@example.com`, `em-a-${round}`);
    const b = bounce(`twin${round}b@example.com`, `em-z-${round}`);
    pairs.push({ id, round, jobs: [post(stack, a, signed(a, id)), post(stack, b, signed(b, id))] });
  }
  await Promise.all(jobs);
  let shared = 0;
  for (const p of pairs) {
    const answers = await Promise.all(p.jobs);
    for (const r of answers) assert.equal(r.status, 200, r.text);
    const sups = Number(one(`SELECT count(*) FROM email_suppressions WHERE source_event = ${q(p.id)}`));
    const news = answers.filter((r) => r.json.duplicate === false).length;
    if (news !== 1 || sups !== 1) shared++;
    assert.equal(one(`SELECT count(*) FROM email_events WHERE message_id = ${q(p.id)}`), '1');
    assert.equal(news, 1, `svix-id ${p.id}: ${news} answers say duplicate:false`);
    assert.equal(sups, 1, `svix-id ${p.id}: ${sups} suppressions from one stored event`);
  }
  t.diagnostic(`${shared} of ${pairs.length} pairs broke`);
});

// The same delivery (one body, one svix-id) many times at once, at 4
// processes: one row, exactly one answer duplicate:false.
test('the same delivery at 4 processes at once: exactly one answer says new', async (t) => {
  const stack = await stackFor(t, 4);
  const one = (query) => stack.sql(query)[0][0];
  for (let round = 0; round < 5; round++) {
    const id = newId();
    const body = bounce(`same${round}@example.com`, `em-same-${round}`);
    const jobs = [];
    for (let i = 0; i < 24; i++) {
      const f = bounce(`samefill${round}-${i}@example.com`, `em-sf-${round}-${i}`);
      jobs.push(post(stack, f, signed(f)));
      if (i % 2 === 0) jobs.push(post(stack, body, signed(body, id)).then((r) => ({ ...r, same: true })));
    }
    const answers = await Promise.all(jobs);
    for (const r of answers) assert.equal(r.status, 200, r.text);
    const news = answers.filter((r) => r.same && r.json.duplicate === false).length;
    assert.equal(news, 1, `round ${round}: ${news} answers say duplicate:false`);
    assert.equal(one(`SELECT count(*) FROM email_events WHERE message_id = ${q(id)}`), '1');
  }
});

// Batches of two processes that suppress the same addresses in opposite
// orders (sorted by email id, the addresses crossed) may deadlock: each
// delivery must still be answered 200 and have its effect.
test('crossed suppressions at 2 processes: every delivery stored with its effect', async (t) => {
  const stack = await stackFor(t, 2);
  const one = (query) => stack.sql(query)[0][0];
  const all = [];
  for (let round = 0; round < 6; round++) {
    const jobs = [];
    for (let i = 0; i < 16; i++) {
      // em-0.. to x_i, em-1.. to x_(15-i): ascending email ids take the
      // addresses in both orders.
      const a = bounce(`x${round}-${i}@example.com`, `em-${round}-0-${String(i).padStart(2, '0')}`);
      const b = bounce(`x${round}-${15 - i}@example.com`, `em-${round}-1-${String(i).padStart(2, '0')}`);
      const ia = newId();
      const ib = newId();
      jobs.push(post(stack, a, signed(a, ia)).then((r) => ({ r, id: ia })));
      jobs.push(post(stack, b, signed(b, ib)).then((r) => ({ r, id: ib })));
    }
    all.push(...await Promise.all(jobs));
  }
  for (const { r } of all) assert.equal(r.status, 200, r.text);
  const ids = all.map((x) => q(x.id)).join(',');
  assert.equal(one(`SELECT count(*) FROM email_events WHERE message_id IN (${ids})`), String(all.length));
  assert.equal(one(`SELECT count(*) FROM email_suppressions WHERE email LIKE 'x%@example.com'`), String(6 * 16));
  const deadlocks = (stack.log('webhooks').match(/deadlock detected/g) || []).length;
  t.diagnostic(`${deadlocks} deadlocks logged`);
});

// The database's backends killed, then the database stopped, in the
// midst of bursts: a 200 only for what is stored, 503 for the rest, and
// the rest stored when sent again after it is back.
test('the database lost in the midst of a burst: 200 only when stored, 503 otherwise, stored again after', async (t) => {
  const stack = await stackFor(t, 2);
  const one = (query) => stack.sql(query)[0][0];
  const burst = (n, tag) => Array.from({ length: n }, (_, i) => {
    const body = bounce(`${tag}${i}@example.com`, `em-${tag}-${i}`);
    return { body, id: newId() };
  });
  const check = (ds, answers) => {
    for (const r of answers) assert.ok(r.status === 200 || r.status === 503, `${r.status} ${r.text}`);
    const ok = ds.filter((_, i) => answers[i].status === 200);
    if (ok.length > 0)
      assert.equal(one(`SELECT count(*) FROM email_events WHERE message_id IN (${ok.map((d) => q(d.id)).join(',')})`),
        String(ok.length), 'a delivery answered 200 is not stored');
    return ds.filter((_, i) => answers[i].status !== 200);
  };

  // Backends killed while batches run.
  let ds = burst(80, 'kill');
  let jobs = ds.map((d) => post(stack, d.body, signed(d.body, d.id)));
  for (let i = 0; i < 5; i++) {
    await sleep(5);
    stack.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'sluice' AND pid <> pg_backend_pid()", { admin: true });
  }
  let left = check(ds, await Promise.all(jobs));
  t.diagnostic(`killed backends: ${ds.length - left.length} of ${ds.length} answered 200`);

  // The database stopped in the midst of a burst.
  const ds2 = burst(80, 'stop');
  jobs = ds2.map((d) => post(stack, d.body, signed(d.body, d.id)));
  await sleep(20);
  stack.pgStop();
  const answers2 = await Promise.all(jobs);
  stack.pgStart();
  left = left.concat(check(ds2, answers2));
  t.diagnostic(`stopped database: ${answers2.filter((r) => r.status === 200).length} of ${ds2.length} answered 200`);

  // Back: what was refused is stored when sent again (the backoff may
  // refuse the first tries).
  const all = ds.concat(ds2);
  for (let attempt = 0; attempt < 40 && left.length > 0; attempt++) {
    const answers = await Promise.all(left.map((d) => post(stack, d.body, signed(d.body, d.id))));
    left = check(left, answers);
    if (left.length > 0) await sleep(250);
  }
  assert.equal(left.length, 0, `${left.length} deliveries still refused after the database came back`);
  assert.equal(one(`SELECT count(*) FROM email_events WHERE message_id IN (${all.map((d) => q(d.id)).join(',')})`),
    String(all.length));
  assert.equal(one(`SELECT count(*) FROM email_suppressions WHERE email LIKE 'kill%' OR email LIKE 'stop%'`),
    String(all.length));
});

// Bodies near the route's limit (256 KiB), many at once, bad signatures
// and a body over the limit among them: a batch's payloads go as one
// parameter of up to 16 of them; each answer its own.
test('large bodies in a burst at one process: each stored whole, the forged and oversized refused', async (t) => {
  const stack = await stackFor(t, 1);
  const one = (query) => stack.sql(query)[0][0];
  const ds = Array.from({ length: 40 }, (_, i) => {
    const ev = fixture('email.sent');
    ev.data.email_id = `em-large-${i}`;
    ev.data.subject = String.fromCharCode(97 + (i % 26)).repeat(250 * 1024);
    return { body: JSON.stringify(ev), id: newId() };
  });
  const forged = ds.slice(0, 8).map((d) => {
    const h = signed(d.body, newId());
    h['svix-signature'] = 'v1,' + crypto.randomBytes(32).toString('base64');
    return post(stack, d.body, h);
  });
  const ev = fixture('email.sent');
  ev.data.subject = 'x'.repeat(300 * 1024);
  const over = JSON.stringify(ev);
  const overJob = post(stack, over, signed(over));
  const answers = await Promise.all(ds.map((d) => post(stack, d.body, signed(d.body, d.id))));
  answers.forEach((r, i) => assert.deepEqual([r.status, r.json], [200, { received: true, duplicate: false }], `${i}`));
  for (const r of await Promise.all(forged)) assert.equal(r.status, 401, r.text);
  assert.equal((await overJob).status, 413);
  for (const d of ds)
    assert.equal(one(`SELECT payload = ${q(d.body)}::jsonb FROM email_events WHERE message_id = ${q(d.id)}`), 't', d.id);
  t.diagnostic(`${one(`SELECT count(DISTINCT xmin::text) FROM email_events WHERE email_id LIKE 'em-large-%'`)} commits for ${ds.length}`);
});
