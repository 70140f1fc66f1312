'use strict';
// What one workspace can make the database do must not hold the processes
// every workspace shares (an outside attacker's findings):
// - an attribution rule with a back reference made PostgreSQL match by
//   backtracking (seconds a page over long referrers from the public form,
//   minutes to check one when saved): refused before PostgreSQL reads it;
// - any statement of a request for a workspace is cancelled past
//   SLUICE_STATEMENT_TIMEOUT_MS: the request answers 503 and its process
//   serves the next one, instead of waiting as long as the statement does.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { startStack, request } = require('./lib/stack');
const { setupOwner } = require('./lib/flows');
const { hidden } = require('./lib/browser');

test('statements a workspace causes are bounded', { timeout: 120000 }, async (t) => {
  const stack = await startStack({ programs: ['api', 'pages'], env: { SLUICE_STATEMENT_TIMEOUT_MS: '500' } });
  const lockers = [];
  t.after(() => {
    for (const p of lockers) if (p.exitCode === null) p.kill('SIGTERM');
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const b = await setupOwner(stack.url);
  const [[ws]] = stack.sql('SELECT id FROM workspaces');
  const key = stack.cli('api', ['create-key', ws, 'k', 'admin']).stdout.trim();
  const api = (path) => request(`${stack.url}${path}`, { headers: { authorization: `Bearer ${key}` } });

  await t.test('a rule with a back reference is refused, saying why', async () => {
    const page = await b.get('/attribution');
    assert.equal(page.status, 200);
    const csrf = hidden(page.text, 'csrf');
    for (const rule of ['Slow |  |  | (.{0,100})\\1{0,100}x', 'Slow | (a)\\2 | |']) {
      const r = await b.post('/attribution/rules', { csrf, rules: `Search | ^google$ | |\n${rule}` });
      assert.equal(r.status, 422, rule);
      assert.match(r.text, /line 2: a pattern holds a back reference \(\\1 to \\9\), which makes matching slow/, rule);
    }
    // Lookarounds: a sub-match at every position (a re-check found 50
    // rules of four lookaheads cost 13 s an inquiry).
    for (const rule of ['Slow |  |  | (?=.*a.{200}b)(?=.*b.{200}a)~', 'Slow | (?!x)y | |', 'Slow | | (?<=a)b |', 'Slow | | | (?<!a)b']) {
      const r = await b.post('/attribution/rules', { csrf, rules: `Search | ^google$ | |\n${rule}` });
      assert.equal(r.status, 422, rule);
      assert.match(r.text, /line 2: a pattern holds a lookahead or lookbehind/, rule);
    }
    assert.deepEqual(stack.sql(`SELECT count(*) FROM attribution_rules WHERE workspace_id = ${ws}`), [['0']]);
    // An escaped backslash before a digit is a character, not a reference.
    const ok = await b.post('/attribution/rules', { csrf, rules: 'Odd | ^a\\\\1$ | |' });
    assert.equal(ok.status, 303);
    assert.deepEqual(stack.sql(`SELECT utm_source FROM attribution_rules WHERE workspace_id = ${ws}`), [['^a\\\\1$']]);
  });

  await t.test('a statement past the bound is cancelled: 503, and the process goes on', async () => {
    assert.equal((await api('/v1/inquiries')).status, 200);
    // Another session holds the table: the request's statement waits on
    // its lock — counted by statement_timeout as any other wait.
    const locker = spawn('/usr/lib/postgresql/15/bin/psql', ['-X', '-q', '-d', stack.dbUrl, '-c',
      'BEGIN; LOCK TABLE inquiries IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;'], { stdio: 'ignore' });
    lockers.push(locker);
    for (let i = 0; i < 50 && stack.sql("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'inquiries' AND l.mode = 'AccessExclusiveLock' AND l.granted")[0][0] === '0'; i++) {
      await new Promise((res) => setTimeout(res, 100));
    }
    const r = await api('/v1/inquiries');
    assert.equal(r.status, 503, `${r.status} ${r.text.slice(0, 200)}`);
    assert.ok(r.headers.get('retry-after'), 'a 503 says when to try again');
    // The lock goes with the other session's commit: the next request is
    // served by the same processes.
    if (locker.exitCode === null) await new Promise((res) => locker.once('exit', res));
    let after;
    for (let i = 0; i < 50; i++) {
      after = await api('/v1/inquiries');
      if (after.status === 200) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(after.status, 200);
  });
});
