'use strict';
// Alerts people get (issue 21, part 2; lib/sync/alerts.h) in a sandbox
// stack with the fake Resend: a connection whose token stops working,
// three failed syncs in a row (two are not enough), a daily run that did
// not happen, no Resend key (the banner and one log line), the opt-out,
// and another workspace that sees nothing of it.  The banner in a real
// browser, screenshotted and checked by axe-core.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { chromium } = require('playwright-core');
const { defer, TOOLS, ROOT, BIN } = require('./lib/stack');
const { startFakeResend } = require('./lib/fake_resend');
const { setupOwner, connectSandbox, syncStack, secrets, workerEnv } = require('./lib/flows');
const { Client, hidden } = require('./lib/browser');
const { checkA11y } = require('./lib/a11y');

const ART = path.join(ROOT, 'tests/artifacts');
const CHROMIUM = process.env.SLUICE_CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'correct horse battery';

test('alerts: one email per incident, a resolved note, a banner', { timeout: 600000 }, async (t) => {
  const fake = await startFakeResend();
  defer(t, () => fake.close());
  const stack = await syncStack(t, {
    SLUICE_RESEND_API_BASE: fake.url, SLUICE_RESEND_API_KEY: 're_test', SLUICE_ALLOW_LOOPBACK_HTTP: '1',
    SLUICE_MAIL_FROM: 'alerts@hub.example.com',
  });
  const { keys } = secrets(stack);
  const b = await setupOwner(stack.url);
  const [[ws]] = stack.sql('SELECT id FROM workspaces');
  stack.sql(`UPDATE workspaces SET time_zone = 'Europe/Paris' WHERE id = ${ws}`);
  const member = (w, email, role, alerts = true) => stack.sql(
    `WITH u AS (INSERT INTO users (email, password_hash) VALUES ('${email}', 'x')
       ON CONFLICT DO NOTHING RETURNING id)
     INSERT INTO memberships (workspace_id, user_id, role, alert_emails)
     SELECT ${w}, COALESCE((SELECT id FROM u), (SELECT id FROM users WHERE lower(email) = lower('${email}'))), '${role}', ${alerts}`);
  member(ws, 'admin2@example.com', 'admin');
  member(ws, 'quiet@example.com', 'admin', false);	// opted out
  member(ws, 'viewer@example.com', 'viewer');
  // Another workspace with its own owner, who must hear nothing of Acme.
  const [[other]] = stack.sql("INSERT INTO workspaces (name) VALUES ('Other') RETURNING id");
  member(other, 'other@example.com', 'owner');
  const ADMINS = ['admin2@example.com', 'owner@example.com'];

  await connectSandbox(b, 'ga4');
  const [[conn, acct]] = stack.sql("SELECT id, selected->>0 FROM connections WHERE provider = 'ga4'");
  const select = (id) => stack.sql(`UPDATE connections SET selected = '["${id}"]' WHERE id = ${conn}`);
  select(acct);
  const enqueue = () => stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${conn}, 'manual') ON CONFLICT DO NOTHING; UPDATE sync_jobs SET run_after = now() WHERE connection_id = ${conn} AND status = 'queued'`);
  // `worker --once`, not blocking this process: the fake Resend answers
  // from it.  Fails unless it exits 0; resolves to { stdout, stderr }.
  const worker = (env = {}) => new Promise((resolve, reject) => {
    const c = spawn(path.join(BIN, 'worker'), ['--once'], {
      env: workerEnv(stack, { SLUICE_SYNC_MAX_ATTEMPTS: '20', ...env }), stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { stdout: '', stderr: '' };
    c.stdout.on('data', (d) => { out.stdout += d; });
    c.stderr.on('data', (d) => { out.stderr += d; });
    const timer = setTimeout(() => c.kill('SIGKILL'), 120000);
    c.on('error', reject);
    c.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out); else reject(new Error(`worker exited ${code}: ${out.stderr}`));
    });
  });
  const lastRun = () => stack.sql(`SELECT status FROM sync_runs WHERE connection_id = ${conn} ORDER BY id DESC LIMIT 1`)[0][0];
  const alerts = () => stack.sql('SELECT workspace_id, kind, subject, resolved_at IS NOT NULL, emailed_at IS NOT NULL, resolved_emailed_at IS NOT NULL FROM alerts ORDER BY id');
  const to = () => fake.state.delivered.map((d) => d.to).sort();
  const banner = async (client, page) => {
    const r = await client.get(page);
    assert.equal(r.status, 200);
    return [...r.text.matchAll(/<p class="flash flash-error alert-banner" role="alert">([^<]*)<a href="([^"]*)">([^<]*)<\/a><\/p>/g)]
      .map((m) => `${m[1]}${m[3]} ${m[2]}`);
  };
  // The stored token, changed and sealed again (tests/tools/vault_tool).
  const vault = (...args) => spawnSync(path.join(TOOLS, 'vault_tool'), args, { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: keys } });
  const garble = () => {
    const [[blob]] = stack.sql(`SELECT token_blob FROM connections WHERE id = ${conn}`);
    const opened = vault('open', ws, 'ga4', conn, blob);
    assert.equal(opened.status, 0, opened.stderr);
    const tok = JSON.parse(opened.stdout);
    tok.access_token = 'ya29.garbled';
    tok.refresh_token = '1//0gGARBLED';
    const sealed = vault('seal', ws, 'ga4', conn, JSON.stringify(tok));
    assert.equal(sealed.status, 0, sealed.stderr);
    stack.sql(`UPDATE connections SET token_blob = '${sealed.stdout.trim()}' WHERE id = ${conn}`);
  };
  const reconnect = async () => {
    const { res } = await connectSandbox(b, 'ga4');
    assert.equal(res.status, 303);
    select(acct);
  };
  // Nothing secret in any email: no token, no key, no hash.
  const noSecrets = () => {
    for (const d of fake.state.delivered) {
      for (const s of ['ya29', 'GARBLED', 're_test', keys.split(',')[0].split(':').pop(), 'password']) {
        assert.ok(!d.text.includes(s) && !d.html.includes(s), `an email carries ${s}`);
      }
    }
  };

  await t.test('a healthy source alerts nobody', async () => {
    enqueue();
    await worker();
    assert.equal(lastRun(), 'ok');
    assert.deepEqual(alerts(), []);
    assert.equal(fake.state.calls.length, 0);
  });

  await t.test('two failed syncs in a row: nothing; the third: one email to each admin', async () => {
    select(`${acct}-fault-500`);
    for (let i = 0; i < 2; i++) {
      enqueue();
      await worker();
      assert.equal(lastRun(), 'error');
    }
    assert.deepEqual(alerts(), []);
    assert.equal(fake.state.calls.length, 0);
    enqueue();
    const w3 = await worker();
    assert.equal(lastRun(), 'error', w3.stderr);
    assert.deepEqual(alerts(), [[ws, 'sync_failing', `connection:${conn}`, 'f', 't', 'f']]);
    // Owner and admin: not the viewer, not the admin who opted out, not
    // the other workspace's owner.
    assert.deepEqual(to(), ADMINS, w3.stderr);
    const m = fake.state.delivered[0];
    assert.equal(m.subject, '[Sluice] Syncs of Google Analytics 4 keep failing (Acme)');
    assert.match(m.text, /The last syncs of Google Analytics 4 all ended in an error/);
    assert.match(m.text, /Since \d{1,2} [A-Z][a-z]{2} \d\d:\d\d \(Europe\/Paris\)\./);
    assert.ok(m.text.includes(`See the sync history: ${stack.url}/connections/${conn}`), m.text);
    assert.ok(m.text.includes(`${stack.url}/settings#alerts-heading`), 'the opt-out is named');
    assert.ok(m.html.includes(`href="${stack.url}/connections/${conn}"`));
    // The step again, and again: nothing more.
    await worker();
    enqueue();
    await worker();	// a fourth failure
    assert.equal(fake.state.delivered.length, 2);
    assert.equal(alerts().length, 1);
    noSecrets();
  });

  await t.test('a sync that succeeds resolves it: one "resolved" email each', async () => {
    fake.reset();
    select(acct);
    enqueue();
    await worker();
    assert.equal(lastRun(), 'ok');
    assert.deepEqual(alerts(), [[ws, 'sync_failing', `connection:${conn}`, 't', 't', 't']]);
    assert.deepEqual(to(), ADMINS);
    assert.equal(fake.state.delivered[0].subject, '[Sluice] Resolved: Google Analytics 4 syncs again (Acme)');
    await worker();
    assert.equal(fake.state.delivered.length, 2);
  });

  await t.test('a token that stops working: one email each, a banner, then reconnected', async () => {
    fake.reset();
    garble();
    enqueue();
    // Two workers at once: one runs the job, both step the alerts; a
    // step that finds the other's lock held leaves the incident to the
    // next step (a loaded machine can order them so), so one more runs.
    await Promise.all([worker(), worker()]);
    await worker();
    assert.equal(lastRun(), 'auth');
    assert.equal(stack.sql(`SELECT status FROM connections WHERE id = ${conn}`)[0][0], 'needs_reauth');
    const open = alerts().filter((a) => a[3] === 'f');
    assert.deepEqual(open, [[ws, 'needs_reauth', `connection:${conn}`, 'f', 't', 'f']]);
    assert.deepEqual(to(), ADMINS);
    const m = fake.state.delivered.find((d) => d.to === 'owner@example.com');
    assert.equal(m.subject, '[Sluice] Google Analytics 4 needs reconnecting (Acme)');
    assert.match(m.text, /What to do: Open the connection, press Reconnect/);
    // For a person to read (tests/artifacts, ignored by git).
    fs.mkdirSync(ART, { recursive: true });
    fs.writeFileSync(path.join(ART, '21-alert-email.txt'), `Subject: ${m.subject}\n\n${m.text}`);
    fs.writeFileSync(path.join(ART, '21-alert-email.html'), m.html);
    assert.ok(m.text.includes(`Reconnect: ${stack.url}/connections/${conn}`));
    noSecrets();
    await worker();
    await worker();
    assert.equal(fake.state.delivered.length, 2, 'one email per incident');
    // The pages say so, with the time in the workspace's zone.
    for (const page of ['/dashboard', '/connections']) {
      const shown = await banner(b, page);
      assert.equal(shown.length, 1, page);
      assert.match(shown[0], /^Google Analytics 4 needs reconnecting since \d{1,2} [A-Z][a-z]{2} \d\d:\d\d \(Europe\/Paris\) — Reconnect \/connections\/ga4$/);
    }
    fake.reset();
    await reconnect();
    await worker();
    assert.equal(alerts().filter((a) => a[3] === 'f').length, 0);
    assert.deepEqual(to(), ADMINS);
    assert.equal(fake.state.delivered[0].subject, '[Sluice] Resolved: Google Analytics 4 is connected again (Acme)');
    assert.deepEqual(await banner(b, '/dashboard'), []);
  });

  await t.test('a daily run that did not happen: an alert; the run: resolved', async () => {
    fake.reset();
    // The source was there days ago and last ran two days ago.
    stack.sql(`UPDATE connections SET created_at = now() - interval '3 days', last_sync_at = now() - interval '2 days' WHERE id = ${conn};
      UPDATE sync_runs SET started_at = started_at - interval '2 days', finished_at = finished_at - interval '2 days' WHERE connection_id = ${conn}`);
    await worker();
    const open = alerts().filter((a) => a[3] === 'f');
    assert.deepEqual(open, [[ws, 'daily_missed', 'schedule', 'f', 't', 'f']]);
    assert.deepEqual(to(), ADMINS);
    const m = fake.state.delivered[0];
    assert.equal(m.subject, '[Sluice] The daily sync did not run (Acme)');
    assert.match(m.text, /Since \d{1,2} [A-Z][a-z]{2} 0?3:00 \(Europe\/Paris\)\./, 'due at the workspace\'s sync hour');
    assert.match(m.text, /\/readyz\?details=1/);
    await worker();
    assert.equal(fake.state.delivered.length, 2);
    // The daily run happens.
    fake.reset();
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${conn}, 'daily') ON CONFLICT DO NOTHING`);
    await worker();
    assert.equal(lastRun(), 'ok');
    assert.equal(alerts().filter((a) => a[3] === 'f').length, 0);
    assert.deepEqual(to(), ADMINS);
    assert.equal(fake.state.delivered[0].subject, '[Sluice] Resolved: The daily sync runs again (Acme)');
  });

  await t.test('without a Resend key: the banner and one log line, no email', async () => {
    fake.reset();
    const noKey = { SLUICE_RESEND_API_KEY: '' };
    garble();
    enqueue();
    const r1 = await worker(noKey);
    const r2 = await worker(noKey);
    const lines = (r) => r.stderr.split('\n').filter((l) => l.includes('"alerts"') && l.includes('opened'));
    assert.equal(lines(r1).length, 1, r1.stderr);
    assert.match(lines(r1)[0], /Google Analytics 4 needs reconnecting since .*no email: neither SLUICE_RESEND_API_KEY nor SLUICE_MAIL_DIR is set/);
    assert.equal(lines(r2).length, 0, 'one log line per incident');
    assert.ok(!/ERROR|"level":"error"/i.test(r2.stderr), r2.stderr);
    assert.equal(fake.state.calls.length, 0, 'no email attempt');
    assert.equal((await banner(b, '/dashboard')).length, 1);
    assert.equal((await banner(b, '/connections')).length, 1);
    assert.deepEqual(alerts().filter((a) => a[3] === 'f'), [[ws, 'needs_reauth', `connection:${conn}`, 'f', 'f', 'f']]);
  });

  await t.test('the banner in a browser: seen, and axe-core finds nothing serious', async () => {
    fs.mkdirSync(ART, { recursive: true });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
      await page.goto(`${stack.url}/login`);
      await page.getByLabel('Email').fill('owner@example.com');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: /log in/i }).click();
      await page.waitForURL(/\/(dashboard|connections)/);
      for (const p of ['dashboard', 'connections']) {
        await page.goto(`${stack.url}/${p}`);
        const alert = page.locator('.alert-banner');
        assert.equal(await alert.count(), 1);
        assert.match(await alert.innerText(), /Google Analytics 4 needs reconnecting since .* \(Europe\/Paris\) — Reconnect/);
        await page.screenshot({ path: path.join(ART, `21-alert-${p}.png`), fullPage: false });
        await checkA11y(page, `${p} with an alert`);
      }
      await page.goto(`${stack.url}/settings`);
      await page.locator('#alerts-heading').scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(ART, '21-alert-settings.png'), fullPage: true });
      await checkA11y(page, 'settings');
    } finally {
      await browser.close();
    }
  });

  await t.test('another workspace sees nothing of it', async () => {
    // Its owner got no email at any point.
    assert.ok(!fake.state.delivered.some((d) => d.to === 'other@example.com'));
    // Its rows, as the pages read them (row-level security).
    const [[seen]] = stack.sql(`BEGIN; SELECT set_config('role', 'sluice_web', true), set_config('sluice.workspace_id', '${other}', true);
      SELECT count(*) FROM alerts; COMMIT;`).filter((r) => r.length === 1 && /^\d+$/.test(r[0]));
    assert.equal(seen, '0');
    // Its pages: the owner makes a workspace of their own and switches.
    const page = await b.get('/settings');
    const r = await b.post('/settings/workspaces', { csrf: hidden(page.text, 'csrf'), name: 'Elsewhere' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.deepEqual(await banner(b, '/dashboard'), []);
    assert.deepEqual(await banner(b, '/connections'), []);
    const [[nws]] = stack.sql("SELECT id FROM workspaces WHERE name = 'Elsewhere'");
    const back = await b.get('/settings');
    const s = await b.post('/workspace/switch', { csrf: hidden(back.text, 'csrf'), workspace: ws });
    assert.equal(s.status, 303);
    assert.equal((await banner(b, '/dashboard')).length, 1);
    assert.notEqual(nws, ws);
  });

  await t.test('the banner goes once reconnected; no email for an incident never mailed', async () => {
    await reconnect();
    await worker({ SLUICE_RESEND_API_KEY: '' });
    assert.deepEqual(await banner(b, '/dashboard'), []);
    assert.deepEqual(await banner(b, '/connections'), []);
    await worker();	// with the key now: nothing to say about it
    assert.equal(fake.state.calls.length, 0);
  });

  await t.test('the opt-out in Settings: an admin unticks it and gets no email', async () => {
    let page = await b.get('/settings');
    assert.match(page.text, /<input type="checkbox" name="alerts" value="1" checked> Email me when a source needs attention/);
    let r = await b.post('/settings/alerts', { csrf: hidden(page.text, 'csrf') });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/settings?msg=alerts_off');
    page = await b.get('/settings?msg=alerts_off');
    assert.match(page.text, /<input type="checkbox" name="alerts" value="1"> Email me/);
    assert.match(page.text, /You will no longer get alert emails/);
    // The next incident: the other admin only.
    fake.reset();
    garble();
    enqueue();
    await worker();
    assert.deepEqual(to(), ['admin2@example.com']);
    r = await b.post('/settings/alerts', { csrf: hidden(page.text, 'csrf'), alerts: '1' });
    assert.equal(r.headers.get('location'), '/settings?msg=alerts_on');
    assert.equal(stack.sql(`SELECT alert_emails FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'owner@example.com' AND m.workspace_id = ${ws}`)[0][0], 't');
  });

  await t.test('a viewer cannot change the setting', async () => {
    const v = new Client(stack.url);
    stack.sql(`UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email = 'owner@example.com') WHERE email = 'viewer@example.com'`);
    const login = await v.get('/login');
    const r = await v.post('/login', { pre: hidden(login.text, 'pre'), email: 'viewer@example.com', password: PASSWORD });
    assert.equal(r.status, 303, r.text.slice(0, 200));
    const page = await v.get('/settings');
    assert.ok(!page.text.includes('name="alerts"'), 'no checkbox for a viewer');
    const p = await v.post('/settings/alerts', { csrf: hidden(page.text, 'csrf'), alerts: '1' });
    assert.equal(p.status, 403);
    assert.equal((await banner(v, '/dashboard')).length, 1, 'a viewer sees the banner');
  });

  await t.test('disconnected by a person: the banner goes, no "resolved" email', async () => {
    fake.reset();
    assert.equal(alerts().filter((a) => a[3] === 'f').length, 1);
    const page = await b.get('/connections/ga4');
    const r = await b.post('/connections/ga4/disconnect', { csrf: hidden(page.text, 'csrf'), confirm: '1' });
    assert.equal(r.status, 303);
    await worker();
    assert.equal(alerts().filter((a) => a[3] === 'f').length, 0);
    assert.deepEqual(await banner(b, '/dashboard'), []);
    assert.equal(fake.state.calls.length, 0);
    assert.equal(stack.sql('SELECT count(*) FROM alerts WHERE quiet')[0][0], '1');
  });
});
