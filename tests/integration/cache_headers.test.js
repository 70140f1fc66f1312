'use strict';
// What an API key reads is its workspace's: every answer to a key says so
// to caches (private, not stored), those whose handler names no policy
// too — an outside attacker found /v1/connections, /v1/providers,
// /v1/sync/status, /v1/sync/log, /v1/digest/status and
// /v1/intel/analyze without one.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startStack, request } = require('./lib/stack');

test('answers to an API key are private', async (t) => {
  const stack = await startStack({ programs: ['api', 'digest'] });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const [[ws]] = stack.sql("INSERT INTO workspaces (name) VALUES ('A') RETURNING id");
  const key = stack.cli('api', ['create-key', ws, 'k', 'admin']).stdout.trim();
  const calls = [
    ['GET', '/v1/connections'], ['GET', '/v1/providers'], ['GET', '/v1/sync/status'],
    ['GET', '/v1/sync/log'], ['GET', '/v1/digest/status'], ['GET', '/v1/inquiries'],
    ['POST', '/v1/intel/analyze', { question: 'sessions last week' }],
  ];
  for (const [method, path, body] of calls) {
    const r = await request(`${stack.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    assert.ok(r.status < 400, `${method} ${path}: ${r.status} ${r.text.slice(0, 200)}`);
    const cc = r.headers.get('cache-control') || '';
    assert.match(cc, /\bprivate\b|\bno-store\b/, `${method} ${path}: Cache-Control "${cc}"`);
    assert.doesNotMatch(cc, /\bpublic\b/, `${method} ${path}`);
  }
  // The tiles may sit a minute in the client's own cache: per key.
  const tiles = await request(`${stack.url}/v1/dashboard/tiles?period=7d`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(tiles.status, 200);
  assert.equal(tiles.headers.get('cache-control'), 'private, max-age=60');
  assert.match(tiles.headers.get('vary') || '', /Authorization/);
});
