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
async function login(c, email, password, { next, headers = {}, timeout } = {}) {
  const page = await c.get('/login', { headers, timeout });
  const form = { pre: hidden(page.text, 'pre'), email, password };
  if (next !== undefined) form.next = next;
  return c.post('/login', form, { headers, timeout });
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
      // 50 password checks at once: a loaded machine (a sanitizer build
      // beside other suites) takes longer than a request's usual 10 s.
      return login(c, `spray${i}@example.com`, 'Winter2026!', { headers: { 'x-forwarded-for': `203.0.113.9, ${bad}` }, timeout: 60000 });
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

  await t.test('SEC2 item 4: a pre-session token someone planted does not log in (signed, expiring, same-site)', async () => {
    const fs = require('node:fs');
    const path = require('node:path');
    const keys = fs.readFileSync(path.join(stack.dir, 'secrets.env'), 'utf8').match(/^SLUICE_ENCRYPTION_KEYS=(.*)$/m)[1];
    // The server's key, as lib/web/session.c derives it (only to forge tokens
    // that differ from a real one in one property each).
    const k = crypto.createHmac('sha256', keys.split(',')[0].trim()).update('sluice-pre-session-v1').digest();
    const sign = (exp, nonce = crypto.randomBytes(16).toString('base64url')) => {
      const head = `${String(exp).padStart(10, '0')}.${nonce}`;
      return `${head}.${crypto.createHmac('sha256', k).update(head).digest('base64url')}`;
    };
    const now = Math.floor(Date.now() / 1000);
    // Another first character of the mac: it carries six whole bits (the
    // last one's low bits are padding base64url may ignore).
    const wrongMac = (tok) => {
      const at = tok.lastIndexOf('.') + 1;
      return tok.slice(0, at) + (tok[at] === 'A' ? 'B' : 'A') + tok.slice(at + 1);
    };
    const attempt = (pre, headers = {}) => request(`${stack.url}/login`, {
      method: 'POST',
      headers: { cookie: `sluice_pre=${pre}`, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ pre, email: OWNER, password: OWNER_PW }).toString(),
    });
    const planted = [
      token(),							// any 43 characters (was a login)
      wrongMac(sign(now + 600)),				// a wrong mac
      `${String(now + 600).padStart(10, '0')}.${'A'.repeat(22)}.${'B'.repeat(43)}`,
      sign(now - 1),						// expired
      sign(now + 7200),						// valid for longer than any the server makes
    ];
    for (const pre of planted) {
      const r = await attempt(pre);
      assert.equal(r.status, 403, `pre=${pre}: ${r.status}`);
      assert.ok(!sessionSet(r), `pre=${pre} set a session cookie`);
    }
    // The same shape, signed as the server signs: accepted, so the cases
    // above fail for the property each breaks.
    let r = await attempt(sign(now + 600));
    assert.equal(r.status, 303, 'a token signed as the server signs');
    // A token the server gave, posted from another site: refused.
    for (const [site, status] of [['cross-site', 403], ['same-site', 403], ['same-origin', 303]]) {
      const c = new Client(stack.url);
      const page = await c.get('/login');
      r = await c.post('/login', { pre: hidden(page.text, 'pre'), email: OWNER, password: OWNER_PW }, { headers: { 'sec-fetch-site': site } });
      assert.equal(r.status, status, `Sec-Fetch-Site: ${site}`);
    }
  });

  await t.test('SEC2 item 3: the sandbox redirects only to a registered callback, for its own client, from its own consent form', async () => {
    const client = 'sluice-sandbox-client';
    const evil = 'https://evil.example/cb';
    const authorize = {
      google: ['/sandbox/google-accounts/o/oauth2/v2/auth', 'ga4', 401, 400],
      meta: ['/sandbox/facebook/v27.0/dialog/oauth', 'instagram', 400, 400],
      linkedin: ['/sandbox/linkedin-www/oauth/v2/authorization', 'linkedin', 400, 400],
      mailchimp: ['/sandbox/mailchimp-login/oauth2/authorize', 'mailchimp', 400, 400],
      slack: ['/sandbox/slack/oauth/v2/authorize', 'slack', 400, 400],
      github: ['/sandbox/github/login/oauth/authorize', 'github', 404, 302],
    };
    const leavesSite = (r) => r.headers.get('location') !== null && new URL(r.headers.get('location'), stack.url).origin !== origin;
    for (const [family, [p, slug, badClient, badRedirect]] of Object.entries(authorize)) {
      const mine = `${stack.url}/oauth/${slug}/callback`;
      const get = (q) => request(`${stack.url}${p}?${new URLSearchParams({ state: 'st', scope: 'x', ...q })}`);
      let r = await get({ client_id: client, redirect_uri: mine });
      assert.equal(r.status, 200, `${family}: the registered callback`);
      r = await get({ client_id: 'someone-else', redirect_uri: mine });
      assert.equal(r.status, badClient, `${family}: an unknown client`);
      for (const bad of [evil, `${stack.url}/oauth/${slug}/callback/x`, `${stack.url}/login`, `${mine}?next=//evil.example`]) {
        r = await get({ client_id: client, redirect_uri: bad });
        assert.equal(r.status, badRedirect, `${family}: redirect_uri ${bad}`);
        assert.ok(!leavesSite(r), `${family}: sent to ${r.headers.get('location')}`);
        if (r.status === 302) {
          // GitHub's own answer: the registered callback, with the error.
          const loc = new URL(r.headers.get('location'));
          assert.equal(`${loc.origin}${loc.pathname}`, mine);
          assert.equal(loc.searchParams.get('error'), 'redirect_uri_mismatch');
          assert.equal(loc.searchParams.get('state'), 'st');
        }
      }
      // The consent post: without the page's signature, with a field
      // changed after signing, posted from another site, or aimed at
      // another redirect, it sends nobody anywhere.
      const page = await get({ client_id: client, redirect_uri: mine });
      const fields = Object.fromEntries(formFields(page.text));
      assert.ok(fields.sig, `${family}: the consent form has no signature`);
      const post = (form, headers = {}) => request(`${stack.url}/sandbox/consent`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ decision: 'allow', ...form }).toString(),
      });
      for (const [why, form, headers] of [
        ['no signature', { provider: family, client_id: client, redirect_uri: evil, state: 'st' }],
        ['no signature, registered redirect', { provider: family, client_id: client, redirect_uri: mine, state: 'st' }],
        ['redirect changed', { ...fields, redirect_uri: evil }],
        ['state changed', { ...fields, state: 'other' }],
        ['client changed', { ...fields, client_id: 'someone-else' }],
        ['signature of another time', { ...fields, sig: fields.sig.replace(/^\d+/, (x) => String(Number(x) - 1)) }],
        ['cross-site', fields, { 'sec-fetch-site': 'cross-site' }],
      ]) {
        r = await post(form, headers);
        assert.ok(r.status >= 400 && r.status < 500, `${family}, ${why}: ${r.status}`);
        assert.equal(r.headers.get('location'), null, `${family}, ${why}: ${r.headers.get('location')}`);
      }
      for (const decision of ['allow', 'deny']) {
        r = await post({ ...fields, decision });
        assert.equal(r.status, 302, `${family} ${decision}: ${r.status} ${r.text.slice(0, 200)}`);
        assert.ok(r.headers.get('location').startsWith(`${mine}?`), r.headers.get('location'));
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

// Brief SEC2, item 1: access can be taken away.  Members removed (their
// sessions here end, their keys here are revoked) and their roles
// changed, by the rules (an admin never touches an owner, a workspace
// keeps an owner); pending invitations listed and revoked; a person's
// own password changed (the current one required and throttled, other
// sessions ended).
test('SEC2 item 1: members, roles, invitations and passwords can be changed', async (t) => {
  const stack = await startStack({ programs: ['api', 'pages'] });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const sql = (q) => stack.sql(q);
  const owner = await setupOwner(stack.url, { email: OWNER, password: OWNER_PW, workspace: 'Acme' });
  const [[acme]] = sql("SELECT id FROM workspaces WHERE name = 'Acme'");
  const [[ownerId]] = sql(`SELECT id FROM users WHERE email = '${OWNER}'`);
  const csrfOf = async (c) => hidden((await c.get('/settings')).text, 'csrf');
  const userId = (email) => sql(`SELECT id FROM users WHERE email = '${email}'`)[0][0];
  const roleOf = (email) => (sql(`SELECT role FROM memberships m JOIN users u ON u.id = m.user_id
    WHERE m.workspace_id = ${acme} AND u.email = '${email}'`)[0] || [null])[0];
  // An invitation accepted by a new account; returns its logged-in client.
  const join = async (email, role, password = `${email} password`) => {
    const r = await owner.post('/settings/invite', { csrf: await csrfOf(owner), email, role });
    assert.equal(r.status, 200, r.text.slice(0, 200));
    const tok = r.text.match(/\/invite\/([A-Za-z0-9_-]{43})/)[1];
    const c = new Client(stack.url);
    const page = await c.get(`/invite/${tok}`);
    const j = await c.post(`/invite/${tok}`, { pre: hidden(page.text, 'pre'), password });
    assert.equal(j.status, 303, j.text.slice(0, 200));
    return c;
  };
  const ADMIN = 'admin@example.com';
  const VIEWER = 'viewer@example.com';
  const admin = await join(ADMIN, 'admin');
  const viewer = await join(VIEWER, 'viewer');

  await t.test('an admin removes a member: their sessions here end, their keys here are revoked, nothing else of theirs', async () => {
    const LEAVER = 'leaver@example.com';
    const leaver = await join(LEAVER, 'admin');
    const id = userId(LEAVER);
    // A key the leaver made here, a second session here, and one in a
    // workspace of their own.
    let r = await leaver.post('/settings/keys', { csrf: await csrfOf(leaver), name: 'leaver script', role: 'admin' });
    assert.equal(r.status, 200);
    const key = r.text.match(/slk_[A-Za-z0-9_-]+/)[0];
    assert.equal((await request(`${stack.url}/v1/connections`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
    const here2 = new Client(stack.url);
    assert.equal((await login(here2, LEAVER, `${LEAVER} password`)).status, 303);
    const elsewhere = new Client(stack.url);
    assert.equal((await login(elsewhere, LEAVER, `${LEAVER} password`)).status, 303);
    r = await elsewhere.post('/settings/workspaces', { csrf: await csrfOf(elsewhere), name: 'Leaver Own' });
    assert.equal(r.status, 303);
    // A key of another member stays.
    r = await admin.post('/settings/keys', { csrf: await csrfOf(admin), name: 'admin script', role: 'admin' });
    const adminKey = r.text.match(/slk_[A-Za-z0-9_-]+/)[0];

    const page = await admin.get('/settings');
    assert.match(page.text, new RegExp(`action="/settings/members/${id}/remove"`));
    r = await admin.post(`/settings/members/${id}/remove`, { csrf: hidden(page.text, 'csrf') });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(r.headers.get('location'), '/settings?msg=member_removed');
    assert.equal(roleOf(LEAVER), null);
    for (const c of [leaver, here2]) assert.equal((await c.get('/settings')).status, 303, 'a session in Acme lives on');
    assert.equal((await elsewhere.get('/settings')).status, 200, 'the session in their own workspace ended');
    assert.equal((await request(`${stack.url}/v1/connections`, { headers: { authorization: `Bearer ${key}` } })).status, 401);
    assert.equal((await request(`${stack.url}/v1/connections`, { headers: { authorization: `Bearer ${adminKey}` } })).status, 200);
    assert.equal(sql(`SELECT count(*) FROM sessions WHERE user_id = ${id} AND workspace_id = ${acme}`)[0][0], '0');
    // They cannot come back into Acme by switching.
    r = await elsewhere.post('/workspace/switch', { csrf: await csrfOf(elsewhere), workspace: acme });
    assert.equal(r.status, 403);
    // Not a member (any more, or at all): 404, nothing changes.
    r = await admin.post(`/settings/members/${id}/remove`, { csrf: hidden(page.text, 'csrf') });
    assert.equal(r.status, 404);
    r = await admin.post('/settings/members/9999999/role', { csrf: hidden(page.text, 'csrf'), role: 'viewer' });
    assert.equal(r.status, 404);
  });

  await t.test('an admin cannot remove or demote an owner; nobody removes or demotes the last owner', async () => {
    const csrf = await csrfOf(admin);
    let r = await admin.post(`/settings/members/${ownerId}/remove`, { csrf });
    assert.equal(r.status, 403, r.text.slice(0, 200));
    assert.match(r.text, /Only an owner/);
    r = await admin.post(`/settings/members/${ownerId}/role`, { csrf, role: 'viewer' });
    assert.equal(r.status, 403);
    assert.equal(roleOf(OWNER), 'owner');
    // The admin's page offers no control on the owner.
    assert.ok(!(await admin.get('/settings')).text.includes(`/settings/members/${ownerId}/`));
    // The only owner, by themselves.
    const oc = await csrfOf(owner);
    r = await owner.post(`/settings/members/${ownerId}/remove`, { csrf: oc });
    assert.equal(r.status, 409);
    assert.match(r.text, /only owner/);
    r = await owner.post(`/settings/members/${ownerId}/role`, { csrf: oc, role: 'admin' });
    assert.equal(r.status, 409);
    assert.equal(roleOf(OWNER), 'owner');
    // With a second owner, an owner may demote and remove an owner.
    const SECOND = 'second-owner@example.com';
    const second = await join(SECOND, 'admin');
    sql(`UPDATE memberships SET role = 'owner' WHERE user_id = ${userId(SECOND)}`);
    r = await owner.post(`/settings/members/${userId(SECOND)}/role`, { csrf: oc, role: 'viewer' });
    assert.equal(r.status, 303);
    assert.equal(roleOf(SECOND), 'viewer');
    sql(`UPDATE memberships SET role = 'owner' WHERE user_id = ${userId(SECOND)}`);
    // Two owners removing each other at once: one stays.
    const sc = await csrfOf(second);
    const both = await Promise.all([
      owner.post(`/settings/members/${userId(SECOND)}/remove`, { csrf: oc }),
      second.post(`/settings/members/${ownerId}/remove`, { csrf: sc }),
    ]);
    // The loser finds the only owner left (409), or its session already
    // ended with its membership (401).
    const st = both.map((x) => x.status).sort();
    assert.ok(st[0] === 303 && [401, 409].includes(st[1]), st.join(' '));
    assert.equal(sql(`SELECT count(*) FROM memberships WHERE workspace_id = ${acme} AND role = 'owner'`)[0][0], '1');
    if (roleOf(OWNER) === null) {
      // The second owner won: put things back for the next tests.
      sql(`INSERT INTO memberships (workspace_id, user_id, role) VALUES (${acme}, ${ownerId}, 'owner')`);
      sql(`DELETE FROM memberships WHERE workspace_id = ${acme} AND user_id = ${userId(SECOND)}`);
      assert.equal((await login(owner, OWNER, OWNER_PW)).status, 303);
    }
  });

  await t.test('roles change: admin to viewer (their admin keys here revoked) and back; a bad role is 422', async () => {
    const id = userId(ADMIN);
    const csrf = await csrfOf(owner);
    let r = await admin.post('/settings/keys', { csrf: await csrfOf(admin), name: 'to revoke', role: 'admin' });
    const adminKey = r.text.match(/slk_[A-Za-z0-9_-]+/)[0];
    r = await admin.post('/settings/keys', { csrf: await csrfOf(admin), name: 'to keep', role: 'viewer' });
    const viewerKey = r.text.match(/slk_[A-Za-z0-9_-]+/)[0];
    r = await owner.post(`/settings/members/${id}/role`, { csrf, role: 'owner' });
    assert.equal(r.status, 422);
    r = await owner.post(`/settings/members/${id}/role`, { csrf, role: 'viewer' });
    assert.equal(r.status, 303);
    assert.equal(roleOf(ADMIN), 'viewer');
    const probe = (k) => request(`${stack.url}/v1/connections`, { headers: { authorization: `Bearer ${k}` } });
    assert.equal((await probe(adminKey)).status, 401);
    assert.equal((await probe(viewerKey)).status, 200);
    // At once a viewer: its session is refused what admins do.
    r = await admin.post('/settings/invite', { csrf: await csrfOf(admin), email: 'x@example.com', role: 'viewer' });
    assert.equal(r.status, 403);
    r = await owner.post(`/settings/members/${id}/role`, { csrf, role: 'admin' });
    assert.equal(r.status, 303);
    assert.equal(roleOf(ADMIN), 'admin');
  });

  await t.test('pending invitations: listed with who invited and when they expire, and revoked', async () => {
    let r = await admin.post('/settings/invite', { csrf: await csrfOf(admin), email: 'pending@example.com', role: 'viewer' });
    const tok = r.text.match(/\/invite\/([A-Za-z0-9_-]{43})/)[1];
    const [[id]] = sql("SELECT id FROM invites WHERE email = 'pending@example.com'");
    const page = await owner.get('/settings');
    const row = page.text.slice(page.text.indexOf('Pending invitations'));
    assert.match(row, /pending@example\.com<\/td><td>viewer<\/td><td>admin@example\.com<\/td><td>\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/td>/);
    assert.ok(!/leaver@example.com<\/td><td>/.test(row.slice(0, row.indexOf('</table>'))), 'used invitations are not pending');
    // A viewer sees no invitations.
    assert.ok(!(await viewer.get('/settings')).text.includes('pending@example.com'));
    r = await owner.post(`/settings/invites/${id}/revoke`, { csrf: hidden(page.text, 'csrf'), confirm: '1' });
    assert.equal(r.status, 303);
    assert.equal((await new Client(stack.url).get(`/invite/${tok}`)).status, 404);
    r = await owner.post(`/settings/invites/${id}/revoke`, { csrf: hidden(page.text, 'csrf'), confirm: '1' });
    assert.equal(r.status, 404);
    // An invitation of another workspace is not found from Acme.
    const [[other]] = sql("INSERT INTO workspaces (name) VALUES ('Other') RETURNING id");
    const [[otherInvite]] = sql(`INSERT INTO invites (token_hash, workspace_id, email, role, expires_at)
      VALUES (decode('${crypto.createHash('sha256').update('x').digest('hex')}', 'hex'), ${other}, 'o@example.com', 'admin', now() + interval '1 day') RETURNING id`);
    r = await owner.post(`/settings/invites/${otherInvite}/revoke`, { csrf: hidden(page.text, 'csrf'), confirm: '1' });
    assert.equal(r.status, 404);
    assert.equal(sql(`SELECT count(*) FROM invites WHERE id = ${otherInvite}`)[0][0], '1');
  });

  await t.test('a removed admin\'s pending invitations go with them; a removed person comes back only through a new invitation', async () => {
    const GONE = 'gone@example.com';
    const gone = await join(GONE, 'admin');
    const goneId = userId(GONE);
    // Before leaving, the admin invites a second address of their own.
    let r = await gone.post('/settings/invite', { csrf: await csrfOf(gone), email: 'gone-alt@example.com', role: 'admin' });
    assert.equal(r.status, 200);
    const altTok = r.text.match(/\/invite\/([A-Za-z0-9_-]{43})/)[1];
    const page = await owner.get('/settings');
    r = await owner.post(`/settings/members/${goneId}/remove`, { csrf: hidden(page.text, 'csrf') });
    assert.equal(r.status, 303);
    assert.equal((await new Client(stack.url).get(`/invite/${altTok}`)).status, 404, 'the removed admin\'s invitation still works');
    assert.equal(sql("SELECT count(*) FROM invites WHERE email = 'gone-alt@example.com'")[0][0], '0');
    // Their right password now says plainly why there is nothing to open.
    const c = new Client(stack.url);
    r = await login(c, GONE, `${GONE} password`);
    assert.equal(r.status, 403);
    assert.match(r.text, /not a member of any workspace now/);
    assert.ok(!sessionSet(r), 'a session without a workspace');
    // Invited again, they log in from the invitation and are back.
    r = await owner.post('/settings/invite', { csrf: await csrfOf(owner), email: GONE, role: 'viewer' });
    const tok = r.text.match(/\/invite\/([A-Za-z0-9_-]{43})/)[1];
    const back = new Client(stack.url);
    const inv = await back.get(`/invite/${tok}`);
    assert.match(inv.text, /\/login\?next=\/invite\//);
    const lp = await back.get(`/login?next=/invite/${tok}`);
    r = await back.post('/login', { pre: hidden(lp.text, 'pre'), email: GONE, password: `${GONE} password`, next: `/invite/${tok}` });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(roleOf(GONE), 'viewer');
    assert.equal((await back.get('/settings')).status, 200);
    // A wrong password through the same door gives nothing.
    const bad = new Client(stack.url);
    const lp2 = await bad.get('/login');
    r = await bad.post('/login', { pre: hidden(lp2.text, 'pre'), email: GONE, password: 'not the password', next: `/invite/${tok}` });
    assert.equal(r.status, 401);
  });

  await t.test('a viewer may change nothing of the members', async () => {
    const csrf = await csrfOf(viewer);
    for (const [p, form] of [[`/settings/members/${userId(ADMIN)}/remove`, {}], [`/settings/members/${userId(ADMIN)}/role`, { role: 'viewer' }],
      ['/settings/invites/1/revoke', {}]]) {
      const r = await viewer.post(p, { csrf, ...form });
      assert.equal(r.status, 403, p);
    }
    assert.equal(roleOf(ADMIN), 'admin');
    assert.ok(!(await viewer.get('/settings')).text.includes('/settings/members/'));
  });

  await t.test('anyone changes their own password: the current one is needed, their other sessions end', async () => {
    const VPW = `${VIEWER} password`;
    const NEW = 'a brand new viewer password';
    const other = new Client(stack.url);
    assert.equal((await login(other, VIEWER, VPW)).status, 303);
    const page = await viewer.get('/settings/password');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const csrf = hidden(page.text, 'csrf');
    const change = (form, c = viewer) => c.post('/settings/password', { csrf, current_password: VPW, new_password: NEW, new_password_again: NEW, ...form });
    const hash = () => sql(`SELECT md5(password_hash) FROM users WHERE email = '${VIEWER}'`)[0][0];
    const before = hash();
    for (const [form, status] of [
      [{ current_password: 'not my password' }, 403], [{ new_password_again: 'something else entirely' }, 422],
      [{ new_password: 'short', new_password_again: 'short' }, 422], [{ csrf: 'forged' }, 403],
      [{ current_password: null }, 422],
    ]) {
      const f = { csrf, current_password: VPW, new_password: NEW, new_password_again: NEW, ...form };
      const r = await viewer.post('/settings/password', Object.fromEntries(Object.entries(f).filter(([, v]) => v !== null)));
      assert.equal(r.status, status, JSON.stringify(form));
      assert.equal(hash(), before, JSON.stringify(form));
    }
    // Without a session: refused.
    let r = await change({}, new Client(stack.url));
    assert.equal(r.status, 401);
    r = await change({});
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(r.headers.get('location'), '/settings?msg=password');
    assert.notEqual(hash(), before);
    assert.equal((await viewer.get('/settings')).status, 200, 'the session that changed it ended');
    assert.equal((await other.get('/settings')).status, 303, 'another session of the same person lives on');
    assert.equal((await login(new Client(stack.url), VIEWER, VPW)).status, 401);
    assert.equal((await login(new Client(stack.url), VIEWER, NEW)).status, 303);
  });

  await t.test('the current password is guessed no faster than a login', async () => {
    const c = new Client(stack.url);
    assert.equal((await login(c, ADMIN, `${ADMIN} password`)).status, 303);
    const csrf = await csrfOf(c);
    const statuses = [];
    for (let i = 0; i < ACCOUNT_LIMIT + 1; i++) {
      const r = await c.post('/settings/password', { csrf, current_password: `guess ${i}`, new_password: 'whatever it is now', new_password_again: 'whatever it is now' });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [...Array(ACCOUNT_LIMIT).fill(403), 429]);
  });
});
