'use strict';
// Attacks on authentication and the pages (issue 15, items 3-6 and 9):
// password guessing through invitations, open redirects after login
// (every Location resolved by node's WHATWG URL parser), the login
// throttle (per account, per client address behind a trusted proxy,
// under concurrency), switching workspaces, an OAuth flow finished in
// another workspace than it started in, HSTS, and what an OAuth
// callback's ?error= may put on the page.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startStack, request } = require('./lib/stack');
const { Client, hidden } = require('./lib/browser');
const { setupOwner, formFields } = require('./lib/flows');

const OWNER = 'owner@example.com';
const OWNER_PW = 'correct horse battery';
const VICTIM = 'victim@example.com';
const VICTIM_PW = 'victim staple 2026';
const ACCOUNT_LIMIT = 10;	// LIMIT_LOGIN_ACCOUNT in lib/base/limit.h
const ADDR_LIMIT = 50;		// LIMIT_LOGIN_ADDR

const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');
const token = () => crypto.randomBytes(32).toString('base64url');

// One login: the form's token first, then the POST.  headers may carry
// X-Forwarded-For.
async function login(c, email, password, { next, headers = {} } = {}) {
  const page = await c.get('/login', { headers });
  const form = { pre: hidden(page.text, 'pre'), email, password };
  if (next !== undefined) form.next = next;
  return c.post('/login', form, { headers });
}

// The session cookie a response set, if any.
const sessionSet = (r) => (r.headers.getSetCookie ? r.headers.getSetCookie() : [])
  .some((c) => /^(__Host-)?sluice=[^;]+/.test(c) && !/Max-Age=0/i.test(c));

test('attacks on authentication and pages', async (t) => {
  const stack = await startStack({
    programs: ['api', 'pages', 'oauth', 'sandbox'],
    env: { SLUICE_TRUSTED_PROXIES: '127.0.0.1', SLUICE_FCGI_PROCS_PAGES: '6' },
  });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const sql = (q) => stack.sql(q);
  const origin = new URL(stack.url).origin;
  const owner = await setupOwner(stack.url, { email: OWNER, password: OWNER_PW, workspace: 'Acme' });
  const acme = sql("SELECT id FROM workspaces WHERE name = 'Acme'")[0][0];

  // The victim has an account of their own (another workspace), made
  // through an invitation as a new user.
  const [[victimWs]] = sql("INSERT INTO workspaces (name) VALUES ('Victim Co') RETURNING id");
  const vtok = token();
  sql(`INSERT INTO invites (token_hash, workspace_id, email, role, expires_at)
       VALUES (decode('${sha256(vtok)}', 'hex'), ${victimWs}, '${VICTIM}', 'admin', now() + interval '1 day')`);
  {
    const v = new Client(stack.url);
    const page = await v.get(`/invite/${vtok}`);
    assert.equal(page.status, 200);
    const r = await v.post(`/invite/${vtok}`, { pre: hidden(page.text, 'pre'), password: VICTIM_PW });
    assert.equal(r.status, 303, r.text.slice(0, 300));
  }
  const victimId = sql(`SELECT id FROM users WHERE email = '${VICTIM}'`)[0][0];

  await t.test('item 3: guessing an existing account\'s password through an invitation gives nothing', async () => {
    // Any admin who knows an address invites it...
    const settings = await owner.get('/settings');
    const inv = await owner.post('/settings/invite', { csrf: hidden(settings.text, 'csrf'), email: VICTIM, role: 'viewer' });
    assert.equal(inv.status, 200);
    const link = inv.text.match(/\/invite\/([A-Za-z0-9_-]{43})/);
    assert.ok(link, 'no invitation link');
    const itok = link[1];
    const sessions = () => sql(`SELECT count(*) FROM sessions WHERE user_id = ${victimId}`)[0][0];
    const before = sessions();
    // ...and guesses, anonymously and as themselves.
    for (const who of [new Client(stack.url), owner]) {
      for (let i = 0; i <= 25; i++) {
        const page = await who.get(`/invite/${itok}`);
        const pw = i === 25 ? VICTIM_PW : `guess number ${i}`;
        const form = { pre: hidden(page.text, 'pre') || 'x', csrf: hidden(page.text, 'csrf') || 'x', password: pw };
        const r = await who.post(`/invite/${itok}`, form);
        assert.ok([401, 403].includes(r.status), `guess ${i}: ${r.status} ${r.text.slice(0, 200)}`);
        assert.ok(!sessionSet(r), `guess ${i} set a session cookie`);
      }
    }
    assert.equal(sessions(), before, 'a session was made for the victim');
    const form = await new Client(stack.url).get(`/invite/${itok}`);
    assert.ok(!/type="password"/.test(form.text), 'the invitation of an existing account asks for a password');
    assert.equal(sql(`SELECT count(*) FROM memberships WHERE user_id = ${victimId} AND workspace_id = ${acme}`)[0][0], '0');
    assert.equal(sql(`SELECT used_at IS NULL FROM invites WHERE token_hash = decode('${sha256(itok)}', 'hex')`)[0][0], 't');
    // The invitation tells a visitor to log in and come back.
    const anon = await new Client(stack.url).get(`/invite/${itok}`);
    assert.equal(anon.status, 200);
    assert.ok(anon.text.includes(`/login?next=/invite/${itok}`), 'no way to log in and come back');

    // The victim logs in (the login comes back to the invitation) and
    // accepts while logged in as themselves.
    const v = new Client(stack.url);
    const li = await login(v, VICTIM, VICTIM_PW, { next: `/invite/${itok}` });
    assert.equal(li.status, 303);
    assert.equal(li.headers.get('location'), `/invite/${itok}`);
    const page = await v.get(`/invite/${itok}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Join Acme/);
    // Without the session's CSRF token: refused.
    let r = await v.post(`/invite/${itok}`, {});
    assert.equal(r.status, 403);
    r = await v.post(`/invite/${itok}`, { csrf: hidden(page.text, 'csrf') });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(sql(`SELECT role FROM memberships WHERE user_id = ${victimId} AND workspace_id = ${acme}`)[0][0], 'viewer');
    // The session is now in the workspace just joined, and the link is used.
    const dash = await v.get('/dashboard');
    assert.match(dash.text, /class="workspace"[^>]*>Acme</);
    assert.equal((await v.get(`/invite/${itok}`)).status, 404);
  });

  await t.test('item 4: every redirect after login stays on this origin (WHATWG URL)', async () => {
    const vectors = [
      '/%09/evil.example', '/\t/evil.example', '/\t\t/evil.example', '//evil.example', '///evil.example',
      '/\\evil.example', '/\\/evil.example', '\\\\evil.example', '\\/evil.example', '/ /evil.example',
      '/\r\n/evil.example', '/\n/evil.example', '/\r/evil.example', '/\u0000/evil.example',
      '/%2F/evil.example', '/%2f%2fevil.example', '/%5C/evil.example', '/%5c%5cevil.example',
      '/%252F/evil.example', 'https:evil.example', 'https:/evil.example', 'https://evil.example',
      'http:\\\\evil.example', '//evil.example/%2e%2e', '/.//evil.example', '/x/..//evil.example',
      '/./\\evil.example', 'javascript:alert(1)', 'data:text/html,<script>alert(1)</script>',
      ' /evil', '\t//evil.example', '/\u2028//evil.example', '/\uff0f/evil.example', '/\u3002/evil',
      '/@evil.example', '/evil.example%00', '/%0d%0aSet-Cookie:x=1', '/dashboard#//evil.example',
      '/dashboard?next=//evil.example', '/connections/ga4?msg=saved',
    ];
    const v = new Client(stack.url);
    for (const next of vectors) {
      const r = await login(v, OWNER, OWNER_PW, { next });
      if (next.includes('\u0000')) {
        // A NUL in a form is refused as malformed: no redirect at all.
        assert.equal(r.status, 400);
        assert.equal(r.headers.get('location'), null);
        continue;
      }
      assert.equal(r.status, 303, `next=${JSON.stringify(next)}: ${r.status}`);
      const loc = r.headers.get('location');
      assert.equal(new URL(loc, stack.url).origin, origin, `next=${JSON.stringify(next)} → Location ${JSON.stringify(loc)}`);
      assert.ok(!/[\x00-\x20\\]/.test(loc), `Location ${JSON.stringify(loc)} has a control character or backslash`);
      // The login page repeats next in its form: it must be as safe.
      const page = await v.get(`/login?next=${encodeURIComponent(next)}`);
      const field = hidden(page.text, 'next').replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"');
      assert.equal(new URL(field, stack.url).origin, origin, `login?next=${JSON.stringify(next)} → field ${field}`);
    }
    // A plain local path is kept as it is.
    const r = await login(v, OWNER, OWNER_PW, { next: '/connections/ga4?msg=saved' });
    assert.equal(r.headers.get('location'), '/connections/ga4?msg=saved');
  });

  await t.test('item 5: ten bad passwords for one account do not lock another account out of the same address', async () => {
    // Behind a TLS proxy that is not configured, every client has the
    // proxy's address; here no X-Forwarded-For: all from 127.0.0.1.
    const a = new Client(stack.url);
    for (let i = 0; i < ACCOUNT_LIMIT; i++) {
      const r = await login(a, VICTIM, `wrong ${i}`);
      assert.equal(r.status, 401, `attempt ${i + 1}`);
    }
    const r = await login(a, VICTIM, VICTIM_PW);
    assert.equal(r.status, 429, 'the attacked account is locked for a while');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    const b = new Client(stack.url);
    const ok = await login(b, OWNER, OWNER_PW);
    assert.equal(ok.status, 303, `another account's right password: ${ok.status}`);
  });

  await t.test('item 5: the per-account limit ignores the address', async () => {
    const who = 'spread@example.com';
    for (let i = 0; i < ACCOUNT_LIMIT; i++) {
      const r = await login(new Client(stack.url), who, `wrong ${i}`, { headers: { 'x-forwarded-for': `10.9.0.${i + 1}` } });
      assert.equal(r.status, 401);
    }
    const r = await login(new Client(stack.url), who, 'wrong again', { headers: { 'x-forwarded-for': '10.9.1.1' } });
    assert.equal(r.status, 429);
  });

  await t.test('item 5: 40 concurrent wrong passwords get at most 10 password checks', async () => {
    const who = 'concurrent@example.com';
    const c = new Client(stack.url);
    const page = await c.get('/login');
    const pre = hidden(page.text, 'pre');
    const cookie = c.cookieHeader();
    const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => request(`${stack.url}/login`, {
      method: 'POST', timeout: 60000,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `10.8.${i}.1` },
      body: new URLSearchParams({ pre, email: who, password: `wrong ${i}` }).toString(),
    })));
    const checked = rs.filter((r) => r.status === 401).length;
    const refused = rs.filter((r) => r.status === 429).length;
    assert.equal(checked + refused, 40, rs.map((r) => r.status).join(' '));
    assert.equal(checked, ACCOUNT_LIMIT, `${checked} password checks against a limit of ${ACCOUNT_LIMIT}`);
  });

  await t.test('item 5: per client address behind the trusted proxy, counted from X-Forwarded-For', async () => {
    const bad = '198.51.100.7';
    const rs = await Promise.all(Array.from({ length: ADDR_LIMIT }, async (_, i) => {
      const c = new Client(stack.url);
      return login(c, `spray${i}@example.com`, 'Winter2026!', { headers: { 'x-forwarded-for': `203.0.113.9, ${bad}` } });
    }));
    assert.ok(rs.every((r) => r.status === 401), rs.map((r) => r.status).join(' '));
    let r = await login(new Client(stack.url), OWNER, OWNER_PW, { headers: { 'x-forwarded-for': bad } });
    assert.equal(r.status, 429, 'the spraying address is throttled');
    r = await login(new Client(stack.url), OWNER, OWNER_PW, { headers: { 'x-forwarded-for': '198.51.100.8' } });
    assert.equal(r.status, 303, 'another address is not');
    // A forged hop left of the real client changes nothing: the rightmost
    // address the trusted proxy did not add is the client.
    r = await login(new Client(stack.url), OWNER, OWNER_PW, { headers: { 'x-forwarded-for': `192.0.2.1, ${bad}` } });
    assert.equal(r.status, 429);
  });

  await t.test('item 5: a lockout ends with its window', async () => {
    sql('UPDATE login_throttle SET window_end = now() - interval \'1 second\'');
    const r = await login(new Client(stack.url), VICTIM, VICTIM_PW);
    assert.equal(r.status, 303);
  });

  let beta;
  await t.test('item 6: a second workspace from Settings, then switching between them', async () => {
    const s = await owner.get('/settings');
    assert.match(s.text, /action="\/settings\/workspaces"/, 'no New workspace form');
    let r = await owner.post('/settings/workspaces', { csrf: hidden(s.text, 'csrf'), name: '' });
    assert.equal(r.status, 422);
    r = await owner.post('/settings/workspaces', { csrf: 'forged', name: 'Forged' });
    assert.equal(r.status, 403);
    r = await owner.post('/settings/workspaces', { csrf: hidden(s.text, 'csrf'), name: 'Beta <b>' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    [[beta]] = sql("SELECT id FROM workspaces WHERE name = 'Beta <b>'");
    const ownerId = sql(`SELECT id FROM users WHERE email = '${OWNER}'`)[0][0];
    assert.equal(sql(`SELECT role FROM memberships WHERE workspace_id = ${beta} AND user_id = ${ownerId}`)[0][0], 'owner');
    let page = await owner.get('/settings');
    assert.match(page.text, /class="workspace"[^>]*>Beta &lt;b&gt;</);
    // Switch back to Acme: the form works (was 500).
    r = await owner.post('/workspace/switch', { csrf: hidden(page.text, 'csrf'), workspace: acme });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    page = await owner.get('/settings');
    assert.match(page.text, /class="workspace"[^>]*>Acme</);
    // Not a member: 403 and the session stays where it was.
    r = await owner.post('/workspace/switch', { csrf: hidden(page.text, 'csrf'), workspace: victimWs });
    assert.equal(r.status, 403);
    page = await owner.get('/settings');
    assert.match(page.text, /class="workspace"[^>]*>Acme</);
    r = await owner.post('/workspace/switch', { csrf: hidden(page.text, 'csrf'), workspace: 'x' });
    assert.equal(r.status, 400);
  });

  await t.test('item 6: an OAuth flow started in one workspace never stores tokens in another', async () => {
    // Start in Acme...
    const start = await owner.get('/oauth/github/start');
    assert.equal(start.status, 303);
    const authorize = new URL(start.headers.get('location'));
    const consent = await owner.get(authorize.pathname + authorize.search);
    const fields = Object.fromEntries(formFields(consent.text));
    const allowed = await owner.post('/sandbox/consent', { ...fields, decision: 'allow' });
    const cb = new URL(allowed.headers.get('location'));
    // ...switch to Beta in another tab, then the provider comes back.
    const page = await owner.get('/settings');
    const sw = await owner.post('/workspace/switch', { csrf: hidden(page.text, 'csrf'), workspace: beta });
    assert.equal(sw.status, 303);
    const r = await owner.get(cb.pathname + cb.search);
    assert.equal(sql(`SELECT count(*) FROM connections WHERE workspace_id = ${beta}`)[0][0], '0', 'tokens stored in the workspace the flow did not start in');
    if (r.status === 303) {
      assert.equal(sql(`SELECT count(*) FROM connections WHERE workspace_id = ${acme} AND provider = 'github'`)[0][0], '1');
    } else {
      assert.equal(r.status, 409, r.text.slice(0, 300));
      assert.match(r.text, /started in the workspace “Acme”/);
      assert.equal(sql("SELECT count(*) FROM connections WHERE provider = 'github'")[0][0], '0');
    }
    // The same flow finished in the workspace it started in connects.
    const again = await owner.get('/oauth/github/start');
    const a2 = new URL(again.headers.get('location'));
    const c2 = await owner.get(a2.pathname + a2.search);
    const ok = await owner.post('/sandbox/consent', { ...Object.fromEntries(formFields(c2.text)), decision: 'allow' });
    const cb2 = new URL(ok.headers.get('location'));
    const done = await owner.get(cb2.pathname + cb2.search);
    assert.equal(done.status, 303, done.text.slice(0, 300));
    assert.equal(sql(`SELECT count(*) FROM connections WHERE workspace_id = ${beta} AND provider = 'github'`)[0][0], '1');
  });

  await t.test('item 9: the OAuth callback shows our words for ?error=, never the provider\'s text', async () => {
    const cases = [
      ['access_denied', 'Call 555-0100 to verify your account', 200, /You cancelled the connection to GitHub/],
      ['server_error', 'Visit evil.example to fix this', 400, /\(error code: server_error\)/],
      ['Visit evil.example now', 'Your account is suspended', 400, /did not complete the connection/],
      ['<script>alert(1)</script>', '<b>bold claim</b>', 400, /did not complete the connection/],
      ['a'.repeat(41), 'Reset your password at evil.example', 400, /did not complete the connection/],
    ];
    for (const [error, description, status, want] of cases) {
      const q = new URLSearchParams({ state: 'A'.repeat(43), error, error_description: description });
      const r = await owner.get(`/oauth/github/callback?${q}`);
      assert.equal(r.status, status, error);
      assert.match(r.text, want);
      assert.ok(!r.text.includes(description) && !r.text.includes(description.replace(/</g, '&lt;').replace(/>/g, '&gt;')), `error_description reflected: ${description}`);
      if (!/^[a-z_]{1,40}$/.test(error)) {
        const esc = error.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
        assert.ok(!r.text.includes(error) && !r.text.includes(esc), `error reflected: ${error}`);
      }
    }
  });

  await t.test('item 9: no HSTS over a plain http base URL', async () => {
    const r = await request(`${stack.url}/login`);
    assert.equal(r.headers.get('strict-transport-security'), null);
  });
});

test('an https base URL: HSTS, and X-Forwarded-For ignored without a trusted proxy', async (t) => {
  const stack = await startStack({ programs: ['api', 'pages'], env: { SLUICE_BASE_URL: 'https://hub.example.com' } });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });

  await t.test('item 9: HSTS on pages, the API and errors', async () => {
    for (const p of ['/login', '/healthz', '/no/such/page', '/v1/connections']) {
      const r = await request(`${stack.url}${p}`);
      assert.match(r.headers.get('strict-transport-security') || '', /^max-age=\d{8,}/, p);
    }
  });

  await t.test('item 5: X-Forwarded-For does not choose the counted address', async () => {
    await setupOwner(stack.url, { email: OWNER, password: OWNER_PW });
    for (let i = 0; i < 3; i++) {
      const r = await login(new Client(stack.url), `nobody${i}@example.com`, 'wrong password', { headers: { 'x-forwarded-for': `192.0.2.${i + 1}` } });
      assert.equal(r.status, 401);
    }
    const counted = (addr) => stack.sql(`SELECT coalesce(sum(attempts), 0) FROM login_throttle
      WHERE key_hash = sha256(convert_to('addr:${addr}', 'UTF8')) AND window_end > now()`)[0][0];
    assert.equal(counted('127.0.0.1'), '3');
    assert.equal(counted('192.0.2.1'), '0');
  });
});
