'use strict';
// The programs' commands as an operator runs them against a `make run`
// stack: `make api-key`, `make rotate-keys`, `make migrate` and
// `stack.sh cli` read the stack's own secrets and private cluster, so
// nothing needs exporting by hand (issue 21, item 6).
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { startStack, request, ROOT } = require('./lib/stack');

test('the CLI commands work with the stack\'s own configuration', async (t) => {
  const stack = await startStack({ programs: ['api'] });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  // An operator's shell: no SLUICE_* variable at all.
  const shell = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLUICE_')));
  shell.SLUICE_ENV_FILE = '/dev/null';
  const make = (...args) => spawnSync('make', ['-s', '--no-print-directory', `VAR=${stack.dir}`, ...args],
    { cwd: ROOT, env: shell, encoding: 'utf8', timeout: 60000 });
  const [[ws]] = stack.sql("INSERT INTO workspaces (name) VALUES ('Ops') RETURNING id");

  await t.test('make api-key prints a key that works', async () => {
    const r = make('api-key', `WS=${ws}`, 'NAME=ops script');
    assert.equal(r.status, 0, r.stderr);
    const key = r.stdout.trim();
    assert.match(key, /^slk_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(stack.sql(`SELECT name, role FROM api_keys WHERE workspace_id = ${ws}`), [['ops script', 'viewer']]);
    const res = await request(`${stack.url}/v1/connections`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    const usage = make('api-key');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /make api-key WS=/);
  });

  await t.test('make rotate-keys and make migrate', () => {
    let r = make('rotate-keys');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /rotate-keys: \d+ re-sealed, \d+ skipped, 0 failed/);
    r = make('migrate');
    assert.equal(r.status, 0, r.stderr);
  });

  await t.test('stack.sh cli refuses what is not an installed program', () => {
    for (const prog of ['../bin/api', 'nope', '']) {
      const r = spawnSync('bash', [`${ROOT}/nginx/stack.sh`, 'cli', stack.dir, prog], { env: shell, encoding: 'utf8' });
      assert.notEqual(r.status, 0, prog);
      assert.match(r.stderr, /stack: /, prog);
    }
  });
});
