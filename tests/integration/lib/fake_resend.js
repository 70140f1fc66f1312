'use strict';
// A local fake of Resend's sending API for the digest tests.  It answers
// in the shapes of tests/fixtures/resend/api (read at start), requires a
// Bearer key and a User-Agent, and keeps idempotency keys like Resend:
// the same key with the same body answers the first answer again without
// sending; with another body it answers 409 invalid_idempotent_request.
// Tests queue scripted answers (errors, permissive refusals) with next().
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { FIXTURES } = require('./stack');

const API = path.join(FIXTURES, 'resend', 'api');

function fixture(name) {
  return JSON.parse(fs.readFileSync(path.join(API, `${name}.json`), 'utf8'));
}

async function startFakeResend({ apiKey = 're_test' } = {}) {
  // The documented shapes, checked so the fake cannot drift from them.
  const batchOk = fixture('emails.batch.response.200');
  const permissive = fixture('emails.batch.response.200.permissive');
  if (!Array.isArray(batchOk.data) || !Array.isArray(permissive.errors)) {
    throw new Error('unexpected Resend fixture shapes');
  }
  const state = {
    calls: [],		// every request: {path, headers, body, text}
    delivered: [],	// {to, id, key, subject, html, text, headers}
    keys: new Map(),	// Idempotency-Key -> {text, status, body}
    script: [],		// scripted answers, first in first out
    gate: null,		// while set (hold()), answers wait for it
  };
  const send = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const error = (name) => fixture(name);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body;
      try { body = JSON.parse(text); } catch { body = undefined; }
      const call = { path: req.url, headers: req.headers, body, text };
      state.calls.push(call);
      if (state.gate) await state.gate;
      if (!req.headers['user-agent']) {
        return send(res, 403, { statusCode: 403, name: 'validation_error', message: 'User-Agent header is required.' });
      }
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        return send(res, 401, error('error.401.missing_api_key'));
      }
      const key = req.headers['idempotency-key'];
      if (key && state.keys.has(key)) {
        const prev = state.keys.get(key);
        if (prev.text !== text) return send(res, 409, error('error.409.invalid_idempotent_request'));
        call.replayed = true;
        return send(res, prev.status, prev.body);
      }
      const s = state.script.shift();
      if (s && s.status !== 200) {
        return send(res, s.status, s.raw !== undefined ? s.raw : error(s.fixture), s.headers || {});
      }
      const list = req.url === '/emails/batch' ? body : [body];
      if (!Array.isArray(list)) return send(res, 422, error('error.422.missing_required_field'));
      const refuse = new Set((s && s.refuse) || []);
      const data = [];
      const errors = [];
      list.forEach((m, i) => {
        if (refuse.has(i)) {
          errors.push({ index: i, message: permissive.errors[0].message });
          return;
        }
        const id = crypto.randomUUID();
        data.push({ id });
        state.delivered.push({ to: m.to[0], id, key, subject: m.subject, html: m.html, text: m.text, headers: m.headers, from: m.from });
      });
      const out = req.url === '/emails/batch'
        ? (errors.length ? { data, errors } : { data })
        : { id: data[0].id };
      if (key) state.keys.set(key, { text, status: 200, body: out });
      return send(res, 200, out);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    // Queues answers: {status, fixture, headers} or {status: 200, refuse: [i]}.
    next(...answers) { state.script.push(...answers); },
    // Holds every answer until the returned function is called.
    hold() {
      let open;
      state.gate = new Promise((r) => { open = r; });
      return () => { state.gate = null; open(); };
    },
    reset() { state.calls.length = 0; state.delivered.length = 0; state.script.length = 0; },
    close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      return closed;
    },
  };
}

module.exports = { startFakeResend, fixture };
