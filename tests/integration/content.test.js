'use strict';
// Content (issue 24, part 1), Instagram: a sandbox sync keeps the media
// of the last 90 days and each item's lifetime numbers equal to the
// simulator's answers (NULL where it has none, never 0); the refresh
// policy (items older than 30 days measured weekly, younger ones every
// run); the rows go with the connection's data; another workspace sees
// none through the reporting view's table.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { chromium } = require('playwright-core');
const { request, TOOLS, ROOT, defer } = require('./lib/stack');
const { checkA11y } = require('./lib/a11y');
const { hidden } = require('./lib/browser');
const { setupOwner, connectSandbox, syncStack, runWorker, secrets } = require('./lib/flows');

const ART = path.join(ROOT, 'tests/artifacts');
const PASSWORD = 'correct horse battery';

test('Instagram content and its numbers', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url, { password: PASSWORD });
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
      // Error 10 (too few viewers): no insights, not a failed sync.
      if (r.status === 400) {
        assert.equal(r.json.error.code, 10, r.text);
        m.insights = {};
        m.error10 = true;
        continue;
      }
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
    assert.ok(up.some((m) => m.error10), 'an item answers error 10');
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

  const key = (role, w = ws) => {
    const r = stack.cli('api', ['create-key', w, 'k', role]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const api = (q, k) => request(`${stack.url}/v1/content${q}`, { headers: { Authorization: `Bearer ${k}` } });

  await t.test('GET /v1/content: filters, sorts, cursor pages, tenancy, bad filters', async () => {
    const viewer = key('viewer');
    const all = stack.sql(`SELECT c.item_id, c.type, coalesce(m.likes, 0) + coalesce(m.comments, 0) + coalesce(m.shares, 0)
        + coalesce(m.saves, 0), num_nonnulls(m.likes, m.comments, m.shares, m.saves)
      FROM content c LEFT JOIN LATERAL (SELECT * FROM content_metrics x WHERE x.workspace_id = c.workspace_id
        AND x.item_id = c.item_id ORDER BY day DESC LIMIT 1) m ON true
      WHERE c.workspace_id = ${ws} ORDER BY c.published_at DESC, c.item_id DESC`);
    let r = await api('', viewer);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.content.map((c) => c.id), all.map((a) => a[0]));
    assert.equal(r.json.next_cursor, null);
    const story = r.json.content.find((c) => c.type === 'story');
    assert.equal(story.saves, null, 'unknown is null, not 0');
    assert.equal(story.provider, 'instagram');
    assert.equal(story.account, ig);
    // Engagement: likes + comments + shares + saves of those known.
    for (const c of r.json.content) {
      const row = all.find((a) => a[0] === c.id);
      assert.equal(c.engagement, row[3] === '0' ? null : Number(row[2]), c.id);
    }
    // Pages of 3 by engagement: the same items, highest first, unknown last.
    const seen = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      r = await api(`?sort=engagement&limit=3${cursor}`, viewer);
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.content);
      if (!r.json.next_cursor) break;
      cursor = `&cursor=${encodeURIComponent(r.json.next_cursor)}`;
    }
    assert.equal(seen.length, all.length);
    const eng = seen.map((c) => (c.engagement === null ? -1 : c.engagement));
    assert.deepEqual(eng, [...eng].sort((x, y) => y - x));
    // Filters.
    r = await api('?type=reel', viewer);
    assert.ok(r.json.content.length > 0);
    assert.ok(r.json.content.every((c) => c.type === 'reel'));
    assert.equal(r.json.content.length, all.filter((a) => a[1] === 'reel').length);
    const [[d]] = stack.sql(`SELECT to_char(max(published_at) AT TIME ZONE (SELECT time_zone FROM workspaces WHERE id = ${ws}), 'YYYY-MM-DD') FROM content WHERE workspace_id = ${ws}`);
    r = await api(`?since=${d}&until=${d}&provider=instagram&account=${ig}`, viewer);
    assert.ok(r.json.content.length >= 1);
    assert.equal((await api('?provider=youtube', viewer)).json.content.length, 0);
    assert.equal((await api('?account=nope', viewer)).json.content.length, 0);
    // Bad filters: 400 naming the parameter.
    for (const q of ['?type=tweet', '?provider=slack', '?since=2026-02-30', '?since=2026-03-02&until=2026-03-01',
      '?sort=views', '?limit=0', '?limit=501', '?cursor=abc', '?foo=1', '?type=reel&type=post',
      `?cursor=${encodeURIComponent('5.1.61.62.63')}`]) {
      r = await api(q, viewer);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.equal(r.json.error.code, 'bad_request', q);
    }
    // Another workspace's key sees nothing of these.
    const [[other]] = stack.sql("INSERT INTO workspaces (name) VALUES ('Other') RETURNING id");
    r = await api('', key('admin', other));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.content, []);
    assert.equal((await api('', 'slk_nope')).status, 401);
  });

  await t.test('the dashboard\'s Top content shows the numbers SQL has', async () => {
    const page = await b.get('/dashboard?period=90d');
    assert.equal(page.status, 200);
    assert.match(page.text, /<h2 id="content-heading">Top content<\/h2>/);
    const [[from, to]] = stack.sql(`SELECT to_char(d - 90, 'YYYY-MM-DD'), to_char(d - 1, 'YYYY-MM-DD')
      FROM (SELECT (now() AT TIME ZONE (SELECT time_zone FROM workspaces WHERE id = ${ws}))::date AS d) x`);
    const top = stack.sql(`SELECT c.item_id, c.permalink, m.likes, m.comments, m.shares, m.saves,
        coalesce(m.likes, 0) + coalesce(m.comments, 0) + coalesce(m.shares, 0) + coalesce(m.saves, 0) AS e
      FROM content c JOIN LATERAL (SELECT * FROM content_metrics x WHERE x.workspace_id = c.workspace_id
        AND x.item_id = c.item_id ORDER BY day DESC LIMIT 1) m ON true
      WHERE c.workspace_id = ${ws} AND num_nonnulls(m.likes, m.comments, m.shares, m.saves) > 0
        AND (c.published_at AT TIME ZONE (SELECT time_zone FROM workspaces WHERE id = ${ws}))::date BETWEEN '${from}' AND '${to}'
      ORDER BY e DESC, c.published_at DESC, c.item_id LIMIT 5`);
    assert.ok(top.length > 0);
    const fmt = (v) => (v === '' ? '–' : Number(v).toLocaleString('en-US'));
    const overall = page.text.split('id="content-overall"')[1].split('</table>')[0];
    // Each item names its account as the picker does (two Pages of one
    // source are told apart); the number it is ranked by comes first.
    const [[igName]] = stack.sql(`SELECT a->>'name' FROM connections, jsonb_array_elements(accounts) a WHERE id = ${conn} AND a->>'id' = '${ig}'`);
    assert.ok(igName && igName !== ig);
    const rows = [...overall.matchAll(/<tr><td>(.*?)<\/td><td class="num">([^<]+)<\/td><td>Instagram · ([^<]+)<\/td><td>(\w+)<\/td><td><time datetime="([\d-]+)">[\d-]+<\/time><\/td>/g)];
    assert.equal(rows.length, top.length, overall);
    rows.forEach((m, i) => {
      assert.equal(m[2], fmt(top[i][6]), `engagement of ${top[i][0]}`);
      assert.equal(m[3], igName.replace(/&/g, '&amp;'));
      assert.ok(m[1].includes(`href="${top[i][1]}" rel="noopener noreferrer"`), m[1]);
    });
    const ins = page.text.split('id="content-instagram"')[1].split('</table>')[0];
    const first = ins.match(/<td class="num">([^<]+)<\/td><td>[^<]*<\/td><td>\w+<\/td><td><time[^>]*>[^<]*<\/time><\/td><td class="num">([^<]+)<\/td><td class="num">([^<]+)<\/td><td class="num">([^<]+)<\/td><td class="num">([^<]+)<\/td><\/tr>/);
    assert.deepEqual(first.slice(1), [top[0][6], top[0][2], top[0][3], top[0][4], top[0][5]].map(fmt));
    // A caption is escaped: one with markup shows as text.
    stack.sql(`UPDATE content SET caption = '<b>bold</b> & co' WHERE workspace_id = ${ws} AND item_id = '${top[0][0]}'`);
    const esc = await b.get('/dashboard?period=90d');
    assert.match(esc.text, /&lt;b&gt;bold&lt;\/b&gt; &amp; co/);
    assert.doesNotMatch(esc.text, /<b>bold<\/b>/);
    // Days without any: the empty state.
    const none = await b.get(`/dashboard?from=2020-01-01&to=2020-01-07`);
    assert.match(none.text, /No post, reel, story or video published from 2020-01-01 to 2020-01-07 has numbers yet/);
  });

  await t.test('the digest lists the week\'s top content', async () => {
    // The best item, as if published on last week's Wednesday.
    const [[id, e, views]] = stack.sql(`SELECT c.item_id, coalesce(m.likes, 0) + coalesce(m.comments, 0) + coalesce(m.shares, 0)
        + coalesce(m.saves, 0), coalesce(m.views::text, '') FROM content c JOIN LATERAL (SELECT * FROM content_metrics x
        WHERE x.workspace_id = c.workspace_id AND x.item_id = c.item_id ORDER BY day DESC LIMIT 1) m ON true
      WHERE c.workspace_id = ${ws} AND c.type = 'reel' AND m.likes IS NOT NULL ORDER BY 2 DESC LIMIT 1`);
    stack.sql(`UPDATE content SET published_at = (date_trunc('week', now() AT TIME ZONE 'UTC')::date - 5) + time '12:00'
      WHERE workspace_id = ${ws} AND item_id = '${id}'`);
    const r = await b.get('/digest/preview');
    assert.equal(r.status, 200);
    assert.match(r.text, />Top content<\/h2>/);
    const line = r.text.split('>Top content</h2>')[1].split('</table>')[0];
    const fmt = (v) => Number(v).toLocaleString('en-US');
    assert.ok(line.includes(`(Instagram reel, `), line);
    assert.ok(line.includes(`: ${fmt(e)} engagements${views ? `, ${fmt(views)} views` : ''}</td>`), line);
  });

  await t.test('in a browser: the Top content section, axe-core clean', async () => {
    fs.mkdirSync(ART, { recursive: true });
    const browser = await chromium.launch({ executablePath: process.env.SLUICE_CHROMIUM || '/usr/bin/chromium',
      headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    defer(t, () => browser.close());
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${stack.url}/login`);
    await page.getByLabel('Email').fill('owner@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /log in/i }).click();
    await page.waitForURL(/\/(dashboard|connections)/);
    await page.goto(`${stack.url}/dashboard?period=90d`);
    const section = page.locator('section[aria-labelledby="content-heading"]');
    await section.scrollIntoViewIfNeeded();
    await section.screenshot({ path: path.join(ART, 'content-section.png') });
    await checkA11y(page, 'dashboard with top content');
    assert.equal(await section.locator('h2').textContent(), 'Top content');
    assert.ok(await section.locator('a[rel="noopener noreferrer"]').count() > 0);
  });

  await t.test('media this grant may not read: the numbers are kept, the content left out, the run ok', async () => {
    const { res: again } = await connectSandbox(b, 'instagram', 'allow', { user: 'ig-fault-media_forbidden' });
    assert.equal(again.status, 303);
    stack.sql(`UPDATE connections SET selected = '["${ig}"]' WHERE id = ${conn}`);
    stack.sql(`DELETE FROM content WHERE workspace_id = ${ws}; DELETE FROM metric_daily WHERE workspace_id = ${ws}`);
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${conn}, 'manual')`);
    const w = runWorker(stack);
    const [[status, err]] = stack.sql(`SELECT status, coalesce(error, '') FROM sync_runs WHERE connection_id = ${conn} ORDER BY id DESC LIMIT 1`);
    assert.equal(status, 'ok', err);
    assert.ok(Number(stack.sql(`SELECT count(*) FROM metric_daily WHERE workspace_id = ${ws} AND provider = 'instagram'`)[0][0]) > 0);
    assert.equal(stack.sql(`SELECT count(*) FROM content WHERE workspace_id = ${ws}`)[0][0], '0');
    assert.match(w.stderr, /Instagram \d+: content left out/);
    // The same grant without the fault reads them again.
    const { res: back } = await connectSandbox(b, 'instagram');
    assert.equal(back.status, 303);
    stack.sql(`UPDATE connections SET selected = '["${ig}"]' WHERE id = ${conn}`);
    assert.equal(sync().status, 'ok');
    assert.ok(Number(stack.sql(`SELECT count(*) FROM content WHERE workspace_id = ${ws}`)[0][0]) > 0);
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

test('YouTube uploads and their numbers', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url, { password: PASSWORD });
  const { res } = await connectSandbox(b, 'youtube');
  assert.equal(res.status, 303, res.text.slice(0, 300));
  const [[conn, ws, list, blob]] = stack.sql("SELECT id, workspace_id, accounts::text, token_blob FROM connections WHERE provider = 'youtube'");
  const chan = JSON.parse(list)[0].id;
  stack.sql(`UPDATE connections SET selected = '["${chan}"]' WHERE id = ${conn}`);
  stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${conn}, 'manual')`);
  runWorker(stack);
  const [[status, err]] = stack.sql(`SELECT status, coalesce(error, '') FROM sync_runs WHERE connection_id = ${conn} ORDER BY id DESC LIMIT 1`);
  assert.equal(status, 'ok', err);
  // The simulator's uploads of the last 90 days and their videos.
  const opened = spawnSync(path.join(TOOLS, 'vault_tool'), ['open', ws, 'youtube', conn, blob],
    { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: secrets(stack).keys } });
  assert.equal(opened.status, 0, opened.stderr);
  const auth = { Authorization: `Bearer ${JSON.parse(opened.stdout).access_token}` };
  const base = `${stack.url}/sandbox/youtube/v3`;
  let r = await request(`${base}/channels?part=contentDetails&id=${chan}`, { headers: auth });
  const uploads = r.json.items[0].contentDetails.relatedPlaylists.uploads;
  const ids = [];
  let tok = '';
  for (let i = 0; i < 20; i++) {
    r = await request(`${base}/playlistItems?part=contentDetails&playlistId=${uploads}&maxResults=50${tok}`, { headers: auth });
    assert.equal(r.status, 200, r.text);
    ids.push(...r.json.items.map((it) => it.contentDetails));
    if (!r.json.nextPageToken) break;
    tok = `&pageToken=${r.json.nextPageToken}`;
  }
  const since = new Date(Date.now() - 89 * 86400000).toISOString().slice(0, 10);
  const kept = ids.filter((c) => c.videoPublishedAt.slice(0, 10) >= since).map((c) => c.videoId);
  assert.ok(kept.length > 0 && kept.length < ids.length, 'some uploads are older than 90 days');
  r = await request(`${base}/videos?part=snippet,statistics,contentDetails&id=${kept.join(',')}`, { headers: auth });
  const num = (v) => (v === undefined ? '' : String(v));
  const want = r.json.items.map((v) => {
    const short = v.contentDetails.duration === 'PT45S';
    return [v.id, short ? 'short' : 'video', v.snippet.title,
      `https://www.youtube.com/${short ? 'shorts/' : 'watch?v='}${v.id}`, v.snippet.publishedAt.slice(0, 19),
      num(v.statistics.viewCount), '', num(v.statistics.likeCount), num(v.statistics.commentCount), '', ''];
  }).sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const stored = stack.sql(`SELECT c.item_id, c.type, c.caption, coalesce(c.permalink, ''),
      to_char(c.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'),
      coalesce(m.views::text, ''), coalesce(m.reach::text, ''), coalesce(m.likes::text, ''),
      coalesce(m.comments::text, ''), coalesce(m.shares::text, ''), coalesce(m.saves::text, '')
    FROM content c LEFT JOIN content_metrics m USING (workspace_id, provider, account_id, item_id)
    WHERE c.workspace_id = ${ws} AND c.provider = 'youtube' ORDER BY c.item_id, m.day`);
  assert.deepEqual(stored, want);
  assert.ok(want.some((w) => w[1] === 'short') && want.some((w) => w[1] === 'video'));
  assert.ok(want.some((w) => w[7] === '' && w[8] !== ''), 'hidden likes are NULL');
  assert.ok(want.some((w) => w[8] === '' && w[7] !== ''), 'comments off: NULL');
});

test('Facebook Page posts and their numbers', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url, { password: PASSWORD });
  const { res } = await connectSandbox(b, 'facebook');
  assert.equal(res.status, 303, res.text.slice(0, 300));
  const [[conn, ws, list, blob]] = stack.sql("SELECT id, workspace_id, accounts::text, token_blob FROM connections WHERE provider = 'facebook'");
  const page = JSON.parse(list)[0].id;
  stack.sql(`UPDATE connections SET selected = '["${page}"]' WHERE id = ${conn}`);
  stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${conn}, 'manual')`);
  runWorker(stack);
  const [[status, err]] = stack.sql(`SELECT status, coalesce(error, '') FROM sync_runs WHERE connection_id = ${conn} ORDER BY id DESC LIMIT 1`);
  assert.equal(status, 'ok', err);
  const opened = spawnSync(path.join(TOOLS, 'vault_tool'), ['open', ws, 'facebook', conn, blob],
    { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: secrets(stack).keys } });
  assert.equal(opened.status, 0, opened.stderr);
  const auth = { Authorization: `Bearer ${JSON.parse(opened.stdout).access_token}` };
  const posts = [];
  let url = `${stack.url}/sandbox/graph/v23.0/${page}/published_posts?fields=id,message,permalink_url,created_time,shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)&limit=25`;
  for (let i = 0; url && i < 20; i++) {
    const r = await request(url, { headers: auth });
    assert.equal(r.status, 200, r.text);
    posts.push(...r.json.data);
    url = r.json.paging && r.json.paging.next;
  }
  const since = new Date(Date.now() - 89 * 86400000).toISOString().slice(0, 10);
  const kept = posts.filter((p) => p.created_time.slice(0, 10) >= since);
  assert.ok(kept.length > 0 && kept.length < posts.length, 'some posts are older than 90 days');
  const num = (v) => (v === undefined || v === null ? '' : String(v));
  const want = [];
  for (const p of kept) {
    const r = await request(`${stack.url}/sandbox/graph/v23.0/${p.id}/insights?metric=post_media_view,post_total_media_view_unique`, { headers: auth });
    assert.equal(r.status, 200, r.text);
    const ins = Object.fromEntries(r.json.data.map((d) => [d.name, d.values[0].value]));
    want.push([p.id, 'post', p.message || '', p.permalink_url, p.created_time.slice(0, 19),
      num(ins.post_media_view), num(ins.post_total_media_view_unique), num(p.reactions.summary.total_count),
      num(p.comments.summary.total_count), num(p.shares && p.shares.count), '']);
  }
  want.sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const stored = stack.sql(`SELECT c.item_id, c.type, c.caption, coalesce(c.permalink, ''),
      to_char(c.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'),
      coalesce(m.views::text, ''), coalesce(m.reach::text, ''), coalesce(m.likes::text, ''),
      coalesce(m.comments::text, ''), coalesce(m.shares::text, ''), coalesce(m.saves::text, '')
    FROM content c LEFT JOIN content_metrics m USING (workspace_id, provider, account_id, item_id)
    WHERE c.workspace_id = ${ws} AND c.provider = 'facebook' ORDER BY c.item_id, m.day`);
  assert.deepEqual(stored, want);
  assert.ok(want.some((w) => w[9] === ''), 'a post without shares: NULL');
  assert.ok(want.some((w) => w[5] === '' && w[7] !== ''), 'a post without insights: NULL');
  assert.ok(want.some((w) => w[2] === ''), 'a post without message');
});

test('LinkedIn organization posts and their numbers', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url, { password: PASSWORD });
  const { res } = await connectSandbox(b, 'linkedin');
  assert.equal(res.status, 303, res.text.slice(0, 300));
  const [[conn, ws, list, blob]] = stack.sql("SELECT id, workspace_id, accounts::text, token_blob FROM connections WHERE provider = 'linkedin'");
  const org = JSON.parse(list)[0].id;
  stack.sql(`UPDATE connections SET selected = '["${org}"]' WHERE id = ${conn}`);
  stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${conn}, 'manual')`);
  runWorker(stack);
  const [[status, err]] = stack.sql(`SELECT status, coalesce(error, '') FROM sync_runs WHERE connection_id = ${conn} ORDER BY id DESC LIMIT 1`);
  assert.equal(status, 'ok', err);
  const opened = spawnSync(path.join(TOOLS, 'vault_tool'), ['open', ws, 'linkedin', conn, blob],
    { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: secrets(stack).keys } });
  assert.equal(opened.status, 0, opened.stderr);
  const headers = { Authorization: `Bearer ${JSON.parse(opened.stdout).access_token}`, 'LinkedIn-Version': '202607',
    'X-Restli-Protocol-Version': '2.0.0' };
  const base = `${stack.url}/sandbox/linkedin-api/rest`;
  const urn = encodeURIComponent(`urn:li:organization:${org}`);
  const posts = [];
  for (let start = 0; start < 200;) {
    const r = await request(`${base}/posts?author=${urn}&q=author&count=50&start=${start}&sortBy=CREATED`, { headers });
    assert.equal(r.status, 200, r.text);
    if (r.json.elements.length === 0) break;
    posts.push(...r.json.elements);
    start += r.json.elements.length;
  }
  const since = new Date(Date.now() - 89 * 86400000).toISOString().slice(0, 10);
  const kept = posts.filter((p) => new Date(p.createdAt).toISOString().slice(0, 10) >= since);
  assert.ok(kept.length > 5 && kept.length < posts.length, 'several pages, some posts older than 90 days');
  const stats = {};
  for (const [kind, param] of [['share', 'shares'], ['ugcPost', 'ugcPosts']]) {
    const ids = kept.filter((p) => p.id.startsWith(`urn:li:${kind}:`)).map((p) => encodeURIComponent(p.id));
    const r = await request(`${base}/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${urn}&${param}=List(${ids.join(',')})`, { headers });
    assert.equal(r.status, 200, r.text);
    for (const e of r.json.elements) stats[e[kind]] = e.totalShareStatistics;
  }
  const num = (v) => (v === undefined ? '' : String(v));
  const want = kept.map((p) => {
    const s = stats[p.id] || {};
    return [p.id, p.content && p.content.media.id.startsWith('urn:li:video:') ? 'video' : 'post', p.commentary,
      `https://www.linkedin.com/feed/update/${p.id}/`, new Date(p.createdAt).toISOString().slice(0, 19),
      num(s.impressionCount), num(s.uniqueImpressionsCount), num(s.likeCount), num(s.commentCount), num(s.shareCount), ''];
  }).sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const stored = stack.sql(`SELECT c.item_id, c.type, c.caption, coalesce(c.permalink, ''),
      to_char(c.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'),
      coalesce(m.views::text, ''), coalesce(m.reach::text, ''), coalesce(m.likes::text, ''),
      coalesce(m.comments::text, ''), coalesce(m.shares::text, ''), coalesce(m.saves::text, '')
    FROM content c LEFT JOIN content_metrics m USING (workspace_id, provider, account_id, item_id)
    WHERE c.workspace_id = ${ws} AND c.provider = 'linkedin' ORDER BY c.item_id, m.day`);
  assert.deepEqual(stored, want);
  assert.ok(want.some((w) => w[1] === 'video') && want.some((w) => w[1] === 'post'));
  assert.ok(want.some((w) => w[0].includes(':ugcPost:')) && want.some((w) => w[0].includes(':share:')));
  assert.ok(want.some((w) => w[5] === ''), 'a post without statistics: NULL');

  // A grant that may not read the posts (403): the metrics are kept,
  // the content left out, the run ok.
  await connectSandbox(b, 'linkedin', 'allow', { user: 'li-fault-posts_forbidden' });
  stack.sql(`UPDATE connections SET selected = '["${org}"]' WHERE id = ${conn}`);
  stack.sql(`DELETE FROM content WHERE workspace_id = ${ws}; DELETE FROM metric_daily WHERE workspace_id = ${ws}`);
  stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${conn}, 'manual')`);
  runWorker(stack);
  const [[st2, err2]] = stack.sql(`SELECT status, coalesce(error, '') FROM sync_runs WHERE connection_id = ${conn} ORDER BY id DESC LIMIT 1`);
  assert.equal(st2, 'ok', err2);
  assert.ok(Number(stack.sql(`SELECT count(*) FROM metric_daily WHERE workspace_id = ${ws} AND provider = 'linkedin'`)[0][0]) > 0);
  assert.equal(stack.sql(`SELECT count(*) FROM content WHERE workspace_id = ${ws}`)[0][0], '0');
});
