'use strict';
// Setup, login, sessions, CSRF and throttling through real HTTP, and a scan
// of every log the stack wrote for the secrets the test used.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { startStack } = require('./lib/stack');
const { Client, hidden } = require('./lib/browser');

const PASSWORD = `pw-${crypto.randomBytes(9).toString('hex')}`;
const EMAIL = 'owner@example.com';
const seen = new Set([PASSWORD]);

test('pages: setup, login, sessions, CSRF', async (t) => {
  const stack = await startStack({ programs: ['api', 'pages'] });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const b = new Client(stack.url);
  const rows = (q) => stack.sql(q);

  await t.test('a fresh install sends visitors to setup', async () => {
    const r = await b.get('/');
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /\/setup$/);
    assert.equal((await b.get('/login')).status, 303);
  });

  await t.test('setup without its form token changes nothing', async () => {
    const r = await new Client(stack.url).post('/setup', { email: EMAIL, password: PASSWORD, workspace: 'X' });
    assert.equal(r.status, 403);
    assert.equal(rows('SELECT count(*) FROM users')[0][0], '0');
  });

  await t.test('setup validates and then creates the owner', async () => {
    let page = await b.get('/setup');
    assert.equal(page.status, 200);
    let r = await b.post('/setup', { pre: hidden(page.text, 'pre'), email: 'nope', password: PASSWORD, workspace: 'W' });
    assert.equal(r.status, 422);
    assert.match(r.text, /valid email/);
    page = await b.get('/setup');
    r = await b.post('/setup', { pre: hidden(page.text, 'pre'), email: EMAIL, password: 'short', workspace: 'W' });
    assert.equal(r.status, 422);
    assert.match(r.text, /10 characters/);
    assert.equal(rows('SELECT count(*) FROM users')[0][0], '0');
    page = await b.get('/setup');
    r = await b.post('/setup', { pre: hidden(page.text, 'pre'), email: EMAIL, password: PASSWORD, workspace: '<script>alert(1)</script> Inc' });
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /\/connections$/);
    const cookie = b.setCookies.find((c) => c.startsWith('sluice='));
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    const sid = b.cookies.get('sluice');
    seen.add(sid);
    assert.equal(rows("SELECT role FROM memberships")[0][0], 'owner');
    const stored = rows("SELECT encode(id_hash, 'hex') FROM sessions").map((x) => x[0]);
    assert.equal(stored.length, 1);
    assert.equal(stored[0], crypto.createHash('sha256').update(sid).digest('hex'));
    const hash = rows('SELECT password_hash FROM users')[0][0];
    assert.match(hash, /^\$scrypt\$/);
    assert.ok(!hash.includes(PASSWORD));
  });

  await t.test('setup is closed once a user exists', async () => {
    assert.equal((await b.get('/setup')).status, 404);
    const other = new Client(stack.url);
    const r = await other.post('/setup', { email: 'x@example.com', password: PASSWORD, workspace: 'Y' });
    assert.equal(r.status, 404);
    assert.equal(rows('SELECT count(*) FROM users')[0][0], '1');
  });

  await t.test('pages escape what people typed', async () => {
    const r = await b.get('/dashboard');
    assert.equal(r.status, 200);
    assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt; Inc'));
    assert.ok(!r.text.includes('<script>alert(1)'));
    const csrf = hidden(r.text, 'csrf');
    assert.ok(csrf && csrf.length >= 40);
    seen.add(csrf);
  });

  await t.test('a tampered or unknown session cookie is not a session', async () => {
    const c = new Client(stack.url);
    c.cookies.set('sluice', b.cookies.get('sluice').replace(/.$/, (x) => (x === 'A' ? 'B' : 'A')));
    const r = await c.get('/dashboard');
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /\/login\?next=\/dashboard$/);
  });

  await t.test('logout needs the CSRF token bound to the session', async () => {
    let r = await b.post('/logout', {});
    assert.equal(r.status, 403);
    r = await b.post('/logout', { csrf: 'A'.repeat(43) });
    assert.equal(r.status, 403);
    assert.match(r.text, /expired or did not come from this site/);
    assert.equal(rows('SELECT count(*) FROM sessions')[0][0], '1');
    // Another session's token does not work either.
    const other = new Client(stack.url);
    const lp = await other.get('/login');
    const li = await other.post('/login', { pre: hidden(lp.text, 'pre'), email: EMAIL, password: PASSWORD, next: '/dashboard' });
    assert.equal(li.status, 303);
    const otherCsrf = hidden((await other.get('/dashboard')).text, 'csrf');
    seen.add(other.cookies.get('sluice'));
    r = await b.post('/logout', { csrf: otherCsrf });
    assert.equal(r.status, 403);
    assert.equal(rows('SELECT count(*) FROM sessions')[0][0], '2');
    const mine = hidden((await b.get('/dashboard')).text, 'csrf');
    const old = b.cookies.get('sluice');
    r = await b.post('/logout', { csrf: mine });
    assert.equal(r.status, 303);
    assert.equal(rows('SELECT count(*) FROM sessions')[0][0], '1');
    const stale = new Client(stack.url);
    stale.cookies.set('sluice', old);
    assert.equal((await stale.get('/dashboard')).status, 303);
  });

  await t.test('login: wrong password, then a fresh session id', async () => {
    let page = await b.get('/login');
    let r = await b.post('/login', { pre: hidden(page.text, 'pre'), email: EMAIL, password: 'wrong password!', next: '/dashboard' });
    assert.equal(r.status, 401);
    assert.match(r.text, /Wrong email or password/);
    // Counted under hashes only: the typed email is not stored.
    const counter = (key) => rows(`SELECT coalesce(sum(attempts), 0) FROM login_throttle
      WHERE key_hash = sha256(convert_to('${key}', 'UTF8'))`)[0][0];
    assert.equal(counter(`account:${EMAIL}`), '1');
    assert.equal(counter('addr:127.0.0.1'), '1');
    page = await b.get('/login');
    r = await b.post('/login', { pre: hidden(page.text, 'pre'), email: EMAIL.toUpperCase(), password: PASSWORD, next: '//evil.example/x' });
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /^(http:\/\/127\.0\.0\.1:\d+)?\/dashboard$/);
    seen.add(b.cookies.get('sluice'));
    assert.equal((await b.get('/dashboard')).status, 200);
  });

  await t.test('login without the form token is refused', async () => {
    const c = new Client(stack.url);
    const r = await c.post('/login', { email: EMAIL, password: PASSWORD });
    assert.equal(r.status, 403);
    assert.equal(c.cookies.get('sluice'), undefined);
  });

  await t.test('ten failures for one account lock that account for a while (429)', async () => {
    const c = new Client(stack.url);
    const counted = Number(rows(`SELECT coalesce(sum(attempts), 0) FROM login_throttle
      WHERE key_hash = sha256(convert_to('account:${EMAIL}', 'UTF8'))`)[0][0]);
    assert.ok(counted < 10);
    for (let i = counted; i < 10; i++) {
      const page = await c.get('/login');
      const r = await c.post('/login', { pre: hidden(page.text, 'pre'), email: EMAIL, password: `guess-${i}` });
      assert.equal(r.status, 401, `attempt ${i + 1}`);
    }
    // Now even the right password is refused until the window passes.
    const page = await c.get('/login');
    const r = await c.post('/login', { pre: hidden(page.text, 'pre'), email: EMAIL, password: PASSWORD });
    assert.equal(r.status, 429);
    const wait = Number(r.headers.get('retry-after'));
    assert.ok(wait > 0 && wait <= 15 * 60, `Retry-After ${wait}`);
    assert.match(r.text, /Too many failed attempts for this account or from this address; wait 1?\d minutes/);
    assert.equal(c.cookies.get('sluice'), undefined);
  });

  await t.test('no secret, password, cookie or token in any log', async () => {
    const logdir = path.join(stack.dir, 'log');
    const text = fs.readdirSync(logdir).map((f) => fs.readFileSync(path.join(logdir, f), 'utf8')).join('\n');
    assert.ok(text.length > 0);
    const secrets = fs.readFileSync(path.join(stack.dir, 'secrets.env'), 'utf8')
      .split('\n').filter((l) => /^SLUICE_/.test(l)).map((l) => l.slice(l.indexOf('=') + 1));
    for (const s of secrets) {
      for (const part of s.split(/[,:]/).filter((p) => p.length >= 16)) seen.add(part);
    }
    for (const s of seen) assert.ok(!text.includes(s), `a secret reached the logs: ${s.slice(0, 6)}…`);
  });
});
