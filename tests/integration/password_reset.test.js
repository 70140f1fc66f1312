'use strict';
// "Forgot your password?": a one-time link by email (a fake Resend), the
// same answer whether or not an address has an account, bounds per
// address and client, links that die when used, replaced or an hour old,
// every session ended by a reset; without an email service, the
// operator's `make password-link`, and no link in the log.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startStack, defer, ROOT } = require('./lib/stack');
const { startFakeResend } = require('./lib/fake_resend');
const { Client, hidden } = require('./lib/browser');
const { setupOwner } = require('./lib/flows');

const OWNER = 'owner@example.com';
const OLD = 'correct horse battery';
const NEW = 'a brand new passphrase';

// The page's words, without tags, the form's token or the address typed.
const words = (html) => html.replace(/<input[^>]*>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
const main = (html) => words((html.match(/<main[^>]*>([\s\S]*)<\/main>/) || [, html])[1]);

async function ask(url, email, { pre } = {}) {
  const c = new Client(url);
  const page = await c.get('/password/forgot');
  assert.equal(page.status, 200);
  return c.post('/password/forgot', { pre: pre !== undefined ? pre : hidden(page.text, 'pre'), email });
}

async function setPassword(url, link, pw, again = pw) {
  const c = new Client(url);
  const u = new URL(link);
  const page = await c.get(u.pathname);
  if (page.status !== 200) return page;
  return c.post(u.pathname, { pre: hidden(page.text, 'pre'), password: pw, password2: again });
}

async function login(url, email, password) {
  const c = new Client(url);
  const page = await c.get('/login');
  const r = await c.post('/login', { pre: hidden(page.text, 'pre'), email, password, next: '/dashboard' });
  return r.status;
}

test('password reset by email', async (t) => {
  const fake = await startFakeResend();
  defer(t, () => fake.close());
  const stack = await startStack({
    programs: ['api', 'pages'],
    env: { SLUICE_RESEND_API_BASE: fake.url, SLUICE_RESEND_API_KEY: 're_test', SLUICE_ALLOW_LOOPBACK_HTTP: '1' },
  });
  defer(t, () => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const owner = await setupOwner(stack.url);
  const linkOf = (m) => (m.text.match(/https?:\/\/\S+\/password\/reset\/[A-Za-z0-9_-]{43}/) || [])[0];
  // The mail leaves after the answer: waits until n were delivered.
  const mailed = async (n) => {
    for (let i = 0; i < 200 && fake.state.delivered.length < n; i++) await new Promise((ok) => setTimeout(ok, 25));
    return fake.state.delivered.length;
  };

  await t.test('Settings does not say "no email" where Resend is set', async () => {
    const r = await owner.get('/settings');
    assert.equal(r.status, 200);
    assert.doesNotMatch(r.text, /sends no email yet/);
  });

  await t.test('the login page offers it', async () => {
    const r = await new Client(stack.url).get('/login');
    assert.match(r.text, /<a href="\/password\/forgot">Forgot your password\?<\/a>/);
  });

  let link;
  await t.test('an address with an account gets one link; one without, the same page and no mail', async () => {
    const known = await ask(stack.url, OWNER.toUpperCase());
    assert.equal(known.status, 200);
    assert.equal(await mailed(1), 1);
    const m = fake.state.delivered[0];
    assert.equal(m.to, OWNER);
    link = linkOf(m);
    assert.ok(link, m.text);
    assert.ok(m.html.includes(link), 'the HTML part carries the same link');
    assert.match(m.text, /within 60 minutes/);
    const body = JSON.parse(fake.state.calls.at(-1).text);
    assert.deepEqual(body.tags.find((x) => x.name === 'kind'), { name: 'kind', value: 'password_reset' });
    const unknown = await ask(stack.url, 'nobody@example.com');
    assert.equal(unknown.status, 200);
    assert.equal(main(unknown.text), main(known.text));
    assert.match(main(known.text), /If an account uses that address, a link to set a new password is on its way/);
    assert.equal(await mailed(2), 1);
    assert.equal(Number(stack.sql("SELECT count(*) FROM password_resets WHERE user_id IS NULL")[0][0]), 1);
  });

  await t.test('bad input is refused in words, an expired form too', async () => {
    const bad = await ask(stack.url, 'not an address');
    assert.equal(bad.status, 422);
    assert.match(bad.text, /Enter the email address you log in with/);
    const forged = await ask(stack.url, OWNER, { pre: 'forged' });
    assert.equal(forged.status, 403);
    assert.equal(fake.state.delivered.length, 1);
  });

  await t.test('the link sets a new password, once, and ends every session', async () => {
    assert.equal((await owner.get('/dashboard')).status, 200);
    const form = await new Client(stack.url).get(new URL(link).pathname);
    assert.equal(form.status, 200);
    assert.match(form.text, new RegExp(`For <strong>${OWNER}</strong>`));
    assert.equal(form.headers.get('referrer-policy'), 'same-origin', 'the link is not sent to other sites');
    assert.match(form.headers.get('cache-control'), /no-store/);
    const differ = await setPassword(stack.url, link, NEW, NEW + 'x');
    assert.equal(differ.status, 422);
    assert.match(differ.text, /The two passwords differ/);
    const short = await setPassword(stack.url, link, 'short');
    assert.equal(short.status, 422);
    assert.match(short.text, /at least 10 characters/);
    const ok = await setPassword(stack.url, link, NEW);
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/login?msg=password_reset');
    const notice = await new Client(stack.url).get('/login?msg=password_reset');
    assert.match(notice.text, /Your new password is set/);
    const after = await owner.get('/dashboard');
    assert.equal(after.status, 303, 'the old session has ended');
    assert.equal(await login(stack.url, OWNER, OLD), 401);
    assert.equal(await login(stack.url, OWNER, NEW), 303);
    const again = await setPassword(stack.url, link, 'yet another passphrase');
    assert.equal(again.status, 404);
    assert.match(again.text, /This link does not work any more/);
    assert.equal(await login(stack.url, OWNER, NEW), 303);
  });

  await t.test('a newer link replaces nothing, using one ends the others; an hour-old one is dead', async () => {
    stack.sql('DELETE FROM password_resets');
    const had = fake.state.delivered.length;
    await ask(stack.url, OWNER);
    await mailed(had + 1);
    await ask(stack.url, OWNER);
    await mailed(had + 2);
    const [first, second] = fake.state.delivered.slice(-2).map(linkOf);
    assert.notEqual(first, second);
    assert.equal((await setPassword(stack.url, second, OLD + ' again')).status, 303);
    assert.equal((await setPassword(stack.url, first, NEW)).status, 404);
    await ask(stack.url, OWNER);
    await mailed(had + 3);
    const third = linkOf(fake.state.delivered.at(-1));
    stack.sql("UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE used_at IS NULL");
    assert.equal((await setPassword(stack.url, third, NEW)).status, 404);
    assert.equal((await new Client(stack.url).get('/password/reset/' + 'A'.repeat(43))).status, 404);
    assert.equal((await new Client(stack.url).get('/password/reset/short')).status, 404);
  });

  await t.test('the mail goes after the answer: its time does not tell an account', async () => {
    stack.sql('DELETE FROM password_resets');
    const calls = fake.state.calls.length, delivered = fake.state.delivered.length;
    const release = fake.hold();
    try {
      // Resend does not answer until released: an answer now proves the
      // page did not wait for the mail.
      const r = await Promise.race([ask(stack.url, OWNER),
        new Promise((resolve) => setTimeout(() => resolve(null), 15000))]);
      assert.ok(r, 'the page waited for Resend');
      assert.equal(r.status, 200);
      assert.equal(fake.state.delivered.length, delivered);
      for (let i = 0; i < 100 && fake.state.calls.length === calls; i++) await new Promise((ok) => setTimeout(ok, 50));
      assert.equal(fake.state.calls.length, calls + 1, 'the mail was sent after the answer');
    } finally {
      release();
    }
    for (let i = 0; i < 100 && fake.state.delivered.length === delivered; i++) await new Promise((ok) => setTimeout(ok, 50));
    assert.equal(fake.state.delivered.length, delivered + 1);
  });

  await t.test('a password changed in Settings ends the links asked for before', async () => {
    stack.sql('DELETE FROM password_resets');
    const had = fake.state.delivered.length;
    await ask(stack.url, OWNER);
    await mailed(had + 1);
    const link = linkOf(fake.state.delivered.at(-1));
    const c = new Client(stack.url);
    const lp = await c.get('/login');
    assert.equal((await c.post('/login', { pre: hidden(lp.text, 'pre'), email: OWNER, password: OLD + ' again' })).status, 303);
    const sp = await c.get('/settings/password');
    const changed = await c.post('/settings/password', { csrf: hidden(sp.text, 'csrf'), current_password: OLD + ' again', new_password: NEW, new_password_again: NEW });
    assert.equal(changed.status, 303, changed.text.slice(0, 300));
    assert.equal((await setPassword(stack.url, link, 'an attacker passphrase')).status, 404);
    assert.equal(await login(stack.url, OWNER, NEW), 303);
  });

  await t.test('concurrent requests do not pass the bounds', async () => {
    stack.sql('DELETE FROM password_resets');
    const answers = await Promise.all(Array.from({ length: 30 }, () => ask(stack.url, 'racer@example.com')));
    assert.equal(answers.filter((r) => r.status === 200).length, 3);
    assert.equal(answers.filter((r) => r.status === 429).length, 27);
    assert.deepEqual(stack.sql("SELECT count(*) FROM password_resets WHERE email = 'racer@example.com'"), [['3']]);
  });

  await t.test('three links an hour for an address, with or without an account', async () => {
    stack.sql('DELETE FROM password_resets');
    for (const email of [OWNER, 'ghost@example.com']) {
      for (let i = 0; i < 3; i++) assert.equal((await ask(stack.url, email)).status, 200);
      const r = await ask(stack.url, email);
      assert.equal(r.status, 429, email);
      assert.ok(Number(r.headers.get('retry-after')) > 0);
      assert.match(r.text, /wait \d+ minutes/);
    }
  });

  await t.test('requests never see the table', () => {
    assert.deepEqual(stack.sql("SELECT has_table_privilege('sluice_web', 'password_resets', 'SELECT')"), [['f']]);
  });
});

test('without an email service: the operator makes the link', async (t) => {
  const stack = await startStack({ programs: ['api', 'pages'] });
  defer(t, () => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const owner = await setupOwner(stack.url);
  // Settings says what the digest and alert choices do without email.
  const settings = (await owner.get('/settings')).text;
  assert.match(settings, /This Sluice sends no email yet \(no SLUICE_RESEND_API_KEY is set: README, Digest\)/);
  assert.match(settings, /alerts show on the dashboard and in the log only/);
  const r = await ask(stack.url, OWNER);
  assert.equal(r.status, 200);
  assert.match(main(r.text), /This Sluice sends no email, so ask the person who runs it for a link/);
  const shell = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLUICE_')));
  shell.SLUICE_ENV_FILE = '/dev/null';
  const make = (...args) => spawnSync('make', ['-s', '--no-print-directory', `VAR=${stack.dir}`, ...args],
    { cwd: ROOT, env: shell, encoding: 'utf8', timeout: 60000 });
  const out = make('password-link', `EMAIL=${OWNER}`);
  assert.equal(out.status, 0, out.stderr);
  const link = out.stdout.trim();
  assert.match(link, /^http:\/\/[^/]+\/password\/reset\/[A-Za-z0-9_-]{43}$/);
  assert.equal((await setPassword(stack.url, link, NEW)).status, 303);
  assert.equal(await login(stack.url, OWNER, NEW), 303);
  const none = make('password-link', 'EMAIL=nobody@example.com');
  assert.notEqual(none.status, 0);
  assert.match(none.stderr, /no account has the address/);
  const usage = make('password-link');
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /make password-link EMAIL=/);
  // The log says a link was asked for, never a token.
  const logs = fs.readdirSync(path.join(stack.dir, 'log')).map((f) => fs.readFileSync(path.join(stack.dir, 'log', f), 'utf8')).join('\n');
  assert.match(logs, /password_reset_unsent/);
  const [[hashes]] = stack.sql("SELECT count(*) FROM password_resets");
  assert.ok(Number(hashes) >= 2);
  assert.doesNotMatch(logs, /password\/reset\/[A-Za-z0-9_-]{43}/);
});
