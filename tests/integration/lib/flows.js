'use strict';
// Page flows shared by the integration tests: first-run setup, the
// sandbox's OAuth consent, and the stack a sync test drives by hand.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Client, hidden } = require('./browser');
const { startStack, BIN } = require('./stack');

// Sets up the first account and returns its logged-in client.
async function setupOwner(url, { email = 'owner@example.com', password = 'correct horse battery', workspace = 'Acme' } = {}) {
  const b = new Client(url);
  const page = await b.get('/setup');
  assert.equal(page.status, 200, 'setup page');
  const r = await b.post('/setup', { pre: hidden(page.text, 'pre'), email, password, workspace });
  assert.equal(r.status, 303, `setup: ${r.text.slice(0, 200)}`);
  return b;
}

// The fields of the first <form> in a page as a browser sends them, as
// [name, value] pairs: inputs with a name and a value, checkboxes and
// radio buttons only when checked.
function formFields(html) {
  const f = html.slice(html.indexOf('<form'), html.indexOf('</form>'));
  const attr = (tag, k) => (new RegExp(`\\s${k}="([^"]*)"`).exec(tag) || [])[1];
  const unescape = (v) => v.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  return [...f.matchAll(/<input\b[^>]*>/g)].map((m) => m[0])
    .filter((tag) => attr(tag, 'name') !== undefined && attr(tag, 'value') !== undefined)
    .filter((tag) => !/\stype="(checkbox|radio)"/.test(tag) || /\schecked\b/.test(tag))
    .map((tag) => [attr(tag, 'name'), unescape(attr(tag, 'value'))]);
}

// Runs the connect flow through the sandbox's consent page; decision is
// 'allow' or 'deny'.  Returns the callback's response.
async function connectSandbox(b, slug, decision = 'allow', extraForm = {}) {
  const start = await b.get(`/oauth/${slug}/start`);
  assert.equal(start.status, 303, `start ${slug}: ${start.text.slice(0, 300)}`);
  const authorize = new URL(start.headers.get('location'));
  const consent = await b.get(authorize.pathname + authorize.search);
  assert.equal(consent.status, 200, `consent page for ${slug}`);
  const fields = Object.fromEntries(formFields(consent.text));
  const r = await b.post('/sandbox/consent', { ...fields, ...extraForm, decision });
  assert.equal(r.status, 302 <= r.status && r.status <= 303 ? r.status : 303, `consent post ${slug}: ${r.status} ${r.text.slice(0, 200)}`);
  const cb = new URL(r.headers.get('location'));
  return { callback: cb, res: await b.get(cb.pathname + cb.search) };
}

// The stack a sync test needs (every program but the worker daemon: the
// test runs `worker` itself), stopped when test t ends, which fails if
// anything was left running.
async function syncStack(t, env = {}) {
  const stack = await startStack({
    programs: ['api', 'pages', 'oauth', 'sandbox', 'cron'],
    env: { SLUICE_WORKER: '0', ...env },
  });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  return stack;
}

// The stack's generated secrets (its secrets.env).
function secrets(stack) {
  const text = fs.readFileSync(path.join(stack.dir, 'secrets.env'), 'utf8');
  return {
    keys: text.match(/^SLUICE_ENCRYPTION_KEYS=(.*)$/m)[1],
    cron: text.match(/^SLUICE_CRON_SECRET=(.*)$/m)[1],
  };
}

// The environment `worker` runs with against the stack's sandbox (no
// backoff, so a retried job runs again at once), env added last.
function workerEnv(stack, env = {}) {
  return {
    ...stack.env, SLUICE_DATABASE_URL: stack.dbUrl, SLUICE_LOG_FILE: '',
    SLUICE_ENCRYPTION_KEYS: secrets(stack).keys, SLUICE_SANDBOX: '1',
    SLUICE_BASE_URL: stack.url, SLUICE_SYNC_BACKOFF_S: '0', ...env,
  };
}

// Runs `worker` (--once by default) to its end; the test fails unless it
// exits 0.  Returns spawnSync's result.
function runWorker(stack, env = {}, args = ['--once'], timeout = 120000) {
  const r = spawnSync(path.join(BIN, 'worker'), args, { encoding: 'utf8', timeout, env: workerEnv(stack, env) });
  assert.equal(r.status, 0, `worker: ${r.stderr}`);
  return r;
}

// A sync stack with its owner, the sandbox sources slugs connected and
// synced once by `worker --once` (env added to the worker's), the
// workspace in zone when given; every run must end ok.  Returns
// { stack, b (the owner's client), ws, key (a viewer's API key) }.
async function syncedSources(t, slugs, { zone = null, env = {} } = {}) {
  const stack = await syncStack(t);
  const b = await setupOwner(stack.url);
  if (zone) stack.sql(`UPDATE workspaces SET time_zone = '${zone}'`);
  for (const slug of slugs) {
    const { res } = await connectSandbox(b, slug);
    assert.equal(res.status, 303, slug);
  }
  stack.sql("INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections");
  runWorker(stack, env);
  assert.deepEqual(stack.sql("SELECT DISTINCT status, coalesce(error, '') FROM sync_runs"), [['ok', '']]);
  const [[ws]] = stack.sql('SELECT id FROM workspaces');
  const key = stack.cli('api', ['create-key', ws, 'k', 'viewer']).stdout.trim();
  return { stack, b, ws, key };
}

// The providers the stack knows (GET /v1/providers, the registry), in
// display order, each with its metric catalogue: tests take the list from
// here instead of typing it.  Needs a workspace (setupOwner first).
async function providers(stack) {
  const [[ws]] = stack.sql('SELECT min(id) FROM workspaces');
  const r = stack.cli('api', ['create-key', ws, 'providers', 'viewer']);
  assert.equal(r.status, 0, r.stderr);
  const res = await fetch(`${stack.url}/v1/providers`, {
    headers: { Authorization: `Bearer ${r.stdout.trim()}` },
  });
  assert.equal(res.status, 200);
  const list = await res.json();
  assert.ok(Array.isArray(list) && list.length > 0, 'no providers');
  return list;
}

module.exports = { setupOwner, providers, connectSandbox, formFields, syncStack, secrets, workerEnv, runWorker, syncedSources };
