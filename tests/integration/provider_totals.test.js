'use strict';
// Reach of Facebook Pages and Meta Ads: after a first sync in the
// sandbox, the 7-, 28- (and for Meta Ads 90-) day reach tiles and the
// periods before them hold the provider's own period reach for exactly
// the days the tiles show (ending yesterday in the workspace's zone),
// checked against values computed by hand from the daily rows stored:
// the simulator's reach of a period is 80 % of the sum of the daily reach
// it serves (people reached on several days count once), per Page and per
// ad account (lib/sandbox/meta.c meta_span, lib/sandbox/meta_ads.c
// ads_reach); a tile adds the Pages' or the accounts' period reach.
const test = require('node:test');
const assert = require('node:assert/strict');
const { request } = require('./lib/stack');
const { syncedSources } = require('./lib/flows');

test('Facebook and Meta Ads reach: the provider\'s totals for the tiles\' periods', async (t) => {
  // A zone far from UTC (its yesterday is not the server's); 200 days of
  // daily rows: every day of both 90-day periods is stored.
  const { stack, key } = await syncedSources(t, ['facebook', 'meta_ads'],
    { zone: 'Pacific/Kiritimati', env: { SLUICE_SYNC_BACKFILL_DAYS: '200' } });
  const [[y]] = stack.sql("SELECT to_char((now() AT TIME ZONE 'Pacific/Kiritimati')::date - 1, 'YYYY-MM-DD')");

  // The period reach of [to - days + 1, to] by hand: per Page (facebook)
  // or per ad account (meta_ads: the campaigns' rows "act:campaign"
  // added up), floor(80 % of the daily reach summed), then added up.
  const byHand = (provider, to, days) => stack.sql(`SELECT sum(value) FROM metric_daily WHERE provider = '${provider}' AND metric = 'reach' AND day BETWEEN date '${to}' - ${days - 1} AND date '${to}' GROUP BY split_part(account_id, ':', 1)`)
    .reduce((a, [v]) => a + Math.floor(Number(v) * 8 / 10), 0);
  const tiles = async (provider, days) => {
    const r = await request(`${stack.url}/v1/dashboard/tiles?period=${days}d&provider=${provider}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.current.to, y);
    return r.json.tiles;
  };

  for (const [provider, periods] of [['facebook', [7, 28]], ['meta_ads', [7, 28, 90]]]) {
    for (const days of periods) {
      const tile = (await tiles(provider, days)).find((x) => x.metric === 'reach');
      const prevTo = stack.sql(`SELECT to_char(date '${y}' - ${days}, 'YYYY-MM-DD')`)[0][0];
      const now = byHand(provider, y, days);
      const before = byHand(provider, prevTo, days);
      assert.ok(now > 0 && before > 0, `${provider} ${days}d: no daily rows to check against`);
      assert.equal(tile.current, now, `${provider} ${days}d reach`);
      assert.equal(tile.previous, before, `${provider} ${days}d reach before`);
      assert.equal(tile.unavailable, undefined, `${provider} ${days}d`);
      assert.notEqual(tile.change_pct, null, `${provider} ${days}d: a comparison`);
    }
  }
  // Facebook has no 90-day reach, and the tile says why.
  const fb90 = (await tiles('facebook', 90)).find((x) => x.metric === 'reach');
  assert.equal(fb90.current, null);
  assert.match(fb90.unavailable, /7 and 28 days only/);
  // Each ad account's rows carry its currency; the totals rows too.
  assert.deepEqual(stack.sql("SELECT DISTINCT currency FROM metric_daily WHERE provider = 'meta_ads' AND metric = 'reach:7d' ORDER BY 1"), [['EUR'], ['USD']]);
});
