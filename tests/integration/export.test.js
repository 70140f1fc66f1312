'use strict';
// GET /v1/metrics: a workspace's stored rows as JSON pages (walked with
// the cursor and compared with the table) and as one CSV stream (RFC 4180,
// a million rows compared with the table through an MD5 of the same text
// built in SQL), grouped by week and month with each metric's rule, bad
// input named, and no other workspace's rows.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const { startStack, request } = require('./lib/stack');
const { validate, responseSchema } = require('./lib/schema');

// RFC 4180 fields of a CSV text (CRLF lines, quoted fields may hold
// commas, quotes doubled, line breaks).
function parseCsv(text) {
  const rows = [];
  let row = [], f = '', i = 0, q = false;
  while (i < text.length) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { f += '"'; i += 2; continue; }
      if (c === '"') { q = false; i++; continue; }
      f += c; i++; continue;
    }
    if (c === '"') { q = true; i++; continue; }
    if (c === ',') { row.push(f); f = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(f); rows.push(row); row = []; f = ''; i += 2; continue; }
    assert.notEqual(c, '\n', 'a bare LF ends no CSV line');
    f += c; i++;
  }
  assert.equal(f, '', 'the last line ends with CRLF');
  return rows;
}

test('GET /v1/metrics', async (t) => {
  const stack = await startStack({ programs: ['api'] });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const [[a]] = stack.sql("INSERT INTO workspaces (name, time_zone) VALUES ('A', 'America/New_York') RETURNING id");
  const [[b]] = stack.sql("INSERT INTO workspaces (name) VALUES ('B') RETURNING id");
  const key = (ws) => stack.cli('api', ['create-key', ws, 'k', 'viewer']).stdout.trim();
  const ka = key(a), kb = key(b);
  const y = (ws) => `(SELECT (now() AT TIME ZONE time_zone)::date - 1 FROM workspaces WHERE id = ${ws})`;
  // 40 days: Meta Ads spend in EUR (act_1) and USD (act_2), clicks,
  // reach (non-additive); GitHub stars (a running total); a custom source
  // whose breakdown names hold commas, quotes, line breaks and emoji.
  stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value, dims)
    SELECT ${a}, p, acc, m, ${y(a)} - d, d * 10 + length(m), (CASE
      WHEN m = 'spend_micros' THEN jsonb_build_object('currency', CASE acc WHEN 'act_1' THEN 'EUR' ELSE 'USD' END, 'campaign_name', 'Winter, "Sale" 🎉' || chr(10) || 'part 2')
      ELSE '{}'::jsonb END)
    FROM (VALUES ('meta_ads', 'act_1', 'spend_micros'), ('meta_ads', 'act_2', 'spend_micros'),
      ('meta_ads', 'act_1', 'clicks'), ('meta_ads', 'act_1', 'reach'), ('github', 'o/r', 'stars'),
      ('crm', '', 'deals.won')) v(p, acc, m), generate_series(0, 39) d`);
  stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
    SELECT ${b}, 'meta_ads', 'act_9', 'clicks', ${y(b)} - d, 777 FROM generate_series(0, 39) d`);
  const get = (k, q, headers = {}) => request(`${stack.url}/v1/metrics${q}`, { headers: { authorization: `Bearer ${k}`, ...headers } });
  const [[from, to, tomorrow]] = stack.sql(`SELECT to_char(${y(a)} - 27, 'YYYY-MM-DD'), to_char(${y(a)}, 'YYYY-MM-DD'), to_char(${y(a)} + 2, 'YYYY-MM-DD')`);

  await t.test('JSON pages: every row once, in order, equal to the table', async () => {
    let r = await get(ka, '');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(validate(responseSchema('/v1/metrics'), r.json), []);
    assert.deepEqual([r.json.from, r.json.to, r.json.group, r.json.time_zone], [from, to, 'day', 'America/New_York']);
    const rows = [];
    let cursor = null, pages = 0;
    do {
      r = await get(ka, `?from=${from}&to=${to}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200, r.text);
      rows.push(...r.json.rows);
      cursor = r.json.next_cursor;
      pages++;
    } while (cursor);
    const want = stack.sql(`SELECT provider, account_id, metric, day, coalesce(currency, ''), value FROM metric_daily
      WHERE workspace_id = ${a} AND day BETWEEN '${from}' AND '${to}' ORDER BY provider COLLATE "C", account_id COLLATE "C", metric COLLATE "C", day`);
    assert.equal(rows.length, want.length);
    assert.equal(pages, Math.ceil(want.length / 7) + (want.length % 7 === 0 ? 1 : 0));
    assert.deepEqual(rows.map((x) => [x.provider, x.account_id, x.metric, x.period, x.currency || '', String(x.value)]), want);
    const spend = rows.find((x) => x.metric === 'spend_micros');
    assert.deepEqual([spend.label, spend.unit, spend.aggregation, spend.dims.campaign_name], ['Spend', 'currency_micros', 'sum', 'Winter, "Sale" 🎉\npart 2']);
    assert.ok(!rows.some((x) => x.value === 777), 'another workspace\'s row');
  });

  await t.test('week and month: each metric by its rule, accounts and currencies apart', async () => {
    for (const g of ['week', 'month']) {
      const r = await get(ka, `?from=${from}&to=${to}&group=${g}&limit=10000`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(validate(responseSchema('/v1/metrics'), r.json), []);
      const sums = Object.fromEntries(stack.sql(`SELECT provider || '|' || account_id || '|' || metric || '|' || date_trunc('${g}', day)::date, sum(value), count(*),
        (array_agg(value ORDER BY day DESC))[1] FROM metric_daily WHERE workspace_id = ${a} AND day BETWEEN '${from}' AND '${to}' GROUP BY 1`).map(([k, s, n, last]) => [k, [s, n, last]]));
      assert.equal(r.json.rows.length, Object.keys(sums).length);
      for (const x of r.json.rows) {
        const [s, n, last] = sums[`${x.provider}|${x.account_id}|${x.metric}|${x.period}`];
        assert.equal(x.days, Number(n));
        if (x.metric === 'reach') {
          assert.equal(x.value, null, 'reach is never a sum of days');
          assert.match(x.note, /cannot be added/);
        } else if (x.metric === 'stars') assert.equal(x.value, Number(last), 'a running total: its last day');
        else assert.equal(x.value, Number(s), `${x.metric} ${x.period}`);
      }
      const spends = r.json.rows.filter((x) => x.metric === 'spend_micros');
      assert.deepEqual([...new Set(spends.map((x) => `${x.account_id}:${x.currency}`))].sort(), ['act_1:EUR', 'act_2:USD']);
    }
  });

  await t.test('CSV: RFC 4180, a file name, by format or Accept', async () => {
    const r = await get(ka, `?from=${from}&to=${to}&format=csv`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(r.headers.get('content-disposition'), `attachment; filename="sluice-metrics-daily-${from}-to-${to}.csv"`);
    const rows = parseCsv(r.text);
    assert.deepEqual(rows[0], ['period', 'provider', 'account_id', 'metric', 'label', 'unit', 'aggregation', 'currency', 'value', 'days', 'dims']);
    const json = (await get(ka, `?from=${from}&to=${to}&limit=10000`)).json.rows;
    assert.equal(rows.length - 1, json.length);
    rows.slice(1).forEach((f, i) => {
      const x = json[i];
      assert.deepEqual(f.slice(0, 10), [x.period, x.provider, x.account_id, x.metric, x.label, x.unit, x.aggregation, x.currency || '', String(x.value), String(x.days)]);
      assert.deepEqual(JSON.parse(f[10]), x.dims);
    });
    // A breakdown with a comma, quotes, a line break and emoji: quoted,
    // its JSON intact.
    assert.ok(rows.some((f) => f[10].includes(',') && JSON.parse(f[10]).campaign_name === 'Winter, "Sale" 🎉\npart 2'));
    assert.ok(r.text.includes(',"{""currency"": ""EUR"", ""campaign_name"": ""Winter, \\""Sale\\"" 🎉\\npart 2""}"\r\n'), 'quoted as RFC 4180 says');
    const byAccept = await get(ka, `?from=${from}&to=${to}`, { accept: 'text/csv' });
    assert.equal(byAccept.text, r.text);
    const head = await request(`${stack.url}/v1/metrics?format=csv`, { method: 'HEAD', headers: { authorization: `Bearer ${ka}` } });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
  });

  await t.test('bad input: the parameter named, the limit stated, never 5xx', async () => {
    const cases = [
      ['?metric=cpc', 400, /metric cpc is not stored: .* from (cost_micros|spend_micros) and clicks/],
      ['?from=2026-02-30&to=2026-03-01', 400, /^from must be a real date/],
      ['?from=1969-12-31&to=1970-01-31', 400, /^from must be a real date from 1970 on/],
      ['?from=2026-03-02&to=2026-03-01', 400, /^to must not be before from/],
      ['?from=2026-03-01', 400, /^from goes with to: give both, or neither/],
      ['?to=2026-03-01', 400, /^to goes with from/],
      ['?group=week&group=month', 400, /^group is given more than once/],
      ['?format=json&format=csv', 400, /^format is given more than once/],
      ['?limit=5&limit=6', 400, /^limit is given more than once/],
      [`?from=${from}&to=${to}&from=${from}`, 400, /^from is given more than once/],
      ['?account_id=', 400, /^account_id must be an account id .*1 to 256 bytes/],
      ['?format=csv&cursor=61', 400, /^cursor pages JSON only/],
      ['?' + Array.from({ length: 129 }, (_, i) => `x${i}=1`).join('&'), 400, /the query string has more than 128 parameters/],
      ['?from=2010-01-01&to=2026-01-01', 413, /from\.\.to covers 5845 days; at most 3660/],
      ['?group=year', 400, /^group must be day, week or month/],
      ['?format=xml', 400, /^format must be json or csv/],
      ['?limit=0', 400, /^limit must be a number from 1 to 10000/],
      ['?limit=10001', 400, /^limit must be/],
      ['?cursor=zz', 400, /^cursor is not one this API gave/],
      ['?cursor=61.62.63.323032362d30322d3330.', 400, /^cursor is not one/],
      ['?provider=Meta%20Ads', 400, /^provider must be a source name .* ga4, google_ads/],
      ['?metric=%27%3B%20DROP%20TABLE%20x', 400, /^metric must be/],
      ['?provider=' + 'x'.repeat(65), 400, /^provider must be/],
      ['?bogus=1', 400, /^bogus is not a parameter of \/v1\/metrics/],
      [`?from=${to}&to=${tomorrow}`, 400, new RegExp(`^to must be ${to} \\(America/New_York\\) or earlier: yesterday`)],
      ['?account_id=a%01b', 400, /^account_id must be an account id/],
      ['?' + Array.from({ length: 51 }, () => 'provider=ga4').join('&'), 400, /^provider is given more than 50 times/],
    ];
    for (const [q, status, why] of cases) {
      const r = await get(ka, q);
      assert.equal(r.status, status, `${q}: ${r.text}`);
      assert.match(r.json.error.message, why, q);
    }
    assert.equal((await get('slk_nope', '')).status, 401);
    // An address longer than nginx takes: its JSON error, not an HTML page.
    const long = await get(ka, `?provider=${'x'.repeat(9000)}`);
    assert.equal(long.status, 414);
    assert.equal(long.json.error.code, 'uri_too_long');
  });

  await t.test('an unknown source is a 404 naming what exists; a known one without rows is empty', async () => {
    // Neither a provider nor a source ingested here: 404, the sources named.
    for (const q of ['?provider=acme', '?provider=crm&provider=acme', '?provider=acme&format=csv']) {
      const r = await get(ka, q);
      assert.equal(r.status, 404, `${q}: ${r.text}`);
      assert.equal(r.json.error.code, 'not_found');
      assert.deepEqual(validate(responseSchema('/v1/metrics', 'get', '404'), r.json), []);
      assert.match(r.json.error.message, /^provider acme names no source of this workspace: .* The providers: ga4, .*; sources ingested here \(POST \/v1\/metrics\/ingest\): crm\.$/, q);
    }
    // Workspace B ingested nothing: its 404 says so, and not A's crm.
    let r = await get(kb, '?provider=crm');
    assert.equal(r.status, 404);
    assert.match(r.json.error.message, /sources ingested here \(POST \/v1\/metrics\/ingest\): none\.$/);
    // A source ingested here, even with no row in the days asked, and a
    // provider never connected: 200, no rows.
    r = await get(ka, '?provider=crm&from=2001-01-01&to=2001-01-31');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.rows, []);
    r = await get(ka, '?provider=slack');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.rows, []);
    r = await get(ka, '?provider=crm');
    assert.equal(r.status, 200);
    assert.ok(r.json.rows.length > 0 && r.json.rows.every((x) => x.provider === 'crm'));
  });

  await t.test('a metric in no catalogue and never stored is a 404; a known one without rows is empty', async () => {
    // A typo of a catalogue metric, alone, among good ones, for a source.
    for (const [q, name, of] of [['?metric=sesions', 'sesions', 'this workspace'],
      ['?metric=sessions&metric=clickz', 'clickz', 'this workspace'],
      ['?provider=ga4&metric=clicks', 'clicks', 'ga4'],
      ['?provider=crm&metric=deals.lost', 'deals.lost', 'crm'],
      ['?metric=sesions&format=csv', 'sesions', 'this workspace']]) {
      const r = await get(ka, q);
      assert.equal(r.status, 404, `${q}: ${r.text}`);
      assert.equal(r.json.error.code, 'not_found');
      assert.deepEqual(validate(responseSchema('/v1/metrics', 'get', '404'), r.json), []);
      assert.equal(r.json.error.message, `metric ${name} names no metric of ${of}: no catalogue has it and no row was stored under it here. GET /v1/providers lists each provider's metrics.`, q);
    }
    // Catalogue metrics (one never connected, a provider's total), and a
    // metric ingested here, in or out of the days asked: 200.
    for (const q of ['?metric=sessions', '?provider=slack&metric=messages', '?metric=reach:28d',
      '?provider=google_ads&metric=clicks', '?metric=deals.won', '?provider=crm&metric=deals.won',
      '?metric=deals.won&from=2001-01-01&to=2001-01-31']) {
      const r = await get(ka, q);
      assert.equal(r.status, 200, `${q}: ${r.text}`);
    }
    assert.ok((await get(ka, '?metric=deals.won')).json.rows.length > 0);
    assert.deepEqual((await get(ka, '?metric=deals.won&from=2001-01-01&to=2001-01-31')).json.rows, []);
    // Workspace B stored no deals.won: its own 404.
    const r = await get(kb, '?metric=deals.won');
    assert.equal(r.status, 404, r.text);
  });

  await t.test('a cursor continues only the query that gave it', async () => {
    const first = await get(ka, `?from=${from}&to=${to}&limit=3`);
    const c = first.json.next_cursor;
    assert.ok(c);
    assert.equal((await get(ka, `?from=${from}&to=${to}&limit=5&cursor=${c}`)).status, 200, 'another page size is the same query');
    for (const other of [`?from=${from}&to=${to}&limit=3&group=week`, `?from=${from}&to=${to}&limit=3&provider=github`,
      `?limit=3&from=${from}&to=${from}`, `?from=${from}&to=${to}&limit=3&metric=clicks`]) {
      const r = await get(ka, `${other}&cursor=${c}`);
      assert.equal(r.status, 400, other);
      assert.match(r.json.error.message, /cursor is not one this API gave for this query/);
    }
    // A cursor made by hand (the key without the query's tag) is refused.
    const bare = c.split('.').slice(0, 5).join('.') + '.';
    assert.equal((await get(ka, `?from=${from}&to=${to}&limit=3&cursor=${bare}`)).status, 400);
  });

  await t.test('Accept: q-values and case, JSON on a tie', async () => {
    const csv = (r) => (r.headers.get('content-type') || '').startsWith('text/csv');
    for (const [accept, wantCsv] of [['text/csv', true], ['TEXT/CSV', true], ['text/csv;q=0, application/json', false],
      ['application/json, text/csv', false], ['application/json;q=0.5, text/csv', true], ['*/*', false],
      ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', false], ['text/csv; q=0.9, */*; q=0.1', true]]) {
      assert.equal(csv(await get(ka, `?from=${from}&to=${from}`, { accept })), wantCsv, accept);
    }
  });

  await t.test("the providers' own totals: rows of their day, and a whole week's", async () => {
    // reach:7d on every Sunday of the range and reach:28d on its last day,
    // as a sync stores them (the dashboard shows these).
    stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
      SELECT ${a}, 'meta_ads', 'act_1', 'reach:7d', d, 5000 + extract(doy FROM d)
      FROM generate_series('${from}'::date, '${to}'::date, interval '1 day') d WHERE extract(isodow FROM d) = 7
      UNION ALL SELECT ${a}, 'meta_ads', 'act_1', 'reach:28d', '${to}', 31337`);
    const days = (await get(ka, `?from=${from}&to=${to}&limit=10000&metric=reach:28d`)).json.rows;
    assert.equal(days.length, 1);
    assert.deepEqual([days[0].period, days[0].value, days[0].label, days[0].aggregation, days[0].currency],
      [to, 31337, 'Reach, 28 days to this day', 'total', null]);
    const weeks = (await get(ka, `?from=${from}&to=${to}&group=week&metric=reach&limit=10000`)).json.rows;
    const sundays = Object.fromEntries(stack.sql(`SELECT to_char(day - 6, 'YYYY-MM-DD'), value FROM metric_daily
      WHERE workspace_id = ${a} AND metric = 'reach:7d'`).map(([mon, v]) => [mon, Number(v)]));
    let whole = 0;
    for (const w of weeks) {
      const inside = w.period >= from && Object.hasOwn(sundays, w.period) &&
        new Date(Date.parse(w.period) + 6 * 86400000).toISOString().slice(0, 10) <= to;
      if (inside) {
        whole++;
        assert.equal(w.value, sundays[w.period], `week of ${w.period}: the provider's own total`);
      } else {
        assert.equal(w.value, null, `week of ${w.period} is not whole in the range`);
        assert.match(w.note, /cannot be added/);
      }
    }
    assert.ok(whole >= 3, `${whole} whole weeks`);
    stack.sql(`DELETE FROM metric_daily WHERE workspace_id = ${a} AND metric LIKE 'reach:%'`);
  });

  await t.test('another workspace sees only its own rows', async () => {
    const r = await get(kb, '?limit=10000');
    assert.equal(r.status, 200);
    assert.ok(r.json.rows.length > 0 && r.json.rows.every((x) => x.value === 777));
    const csv = await get(kb, '?format=csv&provider=github');
    assert.equal(parseCsv(csv.text).length, 1, 'only the header');
  });

  await t.test('a million rows: the CSV is the table, streamed', async () => {
    const [[c]] = stack.sql("INSERT INTO workspaces (name) VALUES ('C') RETURNING id");
    stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value, dims)
      SELECT ${c}, 'bulk', 'acct' || (g % 50), 'm' || (g / 50 % 20), date '2020-01-01' + (g / 1000), g % 9973,
        CASE WHEN g % 1000 = 0 THEN jsonb_build_object('n', 'a,"b"' || g) ELSE '{}' END
      FROM generate_series(0, 999999) g`);
    const kc = key(c);
    // The same text built by PostgreSQL (RFC 4180 quoting), hashed.
    const q = (x) => `CASE WHEN ${x} ~ '[,"\\r\\n]' THEN '"' || replace(${x}, '"', '""') || '"' ELSE ${x} END`;
    const [[want, n]] = stack.sql(`SELECT md5(string_agg(line, '' ORDER BY provider COLLATE "C", account_id COLLATE "C", metric COLLATE "C", day)), count(*) FROM (
      SELECT provider, account_id, metric, day, to_char(day, 'YYYY-MM-DD') || ',' || provider || ',' || account_id || ',' || metric || ',' || metric || ',number,sum,,' ||
        value::text || ',1,' || ${q('dims::text')} || E'\\r\\n' AS line
      FROM metric_daily WHERE workspace_id = ${c}) l`);
    assert.equal(n, '1000000');
    const hash = crypto.createHash('md5');
    let first = true, bytes = 0;
    await new Promise((resolve, reject) => {
      http.get(`${stack.url}/v1/metrics?format=csv&from=2020-01-01&to=2022-12-31`, { headers: { authorization: `Bearer ${kc}` } }, (res) => {
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['transfer-encoding'], 'chunked', 'streamed, not held');
        res.on('data', (d) => {
          if (first) {
            const s = d.toString('utf8');
            const nl = s.indexOf('\r\n') + 2;
            hash.update(d.subarray(Buffer.byteLength(s.slice(0, nl))));
            first = false;
          } else hash.update(d);
          bytes += d.length;
        });
        res.on('end', resolve);
        res.on('error', reject);
      }).on('error', reject);
    });
    assert.ok(bytes > 50e6, `${bytes} bytes`);
    assert.equal(hash.digest('hex'), want);
  });
});
