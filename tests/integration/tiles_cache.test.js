'use strict';
// The tiles each api and pages process keeps (lib/metrics/tiles.c,
// sql/340_metric_versions.sql): a kept answer is given again only while
// nothing changed the workspace's metric_daily rows.  Every way rows
// change is tried — ingest, a sync (COPY, then the upsert), SQL by hand
// (INSERT, UPDATE, DELETE, TRUNCATE), a disconnect that deletes the data,
// "delete all data" — and after each every process must answer the new
// numbers (four api processes: a request may reach any).  A partition
// written directly, past the triggers, shows that the answer is kept;
// Cache-Control: no-cache makes it anew.
const test = require('node:test');
const assert = require('node:assert/strict');
const { request } = require('./lib/stack');
const { hidden } = require('./lib/browser');
const { syncStack, setupOwner, connectSandbox, runWorker } = require('./lib/flows');

test('kept tiles follow every change to the rows', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url);
  const [[ws]] = stack.sql('SELECT id FROM workspaces');
  const key = stack.cli('api', ['create-key', ws, 'k', 'admin']).stdout.trim();
  const [[other]] = stack.sql("INSERT INTO workspaces (name) VALUES ('Other') RETURNING id");
  const otherKey = stack.cli('api', ['create-key', other, 'k', 'admin']).stdout.trim();
  const auth = (k) => ({ authorization: `Bearer ${k}` });
  const get = async (query = '', headers = {}, k = key) => {
    const r = await request(`${stack.url}/v1/dashboard/tiles${query}`, { headers: { ...auth(k), ...headers } });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    return r.json;
  };
  // What every process answers (16 requests over 4 processes): one
  // document, or the test fails naming the differing ones.
  const everywhere = async (query = '', k = key) => {
    const docs = await Promise.all(Array.from({ length: 16 }, () => get(query, {}, k)));
    const texts = new Set(docs.map((d) => JSON.stringify(d)));
    assert.equal(texts.size, 1, `processes disagree:\n${[...texts].join('\n')}`);
    return docs[0];
  };
  const current = (doc, provider, metric) => {
    const tile = doc.tiles.find((x) => x.provider === provider && x.metric === metric);
    return tile ? tile.current : undefined;
  };
  const yesterday = `(SELECT (now() AT TIME ZONE time_zone)::date - 1 FROM workspaces WHERE id = ${ws})`;
  const ingest = async (rows) => {
    const r = await request(`${stack.url}/v1/metrics/ingest`, {
      method: 'POST', headers: { ...auth(key), 'content-type': 'application/json' },
      body: JSON.stringify(rows),
    });
    assert.equal(r.status, 200, r.text);
  };
  const [[yday]] = stack.sql(`SELECT to_char(${yesterday}, 'YYYY-MM-DD')`);

  await t.test('ingest, then a row written past the triggers: the answer is kept', async () => {
    await ingest([{ source: 'crm', metric: 'deals', date: yday, value: 5 }]);
    assert.equal(current(await everywhere(), 'crm', 'deals'), 5);
    await ingest([{ source: 'crm', metric: 'deals', date: yday, value: 7 }]);
    assert.equal(current(await everywhere(), 'crm', 'deals'), 7, 'an ingested change');
    // The partition itself: no statement trigger of metric_daily fires.
    const [[part]] = stack.sql(`SELECT tableoid::regclass FROM metric_daily WHERE workspace_id = ${ws} LIMIT 1`);
    stack.sql(`UPDATE ${part} SET value = 9 WHERE workspace_id = ${ws} AND metric = 'deals'`, { admin: true });
    assert.equal(current(await everywhere(), 'crm', 'deals'), 7, 'kept: the version did not move');
    assert.equal(current(await get('', { 'cache-control': 'no-cache' }), 'crm', 'deals'), 9, 'no-cache: made anew');
    const again = await Promise.all(Array.from({ length: 16 }, () => get('', { 'Cache-Control': 'max-age=0, no-cache' })));
    assert.deepEqual([...new Set(again.map((d) => current(d, 'crm', 'deals')))], [9]);
    assert.equal(current(await everywhere(), 'crm', 'deals'), 9, 'each process kept the new answer');
  });

  await t.test('SQL by hand on metric_daily: insert, update, delete, truncate', async () => {
    stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value) VALUES (${ws}, 'crm', '', 'calls', ${yesterday}, 3)`);
    assert.equal(current(await everywhere(), 'crm', 'calls'), 3, 'insert');
    stack.sql(`UPDATE metric_daily SET value = 4 WHERE workspace_id = ${ws} AND metric = 'calls'`);
    assert.equal(current(await everywhere(), 'crm', 'calls'), 4, 'update');
    // Each period and filter is its own answer, each follows.
    assert.equal(current(await everywhere('?period=28d'), 'crm', 'calls'), 4);
    assert.equal(current(await everywhere('?provider=ga4'), 'crm', 'calls'), undefined);
    stack.sql(`UPDATE metric_daily SET value = 6 WHERE workspace_id = ${ws} AND metric = 'calls'`);
    assert.equal(current(await everywhere('?period=28d'), 'crm', 'calls'), 6, '28d after an update');
    stack.sql(`DELETE FROM metric_daily WHERE workspace_id = ${ws} AND metric = 'calls'`);
    assert.equal(current(await everywhere(), 'crm', 'calls'), undefined, 'delete');
    assert.equal(current(await everywhere('?period=28d'), 'crm', 'calls'), undefined, 'delete, 28d');
    // A statement that changes nothing leaves the kept answers alone.
    const [[v0]] = stack.sql(`SELECT v FROM metric_versions WHERE workspace_id = ${ws}`);
    stack.sql(`UPDATE metric_daily SET value = value WHERE workspace_id = ${ws} AND metric = 'nothing'`);
    assert.deepEqual(stack.sql(`SELECT v FROM metric_versions WHERE workspace_id = ${ws}`), [[v0]]);
    stack.sql('TRUNCATE metric_daily', { admin: true });
    assert.deepEqual((await everywhere()).tiles, [], 'truncate');
  });

  await t.test('another workspace never gets this one’s answer', async () => {
    await ingest([{ source: 'crm', metric: 'deals', date: yday, value: 11 }]);
    assert.equal(current(await everywhere(), 'crm', 'deals'), 11);
    assert.deepEqual((await everywhere('', otherKey)).tiles, []);
    const r = await request(`${stack.url}/v1/dashboard/tiles`, { headers: auth('sk_live_wrong') });
    assert.equal(r.status, 401);
  });

  await t.test('the time zone: a kept answer is for the zone it was made in', async () => {
    const before = await everywhere();
    stack.sql(`UPDATE workspaces SET time_zone = 'Pacific/Kiritimati' WHERE id = ${ws}`);
    const after = await everywhere();
    assert.equal(after.time_zone, 'Pacific/Kiritimati');
    assert.notEqual(before.time_zone, after.time_zone);
    stack.sql(`UPDATE workspaces SET time_zone = 'UTC' WHERE id = ${ws}`);
  });

  await t.test('a sync (COPY, then the upsert), the dashboard page, a disconnect', async () => {
    const page0 = await b.get('/dashboard?period=7d');
    assert.equal(page0.status, 200);
    assert.doesNotMatch(page0.text, /id="p-ga4"/);
    assert.equal(current(await everywhere(), 'ga4', 'sessions'), undefined);
    const { res } = await connectSandbox(b, 'ga4');
    assert.equal(res.status, 303);
    stack.sql("INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections");
    runWorker(stack);
    assert.deepEqual(stack.sql('SELECT DISTINCT status FROM sync_runs'), [['ok']]);
    const synced = current(await everywhere(), 'ga4', 'sessions');
    assert.equal(typeof synced, 'number', 'the first sync’s rows (COPY) are seen');
    const page1 = await b.get('/dashboard?period=7d');
    assert.match(page1.text, /id="p-ga4"/, 'the page sees them too');
    // A rerun through the upsert: the sandbox's days again, one changed.
    const [[acct]] = stack.sql(`SELECT account_id FROM metric_daily WHERE provider = 'ga4' AND metric = 'sessions' AND day = ${yesterday}`);
    stack.sql(`UPDATE metric_daily SET value = value + 1000 WHERE provider = 'ga4' AND metric = 'sessions' AND day = ${yesterday} AND account_id = '${acct}'`);
    assert.equal(current(await everywhere(), 'ga4', 'sessions'), synced + 1000);
    stack.sql("INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections");
    runWorker(stack);
    assert.equal(current(await everywhere(), 'ga4', 'sessions'), synced, 'the upsert put the provider’s value back');
    // Disconnect, deleting the data.
    const conn = await b.get('/connections/ga4');
    const r = await b.post('/connections/ga4/disconnect', { csrf: hidden(conn.text, 'csrf'), confirm: '1', delete_data: '1' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(current(await everywhere(), 'ga4', 'sessions'), undefined, 'gone with the disconnect');
    const page2 = await b.get('/dashboard?period=7d');
    assert.doesNotMatch(page2.text, /id="p-ga4"/);
  });

  await t.test('"delete all data", then the workspace itself', async () => {
    assert.equal(current(await everywhere(), 'crm', 'deals'), 11);
    const settings = await b.get('/settings');
    const r = await b.post('/settings/data/delete', { csrf: hidden(settings.text, 'csrf'), confirm: '1' });
    assert.ok([200, 303].includes(r.status), `${r.status} ${r.text.slice(0, 300)}`);
    assert.deepEqual(stack.sql(`SELECT count(*) FROM metric_daily WHERE workspace_id = ${ws}`), [['0']]);
    assert.deepEqual((await everywhere()).tiles, []);
    // The triggers do not stand in a workspace's deletion (its rows go
    // with it, then its counter).
    await ingest([{ source: 'crm', metric: 'deals', date: yday, value: 1 }]);
    stack.sql(`DELETE FROM workspaces WHERE id = ${ws}`);
    assert.deepEqual(stack.sql(`SELECT count(*) FROM metric_versions WHERE workspace_id = ${ws}`), [['0']]);
    const gone = await request(`${stack.url}/v1/dashboard/tiles`, { headers: auth(key) });
    assert.equal(gone.status, 401);
  });
});
