'use strict';
// Reconnecting a source: as the same login it says nothing; a connection
// of an upgraded installation, whose login was never named, is adopted
// by the login that reconnects it (the sandbox's user 2 sees other GA4
// properties than user 1), and the chosen properties that login cannot
// see are named on the connection's page, not dropped silently.  (Another
// login of a named connection is a connection of its own:
// multi_login.test.js.)
const test = require('node:test');
const assert = require('node:assert/strict');
const { startStack, defer } = require('./lib/stack');
const { setupOwner, connectSandbox } = require('./lib/flows');

test('reconnect as another login', async (t) => {
  const stack = await startStack({ programs: ['api', 'pages', 'oauth', 'sandbox'], env: { SLUICE_WORKER: '0' } });
  defer(t, () => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const b = await setupOwner(stack.url);
  const errorText = (html) => ((html.match(/<p class="error-text">([^<]*)<\/p>/) || [])[1] || '').replace(/&#39;/g, "'");
  const chosen = () => JSON.parse(stack.sql("SELECT selected FROM connections WHERE provider = 'ga4'")[0][0]);
  const names = () => Object.fromEntries(JSON.parse(stack.sql("SELECT accounts FROM connections WHERE provider = 'ga4'")[0][0]).map((a) => [a.id, a.name]));

  await connectSandbox(b, 'ga4', 'allow', { user: '1' });
  const first = chosen();
  const firstNames = names();
  assert.ok(first.length >= 2);

  await t.test('the same login again: nothing to say', async () => {
    await connectSandbox(b, 'ga4', 'allow', { user: '1' });
    assert.deepEqual(chosen(), first);
    assert.equal(errorText((await b.get('/connections/ga4')).text), '');
  });

  await t.test('an unnamed connection adopted by another login: the chosen properties it cannot see are named', async () => {
    // As before migration 300: the login was never asked.
    stack.sql("UPDATE connections SET external_owner = '', owner_label = '' WHERE provider = 'ga4'");
    await connectSandbox(b, 'ga4', 'allow', { user: '2' });
    assert.deepEqual(stack.sql("SELECT external_owner, owner_label FROM connections WHERE provider = 'ga4'"),
      [['11000000000000000002', 'client@client.example']], 'one row, now named, no duplicate');
    const page = await b.get('/connections/ga4');
    const text = errorText(page.text);
    const listed = first.map((id) => `${firstNames[id]} (${id})`).join(', ');
    assert.equal(text, `This login cannot see ${listed}, chosen before: they are no longer synced (the numbers already stored stay). Reconnect with the login that has them, or choose others below.`);
    assert.deepEqual(chosen(), [], 'nothing this login cannot see stays chosen');
    assert.ok(Object.keys(names()).every((id) => !first.includes(id)), 'the list is the new login\'s');
  });

  await t.test('a reconnect whose identity call fails (sandbox user N-fault-401/500) repairs nothing, adds nothing, says so', async () => {
    await connectSandbox(b, 'github', 'allow', { user: '1' });
    const rows = () => stack.sql("SELECT id, external_owner, status, md5(token_blob) FROM connections WHERE provider = 'github' ORDER BY id");
    const before = rows();
    assert.equal(before.length, 1);
    for (const fault of ['401', '500']) {
      const { res } = await connectSandbox(b, 'github', 'allow', { user: `1-fault-${fault}` });
      assert.equal(res.status, 502, `${fault}: ${res.text.slice(0, 300)}`);
      assert.match(res.text, /Connection not completed/);
      assert.match(res.text, new RegExp(`asking GitHub which login this is failed: [^<]*HTTP ${fault}`));
      assert.match(res.text, /stored nothing: your GitHub connections keep the sign-in they had/);
      assert.doesNotMatch(res.text, /Connected/);
      assert.deepEqual(rows(), before, `${fault}: the same connection, its token untouched, no unnamed one`);
    }
  });

  await t.test('a reconnect whose new token the account listing refuses (GA4, N-fault-401) keeps the token that works', async () => {
    // GA4 names its login in the token answer (OpenID Connect): the first
    // call the new token makes is the account listing.
    const rows = () => stack.sql("SELECT id, external_owner, status, md5(token_blob) FROM connections WHERE provider = 'ga4' ORDER BY id");
    const before = rows();
    assert.equal(before.length, 1);
    // As a login naming the failure, and as a person picks it on the
    // sandbox's sign-in page ("Simulate a failure").
    for (const form of [{ user: '2-fault-401' }, { user: '2', fault: '401' }]) {
      const { res } = await connectSandbox(b, 'ga4', 'allow', form);
      assert.equal(res.status, 502, `${JSON.stringify(form)}: ${res.text.slice(0, 300)}`);
      assert.match(res.text, /Google Analytics 4 refused the new sign-in when Sluice asked for its accounts/);
      assert.match(res.text, /keep the sign-in they had/);
      assert.doesNotMatch(res.text, /Connected/);
      assert.deepEqual(rows(), before, 'the same connection, its token untouched');
    }
    // Any failure of the listing on a reconnect (a newcomer's Google Ads
    // reconnect as N-fault-500 stored the broken sign-in, said
    // "Connected, but listing failed", and the next sync failed).
    const { res } = await connectSandbox(b, 'ga4', 'allow', { user: '2-fault-500' });
    assert.equal(res.status, 502, res.text.slice(0, 300));
    assert.match(res.text, /Listing the accounts with the new sign-in failed: [^<]*HTTP 500[^<]*\. Sluice stored nothing: your Google Analytics 4 connection keeps the sign-in it had/);
    assert.doesNotMatch(res.text, /Connected/);
    assert.deepEqual(rows(), before, '500: the same connection, its token untouched');
  });

  await t.test('a login that has no accounts is told so on its page', async () => {
    // The sandbox's "empty": GA4 lists no property for this login.
    const { res } = await connectSandbox(b, 'ga4', 'allow', { user: '3-fault-empty' });
    assert.equal(res.status, 303);
    const page = await b.get(new URL(res.headers.get('location'), stack.url).pathname);
    assert.equal(page.status, 200);
    assert.match(page.text, /Google Analytics 4 lists no properties for this login, so there is nothing to sync/);
    assert.doesNotMatch(page.text, /id="accounts-list"/);
  });

  await t.test('a first connection whose listing fails is stored and says so', async () => {
    assert.deepEqual(stack.sql("SELECT count(*) FROM connections WHERE provider = 'youtube'"), [['0']]);
    const { res } = await connectSandbox(b, 'youtube', 'allow', { user: '1-fault-500' });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location'), /msg=connected_unlisted/);
    assert.deepEqual(stack.sql("SELECT status, last_error LIKE 'Connected, but listing accounts failed:%' FROM connections WHERE provider = 'youtube'"), [['connected', 't']]);
  });
});
