'use strict';
// API keys through HTTP, tenant isolation of /v1/connections, and key
// rotation of sealed tokens against a real database (including a run
// killed midway).
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { startStack, defer, request, BIN, TOOLS } = require('./lib/stack');

const key = () => crypto.randomBytes(32).toString('base64');
const K1 = `k1:${key()}`;
const K2 = `k2:${key()}`;
const K3 = `k3:${key()}`;
const K4 = `k4:${key()}`;

function vault(keys, ...args) {
  const r = spawnSync(path.join(TOOLS, 'vault_tool'), args, {
    encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: keys },
  });
  return { ok: r.status === 0, out: r.stdout.trim(), err: r.stderr.trim() };
}

test('secrets', async (t) => {
  const stack = await startStack({ programs: ['api'] });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const [[wsA]] = stack.sql("INSERT INTO workspaces (name) VALUES ('A') RETURNING id");
  const [[wsB]] = stack.sql("INSERT INTO workspaces (name) VALUES ('B') RETURNING id");
  stack.sql(`INSERT INTO connections (workspace_id, provider, external_owner, token_blob, key_id)
             VALUES (${wsA}, 'github', 'a-owner', 'x', 'k1'), (${wsB}, 'slack', 'b-owner', 'y', 'k1')`);

  const mkKey = (ws, role = 'admin') => {
    const r = stack.cli('api', ['create-key', ws, 'test key', role]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };

  await t.test('API keys: missing, malformed, valid, revoked', async () => {
    const k = mkKey(wsA);
    assert.match(k, /^slk_[A-Za-z0-9_-]{43}$/);
    const stored = stack.sql(`SELECT prefix, encode(key_hash, 'hex') FROM api_keys WHERE workspace_id = ${wsA}`);
    assert.equal(stored.length, 1);
    assert.equal(stored[0][0], k.slice(0, 12));
    assert.ok(!stored[0][1].includes(k.slice(4)), 'key stored in clear');
    let r = await request(`${stack.url}/v1/connections`);
    assert.equal(r.status, 401);
    assert.match(r.json.error.message, /Bearer/);
    r = await request(`${stack.url}/v1/connections`, { headers: { authorization: 'Bearer slk_nope' } });
    assert.equal(r.status, 401);
    r = await request(`${stack.url}/v1/connections`, { headers: { authorization: `Bearer ${k}x` } });
    assert.equal(r.status, 401);
    r = await request(`${stack.url}/v1/connections`, { headers: { authorization: `Bearer ${k}` } });
    assert.equal(r.status, 200);
    assert.equal(stack.sql(`SELECT last_used_at IS NOT NULL FROM api_keys WHERE workspace_id = ${wsA}`)[0][0], 't');
    stack.sql(`UPDATE api_keys SET revoked_at = now() WHERE workspace_id = ${wsA}`);
    r = await request(`${stack.url}/v1/connections`, { headers: { authorization: `Bearer ${k}` } });
    assert.equal(r.status, 401);
  });

  await t.test('a key of workspace A never sees workspace B, and no token leaves', async () => {
    const ka = mkKey(wsA);
    const kb = mkKey(wsB, 'viewer');
    const a = await request(`${stack.url}/v1/connections`, { headers: { authorization: `Bearer ${ka}` } });
    const b = await request(`${stack.url}/v1/connections`, { headers: { authorization: `Bearer ${kb}` } });
    assert.deepEqual(a.json.map((c) => c.provider), ['github']);
    assert.deepEqual(b.json.map((c) => c.provider), ['slack']);
    for (const c of [...a.json, ...b.json]) {
      assert.ok(!('token_blob' in c) && !('key_id' in c));
    }
    assert.ok(!a.text.includes('"x"') && !b.text.includes('"y"'));
  });

  await t.test('rotation re-seals rows under three keys, resumably', async (st) => {
    stack.sql('DELETE FROM connections');
    const keys = [K1, K2, K3];
    const rows = 3000;
    const values = [];
    for (let i = 0; i < rows; i++) values.push(`(${wsA}, 'p${i % 10}', 'owner-${i}')`);
    stack.sql(`INSERT INTO connections (workspace_id, provider, external_owner) VALUES ${values.join(',')}`);
    const conns = stack.sql('SELECT id, workspace_id, provider FROM connections ORDER BY id');
    const blobs = keys.map((k, j) => {
      const mine = conns.filter((_, i) => i % 3 === j);
      const r = spawnSync(path.join(TOOLS, 'vault_tool'), ['seal-lines'], {
        encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: k },
        input: mine.map(([id, ws, prov]) => `${ws} ${prov} ${id} token-${id}\n`).join(''),
      });
      const out = r.stdout.trim().split('\n');
      assert.equal(out.length, mine.length, r.stderr);
      return out;
    });
    const updates = conns.map(([id], i) => `(${id}, '${blobs[i % 3][Math.floor(i / 3)]}', 'k${(i % 3) + 1}')`);
    stack.sql(`UPDATE connections c SET token_blob = v.b, key_id = v.k FROM (VALUES ${updates.join(',')}) AS v(i, b, k) WHERE c.id = v.i`);

    // A copied blob does not open on another row.
    const [[id0, ws0, p0, b0]] = stack.sql('SELECT id, workspace_id, provider, token_blob FROM connections ORDER BY id LIMIT 1');
    assert.ok(vault(K1, 'open', ws0, p0, id0, b0).ok);
    assert.ok(!vault(K1, 'open', ws0, p0, String(Number(id0) + 1), b0).ok);
    assert.ok(!vault(K1, 'open', String(Number(ws0) + 1), p0, id0, b0).ok);

    const ring = [K4, K1, K2, K3].join(',');
    // Killed midway: batch of 1 so the run is long enough to interrupt.
    const child = spawn(path.join(BIN, 'api'), ['rotate-keys', '1'], {
      env: { ...stack.env, SLUICE_DATABASE_URL: stack.dbUrl, SLUICE_ENCRYPTION_KEYS: ring, SLUICE_LOG_FILE: '' },
      stdio: 'ignore',
    });
    defer(st, () => child.kill('SIGKILL'));
    const exited = new Promise((res) => child.on('exit', res));
    const t0 = Date.now();
    while (Number(stack.sql("SELECT count(*) FROM connections WHERE key_id = 'k4'")[0][0]) < 20 &&
           Date.now() - t0 < 20000) {
      await new Promise((res) => setTimeout(res, 20));
    }
    child.kill('SIGKILL');
    await exited;
    const mid = stack.sql("SELECT count(*) FILTER (WHERE key_id = 'k4'), count(*) FROM connections")[0].map(Number);
    assert.ok(mid[0] > 0 && mid[0] < rows, `killed run re-sealed ${mid[0]} of ${rows}`);
    // Every row still opens with one of the configured keys (a sample of
    // each key id, and all rows just around the point of the kill).
    const sample = stack.sql(`(SELECT id, workspace_id, provider, token_blob FROM connections WHERE key_id = 'k4' ORDER BY id DESC LIMIT 40)
      UNION ALL (SELECT id, workspace_id, provider, token_blob FROM connections WHERE key_id <> 'k4' ORDER BY id LIMIT 40)`);
    assert.equal(sample.length, Math.min(mid[0], 40) + 40);
    for (const [id, ws, prov, blob] of sample) {
      const o = vault(ring, 'open', ws, prov, id, blob);
      assert.ok(o.ok && o.out === `token-${id}`, `row ${id} does not open: ${o.err}`);
    }
    // Resume: everything ends under k4, counts printed.
    const r = stack.cli('api', ['rotate-keys'], { SLUICE_ENCRYPTION_KEYS: ring });
    assert.equal(r.status, 0, r.stderr);
    const m = r.stdout.match(/(\d+) re-sealed, (\d+) skipped, (\d+) failed/);
    assert.ok(m, r.stdout);
    assert.equal(Number(m[1]), rows - mid[0]);
    assert.equal(Number(m[3]), 0);
    assert.equal(stack.sql("SELECT count(*) FROM connections WHERE key_id = 'k4'")[0][0], String(rows));
    // The old keys can now go: k4 alone opens every row.
    for (const [id, ws, prov, blob] of stack.sql('SELECT id, workspace_id, provider, token_blob FROM connections LIMIT 50')) {
      assert.equal(vault(K4, 'open', ws, prov, id, blob).out, `token-${id}`);
    }
    // A second run has nothing to do.
    const again = stack.cli('api', ['rotate-keys'], { SLUICE_ENCRYPTION_KEYS: ring });
    assert.match(again.stdout, /0 re-sealed, 0 skipped, 0 failed/);
  });

  await t.test('a blob under a key that is no longer configured is reported, not crashed on', async () => {
    const [[id]] = stack.sql('SELECT id FROM connections ORDER BY id LIMIT 1');
    const r = stack.cli('api', ['rotate-keys'], { SLUICE_ENCRYPTION_KEYS: K1 });
    // Every row is under k4, which K1 alone does not know.
    assert.equal(r.status, 1);
    assert.match(r.stdout, /0 re-sealed, 0 skipped, 3000 failed/);
    assert.ok(id);
  });

  await t.test('a malformed key list stops a program with a clear message', async () => {
    const r = stack.cli('api', ['migrate'], { SLUICE_ENCRYPTION_KEYS: 'k1:notbase64!' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /SLUICE_ENCRYPTION_KEYS: .*k1/);
    assert.ok(!r.stderr.includes('notbase64'));
  });
});
