'use strict';
// Several logins per provider (issue 17 item 10): a workspace connects
// GA4 as the sandbox's "Ana (agency)" and again as its "Client"; each is
// a connection of its own, named by its login, with its own accounts,
// selection and tokens; reconnecting as Ana is Ana's connection again.
// A slug that names both asks which one (pages) or answers 409 with the
// ids (API); ids address each, never another workspace's; a viewer
// connects and disconnects nothing; disconnecting the Client keeps
// Ana's numbers, and the dashboard counts an account both select once.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { setupOwner, connectSandbox, syncStack, runWorker, workerEnv, providers } = require('./lib/flows');
const { Client, hidden } = require('./lib/browser');
const { request, defer, BIN } = require('./lib/stack');
const { startFakeResend } = require('./lib/fake_resend');

const PASSWORD = 'correct horse battery';

async function login(url, email) {
  const c = new Client(url);
  const page = await c.get('/login');
  const r = await c.post('/login', { pre: hidden(page.text, 'pre'), email, password: PASSWORD });
  assert.equal(r.status, 303, `login ${email}: ${r.status} ${r.text.slice(0, 200)}`);
  return c;
}

test('several logins of one provider', async (t) => {
  const fake = await startFakeResend();
  defer(t, () => fake.close());
  const stack = await syncStack(t, {
    SLUICE_RESEND_API_BASE: fake.url, SLUICE_RESEND_API_KEY: 're_test', SLUICE_ALLOW_LOOPBACK_HTTP: '1',
    SLUICE_MAIL_FROM: 'alerts@hub.example.com',
  });
  const b = await setupOwner(stack.url, { password: PASSWORD });
  const [[ws]] = stack.sql('SELECT id FROM workspaces');
  const key = stack.cli('api', ['create-key', ws, 'k', 'admin']).stdout.trim();
  const api = (method, path) => request(`${stack.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
  const rows = () => stack.sql("SELECT id, external_owner, owner_label, selected::text, token_blob FROM connections WHERE provider = 'ga4' ORDER BY id");
  const csrf = async (c) => hidden((await c.get('/connections')).text, 'csrf');
  const sync = (id) => {
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) VALUES (${ws}, ${id}, 'manual') ON CONFLICT DO NOTHING; UPDATE sync_jobs SET run_after = now() WHERE connection_id = ${id} AND status = 'queued'`);
    runWorker(stack);
    const [[status, err]] = stack.sql(`SELECT status, coalesce(error, '') FROM sync_runs WHERE connection_id = ${id} ORDER BY id DESC LIMIT 1`);
    assert.equal(status, 'ok', err);
  };
  const days = (acct) => Number(stack.sql(`SELECT count(*) FROM metric_daily WHERE provider = 'ga4' AND account_id = '${acct}' AND metric = 'sessions'`)[0][0]);

  // Ana connects, keeps one property, syncs.
  let r = (await connectSandbox(b, 'ga4', 'allow', { user: '1' })).res;
  assert.equal(r.status, 303);
  assert.match(r.headers.get('location'), /^\/connections\/ga4\?connected=1$/, 'one connection: the slug as before');
  const [[ana, anaOwner, anaLabel]] = rows();
  assert.equal(anaOwner, '11000000000000000001');
  assert.equal(anaLabel, 'ana@agency.example');
  const anaAccounts = JSON.parse(stack.sql(`SELECT accounts::text FROM connections WHERE id = ${ana}`)[0][0]).map((a) => a.id);
  assert.ok(anaAccounts.length >= 2);
  const [p1] = anaAccounts;
  stack.sql(`UPDATE connections SET selected = '["${p1}"]' WHERE id = ${ana}`);
  sync(ana);
  // 90 whole days ending yesterday, today, one more for the zone.
  assert.equal(days(p1), 92);
  const anaBlob = rows()[0][4];	// as the sync left it

  let client;
  await t.test('another login is a connection of its own; the first is untouched', async () => {
    r = (await connectSandbox(b, 'ga4', 'allow', { user: '2' })).res;
    assert.equal(r.status, 303);
    const list = rows();
    assert.equal(list.length, 2, 'a second connection, not a replacement');
    assert.deepEqual(list[0], [ana, anaOwner, anaLabel, `["${p1}"]`, anaBlob], "Ana's row: same login, selection and tokens");
    client = list[1][0];
    assert.equal(list[1][1], '11000000000000000002');
    assert.equal(list[1][2], 'client@client.example');
    assert.match(r.headers.get('location'), new RegExp(`^/connections/${client}\\?connected=1$`), 'two: the new one by its id');
    const clientAccounts = JSON.parse(list[1][3]);
    assert.ok(clientAccounts.length > 0 && clientAccounts.every((a) => !anaAccounts.includes(a)), "the Client's own properties");
  });

  await t.test('both are listed with their logins, each with its own page', async () => {
    const page = (await b.get('/connections')).text;
    assert.match(page, new RegExp(`href="/connections/${ana}">Google Analytics 4 <span class="owner">— ana@agency.example</span>`));
    assert.match(page, new RegExp(`href="/connections/${client}">Google Analytics 4 <span class="owner">— client@client.example</span>`));
    assert.match(page, /Connect another login<span class="visually-hidden"> to Google Analytics 4<\/span>/);
    // A screen reader tells the two cards' buttons apart.
    assert.match(page, /Sync now<span class="visually-hidden"> Google Analytics 4 \(client@client\.example\)<\/span>/);
    assert.match(page, /Reconnect<span class="visually-hidden"> Google Analytics 4 \(ana@agency\.example\)<\/span>/);
    const n = (await providers(stack)).length;
    assert.equal((page.match(/<article class="card"/g) || []).length, n + 1, 'a card per provider, GA4 twice');
    for (const [id, label] of [[ana, 'ana@agency.example'], [client, 'client@client.example']]) {
      const one = await b.get(`/connections/${id}`);
      assert.equal(one.status, 200);
      assert.ok(one.text.includes(`<title>Google Analytics 4 — ${label}`), `page ${id} is titled by its login`);
      assert.ok(one.text.includes(`action="/connections/${id}/sync"`), 'its forms are addressed by its id');
      assert.ok(one.text.includes(`data-status-url="/connections/${id}/status"`));
      const st = await b.get(`/connections/${id}/status`);
      assert.equal(st.status, 200);
    }
  });

  await t.test('Reconnect on a login\'s card suggests that login to the provider', async () => {
    const page = (await b.get('/connections')).text;
    assert.ok(page.includes(`href="/oauth/ga4/start?login=${client}">Reconnect`), 'the card names its connection');
    let r = await b.get(`/oauth/ga4/start?login=${client}`);
    assert.equal(r.status, 303);
    const to = new URL(r.headers.get('location'));
    assert.equal(to.searchParams.get('login_hint'), 'client@client.example');
    // The sandbox's sign-in screen starts at that login, as Google's does.
    const consent = await b.get(to.pathname + to.search);
    assert.match(consent.text, /<option value="2" selected>Client/);
    // Another workspace's connection, or garbage, suggests nothing.
    for (const q of ['999999', 'x%27%3Cb%3E', 'facebook']) {
      r = await b.get(`/oauth/ga4/start?login=${q}`);
      assert.equal(r.status, 303, q);
      assert.equal(new URL(r.headers.get('location')).searchParams.get('login_hint'), null, q);
    }
  });

  await t.test('an alert of one of them names its login and links its own page', async () => {
    stack.sql(`INSERT INTO alerts (workspace_id, kind, subject, connection_id, provider) VALUES (${ws}, 'needs_reauth', 'c${client}', ${client}, 'ga4')`);
    const page = (await b.get('/dashboard')).text;
    assert.match(page, new RegExp(`Google Analytics 4 \\(client@client\\.example\\) needs reconnecting since [^<]+ — <a href="/connections/${client}">Reconnect</a>`));
    stack.sql(`DELETE FROM alerts WHERE workspace_id = ${ws}`);
  });

  await t.test('an alert email of one of them names its login, escaped, and links its own page', async () => {
    // The slug is the chooser now: the email must link the id.
    // U+202E would show the subject right to left; U+2028 breaks a line.
    stack.sql(`UPDATE connections SET status = 'needs_reauth', owner_label = 'client <b>&</b>' || U&'\\202E' || 'x' || U&'\\2028' WHERE id = ${client}`);
    try {
      fake.reset();
      // Not spawnSync: the fake Resend answers from this process.
      await new Promise((resolve, reject) => {
        const c = spawn(path.join(BIN, 'worker'), ['--once'], { env: workerEnv(stack), stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.on('data', (d) => { err += d; });
        c.on('error', reject);
        c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited ${code}: ${err}`))));
      });
      const m = fake.state.delivered.find((d) => d.to === 'owner@example.com');
      assert.ok(m, `an alert email: ${JSON.stringify(fake.state.delivered.map((d) => d.subject))}`);
      assert.match(m.subject, /^\[Sluice\] Google Analytics 4 \(client <b>&<\/b> x \) needs reconnecting \(/);
      for (const part of [m.subject, m.text, m.html]) assert.ok(!/[\u202e\u2028]/.test(part), 'no bidi override or line separator');
      assert.ok(m.text.includes(`Reconnect: ${stack.url}/connections/${client}\n`), m.text);
      assert.ok(m.html.includes(`href="${stack.url}/connections/${client}"`), m.html);
      assert.ok(m.html.includes('Google Analytics 4 (client &lt;b&gt;&amp;&lt;/b&gt; x ) needs reconnecting'), m.html);
      assert.ok(!m.html.includes('<b>&'), 'the login is escaped in the HTML');
      assert.ok(!m.html.includes('/connections/ga4"') && !m.text.includes('/connections/ga4\n'), 'not the chooser');
    } finally {
      stack.sql(`UPDATE connections SET status = 'connected', owner_label = 'client@client.example' WHERE id = ${client}; DELETE FROM alerts WHERE workspace_id = ${ws}`);
    }
  });

  await t.test('the slug that names both: a choice on the pages, 409 with the ids in the API', async () => {
    const page = await b.get('/connections/ga4');
    assert.equal(page.status, 200);
    assert.match(page.text, /Google Analytics 4 is connected with 2 logins here: choose one\./);
    assert.equal((page.text.match(/<article class="card"/g) || []).length, 2, 'only the two GA4 cards');
    const form = await b.post('/connections/ga4/sync', { csrf: await csrf(b) });
    assert.equal(form.status, 409);
    for (const path of ['/v1/connections/ga4/sync', '/v1/connections/ga4/test']) {
      const res = await api('POST', path);
      assert.equal(res.status, 409, path);
      assert.equal(res.json.error.code, 'conflict');
      assert.deepEqual(res.json.connections, [{ id: Number(ana), owner: 'ana@agency.example' }, { id: Number(client), owner: 'client@client.example' }]);
    }
    const del = await api('DELETE', '/v1/connections/ga4');
    assert.equal(del.status, 409);
    assert.equal(rows().filter((x) => x[4] !== '').length, 2, 'nothing disconnected');
    const listed = (await api('GET', '/v1/connections')).json.filter((c) => c.provider === 'ga4')
      .map((c) => ({ id: c.id, owner: c.owner })).sort((x, y) => x.id - y.id);
    assert.deepEqual(listed, [{ id: Number(ana), owner: 'ana@agency.example' }, { id: Number(client), owner: 'client@client.example' }]);
  });

  await t.test('each syncs by its id, through the pages and the API', async () => {
    const f = await b.post(`/connections/${client}/sync`, { csrf: await csrf(b) });
    assert.equal(f.status, 303);
    assert.equal(f.headers.get('location'), `/connections/${client}?msg=queued`);
    runWorker(stack);
    const [[status]] = stack.sql(`SELECT status FROM sync_runs WHERE connection_id = ${client} ORDER BY id DESC LIMIT 1`);
    assert.equal(status, 'ok');
    const res = await api('POST', `/v1/connections/${ana}/sync`);
    assert.equal(res.status, 202);
    runWorker(stack);
    assert.equal((await api('POST', `/v1/connections/${ana}/test`)).status, 200);
    const csv = await b.get(`/connections/${client}/export.csv`);
    assert.equal(csv.status, 200);
    assert.ok(!csv.text.includes(p1), "the Client's CSV has none of Ana's properties");
  });

  await t.test('reconnecting as Ana is Ana\'s connection again', async () => {
    r = (await connectSandbox(b, 'ga4', 'allow', { user: '1' })).res;
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), `/connections/${ana}?connected=1`);
    const list = rows();
    assert.equal(list.length, 2);
    assert.deepEqual(list[0].slice(0, 4), [ana, anaOwner, anaLabel, `["${p1}"]`]);
    assert.notEqual(list[0][4], anaBlob, 'fresh tokens sealed to the same row');
  });

  await t.test('another workspace\'s ids are not found; a viewer changes nothing', async () => {
    const [[ws2]] = stack.sql("INSERT INTO workspaces (name) VALUES ('Other') RETURNING id");
    stack.sql(`WITH u AS (INSERT INTO users (email, password_hash) SELECT 'other@example.com', password_hash FROM users WHERE email = 'owner@example.com' RETURNING id)
      INSERT INTO memberships (workspace_id, user_id, role) SELECT ${ws2}, id, 'owner' FROM u`);
    stack.sql(`WITH u AS (INSERT INTO users (email, password_hash) SELECT 'viewer@example.com', password_hash FROM users WHERE email = 'owner@example.com' RETURNING id)
      INSERT INTO memberships (workspace_id, user_id, role) SELECT ${ws}, id, 'viewer' FROM u`);
    const other = await login(stack.url, 'other@example.com');
    const key2 = stack.cli('api', ['create-key', ws2, 'k2', 'admin']).stdout.trim();
    for (const id of [ana, client]) {
      assert.equal((await other.get(`/connections/${id}`)).status, 404);
      assert.equal((await other.get(`/connections/${id}/status`)).status, 404);
      assert.equal((await other.get(`/connections/${id}/export.csv`)).status, 404);
      assert.equal((await other.post(`/connections/${id}/sync`, { csrf: await csrf(other) })).status, 404);
      assert.equal((await other.post(`/connections/${id}/disconnect`, { csrf: await csrf(other), confirm: '1' })).status, 404);
      for (const [m, p] of [['POST', `/v1/connections/${id}/sync`], ['POST', `/v1/connections/${id}/test`], ['DELETE', `/v1/connections/${id}`]]) {
        const res = await request(`${stack.url}${p}`, { method: m, headers: { authorization: `Bearer ${key2}` } });
        assert.equal(res.status, 404, `${m} ${p}`);
      }
    }
    const viewer = await login(stack.url, 'viewer@example.com');
    assert.equal((await viewer.get('/oauth/ga4/start')).status, 403);
    const vp = await viewer.get('/connections');
    assert.doesNotMatch(vp.text, /Connect another login/, 'no button for a viewer');
    assert.equal((await viewer.post(`/connections/${client}/disconnect`, { csrf: await csrf(viewer), confirm: '1' })).status, 403);
    assert.equal(rows().filter((x) => x[4] !== '').length, 2, 'still both connected');
  });

  await t.test('two selecting one property count it once; disconnecting one keeps what the other selects', async () => {
    // The Client is given access to Ana's property too.
    stack.sql(`UPDATE connections SET accounts = accounts || (SELECT accounts FROM connections WHERE id = ${ana}), selected = selected || '["${p1}"]'::jsonb WHERE id = ${client}`);
    sync(client);
    assert.equal(days(p1), 92, 'one row per property and day, whoever syncs it');
    const tiles = (await api('GET', '/v1/dashboard/tiles?period=28d')).json;
    const sessions = tiles.tiles.find((x) => x.provider === 'ga4' && x.metric === 'sessions');
    const [[sum]] = stack.sql(`SELECT sum(value) FROM metric_daily WHERE workspace_id = ${ws} AND provider = 'ga4' AND metric = 'sessions'
      AND day BETWEEN (now() AT TIME ZONE (SELECT time_zone FROM workspaces WHERE id = ${ws}))::date - 28
      AND (now() AT TIME ZONE (SELECT time_zone FROM workspaces WHERE id = ${ws}))::date - 1`);
    assert.equal(sessions.current, Number(sum));
    const clientOnly = JSON.parse(stack.sql(`SELECT selected::text FROM connections WHERE id = ${client}`)[0][0]).filter((a) => a !== p1);
    assert.ok(clientOnly.length > 0 && clientOnly.every((a) => days(a) > 0));
    const d = await b.post(`/connections/${client}/disconnect`, { csrf: await csrf(b), confirm: '1', delete_data: '1' });
    assert.equal(d.status, 303);
    assert.equal(days(p1), 92, "Ana's property keeps its numbers");
    assert.ok(clientOnly.every((a) => days(a) === 0), "the Client's own properties are deleted");
    const [[st, blob]] = stack.sql(`SELECT status, coalesce(token_blob, '') FROM connections WHERE id = ${ana}`);
    assert.equal(st, 'connected');
    assert.notEqual(blob, '', "Ana's tokens stay");
  });

  await t.test("disconnecting a login with its numbers keeps the campaigns of the accounts another login selects", async () => {
    // Google Ads stores a customer's campaigns as "CUSTOMER:CAMPAIGN";
    // only the customer's id is in a connection's selection.
    const ads = () => stack.sql(`SELECT id FROM connections WHERE workspace_id = ${ws} AND provider = 'google_ads' ORDER BY id`).map((x) => x[0]);
    const count = (like) => Number(stack.sql(`SELECT count(*) FROM metric_daily WHERE workspace_id = ${ws} AND provider = 'google_ads' AND account_id LIKE '${like}'`)[0][0]);
    r = (await connectSandbox(b, 'google_ads', 'allow', { user: '1' })).res;
    assert.equal(r.status, 303);
    const [first] = ads();
    sync(first);
    const all = count('%');
    assert.ok(count('%:%') > 0, 'campaign rows stored');
    r = (await connectSandbox(b, 'google_ads', 'allow', { user: '2' })).res;
    assert.equal(r.status, 303);
    const [, second] = ads();
    assert.ok(second, 'a second Google Ads login');
    const d = await b.post(`/connections/${second}/disconnect`, { csrf: await csrf(b), confirm: '1', delete_data: '1' });
    assert.equal(d.status, 303);
    assert.equal(count('%'), all, "the first login's customers keep every row, their campaigns' too");
    // The slug names the one live login again, not a choice of two.
    const page = await b.get('/connections/google_ads');
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /logins here: choose one/);
    assert.match(page.text, /<title>Google Ads — ana@agency\.example · Sluice<\/title>/);
  });

  await t.test('accounts of two logins listed together: the same name is told apart by its id, only then', async () => {
    for (const user of ['1', '2']) {
      r = (await connectSandbox(b, 'meta_ads', 'allow', { user })).res;
      assert.equal(r.status, 303);
    }
    // The second login's last account gets a name of its own.
    stack.sql(`UPDATE connections SET accounts = (SELECT jsonb_agg(CASE WHEN x->>'id' = selected->>(jsonb_array_length(selected) - 1)
      THEN jsonb_set(x, '{name}', '"Client <only> account"') ELSE x END ORDER BY o) FROM jsonb_array_elements(accounts) WITH ORDINALITY t(x, o))
      WHERE id = (SELECT max(id) FROM connections WHERE workspace_id = ${ws} AND provider = 'meta_ads') AND jsonb_array_length(selected) > 1`);
    const conns = stack.sql(`SELECT accounts::text, selected::text FROM connections WHERE workspace_id = ${ws} AND provider = 'meta_ads' ORDER BY id`);
    assert.equal(conns.length, 2);
    const listed = conns.flatMap(([accs, sel]) => JSON.parse(accs).filter((x) => JSON.parse(sel).includes(x.id)));
    assert.ok(listed.length >= 2, 'both logins select accounts');
    const names = listed.map((x) => x.name);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    assert.ok(twice.length > 0, `the sandbox's logins share an account name: ${names}`);
    assert.ok(names.includes('Client <only> account'), names.join(', '));
    // A number of one account, so Meta Ads is on the dashboard with the
    // zones of its accounts, every login's.
    stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
      VALUES (${ws}, 'meta_ads', '${listed[0].id}', 'impressions', (SELECT (now() AT TIME ZONE time_zone)::date - 1 FROM workspaces WHERE id = ${ws}), 5)`);
    const page = await b.get('/dashboard?period=7d');
    assert.equal(page.status, 200);
    const sec = page.text.split('id="p-meta_ads"')[1].split('</section>')[0];
    const line = /<p class="hint">Days in ([^<]*)\.<\/p>/.exec(sec);
    assert.ok(line, sec.slice(0, 400));
    const esc = (x) => x.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    for (const a of listed) {
      const shown = twice.includes(a.name) ? `${a.name} · ${a.id}` : a.name;
      assert.ok(line[1].includes(esc(shown)), `${shown} in ${line[1]}`);
      if (!twice.includes(a.name)) assert.ok(!line[1].includes(esc(`${a.name} · `)), `${a.name} has no id: its name is its own`);
    }
    for (const n of twice) assert.ok(!line[1].includes(`${esc(n)}, ${esc(n)}`), line[1]);
    // Top content lists the accounts' items together: the same.
    const [[c1, c2]] = stack.sql(`SELECT min(id), max(id) FROM connections WHERE workspace_id = ${ws} AND provider = 'meta_ads'`);
    const byConn = conns.map(([accs, sel]) => JSON.parse(accs).filter((x) => JSON.parse(sel).includes(x.id)));
    const pair = byConn[0].map((x) => [x, byConn[1].find((y) => y.name === x.name && y.id !== x.id)]).find(([, y]) => y);
    assert.ok(pair, 'an account name of both logins');
    const other = byConn[0].find((x) => !twice.includes(x.name)) || byConn[1].find((x) => !twice.includes(x.name));
    assert.ok(other, 'an account whose name is its own');
    const items = [[c1, pair[0].id, 'i1', 30], [c2, pair[1].id, 'i2', 20], ...(other ? [[other === byConn[0].find((x) => x.id === other.id) ? c1 : c2, other.id, 'i3', 10]] : [])];
    for (const [conn, acct, item, likes] of items) {
      stack.sql(`INSERT INTO content (workspace_id, connection_id, provider, account_id, item_id, type, caption, published_at)
        VALUES (${ws}, ${conn}, 'meta_ads', '${acct}', '${item}', 'post', 'Item ${item}', now() - interval '2 days');
        INSERT INTO content_metrics (workspace_id, provider, account_id, item_id, day, likes)
        VALUES (${ws}, 'meta_ads', '${acct}', '${item}', current_date, ${likes})`);
    }
    const top = (await b.get('/dashboard?period=7d')).text.split('id="content-overall"')[1].split('</table>')[0];
    assert.ok(top.includes(`Meta Ads · ${esc(pair[0].name)} · ${pair[0].id}<`), top);
    assert.ok(top.includes(`Meta Ads · ${esc(pair[1].name)} · ${pair[1].id}<`), top);
    if (other) assert.ok(top.includes(`Meta Ads · ${esc(other.name)}<`), `${other.name} keeps its name alone: ${top}`);
    // One account both logins select is named once.
    stack.sql(`UPDATE connections SET accounts = accounts || jsonb_build_array((SELECT x FROM connections c, jsonb_array_elements(c.accounts) x WHERE c.workspace_id = ${ws} AND c.provider = 'meta_ads' AND x->>'id' = '${listed[0].id}' LIMIT 1)),
      selected = selected || jsonb_build_array('${listed[0].id}') WHERE id = (SELECT max(id) FROM connections WHERE workspace_id = ${ws} AND provider = 'meta_ads')`);
    const again = (await b.get('/dashboard?period=7d')).text.split('id="p-meta_ads"')[1].split('</section>')[0];
    const line2 = /<p class="hint">Days in ([^<]*)\.<\/p>/.exec(again)[1];
    assert.equal(line2, line[1], 'an account two logins select is listed once');
  });

  await t.test('/v1/github/user and /repos pick one of several GitHub logins by ?connection=', async () => {
    for (const user of ['1', '2']) {
      r = (await connectSandbox(b, 'github', 'allow', { user })).res;
      assert.equal(r.status, 303);
    }
    const gh = stack.sql(`SELECT id FROM connections WHERE workspace_id = ${ws} AND provider = 'github' ORDER BY id`).map((x) => x[0]);
    assert.equal(gh.length, 2);
    let res = await api('GET', '/v1/github/user');
    assert.equal(res.status, 409);
    assert.match(res.json.error.message, /\?connection=\{id\}/);
    // Reconnect suggests the second login by GitHub's login, and the
    // sandbox's sign-in screen starts at that persona (it started at Ana).
    const start = await b.get(`/oauth/github/start?login=${gh[1]}`);
    assert.equal(start.status, 303);
    const to = new URL(start.headers.get('location'));
    assert.equal(to.searchParams.get('login'), 'sandbox-user2');
    assert.match((await b.get(to.pathname + to.search)).text, /<option value="2" selected>Client/);
    const logins = [];
    for (const id of gh) {
      res = await api('GET', `/v1/github/user?connection=${id}`);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      logins.push(res.json.login);
      res = await api('GET', `/v1/github/repos?connection=${id}`);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      assert.ok(res.json.length > 0 && res.json.every((x) => x.full_name.startsWith(`${logins.at(-1)}/`)), 'the repos of that login');
    }
    assert.notEqual(logins[0], logins[1], 'each id its own login');
    // Not a GitHub connection, none at all, another workspace's: 404.
    const [[ws3]] = stack.sql("INSERT INTO workspaces (name) VALUES ('Third') RETURNING id");
    const key3 = stack.cli('api', ['create-key', ws3, 'k3', 'viewer']).stdout.trim();
    for (const [q, k] of [[ana, key], ['999999999', key], [gh[0], key3]]) {
      for (const route of ['user', 'repos']) {
        res = await request(`${stack.url}/v1/github/${route}?connection=${q}`, { headers: { authorization: `Bearer ${k}` } });
        assert.equal(res.status, 404, `${route} ${q}`);
        assert.equal(res.json.error.code, 'not_found');
      }
    }
    for (const [q, name] of [['connection=abc', /^connection /], ['connection=', /^connection /], ['connection=1%27', /^connection /],
      ['connection=9223372036854775807', /^connection .*1 to 18 digits/], ['bogus=1', /^bogus is not a parameter/]]) {
      res = await api('GET', `/v1/github/repos?${q}`);
      assert.equal(res.status, 400, q);
      assert.match(res.json.error.message, name, q);
    }
    // A persona's number before a sandbox fault picks that persona (it
    // was always Ana): Sam's login is a third GitHub connection.
    r = (await connectSandbox(b, 'github', 'allow', { user: '3-fault-none' })).res;
    assert.equal(r.status, 303);
    assert.deepEqual(stack.sql(`SELECT owner_label FROM connections WHERE workspace_id = ${ws} AND provider = 'github' ORDER BY id`).map((x) => x[0]),
      ['sandbox-user1', 'sandbox-user2', 'sandbox-user3']);
  });
});
