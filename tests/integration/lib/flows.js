'use strict';
// Page flows shared by the integration tests: first-run setup and the
// sandbox's OAuth consent.
const assert = require('node:assert/strict');
const { Client, hidden } = require('./browser');

// Sets up the first account and returns its logged-in client.
async function setupOwner(url, { email = 'owner@example.com', password = 'correct horse battery', workspace = 'Acme' } = {}) {
  const b = new Client(url);
  const page = await b.get('/setup');
  assert.equal(page.status, 200, 'setup page');
  const r = await b.post('/setup', { pre: hidden(page.text, 'pre'), email, password, workspace });
  assert.equal(r.status, 303, `setup: ${r.text.slice(0, 200)}`);
  return b;
}

// The form fields of the first <form> in a page, as [name, value] pairs.
function formFields(html) {
  const f = html.slice(html.indexOf('<form'), html.indexOf('</form>'));
  return [...f.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')]);
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

module.exports = { setupOwner, connectSandbox, formFields };
