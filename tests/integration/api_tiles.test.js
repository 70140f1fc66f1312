'use strict';
// GET /v1/dashboard/tiles: each aggregation rule checked against values
// computed by hand (missing days included), the workspace's time zone,
// filters, errors and tenant isolation.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startStack, request } = require('./lib/stack');
const { validate, responseSchema } = require('./lib/schema');

const close = (got, want, what) => {
  assert.ok(got !== null && Math.abs(got - want) < 1e-9 * Math.max(1, Math.abs(want)),
    `${what}: got ${got}, want ${want}`);
};

test('dashboard tiles', async (t) => {
  const stack = await startStack({ programs: ['api'] });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const [[wsA]] = stack.sql("INSERT INTO workspaces (name, time_zone) VALUES ('A', 'Pacific/Kiritimati') RETURNING id");
  const [[wsB]] = stack.sql("INSERT INTO workspaces (name, time_zone) VALUES ('B', 'Pacific/Pago_Pago') RETURNING id");
  const [[wsC]] = stack.sql("INSERT INTO workspaces (name) VALUES ('C') RETURNING id");
  const mkKey = (ws, role = 'admin') => {
    const r = stack.cli('api', ['create-key', ws, 'k', role]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const ka = mkKey(wsA, 'viewer');
  const kb = mkKey(wsB);
  const kc = mkKey(wsC);
  const tiles = (key, query = '') => request(`${stack.url}/v1/dashboard/tiles${query}`,
    { headers: { authorization: `Bearer ${key}` } });

  // Rows relative to yesterday in each workspace's own zone: (metric,
  // account, days before yesterday, value).
  const put = (ws, provider, rows) => {
    const values = rows.map(([m, acct, k, v]) =>
      `(${ws}, '${provider}', '${acct}', '${m}', (SELECT (now() AT TIME ZONE time_zone)::date - 1 FROM workspaces WHERE id = ${ws}) - ${k}, ${v})`);
    stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value) VALUES ${values.join(',')}`);
  };
  put(wsA, 'ga4', [
    ['sessions', '', 6, 10], ['sessions', '', 5, 20], ['sessions', '', 3, 30],
    ['sessions', '', 2, 40], ['sessions', '', 0, 50], ['sessions', 'b', 0, 5],
    ['sessions', '', 10, 100],
    ['sessions', '', -1, 1000], ['sessions', '', 14, 1000],	// outside both periods
    ['engaged_sessions', '', 6, 5], ['engaged_sessions', '', 5, 2],
    ['engaged_sessions', '', 3, 3], ['engaged_sessions', '', 0, 40],
    ['active_users', '', 1, 30], ['active_users', '', 0, 20],
    ['active_users:7d', '', 0, 42], ['active_users:7d', '', 7, 40],
    ['active_users:28d', '', 0, 999],
    ['total_users', '', 0, 25],
  ]);
  put(wsA, 'github', [
    ['stars', '', 13, 5], ['stars', '', 9, 7], ['stars', '', 4, 9], ['stars', '', 2, 12],
    ['unique_visitors', '', 1, 3], ['unique_visitors:14d', '', 0, 40],
  ]);
  put(wsA, 'crm', [['deals.won', '', 0, 3], ['deals.won', '', 1, 4]]);
  // Every day of both 7-day periods: a full comparison.
  put(wsA, 'linkedin', [...Array(14).keys()].flatMap((k) => [
    ['impressions', '', k, k < 7 ? 110 : 100], ['engagements', '', k, k < 7 ? 33 : 20],
  ]));
  // YouTube Analytics publishes a day 2-3 days late: the current week
  // has 3 days of views (5,126), the week before 6 (8,936).
  put(wsA, 'youtube', [
    [4, 1700], [5, 1726], [6, 1700],
    [7, 1500], [8, 1500], [9, 1500], [10, 1436], [11, 1500], [12, 1500],
  ].map(([k, v]) => ['views', 'UC1', k, v]));
  put(wsB, 'ga4', [['sessions', '', 0, 777], ['engaged_sessions', '', 0, 1]]);
  put(wsB, 'github', [['stars', '', 0, 1]]);
  const yesterday = (ws) => stack.sql(`SELECT (now() AT TIME ZONE time_zone)::date - 1 FROM workspaces WHERE id = ${ws}`)[0][0];
  const get = (r, p, m) => r.json.tiles.find((x) => x.provider === p && x.metric === m);

  await t.test('7 days: each rule against hand-computed values', async () => {
    const r = await tiles(ka, '?period=7d');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.period, '7d');
    // The answer is what the OpenAPI document says it is.
    assert.deepEqual(validate(responseSchema('/v1/dashboard/tiles'), r.json), []);
    assert.deepEqual(validate(responseSchema('/v1/dashboard/tiles'), { ...r.json, days: '7' }),
      ['$.days: string, want integer']);
    assert.equal(r.json.time_zone, 'Pacific/Kiritimati');
    assert.equal(r.json.current.to, yesterday(wsA));
    assert.equal(r.json.current.from, stack.sql(`SELECT date '${yesterday(wsA)}' - 6`)[0][0]);
    assert.equal(r.json.previous.to, stack.sql(`SELECT date '${yesterday(wsA)}' - 7`)[0][0]);
    assert.equal(r.json.previous.from, stack.sql(`SELECT date '${yesterday(wsA)}' - 13`)[0][0]);

    // SUM over accounts and days; missing days are null in the series.
    // The previous period has data on 1 day, the current on 5: partial,
    // so no change is given (a +55 % over one day would mislead).
    const s = get(r, 'ga4', 'sessions');
    assert.deepEqual({ ...s, series: undefined, previous_series: undefined }, {
      provider: 'ga4', metric: 'sessions', label: 'Sessions', unit: 'count', aggregation: 'sum',
      currency: null, current: 155, previous: 100, change: null, change_pct: null, change_pp: null,
      coverage: { days: 7, current: 5, previous: 1, partial: true }, series: undefined,
      previous_series: undefined,
    });
    assert.deepEqual(s.series, [10, 20, null, 30, 40, null, 55]);
    // The previous period by the same day index (10 days before
    // yesterday is its day 3): the dashboard's comparison line.
    assert.deepEqual(s.previous_series, [null, null, null, 100, null, null, null]);

    // Both periods covered: the change in percent; a ratio's in points.
    const im = get(r, 'linkedin', 'impressions');
    assert.deepEqual([im.current, im.previous, im.change, im.change_pp], [770, 700, 70, null]);
    close(im.change_pct, 10, 'impressions change');
    assert.deepEqual(im.coverage, { days: 7, current: 7, previous: 7, partial: false });
    const er = get(r, 'linkedin', 'engagement_rate');
    close(er.current, 0.3, 'engagement rate now');
    close(er.previous, 0.2, 'engagement rate before');
    close(er.change_pp, 10, 'engagement rate change in points');
    assert.equal(er.change_pct, null);

    // RATIO of sums, not the mean of the daily ratios.
    const e = get(r, 'ga4', 'engagement_rate');
    close(e.current, 50 / 155, 'engagement rate');
    const meanOfRatios = (5 / 10 + 2 / 20 + 3 / 30 + 40 / 55) / 4;
    assert.ok(Math.abs(e.current - meanOfRatios) > 0.01);
    assert.equal(e.previous, null);	// no engaged sessions before
    assert.equal(e.change, null);
    assert.equal(e.change_pct, null);
    assert.equal(e.unit, 'ratio');
    assert.equal(e.aggregation, 'ratio');
    assert.deepEqual(e.series.map((x) => x === null ? null : +x.toFixed(12)),
      [0.5, 0.1, null, 0.1, null, null, +(40 / 55).toFixed(12)]);
    close(get(r, 'ga4', 'bounce_rate').current, 1 - 50 / 155, 'bounce rate');
    // No session_duration stored: no average duration tile.
    assert.equal(get(r, 'ga4', 'avg_session_duration'), undefined);

    // LAST: the latest day with data in each period.
    const st = get(r, 'github', 'stars');
    assert.equal(st.current, 12);
    assert.equal(st.previous, 7);
    assert.equal(st.change, 5);
    close(st.change_pct, 5 / 7 * 100, 'stars change');
    // GitHub counts unique visitors over 14 days only: no 7-day value,
    // and the tile says why instead of a bare dash.
    const uv = get(r, 'github', 'unique_visitors');
    assert.equal(uv.current, null);
    assert.match(uv.unavailable, /14 days only/);
    assert.equal(st.unavailable, undefined);
    // A running total's latest value is whole on any day: never partial.
    assert.deepEqual(st.coverage, { days: 7, current: 2, previous: 2, partial: false });
    assert.deepEqual(st.series, [null, null, 9, null, 12, null, null]);

    // TOTALS: the provider's own 7-day totals, never the sum of days.
    const au = get(r, 'ga4', 'active_users');
    assert.equal(au.aggregation, 'totals');
    assert.equal(au.current, 42);
    assert.equal(au.previous, 40);
    assert.equal(au.change, 2);
    assert.equal(au.change_pct, 5);
    // The provider's own period totals: never partial, whatever the days.
    assert.equal(au.coverage.partial, false);
    assert.deepEqual(au.series, [null, null, null, null, null, 30, 20]);
    const tu = get(r, 'ga4', 'total_users');
    assert.equal(tu.current, null);	// no total row: no value, not 25
    assert.match(tu.unavailable, /comes with the next sync/);
    assert.equal(tu.change, null);
    assert.deepEqual(tu.series, [null, null, null, null, null, null, 25]);
    // Totals rows are not tiles of their own.
    assert.ok(!r.json.tiles.some((x) => x.metric.includes(':')));

    // Fewer days now than before (a provider's publication lag) is as
    // unfair as fewer before: partial, no -42.6 % every day.
    const yv = get(r, 'youtube', 'views');
    assert.deepEqual([yv.current, yv.previous, yv.change, yv.change_pct, yv.change_pp],
      [5126, 8936, null, null, null]);
    assert.deepEqual(yv.coverage, { days: 7, current: 3, previous: 6, partial: true });

    // A custom source's metric: SUM.
    const d = get(r, 'crm', 'deals.won');
    assert.equal(d.current, 7);
    assert.equal(d.unit, 'number');
    assert.equal(d.aggregation, 'sum');
    assert.equal(d.previous, null);

    assert.deepEqual(r.json.tiles.map((x) => `${x.provider}/${x.metric}`), [
      'crm/deals.won', 'ga4/sessions', 'ga4/active_users', 'ga4/total_users',
      'ga4/engaged_sessions', 'ga4/engagement_rate', 'ga4/bounce_rate', 'github/unique_visitors', 'github/stars',
      'linkedin/impressions', 'linkedin/engagements', 'linkedin/engagement_rate',
      'youtube/views',
    ]);
  });

  await t.test('28 and 90 days', async () => {
    let r = await tiles(ka, '?period=28d');
    assert.equal(r.status, 200);
    assert.equal(get(r, 'ga4', 'sessions').current, 1255);	// 155 + 100 + the day 14 before
    assert.equal(get(r, 'ga4', 'sessions').previous, null);
    assert.equal(get(r, 'ga4', 'sessions').series.length, 28);
    assert.equal(get(r, 'ga4', 'active_users').current, 999);
    assert.equal(get(r, 'github', 'stars').current, 12);
    r = await tiles(ka, '?period=90d');
    assert.equal(r.json.days, 90);
    assert.equal(get(r, 'ga4', 'active_users').current, null);
    assert.equal(get(r, 'ga4', 'sessions').series.length, 90);
  });

  await t.test('a custom range: any days up to yesterday, the same rules', async () => {
    const y = yesterday(wsA);
    const day = (k) => stack.sql(`SELECT to_char(date '${y}' - ${k}, 'YYYY-MM-DD')`)[0][0];
    // Sessions 6 to 2 days before yesterday: 10 + 20 + 30 + 40 (k = 6, 5, 3, 2).
    let r = await tiles(ka, `?from=${day(6)}&to=${day(2)}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.period, 'custom');
    assert.equal(r.json.days, 5);
    assert.deepEqual(r.json.current, { from: day(6), to: day(2) });
    assert.deepEqual(r.json.previous, { from: day(11), to: day(7) });
    assert.deepEqual(validate(responseSchema('/v1/dashboard/tiles'), r.json), []);
    assert.equal(get(r, 'ga4', 'sessions').current, 100);
    assert.equal(get(r, 'ga4', 'sessions').previous, 100);	// k = 10
    // A provider's own totals exist for 7/28/90 days ending yesterday only.
    r = await tiles(ka, `?from=${day(3)}&to=${day(0)}`);
    const au = get(r, 'ga4', 'active_users');
    assert.equal(au.current, null);
    assert.match(au.unavailable, /7, 28 and 90 days ending yesterday only/);
    // The 7 days ending yesterday asked as a range: the total row is there.
    r = await tiles(ka, `?from=${day(6)}&to=${day(0)}`);
    assert.equal(get(r, 'ga4', 'active_users').current, 42);
    assert.equal(get(r, 'ga4', 'active_users').unavailable, undefined);
    const bad = async (q, re) => {
      const b = await tiles(ka, q);
      assert.equal(b.status, 400, `${q}: ${b.text}`);
      assert.match(b.json.error.message, re, q);
    };
    await bad(`?period=7d&from=${day(6)}&to=${day(2)}`, /not both/);
    await bad(`?from=${day(6)}`, /both be real dates/);
    await bad('?from=2026-02-30&to=2026-03-02', /both be real dates/);
    await bad(`?from=${day(2)}&to=${day(6)}`, /not be before/);
    await bad(`?from=${day(400)}&to=${day(0)}`, /366 days/);
    const future = stack.sql(`SELECT to_char(date '${y}' + 2, 'YYYY-MM-DD')`)[0][0];
    // The error names the last day that can be picked, in the zone.
    await bad(`?from=${day(3)}&to=${future}`, new RegExp(`^to must be ${y} \\(Pacific/Kiritimati\\) or earlier: yesterday in the workspace's time zone`));
    // Today is not over: nothing to compare it with yet.
    await bad(`?from=${day(3)}&to=${stack.sql(`SELECT to_char(date '${y}' + 1, 'YYYY-MM-DD')`)[0][0]}`, /today is not over/);
    // Dates before 2000 (or PostgreSQL's own range) are not dates here.
    await bad('?from=0000-01-01&to=0000-01-02', /real dates from 2000 on/);
    await bad('?from=-001-01-01&to=-001-01-02', /real dates from 2000 on/);
  });

  await t.test('provider filter, defaults and errors', async () => {
    let r = await tiles(ka, '?provider=github');
    assert.equal(r.status, 200);
    assert.equal(r.json.period, '7d');
    assert.deepEqual(r.json.tiles.map((x) => x.metric), ['unique_visitors', 'stars']);
    r = await tiles(ka, '?period=30d');
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /7d, 28d or 90d/);
    r = await tiles(ka, '?provider=myspace');
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /Unknown provider/);
    r = await tiles(ka, "?provider=ga4'--");
    assert.equal(r.status, 400);
    r = await request(`${stack.url}/v1/dashboard/tiles`);
    assert.equal(r.status, 401);
    r = await tiles(kc);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.tiles, []);
  });

  await t.test('a key sees only its own workspace', async () => {
    const r = await tiles(kb);
    assert.equal(r.status, 200);
    assert.equal(r.json.time_zone, 'Pacific/Pago_Pago');
    assert.equal(r.json.current.to, yesterday(wsB));
    assert.deepEqual(r.json.tiles.map((x) => `${x.provider}/${x.metric}=${x.current}`), [
      'ga4/sessions=777', 'ga4/engaged_sessions=1', `ga4/engagement_rate=${1 / 777}`,
      `ga4/bounce_rate=${1 - 1 / 777}`, 'github/stars=1',
    ].map((s) => s.replace(/=(0\.\d+)$/, (m, v) => `=${Number(Number(v).toPrecision(15))}`)));
    const a = await tiles(ka);
    assert.ok(!a.text.includes('777'));
  });

  // Meta Ads in EUR and USD (two ad accounts, two campaigns in EUR),
  // GA4 revenue whose property named no currency, and a custom amount
  // ingested in CHF: money is never added across currencies.
  await t.test('money: one tile per currency, never a sum of two', async () => {
    const [[wsD]] = stack.sql("INSERT INTO workspaces (name, time_zone) VALUES ('D', 'Europe/Paris') RETURNING id");
    const kd = mkKey(wsD);
    const rows = [];
    const add = (provider, acct, metric, k, v, cur) => rows.push(
      `(${wsD}, '${provider}', '${acct}', '${metric}', (SELECT (now() AT TIME ZONE time_zone)::date - 1 FROM workspaces WHERE id = ${wsD}) - ${k}, ${v}, '${cur ? JSON.stringify({ currency: cur, campaign_id: acct }) : '{}'}')`);
    for (let k = 0; k < 14; k++) {
      add('meta_ads', 'act_1:c1', 'spend_micros', k, 1000000000, 'EUR');
      add('meta_ads', 'act_1:c2', 'spend_micros', k, 500000000, 'EUR');
      add('meta_ads', 'act_2:c9', 'spend_micros', k, 300000000, 'USD');
      add('meta_ads', 'act_1:c1', 'clicks', k, 100, 'EUR');
      add('meta_ads', 'act_1:c2', 'clicks', k, 50, 'EUR');
      add('meta_ads', 'act_2:c9', 'clicks', k, 30, 'USD');
      add('meta_ads', 'act_1:c1', 'impressions', k, 1000, 'EUR');
      add('meta_ads', 'act_2:c9', 'impressions', k, 900, 'USD');
      add('ga4', '123', 'revenue_micros', k, 2500000, null);
      add('crm', '', 'deal_value', k, 10, k < 7 ? 'CHF' : null);
    }
    stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value, dims) VALUES ${rows.join(',')}`);
    // Three capital letters or nothing: dims' "currency" of another shape is no currency.
    assert.deepEqual(stack.sql(`SELECT count(*) FROM metric_daily WHERE workspace_id = ${wsD} AND currency IS NOT NULL`), [['119']]);
    const r = await tiles(kd, '?period=7d');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(validate(responseSchema('/v1/dashboard/tiles'), r.json), []);
    const pick = (p, m) => r.json.tiles.filter((x) => x.provider === p && x.metric === m)
      .map((x) => [x.currency, x.current, x.previous]);
    assert.deepEqual(pick('meta_ads', 'spend_micros'), [['EUR', 7 * 1500000000, 7 * 1500000000], ['USD', 7 * 300000000, 7 * 300000000]]);
    // Cost per click over the same currency's clicks: 1,500 EUR / 150, 300 USD / 30.
    assert.deepEqual(pick('meta_ads', 'cpc'), [['EUR', 10000000, 10000000], ['USD', 10000000, 10000000]]);
    // Counts and rates add every account up, whatever its currency.
    assert.deepEqual(pick('meta_ads', 'clicks'), [[null, 7 * 180, 7 * 180]]);
    const ctr = r.json.tiles.find((x) => x.provider === 'meta_ads' && x.metric === 'ctr');
    close(ctr.current, 180 / 1900, 'ctr over both accounts');
    assert.equal(ctr.currency, null);
    // No currency named: one tile that says so (currency null), not a guess.
    assert.deepEqual(pick('ga4', 'revenue_micros'), [[null, 7 * 2500000, 7 * 2500000]]);
    // A custom metric split the same way: CHF this week, none before.
    assert.deepEqual(pick('crm', 'deal_value'), [['CHF', 70, null], [null, null, 70]]);
    // Ingest refuses a currency that is not an ISO 4217 code.
    const bad = await request(`${stack.url}/v1/metrics/ingest`, {
      method: 'POST', headers: { authorization: `Bearer ${kd}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ source: 'crm', metric: 'deal_value', date: yesterday(wsD), value: 1, dims: { currency: 'euro' } }]),
    });
    assert.equal(bad.status, 422, bad.text);
    assert.match(bad.json.error.problems[0].reason, /ISO 4217/);
    // Three capital letters that are no currency are refused too.
    const xyz = await request(`${stack.url}/v1/metrics/ingest`, {
      method: 'POST', headers: { authorization: `Bearer ${kd}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ source: 'crm', metric: 'deal_value', date: yesterday(wsD), value: 1, dims: { currency: 'XYZ' } }]),
    });
    assert.equal(xyz.status, 422, xyz.text);
  });

  await t.test('stored numbers read exactly: whole, negative, fractions, 16 digits', async () => {
    const [[wsE]] = stack.sql("INSERT INTO workspaces (name) VALUES ('E') RETURNING id");
    const ke = mkKey(wsE, 'viewer');
    // One custom metric per case, yesterday only (the raw text as
    // PostgreSQL sends it: integers, a sign, a fraction, trailing zeros,
    // more digits than a double holds exactly).
    put(wsE, 'crm', [
      ['whole', '', 0, 123456789012345], ['whole', 'b', 0, 5],
      ['neg', '', 0, -42], ['neg', 'b', 0, 2],
      ['frac', '', 0, 2.5], ['frac', 'b', 0, '0.25'],
      ['zeros', '', 0, '7.000'], ['zeros', 'b', 0, '-0'],
      ['big', '', 0, 1234567890123456], ['big', 'b', 0, 1],
      ['neg15', '', 0, -123456789012345],
    ]);
    const r = await tiles(ke, '?period=7d');
    assert.equal(r.status, 200, r.text);
    const cur = (m) => get(r, 'crm', m).current;
    assert.equal(cur('whole'), 123456789012350);
    assert.equal(cur('neg'), -40);
    assert.equal(cur('frac'), 2.75);
    assert.equal(cur('zeros'), 7);
    // Past 10^15 a number is written with 15 significant digits.
    assert.equal(cur('big'), 1234567890123460);
    assert.equal(cur('neg15'), -123456789012345);
    assert.deepEqual(get(r, 'crm', 'frac').series, [null, null, null, null, null, null, 2.75]);
  });
  await t.test('many series: every one kept, summed and in order; fractions as printf writes them', async () => {
    const [[wsF]] = stack.sql("INSERT INTO workspaces (name) VALUES ('F') RETURNING id");
    const kf = mkKey(wsF, 'viewer');
    // 70 custom metrics (more groups than load()'s first table holds,
    // so it grows twice), two accounts each on two days, fractions.
    const names = [...Array(70).keys()].map((i) => `m${String(i).padStart(2, '0')}`);
    put(wsF, 'crm', names.flatMap((m, i) => [
      [m, '', 0, i], [m, 'b', 0, i * 1000], [m, '', 1, 1 / (i + 3)], [m, 'b', 1, '0.1'],
    ]));
    const r = await tiles(kf, '?period=7d');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.tiles.map((x) => x.metric), names);
    names.forEach((m, i) => {
      const x = get(r, 'crm', m);
      // The day's two accounts added up and written with 15 significant
      // digits (JavaScript's toPrecision rounds the exact value as printf).
      const yday = Number((1 / (i + 3) + 0.1).toPrecision(15));
      assert.deepEqual(x.series.slice(5), [yday, i * 1001], m);
      assert.equal(x.coverage.current, 2, m);
    });
  });
});
