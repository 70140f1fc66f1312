'use strict';
// The provider sandbox against the providers' own example exchanges in
// tests/fixtures/providers: every example request is sent to the sandbox
// (URL mapped through GET /sandbox/bases, credentials replaced by sandbox
// tokens obtained through each provider's consent and token endpoints,
// error examples selected with X-Sandbox-Fault) and the answer must have
// the example's status, headers and body shape (same keys at every
// level, same JSON types; array elements compared as the union of their
// shapes).  Then determinism, accounts that differ, and every fault row's
// generic switches.
//
// Nothing here names a provider for the common checks: the providers,
// their authorize and token paths, scopes, token style and fault rows come
// from GET /sandbox/bases (the product's registry and the simulator's
// tables); what an example folder needs beyond its examples (which token
// example logs in, the request of a response-only example, a switch, a
// page to follow, a date that must be recent) is in its conformance.json
// (tests/fixtures/README.md).  A new provider is covered by its fixtures.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startStack, request, FIXTURES } = require('./lib/stack');
const { formFields } = require('./lib/flows');

const PROVIDERS = path.join(FIXTURES, 'providers');
// The sandbox's own client (lib/sandbox/sandbox.c); a folder's
// conformance.json may log in with one of its variants.  Redirect URLs are
// the stack's /oauth/<slug>/callback; a family's is that of its first
// provider.
const CLIENT = 'sluice-sandbox-client';
// RFC 7636's example: the examples that send a code_verifier send this one.
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
// Headers whose presence is not part of the contract.
const IGNORED_HEADERS = new Set(['content-length', 'date', 'content-type']);

// What each example folder's conformance.json says, by example path
// (relative to PROVIDERS): filled by readConformance().
const NOT_EXCHANGES = {};	// examples that describe no exchange: why
const DEFAULT_REQUEST = {};	// folder: the request of its response-only examples
const REQUEST_FOR = {};		// example: the example whose request it answers
const RESPONSE_FOR = {};	// request-only example: the example of its answer
const EDIT = {};		// example: changes to its request (and to the answers that use it)
const SWITCH = {};		// example: the switch that shows its variant
const FOLLOW = {};		// second page: how to reach it from the first
const KEEP_CREDENTIALS = new Set();	// sent with the example's own credentials
const LOGIN = {};		// family: the token examples replayed to log in

const folderOf = (rel) => path.dirname(rel);
const familyOf = (rel) => rel.split('/')[0];

// Reads every conformance.json under PROVIDERS into the tables above.
// Names in it are relative to its folder.
function readConformance() {
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
    }
    const file = path.join(dir, 'conformance.json');
    if (!fs.existsSync(file)) return;
    const folder = path.relative(PROVIDERS, dir);
    const at = (name) => path.normalize(path.join(folder, name));
    const conf = JSON.parse(fs.readFileSync(file, 'utf8'));
    const known = ['_about', 'login', 'default_request', 'not_exchanges', 'request_for', 'response_for', 'edit',
      'switch', 'follow', 'keep_credentials'];
    for (const k of Object.keys(conf)) assert.ok(known.includes(k), `${file}: unknown key ${k} (known: ${known})`);
    const each = (obj, fn) => { for (const [k, v] of Object.entries(obj || {})) fn(at(k), v); };
    if (conf.login) LOGIN[folder] = conf.login.map((s) => ({ ...s, example: at(s.example) }));
    if (conf.default_request) DEFAULT_REQUEST[folder] = at(conf.default_request);
    each(conf.not_exchanges, (rel, why) => { NOT_EXCHANGES[rel] = why; });
    each(conf.request_for, (rel, v) => { REQUEST_FOR[rel] = at(v); });
    each(conf.response_for, (rel, v) => { RESPONSE_FOR[rel] = at(v); });
    each(conf.edit, (rel, v) => { EDIT[rel] = v; });
    each(conf.switch, (rel, v) => { SWITCH[rel] = v; });
    each(conf.follow, (rel, v) => { FOLLOW[rel] = { ...v, after: at(v.after) }; });
    for (const n of conf.keep_credentials || []) KEEP_CREDENTIALS.add(at(n));
    for (const rel of [...Object.values(DEFAULT_REQUEST), ...Object.values(REQUEST_FOR), ...Object.values(RESPONSE_FOR)]) {
      assert.ok(fs.existsSync(path.join(PROVIDERS, rel)), `${file}: no example ${rel}`);
    }
  };
  walk(PROVIDERS);
}

// A value of conformance.json with its {…} filled in: {today-N} is the
// day N days ago (UTC, YYYY-MM-DD); {body.a.b} and {body.a-N} read the
// previous answer's JSON; {link.next} its Link header's next URL.
function fill(value, prev) {
  return value.replace(/\{([a-z_.]+)(?:-(\d+))?\}/gi, (m, name, minus) => {
    let v;
    if (name === 'today') return new Date(Date.now() - Number(minus || 0) * 86400000).toISOString().slice(0, 10);
    if (name === 'link.next') v = (/<([^>]+)>; rel="next"/.exec(prev.headers.get('link')) || [])[1];
    else if (name.startsWith('body.')) v = name.slice(5).split('.').reduce((o, k) => (o == null ? o : o[k]), prev.json);
    assert.ok(v !== undefined && v !== null, `${m}: not in the previous answer`);
    return minus ? String(Number(v) - Number(minus)) : String(v);
  });
}

// Applies an edit of conformance.json to a request: delete ("json.key",
// "query.key", "form.key"), and query, form, json values to set.
function applyEdit(edit, req, prev) {
  for (const p of edit.delete || []) {
    const [part, ...keys] = p.split('.');
    const last = keys.pop();
    const o = keys.reduce((x, k) => x[k], req[part]);
    delete o[last];
  }
  for (const part of ['query', 'form', 'json']) {
    for (const [k, v] of Object.entries(edit[part] || {})) {
      req[part] ||= {};
      req[part][k] = typeof v === 'string' ? fill(v, prev) : v;
    }
  }
  if (edit.url) req.absolute = fill(edit.url, prev);
}

function listExamples() {
  assert.ok(fs.existsSync(PROVIDERS), `missing ${PROVIDERS}`);
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'discovery') walk(p);
      else if (e.isFile() && e.name.endsWith('.json') && e.name !== 'conformance.json') out.push(path.relative(PROVIDERS, p));
    }
  };
  walk(PROVIDERS);
  return out.sort();
}
const load = (rel) => JSON.parse(fs.readFileSync(path.join(PROVIDERS, rel), 'utf8'));

// Shapes: null, boolean, number, string, [union of elements], {key: shape}.
function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
function union(values) {
  const objs = values.filter((v) => typeOf(v) === 'object');
  if (objs.length === values.length && objs.length > 0) {
    const merged = {};
    for (const o of objs) for (const k of Object.keys(o)) (merged[k] ||= []).push(o[k]);
    return { kind: 'object', keys: merged };
  }
  return { kind: 'mixed', types: [...new Set(values.map(typeOf))].sort() };
}
function diff(exp, act, at, out) {
  const te = typeOf(exp);
  const ta = typeOf(act);
  if (te !== ta) { out.push(`${at}: ${te} expected, got ${ta}`); return out; }
  if (te === 'object') {
    for (const k of Object.keys(exp)) if (!(k in act)) out.push(`${at}.${k}: missing`);
    for (const k of Object.keys(act)) if (!(k in exp)) out.push(`${at}.${k}: not in the example`);
    for (const k of Object.keys(exp)) if (k in act) diff(exp[k], act[k], `${at}.${k}`, out);
  } else if (te === 'array' && exp.length > 0 && act.length > 0) {
    const ue = union(exp);
    const ua = union(act);
    if (ue.kind !== ua.kind) out.push(`${at}[]: elements differ`);
    else if (ue.kind === 'mixed') {
      if (ue.types.join() !== ua.types.join()) out.push(`${at}[]: ${ue.types} expected, got ${ua.types}`);
    } else {
      const ke = Object.keys(ue.keys);
      const ka = Object.keys(ua.keys);
      for (const k of ke) if (!ka.includes(k)) out.push(`${at}[].${k}: missing`);
      for (const k of ka) if (!ke.includes(k)) out.push(`${at}[].${k}: not in the example`);
      for (const k of ke) {
        if (!ka.includes(k)) continue;
        const te2 = [...new Set(ue.keys[k].map(typeOf))].sort().join();
        const ta2 = [...new Set(ua.keys[k].map(typeOf))].sort().join();
        if (te2 !== ta2) { out.push(`${at}[].${k}: ${te2} expected, got ${ta2}`); continue; }
        if (te2 === 'object' || te2 === 'array') diff(te2 === 'object' ? mergeObj(ue.keys[k]) : [].concat(...ue.keys[k]),
          te2 === 'object' ? mergeObj(ua.keys[k]) : [].concat(...ua.keys[k]), `${at}[].${k}`, out);
      }
    }
  }
  return out;
}
// Objects merged into one (keys union; first value kept per key, arrays concatenated).
function mergeObj(list) {
  const m = {};
  for (const o of list) {
    for (const [k, v] of Object.entries(o)) {
      if (!(k in m)) m[k] = v;
      else if (Array.isArray(m[k]) && Array.isArray(v)) m[k] = m[k].concat(v);
      else if (typeOf(m[k]) === 'object' && typeOf(v) === 'object') m[k] = mergeObj([m[k], v]);
    }
  }
  return m;
}

function formKeys(s) { return [...new URLSearchParams(s).keys()].sort().join(','); }

// --- the sandbox client ------------------------------------------------

function makeClient(url) {
  let index;
  const c = {
    url,
    // GET /sandbox/bases: the URL bases and the simulated providers.
    async index() {
      if (!index) index = (await request(`${url}/sandbox/bases`)).json;
      return index;
    },
    async bases() { return (await c.index()).bases; },
    // The first provider of a family (its registered redirect URL, its
    // authorize URL, scopes and token style); fails naming the family.
    first(family) {
      const p = index.providers.find((x) => x.family === family && x.first);
      assert.ok(p, `no provider of family ${family} in GET /sandbox/bases (fixtures folder ${family}/)`);
      return p;
    },
    async map(real) {
      let best = null;
      for (const b of await c.bases()) {
        if (b.real.includes('{dc}')) {
          const m = /^https:\/\/([a-z0-9]+)\.api\.mailchimp\.com(.*)$/.exec(real);
          if (m) return `${url}${b.path.replace('{dc}', m[1])}${m[2]}`;
          continue;
        }
        if (real.startsWith(b.real) && (!best || b.real.length > best.real.length)) best = b;
      }
      assert.ok(best, `no sandbox base for ${real}`);
      return `${url}${best.path}${real.slice(best.real.length)}`;
    },
    // The registered redirect URL of a family (google, meta, ...).
    redirect(family) {
      return `${url}/oauth/${c.first(family).slug}/callback`;
    },
    // The authorize page (the product's scopes and parameters), its
    // consent form posted (Allow), and the code from the redirect.  user
    // is the consent page's own choice.
    async code(family, fields = {}) {
      const p = c.first(family);
      const params = Object.fromEntries(new URLSearchParams(p.auth_params));
      const { user, ...query } = { client_id: CLIENT, redirect_uri: c.redirect(family), state: 'st8',
        ...(p.scopes ? { scope: p.scopes } : {}), ...params, ...fields };
      const page = await request(`${url}${p.authorize}?${new URLSearchParams(query)}`);
      assert.equal(page.status, 200, page.text);
      const body = new URLSearchParams({ ...Object.fromEntries(formFields(page.text)), decision: 'allow', ...(user ? { user } : {}) });
      const r = await request(`${url}/sandbox/consent`, { method: 'POST', body });
      assert.equal(r.status, 302, r.text);
      return new URL(r.headers.get('location')).searchParams.get('code');
    },
    async post(p, form, headers = {}) {
      return request(`${url}${p}`, { method: 'POST', body: new URLSearchParams(form), headers });
    },
  };
  return c;
}

// Tokens of every family, obtained the way Sluice will: the token examples
// its conformance.json names under "login", replayed in order with a code
// from the consent page (and each step's client_id); the last answer is
// the family's tokens ("as": "refresh": the tokens its refresh examples
// send, under "<family>/refresh").
async function login(c) {
  const t = {};
  const families = [...new Set((await c.index()).providers.map((p) => p.family))];
  for (const family of families) {
    const steps = LOGIN[family];
    assert.ok(steps && steps.length, `${family}: tests/fixtures/providers/${family}/conformance.json has no "login": ` +
      'name the token example(s) to replay to log in');
    for (const step of steps) {
      const ex = load(step.example);
      const r = await replay(c, t, step.example, { ...ex, response: { status: 200 } }, { client: step.client_id, noFault: true });
      assert.equal(r.status, 200, `${family} login with ${step.example}: ${r.text}`);
      const tok = r.json || Object.fromEntries(new URLSearchParams(r.text));
      assert.ok(tok.access_token, `${family} login with ${step.example}: no access_token in ${r.text}`);
      t[step.as ? `${family}/${step.as}` : family] = tok;
    }
  }
  return t;
}

// Builds and sends the sandbox request for one example file.  extra:
// fault (the switch), prepare (a last change to the request), client (the
// client_id that consents), noFault (no switch from the file's name).
async function replay(c, tokens, rel, ex, extra = {}) {
  const family = familyOf(rel);
  const folder = folderOf(rel);
  const srcRel = ex.request ? rel : ex.request_file ? path.join(folder, ex.request_file)
    : REQUEST_FOR[rel] || DEFAULT_REQUEST[folder] || DEFAULT_REQUEST[family] ||
      assert.fail(`${rel}: no request; give ${folder}/conformance.json a default_request or request_for`);
  const src = srcRel === rel ? ex : load(srcRel);
  const rq = src.request;
  const req = { query: { ...(rq.query || {}) }, form: rq.form ? { ...rq.form } : null, absolute: null,
    json: rq.json ? JSON.parse(JSON.stringify(rq.json)) : null };
  const tok = tokens[family] || { access_token: 'no-login-yet', refresh_token: 'no-login-yet' };
  const scheme = c.first(family).auth_scheme;
  const headers = {};
  let credentials = false;
  for (const [k, v] of Object.entries(rq.headers || {})) {
    if (/^(content-type|host)$/i.test(k)) continue;
    if (/^authorization$/i.test(k)) credentials = true;
    if (/^authorization$/i.test(k) && !/^Basic/.test(v) && !KEEP_CREDENTIALS.has(rel)) {
      headers[k] = `${scheme} ${tok.access_token}`;
    } else headers[k] = v;
  }
  const fields = req.form || req.query;
  for (const k of ['access_token', 'fb_exchange_token', 'input_token']) {
    if (req.query[k]) { req.query[k] = tok.access_token; credentials = true; }
  }
  if (req.json && req.json.access_token) req.json.access_token = tok.access_token;
  if (fields.code) {
    const consent = fields.code_verifier ? { code_challenge: CHALLENGE, code_challenge_method: 'S256' } : {};
    if (extra.client) consent.client_id = extra.client;
    if (extra.client && fields.client_id) fields.client_id = extra.client;
    if (fields.redirect_uri) fields.redirect_uri = c.redirect(family);
    fields.code = await c.code(family, consent);
    credentials = true;
  }
  if (req.form && req.form.refresh_token) {
    req.form.refresh_token = (tokens[`${family}/refresh`] || tok).refresh_token;
    credentials = true;
  }
  if (req.form && req.form.token) { req.form.token = tok.refresh_token || tok.access_token; credentials = true; }
  if (fields.grant_type || fields.client_secret) credentials = true;
  // An API call the example shows without its credentials gets the token
  // the way the product sends it.
  if (!credentials && !KEEP_CREDENTIALS.has(rel)) headers.Authorization = `${scheme} ${tok.access_token}`;
  const sw = extra.fault || SWITCH[rel] || (!extra.noFault && (ex.response.status >= 400 || /error/.test(path.basename(rel)))
    ? path.basename(rel, '.json') : null);
  if (sw) headers['X-Sandbox-Fault'] = sw;
  // the example's own edit, else that of the example whose request it is
  if (EDIT[rel] || EDIT[srcRel]) applyEdit(EDIT[rel] || EDIT[srcRel], req, null);
  if (extra.prepare) extra.prepare(req);
  let url = req.absolute;
  if (!url) {
    url = await c.map(rq.url);
    const qs = Object.entries(req.query).map(([k, v]) => `${encodeURIComponent(k)}=${
      /%[0-9A-Fa-f]{2}|\(/.test(v) ? v : encodeURIComponent(v)}`).join('&');
    if (qs) url += `?${qs}`;
  }
  const opts = { method: rq.method, headers };
  if (req.form) opts.body = new URLSearchParams(req.form);
  else if (req.json) { opts.body = JSON.stringify(req.json); headers['Content-Type'] = 'application/json'; }
  return request(url, opts);
}


function conforms(ex, r) {
  const problems = [];
  const exp = ex.response;
  if (r.status !== exp.status) problems.push(`status ${r.status}, example ${exp.status}`);
  for (const h of Object.keys(exp.headers || {})) {
    if (IGNORED_HEADERS.has(h.toLowerCase())) continue;
    if (!r.headers.has(h)) problems.push(`header ${h} missing`);
  }
  const ct = (exp.headers || {})['Content-Type'];
  if (ct && (r.headers.get('content-type') || '').split(';')[0].trim().toLowerCase() !== ct.split(';')[0].trim().toLowerCase()) {
    problems.push(`content-type ${r.headers.get('content-type')}, example ${ct}`);
  }
  if ('body' in exp) {
    if (r.json === undefined) problems.push(`body is not JSON: ${r.text.slice(0, 120)}`);
    else problems.push(...diff(exp.body, r.json, '$', []));
  } else if ('body_raw' in exp) {
    if (exp.body_raw === '') { if (r.text !== '') problems.push('body should be empty'); }
    else if (formKeys(exp.body_raw) !== formKeys(r.text)) problems.push(`form keys ${formKeys(r.text)}, example ${formKeys(exp.body_raw)}`);
  }
  return problems;
}

// Authorize descriptions: the consent page, then Allow and Deny redirects
// with the provider's own callback parameters.
async function checkAuthorize(c, ex, top) {
  const rq = ex.request;
  const q = { ...rq.query, client_id: CLIENT, redirect_uri: c.redirect(top) };
  const url = `${await c.map(rq.url)}?${new URLSearchParams(q)}`;
  const page = await request(url);
  const problems = [];
  if (page.status !== 200 || !/Allow/.test(page.text) || !/Deny/.test(page.text)) problems.push('no consent page');
  const fields = Object.fromEntries(formFields(page.text));
  for (const [decision, key] of [['allow', 'callback_query_success'], ['deny', 'callback_query_denied']]) {
    const want = ex[key];
    if (!want) continue;
    const r = await request(`${c.url}/sandbox/consent`, { method: 'POST',
      body: new URLSearchParams({ ...fields, decision }) });
    if (r.status !== 302) { problems.push(`${decision}: status ${r.status}`); continue; }
    const got = [...new URL(r.headers.get('location')).searchParams.keys()].sort().join(',');
    const exp = Object.keys(want).sort().join(',');
    if (got !== exp) problems.push(`${decision}: ${got}, example ${exp}`);
  }
  return problems;
}

test('sandbox conformance', async (t) => {
  const stack = await startStack({ programs: ['sandbox'], env: { SLUICE_SANDBOX: '1' } });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  readConformance();
  const c = makeClient(stack.url);
  const { providers } = await c.index();
  assert.ok(providers.length > 0, 'GET /sandbox/bases lists no providers');
  const tokens = await login(c);
  const files = listExamples();
  assert.ok(files.length > 100, `only ${files.length} examples under ${PROVIDERS}`);
  const tally = {};
  const failures = [];
  // API (X-Sandbox-Api) -> an example whose request it answered with 200
  // and no switch: where its fault rows' generic switches are tried.
  const reaches = {};
  const seen = (rel, ex, r) => {
    const api = r.headers.get('x-sandbox-api');
    if (api && r.status === 200 && !SWITCH[rel] && !reaches[api]) reaches[api] = { rel, ex };
    return r;
  };

  await t.test('every example exchange', async () => {
    for (const rel of files) {
      const row = (tally[folderOf(rel)] ||= { conform: 0, total: 0, skipped: 0 });
      const ex = load(rel);
      if (NOT_EXCHANGES[rel]) { row.skipped++; continue; }
      row.total++;
      let problems;
      if (ex.response && ex.response.status === 302) {
        const key = /error/.test(rel) ? 'callback_query_denied' : 'callback_query_success';
        // a callback: the authorize description of its folder, answered
        const auth = files.find((f) => folderOf(f) === folderOf(rel) && !(load(f).response || {}).status);
        problems = auth ? await checkAuthorize(c, { request: load(auth).request, [key]: ex.callback_query }, familyOf(rel))
          : [`no authorize description in ${folderOf(rel)}/ for this callback`];
      } else if (RESPONSE_FOR[rel]) {
        problems = conforms(load(RESPONSE_FOR[rel]), seen(rel, ex,
          await replay(c, tokens, rel, { ...ex, response: { status: 200 } })));
      } else if (!ex.response || !('status' in ex.response)) {
        problems = await checkAuthorize(c, ex, familyOf(rel));
      } else if (FOLLOW[rel]) {
        const first = FOLLOW[rel].after;
        const p1 = await replay(c, tokens, first, load(first));
        problems = p1.status !== 200 ? [`first page ${p1.status}`]
          : conforms(ex, await replay(c, tokens, rel, ex, { prepare: (req) => applyEdit(FOLLOW[rel], req, p1) }));
      } else {
        problems = conforms(ex, seen(rel, ex, await replay(c, tokens, rel, ex)));
      }
      if (problems.length === 0) row.conform++;
      else failures.push(`${rel}: ${problems.slice(0, 6).join('; ')}`);
    }
    const lines = Object.entries(tally).map(([p, r]) => `${p}: ${r.conform}/${r.total} conform${r.skipped ? `, ${r.skipped} not exchanges` : ''}`);
    t.diagnostic(`conformance per provider:\n${lines.join('\n')}`);
    console.log(`conformance per provider:\n  ${lines.join('\n  ')}`);
    assert.deepEqual(failures, []);
  });

  await t.test('same request twice gives the same body; accounts differ', async () => {
    const ex = load('google/ga4/runReport-request-daily.json');
    const a1 = await replay(c, tokens, 'google/ga4/runReport-request-daily.json', { ...ex, response: { status: 200 } });
    const a2 = await replay(c, tokens, 'google/ga4/runReport-request-daily.json', { ...ex, response: { status: 200 } });
    assert.equal(a1.status, 200);
    assert.equal(a1.text, a2.text);
    const b = await replay(c, tokens, 'google/ga4/runReport-request-daily.json', { ...ex, response: { status: 200 } },
      { prepare: (req) => { req.absolute = `${c.url}/sandbox/ga4-data/v1beta/properties/401122334:runReport`; } });
    assert.equal(b.status, 200);
    const va = a1.json.rows.map((r) => r.metricValues[0].value).join();
    const vb = b.json.rows.map((r) => r.metricValues[0].value).join();
    assert.notEqual(va, vb);
    // ratios hold in Ads: clicks < impressions, conversions < clicks
    const ads = await replay(c, tokens, 'google/google-ads/searchStream-customer-daily.json',
      load('google/google-ads/searchStream-customer-daily.json'));
    for (const row of ads.json[0].results) {
      assert.ok(Number(row.metrics.clicks) < Number(row.metrics.impressions));
      assert.ok(row.metrics.conversions < Number(row.metrics.clicks));
    }
    // every data example (not token endpoints) answers the same twice
    const differ = [];
    for (const rel of files) {
      const ex = load(rel);
      if (!ex.request || !ex.response || ex.response.status !== 200 || FOLLOW[rel] || /oauth|token/.test(rel)) continue;
      const r1 = await replay(c, tokens, rel, ex);
      const r2 = await replay(c, tokens, rel, ex);
      if (r1.text !== r2.text) differ.push(rel);
    }
    assert.deepEqual(differ, []);
  });

  await t.test('every fault row answers its generic switches in its own shape', async () => {
    // Each row of GET /sandbox/bases (a provider's, its family's) with
    // generic names (429, 401, invalid_grant, ...): the switch, on a
    // request its API answered in the first subtest, gives the row's
    // example (the file of its name in the family's fixtures) or, without
    // one, the row's status and a body.  A 429 says when to retry.
    const bad = [];
    let tried = 0;
    for (const p of providers) {
      for (const row of [...p.family_faults, ...p.faults]) {
        if (!row.aliases) continue;
        const shapes = files.filter((f) => familyOf(f) === p.family && path.basename(f, '.json') === row.name);
        const on = reaches[row.api];
        if (!on) { bad.push(`${p.slug}: no example request reaches API "${row.api}" (row ${row.name})`); continue; }
        for (const sw of row.aliases.split(' ')) {
          tried++;
          const r = await replay(c, tokens, on.rel, on.ex.response ? on.ex : { ...on.ex, response: { status: 200 } },
            { fault: sw });
          const problems = shapes.length ? conforms(load(shapes[0]), r)
            : r.status !== row.status ? [`status ${r.status}, row ${row.status}`] : [];
          if (r.headers.get('x-sandbox-api') !== row.api) problems.push(`answered by ${r.headers.get('x-sandbox-api')}`);
          if (sw === '429' && !r.headers.has('retry-after')) problems.push('no Retry-After');
          if (problems.length) bad.push(`${p.slug}: ${sw} (row ${row.name}) on ${on.rel}: ${problems.join('; ')}`);
        }
      }
    }
    t.diagnostic(`${tried} generic switches of ${Object.keys(reaches).length} APIs tried`);
    assert.deepEqual(bad, []);
    assert.ok(tried > 40, `${tried} switches tried`);
  });

  await t.test('fault switches: the generic ones', async () => {
    // 500 is a server error everywhere but Slack (HTTP 200, ok:false).
    const s500 = await replay(c, tokens, 'google/ga4/admin-properties-get.json', load('google/ga4/admin-properties-get.json'), { fault: '500' });
    assert.equal(s500.status, 500);
    assert.equal(s500.json.error.status, 'INTERNAL');
    // A magic account id works like the header.
    const magic = await request(`${c.url}/sandbox/ga4-admin/v1beta/properties/312-fault-429`, {
      headers: { Authorization: `Bearer ${tokens.google.access_token}` } });
    assert.equal(magic.status, 429);
    // truncated: the normal body cut short, not JSON.
    const ok = await replay(c, tokens, 'github/user.json', load('github/user.json'));
    const cut = await replay(c, tokens, 'github/user.json', load('github/user.json'), { fault: 'truncated' });
    assert.equal(cut.status, 200);
    assert.equal(cut.json, undefined);
    assert.ok(ok.text.startsWith(cut.text) && cut.text.length < ok.text.length);
    // slow: answers normally after about 3 s.
    const t0 = Date.now();
    const slow = await replay(c, tokens, 'github/rate_limit.json', load('github/rate_limit.json'), { fault: 'slow' });
    assert.equal(slow.status, 200);
    assert.ok(Date.now() - t0 >= 2900);
    // pages: 50 pages of account summaries, followed by token.
    let n = 0;
    let pageToken = '';
    do {
      const r = await request(`${c.url}/sandbox/ga4-admin/v1beta/accountSummaries?pageSize=200${pageToken ? `&pageToken=${pageToken}` : ''}`,
        { headers: { Authorization: `Bearer ${tokens.google.access_token}`, 'X-Sandbox-Fault': 'pages' } });
      assert.equal(r.status, 200);
      n++;
      pageToken = r.json.nextPageToken;
    } while (pageToken && n < 100);
    assert.equal(n, 50);
    // A switch carried by a grant: every token of it gets the fault.
    const auth = (tok) => ({ headers: { Authorization: `Bearer ${tok}` } });
    const props = `${c.url}/sandbox/ga4-admin/v1beta/properties/312456789`;
    let code = await c.code('google', { user: 'acct-fault-401', scope: 'openid', access_type: 'offline' });
    let tr = await c.post('/sandbox/google-oauth/token', { grant_type: 'authorization_code', code, client_id: 'x',
      redirect_uri: c.redirect('google') });
    assert.equal(tr.status, 200, tr.text);
    assert.equal((await request(props, auth(tr.json.access_token))).status, 401);
    const again = await c.post('/sandbox/google-oauth/token', { grant_type: 'refresh_token', client_id: 'x',
      refresh_token: tr.json.refresh_token });
    assert.equal(again.status, 200, again.text);
    assert.equal((await request(props, auth(again.json.access_token))).status, 401);
    code = await c.code('google', { user: 'acct-fault-invalid_grant', access_type: 'offline' });
    tr = await c.post('/sandbox/google-oauth/token', { grant_type: 'authorization_code', code, client_id: 'x',
      redirect_uri: c.redirect('google') });
    assert.equal(tr.status, 200, tr.text);
    assert.equal((await request(props, auth(tr.json.access_token))).status, 200);
    const dead = await c.post('/sandbox/google-oauth/token', { grant_type: 'refresh_token', client_id: 'x',
      refresh_token: tr.json.refresh_token });
    assert.equal(dead.status, 400);
    assert.equal(dead.json.error, 'invalid_grant');
    // An expired token gets the provider's 401 without any switch.
    const garbled = await request(`${c.url}/sandbox/linkedin-api/rest/organizations/1`, {
      headers: { Authorization: `Bearer ${tokens.linkedin.access_token}x` } });
    assert.equal(garbled.status, 401);
    assert.equal(garbled.json.code, 'INVALID_ACCESS_TOKEN');
  });

  await t.test('refresh: Google keeps, Slack rotates, LinkedIn does not slide; PKCE checked', async () => {
    let r = await c.post('/sandbox/google-oauth/token', { grant_type: 'refresh_token', client_id: 'x',
      refresh_token: tokens.google.refresh_token });
    assert.equal(r.status, 200);
    assert.equal(r.json.refresh_token, undefined);
    r = await c.post('/sandbox/slack/api/oauth.v2.access', { grant_type: 'refresh_token', refresh_token: tokens.slack.refresh_token });
    assert.equal(r.json.ok, true);
    assert.ok(r.json.refresh_token);
    r = await c.post('/sandbox/linkedin-www/oauth/v2/accessToken', { grant_type: 'refresh_token',
      refresh_token: tokens.linkedin.refresh_token, client_id: 'a', client_secret: 'b' });
    assert.equal(r.json.refresh_token, tokens.linkedin.refresh_token);
    assert.ok(r.json.refresh_token_expires_in <= 31536000);
    const code = await c.code('google', { code_challenge: CHALLENGE, code_challenge_method: 'S256' });
    r = await c.post('/sandbox/google-oauth/token', { grant_type: 'authorization_code', code, client_id: 'x',
      redirect_uri: c.redirect('google'), code_verifier: 'wrong-verifier-wrong-verifier-wrong-verifier-00' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_grant');
    const noOffline = await c.post('/sandbox/google-oauth/token', { grant_type: 'authorization_code',
      code: await c.code('google', { access_type: 'online' }), client_id: 'x', redirect_uri: c.redirect('google') });
    assert.equal(noOffline.status, 200);
    assert.equal(noOffline.json.refresh_token, undefined);
    const code2 = await c.code('google');
    r = await c.post('/sandbox/google-oauth/token', { grant_type: 'authorization_code', code: code2, client_id: 'x',
      redirect_uri: 'https://elsewhere.example/cb' });
    assert.equal(r.json.error, 'invalid_grant');
    r = await c.post('/sandbox/github/login/oauth/access_token', { client_id: 'a', code: await c.code('github') },
      { Accept: 'text/plain' });
    assert.match(r.headers.get('content-type'), /x-www-form-urlencoded/);
    assert.ok(new URLSearchParams(r.text).get('access_token'));
    r = await c.post('/sandbox/mailchimp-login/oauth2/token', { code: await c.code('mailchimp'), redirect_uri: c.redirect('mailchimp') });
    assert.equal(r.json.expires_in, 0);
    r = await request(`${c.url}/sandbox/mailchimp-login/oauth2/metadata`, { headers: { Authorization: 'OAuth bogus' } });
    assert.equal(r.status, 200);
    assert.equal(r.json.error, 'invalid_token');
  });

  await t.test('revocation where the provider has one', async () => {
    let r = await c.post('/sandbox/google-oauth/revoke', { token: tokens.google.refresh_token });
    assert.equal(r.status, 200);
    r = await request(`${c.url}/sandbox/graph/v27.0/me/permissions?access_token=${encodeURIComponent(tokens.meta.access_token)}`,
      { method: 'DELETE' });
    assert.equal(r.json.success, true);
    r = await c.post('/sandbox/linkedin-www/oauth/v2/revoke', { client_id: 'a', client_secret: 'b', token: tokens.linkedin.access_token });
    assert.equal(r.status, 200);
    r = await c.post('/sandbox/slack/api/auth.revoke', {}, { Authorization: `Bearer ${tokens.slack.access_token}` });
    assert.equal(r.json.ok, true);
    r = await request(`${c.url}/sandbox/github-api/applications/a/grant`, { method: 'DELETE',
      headers: { Authorization: 'Basic YTpi', 'Content-Type': 'application/json' },
      body: JSON.stringify({ access_token: tokens.github.access_token }) });
    assert.equal(r.status, 204);
    r = await request(`${c.url}/sandbox/github-api/applications/a/grant`, { method: 'DELETE',
      headers: { Authorization: 'Basic YTpi', 'Content-Type': 'application/json' },
      body: JSON.stringify({ access_token: 'gho_nope' }) });
    assert.equal(r.status, 404);
  });

  await t.test('consent page escapes what it echoes', async () => {
    const r = await request(`${c.url}/sandbox/github/login/oauth/authorize?client_id=${CLIENT}&redirect_uri=${
      encodeURIComponent(c.redirect('github'))}&scope=a%22b%20%3Cimg%3E%20%3Cscript%3E&state=%22%3E%3Cx`);
    assert.equal(r.status, 200);
    assert.ok(!/<script>|<img>|"><x/.test(r.text), r.text);
    assert.match(r.text, /&lt;script&gt;/);
  });
});

test('sandbox off answers 404', async (t) => {
  const stack = await startStack({ programs: ['sandbox'], env: { SLUICE_SANDBOX: '0' } });
  t.after(() => { stack.stop(); });
  for (const p of ['/sandbox/bases', '/sandbox/github-api/user', '/sandbox/google-accounts/o/oauth2/v2/auth?client_id=a']) {
    const r = await request(`${stack.url}${p}`);
    assert.equal(r.status, 404, p);
  }
});
