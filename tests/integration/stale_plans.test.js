'use strict';
// A column's type altered while the programs run (an administrator's
// ALTER TABLE, a migration run beside them): PostgreSQL refuses to run a
// statement prepared before it ("cached plan must not change result
// type", 0A000).  The connection's statements are prepared afresh and the
// pages keep answering; before, every request answered 500 until a
// restart.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startStack } = require('./lib/stack');
const { setupOwner } = require('./lib/flows');

test('a statement prepared before a column changed type is prepared again, not a 500 on every page', async (t) => {
  const stack = await startStack({ programs: ['api', 'pages'], env: { SLUICE_FCGI_PROCS: '1' } });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const owner = await setupOwner(stack.url);
  for (let i = 0; i < 2; i++) assert.equal((await owner.get('/dashboard')).status, 200, 'dashboard before');
  for (const type of ['varchar(300)', 'text']) {
    stack.sql(`ALTER TABLE users ALTER COLUMN email TYPE ${type}`);
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      for (const page of ['/dashboard', '/settings', '/connections']) statuses.push((await owner.get(page)).status);
    }
    assert.deepEqual(statuses.filter((s) => s !== 200), [],
      `every page after email became ${type} answers 200: ${statuses.join(' ')}`);
  }
  assert.doesNotMatch(stack.log('pages'), /cached plan must not change result type/,
    'a statement refused outside a transaction is sent again, prepared afresh, without an error logged');
});
