'use strict';
// POST /v1/metrics/ingest: validation with every bad row listed, the
// all-or-nothing upsert with inserted/updated/unchanged counts,
// Idempotency-Key replay (also under concurrency), limits, roles and
// tenant isolation.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { startStack, defer, request } = require('./lib/stack');

const today = new Date();
const iso = (d) => d.toISOString().slice(0, 10);
const daysAgo = (n) => iso(new Date(today.getTime() - n * 86400000));

test('metrics ingest', async (t) => {
  const stack = await startStack({ programs: ['api'] });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const [[wsA]] = stack.sql("INSERT INTO workspaces (name) VALUES ('A') RETURNING id");
  const [[wsB]] = stack.sql("INSERT INTO workspaces (name) VALUES ('B') RETURNING id");
  const mkKey = (ws, role = 'admin') => {
    const r = stack.cli('api', ['create-key', ws, 'k', role]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const ka = mkKey(wsA);
  const kb = mkKey(wsB);
  const kview = mkKey(wsA, 'viewer');
  const ingest = (key, body, headers = {}) => request(`${stack.url}/v1/metrics/ingest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    timeout: 60000,
  });
  const count = (ws) => Number(stack.sql(`SELECT count(*) FROM metric_daily WHERE workspace_id = ${ws}`)[0][0]);

  await t.test('a valid batch is inserted, re-sent unchanged, changed rows updated', async () => {
    const rows = [
      { source: 'ga4', metric: 'sessions', date: daysAgo(2), value: 120 },
      { source: 'ga4', metric: 'sessions', date: daysAgo(1), value: 80.5 },
      { source: 'google_ads', account_id: '123-456', metric: 'clicks', date: daysAgo(1), value: 7, dims: { campaign: 'x' } },
      { source: 'crm', metric: 'deals.won', date: daysAgo(1), value: -2.5e3 },
    ];
    let r = await ingest(ka, rows);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { inserted: 4, updated: 0, unchanged: 0 });
    const stored = stack.sql(`SELECT provider, account_id, metric, value, dims::text FROM metric_daily
      WHERE workspace_id = ${wsA} ORDER BY provider, metric, day`);
    assert.deepEqual(stored, [
      ['crm', '', 'deals.won', '-2500', '{}'],
      ['ga4', '', 'sessions', '120', '{}'],
      ['ga4', '', 'sessions', '80.5', '{}'],
      ['google_ads', '123-456', 'clicks', '7', '{"campaign": "x"}'],
    ]);
    r = await ingest(ka, rows);
    assert.deepEqual(r.json, { inserted: 0, updated: 0, unchanged: 4 });
    const before = stack.sql(`SELECT updated_at FROM metric_daily WHERE workspace_id = ${wsA} ORDER BY 1`);
    rows[0].value = 121;
    rows[2].dims = { campaign: 'y' };
    rows.push({ source: 'ga4', metric: 'sessions', date: daysAgo(3), value: 1 });
    r = await ingest(ka, rows);
    assert.deepEqual(r.json, { inserted: 1, updated: 2, unchanged: 2 });
    assert.equal(count(wsA), 5);
    const after = stack.sql(`SELECT count(*) FROM metric_daily WHERE workspace_id = ${wsA}
      AND updated_at > '${before[before.length - 1][0]}'`);
    assert.equal(after[0][0], '3');
    // 80.5 and 80.50 are the same number: unchanged.
    r = await ingest(ka, '[{"source":"ga4","metric":"sessions","date":"' + daysAgo(1) + '","value":80.50}]');
    assert.deepEqual(r.json, { inserted: 0, updated: 0, unchanged: 1 });
  });

  await t.test('every bad row is listed with its index and nothing is written', async () => {
    const before = count(wsA);
    const good = { source: 'ga4', metric: 'sessions', date: daysAgo(1), value: 1 };
    const rows = [
      { ...good, date: '2026-02-30' },			// 0 not a real date
      { ...good, date: iso(new Date(today.getTime() + 3 * 86400000)) }, // 1 future
      { ...good, value: 'NaN' },				// 2 string
      { ...good, value: '12' },				// 3 string number
      { ...good, source: 'GA4' },				// 4 charset
      { ...good, metric: 'x'.repeat(65) },			// 5 too long
      { ...good, dims: [1] },				// 6 dims not an object
      { ...good, dims: { big: 'x'.repeat(3000) } },		// 7 dims too big
      { ...good, account_id: 'a b' },			// 8 charset
      { ...good, metric: 'engagement_rate' },		// 9 derived
      { ...good, extra: 1 },				// 10 unknown field
      { ...good, date: '2026-1-01' },			// 11 format
      5,							// 12 not an object
      { source: 'ga4' },					// 13 three missing fields
      { ...good, value: 1e19 },				// 14 out of range
      { ...good, date: daysAgo(5) },			// 15 fine
      { ...good, date: daysAgo(5) },			// 16 duplicate of 15
      { ...good, value: true },				// 17 boolean
    ];
    const r = await ingest(ka, rows);
    assert.equal(r.status, 422, r.text);
    const p = r.json.error.problems;
    const idx = [...new Set(p.map((x) => x.index))];
    assert.deepEqual(idx, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 17, 16]);
    const why = (i, field) => p.find((x) => x.index === i && x.field === field)?.reason;
    assert.match(why(0, 'date'), /real date/);
    assert.match(why(1, 'date'), /future/);
    assert.match(why(2, 'value'), /not a string/);
    assert.match(why(3, 'value'), /not a string/);
    assert.match(why(4, 'source'), /a-z/);
    assert.match(why(5, 'metric'), /64/);
    assert.match(why(6, 'dims'), /object/);
    assert.match(why(7, 'dims'), /2048/);
    assert.match(why(8, 'account_id'), /a-z/);
    assert.match(why(9, 'metric'), /engaged_sessions and sessions/);
    assert.match(why(10, 'row'), /unknown field "extra"/);
    assert.match(why(11, 'date'), /YYYY-MM-DD/);
    assert.match(why(12, 'row'), /object/);
    assert.deepEqual(p.filter((x) => x.index === 13).map((x) => x.field), ['metric', 'date', 'value']);
    assert.match(why(14, 'value'), /range/);
    assert.match(why(16, 'row'), /repeats row 15/);
    assert.match(why(17, 'value'), /number/);
    assert.equal(r.json.error.more_problems, 0);
    assert.match(r.json.error.message, /19 problems/);
    assert.equal(count(wsA), before);
  });

  await t.test('values: below 1e18, 6 decimals, exactly at the edges; stored short', async () => {
    // Raw text, so the numbers travel exactly as written here.
    const row = (i, v) => `{"source":"edge","metric":"m${i}","date":"${daysAgo(1)}","value":${v}}`;
    const bad = ['1e18', '-1e18', '1000000000000000000', '-1000000000000000000', '1E+18',
      '999999999999999999.9999995', '1e308', '99999999999999999999', '-99999999999999999999',
      '1' + '0'.repeat(5000)];
    let r = await ingest(ka, '[' + bad.map((v, i) => row(i, v)).join(',') + ']');
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.json.error.problems.map((x) => [x.index, x.field]), bad.map((_, i) => [i, 'value']));
    for (const x of r.json.error.problems) assert.match(x.reason, /out of range: values must be below 1e18/);
    const good = [
      ['999999999999999999', '999999999999999999'],
      ['-999999999999999999', '-999999999999999999'],
      ['999999999999999999.999999', '999999999999999999.999999'],
      ['999999999999999999.9999994', '999999999999999999.999999'],
      ['9.99999999999999999e17', '999999999999999999'],
      ['-0', '0'], ['-0.0', '0'], ['0e99999', '0'],
      ['0.000001', '0.000001'], ['1e-6', '0.000001'], ['0.0000005', '0.000001'],
      ['-0.0000005', '-0.000001'], ['0.00000049', '0'], ['1e-7', '0'],
      ['1e-16000', '0'], ['-1e-16000', '0'], ['2.5E+3', '2500'], ['1.23456789', '1.234568'],
      ['0.' + '0'.repeat(5000) + '1', '0'], ['1.' + '0'.repeat(5000), '1'],
    ];
    r = await ingest(ka, '[' + good.map(([v], i) => row(i, v)).join(',') + ']');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { inserted: good.length, updated: 0, unchanged: 0 });
    const stored = stack.sql(`SELECT substr(metric, 2)::int, value::text, length(value::text) FROM metric_daily
      WHERE workspace_id = ${wsA} AND provider = 'edge' ORDER BY 1`);
    assert.deepEqual(stored.map((x) => x[1]), good.map(([, v]) => v));
    assert.ok(stored.every((x) => Number(x[2]) <= 26), 'a stored value is longer than 26 characters');
    // The same numbers written otherwise are the same values: unchanged.
    r = await ingest(ka, '[' + good.map(([, v], i) => row(i, v + (v.includes('.') ? '0' : '.0'))).join(',') + ']');
    assert.deepEqual(r.json, { inserted: 0, updated: 0, unchanged: good.length });
    stack.sql(`DELETE FROM metric_daily WHERE provider = 'edge'`);
  });

  await t.test('the problem list is capped and says how many more', async () => {
    const rows = Array.from({ length: 250 }, () => ({ source: 'ga4', metric: 'm', date: 'x', value: 1 }));
    const r = await ingest(ka, rows);
    assert.equal(r.status, 422);
    assert.equal(r.json.error.problems.length, 100);
    assert.equal(r.json.error.more_problems, 150);
  });

  await t.test('document-level errors: status and message', async () => {
    let r = await ingest(ka, []);
    assert.equal(r.status, 422);
    assert.match(r.json.error.message, /empty/);
    r = await ingest(ka, '[{"source":"ga4","metric":"m","date":"2026-01-01","value":NaN}]');
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /invalid JSON/);
    r = await ingest(ka, '[{"source":"ga4","metric":"m","date":"2026-01-01","value":Infinity}]');
    assert.equal(r.status, 400);
    r = await ingest(ka, '[{"source":"ga4","metric":"m","date":"2026-01-01","value":1e999}]');
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /NaN and Infinity/);
    r = await ingest(ka, '[{"source": "ga4",');
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /truncated/);
    r = await ingest(ka, '{"source":"ga4"}');
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /array/);
    r = await ingest(ka, '[' + '['.repeat(100) + ']'.repeat(100) + ']');
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /nested too deeply/);
    r = await ingest(ka, [{ source: 'ga4', metric: 'm', date: daysAgo(1), value: 1 }], { 'content-type': 'text/plain' });
    assert.equal(r.status, 415);
    assert.equal(r.json.error.code, 'unsupported_media_type');
    r = await ingest(ka, [{ source: 'ga4', metric: 'm', date: daysAgo(1), value: 1 }], { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(r.status, 200);
  });

  await t.test('limits: 10,001 rows and a 6 MiB body are 413; 10,000 rows pass', async () => {
    const row = (i) => ({ source: 'bulk', metric: `m${i % 100}`, date: daysAgo(1 + Math.floor(i / 100)), value: i });
    let r = await ingest(ka, Array.from({ length: 10001 }, (_, i) => row(i)));
    assert.equal(r.status, 413);
    assert.match(r.json.error.message, /10001 rows: at most 10000/);
    const big = '[' + ' '.repeat(6 * 1024 * 1024) + ']';
    r = await ingest(ka, big);
    assert.equal(r.status, 413);
    const before = count(wsA);
    r = await ingest(ka, Array.from({ length: 10000 }, (_, i) => row(i)));
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { inserted: 10000, updated: 0, unchanged: 0 });
    assert.equal(count(wsA), before + 10000);
    stack.sql(`DELETE FROM metric_daily WHERE provider = 'bulk'`);
  });

  await t.test('a batch that looks new but holds a stored row: upserted, counts right', async () => {
    // First and last rows not stored: the cheap INSERT is tried first; the
    // middle row exists, so the batch is written again as the upsert.
    const rows = [
      { source: 'probe', metric: 'm', date: daysAgo(5), value: 1 },
      { source: 'probe', metric: 'm', date: daysAgo(4), value: 2 },
      { source: 'probe', metric: 'm', date: daysAgo(3), value: 3 },
    ];
    // PostgreSQL logs each refused INSERT: that is how the try shows.
    const refused = () => (stack.log('postgres').match(/duplicate key value violates unique constraint "metric_daily(_p[0-9]+)?_pkey"/g) || []).length;
    let r = await ingest(ka, [{ ...rows[1], value: 20 }], { 'idempotency-key': 'probe-1' });
    assert.deepEqual(r.json, { inserted: 1, updated: 0, unchanged: 0 });
    const before = refused();
    r = await ingest(ka, rows, { 'idempotency-key': 'probe-2' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { inserted: 2, updated: 1, unchanged: 0 });
    assert.equal(refused(), before + 1, 'the plain INSERT was not tried first');
    assert.deepEqual(stack.sql(`SELECT value FROM metric_daily WHERE workspace_id = ${wsA} AND provider = 'probe' ORDER BY day`), [['1'], ['2'], ['3']]);
    // The key recorded the answer of the try that counted.
    r = await ingest(ka, rows, { 'idempotency-key': 'probe-2' });
    assert.equal(r.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(r.json, { inserted: 2, updated: 1, unchanged: 0 });
    // All new: inserted without a conflict.
    r = await ingest(ka, rows.map((x) => ({ ...x, metric: 'n' })));
    assert.deepEqual(r.json, { inserted: 3, updated: 0, unchanged: 0 });
    assert.equal(refused(), before + 1, 'an all-new batch was refused once');
    stack.sql(`DELETE FROM metric_daily WHERE provider = 'probe'`);
    stack.sql(`DELETE FROM ingest_requests WHERE idempotency_key LIKE 'probe-%'`);
  });

  await t.test('Idempotency-Key: same body replays, other body is 409', async () => {
    const rows = [{ source: 'github', metric: 'stars', date: daysAgo(1), value: 10 }];
    const h = { 'idempotency-key': 'retry-1' };
    let r = await ingest(ka, rows, h);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { inserted: 1, updated: 0, unchanged: 0 });
    assert.equal(r.headers.get('idempotent-replayed'), null);
    stack.sql(`UPDATE metric_daily SET value = 99 WHERE workspace_id = ${wsA} AND metric = 'stars'`);
    r = await ingest(ka, rows, h);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { inserted: 1, updated: 0, unchanged: 0 });
    assert.equal(r.headers.get('idempotent-replayed'), 'true');
    // Not written again: the value changed behind its back stays.
    assert.equal(stack.sql(`SELECT value FROM metric_daily WHERE workspace_id = ${wsA} AND metric = 'stars'`)[0][0], '99');
    r = await ingest(ka, [{ ...rows[0], value: 11 }], h);
    assert.equal(r.status, 409);
    assert.match(r.json.error.message, /different body/);
    // Keys are per workspace: B may use the same key.
    r = await ingest(kb, rows, h);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { inserted: 1, updated: 0, unchanged: 0 });
    r = await ingest(ka, rows, { 'idempotency-key': 'bad key!' });
    assert.equal(r.status, 400);
    r = await ingest(ka, rows, { 'idempotency-key': 'k'.repeat(129) });
    assert.equal(r.status, 400);
    // A rejected batch does not burn the key.
    r = await ingest(ka, [{ ...rows[0], value: 'x' }], { 'idempotency-key': 'retry-2' });
    assert.equal(r.status, 422);
    r = await ingest(ka, [{ ...rows[0], date: daysAgo(2) }], { 'idempotency-key': 'retry-2' });
    assert.equal(r.status, 200);
    assert.equal(stack.sql(`SELECT count(*) FROM ingest_requests WHERE workspace_id = ${wsA}`)[0][0], '2');
  });

  await t.test('concurrent requests with one key write once', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ source: 'slack', metric: 'messages', account_id: `c${i}`, date: daysAgo(1), value: i }));
    const h = { 'idempotency-key': 'concurrent-1' };
    const rs = await Promise.all([ingest(ka, rows, h), ingest(ka, rows, h), ingest(ka, rows, h)]);
    for (const r of rs) {
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { inserted: 2000, updated: 0, unchanged: 0 });
    }
    assert.equal(rs.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 2);
  });

  await t.test('roles and tenants: viewer 403, no key 401, B never touches A', async () => {
    const rows = [{ source: 'ga4', metric: 'sessions', date: daysAgo(2), value: 5 }];
    let r = await ingest(kview, rows);
    assert.equal(r.status, 403);
    r = await request(`${stack.url}/v1/metrics/ingest`, { method: 'POST', body: '[]', headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 401);
    const a = stack.sql(`SELECT provider, metric, day, value FROM metric_daily WHERE workspace_id = ${wsA} ORDER BY 1, 2, 3`);
    // B writes the very same keys: its own rows, A's stay as they were.
    r = await ingest(kb, rows);
    assert.deepEqual(r.json, { inserted: 1, updated: 0, unchanged: 0 });
    assert.deepEqual(stack.sql(`SELECT provider, metric, day, value FROM metric_daily WHERE workspace_id = ${wsA} ORDER BY 1, 2, 3`), a);
    // A body cannot name a workspace.
    r = await ingest(kb, [{ ...rows[0], workspace_id: Number(wsA) }]);
    assert.equal(r.status, 422);
    assert.equal(count(wsB), 2);
  });

  await t.test('a workspace deleted while a batch is written: the batch waits, then stores nothing; its rows go with it', async (st) => {
    const [[wsC]] = stack.sql("INSERT INTO workspaces (name) VALUES ('C') RETURNING id");
    const kc = mkKey(wsC);
    let r = await ingest(kc, [{ source: 'ga4', metric: 'sessions', date: daysAgo(3), value: 1 }]);
    assert.equal(r.status, 200, r.text);
    assert.equal(count(wsC), 1);
    // Another session deletes the workspace and holds its transaction open.
    const psql = spawn('/usr/lib/postgresql/15/bin/psql',
      ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', stack.dbUrl]);
    defer(st, () => psql.kill('SIGKILL'));
    let out = '';
    let gone = false;
    psql.stdout.on('data', (d) => { out += d; });
    const exited = new Promise((res) => psql.on('exit', (code) => { gone = true; res(code); }));
    psql.stdin.write(`BEGIN; DELETE FROM workspaces WHERE id = ${wsC}; SELECT 'deleted';\n`);
    const t0 = Date.now();
    while (!out.includes('deleted') && !gone && Date.now() - t0 < 20000) {
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.ok(out.includes('deleted'), `psql did not delete the workspace: ${out}`);
    let answered = false;
    let pending;
    try {
      pending = ingest(kc, [{ source: 'ga4', metric: 'sessions', date: daysAgo(2), value: 2 }])
        .then((x) => { answered = true; return x; });
      await new Promise((res) => setTimeout(res, 500));
      assert.equal(answered, false, 'the batch did not wait for the workspace row');
    } finally {
      psql.stdin.end('COMMIT;\n');
    }
    assert.equal(await exited, 0);
    r = await pending;
    assert.equal(r.status, 404, r.text);
    assert.match(r.json.error.message, /workspace no longer exists/);
    assert.equal(count(wsC), 0);
    // Deleting a workspace still removes its rows (the trigger of sql/060).
    assert.equal(count(wsA) > 0, true);
    const [[wsD]] = stack.sql("INSERT INTO workspaces (name) VALUES ('D') RETURNING id");
    assert.equal((await ingest(mkKey(wsD), [{ source: 'x', metric: 'y', date: daysAgo(1), value: 3 }])).status, 200);
    assert.equal(count(wsD), 1);
    stack.sql(`DELETE FROM workspaces WHERE id = ${wsD}`);
    assert.equal(count(wsD), 0);
  });

  await t.test('a connection lost during COMMIT is a 503, never a 200 for rows not stored', async () => {
    // The request's backend ends itself at COMMIT (a deferred trigger):
    // the COMMIT must not be sent again on a new connection, which
    // commits nothing and answers with a warning only.
    stack.sql(`CREATE FUNCTION test_die_at_commit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
      BEGIN IF NEW.idempotency_key = 'die-at-commit' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; RETURN NEW; END $$;
      CREATE CONSTRAINT TRIGGER test_die_at_commit AFTER INSERT ON ingest_requests
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_die_at_commit();`, { admin: true });
    try {
      const [[wsE]] = stack.sql("INSERT INTO workspaces (name) VALUES ('E') RETURNING id");
      const r = await ingest(mkKey(wsE), [{ source: 'x', metric: 'lost', date: daysAgo(1), value: 7 }], { 'idempotency-key': 'die-at-commit' });
      assert.equal(count(wsE), 0, 'the rows were not stored');
      assert.equal(r.status, 503, `answered ${r.status} for rows not stored: ${r.text}\n${stack.log('api').slice(-1500)}`);
      // The next requests are served at once, the process that lost its
      // connection on a new one (no wait: the server is up).
      const kE = mkKey(wsE);
      for (let i = 0; i < 8; i++) {
        const again = await ingest(kE, [{ source: 'x', metric: 'kept', date: daysAgo(1 + i), value: 8 }]);
        assert.equal(again.status, 200, `request ${i} after the loss: ${again.text}`);
      }
      assert.equal(count(wsE), 8);
    } finally {
      stack.sql('DROP TRIGGER test_die_at_commit ON ingest_requests; DROP FUNCTION test_die_at_commit()', { admin: true });
    }
  });
});

test('pages too large to render degrade: tiny values under many names, thousands of keys', async (t) => {
  const { setupOwner } = require('./lib/flows');
  const stack = await startStack({ programs: ['api', 'pages'] });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const b = await setupOwner(stack.url);
  const [[ws]] = stack.sql('SELECT id FROM workspaces');
  const key = stack.cli('api', ['create-key', ws, 'k', 'admin']).stdout.trim();
  const post = (body) => request(`${stack.url}/v1/metrics/ingest`, {
    method: 'POST', body, timeout: 120000,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  });
  // Some catalogue data first: it must stay on the page whatever comes after.
  let r = await post(JSON.stringify([1, 2, 3, 4, 5, 6, 7].map((d) => ({ source: 'ga4', metric: 'sessions', date: daysAgo(d), value: 100 + d }))));
  assert.equal(r.status, 200, r.text);
  // The attack's batch: 10,000 custom metrics of 1e-16000 in 10 sources (~700 KB).
  const rows = Array.from({ length: 10000 }, (_, i) => `{"source":"s${i % 10}","metric":"m${i}","date":"${daysAgo(2)}","value":1e-16000}`);
  const body = '[' + rows.join(',') + ']';
  assert.ok(body.length > 650000);
  r = await post(body);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { inserted: 10000, updated: 0, unchanged: 0 });
  const [[longest, zeros]] = stack.sql(`SELECT max(length(value::text)), count(*) FILTER (WHERE value = 0)
    FROM metric_daily WHERE workspace_id = ${ws} AND provider LIKE 's%'`);
  assert.equal(longest, '1');
  assert.equal(zeros, '10000');
  for (const period of ['7d', '90d']) {
    r = await request(`${stack.url}/v1/dashboard/tiles?period=${period}`, { headers: { authorization: `Bearer ${key}` }, timeout: 60000 });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    // (each tile's series twice: the period and the one before)
    assert.ok(r.text.length < 256 * 1024, `tiles ${period}: ${r.text.length} bytes`);
    assert.equal(r.json.tiles.length, 200);
    assert.equal(r.json.more_tiles, 10000 - 199);
    // The catalogue's tile is kept, custom ones follow in name order.
    assert.deepEqual(r.json.tiles.filter((x) => x.provider === 'ga4').map((x) => x.metric), ['sessions']);
    assert.deepEqual(r.json.tiles.slice(0, 3).map((x) => `${x.provider}/${x.metric}`), ['ga4/sessions', 's0/m0', 's0/m10']);
    const page = await b.get(`/dashboard?period=${period}`);
    assert.equal(page.status, 200, page.text.slice(0, 300));
    assert.ok(page.text.length < 512 * 1024, `dashboard ${period}: ${page.text.length} bytes`);
    assert.equal((page.text.match(/class="tile"/g) || []).length, 200);
    assert.match(page.text, /9,801 more custom metrics are not shown: a dashboard holds 200 tiles/);
    assert.match(page.text, /<h2 id="p-ga4">Google Analytics 4<\/h2>/);
  }
  // Below the limit nothing is left out and nothing is said.
  stack.sql(`DELETE FROM metric_daily WHERE workspace_id = ${ws} AND provider LIKE 's%' AND metric <> 'm1'`);
  r = await request(`${stack.url}/v1/dashboard/tiles`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(r.json.more_tiles, 0);
  assert.equal(r.json.tiles.length, 2);
  const page = await b.get('/dashboard');
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.text, /not shown/);

  // Any page past the render limit (here: settings with 12,000 keys) shows
  // its longest list shortened, says so, and answers 200, not 500.
  stack.sql(`INSERT INTO api_keys (workspace_id, name, prefix, key_hash)
    SELECT ${ws}, 'reporting script number ' || g || ' ' || repeat('x', 60), 'slk_' || lpad(g::text, 8, '0'),
      sha256(('many-keys-' || g)::bytea) FROM generate_series(1, 12000) g`);
  const settings = await b.get('/settings');
  assert.equal(settings.status, 200, settings.text.slice(0, 300));
  assert.ok(settings.text.length < 4 * 1024 * 1024);
  const m = settings.text.match(/This page is too long to show in full: its longest list shows only its first (\d+) entries of 12001\. Remove entries you no longer need to see the others\./);
  assert.ok(m, 'no note on the shortened page');
  assert.equal((settings.text.match(/action="\/settings\/keys\/\d+\/revoke"/g) || []).length, Number(m[1]));
  assert.match(settings.text, /<\/html>\s*$/);
});
