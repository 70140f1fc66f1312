'use strict';
// The provider sandbox against the providers' own example exchanges in
// tests/fixtures/providers: every example request is sent to the sandbox
// (URL mapped through GET /sandbox/bases, credentials replaced by sandbox
// tokens obtained through each provider's consent and token endpoints,
// error examples selected with X-Sandbox-Fault) and the answer must have
// the example's status, headers and body shape (same keys at every
// level, same JSON types; array elements compared as the union of their
// shapes).  Then determinism, accounts that differ, and every generic
// fault switch.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startStack, request, FIXTURES } = require('./lib/stack');
const { formFields } = require('./lib/flows');

const PROVIDERS = path.join(FIXTURES, 'providers');
// The sandbox's registered clients (lib/sandbox/sandbox.c): Sluice's own, Slack
// with token rotation, a GitHub App.  Their redirect URLs are the stack's
// /oauth/<slug>/callback; a family's is that of its first provider here.
const CLIENT = 'sluice-sandbox-client';
const CLIENT_ROTATING = 'sluice-sandbox-client-rotating';
const CLIENT_APP = 'Iv1.sluice-sandbox-client';
const SLUG = { google: 'ga4', meta: 'facebook', linkedin: 'linkedin', mailchimp: 'mailchimp', slack: 'slack', github: 'github' };
const AUTHORIZE = {
  google: '/sandbox/google-accounts/o/oauth2/v2/auth', meta: '/sandbox/facebook/v25.0/dialog/oauth',
  linkedin: '/sandbox/linkedin-www/oauth/v2/authorization', mailchimp: '/sandbox/mailchimp-login/oauth2/authorize',
  slack: '/sandbox/slack/oauth/v2/authorize', github: '/sandbox/github/login/oauth/authorize',
};
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

// Examples that describe something other than one exchange; kept short.
const NOT_EXCHANGES = {
  'meta/rate_limit_headers.json': 'documents rate-limit header fields, no exchange',
  'linkedin/request_headers.json': 'documents the headers every call sends, no exchange',
};

// Examples whose request lives in another file or must be set up.
const DEFAULT_REQUEST = {
  'google/ga4': 'google/ga4/runReport-request-daily.json',
  'google/google-ads': 'google/google-ads/searchStream-customer-daily.json',
  'google/youtube': 'google/youtube/reports-query-daily.json',
  'google/gbp': 'google/gbp/reviews-list-page1.json',
  'google/oauth': 'google/oauth/token-request-refresh.json',
  meta: 'meta/me_accounts_page1.json',
  linkedin: 'linkedin/organization.json',
  mailchimp: 'mailchimp/lists.json',
  slack: 'slack/conversations_history_page1.json',
  github: 'github/user.json',
};
const REQUEST_FOR = {
  'google/oauth/api-error-401-expired-access-token.json': 'google/ga4/runReport-request-daily.json',
  'google/oauth/revoke-error-invalid-token.json': 'google/oauth/revoke-request.json',
  'google/google-ads/searchStream-response-empty.json': 'google/google-ads/searchStream-request-campaign-daily.json',
  'meta/error_80000_ads_insights_limit.json': 'meta/ads_insights_campaign_daily_page1.json',
  'meta/error_ads_too_much_data.json': 'meta/ads_insights_campaign_daily_page1.json',
  'meta/error_ads_too_much_data_short.json': 'meta/ads_insights_campaign_daily_page1.json',
  'github/error_traffic_forbidden.json': 'github/traffic_views.json',
  'slack/error_ratelimited.json': 'slack/conversations_list_page1.json',
  'google/oauth/token-response-authorization-code.json': 'google/oauth/token-request-authorization-code.json',
};
// Request-only examples: checked against the response example that answers them.
const RESPONSE_FOR = {
  'google/ga4/runReport-request-daily.json': 'google/ga4/runReport-response-daily.json',
  'google/google-ads/searchStream-request-campaign-daily.json': 'google/google-ads/searchStream-response-campaign-daily.json',
  'google/oauth/token-request-authorization-code.json': 'google/oauth/token-response-authorization-code.json',
  'google/oauth/token-request-refresh.json': 'google/oauth/token-response-refresh.json',
};
// Request details an example leaves out or that belong to another variant.
const EDIT = {
  // the empty example was captured without returnPropertyQuota
  'google/ga4/runReport-response-empty.json': (req) => { delete req.json.returnPropertyQuota; },
};
// Switches for examples that show a variant rather than the default.
const SWITCH = {
  'google/ga4/runReport-response-empty.json': 'empty',
  'google/google-ads/searchStream-response-empty.json': 'empty',
  'google/youtube/channels-list-mine-no-channel.json': 'empty',
  'google/youtube/reports-query-no-rows.json': 'empty',
  'google/youtube/playlistItems-list-empty.json': 'empty',
  'google/gbp/reviews-list-empty.json': 'empty',
  'meta/ads_insights_empty.json': 'empty',
  'meta/ads_insights_account_empty.json': 'empty',
  'meta/ig_media_empty.json': 'empty',
  'meta/page_published_posts_empty.json': 'empty',
  'meta/page_access_token_missing.json': 'no_page_token',
  'meta/usage_near_limit.json': 'usage_near_limit',
  'google/ga4/runReport-response-quota-low.json': 'quota_low',
  'github/traffic_empty.json': 'empty',
  'slack/oauth_v2_access_with_rotation.json': 'rotation',
  'linkedin/oauth_access_token_no_refresh.json': 'no_refresh',
  'linkedin/posts_by_author_empty.json': 'empty',
  'slack/conversations_history_empty.json': 'empty',
};
// Second pages: fetched by following the first page's own link or token.
const FOLLOW = {
  'google/ga4/admin-accountSummaries-list-page2.json': ['google/ga4/admin-accountSummaries-list-page1.json',
    (r, req) => { req.query.pageToken = r.json.nextPageToken; }],
  'google/gbp/locations-list-page2.json': ['google/gbp/locations-list-page1.json',
    (r, req) => { req.query.pageToken = r.json.nextPageToken; }],
  'google/gbp/reviews-list-page2.json': ['google/gbp/reviews-list-page1.json',
    (r, req) => { req.query.pageToken = r.json.nextPageToken; }],
  // the sandbox's last ten (its page tokens are "SBXp" and an offset)
  'google/gbp/reviews-list-page3.json': ['google/gbp/reviews-list-page1.json',
    (r, req) => { req.query.pageToken = `SBXp${r.json.totalReviewCount - 10}`; }],
  'meta/me_accounts_page2.json': ['meta/me_accounts_page1.json', (r, req) => { req.absolute = r.json.paging.next; }],
  'meta/ads_insights_campaign_daily_page2.json': ['meta/ads_insights_campaign_daily_page1.json',
    (r, req) => { req.absolute = r.json.paging.next; }],
  'meta/ig_media_page2.json': ['meta/ig_media_page1.json', (r, req) => { req.absolute = r.json.paging.next; }],
  'meta/page_published_posts_page2.json': ['meta/page_published_posts_page1.json',
    (r, req) => { req.absolute = r.json.paging.next; }],
  'slack/conversations_list_page2.json': ['slack/conversations_list_page1.json',
    (r, req) => { req.query.cursor = r.json.response_metadata.next_cursor; }],
  'slack/conversations_history_page2.json': ['slack/conversations_history_page1.json',
    (r, req) => { req.query.cursor = r.json.response_metadata.next_cursor; }],
  'slack/conversations_replies_page2.json': ['slack/conversations_replies_page1.json',
    (r, req) => { req.query.cursor = r.json.response_metadata.next_cursor; }],
  'github/user_repos_page2.json': ['github/user_repos_page1.json',
    (r, req) => { req.absolute = /<([^>]+)>; rel="next"/.exec(r.headers.get('link'))[1]; }],
};
// Examples that show what a bad credential gets: sent with theirs.
const KEEP_CREDENTIALS = new Set(['mailchimp/oauth_metadata_invalid_token.json']);
// Scopes asked at consent when an example's code is replaced.
const CONSENT_EXTRA = { 'google-oauth': { scope: 'openid email https://www.googleapis.com/auth/analytics.readonly',
  access_type: 'offline' } };
// Headers whose presence is not part of the contract.
const IGNORED_HEADERS = new Set(['content-length', 'date', 'content-type']);

function providerOf(rel) {
  const [top, sub] = rel.split('/');
  if (top !== 'google') return top;
  return { oauth: 'google-oauth', ga4: 'ga4', 'google-ads': 'google-ads', youtube: 'youtube',
    gbp: 'gbp' }[sub];
}

function listExamples() {
  assert.ok(fs.existsSync(PROVIDERS), `missing ${PROVIDERS}`);
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'discovery') walk(p);
      else if (e.isFile() && e.name.endsWith('.json')) out.push(path.relative(PROVIDERS, p));
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
  let bases;
  const c = {
    url,
    async bases() {
      if (!bases) bases = (await request(`${url}/sandbox/bases`)).json.bases;
      return bases;
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
      return `${url}/oauth/${SLUG[family]}/callback`;
    },
    // The authorize page, its consent form posted (Allow), and the code
    // from the redirect.  user is the consent page's own choice.
    async code(provider, fields = {}) {
      const { user, ...query } = { client_id: CLIENT, redirect_uri: c.redirect(provider), state: 'st8', ...fields };
      const page = await request(`${url}${AUTHORIZE[provider]}?${new URLSearchParams(query)}`);
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

// Tokens for every provider, obtained the way Sluice will.
async function login(c) {
  const t = {};
  let code = await c.code('google', { scope: 'openid email https://www.googleapis.com/auth/analytics.readonly',
    code_challenge: CHALLENGE, code_challenge_method: 'S256', access_type: 'offline' });
  let r = await c.post('/sandbox/google-oauth/token', { grant_type: 'authorization_code', code,
    client_id: CLIENT, redirect_uri: c.redirect('google'), code_verifier: VERIFIER });
  assert.equal(r.status, 200, r.text);
  t.google = r.json;
  code = await c.code('meta', { scope: 'pages_show_list,ads_read' });
  r = await request(`${c.url}/sandbox/graph/v25.0/oauth/access_token?client_id=a&client_secret=b&redirect_uri=${
    encodeURIComponent(c.redirect('meta'))}&code=${encodeURIComponent(code)}`);
  assert.equal(r.status, 200, r.text);
  r = await request(`${c.url}/sandbox/graph/v25.0/oauth/access_token?grant_type=fb_exchange_token&client_id=a&client_secret=b&fb_exchange_token=${
    encodeURIComponent(r.json.access_token)}`);
  assert.equal(r.status, 200, r.text);
  t.meta = r.json;
  code = await c.code('linkedin', { scope: 'r_organization_admin rw_organization_admin' });
  r = await c.post('/sandbox/linkedin-www/oauth/v2/accessToken', { grant_type: 'authorization_code', code,
    client_id: 'a', client_secret: 'b', redirect_uri: c.redirect('linkedin') });
  assert.equal(r.status, 200, r.text);
  t.linkedin = r.json;
  code = await c.code('mailchimp');
  r = await c.post('/sandbox/mailchimp-login/oauth2/token', { grant_type: 'authorization_code', code,
    client_id: 'a', client_secret: 'b', redirect_uri: c.redirect('mailchimp') });
  assert.equal(r.status, 200, r.text);
  t.mailchimp = r.json;
  code = await c.code('slack', { client_id: CLIENT_ROTATING, scope: 'channels:read,channels:history,users:read' });
  r = await c.post('/sandbox/slack/api/oauth.v2.access', { code, redirect_uri: c.redirect('slack'), grant_type: 'authorization_code' });
  assert.equal(r.json.ok, true, r.text);
  t.slack = r.json;
  code = await c.code('github', { scope: 'read:user repo' });
  r = await c.post('/sandbox/github/login/oauth/access_token', { client_id: 'a', client_secret: 'b', code,
    redirect_uri: c.redirect('github') }, { Accept: 'application/json' });
  assert.ok(r.json.access_token, r.text);
  t.github = r.json;
  code = await c.code('github', { client_id: CLIENT_APP });
  r = await c.post('/sandbox/github/login/oauth/access_token', { client_id: CLIENT_APP, client_secret: 'b', code,
    redirect_uri: c.redirect('github') }, { Accept: 'application/json' });
  assert.ok(r.json.refresh_token, r.text);
  t.githubApp = r.json;
  return t;
}

const TOKEN_OF = {
  'google-oauth': (t) => t.google, ga4: (t) => t.google, 'google-ads': (t) => t.google, youtube: (t) => t.google,
  gbp: (t) => t.google, meta: (t) => t.meta, linkedin: (t) => t.linkedin, mailchimp: (t) => t.mailchimp, slack: (t) => t.slack,
  github: (t) => t.github,
};
const CODE_PROVIDER = { 'google-oauth': 'google', meta: 'meta', linkedin: 'linkedin', mailchimp: 'mailchimp',
  slack: 'slack', github: 'github' };

// Builds and sends the sandbox request for one example file.
async function replay(c, tokens, rel, ex, prov, extra = {}) {
  const src = ex.request ? ex : ex.request_file ? load(path.join(path.dirname(rel), ex.request_file))
    : load(REQUEST_FOR[rel] || DEFAULT_REQUEST[path.dirname(rel)] || DEFAULT_REQUEST[rel.split('/')[0]]);
  const rq = src.request;
  const req = { query: { ...(rq.query || {}) }, form: rq.form ? { ...rq.form } : null, absolute: null,
    json: rq.json ? JSON.parse(JSON.stringify(rq.json)) : null };
  const tok = TOKEN_OF[prov](tokens);
  const headers = {};
  for (const [k, v] of Object.entries(rq.headers || {})) {
    if (/^(content-type|host)$/i.test(k)) continue;
    if (/^authorization$/i.test(k) && !/^Basic/.test(v) && !KEEP_CREDENTIALS.has(rel)) {
      headers[k] = prov === 'mailchimp' ? `OAuth ${tok.access_token}` : `Bearer ${tok.access_token}`;
    } else headers[k] = v;
  }
  if (req.query.access_token) req.query.access_token = tok.access_token;
  // Graph calls the example shows without their token
  if (prov === 'meta' && !req.query.access_token && !/oauth\/access_token/.test(rq.url)) {
    req.query.access_token = tok.access_token;
  }
  if (req.query.fb_exchange_token) req.query.fb_exchange_token = tok.access_token;
  if (req.query.input_token) req.query.input_token = tok.access_token;
  const fields = req.form || req.query;
  if (fields.code && CODE_PROVIDER[prov]) {
    const extraConsent = fields.code_verifier ? { code_challenge: CHALLENGE, code_challenge_method: 'S256' } : {};
    if (fields.redirect_uri) fields.redirect_uri = c.redirect(CODE_PROVIDER[prov]);
    Object.assign(extraConsent, CONSENT_EXTRA[prov] || {});
    fields.code = await c.code(CODE_PROVIDER[prov], extraConsent);
  }
  if (req.form && req.form.refresh_token) {
    req.form.refresh_token = prov === 'github' ? tokens.githubApp.refresh_token : tok.refresh_token;
  }
  if (req.form && req.form.token) req.form.token = tok.refresh_token || tok.access_token;
  if (req.json && req.json.access_token) req.json.access_token = tok.access_token;
  const sw = extra.fault || SWITCH[rel] || ((ex.response.status >= 400 || /error/.test(path.basename(rel)))
    ? path.basename(rel, '.json') : null);
  if (sw) headers['X-Sandbox-Fault'] = sw;
  if (EDIT[rel]) EDIT[rel](req);
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
  const c = makeClient(stack.url);
  const files = listExamples();
  assert.ok(files.length > 100, `only ${files.length} examples under ${PROVIDERS}`);
  // A family's examples need its sign-in in the tables above and in
  // login() (README, Adding a provider).
  for (const fam of new Set(files.map((f) => f.split('/')[0]))) {
    assert.ok(SLUG[fam] && AUTHORIZE[fam], `examples of ${fam}: add the family to SLUG and AUTHORIZE`);
  }
  const tokens = await login(c);
  const tally = {};
  const failures = [];

  await t.test('every example exchange', async () => {
    for (const rel of files) {
      const prov = providerOf(rel);
      const row = (tally[prov] ||= { conform: 0, total: 0, skipped: 0 });
      const ex = load(rel);
      if (NOT_EXCHANGES[rel]) { row.skipped++; continue; }
      row.total++;
      let problems;
      if (ex.response && ex.response.status === 302) {
        const key = /error/.test(rel) ? 'callback_query_denied' : 'callback_query_success';
        problems = await checkAuthorize(c, { request: load('google/oauth/authorize-request.json').request,
          [key]: ex.callback_query }, 'google');
      } else if (RESPONSE_FOR[rel]) {
        problems = conforms(load(RESPONSE_FOR[rel]), await replay(c, tokens, rel, { ...ex, response: { status: 200 } }, prov));
      } else if (!ex.response || !('status' in ex.response)) {
        problems = await checkAuthorize(c, ex, rel.split('/')[0]);
      } else if (FOLLOW[rel]) {
        const [first, step] = FOLLOW[rel];
        const p1 = await replay(c, tokens, first, load(first), prov);
        problems = p1.status !== 200 ? [`first page ${p1.status}`]
          : conforms(ex, await replay(c, tokens, rel, ex, prov, { prepare: (req) => step(p1, req) }));
      } else {
        problems = conforms(ex, await replay(c, tokens, rel, ex, prov));
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
    const a1 = await replay(c, tokens, 'google/ga4/runReport-request-daily.json', { ...ex, response: { status: 200 } }, 'ga4');
    const a2 = await replay(c, tokens, 'google/ga4/runReport-request-daily.json', { ...ex, response: { status: 200 } }, 'ga4');
    assert.equal(a1.status, 200);
    assert.equal(a1.text, a2.text);
    const b = await replay(c, tokens, 'google/ga4/runReport-request-daily.json', { ...ex, response: { status: 200 } }, 'ga4',
      { prepare: (req) => { req.absolute = `${c.url}/sandbox/ga4-data/v1beta/properties/401122334:runReport`; } });
    assert.equal(b.status, 200);
    const va = a1.json.rows.map((r) => r.metricValues[0].value).join();
    const vb = b.json.rows.map((r) => r.metricValues[0].value).join();
    assert.notEqual(va, vb);
    // ratios hold in Ads: clicks < impressions, conversions < clicks
    const ads = await replay(c, tokens, 'google/google-ads/searchStream-customer-daily.json',
      load('google/google-ads/searchStream-customer-daily.json'), 'google-ads');
    for (const row of ads.json[0].results) {
      assert.ok(Number(row.metrics.clicks) < Number(row.metrics.impressions));
      assert.ok(row.metrics.conversions < Number(row.metrics.clicks));
    }
    // every data example (not token endpoints) answers the same twice
    const differ = [];
    for (const rel of files) {
      const ex = load(rel);
      if (!ex.request || !ex.response || ex.response.status !== 200 || FOLLOW[rel] || /oauth|token/.test(rel)) continue;
      const prov = providerOf(rel);
      const r1 = await replay(c, tokens, rel, ex, prov);
      const r2 = await replay(c, tokens, rel, ex, prov);
      if (r1.text !== r2.text) differ.push(rel);
    }
    assert.deepEqual(differ, []);
  });

  await t.test('fault switches give the provider shapes', async () => {
    const cases = [
      // [example request, provider, switch, example whose shape must come back]
      ['google/ga4/runReport-request-daily.json', 'ga4', '429', 'google/ga4/error-429-resource-exhausted-hourly.json'],
      ['google/ga4/runReport-request-daily.json', 'ga4', '401', 'google/oauth/api-error-401-expired-access-token.json'],
      ['google/ga4/runReport-request-daily.json', 'ga4', 'removed_metric', 'google/ga4/error-400-invalid-metric.json'],
      ['google/google-ads/searchStream-customer-daily.json', 'google-ads', '429', 'google/google-ads/error-429-quota-resource-exhausted.json'],
      ['google/youtube/reports-query-daily.json', 'youtube', '429', 'google/youtube/error-403-quota-exceeded-data-api.json'],
      ['google/gbp/reviews-list-page1.json', 'gbp', '429', 'google/gbp/reviews-error-429-resource-exhausted.json'],
      ['google/gbp/reviews-list-page1.json', 'gbp', '403', 'google/gbp/reviews-error-403-permission-denied.json'],
      ['google/oauth/token-request-refresh.json', 'google-oauth', 'invalid_grant', 'google/oauth/token-error-invalid-grant-revoked.json'],
      ['meta/me_accounts_page1.json', 'meta', '401', 'meta/error_190_expired.json'],
      ['meta/me_accounts_page1.json', 'meta', '429', 'meta/error_4_app_limit.json'],
      ['meta/me_accounts_page1.json', 'meta', '500', 'meta/error_ads_too_much_data.json'],
      ['meta/page_insights_day.json', 'meta', 'removed_metric', 'meta/page_insights_error_invalid_metric.json'],
      ['meta/oauth_access_token.json', 'meta', 'invalid_grant', 'meta/oauth_error_code_used.json'],
      ['linkedin/organization.json', 'linkedin', '401', 'linkedin/error_401_expired_token.json'],
      ['linkedin/organization.json', 'linkedin', '429', 'linkedin/error_429_throttled.json'],
      ['linkedin/oauth_refresh_token_response.json', 'linkedin', 'invalid_grant', 'linkedin/oauth_error_invalid_code.json'],
      ['mailchimp/lists.json', 'mailchimp', '401', 'mailchimp/error_401_invalid_key.json'],
      ['mailchimp/lists.json', 'mailchimp', '429', 'mailchimp/error_429_too_many.json'],
      ['slack/conversations_history_page1.json', 'slack', '401', 'slack/error_token_expired.json'],
      ['slack/conversations_history_page1.json', 'slack', '429', 'slack/error_ratelimited.json'],
      ['slack/oauth_v2_access_refresh.json', 'slack', 'invalid_grant', 'slack/oauth_v2_access_error_invalid_refresh.json'],
      ['github/user.json', 'github', '401', 'github/error_bad_credentials.json'],
      ['github/user.json', 'github', '429', 'github/error_secondary_rate_limit.json'],
      ['github/oauth_access_token.json', 'github', 'invalid_grant', 'github/oauth_error_bad_verification_code.json'],
    ];
    const bad = [];
    for (const [reqFile, prov, sw, shapeFile] of cases) {
      const r = await replay(c, tokens, reqFile, load(reqFile).response ? load(reqFile) : { ...load(reqFile), response: { status: 200 } },
        prov, { fault: sw });
      const problems = conforms(load(shapeFile), r);
      if (sw === '429' && !r.headers.has('retry-after')) problems.push('no Retry-After');
      if (problems.length) bad.push(`${sw} on ${reqFile}: ${problems.join('; ')}`);
    }
    assert.deepEqual(bad, []);
    // 500 and 403 on every API: [request, provider, status for 500, for 403]
    const statuses = [
      ['google/ga4/admin-properties-get.json', 'ga4', 500, 403],
      ['google/google-ads/listAccessibleCustomers-response.json', 'google-ads', 500, 403],
      ['google/youtube/channels-list-mine.json', 'youtube', 500, 403],
      ['google/gbp/accounts-list.json', 'gbp', 500, 403],
      ['meta/me_accounts_page1.json', 'meta', 500, 400],
      ['linkedin/organization.json', 'linkedin', 500, 403],
      ['mailchimp/lists.json', 'mailchimp', 500, 403],
      ['slack/users_info.json', 'slack', 200, 200],
      ['github/repo.json', 'github', 500, 403],
    ];
    for (const [file, prov, s500, s403] of statuses) {
      const r5 = await replay(c, tokens, file, load(file), prov, { fault: '500' });
      const r3 = await replay(c, tokens, file, load(file), prov, { fault: '403' });
      assert.equal(r5.status, s500, `500 on ${file}: ${r5.text}`);
      assert.equal(r3.status, s403, `403 on ${file}: ${r3.text}`);
      assert.ok(r5.json !== undefined && r3.json !== undefined, file);
      if (prov === 'slack') {
        assert.equal(r5.json.ok, false);
        assert.equal(r3.json.error, 'missing_scope');
      }
    }
    // 500 is a server error everywhere but Slack (HTTP 200, ok:false).
    const s500 = await replay(c, tokens, 'google/ga4/admin-properties-get.json', load('google/ga4/admin-properties-get.json'), 'ga4', { fault: '500' });
    assert.equal(s500.status, 500);
    assert.equal(s500.json.error.status, 'INTERNAL');
    // A magic account id works like the header.
    const magic = await request(`${c.url}/sandbox/ga4-admin/v1beta/properties/312-fault-429`, {
      headers: { Authorization: `Bearer ${tokens.google.access_token}` } });
    assert.equal(magic.status, 429);
    // truncated: the normal body cut short, not JSON.
    const ok = await replay(c, tokens, 'github/user.json', load('github/user.json'), 'github');
    const cut = await replay(c, tokens, 'github/user.json', load('github/user.json'), 'github', { fault: 'truncated' });
    assert.equal(cut.status, 200);
    assert.equal(cut.json, undefined);
    assert.ok(ok.text.startsWith(cut.text) && cut.text.length < ok.text.length);
    // slow: answers normally after about 3 s.
    const t0 = Date.now();
    const slow = await replay(c, tokens, 'github/rate_limit.json', load('github/rate_limit.json'), 'github', { fault: 'slow' });
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
      code: await c.code('google'), client_id: 'x', redirect_uri: c.redirect('google') });
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
    r = await request(`${c.url}/sandbox/graph/v25.0/me/permissions?access_token=${encodeURIComponent(tokens.meta.access_token)}`,
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
