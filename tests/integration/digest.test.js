'use strict';
// The weekly digest against a fake Resend (lib/fake_resend.js): each
// recipient once, concurrency, a crash between send and record, the
// cooldown, suppressions, unsubscribe, and every class of Resend answer.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startStack, defer, request } = require('./lib/stack');
const { startFakeResend } = require('./lib/fake_resend');
const { setupOwner } = require('./lib/flows');

const CRON = 'cron-secret-for-digest-tests-0123456789';

test('weekly digest through a fake Resend', async (t) => {
  const fake = await startFakeResend();
  defer(t, () => fake.close());
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-digest-'));
  defer(t, () => fs.rmSync(tmp, { recursive: true, force: true }));
  fs.chmodSync(tmp, 0o777);	// the programs run as another user
  const faultFile = path.join(tmp, 'crash-once');
  const stack = await startStack({
    programs: ['api', 'pages', 'digest'],
    env: {
      SLUICE_RESEND_API_BASE: fake.url,
      SLUICE_RESEND_API_KEY: 're_test',
      SLUICE_ALLOW_LOOPBACK_HTTP: '1',
      SLUICE_CRON_SECRET: CRON,
      SLUICE_MAIL_FROM: 'digest@hub.example.com',
      SLUICE_MAIL_FROM_NAME: 'KPI Digest',
      SLUICE_DIGEST_FAULT_FILE: faultFile,
    },
  });
  defer(t, () => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });

  // The pages' owner (workspace Acme) first, then two more workspaces.
  const browser = await setupOwner(stack.url);
  const [[acme]] = stack.sql("SELECT id FROM workspaces WHERE name = 'Acme'");
  const [[wsA]] = stack.sql("INSERT INTO workspaces (name, time_zone) VALUES ('Alpha', 'Europe/Paris') RETURNING id");
  const [[wsB]] = stack.sql("INSERT INTO workspaces (name) VALUES ('Beta') RETURNING id");
  const member = (ws, email, role = 'viewer') => stack.sql(
    `WITH u AS (INSERT INTO users (email, password_hash) VALUES ('${email}', 'x')
       ON CONFLICT DO NOTHING RETURNING id)
     INSERT INTO memberships (workspace_id, user_id, role)
     SELECT ${ws}, COALESCE((SELECT id FROM u), (SELECT id FROM users WHERE lower(email) = lower('${email}'))), '${role}'`);
  member(wsA, 'a1@example.com', 'owner');
  member(wsA, 'A2@Example.com');
  member(wsA, 'bounced@example.com');
  member(wsB, 'b1@example.com', 'owner');
  member(wsB, 'a1@example.com');		// in two workspaces: two digests
  stack.sql("INSERT INTO email_suppressions (email, reason) VALUES ('bounced@example.com', 'bounced')");
  // Alpha: sessions 100 a day for 4 weeks before last week, 140 a day
  // last week with a spike of 400 on its Wednesday; a LinkedIn
  // connection that needs re-authorisation.
  stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
    SELECT ${wsA}, 'ga4', 'p1', 'sessions', d::date,
      CASE WHEN d::date = s + 2 THEN 400 WHEN d::date >= s THEN 140
           WHEN extract(dow FROM d) IN (0, 6) THEN 90 ELSE 104 END
    FROM (SELECT date_trunc('week', now() AT TIME ZONE 'Europe/Paris')::date - 7 AS s) w,
      generate_series(s - 28, s + 6, interval '1 day') d`);
  stack.sql(`INSERT INTO connections (workspace_id, provider, status) VALUES (${wsA}, 'linkedin', 'needs_reauth')`);
  const allRecipients = ['a1@example.com', 'a1@example.com', 'a2@example.com', 'b1@example.com', 'owner@example.com'];

  const weekly = (body = { scope: 'all' }, headers = { 'x-cron-secret': CRON }) => request(`${stack.url}/v1/digest/weekly`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), timeout: 60000,
  });
  const sends = () => stack.sql('SELECT recipient, status, coalesce(resend_id, \'\'), coalesce(error, \'\') FROM digest_sends ORDER BY workspace_id, recipient');
  const cool = () => stack.sql("UPDATE digest_runs SET finished_at = now() - interval '1 hour' WHERE finished_at IS NOT NULL");
  const fresh = () => {
    stack.sql('DELETE FROM digest_sends; DELETE FROM digest_batches;');
    cool();
    fake.reset();
  };
  const deliveredTo = () => fake.state.delivered.map((d) => d.to).sort();

  await t.test('auth: no secret 401, wrong secret 401', async () => {
    assert.equal((await weekly({}, {})).status, 401);
    assert.equal((await weekly({}, { 'x-cron-secret': 'nope' })).status, 401);
    assert.equal((await weekly({ scope: 'some' })).status, 400);
  });

  await t.test('the digest has a section for every source, however many', async () => {
    // A workspace of its own (gone again at the end: the other tests count
    // recipients) with ten sources; Google Ads has more numbers than fit.
    const [[wsC]] = stack.sql("INSERT INTO workspaces (name) VALUES ('Gamma') RETURNING id");
    member(wsC, 'c1@example.com', 'owner');
    const rows = [['ga4', 'sessions'], ['google_ads', 'impressions'], ['google_ads', 'clicks'],
      ['google_ads', 'cost_micros'], ['google_ads', 'conversions'], ['google_ads', 'conversion_value_micros'],
      ['youtube', 'views'], ['facebook', 'impressions'], ['instagram', 'views'], ['meta_ads', 'impressions'],
      ['linkedin', 'impressions'], ['mailchimp', 'emails_sent'], ['slack', 'messages'], ['github', 'views']];
    stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
      SELECT ${wsC}, p, 'a', m, d::date, 10 + extract(day FROM d)
      FROM (VALUES ${rows.map(([p, m]) => `('${p}', '${m}')`).join(',')}) v(p, m),
        (SELECT date_trunc('week', now() AT TIME ZONE 'UTC')::date - 7 AS s) w,
        generate_series(s - 7, s + 6, interval '1 day') d`);
    try {
      const r = await request(`${stack.url}/v1/digest/preview?email=c1@example.com`, { headers: { 'x-cron-secret': CRON } });
      assert.equal(r.status, 200, r.text);
      for (const name of ['Google Analytics 4', 'Google Ads', 'YouTube', 'Facebook Pages', 'Instagram',
        'Meta Ads', 'LinkedIn', 'Mailchimp', 'Slack', 'GitHub']) {
        assert.match(r.json.text, new RegExp(`\\n${name}\\n- `), `${name} has no section`);
        assert.ok(r.json.html.includes(`>${name}</td>`), `${name} has no section in the HTML`);
      }
      // Google Ads: 5 stored metrics and 3 rates, 4 shown, the rest counted.
      const ads = r.json.text.split('\nGoogle Ads\n')[1].split('\n\n')[0];
      assert.equal(ads.split('\n').filter((l) => l.startsWith('- ')).length, 4, ads);
      assert.match(ads, /\(and 4 more on your dashboard\)/);
      assert.match(ads, /^- Impressions: /, 'the headline first');
    } finally {
      stack.sql(`DELETE FROM workspaces WHERE id = ${wsC}`);
    }
  });

  await t.test('the digest says which channels brought the week\'s inquiries, and at what cost', async () => {
    // Inquiries through the API, moved into last week; Google Ads spend
    // of last week in one currency, Meta Ads in two (no cost named).
    const [[wsD]] = stack.sql("INSERT INTO workspaces (name) VALUES ('Delta') RETURNING id");
    member(wsD, 'd1@example.com', 'owner');
    try {
      const key = stack.cli('api', ['create-key', wsD, 'k', 'admin']);
      assert.equal(key.status, 0, key.stderr);
      const api = (path, body) => request(`${stack.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key.stdout.trim()}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const ids = [];
      for (const [i, utm] of [['google', 'cpc'], ['google', 'cpc'], ['google', 'cpc'], ['facebook', 'paid'], ['', '']].entries()) {
        const r = await api('/v1/inquiries', {
          name: `P${i}`, email: `p${i}@example.com`, message: 'Hello',
          ...(utm[0] ? { utm_source: utm[0], utm_medium: utm[1] } : {}),
        });
        assert.equal(r.status, 201, r.text);
        ids.push(r.json.id);
      }
      const b = await api('/v1/bookings', { inquiry_id: ids[0], event_type: 'wedding', value: 900, currency: 'EUR' });
      assert.equal(b.status, 201, b.text);
      const week = "(date_trunc('week', now() AT TIME ZONE 'UTC')::date - 5)";
      stack.sql(`UPDATE inquiries SET created_at = ${week} + time '12:00' WHERE workspace_id = ${wsD}`);
      stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value, dims) VALUES
        (${wsD}, 'google_ads', '1', 'cost_micros', ${week}, 100000000, '{"currency":"EUR"}'),
        (${wsD}, 'google_ads', '1', 'cost_micros', ${week} + 1, 23000000, '{"currency":"EUR"}'),
        (${wsD}, 'google_ads', '1', 'cost_micros', ${week} - 7, 50000000, '{"currency":"EUR"}'),
        (${wsD}, 'meta_ads', '2', 'spend_micros', ${week}, 5000000, '{"currency":"EUR"}'),
        (${wsD}, 'meta_ads', '3', 'spend_micros', ${week}, 7000000, '{"currency":"USD"}')`);
      const [[spend]] = stack.sql(`SELECT sum(value) / 1e6 FROM metric_daily WHERE workspace_id = ${wsD}
        AND provider = 'google_ads' AND day BETWEEN ${week} - 2 AND ${week} + 4`);
      const [[inq]] = stack.sql(`SELECT count(*) FROM inquiries WHERE workspace_id = ${wsD} AND utm_source = 'google'`);
      const per = (Number(spend) / Number(inq)).toFixed(2);
      assert.equal(per, '41.00');
      const r = await request(`${stack.url}/v1/digest/preview?email=d1@example.com`, { headers: { 'x-cron-secret': CRON } });
      assert.equal(r.status, 200, r.text);
      const lines = r.json.text.split('\nINQUIRIES BY CHANNEL\n')[1].split('\n\n')[0].split('\n');
      assert.deepEqual(lines, [
        `* Google Ads brought 3 inquiries and 1 booking this week at \u20ac${per} per inquiry`,
        '* Meta Ads brought 1 inquiry and 0 bookings this week (its spend is in several currencies: the cost per inquiry in each is on the Attribution page)',
        '* Direct brought 1 inquiry and 0 bookings this week',
      ]);
      assert.ok(r.json.html.includes(`>Google Ads brought 3 inquiries and 1 booking this week at \u20ac${per} per inquiry</td>`), r.json.html);
      assert.match(r.json.html, /<h2[^>]*>Inquiries by channel<\/h2>/);
      // The monthly digest shares it, for its month.
      const m = await request(`${stack.url}/v1/digest/preview?email=d1@example.com&kind=monthly`, { headers: { 'x-cron-secret': CRON } });
      assert.equal(m.status, 200, m.text);
      assert.doesNotMatch(m.json.text, /this week/);
      // None in a week: no section.
      stack.sql(`UPDATE inquiries SET created_at = created_at - interval '14 days' WHERE workspace_id = ${wsD}`);
      const none = await request(`${stack.url}/v1/digest/preview?email=d1@example.com`, { headers: { 'x-cron-secret': CRON } });
      assert.doesNotMatch(none.json.text, /INQUIRIES BY CHANNEL/);
      assert.doesNotMatch(none.json.html, /Inquiries by channel/);
    } finally {
      stack.sql(`DELETE FROM workspaces WHERE id = ${wsD}`);
    }
  });

  await t.test('preview renders what would be sent, without sending', async () => {
    const r = await request(`${stack.url}/v1/digest/preview?email=a1@example.com`, { headers: { 'x-cron-secret': CRON } });
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.subject, /^Alpha weekly digest: /);
    // The period is the last full week in Alpha's zone (these strings
    // once pointed into a returned stack frame).
    const [[ps, pe]] = stack.sql("SELECT to_char(s, 'YYYY-MM-DD'), to_char(s + 6, 'YYYY-MM-DD') FROM (SELECT date_trunc('week', now() AT TIME ZONE 'Europe/Paris')::date - 7 AS s) w");
    assert.equal(r.json.period_start, ps);
    assert.equal(r.json.period_end, pe);
    assert.match(r.json.html, /Reconnect LinkedIn to resume its numbers\./);
    assert.match(r.json.html, /Sessions on Google Analytics 4 spiked on Wed/);
    assert.match(r.json.text, /KEY NUMBERS \(that week \/ the week before \/ change\)/);
    // The week's days name whose days they are.
    assert.match(r.json.text, /^Sluice weekly digest: Alpha\n.* \(Europe\/Paris\), compared with the week before\n/);
    assert.match(r.json.text, /\nGoogle Analytics 4\n- Sessions: 1,240 \/ 700 \/ \+77%\n/);
    assert.doesNotMatch(r.json.html, /<script|<svg/i);
    assert.match(r.json.headers['List-Unsubscribe'], /^<http:\/\/127\.0\.0\.1:\d+\/v1\/digest\/unsubscribe\?token=[\w-]+\.[\w-]+>$/);
    assert.equal(r.json.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    const html = await request(`${stack.url}/v1/digest/preview?email=a1@example.com&format=html`, { headers: { 'x-cron-secret': CRON } });
    assert.equal(html.text, r.json.html);
    const csp = html.headers.get('content-security-policy');
    assert.match(csp, /style-src 'unsafe-inline'/, 'the email\'s inline styles apply');
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /'self'/, 'the default policy is replaced, not added to');
    const page = await browser.get('/digest/preview');
    assert.equal(page.status, 200);
    assert.match(page.text, /Acme/);
    assert.equal(page.headers.get('content-security-policy'), csp);
    // Other pages keep the default policy, once.
    const dash = await browser.get('/dashboard');
    assert.match(dash.headers.get('content-security-policy'), /^default-src 'self'/);
    assert.equal((await request(`${stack.url}/v1/digest/preview?email=nobody@example.com`, { headers: { 'x-cron-secret': CRON } })).status, 404);
    assert.equal(fake.state.calls.length, 0);
  });

  let firstIds;
  await t.test('weekly run: each recipient once, suppressed skipped', async () => {
    const r = await weekly();
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.sent, 5);
    assert.equal(r.json.skipped, 1);
    assert.equal(r.json.failed, 0);
    assert.ok(r.json.run_id > 0);
    assert.deepEqual(deliveredTo(), allRecipients);
    assert.equal(fake.state.calls.length, 3, 'one batch per workspace');
    for (const c of fake.state.calls) {
      assert.equal(c.path, '/emails/batch');
      assert.match(c.headers['user-agent'], /^Sluice\//);
      assert.match(c.headers['idempotency-key'], /^sluice-digest-[0-9a-f]{32}$/);
      assert.equal(c.headers['x-batch-validation'], 'permissive');
      for (const m of c.body) {
        assert.equal(m.from, 'KPI Digest <digest@hub.example.com>');
        assert.ok(m.html && m.text && m.subject);
        assert.equal(m.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
      }
    }
    const rows = sends();
    assert.equal(rows.length, 5);
    for (const [, status, id] of rows) {
      assert.equal(status, 'sent');
      assert.ok(fake.state.delivered.some((d) => d.id === id));
    }
    firstIds = rows.map((x) => x[2]);
    const st = await request(`${stack.url}/v1/digest/status`, { headers: { 'x-cron-secret': CRON } });
    assert.equal(st.json.last_run.sent, 5);
    assert.equal(st.json.last_run.run_id, r.json.run_id);
  });

  await t.test('cooldown: 429 with Retry-After; after it, nothing is sent twice', async () => {
    const r = await weekly();
    assert.equal(r.status, 429);
    const ra = Number(r.headers.get('retry-after'));
    assert.ok(ra > 500 && ra <= 600, `retry-after ${ra}`);
    cool();
    fake.reset();
    const again = await weekly();
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.sent, 0);
    assert.equal(fake.state.calls.length, 0);
    assert.deepEqual(sends().map((x) => x[2]), firstIds);
  });

  await t.test('two concurrent runs: exactly one email per recipient', async () => {
    fresh();
    const [x, y] = await Promise.all([weekly(), weekly()]);
    const statuses = [x.status, y.status].sort();
    assert.ok(statuses[0] === 200, `statuses ${statuses}`);
    assert.ok(statuses[1] === 200 || statuses[1] === 429, `statuses ${statuses}`);
    assert.equal((x.json.sent || 0) + (y.json.sent || 0), 5);
    assert.deepEqual(deliveredTo(), allRecipients);
  });

  await t.test('crash between send and record: the rerun does not double-send', async () => {
    fresh();
    fs.writeFileSync(faultFile, '1');
    const r = await weekly();
    assert.ok(r.status >= 500, `the crashed run answers ${r.status}`);
    assert.equal(fs.existsSync(faultFile), false);
    assert.equal(fake.state.calls.length, 1, 'the first batch went out');
    const sentBefore = fake.state.delivered.length;
    assert.ok(sentBefore >= 1);
    const claimed = stack.sql("SELECT count(*) FROM digest_sends WHERE status = 'claimed'")[0][0];
    assert.equal(Number(claimed), sentBefore);
    const key = fake.state.calls[0].headers['idempotency-key'];
    const again = await weekly();
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.recovered, sentBefore);
    assert.equal(again.json.sent, 5);
    assert.equal(fake.state.calls[1].headers['idempotency-key'], key, 'same key');
    assert.equal(fake.state.calls[1].text, fake.state.calls[0].text, 'same body');
    assert.equal(fake.state.calls[1].replayed, true);
    assert.deepEqual(deliveredTo(), allRecipients);
    const ids = new Set(fake.state.delivered.map((d) => d.id));
    for (const [, status, id] of sends()) {
      assert.equal(status, 'sent');
      assert.ok(ids.has(id), 'recorded ids are the first call\'s');
    }
  });

  await t.test('validation errors (422 and 403, by status and name) are recorded failures', async () => {
    fresh();
    fake.next({ status: 422, fixture: 'error.422.missing_required_field' },
      { status: 403, fixture: 'error.403.validation_error' });
    const r = await weekly();
    assert.equal(r.status, 200, r.text);
    assert.equal(fake.state.calls.length, 3, 'not retried');
    assert.equal(r.json.failed, 3);
    assert.equal(r.json.sent, 2);
    const failed = sends().filter((x) => x[1] === 'failed').map((x) => x[3]);
    assert.ok(failed.some((e) => e.startsWith('422 missing_required_field: Missing `to` field.')), failed.join('\n'));
    assert.ok(failed.some((e) => e.startsWith('403 validation_error: ')), failed.join('\n'));
    const st = await request(`${stack.url}/v1/digest/status`, { headers: { 'x-cron-secret': CRON } });
    assert.equal(st.json.last_run.failed, 3);
    assert.ok(st.json.last_run.errors.length >= 3);
  });

  await t.test('429 rate limit: waits retry-after, then succeeds with the same key', async () => {
    fresh();
    fake.next({ status: 429, fixture: 'error.429.rate_limit_exceeded', headers: { 'retry-after': '1' } });
    const t0 = Date.now();
    const r = await weekly();
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.sent, 5);
    assert.ok(Date.now() - t0 >= 1000, 'waited a second');
    assert.equal(fake.state.calls.length, 4);
    assert.equal(fake.state.calls[0].headers['idempotency-key'], fake.state.calls[1].headers['idempotency-key']);
  });

  await t.test('429 daily quota: not retried, the run stops', async () => {
    fresh();
    fake.next({ status: 429, fixture: 'error.429.daily_quota_exceeded' });
    const r = await weekly();
    assert.equal(r.status, 200, r.text);
    assert.equal(fake.state.calls.length, 1);
    assert.equal(r.json.quota_reached, true);
    assert.equal(r.json.sent, 0);
    assert.equal(r.json.failed, 1, 'Acme\'s batch of one');
    assert.equal(sends().length, 0, 'its claim is released, nothing else claimed');
    const st = await request(`${stack.url}/v1/digest/status`, { headers: { 'x-cron-secret': CRON } });
    assert.match(st.json.last_run.errors.join('\n'), /daily_quota_exceeded/);
    // The next run (tomorrow, here after the cooldown) sends everyone.
    cool();
    const next = await weekly();
    assert.equal(next.json.sent, 5);
    assert.deepEqual(deliveredTo(), allRecipients);
  });

  await t.test('500 three times: three calls with one key, then a recorded failure', async () => {
    fresh();
    const e500 = { status: 500, fixture: 'error.500.application_error' };
    fake.next(e500, e500, e500);
    const r = await weekly();
    assert.equal(r.status, 200, r.text);
    const keys = fake.state.calls.slice(0, 3).map((c) => c.headers['idempotency-key']);
    assert.equal(new Set(keys).size, 1);
    assert.equal(r.json.failed, 1);
    assert.equal(r.json.sent, 4);
    const failed = sends().filter((x) => x[1] === 'failed');
    assert.equal(failed.length, 1);
    assert.match(failed[0][3], /^gave up after 3 attempts: 500 application_error: /);
  });

  await t.test('a body that is not JSON is the generic error of its status', async () => {
    fresh();
    fake.next({ status: 502, raw: '<html>bad gateway</html>' });
    const r = await weekly();
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.sent, 5, 'a 5xx is retried');
  });

  await t.test('permissive batch: the refused email fails, the others get their ids in order', async () => {
    fresh();
    // Acme's batch (1 email) as usual; Alpha's (2) with its first refused.
    fake.next({ status: 200 }, { status: 200, refuse: [0] });
    const r = await weekly();
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.failed, 1);
    assert.equal(r.json.sent, 4);
    const alpha = fake.state.calls[1].body.map((m) => m.to[0]);
    assert.deepEqual(alpha, ['a1@example.com', 'a2@example.com']);
    const rows = sends();
    const refused = rows.find((x) => x[0] === alpha[0]);
    assert.equal(refused[1], 'failed');
    assert.match(refused[3], /^refused in batch: The `to` field is missing\./);
    for (const d of fake.state.delivered) {
      assert.ok(rows.some((x) => x[0] === d.to.toLowerCase() && x[2] === d.id), `${d.to} has id ${d.id}`);
    }
  });

  await t.test('unsubscribe: GET confirms, POST (one-click) unsubscribes, the next run skips', async () => {
    const mail = fake.state.delivered.find((d) => d.to === 'b1@example.com');
    const link = mail.headers['List-Unsubscribe'].slice(1, -1);
    assert.ok(mail.text.includes(link));
    const url = new URL(link);
    const page = await request(`${stack.url}${url.pathname}${url.search}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Stop sending the weekly digest of Beta to b1@example\.com\?/);
    assert.equal(stack.sql('SELECT count(*) FROM digest_subscriptions')[0][0], '0');
    const post = await request(`${stack.url}${url.pathname}${url.search}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(post.status, 200);
    assert.deepEqual(stack.sql('SELECT workspace_id, email, subscribed FROM digest_subscriptions'), [[String(wsB), 'b1@example.com', 'f']]);
    const bad = await request(`${stack.url}${url.pathname}?token=${url.searchParams.get('token').slice(0, -2)}xx`, { method: 'POST' });
    assert.equal(bad.status, 400);
    fresh();
    const r = await weekly();
    assert.equal(r.json.sent, 4);
    assert.ok(!deliveredTo().includes('b1@example.com'));
  });

  await t.test('scope email, test send, and the admin API key', async () => {
    fresh();
    const r = await weekly({ scope: 'email', email: 'A1@example.com' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.sent, 2, 'a1 is in two workspaces');
    const key = stack.cli('api', ['create-key', String(wsA), 'k', 'admin']).stdout.trim();
    const viewer = stack.cli('api', ['create-key', String(wsA), 'v', 'viewer']).stdout.trim();
    fake.reset();
    const tr = await request(`${stack.url}/v1/digest/test`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'a2@example.com' }),
    });
    assert.equal(tr.status, 200, tr.text);
    assert.equal(fake.state.calls[0].path, '/emails');
    assert.match(fake.state.delivered[0].subject, /^\[Test\] Alpha weekly digest/);
    assert.equal(tr.json.id, fake.state.delivered[0].id);
    assert.equal((await request(`${stack.url}/v1/digest/test`, {
      method: 'POST', headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'a2@example.com' }),
    })).status, 403);
    assert.equal((await request(`${stack.url}/v1/digest/test`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'b1@example.com' }),
    })).status, 404, 'not a member of the key\'s workspace');
    // A suppressed address (it bounced) gets no test either, unless an
    // admin insists; the message says why and what to do.
    const sent = fake.state.delivered.length;
    const test2 = (body) => request(`${stack.url}/v1/digest/test`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    let sup = await test2({ to: 'bounced@example.com' });
    assert.equal(sup.status, 409, sup.text);
    assert.match(sup.json.error.message, /bounced@example\.com gets no mail from Sluice: it bounced on \d{4}-\d\d-\d\d.*override_suppression/);
    assert.equal(fake.state.delivered.length, sent, 'nothing sent');
    assert.equal((await test2({ to: 'bounced@example.com', override_suppression: 'yes' })).status, 400);
    sup = await test2({ to: 'bounced@example.com', override_suppression: true });
    assert.equal(sup.status, 200, sup.text);
    assert.equal(fake.state.delivered.length, sent + 1);
    // The test send is not counted against the period.
    assert.equal(stack.sql("SELECT count(*) FROM digest_sends WHERE recipient = 'a2@example.com'")[0][0], '0');
    cool();
    fake.reset();
    const wk = await weekly({ scope: 'all' }, { authorization: `Bearer ${key}` });
    assert.equal(wk.status, 200, wk.text);
    assert.deepEqual(deliveredTo(), ['a2@example.com'], 'an admin key runs its own workspace only');
  });

  await t.test('runs, status and cooldown are per workspace; cron is not blocked by an admin', async () => {
    fresh();
    member(wsB, 'b2@example.com');
    const kA = stack.cli('api', ['create-key', String(wsA), 'ka', 'admin']).stdout.trim();
    const kB = stack.cli('api', ['create-key', String(wsB), 'kb', 'admin']).stdout.trim();
    const as = (k) => ({ authorization: `Bearer ${k}` });
    const status = async (h) => (await request(`${stack.url}/v1/digest/status`, { headers: h })).json;
    const a = await weekly({ scope: 'all' }, as(kA));
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.sent, 2);
    assert.equal(a.json.workspaces, 1);
    const again = await weekly({ scope: 'all' }, as(kA));
    assert.equal(again.status, 429, 'Alpha\'s own cooldown');
    assert.match(again.json.error.message, /of this workspace/);
    // Beta is not blocked by Alpha's cooldown; its second recipient fails.
    fake.next({ status: 200, refuse: [1] });
    const b = await weekly({ scope: 'all' }, as(kB));
    assert.equal(b.status, 200, b.text);
    assert.equal(b.json.sent, 1);
    assert.equal(b.json.failed, 1);
    // Each admin sees its own workspace's last run, never the other's.
    const sa = await status(as(kA));
    assert.equal(sa.last_run.run_id, a.json.run_id);
    assert.equal(sa.last_run.workspace_id, Number(wsA));
    assert.equal(sa.last_run.started_by, 'admin');
    assert.equal(sa.last_run.sent, 2);
    assert.deepEqual(sa.last_run.errors, []);
    assert.doesNotMatch(JSON.stringify(sa), /b2@example\.com/);
    const sb = await status(as(kB));
    assert.equal(sb.last_run.run_id, b.json.run_id);
    assert.match(sb.last_run.errors.join('\n'), /^b2@example\.com: refused in batch/);
    // Cron's call for everyone runs (no 429) and sends only what is left.
    const c = await weekly();
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.sent, 1, 'Acme\'s owner; Alpha and Beta were done');
    assert.equal(c.json.workspaces, 3);
    assert.deepEqual(deliveredTo(), ['a1@example.com', 'a1@example.com', 'a2@example.com', 'owner@example.com']);
    const sc = await status({ 'x-cron-secret': CRON });
    assert.equal(sc.last_run.run_id, c.json.run_id);
    assert.equal(sc.last_run.workspace_id, null);
    assert.equal(sc.last_run.started_by, 'cron');
    assert.equal((await status(as(kA))).last_run.started_by, 'cron', 'cron\'s row for Alpha');
    // Row-level security: as the web role in Alpha, no other workspace's run.
    const [[mine, others]] = stack.sql(`BEGIN; SET LOCAL ROLE sluice_web;
      SELECT set_config('sluice.workspace_id', '${wsA}', true);
      SELECT count(*) FILTER (WHERE workspace_id = ${wsA}), count(*) FILTER (WHERE workspace_id IS DISTINCT FROM ${wsA})
        FROM digest_runs; ROLLBACK;`).slice(-1);
    assert.ok(Number(mine) >= 2, `Alpha's rows ${mine}`);
    assert.equal(others, '0');
    const [[all]] = stack.sql(`SELECT count(*) FROM digest_runs WHERE workspace_id IS DISTINCT FROM ${wsA}`);
    assert.ok(Number(all) > 0);
  });
  void acme;
});

test('without an API key sending fails clearly and previews still work', async (t) => {
  const stack = await startStack({
    programs: ['api', 'digest'],
    env: { SLUICE_CRON_SECRET: CRON, SLUICE_RESEND_API_KEY: '' },
  });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const [[ws]] = stack.sql("INSERT INTO workspaces (name) VALUES ('Solo') RETURNING id");
  stack.sql(`WITH u AS (INSERT INTO users (email, password_hash) VALUES ('solo@example.com', 'x') RETURNING id)
    INSERT INTO memberships (workspace_id, user_id, role) SELECT ${ws}, id, 'owner' FROM u`);
  const r = await request(`${stack.url}/v1/digest/weekly`, { method: 'POST', headers: { 'x-cron-secret': CRON } });
  assert.equal(r.status, 503);
  assert.match(r.json.error.message, /SLUICE_RESEND_API_KEY/);
  const p = await request(`${stack.url}/v1/digest/preview?email=solo@example.com`, { headers: { 'x-cron-secret': CRON } });
  assert.equal(p.status, 200, p.text);
  assert.match(p.json.text, /No numbers arrived for that week/);
  const st = await request(`${stack.url}/v1/digest/status`, { headers: { 'x-cron-secret': CRON } });
  assert.equal(st.json.sending_configured, false);
  assert.equal(st.json.last_run, null);
});
