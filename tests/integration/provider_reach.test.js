'use strict';
// What a connection reaches at its provider and what it leaves behind:
// Google Ads clients under a manager (listed by name and place in the
// tree, synced with login-customer-id), account names in the pickers,
// revocation at every provider on disconnect, and API versions near
// their sunset or past it.  All through the sandbox.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startStack, TOOLS } = require('./lib/stack');
const { validate, responseSchema } = require('./lib/schema');
const { setupOwner, connectSandbox } = require('./lib/flows');
const { hidden } = require('./lib/browser');

function secrets(stack) {
  const text = fs.readFileSync(path.join(stack.dir, 'secrets.env'), 'utf8');
  return { keys: text.match(/^SLUICE_ENCRYPTION_KEYS=(.*)$/m)[1] };
}

const dayAfter = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

test('provider reach', async (t) => {
  const stack = await startStack({
    programs: ['api', 'pages', 'oauth', 'sandbox', 'cron'],
    // A LinkedIn version retiring in 30 days, a GitHub one retired.
    env: { SLUICE_WORKER: '0', SLUICE_LINKEDIN_API_SUNSET: dayAfter(30), SLUICE_GITHUB_API_SUNSET: dayAfter(-1) },
  });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const worker = (env = {}) => {
    const r = stack.cli('worker', ['--once'], {
      SLUICE_ENCRYPTION_KEYS: secrets(stack).keys, SLUICE_SANDBOX: '1',
      SLUICE_BASE_URL: stack.url, SLUICE_SYNC_BACKOFF_S: '0', SLUICE_SYNC_MAX_ATTEMPTS: '1', ...env,
    });
    assert.equal(r.status, 0, `worker: ${r.stderr}`);
    return r;
  };
  const b = await setupOwner(stack.url);
  const accountsOf = (slug) => JSON.parse(stack.sql(`SELECT accounts FROM connections WHERE provider = '${slug}'`)[0][0]);
  const enqueue = (slug) => stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections WHERE provider = '${slug}'`);
  const lastRun = (slug) => {
    const [[status, err]] = stack.sql(`SELECT status, coalesce(error, '') FROM sync_runs WHERE provider = '${slug}' ORDER BY id DESC LIMIT 1`);
    return { status, err };
  };

  await t.test('Google Ads: clients under a manager, by name, synced through the manager', async () => {
    const { res } = await connectSandbox(b, 'google_ads');
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const accts = accountsOf('google_ads');
    const byName = (re) => accts.find((a) => re.test(a.name));
    const cafe = byName(/^Café Zürich AG — 4\d\d-\d\d\d-\d\d\d\d \(via Sandbox Manager 9\d{9}\)$/);
    const nord = byName(/^Bäckerei Nord GmbH — 4\d\d-\d\d\d-\d\d\d\d \(via Sandbox Manager 9\d{9} › Agentur Süd \(Manager\)\)$/);
    assert.ok(cafe, JSON.stringify(accts));
    assert.ok(nord, JSON.stringify(accts));
    const manager = cafe.name.match(/Sandbox Manager (\d+)/)[1];
    assert.equal(cafe.login_customer_id, manager);
    assert.equal(nord.login_customer_id, manager);
    // Managers are not offered, nor the cancelled client.
    assert.ok(!accts.some((a) => /^[89]/.test(a.id)), JSON.stringify(accts));
    assert.ok(!accts.some((a) => /Alte Kampagnen/.test(a.name)), JSON.stringify(accts));
    // The clients reached directly: by name, without a manager.
    const direct = accts.filter((a) => /^Sandbox Client \d+ — \d{3}-\d{3}-\d{4}$/.test(a.name));
    assert.equal(direct.length, 2, JSON.stringify(accts));
    assert.ok(direct.every((a) => !a.login_customer_id && a.time_zone && a.currency));

    // The picker shows the names.
    const page = await b.get('/connections/google_ads');
    assert.match(page.text, /Café Zürich AG — 4\d\d-\d\d\d-\d\d\d\d/);

    stack.sql(`UPDATE connections SET selected = '["${cafe.id}", "${nord.id}"]' WHERE provider = 'google_ads'`);
    enqueue('google_ads');
    worker();
    let run = lastRun('google_ads');
    assert.equal(run.status, 'ok', run.err);
    for (const a of [cafe, nord]) {
      const [[n]] = stack.sql(`SELECT count(*) FROM metric_daily WHERE provider = 'google_ads' AND account_id LIKE '${a.id}:%' AND metric = 'cost_micros'`);
      assert.ok(Number(n) > 0, `${a.name}: no rows`);
    }

    // Without the manager's id the sandbox refuses, as Google does.
    stack.sql(`UPDATE connections SET accounts = (SELECT jsonb_agg(a - 'login_customer_id') FROM jsonb_array_elements(accounts) a), selected = '["${cafe.id}"]' WHERE provider = 'google_ads'`);
    enqueue('google_ads');
    worker();
    run = lastRun('google_ads');
    assert.notEqual(run.status, 'ok');
    assert.match(run.err, /login-customer-id|manager/i);
  });

  await t.test('LinkedIn: the picker shows the organizations by name', async () => {
    const { res } = await connectSandbox(b, 'linkedin');
    assert.equal(res.status, 303);
    const accts = accountsOf('linkedin');
    assert.ok(accts.length >= 2, JSON.stringify(accts));
    for (const a of accts) assert.equal(a.name, `Sandbox Org ${a.id}`);
    // The login is named by its first page (the role list names none).
    const [[owner, label]] = stack.sql("SELECT external_owner, owner_label FROM connections WHERE provider = 'linkedin'");
    assert.match(owner, /^urn:li:person:sbxUser\d+$/);
    assert.equal(label, `Sandbox Org ${accts[0].id} (member ${owner.slice(14)})`);
    const page = await b.get('/connections/linkedin');
    assert.match(page.text, /Sandbox Org \d+/);
    assert.doesNotMatch(page.text, /Organization \d+/);
  });

  // The access log's lines for the sandbox since mark (its length).
  const logFile = path.join(stack.dir, 'log', 'nginx-access.log');
  const logMark = () => (fs.existsSync(logFile) ? fs.statSync(logFile).size : 0);
  const logSince = (mark) => fs.readFileSync(logFile, 'utf8').slice(mark);
  const disconnect = async (slug) => {
    const page = await b.get(`/connections/${slug}`);
    const r = await b.post(`/connections/${slug}/disconnect`, { csrf: hidden(page.text, 'csrf'), confirm: '1' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const [[status, blob]] = stack.sql(`SELECT status, coalesce(token_blob, '') FROM connections WHERE provider = '${slug}'`);
    assert.equal(status, 'disconnected');
    assert.equal(blob, '', `${slug}: tokens left`);
    return r.headers.get('location');
  };

  await t.test('disconnect revokes at every provider that offers it', async () => {
    const expect = {
      github: /"DELETE \/sandbox\/github-api\/applications\/sluice-sandbox-client\/grant" 204 /,
      linkedin: /"POST \/sandbox\/linkedin-www\/oauth\/v2\/revoke" 200 /,
      facebook: /"DELETE \/sandbox\/graph\/v27\.0\/me\/permissions" 200 /,
      slack: /"POST \/sandbox\/slack\/api\/auth\.revoke" 200 /,
    };
    for (const slug of Object.keys(expect)) {
      const { res } = await connectSandbox(b, slug);
      assert.equal(res.status, 303, `${slug}: ${res.text.slice(0, 300)}`);
    }
    for (const [slug, re] of Object.entries(expect)) {
      const mark = logMark();
      const where = await disconnect(slug);
      assert.equal(where, '/connections?msg=disconnected', slug);
      assert.match(logSince(mark), re, `${slug}: no revocation reached the sandbox`);
    }
  });

  await t.test('a login another connection shares is revoked with the last of them', async () => {
    // google_ads (connected above) and ga4 share the Google login.
    const { res } = await connectSandbox(b, 'ga4');
    assert.equal(res.status, 303);
    let mark = logMark();
    let where = await disconnect('ga4');
    assert.equal(where, '/connections?msg=disconnected_shared');
    assert.doesNotMatch(logSince(mark), /google-oauth\/revoke/);
    const list = await b.get(where);
    assert.match(list.text, /access at the provider stays while another connection uses the same login/);
    mark = logMark();
    where = await disconnect('google_ads');
    assert.equal(where, '/connections?msg=disconnected');
    assert.match(logSince(mark), /"POST \/sandbox\/google-oauth\/revoke" 200 /);
  });

  await t.test('a revocation that fails is said on the page; the tokens are deleted anyway', async () => {
    const { res } = await connectSandbox(b, 'github');
    assert.equal(res.status, 303);
    // The stored token gets the sandbox's 500 from now on (connecting
    // with it would fail at "who is this login", before anything is
    // stored).
    const vault = (...args) => spawnSync(path.join(TOOLS, 'vault_tool'), args, { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: secrets(stack).keys } });
    const [[id, ws, blob]] = stack.sql("SELECT id, workspace_id, token_blob FROM connections WHERE provider = 'github'");
    const opened = vault('open', ws, 'github', id, blob);
    assert.equal(opened.status, 0, opened.stderr);
    const tok = JSON.parse(opened.stdout);
    tok.access_token = tok.access_token.replace('S1.', '-fault-500-S1.');
    const sealed = vault('seal', ws, 'github', id, JSON.stringify(tok));
    assert.equal(sealed.status, 0, sealed.stderr);
    stack.sql(`UPDATE connections SET token_blob = '${sealed.stdout.trim()}' WHERE id = ${id}`);
    const mark = logMark();
    const where = await disconnect('github');
    assert.equal(where, '/connections?msg=disconnected_unrevoked');
    assert.match(logSince(mark), /"DELETE \/sandbox\/github-api\/applications\/sluice-sandbox-client\/grant" 500 /);
    const list = await b.get(where);
    assert.match(list.text, /did not confirm that it revoked Sluice(&#39;|&#x27;|')s access/);
  });

  await t.test('a login another workspace uses is revoked with the last of them', async () => {
    // The same GitHub login in two workspaces: revoking its grant would
    // end it for both, so the first disconnect keeps it.
    const [[first]] = stack.sql('SELECT min(id) FROM workspaces');
    let page = await b.get('/settings');
    let r = await b.post('/settings/workspaces', { csrf: hidden(page.text, 'csrf'), name: 'Client B' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const [[second]] = stack.sql("SELECT id FROM workspaces WHERE name = 'Client B'");
    const connectIn = async (ws) => {
      page = await b.get('/settings');
      r = await b.post('/workspace/switch', { csrf: hidden(page.text, 'csrf'), workspace: ws });
      assert.equal(r.status, 303);
      const { res } = await connectSandbox(b, 'github');
      assert.equal(res.status, 303, res.text.slice(0, 300));
    };
    await connectIn(second);
    await connectIn(first);
    const owners = stack.sql("SELECT DISTINCT external_owner FROM connections WHERE provider = 'github' AND token_blob IS NOT NULL");
    assert.equal(owners.length, 1, 'one login in both workspaces');
    assert.notEqual(owners[0][0], '');
    let mark = logMark();
    page = await b.get('/connections/github');
    r = await b.post('/connections/github/disconnect', { csrf: hidden(page.text, 'csrf'), confirm: '1' });
    assert.equal(r.headers.get('location'), '/connections?msg=disconnected_shared');
    assert.doesNotMatch(logSince(mark), /applications\/sluice-sandbox-client\/grant/);
    // The other workspace's connection still has its tokens; its own
    // disconnect, the last, revokes.
    assert.equal(stack.sql(`SELECT count(*) FROM connections WHERE provider = 'github' AND workspace_id = ${second} AND token_blob IS NOT NULL`)[0][0], '1');
    page = await b.get('/settings');
    await b.post('/workspace/switch', { csrf: hidden(page.text, 'csrf'), workspace: second });
    mark = logMark();
    page = await b.get('/connections/github');
    r = await b.post('/connections/github/disconnect', { csrf: hidden(page.text, 'csrf'), confirm: '1' });
    assert.equal(r.headers.get('location'), '/connections?msg=disconnected');
    assert.match(logSince(mark), /"DELETE \/sandbox\/github-api\/applications\/sluice-sandbox-client\/grant" 204 /);
    page = await b.get('/settings');
    await b.post('/workspace/switch', { csrf: hidden(page.text, 'csrf'), workspace: first });
  });

  await t.test('the API says whether the access was revoked', async () => {
    const { res } = await connectSandbox(b, 'linkedin');
    assert.equal(res.status, 303);
    const ws = stack.sql('SELECT id FROM workspaces')[0][0];
    const key = stack.cli('api', ['create-key', ws, 'admin key', 'admin']).stdout.trim();
    const r = await fetch(`${stack.url}/v1/connections/linkedin`, { method: 'DELETE', headers: { Authorization: `Bearer ${key}` } });
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.deepEqual(body, { status: 'disconnected', revoked: true });
    // As the OpenAPI document describes it.
    assert.deepEqual(validate(responseSchema('/v1/connections/{provider}', 'delete'), body), []);
  });

  await t.test('/v1/providers names an unknown query parameter (400) as the other routes do', async () => {
    const ws = stack.sql('SELECT id FROM workspaces ORDER BY id LIMIT 1')[0][0];
    const key = stack.cli('api', ['create-key', ws, 'viewer key', 'viewer']).stdout.trim();
    const get = (q) => fetch(`${stack.url}/v1/providers${q}`, { headers: { Authorization: `Bearer ${key}` } });
    let r = await get('');
    assert.equal(r.status, 200);
    for (const [q, name] of [['?bogus=1', 'bogus'], ['?provider=ga4', 'provider'], ['?%3Cb%3E=1', '<b>']]) {
      r = await get(q);
      assert.equal(r.status, 400, q);
      const body = await r.json();
      assert.equal(body.error.code, 'bad_request', q);
      assert.ok(body.error.message.startsWith(`${name} is not a parameter of /v1/providers`), body.error.message);
    }
  });

  await t.test('API versions near their sunset are warned of: /readyz, the pages, the log', async () => {
    // /readyz: the providers with credentials (here LinkedIn and GitHub,
    // on a stack of its own), not those in sandbox mode.
    let r = await fetch(`${stack.url}/readyz`);
    assert.equal(r.status, 200);
    assert.equal((await r.json()).warnings, undefined);
    const real = await startStack({ programs: ['api'], env: {
      SLUICE_LINKEDIN_CLIENT_ID: 'li-id', SLUICE_LINKEDIN_CLIENT_SECRET: 'li-secret', SLUICE_LINKEDIN_API_SUNSET: dayAfter(30),
      SLUICE_GITHUB_CLIENT_ID: 'gh-id', SLUICE_GITHUB_CLIENT_SECRET: 'gh-secret', SLUICE_GITHUB_API_SUNSET: dayAfter(-1),
      SLUICE_MAILCHIMP_CLIENT_ID: 'mc-id', SLUICE_MAILCHIMP_CLIENT_SECRET: 'mc-secret',
    } });
    try {
      r = await fetch(`${real.url}/readyz`);
    } finally {
      const reports = real.stop();
      assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
    }
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.equal(body.status, 'ok');
    const w = body.warnings || [];
    assert.ok(w.some((x) => /^LinkedIn: API version 202607 is retired on \d{4}-\d\d-\d\d \(in 30 days\); set SLUICE_LINKEDIN_VERSION /.test(x)), JSON.stringify(w));
    assert.ok(w.some((x) => /^GitHub: API version 2022-11-28 was retired on .*; set SLUICE_GITHUB_API_VERSION /.test(x)), JSON.stringify(w));
    assert.equal(w.length, 2, JSON.stringify(w));
    // The pages show it for a connection in use; the log of its sync.
    await connectSandbox(b, 'linkedin');
    const page = await b.get('/connections');
    assert.match(page.text, /LinkedIn: API version 202607 is retired on/);
    assert.match((await b.get('/connections/linkedin')).text, /LinkedIn: API version 202607 is retired on/);
    assert.doesNotMatch(page.text, /GitHub: API version/, 'a provider not in use is not warned of on the page');
    enqueue('linkedin');
    const out = worker();
    assert.match(out.stderr, /LinkedIn: API version 202607 is retired on/);
  });

  await t.test('a retired version (LinkedIn 426) is a connection error naming the variable, not retried', async () => {
    stack.sql(`DELETE FROM sync_jobs`);
    enqueue('linkedin');
    worker({ SLUICE_LINKEDIN_VERSION: '202401', SLUICE_SYNC_MAX_ATTEMPTS: '5' });
    const run = lastRun('linkedin');
    assert.equal(run.status, 'error');
    assert.match(run.err, /LinkedIn no longer accepts API version 202401 \(HTTP 426\): set SLUICE_LINKEDIN_VERSION/);
    const [[status, attempts]] = stack.sql(`SELECT status, attempts FROM sync_jobs WHERE connection_id = (SELECT id FROM connections WHERE provider = 'linkedin') ORDER BY id DESC LIMIT 1`);
    assert.notEqual(status, 'queued', 'retried as if it were an outage');
    assert.equal(attempts, '1');
    const [[err]] = stack.sql(`SELECT coalesce(last_error, '') FROM connections WHERE provider = 'linkedin'`);
    assert.match(err, /SLUICE_LINKEDIN_VERSION/);
  });

  await t.test('Meta Ads: the default Marketing API version syncs, an expired one (2635) is a connection error', async () => {
    stack.sql(`DELETE FROM sync_jobs`);
    const { res } = await connectSandbox(b, 'meta_ads');
    assert.equal(res.status, 303, res.text.slice(0, 300));
    enqueue('meta_ads');
    worker();
    let run = lastRun('meta_ads');
    assert.equal(run.status, 'ok', run.err);
    // v24.0 expired on 2026-11-10 (Meta's version history).
    enqueue('meta_ads');
    worker({ SLUICE_META_ADS_API_VERSION: 'v24.0', SLUICE_SYNC_MAX_ATTEMPTS: '5' });
    run = lastRun('meta_ads');
    assert.equal(run.status, 'error');
    assert.match(run.err, /Meta Ads no longer accepts API version v24\.0 \(HTTP 400\): set SLUICE_META_ADS_API_VERSION/);
    const [[status, attempts]] = stack.sql(`SELECT status, attempts FROM sync_jobs WHERE connection_id = (SELECT id FROM connections WHERE provider = 'meta_ads') ORDER BY id DESC LIMIT 1`);
    assert.notEqual(status, 'queued', 'retried as if it were an outage');
    assert.equal(attempts, '1');
  });
});
