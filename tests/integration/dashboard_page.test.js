'use strict';
// The dashboard page as a person meets it: a range it cannot show gives
// the page again with the reason beside the form (not a bare error
// page); days with no numbers say that sources are connected rather than
// "connect a source"; each source says whose calendar its days follow
// (its accounts' zones, named, where known); a connected source without
// numbers in the days shown is on the page with why.
const test = require('node:test');
const assert = require('node:assert/strict');
const { setupOwner, connectSandbox, syncStack, runWorker } = require('./lib/flows');

test('dashboard: range errors on the page, empty days, whose days', async (t) => {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url);
  stack.sql("UPDATE workspaces SET time_zone = 'America/New_York'");

  // Before any source: the first-steps text.
  let r = await b.get('/dashboard');
  assert.equal(r.status, 200);
  assert.match(r.text, /No numbers yet\. Connect a source/);

  for (const slug of ['meta_ads', 'github']) {
    const { res } = await connectSandbox(b, slug);
    assert.equal(res.status, 303, slug);
  }
  stack.sql("INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections");
  runWorker(stack, { SLUICE_SYNC_BACKFILL_DAYS: '14' });

  r = await b.get('/dashboard?period=7d');
  assert.equal(r.status, 200);
  assert.match(r.text, / in America\/New_York, compared with as many days before/);
  const meta = r.text.split('id="p-meta_ads"')[1].split('</section>')[0];
  // Whose days: the ad accounts' own zones, named, not "each ad
  // account's time zone".
  const [[accs, sel]] = stack.sql("SELECT accounts, selected FROM connections WHERE provider = 'meta_ads'");
  const zones = new Map();
  for (const a of JSON.parse(accs).filter((x) => JSON.parse(sel).includes(x.id))) {
    zones.set(a.time_zone, [...(zones.get(a.time_zone) || []), a.name]);
  }
  assert.ok(zones.size > 0 && ![...zones.keys()].includes(undefined), 'the sandbox lists zones');
  const named = [...zones].map(([z, n]) => `${z} (${n.join(', ')})`);
  const esc = (x) => x.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const days = named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
  assert.ok(meta.includes(`Days in ${esc(days)}.`), `${days} in ${meta.slice(0, 400)}`);
  assert.doesNotMatch(meta, /each ad account/);
  const gh = r.text.split('id="p-github"')[1].split('</section>')[0];
  assert.match(gh, /Days in UTC\./);
  // Stars are a running total GitHub states as of the sync only (today's
  // row, after the days shown): its latest value, dated, no comparison.
  const [[stars, asOf, repos, inDays]] = stack.sql(`SELECT sum(value)::bigint, max(day)::text, count(*),
    (SELECT count(*) FROM metric_daily WHERE provider = 'github' AND metric = 'stars' AND day <= (now() AT TIME ZONE 'America/New_York')::date - 1)
    FROM (SELECT DISTINCT ON (account_id) day, value FROM metric_daily WHERE provider = 'github' AND metric = 'stars' ORDER BY account_id, day DESC) l`);
  assert.equal(inDays, '0', 'no stars row in the days shown');
  assert.ok(Number(repos) > 0 && asOf, 'the sync stored stars');
  const tile = gh.split('<div class="tile">').find((x) => x.includes('>Stars<'));
  assert.ok(tile, `a Stars tile: ${gh.slice(0, 600)}`);
  assert.match(tile, new RegExp(`<div class="tile-value">${Number(stars).toLocaleString('en-US')}</div>`));
  assert.match(tile, new RegExp(`>as of ${asOf}</div>`));
  assert.match(tile, new RegExp(`the latest sync&#39;s count${Number(repos) > 1 ? ` of ${repos} accounts, added up` : ''}; the days shown end \\d{4}-\\d\\d-\\d\\d`));
  // The additive metrics keep their sums over the days shown.
  const [[views]] = stack.sql("SELECT sum(value)::bigint FROM metric_daily WHERE provider = 'github' AND metric = 'views' AND day BETWEEN (now() AT TIME ZONE 'America/New_York')::date - 7 AND (now() AT TIME ZONE 'America/New_York')::date - 1");
  const vtile = gh.split('<div class="tile">').find((x) => x.includes('>Views<'));
  assert.ok(vtile, 'a Views tile');
  assert.match(vtile, new RegExp(`<div class="tile-value">${Number(views).toLocaleString('en-US')}</div>`));

  // The days shown, as CSV: every stored row of them, one per account
  // and day; a source's page downloads its own 90 days.
  const link = /href="(\/dashboard\/export\.csv\?period=7d)" download>Download these days as CSV</.exec(r.text);
  assert.ok(link, 'the dashboard links its download');
  let csv = await b.get(link[1]);
  assert.equal(csv.status, 200);
  assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(csv.headers.get('content-disposition'), /^attachment; filename="sluice-metrics-daily-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv"$/);
  const lines = csv.text.split('\r\n').filter((l) => l !== '');
  assert.equal(lines[0], 'period,provider,account_id,metric,label,unit,aggregation,currency,value,days,dims');
  // Every row of the days shown, the providers' own totals of a period
  // (the "users, 7 days" tiles) among them.
  const [[n7, from7, to7]] = stack.sql("SELECT count(*), ((now() AT TIME ZONE 'America/New_York')::date - 7)::text, ((now() AT TIME ZONE 'America/New_York')::date - 1)::text FROM metric_daily WHERE day BETWEEN (now() AT TIME ZONE 'America/New_York')::date - 7 AND (now() AT TIME ZONE 'America/New_York')::date - 1");
  assert.ok(Number(n7) > 0);
  const inDaysLines = lines.slice(1).filter((l) => l.slice(0, 10) >= from7 && l.slice(0, 10) <= to7);
  assert.equal(inDaysLines.length, Number(n7));
  // Then what the page shows dated: each repository's latest stars row
  // (after the days shown), its own day as the period, and nothing else.
  const dated = lines.slice(1 + inDaysLines.length).map((l) => l.split(','));
  const latest = stack.sql(`SELECT DISTINCT ON (account_id) account_id, day::text, value::bigint FROM metric_daily
    WHERE provider = 'github' AND metric = 'stars' ORDER BY account_id, day DESC`);
  assert.deepEqual(dated.map((f) => [f[1], f[2], f[3], f[0], Number(f[8])]),
    latest.map(([acct, day, v]) => ['github', acct, 'stars', day, Number(v)]));
  assert.equal(dated.map((f) => Number(f[8])).reduce((x, y) => x + y, 0), Number(stars), 'the tile is their sum');
  assert.equal(lines.length - 1, Number(n7) + latest.length);
  const conn = await b.get('/connections/github');
  assert.match(conn.text, /href="\/connections\/github\/export\.csv" download>Download its last 90 days as CSV</);
  csv = await b.get('/connections/github/export.csv');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-disposition'), /^attachment; filename="sluice-github-daily-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv"$/);
  assert.match(conn.text, /one row per account, metric and day/);
  const ghRows = csv.text.split('\r\n').filter((l) => l !== '').slice(1);
  assert.ok(ghRows.length > 0 && ghRows.every((l) => l.split(',')[1] === 'github'), 'only GitHub\'s rows');
  assert.equal((await b.get('/connections/nope/export.csv')).status, 404);
  assert.deepEqual(stack.sql("SELECT count(*) FROM connections WHERE provider = 'slack'"), [['0']]);
  assert.equal((await b.get('/connections/slack/export.csv')).status, 404, 'a source never connected has nothing to download');
  assert.equal((await b.get('/dashboard/export.csv?from=2026-03-02&to=2026-03-01')).status, 400);

  // Days before any data: the sources are connected, so not "connect one";
  // each is shown, with why it has none.
  r = await b.get('/dashboard?from=2001-01-01&to=2001-01-31');
  assert.equal(r.status, 200);
  assert.match(r.text, /No numbers from 2001-01-01 to 2001-01-31\. 2 sources are connected/);
  assert.doesNotMatch(r.text, /No numbers yet\./);
  for (const slug of ['meta_ads', 'github']) {
    const sec = r.text.split(`id="p-${slug}"`)[1].split('</section>')[0];
    assert.match(sec, /No numbers for these days yet: its syncs found none for them/, slug);
  }

  // A source connected since, with no numbers in the days shown: shown,
  // not left out, with why — never synced, queued, failed.
  assert.equal((await connectSandbox(b, 'youtube')).res.status, 303);
  const quiet = async () => {
    const page = await b.get('/dashboard?period=7d');
    assert.equal(page.status, 200);
    assert.match(page.text, /id="p-meta_ads"/, 'the others keep their tiles');
    const sec = page.text.split('id="p-youtube"')[1];
    assert.ok(sec, 'YouTube is on the dashboard');
    return sec.split('</section>')[0];
  };
  assert.match(await quiet(), /No numbers for these days yet: it has not synced yet\. Press “Sync now” on its page/);
  assert.match(await quiet(), /<a href="\/connections\/youtube">Open YouTube<\/a>/);
  stack.sql("INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections WHERE provider = 'youtube'");
  assert.match(await quiet(), /No numbers for these days yet: its first sync is queued\./);
  stack.sql("UPDATE sync_jobs SET status = 'failed', finished_at = now() WHERE connection_id = (SELECT id FROM connections WHERE provider = 'youtube')");
  stack.sql("UPDATE connections SET status = 'error', last_error = 'YouTube said <no>' WHERE provider = 'youtube'");
  assert.match(await quiet(), /No numbers for these days yet: its last sync failed — YouTube said &lt;no&gt;/);

  // A source with numbers while a sync of it is queued or running says
  // so beside its numbers (they may still change); the others do not.
  const metaSec = async () => {
    const page = await b.get('/dashboard?period=7d');
    assert.equal(page.status, 200);
    const gh = page.text.split('id="p-github"')[1].split('</section>')[0];
    assert.doesNotMatch(gh, /A sync is/, 'GitHub has no sync under way');
    return page.text.split('id="p-meta_ads"')[1].split('</section>')[0];
  };
  assert.doesNotMatch(await metaSec(), /A sync is/);
  stack.sql("INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections WHERE provider = 'meta_ads'");
  let ms = await metaSec();
  assert.match(ms, /<p class="source-syncing" role="status">A sync is queued: these numbers may change when it has run\. <a href="\/connections\/meta_ads">Open Meta Ads<\/a><\/p>/);
  assert.match(ms, /<div class="tile">/, 'its numbers are still shown');
  stack.sql("UPDATE sync_jobs SET status = 'running', lease_until = now() + interval '5 minutes', leased_by = 'test' WHERE status = 'queued' AND connection_id = (SELECT id FROM connections WHERE provider = 'meta_ads')");
  ms = await metaSec();
  assert.match(ms, /A sync is running now: these numbers may still change when it ends\./);
  stack.sql("UPDATE sync_jobs SET status = 'done', finished_at = now() WHERE status = 'running'");
  assert.doesNotMatch(await metaSec(), /A sync is/);

  // A range that is not one: the dashboard again, 400, the reason beside
  // the form, what was typed kept (escaped), the navigation there.
  const cases = [
    ['from=2026-02-30&to=2026-03-01', /from and to must both be real dates/],
    ['from=2026-03-01&to=2026-02-01', /to must not be before from/],
    ['from=2020-01-01&to=2026-01-01', /at most 366 days/],
    ['period=1y', /The period must be 7d, 28d or 90d\./],
    ['period=7d&from=2026-03-01&to=2026-03-02', /Pick a period \(7, 28 or 90 days\) or a range of days; not both\./],
  ];
  for (const [q, why] of cases) {
    r = await b.get(`/dashboard?${q}`);
    assert.equal(r.status, 400, q);
    assert.match(r.text, /<p class="flash flash-error" role="alert" id="range-error">/, q);
    assert.match(r.text, why, q);
    assert.match(r.text, /<form class="range" method="get" action="\/dashboard">/, q);
    assert.match(r.text, /href="\/connections"/, `${q}: the navigation`);
    assert.doesNotMatch(r.text, /No numbers yet/, q);
  }
  r = await b.get('/dashboard?from=2026-02-30&to=%22%3E%3Cscript%3E');
  assert.equal(r.status, 400);
  assert.match(r.text, /value="2026-02-30"/);
  assert.doesNotMatch(r.text, /"><script>/);
  // Today is not over: a range ending today is refused, in the zone's days.
  const [[today]] = stack.sql("SELECT to_char((now() AT TIME ZONE 'America/New_York')::date, 'YYYY-MM-DD')");
  r = await b.get(`/dashboard?from=${today}&to=${today}`);
  assert.equal(r.status, 400);
  // It names yesterday in the workspace's zone, the last day to pick.
  const [[yesterday]] = stack.sql("SELECT to_char((now() AT TIME ZONE 'America/New_York')::date - 1, 'YYYY-MM-DD')");
  assert.match(r.text, new RegExp(`The range must end on ${yesterday} \\(America/New_York\\) or earlier: yesterday in the workspace&#39;s time zone \\(today is not over\\)\\.`));
  r = await b.get(`/dashboard/export.csv?from=${today}&to=${today}`);
  assert.equal(r.status, 400);
  assert.match(r.text, new RegExp(`The range must end on ${yesterday} \\(America/New_York\\) or earlier`));
  assert.match(r.text, new RegExp(`id="range-to" name="to" value="${today}"`));
});
