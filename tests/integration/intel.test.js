'use strict';
// POST /v1/intel/analyze: facts with their period and source and the
// suggested actions, deterministic, per workspace.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startStack, request } = require('./lib/stack');
const { validate, responseSchema } = require('./lib/schema');

test('intel analyze', async (t) => {
  const stack = await startStack({ programs: ['api'] });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const [[a]] = stack.sql("INSERT INTO workspaces (name) VALUES ('A') RETURNING id");
  const [[b]] = stack.sql("INSERT INTO workspaces (name) VALUES ('B') RETURNING id");
  // Five weeks of GA4 sessions for A: 100 a day, 200 a day in the last week.
  stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
    SELECT ${a}, 'ga4', 'p', 'sessions', d::date, CASE WHEN d >= date_trunc('week', current_date) - interval '7 days' THEN 200 ELSE 100 END
    FROM generate_series(current_date - 40, current_date - 1, interval '1 day') d`);
  stack.sql(`INSERT INTO connections (workspace_id, provider, status, last_error) VALUES (${a}, 'linkedin', 'needs_reauth', 'refresh refused')`);
  const ka = stack.cli('api', ['create-key', a, 'a']).stdout.trim();
  const kb = stack.cli('api', ['create-key', b, 'b']).stdout.trim();
  const ask = (key, body) => request(`${stack.url}/v1/intel/analyze`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });

  await t.test('facts and actions for the last week', async () => {
    const r = await ask(ka, { question: 'How did last week go?' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.question, 'How did last week go?');
    assert.match(r.json.period.start, /^\d{4}-\d\d-\d\d$/);
    const s = r.json.facts.find((f) => f.provider === 'ga4' && f.metric === 'sessions');
    assert.ok(s, 'no sessions fact');
    assert.equal(s.current, 1400);
    assert.equal(s.previous, 700);
    assert.equal(s.change_pct, 100);
    assert.equal(s.source, 'metric_daily');
    assert.deepEqual(s.period, r.json.period);
    assert.ok(r.json.insights.some((i) => i.kind && i.provider === 'linkedin'), 'no re-auth insight');
    assert.ok(r.json.actions.some((x) => /Reconnect LinkedIn/.test(x)), r.json.actions.join(' | '));
    const again = await ask(ka, { question: 'How did last week go?' });
    assert.equal(again.text, r.text, 'not deterministic');
  });

  await t.test('the question is read: what it names and asks, and what the data cannot tell', async () => {
    let r = await ask(ka, { question: 'Why did our website sessions go up?' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(validate(responseSchema('/v1/intel/analyze', 'post'), r.json), []);
    assert.deepEqual(r.json.understood, { providers: ['ga4'], metrics: ['sessions'], intent: 'why', other_period: null });
    assert.deepEqual(r.json.facts.map((f) => `${f.provider}/${f.metric}`), ['ga4/sessions']);
    assert.equal(r.json.answerable, true);
    assert.match(r.json.answer, new RegExp(`^Sessions on Google Analytics 4 rose 100% \\(700 to 1,400\\) in the week ${r.json.period.start} to ${r.json.period.end}\\.`));
    assert.match(r.json.answer, /not why/);
    // A connection that needs re-authorisation: no numbers, but what is known.
    r = await ask(ka, { question: 'How is LinkedIn doing this month?' });
    assert.equal(r.json.answerable, true);
    assert.equal(r.json.understood.other_period, 'month');
    assert.match(r.json.answer, /^No numbers for the week .* answer this: LinkedIn needs to be/);
    assert.match(r.json.answer, /whole weeks/);
    // Nothing from YouTube: said so, no facts from elsewhere.
    r = await ask(ka, { question: 'What did YouTube views do?' });
    assert.equal(r.json.answerable, false);
    assert.deepEqual(r.json.facts, []);
    assert.match(r.json.answer, /^There is no data from YouTube for the week/);
    // Different questions, different answers, from the same data.
    const a1 = await ask(ka, { question: 'what fell?' });
    const a2 = await ask(ka, { question: 'what rose?' });
    assert.notEqual(a1.json.answer, a2.json.answer);
  });

  await t.test('scope by provider, bad input, other tenants', async () => {
    let r = await ask(ka, { scope: { provider: 'linkedin' } });
    assert.equal(r.status, 200);
    assert.ok(r.json.facts.every((f) => f.provider === 'linkedin'));
    assert.ok(r.json.insights.every((i) => i.provider === 'linkedin'));
    r = await ask(ka, { scope: { provider: 'nope' } });
    assert.equal(r.status, 422);
    r = await ask(ka, { scope: { period: 'yesterday-ish' } });
    assert.equal(r.status, 422);
    r = await ask(ka, { question: 42 });
    assert.equal(r.status, 422);
    r = await request(`${stack.url}/v1/intel/analyze`, { method: 'POST', headers: { authorization: `Bearer ${ka}` }, body: '{"question":' });
    assert.equal(r.status, 400);
    r = await ask('slk_nope', {});
    assert.equal(r.status, 401);
    r = await ask(kb, {});
    assert.equal(r.status, 200);
    assert.equal(r.json.facts.length, 0);
    assert.equal(r.json.insights.length, 0);
  });

  await t.test('a question is text; a week must be over', async () => {
    const raw = (body) => request(`${stack.url}/v1/intel/analyze`, {
      method: 'POST', headers: { authorization: `Bearer ${ka}`, 'content-type': 'application/json' }, body,
    });
    let r = await ask(ka, { question: 'Why did sessions go up?\u0000 And LinkedIn?' });
    assert.equal(r.status, 422);
    assert.match(r.json.error.message, /question must not contain a NUL character/);
    r = await raw(Buffer.concat([Buffer.from('{"question":"caf'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]));
    assert.ok(r.status === 400 || r.status === 422, `${r.status} ${r.text}`);
    assert.ok(!r.text.includes('\ufffd') && Buffer.from(r.text, 'utf8').toString('utf8') === r.text);
    r = await ask(ka, { question: 'red \u001b[31malert' });
    assert.equal(r.status, 422);
    assert.match(r.json.error.message, /control characters/);
    r = await raw('[1,2,3]');
    assert.equal(r.status, 422);
    assert.match(r.json.error.message, /must be a JSON object/);
    // This week (not over) and next week: refused, naming the week.
    const [[monday, next]] = stack.sql("SELECT to_char(date_trunc('week', now() AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD'), to_char(date_trunc('week', now() AT TIME ZONE 'UTC')::date + 7, 'YYYY-MM-DD')");
    for (const week of [monday, next]) {
      r = await ask(ka, { scope: { period: week } });
      assert.equal(r.status, 422, r.text);
      assert.match(r.json.error.message, new RegExp(`the week of ${week} ends on .* not over yet`));
    }
  });
});
