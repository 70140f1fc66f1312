'use strict';
// The OpenAPI description stays honest: every JSON route in the programs'
// route tables is described, and every described route exists.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startStack, request, ROOT } = require('./lib/stack');

const JSON_ROUTE = /\{\s*(HTTP_[A-Z_|\s]+),\s*"((?:\/v1\/|\/internal\/|\/healthz|\/readyz)[^"]*)"/g;

function routesInCode() {
  const out = new Set();
  for (const f of fs.readdirSync(path.join(ROOT, 'cgi-bin')).filter((x) => x.endsWith('.c'))) {
    const src = fs.readFileSync(path.join(ROOT, 'cgi-bin', f), 'utf8');
    for (const m of src.matchAll(JSON_ROUTE)) {
      for (const method of m[1].split('|').map((s) => s.trim().replace('HTTP_', '').toLowerCase())) {
        out.add(`${method} ${m[2].replace(/:([a-z_]+)/g, '{$1}')}`);
      }
    }
  }
  return out;
}

test('openapi.json describes exactly the JSON routes', async (t) => {
  const doc = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates/static/openapi.json'), 'utf8'));
  assert.equal(doc.openapi, '3.1.0');
  const described = new Set();
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      if (p !== '/v1/openapi.json') described.add(`${method} ${p}`);
      assert.ok(ops[method].responses, `${method} ${p} has no responses`);
    }
  }
  const code = routesInCode();
  assert.ok(code.size >= 20, `only ${code.size} JSON routes found in cgi-bin/`);
  const missing = [...code].filter((r) => !described.has(r));
  const extra = [...described].filter((r) => !code.has(r));
  assert.deepEqual(missing, [], `routes not described: ${missing.join(', ')}`);
  assert.deepEqual(extra, [], `described routes that do not exist: ${extra.join(', ')}`);
  // Several GitHub logins: the GitHub routes take the connection's id.
  for (const r of ['/v1/github/user', '/v1/github/repos']) {
    const q = (doc.paths[r].get.parameters || []).find((x) => x.name === 'connection');
    assert.ok(q && q.in === 'query', `${r} documents ?connection=`);
  }

  await t.test('served at /v1/openapi.json', async () => {
    const stack = await startStack({ programs: ['api'] });
    try {
      const r = await request(`${stack.url}/v1/openapi.json`);
      assert.equal(r.status, 200);
      assert.equal(r.json.openapi, '3.1.0');
      assert.match(r.headers.get('content-type'), /application\/json/);
    } finally {
      assert.deepEqual(Object.keys(stack.stop()), []);
    }
  });
});
