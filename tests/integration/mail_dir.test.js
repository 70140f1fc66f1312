'use strict';
// Reading email without Resend: the sandbox stack without
// SLUICE_RESEND_API_KEY writes each email (a test digest, a password
// link) to VAR/mail — the folder `make run` gives SLUICE_MAIL_DIR there —
// as <key>.eml (headers, text and HTML parts) and <key>.html, readable by
// the service user only; the digest records the file as its id and the
// pages say where the emails go.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startStack, defer, request } = require('./lib/stack');
const { Client, hidden } = require('./lib/browser');
const { setupOwner } = require('./lib/flows');

const CRON = 'cron-secret-for-mail-dir';

test('emails into VAR/mail without Resend', async (t) => {
  // SLUICE_MAIL_DIR unset (the test harness sets it empty): stack.sh's
  // default for the sandbox, as under `make run`.
  const stack = await startStack({
    programs: ['api', 'pages', 'digest'],
    env: { SLUICE_MAIL_DIR: undefined, SLUICE_CRON_SECRET: CRON, SLUICE_SANDBOX: '1', SLUICE_RESEND_API_KEY: '' },
  });
  defer(t, () => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const dir = path.join(stack.dir, 'mail');
  assert.ok(fs.statSync(dir).isDirectory(), 'make run made VAR/mail');
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  const files = () => fs.readdirSync(dir).sort();
  assert.deepEqual(files(), []);

  const b = await setupOwner(stack.url);
  const settings = await b.get('/settings');
  assert.match(settings.text, /writes its emails to files on the server instead of sending them \(SLUICE_MAIL_DIR/);
  assert.doesNotMatch(settings.text, /sends no email yet/);

  await t.test('a test digest: an .eml a mail program opens and the .html a browser shows', async () => {
    const [[ws]] = stack.sql("SELECT id FROM workspaces WHERE name = 'Acme'");
    const key = stack.cli('api', ['create-key', ws, 'k', 'admin']).stdout.trim();
    const status = await request(`${stack.url}/v1/digest/status`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(status.json.sending_configured, true);
    const r = await request(`${stack.url}/v1/digest/test`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'owner@example.com' }),
    });
    assert.equal(r.status, 200, r.text);
    const m = /^file:(sluice-test-[0-9a-f]+)\.eml$/.exec(r.json.id);
    assert.ok(m, r.json.id);
    assert.deepEqual(files(), [`${m[1]}.eml`, `${m[1]}.html`]);
    const eml = fs.readFileSync(path.join(dir, `${m[1]}.eml`), 'utf8');
    assert.equal(fs.statSync(path.join(dir, `${m[1]}.eml`)).mode & 0o777, 0o600);
    const [head, ...rest] = eml.split('\r\n\r\n');
    assert.match(head, /^Date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000\r\n/);
    assert.match(head, /\r\nFrom: Sluice <digest@localhost>\r\n/);
    assert.match(head, /\r\nTo: owner@example\.com\r\n/);
    assert.match(head, /\r\nSubject: \[Test\] Acme weekly digest/);
    assert.match(head, /\r\nList-Unsubscribe: <http:\/\/127\.0\.0\.1:\d+\/v1\/digest\/unsubscribe\?token=[^>]+>\r\n/);
    assert.match(head, /\r\nContent-Type: multipart\/alternative; boundary="sluice-sluice-test-[0-9a-f]+"$/);
    const body = rest.join('\r\n\r\n');
    assert.match(body, /Content-Type: text\/plain; charset=utf-8/);
    assert.match(body, /Content-Type: text\/html; charset=utf-8/);
    const html = fs.readFileSync(path.join(dir, `${m[1]}.html`), 'utf8');
    assert.match(html, /^<!DOCTYPE html>|<html/i);
    assert.ok(eml.includes(html), 'the .html is the email\'s HTML part');
  });

  await t.test('a password link: in a file, and the page says where it went', async () => {
    const c = new Client(stack.url);
    const page = await c.get('/password/forgot');
    const before = new Set(files());
    const r = await c.post('/password/forgot', { pre: hidden(page.text, 'pre'), email: 'owner@example.com' });
    assert.equal(r.status, 200);
    assert.match(r.text, /writes its emails to files on the server instead of sending them: the person who runs it finds the link there/);
    let added = [];
    for (let i = 0; i < 50 && added.length < 2; i++) {	// the mail leaves after the answer
      added = files().filter((f) => !before.has(f));
      if (added.length < 2) await new Promise((res) => setTimeout(res, 100));
    }
    const eml = added.find((f) => f.endsWith('.eml'));
    assert.ok(eml, `a new email: ${added}`);
    const text = fs.readFileSync(path.join(dir, eml), 'utf8');
    assert.match(text, /\r\nTo: owner@example\.com\r\n/);
    assert.match(text, /http:\/\/127\.0\.0\.1:\d+\/password\/reset\/[A-Za-z0-9_-]{43}/);
  });
});
