'use strict';
// Connecting every provider through the sandbox's real redirect flow,
// then choosing accounts, testing, syncing and disconnecting; and the
// attacks on the OAuth state (replay, another session, expiry, tampering).
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startStack, TOOLS } = require('./lib/stack');
const { Client, hidden } = require('./lib/browser');
const { setupOwner, connectSandbox, providers } = require('./lib/flows');

test('connections through the sandbox', async (t) => {
  const stack = await startStack({ programs: ['api', 'pages', 'oauth', 'sandbox'] });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const b = await setupOwner(stack.url);
  const keys = require('node:fs').readFileSync(path.join(stack.dir, 'secrets.env'), 'utf8')
    .match(/^SLUICE_ENCRYPTION_KEYS=(.*)$/m)[1];
  // Every provider of the registry, each offered through the sandbox.
  const registry = await providers(stack);
  for (const p of registry)
    assert.equal(p.mode, 'sandbox', `${p.slug} is ${p.mode}`);
  const PROVIDERS = registry.map((p) => p.slug);

  for (const slug of PROVIDERS) {
    await t.test(`connect ${slug}`, async () => {
      const { res } = await connectSandbox(b, slug);
      assert.equal(res.status, 303, `${slug} callback: ${res.text.slice(0, 400)}`);
      assert.match(res.headers.get('location'), new RegExp(`/connections/${slug}\\?connected=1$`));
      const [[id, ws, status, blob, keyId, accounts, selected, sandbox]] = stack.sql(
        `SELECT id, workspace_id, status, token_blob, key_id, jsonb_array_length(accounts), jsonb_array_length(selected), sandbox
         FROM connections WHERE provider = '${slug}'`);
      assert.equal(status, 'connected');
      assert.equal(sandbox, 't');
      assert.ok(Number(accounts) > 0, `${slug}: no accounts listed`);
      assert.equal(selected, accounts, 'all accounts selected by default');
      assert.match(keyId, /^k\d{8}$/);
      // The blob opens only for this row, and holds an access token.
      const tool = (args) => spawnSync(path.join(TOOLS, 'vault_tool'), args, { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: keys } });
      const opened = tool(['open', ws, slug, id, blob]);
      assert.equal(opened.status, 0, opened.stderr);
      assert.ok(JSON.parse(opened.stdout).access_token.length > 0);
      assert.notEqual(tool(['open', ws, slug, String(Number(id) + 1000), blob]).status, 0);
      const page = await b.get(`/connections/${slug}?connected=1`);
      assert.equal(page.status, 200);
      assert.ok(/badge-ok">Connected/.test(page.text), `${slug} page does not say Connected`);
      assert.ok(/Sandbox/.test(page.text), `${slug} page has no Sandbox badge`);
    });
  }

  await t.test('the connections page shows every provider connected', async () => {
    const r = await b.get('/connections');
    assert.equal((r.text.match(/badge-ok">Connected/g) || []).length, PROVIDERS.length);
    assert.ok(!/access_token|xoxb-|ya29\./.test(r.text), 'a token reached the page');
  });

  await t.test("each provider's mark colour comes from its file", async () => {
    const page = await b.get('/connections');
    assert.match(page.text, /<link rel="stylesheet" href="\/marks.css">/);
    const css = await fetch(`${stack.url}/marks.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type'), /^text\/css/);
    const text = await css.text();
    for (const slug of PROVIDERS)
      assert.match(text, new RegExp(`^\\.mark-${slug} \\{ background: #[0-9a-f]{6}; color: #[0-9a-f]{3,6}; \\}$`, 'm'), slug);
    const style = require('node:fs').readFileSync(path.join(__dirname, '../../templates/static/style.css'), 'utf8');
    assert.doesNotMatch(style, /\.mark-[a-z]/, 'a provider colour typed in style.css');
  });

  await t.test('choose accounts keeps only listed ids', async () => {
    const page = await b.get('/connections/ga4');
    const ids = [...page.text.matchAll(/name="account" value="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(ids.length >= 2);
    // Each property says the zone its days are counted in and its
    // currency, as GA4 lists them (stored with the accounts).
    const accounts = JSON.parse(stack.sql("SELECT accounts FROM connections WHERE provider = 'ga4'")[0][0]);
    for (const a of accounts) {
      assert.ok(a.time_zone && a.currency, JSON.stringify(a));
      const label = page.text.match(new RegExp(`value="${a.id}"[^>]*> <span>([^\n]*?)</span></label>`));
      assert.ok(label, a.id);
      assert.ok(label[1].includes(`<span class="hint">(${a.time_zone}, ${a.currency})</span>`), label[1]);
    }
    const csrf = hidden(page.text, 'csrf');
    const body = new URLSearchParams([['csrf', csrf], ['account', ids[0]], ['account', 'not-a-real-id']]);
    const r = await b.req('POST', '/connections/ga4/accounts', { headers: { 'content-type': 'application/x-www-form-urlencoded' } , form: undefined, ...{} , });
    assert.equal(r.status, 403, 'a POST without the form body has no CSRF token');
    const ok = await fetch(`${stack.url}/connections/ga4/accounts`, { method: 'POST', redirect: 'manual', headers: { cookie: b.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    assert.equal(ok.status, 303);
    assert.deepEqual(JSON.parse(stack.sql("SELECT selected FROM connections WHERE provider = 'ga4'")[0][0]), [ids[0]]);
  });

  await t.test('test connection records the result', async () => {
    const page = await b.get('/connections/github');
    const r = await b.post('/connections/github/test', { csrf: hidden(page.text, 'csrf') });
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /msg=tested$/);
    assert.equal(stack.sql("SELECT last_test_ok FROM connections WHERE provider = 'github'")[0][0], 't');
  });

  await t.test('sync now queues one job, and only one', async () => {
    const page = await b.get('/connections/slack');
    const csrf = hidden(page.text, 'csrf');
    let r = await b.post('/connections/slack/sync', { csrf });
    assert.match(r.headers.get('location'), /msg=queued$/);
    r = await b.post('/connections/slack/sync', { csrf });
    assert.match(r.headers.get('location'), /msg=running$/);
    assert.equal(stack.sql("SELECT count(*) FROM sync_jobs j JOIN connections c ON c.id = j.connection_id WHERE c.provider = 'slack'")[0][0], '1');
  });

  await t.test('deny on the consent page changes nothing', async () => {
    const before = stack.sql("SELECT token_blob FROM connections WHERE provider = 'linkedin'")[0][0];
    const { res } = await connectSandbox(b, 'linkedin', 'deny');
    assert.equal(res.status, 200);
    assert.ok(/You cancelled the connection to LinkedIn — nothing was changed/.test(res.text), 'deny page lacks its message');
    assert.equal(stack.sql("SELECT token_blob FROM connections WHERE provider = 'linkedin'")[0][0], before);
  });

  await t.test('a replayed callback is refused and changes nothing', async () => {
    const { callback, res } = await connectSandbox(b, 'youtube');
    assert.equal(res.status, 303);
    const blob = stack.sql("SELECT token_blob FROM connections WHERE provider = 'youtube'")[0][0];
    const again = await b.get(callback.pathname + callback.search);
    assert.equal(again.status, 400);
    assert.ok(/already used or is unknown/.test(again.text), 'replay page lacks its reason');
    assert.equal(stack.sql("SELECT token_blob FROM connections WHERE provider = 'youtube'")[0][0], blob);
  });

  await t.test('a state from another session is refused', async () => {
    const other = new Client(stack.url);
    const lp = await other.get('/login');
    await other.post('/login', { pre: hidden(lp.text, 'pre'), email: 'owner@example.com', password: 'correct horse battery' });
    const start = await b.get('/oauth/github/start');
    const state = new URL(start.headers.get('location')).searchParams.get('state');
    const r = await other.get(`/oauth/github/callback?state=${state}&code=whatever`);
    assert.equal(r.status, 403);
    assert.ok(/another browser session/.test(r.text), 'foreign-session page lacks its reason');
  });

  await t.test('an expired or tampered state is refused', async () => {
    const start = await b.get('/oauth/slack/start');
    const state = new URL(start.headers.get('location')).searchParams.get('state');
    stack.sql("UPDATE oauth_states SET expires_at = now() - interval '1 minute' WHERE used_at IS NULL");
    let r = await b.get(`/oauth/slack/callback?state=${state}&code=x`);
    assert.equal(r.status, 400);
    assert.ok(/expired/.test(r.text), 'expired-state page lacks its reason');
    r = await b.get(`/oauth/slack/callback?state=${'A'.repeat(43)}&code=x`);
    assert.equal(r.status, 400);
    r = await b.get('/oauth/slack/callback?code=x');
    assert.equal(r.status, 400);
    r = await b.get('/oauth/nope/start');
    assert.equal(r.status, 404);
  });

  await t.test('the same actions through the JSON API', async () => {
    const ws = stack.sql('SELECT id FROM workspaces')[0][0];
    const admin = stack.cli('api', ['create-key', ws, 'admin key', 'admin']).stdout.trim();
    const viewer = stack.cli('api', ['create-key', ws, 'viewer key', 'viewer']).stdout.trim();
    const call = (method, p, key) => fetch(`${stack.url}${p}`, { method, headers: { authorization: `Bearer ${key}` } })
      .then(async (r) => ({ status: r.status, json: await r.json() }));
    let r = await call('POST', '/v1/connections/github/test', admin);
    assert.equal(r.status, 200);
    // The answers have the shapes openapi.json gives them.
    const doc = JSON.parse(require('node:fs').readFileSync(require('node:path').join(__dirname,
      '../../templates/static/openapi.json'), 'utf8'));
    const shape = (route) => doc.paths[route].get.responses['200'].content['application/json'].schema;
    r = await call('GET', '/v1/github/user', viewer);
    assert.equal(r.status, 200);
    assert.ok(r.json.login);
    assert.equal(shape('/v1/github/user').type, 'object');
    for (const k of Object.keys(r.json)) assert.ok(k in shape('/v1/github/user').properties, `user: ${k} undocumented`);
    r = await call('GET', '/v1/github/repos', viewer);
    assert.equal(r.status, 200);
    assert.ok(r.json.length > 0);
    assert.ok(r.json.every((x) => x.full_name && !('private' in x)));
    assert.equal(shape('/v1/github/repos').type, 'array', 'the repositories are a JSON array');
    for (const x of r.json) {
      for (const k of Object.keys(x)) assert.ok(k in shape('/v1/github/repos').items.properties, `repos: ${k} undocumented`);
    }
    r = await call('POST', '/v1/connections/google_ads/sync', admin);
    assert.equal(r.status, 202);
    assert.ok(r.json.job_id > 0);
    r = await call('POST', '/v1/connections/google_ads/sync', viewer);
    assert.equal(r.status, 403);
    r = await call('POST', '/v1/connections/nope/sync', admin);
    assert.equal(r.status, 404);
    r = await call('DELETE', '/v1/connections/youtube', viewer);
    assert.equal(r.status, 403);
    r = await call('DELETE', '/v1/connections/youtube', admin);
    assert.equal(r.status, 200);
    assert.equal(stack.sql("SELECT status FROM connections WHERE provider = 'youtube'")[0][0], 'disconnected');
    r = await call('POST', '/v1/connections/youtube/test', admin);
    assert.equal(r.status, 409);
    r = await call('GET', '/v1/connections', viewer);
    assert.equal(r.status, 200);
    assert.ok(!JSON.stringify(r.json).includes('token_blob'));
  });

  await t.test('disconnect needs confirming, then deletes the tokens', async () => {
    const page = await b.get('/connections/mailchimp');
    const csrf = hidden(page.text, 'csrf');
    let r = await b.post('/connections/mailchimp/disconnect', { csrf });
    assert.equal(r.status, 422);
    r = await b.post('/connections/mailchimp/disconnect', { csrf, confirm: '1' });
    assert.equal(r.status, 303);
    const [[status, blob]] = stack.sql("SELECT status, token_blob FROM connections WHERE provider = 'mailchimp'");
    assert.equal(status, 'disconnected');
    assert.equal(blob, '');
    const list = await b.get(new URL(r.headers.get('location'), stack.url).pathname + '?msg=disconnected');
    assert.ok(/Disconnected\. The tokens are deleted\./.test(list.text), 'no notice after disconnect');
  });
});
