'use strict';
// The authorization-code flow with PKCE against oauth2-mock-server acting
// as a real provider (start → authorize → callback → sealed tokens →
// forced expiry → refresh → rotated refresh token stored, also with two
// refreshes at once), and a token endpoint that fails in every way.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { OAuth2Server } = require('oauth2-mock-server');
const { startStack, defer, freePort, TOOLS } = require('./lib/stack');
const { setupOwner } = require('./lib/flows');
const { hidden } = require('./lib/browser');

test('OAuth against oauth2-mock-server and a failing token endpoint', async (t) => {
  const mock = new OAuth2Server();
  await mock.issuer.keys.generate('RS256');
  const mockPort = await freePort();
  await mock.start(mockPort, '127.0.0.1');
  defer(t, () => mock.stop());
  const issued = [];
  let tokenTtl = 120;	// inside the 5-minute refresh window
  mock.service.on('beforeResponse', (resp, req) => {
    if (resp.body.access_token) {
      resp.body.expires_in = tokenTtl;
      // What Google answers: the scopes granted, sign-in ones expanded.
      resp.body.scope = 'https://www.googleapis.com/auth/analytics.readonly openid https://www.googleapis.com/auth/userinfo.email';
      issued.push({ grant: req.body.grant_type, refresh: resp.body.refresh_token, pkce: 'code_verifier' in req.body });
    }
  });
  // A token endpoint whose answer the test chooses.
  let mode = 'ok';
  const fakePort = await freePort();
  const fake = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      // Who the login is (GitHub's GET /user): refused in mode whoami401.
      // The account listing (GET /user/repos): refused in mode list401,
      // failing in mode list500.
      if (mode === 'list401' && req.url.startsWith('/api/user/repos')) {
        res.writeHead(401, { 'content-type': 'application/json' }); res.end('{"message":"Bad credentials"}');
        return;
      }
      if (mode === 'list500' && req.url.startsWith('/api/user/repos')) {
        res.writeHead(500, { 'content-type': 'application/json' }); res.end('{"message":"Server Error"}');
        return;
      }
      if (req.url === '/api/user') {
        if (mode === 'whoami401') { res.writeHead(401, { 'content-type': 'application/json' }); res.end('{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}'); }
        else if (mode === 'whoami_nobody') { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"login":null}'); }
        else { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"id":4242,"login":"gh-fake"}'); }
        return;
      }
      if (mode === '500') { res.writeHead(500, { 'content-type': 'application/json' }); res.end('{"error":"server_error"}'); }
      else if (mode === '400') { res.writeHead(400, { 'content-type': 'application/json' }); res.end('{"error":"invalid_request","error_description":"bad code"}'); }
      else if (mode === 'html') { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html><body>Maintenance</body></html>'); }
      else if (mode === 'truncated') { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"access_token":"abc'); }
      else if (mode === 'slow') { setTimeout(() => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"access_token":"late"}'); }, 3000); }
      else { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"access_token":"gho_fake","scope":"read:user,public_repo"}'); }
    });
  });
  await new Promise((r) => fake.listen(fakePort, '127.0.0.1', r));
  defer(t, () => {
    const closed = new Promise((r) => fake.close(r));
    fake.closeAllConnections();
    return closed;
  });
  const base = `http://127.0.0.1:${mockPort}`;
  const stack = await startStack({
    programs: ['api', 'pages', 'oauth'],
    env: {
      SLUICE_SANDBOX: '0',
      SLUICE_ALLOW_LOOPBACK_HTTP: '1',
      SLUICE_HTTP_TIMEOUT_MS: '1500',
      SLUICE_GA4_CLIENT_ID: 'sluice-test-client',
      SLUICE_GA4_CLIENT_SECRET: 'sluice-test-secret',
      SLUICE_GA4_AUTH_URL: `${base}/authorize`,
      SLUICE_GA4_TOKEN_URL: `${base}/token`,
      SLUICE_GA4_REVOKE_URL: `${base}/revoke`,
      SLUICE_GA4_API_BASE: `${base}/no-such-api`,
      SLUICE_GA4_WHOAMI_URL: `${base}/userinfo`,
      SLUICE_GITHUB_CLIENT_ID: 'gh-client',
      SLUICE_GITHUB_CLIENT_SECRET: 'gh-secret',
      SLUICE_GITHUB_AUTH_URL: `http://127.0.0.1:${fakePort}/authorize`,
      SLUICE_GITHUB_TOKEN_URL: `http://127.0.0.1:${fakePort}/token`,
      SLUICE_GITHUB_API_BASE: `http://127.0.0.1:${fakePort}/api`,
      SLUICE_GITHUB_WHOAMI_URL: `http://127.0.0.1:${fakePort}/api/user`,
    },
  });
  defer(t, () => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const keys = fs.readFileSync(path.join(stack.dir, 'secrets.env'), 'utf8').match(/^SLUICE_ENCRYPTION_KEYS=(.*)$/m)[1];
  const opened = () => {
    const [[id, ws, blob]] = stack.sql("SELECT id, workspace_id, token_blob FROM connections WHERE provider = 'ga4'");
    const r = spawnSync(path.join(TOOLS, 'vault_tool'), ['open', ws, 'ga4', id, blob], { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: keys } });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const b = await setupOwner(stack.url);

  await t.test('start → authorize → callback → sealed tokens', async () => {
    const start = await b.get('/oauth/ga4/start');
    assert.equal(start.status, 303);
    const auth = new URL(start.headers.get('location'));
    assert.equal(auth.origin, base);
    assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(auth.searchParams.get('access_type'), 'offline');
    const back = await fetch(auth, { redirect: 'manual' });
    assert.equal(back.status, 302);
    const cb = new URL(back.headers.get('location'));
    assert.equal(cb.pathname, '/oauth/ga4/callback');
    const r = await b.get(cb.pathname + cb.search);
    assert.equal(r.status, 303);
    assert.equal(issued.length, 1);
    assert.equal(issued[0].grant, 'authorization_code');
    assert.ok(issued[0].pkce, 'no code_verifier at the token endpoint');
    const tokens = opened();
    assert.equal(tokens.refresh_token, issued[0].refresh);
    assert.ok(tokens.expires_at > Date.now() / 1000);
    const [[status, error, owner]] = stack.sql("SELECT status, coalesce(last_error, ''), external_owner FROM connections WHERE provider = 'ga4'");
    assert.equal(status, 'connected');
    assert.equal(owner, 'johndoe', 'the login is the userinfo answer\'s sub');
    assert.match(error, /listing accounts failed/);
  });

  await t.test('forced expiry → refresh → the rotated refresh token is stored', async () => {
    const before = opened();
    const csrf = hidden((await b.get('/connections/ga4')).text, 'csrf');
    await b.post('/connections/ga4/test', { csrf });
    assert.equal(issued.at(-1).grant, 'refresh_token');
    const after = opened();
    // (The mock's JWTs can repeat within one second; the refresh token
    // is a fresh UUID every time.)
    assert.ok(after.expires_at >= before.expires_at);
    assert.ok(after.refresh_token !== before.refresh_token, 'the refresh token was not rotated');
    assert.equal(after.refresh_token, issued.at(-1).refresh);
  });

  await t.test('two refreshes at once lose no rotated token', async () => {
    const csrf = hidden((await b.get('/connections/ga4')).text, 'csrf');
    const n0 = issued.length;
    await Promise.all([b.post('/connections/ga4/test', { csrf }), b.post('/connections/ga4/test', { csrf })]);
    assert.ok(issued.length > n0);
    // Whatever ran, the stored refresh token is the last one issued.
    assert.equal(opened().refresh_token, issued.at(-1).refresh);
  });

  await t.test('a token endpoint that fails ends on a clear page and stores nothing', async () => {
    for (const [m, status, words] of [
      ['500', 502, /failed \(HTTP 500\)/],
      ['400', 502, /refused the sign-in \(invalid_request: bad code\)/],
      ['html', 502, /not a token/],
      ['truncated', 502, /not a token/],
      ['slow', 502, /did not answer within 1500 ms/],
    ]) {
      mode = m;
      const start = await b.get('/oauth/github/start');
      const state = new URL(start.headers.get('location')).searchParams.get('state');
      const r = await b.get(`/oauth/github/callback?state=${state}&code=abc`);
      assert.equal(r.status, status, `${m}: ${r.status}`);
      assert.ok(words.test(r.text), `${m}: the page lacks its reason`);
      assert.ok(/nothing was changed/.test(r.text), `${m}: the page does not say nothing changed`);
      assert.equal(stack.sql("SELECT count(*) FROM connections WHERE provider = 'github'")[0][0], '0', m);
    }
    mode = 'ok';
  });

  await t.test('an identity call that fails stores nothing, also on a reconnect: the connection keeps its sign-in', async () => {
    const connect = async (m) => {
      mode = m;
      const start = await b.get('/oauth/github/start');
      const state = new URL(start.headers.get('location')).searchParams.get('state');
      return b.get(`/oauth/github/callback?state=${state}&code=abc`);
    };
    const rows = () => stack.sql("SELECT id, external_owner, status, md5(token_blob) FROM connections WHERE provider = 'github' ORDER BY id");
    const fails = [['whoami401', /refused the new token when asked who the login is \(HTTP 401: Bad credentials\)/],
      ['whoami_nobody', /did not say who the login is/]];
    for (const [m, why] of fails) {
      const r = await connect(m);
      assert.equal(r.status, 502, `${m}: ${r.text.slice(0, 300)}`);
      assert.match(r.text, why, m);
      assert.match(r.text, /asking GitHub which login this is failed/, m);
      assert.match(r.text, /nothing was changed/, m);
      assert.deepEqual(rows(), [], `${m}: no unnamed connection`);
    }
    // A named connection, then a reconnect whose identity call fails:
    // the same row, its token untouched, no second (unnamed) one.
    const ok = await connect('ok');
    assert.equal(ok.status, 303);
    const before = rows();
    assert.equal(before.length, 1);
    assert.equal(before[0][1], '4242');
    for (const [m] of fails) {
      const r = await connect(m);
      assert.equal(r.status, 502, m);
      assert.deepEqual(rows(), before, `${m}: the reconnected connection is as it was`);
    }
    // Named, but the provider refuses the new token when asked for the
    // accounts (401): stored, it would replace a token that works.
    const refused = await connect('list401');
    assert.equal(refused.status, 502, refused.text.slice(0, 300));
    assert.match(refused.text, /GitHub refused the new sign-in when Sluice asked for its accounts/);
    assert.match(refused.text, /keep the sign-in they had/);
    assert.deepEqual(rows(), before, 'list401: the reconnected connection is as it was');
    // Named, its listing failing otherwise (500) on a reconnect: nothing
    // stored either — the sign-in it would replace may well work.
    let r = await connect('list500');
    assert.equal(r.status, 502, r.text.slice(0, 300));
    assert.match(r.text, /Listing the accounts with the new sign-in failed: [^<]*500[^<]*\. Sluice stored nothing: your GitHub connection keeps the sign-in it had/);
    assert.deepEqual(rows(), before, 'list500: the reconnected connection is as it was');
    // A first connection whose listing fails: connected, and the page
    // does not say a plain "Connected" above the failure.
    stack.sql("DELETE FROM connections WHERE provider = 'github'");
    r = await connect('list500');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/connections/github?msg=connected_unlisted');
    const page = await b.get(r.headers.get('location'));
    assert.match(page.text, /Connected, but listing the accounts failed/);
    assert.doesNotMatch(page.text, /Connected\. Choose what Sluice should collect/);
    assert.match(page.text, /listing accounts failed: [^<]*500/);
    assert.equal(rows().length, 1, 'the same connection');
    mode = 'ok';
  });

  await t.test('no client secret or token in the logs', async () => {
    const logs = fs.readdirSync(path.join(stack.dir, 'log')).map((f) => fs.readFileSync(path.join(stack.dir, 'log', f), 'utf8')).join('\n');
    for (const s of ['sluice-test-secret', 'gh-secret', ...issued.map((i) => i.refresh)]) {
      assert.ok(!logs.includes(s), 'a secret reached the logs');
    }
  });
});
