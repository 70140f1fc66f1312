'use strict';
// Attacks with input (brief SEC2 of issue 15): secrets in the programs'
// log lines, dates and questions sent to /v1/intel/analyze, NUL in the
// keys of ingested dims, control and bidi characters in names, and the
// small holes of item 8 (a cached digest preview, another workspace's
// email events, a digest run for a stranger, what sluice_web may write).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startStack, request, ROOT } = require('./lib/stack');
const { Client, hidden } = require('./lib/browser');
const { setupOwner } = require('./lib/flows');
const { startFakeResend } = require('./lib/fake_resend');

const OWNER = 'owner@input-attack.example';
const PASSWORD = 'input attack password';
const PROGRAMS = ['api', 'pages', 'digest', 'webhooks'];

// Route patterns with a capture whose name says it carries a secret, read
// from every program's route table (a new one is covered unedited).
function secretRoutes() {
  const dir = path.join(ROOT, 'cgi-bin');
  const out = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.c'))) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(/"(\/[^"]*:(token|secret|code|state)\b[^"]*)"/g)) out.push(m[1]);
  }
  return out;
}

test('attacks with input', async (t) => {
  const fake = await startFakeResend();
  const stack = await startStack({
    programs: PROGRAMS,
    env: { SLUICE_RESEND_API_BASE: fake.url, SLUICE_RESEND_API_KEY: 're_test', SLUICE_ALLOW_LOOPBACK_HTTP: '1' },
  });
  t.after(async () => {
    await fake.close();
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const sql = (q) => stack.sql(q);
  // Item 7, first run: a workspace name with a line break is refused.
  {
    const c = new Client(stack.url);
    const page = await c.get('/setup');
    const r = await c.post('/setup', { pre: hidden(page.text, 'pre'), email: OWNER, password: PASSWORD, workspace: 'Input Co\r\nX' });
    assert.equal(r.status, 422, r.text.slice(0, 300));
    assert.match(r.text, /control characters/);
    assert.equal(sql('SELECT count(*) FROM users')[0][0], '0');
  }
  const owner = await setupOwner(stack.url, { email: OWNER, password: PASSWORD, workspace: 'Input Co' });
  const [[ws]] = sql("SELECT id FROM workspaces WHERE name = 'Input Co'");
  const key = stack.cli('api', ['create-key', ws, 'input', 'admin']).stdout.trim();
  const api = (p, body, opts = {}) => request(`${stack.url}${p}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(opts.headers || {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const csrfOf = async (c) => hidden((await c.get('/settings')).text, 'csrf');

  await t.test('item 2: no secret of a path reaches the programs\' log lines', async () => {
    const patterns = secretRoutes();
    assert.ok(patterns.includes('/invite/:token'), `secret captures read: ${patterns}`);
    // A real invitation: its link is a secret until it is used.
    const r = await owner.post('/settings/invite', { csrf: await csrfOf(owner), email: 'joiner@input-attack.example', role: 'viewer' });
    assert.equal(r.status, 200);
    const real = r.text.match(/\/invite\/([A-Za-z0-9_-]{43})/)[1];
    const markers = [real];
    for (const p of patterns) {
      const marker = `SeCrEt${markers.length}x`.padEnd(43, 'q');
      markers.push(marker);
      for (const value of [marker, real]) {
        const url = p.replace(/:(token|secret|code|state)\b/g, value).replace(/:[a-z_]+/g, 'x');
        for (const [method, suffix] of [['GET', ''], ['POST', ''], ['PUT', ''], ['GET', '/more'], ['GET', '?q=1']]) {
          const res = await owner.req(method, url + suffix, method === 'POST' ? { form: {} } : {});
          assert.ok(res.status < 500, `${method} ${url}${suffix}: ${res.status}`);
        }
      }
    }
    // The requests were logged, with the secret left out.
    const logs = PROGRAMS.map((p) => stack.log(p)).join('\n');
    assert.match(logs, /"path":"\/invite\/\u2026"/, 'the invitation requests are not in the log');
    for (const m of markers) assert.ok(!logs.includes(m), `a log line holds the secret ${m}`);
  });

  await t.test('an unknown parameter\'s name is quoted as valid UTF-8 and bounded', async () => {
    for (const route of ['/v1/providers', '/v1/metrics', '/v1/content', '/v1/github/user']) {
      for (const name of ['%ff%fe', 'x'.repeat(8000)]) {
        const r = await fetch(`${stack.url}${route}?${name}=1`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(r.status, 400, `${route} ${name.slice(0, 9)}`);
        const bytes = Buffer.from(await r.arrayBuffer());
        const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);	// throws on invalid UTF-8
        const msg = JSON.parse(text).error.message;
        assert.ok(Buffer.byteLength(msg) <= 1024, `${route}: a message of ${Buffer.byteLength(msg)} bytes`);
      }
    }
  });

  await t.test('item 5: /v1/intel/analyze refuses far dates, days that are not Mondays and long questions, and echoes nothing unbounded', async () => {
    const ask = (body) => api('/v1/intel/analyze', body);
    for (const [period, why] of [
      ['9999-12-27', /from 2000-01-01 to 2999-12-31/], ['1969-12-29', /from 2000-01-01 to 2999-12-31/],
      ['2026-03-04', /must be a Monday.*2026-03-04 is a Wednesday, its week starts on 2026-03-02/],
      ['2026-02-30', /not a real day/], ['2026-3-02', /YYYY-MM-DD/], ['yesterday-ish', /YYYY-MM-DD/],
    ]) {
      const r = await ask({ scope: { period } });
      assert.equal(r.status, 422, `${period}: ${r.status} ${r.text}`);
      assert.match(r.json.error.message, why, period);
    }
    // The last Monday accepted is a week not over yet: said so.
    let r = await ask({ scope: { period: '2999-12-30' } });
    assert.equal(r.status, 422, r.text);
    assert.match(r.json.error.message, /the week of 2999-12-30 ends on 3000-01-05, which is not over yet/);
    r = await ask({ scope: { period: '2026-03-02' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.period, { start: '2026-03-02', end: '2026-03-08' });
    // A question of 500 characters (not bytes) is fine; 501 is not.
    r = await ask({ question: '\u00e9'.repeat(500) });
    assert.equal(r.status, 200, r.text);
    r = await ask({ question: 'q'.repeat(501) });
    assert.equal(r.status, 422);
    assert.match(r.json.error.message, /at most 500/);
    assert.ok(r.text.length < 1000, `the refusal is ${r.text.length} bytes`);
    // An unknown provider is not repeated back.
    const big = 'x'.repeat(100000);
    r = await ask({ scope: { provider: big } });
    assert.equal(r.status, 422);
    assert.ok(!r.text.includes('xxxxxxxx') && r.text.length < 1000, `${r.text.length} bytes`);
    r = await api(`/v1/connections/${'y'.repeat(2000)}/sync`, {});
    assert.equal(r.status, 404);
    assert.ok(!r.text.includes('yyyyyyyy'), r.text.slice(0, 200));
  });

  await t.test('item 6: a NUL in a dims key is refused, naming the row and field, and nothing is stored', async () => {
    const day = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
    const row = (dims) => `{"source":"crm","metric":"nul_keys","date":"${day}","value":1,"dims":${dims}}`;
    const rows = `[${row('{"ok":"x"}')},${row('{"\\u0000":"v","a\\u0000b":"w"}')}]`;
    const r = await api('/v1/metrics/ingest', rows);
    assert.equal(r.status, 422, r.text);
    assert.ok(r.json.error.problems.some((p) => p.index === 1 && p.field === 'dims' && /NUL/.test(p.reason)), r.text);
    assert.equal(sql("SELECT count(*) FROM metric_daily WHERE metric = 'nul_keys'")[0][0], '0');
    // A backslash before u0000 is text, not a NUL: stored as sent.
    const ok = await api('/v1/metrics/ingest', `[${row('{"\\\\u0000":"\\\\u0000"}')}]`);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(sql("SELECT dims->>'\\u0000' FROM metric_daily WHERE metric = 'nul_keys'")[0][0], '\\u0000');
  });

  await t.test('item 7: names with control or bidi characters are refused; the digest subject is one plain line anyway', async () => {
    const csrf = await csrfOf(owner);
    const names = ['Line\r\nBreak', 'Esc\u001b[31m', 'Tab\there', 'Del\u007f', 'C1\u0085', 'evil\u202egnp.exe',
      'iso\u2066late\u2069', 'lre\u202a', 'lsep\u2028', 'rlm\u200fx', 'lrm\u200ex', 'alm\u061cx',
      'pay\u200bpal', '\ufeffbom'];
    const before = sql('SELECT count(*) FROM workspaces')[0][0];
    for (const name of names) {
      let r = await owner.post('/settings/workspaces', { csrf, name });
      assert.equal(r.status, 422, `workspace ${JSON.stringify(name)}: ${r.status}`);
      assert.match(r.text, /control characters/);
      r = await owner.post('/settings/keys', { csrf, name, role: 'viewer' });
      assert.equal(r.status, 422, `key ${JSON.stringify(name)}: ${r.status}`);
    }
    assert.equal(sql('SELECT count(*) FROM workspaces')[0][0], before);
    assert.equal(sql("SELECT count(*) FROM api_keys WHERE name ~ '[[:cntrl:]]'")[0][0], '0');
    // Plain names from any script still work.
    let r = await owner.post('/settings/keys', { csrf, name: 'Caf\u00e9 \u05e9\u05dc\u05d5\u05dd', role: 'viewer' });
    assert.equal(r.status, 200);
    // A name stored before the check: the subject stays one line.
    sql(`UPDATE workspaces SET name = E'Input Co\\r\\nBcc: victim@example.com\\u202e' WHERE id = ${ws}`);
    r = await api(`/v1/digest/preview?email=${encodeURIComponent(OWNER)}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(!/[\r\n\u202e]/.test(r.json.subject), JSON.stringify(r.json.subject));
    assert.match(r.json.subject, /^Input CoBcc: victim@example.com weekly digest: /);
    sql(`UPDATE workspaces SET name = 'Input Co' WHERE id = ${ws}`);
  });

  await t.test('item 8: every page of a session is no-store, the digest preview too', async () => {
    for (const p of ['/dashboard', '/connections', '/settings', '/digest/preview']) {
      const r = await owner.get(p);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers.get('cache-control'), 'no-store', p);
    }
  });

  await t.test('item 8: the email-events summary counts the mail this workspace sent, not mail of another workspace to a shared member', async () => {
    // The owner also belongs to Other Co, which mailed them a digest.
    const [[other]] = sql("INSERT INTO workspaces (name) VALUES ('Other Co') RETURNING id");
    sql(`INSERT INTO memberships (workspace_id, user_id, role) SELECT ${other}, id, 'admin' FROM users WHERE email = '${OWNER}'`);
    sql(`INSERT INTO digest_sends (workspace_id, recipient, period_start, resend_id, status)
      VALUES (${other}, '${OWNER}', current_date, 'other-email-1', 'sent'), (${ws}, '${OWNER}', date '2020-01-06', 'mine-email-1', 'sent')`);
    sql(`INSERT INTO email_events (message_id, type, email_id, recipient, created_at, payload) VALUES
      ('msg_other_1', 'email.opened', 'other-email-1', '${OWNER}', now(), '{}'),
      ('msg_mine_1', 'email.delivered', 'mine-email-1', '${OWNER}', now(), '{}'),
      ('msg_loose_1', 'email.bounced', NULL, '${OWNER}', now(), '{}')`);
    const otherKey = stack.cli('api', ['create-key', other, 'other', 'admin']).stdout.trim();
    const summary = (k) => request(`${stack.url}/v1/email-events/summary`, { headers: { authorization: `Bearer ${k}` } });
    let r = await summary(key);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.counts, { 'email.delivered': 1 }, r.text);
    assert.deepEqual(r.json.latest.map((e) => e.message_id), ['msg_mine_1']);
    r = await summary(otherKey);
    assert.deepEqual(r.json.counts, { 'email.opened': 1 }, r.text);
  });

  await t.test('item 8: a digest run for an address that is not a member is 404 and uses up no cooldown', async () => {
    const weekly = (body) => api('/v1/digest/weekly', body);
    let r = await weekly({ scope: 'email', email: 'stranger@elsewhere.example' });
    assert.equal(r.status, 404, r.text);
    assert.match(r.json.error.message, /not a member of this workspace/);
    assert.equal(sql(`SELECT count(*) FROM digest_runs WHERE workspace_id = ${ws}`)[0][0], '0');
    // The cron secret, for an address of no workspace: the same.
    const secret = fs.readFileSync(path.join(stack.dir, 'secrets.env'), 'utf8').match(/^SLUICE_CRON_SECRET=(.*)$/m)[1];
    r = await request(`${stack.url}/v1/digest/weekly`, {
      method: 'POST', headers: { 'x-cron-secret': secret, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'email', email: 'stranger@elsewhere.example' }),
    });
    assert.equal(r.status, 404, r.text);
    assert.equal(sql('SELECT count(*) FROM digest_runs')[0][0], '0');
    // A member right after: sent, not held up by a cooldown.
    r = await weekly({ scope: 'email', email: OWNER });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.sent, 1);
  });
});
