'use strict';
// Money with its currency, end to end: the sandbox's Meta Ads user has an
// EUR and a USD ad account, its Google user customers in several
// currencies.  After a first sync every ad row names its account's
// currency, and the tiles API, the dashboard and the digest show one
// spend figure per currency, each equal to the stored rows of that
// currency, and never their sum.
const test = require('node:test');
const assert = require('node:assert/strict');
const { request } = require('./lib/stack');
const { syncedSources, runWorker } = require('./lib/flows');
const { validate, responseSchema } = require('./lib/schema');

test('EUR and USD ad accounts: two spend figures, never one sum', async (t) => {
  const { stack, b, key } = await syncedSources(t, ['meta_ads', 'google_ads', 'ga4'],
    { env: { SLUICE_SYNC_BACKFILL_DAYS: '30' } });
  // Every ad row names a currency; Meta's two accounts are EUR and USD.
  assert.deepEqual(stack.sql("SELECT count(*) FROM metric_daily WHERE provider IN ('meta_ads', 'google_ads') AND currency IS NULL"), [['0']]);
  assert.deepEqual(stack.sql("SELECT DISTINCT currency FROM metric_daily WHERE provider = 'meta_ads' ORDER BY 1"), [['EUR'], ['USD']]);
  // GA4 revenue is in its property's currency (runReport's metadata).
  assert.deepEqual(stack.sql("SELECT count(*) FROM metric_daily WHERE provider = 'ga4' AND metric = 'revenue_micros' AND currency IS NULL"), [['0']]);
  // Revenue stored before currencies were kept (none named) gets its
  // property's currency with the next sync, though that sync re-fetches
  // only its last few days: history never becomes a tile of its own.
  stack.sql("UPDATE metric_daily SET dims = '{}' WHERE provider = 'ga4' AND metric = 'revenue_micros'");
  const [[old]] = stack.sql("SELECT count(*) FROM metric_daily WHERE provider = 'ga4' AND metric = 'revenue_micros' AND currency IS NULL");
  assert.ok(Number(old) >= 30, `${old} rows without a currency`);
  stack.sql("INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections WHERE provider = 'ga4'");
  runWorker(stack);
  assert.deepEqual(stack.sql("SELECT count(*) FROM metric_daily WHERE provider = 'ga4' AND metric = 'revenue_micros' AND currency IS NULL"), [['0']]);

  const r = await request(`${stack.url}/v1/dashboard/tiles?period=7d`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(validate(responseSchema('/v1/dashboard/tiles'), r.json), []);
  const { from, to } = r.json.current;
  const sums = (provider, metric) => Object.fromEntries(stack.sql(`SELECT currency, sum(value) FROM metric_daily WHERE provider = '${provider}' AND metric = '${metric}' AND day BETWEEN '${from}' AND '${to}' GROUP BY currency ORDER BY currency`).map(([c, v]) => [c, Number(v)]));
  const tiles = (provider, metric) => Object.fromEntries(r.json.tiles.filter((x) => x.provider === provider && x.metric === metric).map((x) => [x.currency, x.current]));
  const metaSpend = sums('meta_ads', 'spend_micros');
  assert.deepEqual(Object.keys(metaSpend), ['EUR', 'USD']);
  assert.deepEqual(tiles('meta_ads', 'spend_micros'), metaSpend);
  assert.deepEqual(tiles('google_ads', 'cost_micros'), sums('google_ads', 'cost_micros'));
  // Cost per click: each currency's spend over its own accounts' clicks.
  const clicks = sums('meta_ads', 'clicks');
  for (const c of ['EUR', 'USD']) {
    const cpc = r.json.tiles.find((x) => x.provider === 'meta_ads' && x.metric === 'cpc' && x.currency === c);
    assert.ok(Math.abs(cpc.current - metaSpend[c] / clicks[c]) < 1e-6, `${c} cpc`);
  }
  // Clicks count every account whatever its currency: one tile.
  assert.deepEqual(tiles('meta_ads', 'clicks'), { null: clicks.EUR + clicks.USD });

  // The dashboard: a tile per currency, each amount with its symbol.
  const page = await b.get('/dashboard?period=7d');
  assert.equal(page.status, 200);
  const euros = (m) => `€${(m / 1e6).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const dollars = (m) => `$${(m / 1e6).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  assert.match(page.text, /Spend \(EUR\)/);
  assert.match(page.text, /Spend \(USD\)/);
  assert.ok(page.text.includes(euros(metaSpend.EUR)), `dashboard shows ${euros(metaSpend.EUR)}`);
  assert.ok(page.text.includes(dollars(metaSpend.USD)), `dashboard shows ${dollars(metaSpend.USD)}`);
  const both = metaSpend.EUR + metaSpend.USD;
  assert.ok(!page.text.includes((both / 1e6).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })), 'no sum of EUR and USD');

  // The digest (its preview page renders the email's HTML) names both.
  const d = await b.get('/digest/preview');
  assert.equal(d.status, 200, d.text);
  const meta = d.text.split('>Meta Ads</td>')[1].split('>LinkedIn</td>')[0];
  assert.match(meta, />Spend \(EUR\)<\/td>\s*<td[^>]*>€[\d,]+\.\d\d</);
  assert.match(meta, />Spend \(USD\)<\/td>\s*<td[^>]*>\$[\d,]+\.\d\d</);
});
