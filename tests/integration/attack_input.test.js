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
});
