'use strict';
// The headline unique counts (GA4 users): after a first sync in the
// sandbox, the 7-, 28- and 90-day tiles and the periods before them hold
// the provider's own totals for exactly the days the tiles show (ending
// yesterday in the workspace's zone), checked against the simulator's
// series: people are not additive across days, so its total users over a
// range are 70 % of the sum of its daily total users (lib/sandbox/
// sandbox.c, sandbox_series_sum), its active users 97 % of that.
const test = require('node:test');
const assert = require('node:assert/strict');
const { request } = require('./lib/stack');
const { syncedSources } = require('./lib/flows');

test('GA4 unique users: the provider\'s totals for the tiles\' periods', async (t) => {
  // A zone far from UTC (its yesterday is not the server's); 200 days of
  // daily rows: every day of both 90-day periods is stored.
  const { stack, key } = await syncedSources(t, ['ga4', 'instagram'],
    { zone: 'Pacific/Kiritimati', env: { SLUICE_SYNC_BACKFILL_DAYS: '200' } });
  const [[y]] = stack.sql("SELECT to_char((now() AT TIME ZONE 'Pacific/Kiritimati')::date - 1, 'YYYY-MM-DD')");
  // The simulator's total users of [to - days + 1, to], per property,
  // from the daily rows stored; a tile adds the properties.
  const users = (to, days) => stack.sql(`SELECT sum(value) FROM metric_daily WHERE provider = 'ga4' AND metric = 'total_users' AND day BETWEEN date '${to}' - ${days - 1} AND date '${to}' GROUP BY account_id`)
    .reduce((a, [v]) => a + Math.floor(Number(v) * 7 / 10), 0);
  const active = (to, days) => stack.sql(`SELECT sum(value) FROM metric_daily WHERE provider = 'ga4' AND metric = 'total_users' AND day BETWEEN date '${to}' - ${days - 1} AND date '${to}' GROUP BY account_id`)
    .reduce((a, [v]) => a + Math.floor(Math.floor(Number(v) * 7 / 10) * 97 / 100), 0);

  for (const days of [7, 28, 90]) {
    const r = await request(`${stack.url}/v1/dashboard/tiles?period=${days}d&provider=ga4`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.current.to, y);
    const tile = (m) => r.json.tiles.find((x) => x.metric === m);
    const prevTo = stack.sql(`SELECT to_char(date '${y}' - ${days}, 'YYYY-MM-DD')`)[0][0];
    const now = users(y, days);
    const before = users(prevTo, days);
    assert.ok(now > 0 && before > 0, `${days}d: no daily rows to check against`);
    assert.equal(tile('total_users').current, now, `${days}d total users`);
    assert.equal(tile('total_users').previous, before, `${days}d total users before`);
    assert.equal(tile('active_users').current, active(y, days), `${days}d active users`);
    assert.equal(tile('active_users').previous, active(prevTo, days), `${days}d active users before`);
    assert.notEqual(tile('total_users').change_pct, null, `${days}d: a comparison`);
  }

  // Instagram: the simulator's reach total over a range is the sum of its
  // daily reach; 7 and 28 days are given, 90 are not (and the tile says so).
  const reach = (to, days) => Number(stack.sql(`SELECT coalesce(sum(value), 0) FROM metric_daily WHERE provider = 'instagram' AND metric = 'reach' AND day BETWEEN date '${to}' - ${days - 1} AND date '${to}'`)[0][0]);
  for (const days of [7, 28, 90]) {
    const r = await request(`${stack.url}/v1/dashboard/tiles?period=${days}d&provider=instagram`, { headers: { authorization: `Bearer ${key}` } });
    const tile = r.json.tiles.find((x) => x.metric === 'reach');
    if (days === 90) {
      assert.equal(tile.current, null);
      assert.match(tile.unavailable, /30 days/);
      continue;
    }
    assert.ok(reach(y, days) > 0);
    assert.equal(tile.current, reach(y, days), `instagram ${days}d reach`);
  }
});
