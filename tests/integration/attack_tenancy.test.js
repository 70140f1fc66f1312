'use strict';
// The tenancy attack suite (issue 15, "Keep it found").  Two workspaces,
// Alpha (an owner and a viewer) and Bravo (an admin), each with sandbox
// connections, synced data, ingested metrics, keys and a digest run.
// Every route of every program's route table — read from cgi-bin/*.c at
// test time, so a new route is attacked without editing this file — is
// tried
//   (a) by Bravo (its session, CSRF token and API key) aimed at Alpha's
//       ids: provider, key id, invite token, workspace, member, run and
//       connection ids, addresses, OAuth state and code;
//   (b) by Alpha's viewer (session, CSRF token and viewer key) on every
//       state-changing route and every admin-only one.
// Nothing may answer 5xx; nothing Bravo gets (body or headers) may name
// Alpha's workspace, addresses, accounts, keys or ids beyond what Bravo
// sent itself; a read must answer Alpha's ids as it answers ids that name
// nothing (no existence oracle); Alpha's state must not change; the
// viewer is refused everywhere but a short list of self-service routes.
// A known hole being worked on can be marked todo in TODO with its issue
// item (none now).  ATTACK_DEBUG=1 (or 2: whole bodies) prints every answer.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startStack, request, ROOT } = require('./lib/stack');
const { Client, hidden } = require('./lib/browser');
const { setupOwner, connectSandbox, formFields } = require('./lib/flows');
const { startFakeResend } = require('./lib/fake_resend');

const PASSWORD = 'alpha and bravo share nothing';
const A = {
  name: 'Alpha Tenant Corp',
  owner: 'alpha-owner@alpha-tenant.example',
  viewer: 'alpha-viewer@alpha-tenant.example',
  pending: 'alpha-pending@alpha-tenant.example',
  metric: 'alpha_secret_metric',
};
const B = { name: 'Bravo Tenant Inc', admin: 'bravo-admin@bravo-tenant.example' };
// Both connect these; Alpha alone ONLY_A, and neither connects NEITHER.
const PROVIDERS = ['ga4', 'github'];
const ONLY_A = 'linkedin';
const NEITHER = 'youtube';
// Ids of each tenant start far apart, so a leaked id is recognisable.
const A_IDS = 7100000;
const B_IDS = 8200000;

// Routes of programs that hold no tenant data: the provider simulator.
const NOT_TENANT = new Set(['sandbox']);

// State-changing routes a viewer may call on purpose, and why.
const SELF_SERVICE = {
  'POST /logout': 'ends the caller\'s own session',
  'POST /settings/digest': 'subscribes or unsubscribes the caller\'s own address',
  'POST /workspace/switch': 'moves the caller\'s own session between its memberships',
  'POST /settings/workspaces': 'makes a new workspace the caller owns; Alpha is untouched',
  'POST /login': 'public: logs in',
  'POST /setup': 'public: closed once a user exists',
  'POST /invite/:token': 'public: the invitation token is the proof',
  'POST /password/forgot': 'public: answers the same for every address, and mails a link only to the address itself',
  'POST /password/reset/:token': 'public: the reset token, mailed to the address, is the proof',
  'POST /v1/digest/unsubscribe': 'public: the signed token names one address',
  'POST /v1/webhooks/resend': 'public: signed by Resend',
  'POST /v1/intel/analyze': 'reads only: a question over the workspace\'s numbers',
  'POST /settings/password': 'changes the caller\'s own password; the current password is the proof',
  'POST /f/:token': 'public: a site\'s inquiry form; the token in the address is the proof',
  'OPTIONS /f/:token': 'public: the CORS preflight of a site\'s inquiry form',
  'GET /internal/metrics': 'reads only: open to loopback clients (a host-local Prometheus), as these tests are; counts, no tenant\'s rows (metrics.test.js refuses a forwarded client without the secret)',
};

// What a route must answer Bravo when it names Alpha's objects, beyond
// the rules every route keeps.
const B_EXPECT = {
  'POST /settings/keys/:id/revoke': [(s) => s === 404, 'another workspace\'s key is not found'],
  'POST /workspace/switch': [(s) => s === 403, 'a workspace Bravo is not a member of is refused'],
  'GET /v1/digest/preview': [(s) => s === 404, 'another workspace\'s member is not found'],
  'POST /v1/digest/test': [(s) => s === 404, 'another workspace\'s member is not found'],
  'GET /oauth/:provider/callback': [(s) => s >= 400 && s < 500, 'another session\'s OAuth state and code are refused'],
  'POST /v1/digest/weekly': [(s) => s !== 429, 'another workspace\'s digest run does not rate-limit this one'],
  'POST /settings/members/:user/remove': [(s) => s === 404, 'another workspace\'s member is not found'],
  'POST /settings/members/:user/role': [(s) => s === 404, 'another workspace\'s member is not found'],
  'POST /settings/invites/:invite/revoke': [(s) => s === 404, 'another workspace\'s invitation is not found'],
};

// Cases that may fail while their fix is in progress, each naming its
// issue item; they run and report but do not fail the suite.
const TODO = {};

// Every route of every program: {program, method, pattern, flags}.
// A route table is `static const struct route routes[] = { {...}, };` of
// { METHODS, "pattern" "parts", handler, FLAGS, max_body } entries whose
// macros are #defines of the same file.
function routeTables() {
  const dir = path.join(ROOT, 'cgi-bin');
  const out = [];
  const programs = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.c')).sort()) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, ' ');
    const table = src.match(/static\s+const\s+struct\s+route\s+routes\s*\[\s*\]\s*=\s*\{([\s\S]*?)\n\};/);
    if (!table) continue;
    const program = f.slice(0, -2);
    programs.push(program);
    const defs = {};
    for (const m of src.matchAll(/^#define\s+([A-Z_][A-Z0-9_]*)\s+(.+)$/gm)) defs[m[1]] = m[2].trim();
    const expand = (x) => {
      for (let i = 0; i < 8; i++) x = x.replace(/\b[A-Z][A-Z0-9_]*\b/g, (w) => (defs[w] !== undefined ? `(${defs[w]})` : w));
      return x;
    };
    for (const e of table[1].matchAll(/\{([^{}]*)\}/g)) {
      const parts = e[1].replace(/"\s+"/g, '').split(',').map((x) => x.trim());
      assert.ok(parts.length >= 4, `${f}: cannot read route ${e[1]}`);
      const methods = (expand(parts[0]).match(/HTTP_[A-Z]+/g) || []).map((m) => m.slice(5));
      const pattern = JSON.parse(parts[1]);
      const flags = new Set(expand(parts[3]).match(/ROUTE_[A-Z]+/g) || []);
      assert.ok(methods.length > 0 && pattern.startsWith('/'), `${f}: cannot read route ${e[1]}`);
      for (const method of methods) out.push({ program, method, pattern, flags, key: `${method} ${pattern}` });
    }
  }
  return { routes: out, programs };
}

const readSecrets = (stack) => Object.fromEntries(fs.readFileSync(path.join(stack.dir, 'secrets.env'), 'utf8')
  .split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

async function login(url, email, password) {
  const c = new Client(url);
  const page = await c.get('/login');
  const r = await c.post('/login', { pre: hidden(page.text, 'pre'), email, password });
  assert.equal(r.status, 303, `login ${email}: ${r.status} ${r.text.slice(0, 200)}`);
  return c;
}

// The CSRF token of a logged-in client, from a page's logout form.
async function csrfOf(c) {
  const r = await c.get('/connections');
  assert.equal(r.status, 200, `csrf page: ${r.status}`);
  return hidden(r.text, 'csrf');
}

test('tenancy attack: every route, another workspace and a viewer', async (t) => {
  const t0 = Date.now();
  const fake = await startFakeResend();
  const stack = await startStack({
    programs: ['api', 'pages', 'oauth', 'sandbox', 'digest', 'webhooks', 'cron'],
    env: {
      SLUICE_WORKER: '0',
      SLUICE_RESEND_API_BASE: fake.url,
      SLUICE_RESEND_API_KEY: 're_test',
      SLUICE_ALLOW_LOOPBACK_HTTP: '1',
    },
  });
  t.after(async () => {
    await fake.close();
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const sql = (q) => stack.sql(q);
  // Each table's ids from its own range: base + 1000 × its rank.
  const ids = (base) => sql(`SELECT setval(format('%I.%I', schemaname, sequencename)::regclass,
      ${base} + 1000 * row_number() OVER (ORDER BY sequencename))
    FROM pg_sequences WHERE schemaname = 'public'`);
  const secrets = readSecrets(stack);
  const worker = () => {
    const r = stack.cli('worker', ['--once', '--procs', '2'], {
      SLUICE_ENCRYPTION_KEYS: secrets.SLUICE_ENCRYPTION_KEYS, SLUICE_SANDBOX: '1',
      SLUICE_BASE_URL: stack.url, SLUICE_SYNC_BACKOFF_S: '0',
    });
    assert.equal(r.status, 0, `worker: ${r.stderr}`);
  };
  const key = (ws, name, role) => {
    const r = stack.cli('api', ['create-key', ws, name, role]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const api = (k, p, opts = {}) => request(`${stack.url}${p}`, {
    ...opts, headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json', ...(opts.headers || {}) },
  });

  // --- Alpha: owner, viewer, connections, data, keys, digest ---------
  ids(A_IDS);
  const owner = await setupOwner(stack.url, { email: A.owner, password: PASSWORD, workspace: A.name });
  const [[wsA]] = sql(`SELECT id FROM workspaces WHERE name = '${A.name}'`);
  for (const slug of [...PROVIDERS, ONLY_A]) {
    const { res } = await connectSandbox(owner, slug, 'allow', { user: '1' });
    assert.equal(res.status, 303, `Alpha connects ${slug}: ${res.text.slice(0, 200)}`);
  }
  const csrf = await csrfOf(owner);
  const invite = async (email, role) => {
    const r = await owner.post('/settings/invite', { csrf, email, role });
    assert.equal(r.status, 200, `invite: ${r.text.slice(0, 200)}`);
    return r.text.match(/\/invite\/([A-Za-z0-9_-]+)/)[1];
  };
  const usedToken = await invite(A.viewer, 'viewer');
  const pendingToken = await invite(A.pending, 'admin');
  const viewer = new Client(stack.url);
  {
    const page = await viewer.get(`/invite/${usedToken}`);
    const r = await viewer.post(`/invite/${usedToken}`, { pre: hidden(page.text, 'pre'), password: PASSWORD });
    assert.equal(r.status, 303, `viewer joins: ${r.text.slice(0, 200)}`);
  }
  const keyA = key(wsA, 'alpha-admin', 'admin');
  const keyV = key(wsA, 'alpha-viewer', 'viewer');
  let r = await api(keyA, '/v1/metrics/ingest', {
    method: 'POST', body: JSON.stringify([1, 2, 3].map((d) => ({ source: 'crm', metric: A.metric, account_id: 'alpha-crm-7731', date: new Date(Date.now() - d * 86400000).toISOString().slice(0, 10), value: 1000 + d }))),
  });
  assert.equal(r.status, 200, r.text);
  for (const slug of [...PROVIDERS, ONLY_A]) assert.equal((await owner.post(`/connections/${slug}/sync`, { csrf })).status, 303);
  worker();
  // A digest run of Alpha's own, in which Resend refuses its addresses.
  fake.next({ status: 200, refuse: [0, 1] });
  r = await api(keyA, '/v1/digest/weekly', { method: 'POST', body: '{"scope":"all"}', timeout: 30000 });
  assert.equal(r.status, 200, r.text);
  // An OAuth flow Alpha started and never finished: its state and code.
  const start = await owner.get('/oauth/github/start');
  const authorize = new URL(start.headers.get('location'));
  const consent = await owner.get(authorize.pathname + authorize.search);
  const granted = await owner.post('/sandbox/consent', { ...Object.fromEntries(formFields(consent.text)), decision: 'allow', user: '1' });
  const callback = new URL(granted.headers.get('location'));
  const aState = callback.searchParams.get('state');
  const aCode = callback.searchParams.get('code');
  assert.ok(aState && aCode, 'no pending OAuth state and code for Alpha');

  // --- Bravo: an admin, connections, data, key ------------------------
  ids(B_IDS);
  const [[wsB]] = sql(`INSERT INTO workspaces (name) VALUES ('${B.name}') RETURNING id`);
  sql(`WITH u AS (INSERT INTO users (email, password_hash)
      SELECT '${B.admin}', password_hash FROM users WHERE email = '${A.owner}' RETURNING id)
    INSERT INTO memberships (workspace_id, user_id, role) SELECT ${wsB}, id, 'admin' FROM u`);
  const bravo = await login(stack.url, B.admin, PASSWORD);
  for (const slug of PROVIDERS) {
    const { res } = await connectSandbox(bravo, slug, 'allow', { user: '2' });
    assert.equal(res.status, 303, `Bravo connects ${slug}: ${res.text.slice(0, 200)}`);
  }
  const keyB = key(wsB, 'bravo-admin', 'admin');
  const csrfB = await csrfOf(bravo);
  for (const slug of PROVIDERS) assert.equal((await bravo.post(`/connections/${slug}/sync`, { csrf: csrfB })).status, 303);
  worker();
  const csrfV = await csrfOf(viewer);

  // --- What Bravo must never see of Alpha -----------------------------
  const accounts = (ws) => sql(`SELECT a->>'id', a->>'name' FROM connections, jsonb_array_elements(accounts) a
    WHERE workspace_id = ${ws} UNION SELECT external_owner, '' FROM connections WHERE workspace_id = ${ws}`).flat();
  const bravoHas = new Set(accounts(wsB));
  const words = [A.name, A.owner, A.viewer, A.pending, A.metric, 'alpha-crm-7731', keyA, keyV, usedToken, pendingToken, aCode,
    ...sql(`SELECT prefix FROM api_keys WHERE workspace_id = ${wsA}`).flat(),
    ...accounts(wsA).filter((x) => x && x.length >= 4 && !bravoHas.has(x))];
  const numbers = sql(`SELECT id FROM workspaces WHERE id = ${wsA}
    UNION SELECT user_id FROM memberships WHERE workspace_id = ${wsA}
    UNION SELECT id FROM connections WHERE workspace_id = ${wsA}
    UNION SELECT id FROM api_keys WHERE workspace_id = ${wsA}
    UNION SELECT id FROM invites WHERE workspace_id = ${wsA}
    UNION SELECT id FROM sync_jobs WHERE workspace_id = ${wsA}
    UNION SELECT id FROM sync_runs WHERE workspace_id = ${wsA}
    UNION SELECT id FROM digest_runs WHERE id < ${B_IDS}`).flat();
  assert.ok(numbers.length >= 10 && numbers.every((n) => Number(n) > A_IDS && Number(n) < B_IDS), `Alpha's ids: ${numbers}`);
  // Alpha's names and ids in text, but not those the request itself
  // carried (an echo of what the caller sent tells it nothing).
  const has = (text, n) => new RegExp(`(?<![0-9])${n}(?![0-9])`).test(text);
  const leaks = (text, sent = '') => [
    ...words.filter((w) => text.toLowerCase().includes(w.toLowerCase()) && !sent.toLowerCase().includes(w.toLowerCase())),
    ...numbers.filter((n) => has(text, n) && !has(sent, n)),
  ];
  // Bravo's own view is clean before the attack: the markers are sound.
  for (const p of ['/dashboard', '/connections', '/settings']) {
    const page = await bravo.get(p);
    assert.equal(page.status, 200);
    assert.deepEqual(leaks(page.text), [], `Bravo's ${p} before the attack`);
  }
  // And they are found where they belong.
  assert.ok(leaks((await owner.get('/settings')).text).length >= 3, 'the markers do not find Alpha in its own settings');

  // Alpha's state: what neither Bravo nor the viewer may change.
  const state = (exceptViewerOwn) => sql(`
    SELECT 'workspace', name || ',' || time_zone FROM workspaces WHERE id = ${wsA}
    UNION ALL SELECT 'members', string_agg(user_id || ':' || role, ' ' ORDER BY user_id) FROM memberships WHERE workspace_id = ${wsA}
    UNION ALL SELECT 'users', string_agg(email || ':' || md5(password_hash), ' ' ORDER BY id) FROM users
      WHERE id IN (SELECT user_id FROM memberships WHERE workspace_id = ${wsA})
    UNION ALL SELECT 'connections', string_agg(concat_ws(':', id, provider, status, md5(coalesce(token_blob, '')),
      md5(accounts::text), md5(selected::text), last_tested_at), ' ' ORDER BY id) FROM connections WHERE workspace_id = ${wsA}
    UNION ALL SELECT 'keys', string_agg(id || ':' || role || ':' || (revoked_at IS NULL), ' ' ORDER BY id) FROM api_keys WHERE workspace_id = ${wsA}
    UNION ALL SELECT 'invites', string_agg(email || ':' || role || ':' || (used_at IS NULL), ' ' ORDER BY email) FROM invites WHERE workspace_id = ${wsA}
    UNION ALL SELECT 'metrics', count(*) || ':' || coalesce(sum(value), 0) FROM metric_daily WHERE workspace_id = ${wsA}
    UNION ALL SELECT 'jobs', count(*)::text FROM sync_jobs WHERE workspace_id = ${wsA}
    UNION ALL SELECT 'runs', count(*)::text FROM sync_runs WHERE workspace_id = ${wsA}
    UNION ALL SELECT 'sends', count(*)::text FROM digest_sends WHERE workspace_id = ${wsA}
    UNION ALL SELECT 'subscriptions', string_agg(email || ':' || subscribed, ' ' ORDER BY email) FROM digest_subscriptions
      WHERE workspace_id = ${wsA} ${exceptViewerOwn ? `AND lower(email) <> '${A.viewer}'` : ''}
    UNION ALL SELECT 'sessions', count(*)::text FROM sessions WHERE workspace_id = ${wsA} ${exceptViewerOwn ? `AND user_id NOT IN (SELECT id FROM users WHERE email = '${A.viewer}')` : ''}
  `);
  const [[aKeyId]] = sql(`SELECT id FROM api_keys WHERE workspace_id = ${wsA} AND name = 'alpha-admin'`);
  const [[aConn]] = sql(`SELECT id FROM connections WHERE workspace_id = ${wsA} AND provider = '${ONLY_A}'`);
  const [[aRun]] = sql(`SELECT max(id) FROM sync_runs WHERE workspace_id = ${wsA}`);
  const [[aUser]] = sql(`SELECT id FROM users WHERE email = '${A.owner}'`);
  const [[aAccount]] = sql(`SELECT selected->>0 FROM connections WHERE workspace_id = ${wsA} AND provider = '${ONLY_A}'`);
  const [[aInvite]] = sql(`SELECT id FROM invites WHERE workspace_id = ${wsA} AND used_at IS NULL`);

  // Alpha's ids in every place a route may read one; and decoys of the
  // same shapes that name nothing at all.
  const alpha = {
    capture: { provider: ONLY_A, id: aKeyId, token: usedToken, user: aUser, invite: aInvite },
    query: {
      email: A.owner, to: A.owner, workspace: wsA, workspace_id: wsA, id: aKeyId, key_id: aKeyId, user_id: aUser,
      member: aUser, connection_id: aConn, run_id: aRun, account: aAccount, provider: ONLY_A, period: '7d',
      limit: '5', token: usedToken, state: aState, code: aCode,
    },
  };
  const decoy = {
    capture: { provider: NEITHER, id: '9100001', token: 'x'.repeat(usedToken.length), user: '9100001', invite: '9100001' },
    query: {
      email: 'nobody@nowhere-tenant.example', to: 'nobody@nowhere-tenant.example', workspace: '9100001',
      workspace_id: '9100001', id: '9100001', key_id: '9100001', user_id: '9100001', member: '9100001',
      connection_id: '9100001', run_id: '9100001', account: 'urn:li:organization:91000001', provider: NEITHER, period: '7d',
      limit: '5', token: 'x'.repeat(usedToken.length), state: 'y'.repeat(aState.length), code: 'z'.repeat(aCode.length),
    },
  };
  for (const v of [alpha, decoy]) {
    v.form = { ...v.query, role: 'admin', name: 'attack', confirm: '1', delete_data: '1', subscribed: '1', time_zone: 'Pacific/Apia', password: 'a guess, not the password' };
    v.json = { ...v.query, scope: 'email', question: 'What did Alpha spend?' };
  }
  // The same, aimed at a provider both workspaces connected.
  const shared = (v) => ({ ...v, capture: { ...v.capture, provider: PROVIDERS[0] } });
  // A route's cases: [label, values, decoy values].
  const cases = (route) => (route.pattern.includes(':provider')
    ? [[` [${ONLY_A}]`, alpha, decoy], [` [${PROVIDERS[0]}]`, shared(alpha), shared(decoy)]]
    : [['', alpha, decoy]]);
  const { routes, programs } = routeTables();
  assert.ok(['api', 'pages', 'oauth', 'digest', 'webhooks', 'cron'].every((p) => programs.includes(p)), `route tables read: ${programs}`);
  const attacked = routes.filter((x) => !NOT_TENANT.has(x.program));
  assert.ok(attacked.length >= 45, `only ${attacked.length} routes read from cgi-bin/`);

  // One request as an actor with values v: its cookie, CSRF token and
  // key all sent, so each route meets the credential it understands.
  // Resolves to the response, with .sent: the URL and body.
  const attempt = async (actor, route, v = alpha) => {
    const p = route.pattern.replace(/:([a-z_]+)/g, (_, name) => {
      assert.ok(name in v.capture, `${route.key}: add an Alpha value for :${name} to this suite`);
      return encodeURIComponent(v.capture[name]);
    });
    const isJson = /^\/(v1|internal)\//.test(route.pattern);
    const headers = { authorization: `Bearer ${actor.key}`, 'x-csrf-token': actor.csrf, cookie: actor.client.cookieHeader() };
    let body;
    if (route.method !== 'GET') {
      headers['content-type'] = isJson ? 'application/json' : 'application/x-www-form-urlencoded';
      body = isJson ? JSON.stringify(v.json) : new URLSearchParams({ ...v.form, csrf: actor.csrf }).toString();
    }
    const url = `${p}?${new URLSearchParams(v.query)}`;
    const res = await request(`${stack.url}${url}`, { method: route.method, headers, body });
    if (process.env.ATTACK_DEBUG) console.log(`# ${actor.name} ${route.key} ${v.capture.provider}${v.query === alpha.query ? '' : ' (decoy)'} -> ${res.status} ${res.text.slice(0, Number(process.env.ATTACK_DEBUG) > 1 ? 2000 : 160).replace(/\s+/g, ' ')}`);
    const plain = (x) => decodeURIComponent(x.replace(/\+/g, ' '));
    res.sent = `${plain(url)}\n${isJson ? body || '' : plain(body || '')}`;
    return res;
  };
  // Routes that end or move the caller's session (a new workspace moves
  // it too) come last, so the routes after them meet the same session.
  const order = (x) => (x.method === 'GET' ? 0 : /logout|switch|workspaces|delete|disconnect|revoke/.test(x.pattern) ? 2 : 1);
  const sorted = [...attacked].sort((x, y) => order(x) - order(y));
  // The state each attempt is compared with: re-read after a change, so
  // a failure names the one route that made it.
  let before = state(false);

  await t.test('(a) Bravo against Alpha\'s ids on every route', async (ta) => {
    const actor = { name: 'B', client: bravo, key: keyB, csrf: csrfB };
    for (const [route, label, v, unknown] of sorted.flatMap((x) => cases(x).map((c) => [x, ...c]))) {
      const name = `B ${route.key}`;
      await ta.test(name + label, TODO[name] ? { todo: TODO[name] } : {}, async () => {
        // A session Bravo ended itself (logout, switch) is renewed.
        if ((await actor.client.get('/settings')).status !== 200) {
          actor.client = await login(stack.url, B.admin, PASSWORD);
          actor.csrf = await csrfOf(actor.client);
        }
        const res = await attempt(actor, route, v);
        assert.ok(res.status < 500, `${name}: ${res.status} ${res.text.slice(0, 300)}`);
        const seen = leaks(`${res.text}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}`, res.sent);
        assert.deepEqual(seen, [], `${name} (${res.status}) shows Alpha's ${seen.join(', ')}`);
        const want = B_EXPECT[route.key];
        if (want) assert.ok(want[0](res.status), `${name}: ${res.status}; ${want[1]}`);
        const after = state(false);
        [before, res.was] = [after, before];
        assert.deepEqual(after, res.was, `${name} (${res.status}) changed Alpha`);
        // A read answers Alpha's ids as it answers ids that name nothing:
        // no way to learn what exists in another workspace.
        if (route.method === 'GET') {
          const other = await attempt(actor, route, unknown);
          assert.equal(res.status, other.status, `${name}: ${res.status} for Alpha's ids, ${other.status} for unknown ones`);
        }
      });
    }
  });

  await t.test('(a) Bravo holds none of Alpha\'s accounts afterwards', () => {
    const mine = new Set(accounts(wsB));
    const theirs = accounts(wsA).filter((x) => x && x.length >= 4 && !bravoHas.has(x));
    assert.deepEqual(theirs.filter((x) => mine.has(x)), []);
  });

  await t.test('(b) Alpha\'s viewer on every state-changing, admin-only and cron route', async (tb) => {
    const actor = { name: 'V', client: viewer, key: keyV, csrf: csrfV };
    let vBefore = state(true);
    const guarded = (x) => x.method !== 'GET' || x.flags.has('ROUTE_ADMIN') || x.flags.has('ROUTE_CRON');
    for (const route of sorted.filter(guarded)) {
      const name = `V ${route.key}`;
      await tb.test(name, TODO[name] ? { todo: TODO[name] } : {}, async () => {
        if ((await actor.client.get('/settings')).status !== 200) {
          actor.client = await login(stack.url, A.viewer, PASSWORD);
          actor.csrf = await csrfOf(actor.client);
        }
        const res = await attempt(actor, route);
        assert.ok(res.status < 500, `${name}: ${res.status} ${res.text.slice(0, 300)}`);
        if (!SELF_SERVICE[route.key]) {
          assert.ok([401, 403].includes(res.status), `${name}: a viewer got ${res.status}; flag the route ROUTE_ADMIN, or list it in SELF_SERVICE with the reason a viewer may call it`);
        }
        const after = state(true);
        [vBefore, res.was] = [after, vBefore];
        assert.deepEqual(after, res.was, `${name} (${res.status}) changed Alpha`);
      });
    }
  });

  await t.test('fast enough to run every time', () => {
    assert.ok(Date.now() - t0 < 60000, `took ${Date.now() - t0} ms`);
  });
});
