'use strict';
// POST /v1/intel/analyze: facts with their period and source and the
// suggested actions, deterministic, per workspace.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startStack, request } = require('./lib/stack');

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
});
