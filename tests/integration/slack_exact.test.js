'use strict';
// Slack exactly (issue 17, item 4) through the sandbox's big channel
// (C0SBXBIG…: 23 messages a day for 400 days, threads every third day,
// a 240-reply thread every 45th): the first sync stores exactly the
// window's messages with every reply (paged 15 at a time, the limit
// Slack gives non-Marketplace apps), deletions between runs are
// reconciled and the daily counts follow, and a first sync killed with
// -9 at random points several times ends with exactly the channel's
// messages.  The truth is read from the sandbox by the test itself, with
// other page sizes.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { request, defer, TOOLS, BIN } = require('./lib/stack');
const { setupOwner, connectSandbox, syncStack, secrets, workerEnv, runWorker } = require('./lib/flows');

const CHAN = 'C0SBXBIG1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('slack exactly', async (t) => {
  const stack = await syncStack(t, { SLUICE_SANDBOX_LATENCY_MS: '4' });
  const slack = { SLUICE_SYNC_SLACK_PAGE_LIMIT: '15', SLUICE_SYNC_MAX_ATTEMPTS: '30' };
  const { keys } = secrets(stack);
  const wenv = (env = {}) => workerEnv(stack, { ...slack, ...env });
  const worker = (env = {}) => runWorker(stack, { ...slack, ...env }, ['--once'], 300000);
  const b = await setupOwner(stack.url);
  await connectSandbox(b, 'slack');
  const [[conn, ws]] = stack.sql(`SELECT id, workspace_id FROM connections WHERE provider = 'slack'`);
  stack.sql(`UPDATE connections SET selected = '["${CHAN}"]' WHERE id = ${conn}`);
  const enqueue = () => stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${conn}, 'manual')`);
  const lastRun = () => {
    const [[status, err, fetched, changed]] = stack.sql(`SELECT status, coalesce(error, ''), rows_fetched, rows_changed FROM sync_runs WHERE connection_id = ${conn} ORDER BY id DESC LIMIT 1`);
    return { status, err, fetched: Number(fetched), changed: Number(changed) };
  };
  const vault = (...args) => spawnSync(path.join(TOOLS, 'vault_tool'), args, { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: keys } });
  const tokens = () => {
    const [[blob]] = stack.sql(`SELECT token_blob FROM connections WHERE id = ${conn}`);
    const opened = vault('open', ws, 'slack', conn, blob);
    assert.equal(opened.status, 0, opened.stderr);
    return JSON.parse(opened.stdout);
  };
  // The sandbox's switch for the connection: in its token's visible part.
  const setSwitch = (name) => {
    const tok = tokens();
    tok.access_token = tok.access_token.replace(/-fault-[a-z_]+-/, '').replace(/^(xox[a-z.-]*?-(1-)?)/, `$1${name ? `-fault-${name}-` : ''}`);
    const sealed = vault('seal', ws, 'slack', conn, JSON.stringify(tok));
    assert.equal(sealed.status, 0, sealed.stderr);
    stack.sql(`UPDATE connections SET token_blob = '${sealed.stdout.trim()}' WHERE id = ${conn}`);
  };

  // The channel as the sandbox has it over [oldest, latest], read by
  // the test: history 999 a page, every thread 1000 a page.
  const api = async (method, q) => {
    const r = await request(`${stack.url}/sandbox/slack/api/${method}?${new URLSearchParams(q)}`,
      { headers: { Authorization: `Bearer ${tokens().access_token}` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.ok, true, r.text);
    return r.json;
  };
  const truth = async () => {
    const [[oldest, latest]] = stack.sql(`SELECT window_oldest, window_latest FROM channel_progress WHERE connection_id = ${conn} AND channel_id = '${CHAN}'`);
    const all = new Set();
    const threads = new Map();
    let cursor = '';
    do {
      const h = await api('conversations.history', { channel: CHAN, oldest, latest, inclusive: 'true', limit: '999', ...(cursor ? { cursor } : {}) });
      for (const m of h.messages) {
        all.add(m.ts);
        if (m.reply_count > 0) threads.set(m.ts, m.reply_count);
      }
      cursor = h.response_metadata ? h.response_metadata.next_cursor : '';
    } while (cursor);
    for (const [ts, n] of threads) {
      let c = '';
      let got = 0;
      do {
        const r = await api('conversations.replies', { channel: CHAN, ts, limit: '1000', ...(c ? { cursor: c } : {}) });
        for (const m of r.messages) if (m.ts !== ts) { all.add(m.ts); got++; }
        c = r.response_metadata ? r.response_metadata.next_cursor : '';
      } while (c);
      assert.equal(got, n, `thread ${ts}`);
    }
    return { oldest, latest, all, threads };
  };
  const stored = () => new Set(stack.sql(`SELECT ts FROM communications WHERE connection_id = ${conn} AND channel_id = '${CHAN}'`).map((r) => r[0]));
  const day = (ts) => new Date(Number(ts.split('.')[0]) * 1000).toISOString().slice(0, 10);
  const perDay = (set) => {
    const m = {};
    for (const ts of set) m[day(ts)] = (m[day(ts)] || 0) + 1;
    return m;
  };
  // Stored exactly the truth; the daily counts are those of the truth,
  // zero on days without messages.
  const exact = (tr, what) => {
    const got = stored();
    const missing = [...tr.all].filter((x) => !got.has(x));
    const extra = [...got].filter((x) => !tr.all.has(x));
    assert.deepEqual([missing.length, extra.length], [0, 0],
      `${what}: ${missing.length} missing (${missing.slice(0, 5)}), ${extra.length} extra (${extra.slice(0, 5)})`);
    const [[n, distinct]] = stack.sql(`SELECT count(*), count(DISTINCT ts) FROM communications WHERE connection_id = ${conn}`);
    assert.equal(n, distinct);
    const want = perDay(tr.all);
    const rows = stack.sql(`SELECT to_char(day, 'YYYY-MM-DD'), value FROM metric_daily WHERE provider = 'slack' AND account_id = '${CHAN}' AND metric = 'messages' AND day >= to_timestamp(${tr.oldest})::date`);
    const have = Object.fromEntries(rows.filter(([, v]) => v !== '0').map(([d, v]) => [d, Number(v)]));
    assert.deepEqual(have, want, `${what}: daily counts`);
  };

  let first;
  await t.test('a first sync stores exactly the window, every reply of a 240-reply thread', async () => {
    enqueue();
    worker();
    const r = lastRun();
    assert.equal(r.status, 'ok', r.err);
    first = await truth();
    assert.ok(first.all.size >= 2000, `${first.all.size} messages in the window`);
    assert.ok([...first.threads.values()].includes(240), 'a 240-reply thread');
    exact(first, 'first sync');
    // Nothing from before the window (the sandbox has 400 days).
    const [[before]] = stack.sql(`SELECT count(*) FROM communications WHERE connection_id = ${conn} AND ts::numeric < ${first.oldest}`);
    assert.equal(before, '0');
    const [[days]] = stack.sql(`SELECT count(*) FROM metric_daily WHERE provider = 'slack' AND account_id = '${CHAN}' AND metric = 'messages'`);
    // 90 whole days ending yesterday, today and one more (UTC days).
    assert.ok(Number(days) >= 92 && Number(days) <= 93, `days ${days}`);
    const [[cursor, upper, threads, fin]] = stack.sql(`SELECT coalesce(cursor, ''), coalesce(upper, ''), threads::text, finished_at IS NOT NULL FROM channel_progress WHERE connection_id = ${conn}`);
    assert.deepEqual([cursor, upper, threads, fin], ['', '', '{}', 't']);
  });

  await t.test('a rerun changes nothing', () => {
    enqueue();
    worker();
    const r = lastRun();
    assert.equal(r.status, 'ok', r.err);
    assert.equal(r.changed, 0);
  });

  await t.test('deletions between runs are removed and counted no more', async () => {
    setSwitch('deleted');
    enqueue();
    worker();
    const r = lastRun();
    assert.equal(r.status, 'ok', r.err);
    const now = await truth();
    const deleted = [...first.all].filter((x) => !now.all.has(x) && Number(x) <= Number(now.latest));
    assert.ok(deleted.length > 40, `only ${deleted.length} deleted`);
    assert.ok(r.changed >= deleted.length, `changed ${r.changed}`);
    exact(now, 'after deletions');
  });

  await t.test('a first sync killed with -9 at random points ends exactly', async (st) => {
    setSwitch('');
    stack.sql(`DELETE FROM communications WHERE connection_id = ${conn}; DELETE FROM channel_progress WHERE connection_id = ${conn}; DELETE FROM metric_daily WHERE provider = 'slack'; UPDATE connections SET last_sync_at = NULL WHERE id = ${conn}`);
    enqueue();
    const midPass = [];
    const jobStatus = () => stack.sql(`SELECT status FROM sync_jobs WHERE connection_id = ${conn} ORDER BY id DESC LIMIT 1`)[0][0];
    for (let k = 0; k < 6 && jobStatus() !== 'done'; k++) {
      // 5 messages a page: a long run, so that every kill lands in it
      const child = spawn(path.join(BIN, 'worker'), ['--once'], { env: wenv({ SLUICE_SYNC_LEASE_S: '2', SLUICE_SYNC_SLACK_PAGE_LIMIT: '5' }), stdio: ['ignore', 'ignore', 'pipe'] });
      const exited = new Promise((r) => child.on('exit', (code, sig) => r(sig || code)));
      let err = '';
      child.stderr.on('data', (d) => { err += d; });
      defer(st, () => child.kill('SIGKILL'));
      await sleep(300 + Math.floor(Math.random() * 1000));
      child.kill('SIGKILL');
      const how = await exited;
      if (how !== 'SIGKILL') {	// it finished the job before the kill
        assert.equal(how, 0, err);
        break;
      }
      const [[n, cursor]] = stack.sql(`SELECT (SELECT count(*) FROM communications WHERE connection_id = ${conn}), coalesce((SELECT cursor FROM channel_progress WHERE connection_id = ${conn}), '')`);
      midPass.push(`${n}${cursor ? '+' : ''}`);
      await sleep(2100);	// the lease runs out
    }
    st.diagnostic(`messages stored at each kill (+: mid-pass): ${midPass}`);
    const grew = midPass.filter((x) => x.endsWith('+'));
    assert.ok(grew.length >= 3, `killed mid-pass only ${grew.length} times: ${midPass}`);
    const counts = grew.map((x) => Number(x.slice(0, -1)));
    assert.ok(counts[counts.length - 1] > counts[0], `no progress across kills: ${midPass}`);
    worker({ SLUICE_SYNC_SLACK_PAGE_LIMIT: '5' });
    const r = lastRun();
    assert.equal(r.status, 'ok', `${r.err} (kills at ${midPass})`);
    const tr = await truth();
    exact(tr, `after kills at ${midPass}`);
    const lost = stack.sql(`SELECT count(*) FROM sync_runs WHERE connection_id = ${conn} AND error LIKE '%lease ran out%'`);
    assert.ok(Number(lost[0][0]) >= grew.length, `runs lost ${lost[0][0]}`);
  });
});
