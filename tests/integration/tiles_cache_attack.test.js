'use strict';
// Attacks on the kept tiles (lib/metrics/tiles.c, sql/340), by an outside
// review (review13): reads after every committed ingest while readers race
// (two workspaces interleaved), a rolled-back write, more than 32
// questions, hostile Cache-Control headers, an answer over 512 KB; and the
// two defects it found, fixed: TRUNCATE must reach a workspace without a
// metric_versions row (one whose rows were written before sql/340), and a
// workspace's deletion must not deadlock with a sync's UPDATE of its rows
// (a foreign key's cascade locked the counter before the rows).
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const psql = (url, sql) => new Promise((resolve) => {
  const c = spawn('/usr/lib/postgresql/15/bin/psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql]);
  let out = '';
  c.stdout.on('data', (d) => { out += d; });
  c.stderr.on('data', (d) => { out += d; });
  c.on('exit', (code) => resolve({ code, out: out.trim() }));
});
const { startStack, request } = require('./lib/stack');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('kept tiles under attack', async (t) => {
  const stack = await startStack({ programs: ['api'], env: { SLUICE_WORKER: '0', SLUICE_FCGI_PROCS: '4' } });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const [[ws]] = stack.sql("INSERT INTO workspaces (name) VALUES ('A') RETURNING id");
  const [[ws2]] = stack.sql("INSERT INTO workspaces (name) VALUES ('B') RETURNING id");
  const key = stack.cli('api', ['create-key', ws, 'k', 'admin']).stdout.trim();
  const key2 = stack.cli('api', ['create-key', ws2, 'k', 'admin']).stdout.trim();
  const auth = (k) => ({ authorization: `Bearer ${k}` });
  const get = async (query = '', headers = {}, k = key) => {
    const r = await request(`${stack.url}/v1/dashboard/tiles${query}`, { headers: { ...auth(k), ...headers }, timeout: 30000 });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    return r;
  };
  const cur = (doc, metric, provider = 'crm') => {
    const tile = doc.tiles.find((x) => x.provider === provider && x.metric === metric);
    return tile ? tile.current : undefined;
  };
  const ingest = async (rows, k = key, extra = {}) => {
    const r = await request(`${stack.url}/v1/metrics/ingest`, {
      method: 'POST', headers: { ...auth(k), 'content-type': 'application/json', ...extra },
      body: JSON.stringify(rows), timeout: 30000,
    });
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const yesterday = (w) => `(SELECT (now() AT TIME ZONE time_zone)::date - 1 FROM workspaces WHERE id = ${w})`;
  const [[yday]] = stack.sql(`SELECT to_char(${yesterday(ws)}, 'YYYY-MM-DD')`);

  await t.test('read after every committed ingest, readers racing, two workspaces interleaved', async () => {
    let stop = false;
    let bad = 0;
    const bg = [];
    for (let j = 0; j < 3; j++) {
      bg.push((async () => {
        while (!stop) {
          const r = await get(j % 2 ? '' : '?period=28d', {}, j === 2 ? key2 : key);
          if (j === 2 && cur(r.json, 'x') !== undefined && cur(r.json, 'x') > 0) bad++;
          if (j !== 2 && cur(r.json, 'x') !== undefined && cur(r.json, 'x') < 0) bad++;
        }
      })());
    }
    for (let i = 1; i <= 60; i++) {
      await ingest([{ source: 'crm', metric: 'x', date: yday, value: i }]);
      await ingest([{ source: 'crm', metric: 'x', date: yday, value: -i }], key2);
      const docs = await Promise.all(Array.from({ length: 8 }, (_, n) => get(n % 2 ? '' : '?period=28d')));
      const seen = docs.map((d) => cur(d.json, 'x'));
      assert.deepEqual(seen, Array(8).fill(i), `after ingest ${i}`);
      const docs2 = await Promise.all(Array.from({ length: 4 }, () => get('', {}, key2)));
      assert.deepEqual(docs2.map((d) => cur(d.json, 'x')), Array(4).fill(-i), `ws2 after ingest ${i}`);
    }
    stop = true;
    await Promise.all(bg);
    assert.equal(bad, 0);
  });

  await t.test('a rolled-back write, then a committed one of the same version number', async () => {
    await ingest([{ source: 'crm', metric: 'r', date: yday, value: 1 }]);
    for (let n = 0; n < 8; n++) assert.equal(cur((await get()).json, 'r'), 1);
    const [[v0]] = stack.sql(`SELECT v FROM metric_versions WHERE workspace_id = ${ws}`);
    const child = spawn('/usr/lib/postgresql/15/bin/psql', ['-X', '-q', '-d', stack.dbUrl, '-c',
      `BEGIN; UPDATE metric_daily SET value = 50 WHERE workspace_id = ${ws} AND metric = 'r'; SELECT pg_sleep(2); ROLLBACK;`]);
    const done = new Promise((r) => child.on('exit', r));
    await sleep(500);
    for (let n = 0; n < 8; n++) assert.equal(cur((await get()).json, 'r'), 1, 'uncommitted is not seen');
    await done;
    const [[v1]] = stack.sql(`SELECT v FROM metric_versions WHERE workspace_id = ${ws}`);
    assert.equal(v1, v0, 'a rollback moves nothing');
    stack.sql(`UPDATE metric_daily SET value = 2 WHERE workspace_id = ${ws} AND metric = 'r'`);
    for (let n = 0; n < 8; n++) assert.equal(cur((await get()).json, 'r'), 2);
  });

  await t.test('more than 32 questions: eviction keeps every answer right', async () => {
    const qs = [];
    for (let d = 1; d <= 40; d++) {
      const to = yday;
      const [[from]] = stack.sql(`SELECT to_char(date '${yday}' - ${d - 1}, 'YYYY-MM-DD')`);
      qs.push(`?from=${from}&to=${to}`);
    }
    for (let round = 0; round < 3; round++) {
      const want = 100 + round;
      await ingest([{ source: 'crm', metric: 'e', date: yday, value: want }]);
      for (const q of qs) {
        const docs = await Promise.all(Array.from({ length: 4 }, () => get(q)));
        assert.deepEqual(docs.map((d) => cur(d.json, 'e')), Array(4).fill(want), q);
      }
    }
  });

  await t.test('hostile Cache-Control headers', async () => {
    const variants = ['no-cache', 'NO-CACHE', ' , , no-cache , ', 'no-cache="x"', ',,,,,,', '', 'no-cachex',
      'max-age=0,'.repeat(500), `${'a'.repeat(7000)},no-cache`, 'no-cache\t', '\tno-cache', 'no-store'];
    for (const v of variants) {
      const r = await request(`${stack.url}/v1/dashboard/tiles`, { headers: { ...auth(key), 'cache-control': v } });
      assert.ok([200, 400, 431, 494].includes(r.status), `${JSON.stringify(v.slice(0, 40))}: ${r.status}`);
    }
    const r = await request(`${stack.url}/v1/dashboard/tiles`, { headers: { ...auth(key), 'cache-control': 'x'.repeat(60000) } });
    assert.ok(r.status < 500, `a 60000-byte Cache-Control: ${r.status}`);
  });

  await t.test('a large answer (> 512 KB) follows its changes; and the small one kept before', async () => {
    const [[from]] = stack.sql(`SELECT to_char(date '${yday}' - 365, 'YYYY-MM-DD')`);
    const q = `?from=${from}&to=${yday}`;
    await ingest([{ source: 'big', metric: 'm000', date: yday, value: 1 }], key2);
    const small = await get(q, {}, key2);
    assert.equal(cur(small.json, 'm000', 'big'), 1);
    // 200 metrics over 366 days
    stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
      SELECT ${ws2}, 'big', '', 'm' || lpad(i::text, 3, '0'), date '${yday}' - d, 123456 + i + d
      FROM generate_series(1, 210) i, generate_series(0, 365) d`);
    const big = await get(q, {}, key2);
    console.log('large answer bytes', big.text.length);
    assert.ok(big.text.length > 512 * 1024);
    stack.sql(`UPDATE metric_daily SET value = 7 WHERE workspace_id = ${ws2} AND provider = 'big' AND metric = 'm000' AND day = '${yday}'`);
    for (let n = 0; n < 8; n++) assert.equal(cur((await get(q, {}, key2)).json, 'm000', 'big'), 7);
    stack.sql(`DELETE FROM metric_daily WHERE workspace_id = ${ws2} AND provider = 'big' AND metric <> 'm000'`);
    for (let n = 0; n < 8; n++) assert.equal(cur((await get(q, {}, key2)).json, 'm000', 'big'), 7);
  });

  await t.test('TRUNCATE of a workspace with data but no metric_versions row (as after sql/340 on a database with data)', async () => {
    await ingest([{ source: 'crm', metric: 't', date: yday, value: 5 }]);
    stack.sql(`DELETE FROM metric_versions WHERE workspace_id = ${ws}`);
    for (let n = 0; n < 8; n++) assert.equal(cur((await get()).json, 't'), 5);
    stack.sql('TRUNCATE metric_daily', { admin: true });
    const seen = [];
    for (let n = 0; n < 8; n++) seen.push(cur((await get()).json, 't'));
    assert.deepEqual(seen, Array(8).fill(undefined), 'rows truncated must be gone');
  });

  await t.test('a workspace deleted while a sync UPDATEs its rows: no deadlock', async () => {
    const [[w]] = stack.sql("INSERT INTO workspaces (name) VALUES ('D') RETURNING id");
    stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
      SELECT ${w}, 'google_ads', 'acct', 'cost', date '2026-01-01' + d, 5 FROM generate_series(0, 99) d`);
    // The shape of the sync's "absent rows are 0" UPDATE (lib/sync/sync.c),
    // its last row slow so that the deletion starts while it runs.
    const upd = psql(stack.dbUrl, `UPDATE metric_daily m SET value = 0, updated_at = now() WHERE m.workspace_id = ${w} AND m.provider = 'google_ads' AND m.value <> 0 AND (m.day <> date '2026-01-01' + 99 OR pg_sleep(2) IS NOT NULL)`);
    await sleep(700);
    const del = psql(stack.dbUrl, `DELETE FROM workspaces WHERE id = ${w}`);
    const [a, b] = await Promise.all([upd, del]);
    assert.equal(b.code, 0, b.out);
    assert.equal(a.code, 0, `the sync's UPDATE: ${a.out}`);
  });
});
