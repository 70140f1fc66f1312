'use strict';
// Content (issue 24, part 1), Instagram: a sandbox sync keeps the media
// of the last 90 days and each item's lifetime numbers equal to the
// simulator's answers (NULL where it has none, never 0); the refresh
// policy (items older than 30 days measured weekly, younger ones every
// run); the rows go with the connection's data; another workspace sees
// none through the reporting view's table.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { request, TOOLS } = require('./lib/stack');
const { hidden } = require('./lib/browser');
const { setupOwner, connectSandbox, syncStack, runWorker, secrets } = require('./lib/flows');

test('Instagram content and its numbers', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url);
  const { res } = await connectSandbox(b, 'instagram');
  assert.equal(res.status, 303, res.text.slice(0, 300));
  const [[conn, ws, list, blob]] = stack.sql("SELECT id, workspace_id, accounts::text, token_blob FROM connections WHERE provider = 'instagram'");
  const ig = JSON.parse(list)[0].id;
  stack.sql(`UPDATE connections SET selected = '["${ig}"]' WHERE id = ${conn}`);
  const sync = () => {
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${conn}, 'manual')`);
    runWorker(stack);
    const [[status, err]] = stack.sql(`SELECT status, coalesce(error, '') FROM sync_runs WHERE connection_id = ${conn} ORDER BY id DESC LIMIT 1`);
    return { status, err };
  };
  // The simulator's media of the last 90 days and each item's insights,
  // with the connection's own token.
  const upstream = async () => {
    const opened = spawnSync(path.join(TOOLS, 'vault_tool'), ['open', ws, 'instagram', conn, blob],
      { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: secrets(stack).keys } });
    assert.equal(opened.status, 0, opened.stderr);
    const auth = { Authorization: `Bearer ${JSON.parse(opened.stdout).access_token}` };
    const items = [];
    let url = `${stack.url}/sandbox/graph/v23.0/${ig}/media?fields=id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count&limit=50`;
    for (let i = 0; url && i < 20; i++) {
      const r = await request(url, { headers: auth });
      assert.equal(r.status, 200, r.text);
      items.push(...r.json.data);
      url = r.json.paging.next;
    }
    const since = new Date(Date.now() - 89 * 86400000).toISOString().slice(0, 10);
    const kept = items.filter((m) => m.timestamp.slice(0, 10) >= since);
    assert.ok(kept.length < items.length, 'some items are older than 90 days');
    for (const m of kept) {
      const story = m.media_product_type === 'STORY';
      const r = await request(`${stack.url}/sandbox/graph/v23.0/${m.id}/insights?metric=${story ? 'views,reach,shares' : 'views,reach,saved,shares'}`, { headers: auth });
      assert.equal(r.status, 200, r.text);
      m.insights = Object.fromEntries(r.json.data.map((d) => [d.name, d.values[0].value]));
    }
    return kept;
  };
  const num = (v) => (v === undefined || v === null ? '' : String(v));
  const stored = () => stack.sql(`SELECT c.item_id, c.type, c.caption, coalesce(c.permalink, ''),
      to_char(c.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'),
      coalesce(m.views::text, ''), coalesce(m.reach::text, ''), coalesce(m.likes::text, ''),
      coalesce(m.comments::text, ''), coalesce(m.shares::text, ''), coalesce(m.saves::text, '')
    FROM content c LEFT JOIN content_metrics m USING (workspace_id, provider, account_id, item_id)
    WHERE c.workspace_id = ${ws} AND c.account_id = '${ig}' ORDER BY c.item_id, m.day`);

  await t.test('a sync keeps the last 90 days of media and their numbers as served', async () => {
    const r = sync();
    assert.equal(r.status, 'ok', r.err);
    const up = await upstream();
    const want = up.map((m) => [m.id,
      m.media_product_type === 'REELS' ? 'reel' : m.media_product_type === 'STORY' ? 'story' : 'post',
      m.caption === undefined ? '' : m.caption, m.permalink, m.timestamp.slice(0, 19),
      num(m.insights.views), num(m.insights.reach), num(m.like_count), num(m.comments_count),
      num(m.insights.shares), num(m.insights.saved)]).sort((x, y) => (x[0] < y[0] ? -1 : 1));
    assert.deepEqual(stored(), want);
    const types = new Set(want.map((w) => w[1]));
    assert.deepEqual([...types].sort(), ['post', 'reel', 'story']);
    // NULL where Instagram has no number, never 0: a story has no saves,
    // an item whose likes are hidden no likes, one without insights none.
    const story = want.find((w) => w[1] === 'story');
    assert.equal(story[10], '');
    assert.ok(want.some((w) => w[1] === 'post' && w[7] === '' && w[8] !== ''), 'hidden likes are NULL');
    assert.ok(want.some((w) => w[5] === '' && w[6] === '' && w[7] !== ''), 'no insights: NULL');
    assert.ok(want.some((w) => w[2] === ''), 'an item without caption');
    assert.match(want.find((w) => w[2] !== '')[2], /café ☕/);
    // A second run the same day measures again and changes nothing.
    assert.equal(sync().status, 'ok');
    assert.deepEqual(stored(), want);
  });

  await t.test('refresh: younger than 30 days every run, older ones weekly', async () => {
    const measured = () => Object.fromEntries(stack.sql(`SELECT c.item_id,
        (c.published_at >= now() - interval '30 days')::text || ':' ||
        coalesce((SELECT max(day) = (now() AT TIME ZONE 'UTC')::date FROM content_metrics m WHERE m.workspace_id = c.workspace_id
          AND m.provider = c.provider AND m.account_id = c.account_id AND m.item_id = c.item_id)::text, 'none')
      FROM content c WHERE c.workspace_id = ${ws}`));
    // As if the last measurements were made yesterday.
    stack.sql(`UPDATE content_metrics SET day = day - 1 WHERE workspace_id = ${ws}`);
    assert.equal(sync().status, 'ok');
    let m = measured();
    const young = Object.values(m).filter((v) => v.startsWith('true')).length;
    const old = Object.values(m).filter((v) => v.startsWith('false')).length;
    assert.ok(young > 0 && old > 0, JSON.stringify(m));
    for (const [id, v] of Object.entries(m)) assert.equal(v, v.startsWith('true') ? 'true:true' : 'false:false', id);
    // A week after the last measurement: measured again.
    stack.sql(`UPDATE content_metrics SET day = day - 6 WHERE workspace_id = ${ws}`);
    assert.equal(sync().status, 'ok');
    m = measured();
    for (const [id, v] of Object.entries(m)) assert.equal(v.split(':')[1], 'true', id);
  });

  await t.test('content goes with the connection\'s data', async () => {
    const count = (table) => Number(stack.sql(`SELECT count(*) FROM ${table} WHERE workspace_id = ${ws}`)[0][0]);
    const before = count('content');
    assert.ok(before > 0 && count('content_metrics') > 0);
    let page = await b.get('/settings');
    let r = await b.post('/settings/data/delete', { csrf: hidden(page.text, 'csrf'), confirm: '1' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(count('content'), 0);
    assert.equal(count('content_metrics'), 0);
    assert.equal(sync().status, 'ok');
    assert.equal(count('content'), before);
    page = await b.get('/connections/instagram');
    r = await b.post('/connections/instagram/disconnect', { csrf: hidden(page.text, 'csrf'), confirm: '1', delete_data: '1' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(count('content'), 0);
    assert.equal(count('content_metrics'), 0);
  });
});
