'use strict';
// Row-level security: the second wall behind every workspace filter.  The
// queries below forget their workspace filter on purpose, run as the web
// programs run a request (lib/web/app.c: role sluice_web, sluice.workspace_id
// set for the transaction), and must see only that workspace.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startStack, request } = require('./lib/stack');

const scope = (ws, user = '') => `BEGIN;
  SELECT set_config('role', 'sluice_web', true), set_config('sluice.workspace_id', '${ws}', true), set_config('sluice.user_id', '${user}', true);`;

test('row-level security', async (t) => {
  const stack = await startStack({ programs: ['api'] });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const [[a]] = stack.sql("INSERT INTO workspaces (name) VALUES ('A') RETURNING id");
  const [[b]] = stack.sql("INSERT INTO workspaces (name) VALUES ('B') RETURNING id");
  stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
    SELECT w, 'ga4', 'p', 'sessions', current_date - d, d FROM unnest(ARRAY[${a}, ${b}]) w, generate_series(1, 10) d`);
  stack.sql(`INSERT INTO connections (workspace_id, provider) VALUES (${a}, 'ga4'), (${b}, 'ga4'), (${b}, 'slack')`);

  await t.test('a query without a workspace filter sees one tenant', async () => {
    const rows = stack.sql(`${scope(a)}
      SELECT count(*) FROM metric_daily;
      SELECT count(*) FROM connections;
      SELECT count(*) FROM workspaces;
      COMMIT;`);
    assert.deepEqual(rows.slice(-3).map((r) => r[0]), ['10', '1', '1']);
  });

  await t.test('nothing is visible when no workspace is set', async () => {
    const rows = stack.sql(`BEGIN; SELECT set_config('role', 'sluice_web', true);
      SELECT count(*) FROM metric_daily; SELECT count(*) FROM connections; COMMIT;`);
    assert.deepEqual(rows.slice(-2).map((r) => r[0]), ['0', '0']);
  });

  await t.test("writing another tenant's rows is refused or touches nothing", async () => {
    assert.throws(() => stack.sql(`${scope(a)}
      INSERT INTO connections (workspace_id, provider) VALUES (${b}, 'github'); COMMIT;`), /row-level security/);
    const rows = stack.sql(`${scope(a)}
      UPDATE metric_daily SET value = 0 WHERE workspace_id = ${b};
      DELETE FROM connections WHERE workspace_id = ${b};
      COMMIT;`);
    assert.ok(rows.length >= 1);
    assert.equal(stack.sql(`SELECT count(*) FROM metric_daily WHERE workspace_id = ${b} AND value = 0`)[0][0], '0');
    assert.equal(stack.sql(`SELECT count(*) FROM connections WHERE workspace_id = ${b}`)[0][0], '2');
  });

  await t.test('a request cannot write the tables that carry no workspace, nor read password hashes', async () => {
    const [[u]] = stack.sql(`INSERT INTO users (email, password_hash) VALUES ('rls@example.com', 'x') RETURNING id`);
    stack.sql(`INSERT INTO memberships (workspace_id, user_id, role) VALUES (${a}, ${u}, 'owner')`);
    stack.sql(`INSERT INTO email_events (message_id, type, payload) VALUES ('rls-msg', 'email.sent', '{}')`);
    stack.sql(`INSERT INTO email_suppressions (email, reason) VALUES ('gone@example.com', 'bounced')`);
    const writes = [
      "INSERT INTO users (email, password_hash) VALUES ('new@example.com', 'x')",
      `UPDATE users SET password_hash = 'x' WHERE id = ${u}`,
      `UPDATE users SET email = 'taken@example.com' WHERE id = ${u}`,
      `DELETE FROM users WHERE id = ${u}`,
      "INSERT INTO email_events (message_id, type, payload) VALUES ('forged', 'email.bounced', '{}')",
      "UPDATE email_events SET type = 'email.delivered'",
      'DELETE FROM email_events',
      "INSERT INTO email_suppressions (email, reason) VALUES ('victim@example.com', 'manual')",
      "DELETE FROM email_suppressions WHERE email = 'gone@example.com'",
      "INSERT INTO schema_migrations (version, name) VALUES (999, 'forged')",
      'DELETE FROM schema_migrations',
      "INSERT INTO login_throttle (key_hash, attempts, window_end) VALUES ('\\x00', 0, now())",
      'DELETE FROM login_throttle',
      'TRUNCATE users, email_events, email_suppressions',
      `SELECT password_hash FROM users WHERE id = ${u}`,
      'SELECT * FROM users',
      "SELECT nextval('users_id_seq')",
    ];
    for (const q of writes) {
      assert.throws(() => stack.sql(`${scope(a, u)} ${q}; COMMIT;`), /permission denied/, q);
    }
    // What requests do need still works: members' addresses, the events
    // and the suppressions a digest run reads.
    const rows = stack.sql(`${scope(a, u)}
      SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ${a};
      SELECT count(*) FROM email_events WHERE message_id = 'rls-msg';
      SELECT count(*) FROM email_suppressions;
      COMMIT;`);
    assert.deepEqual(rows.slice(-3).map((r) => r[0]), ['rls@example.com', '1', '1']);
  });

  await t.test('the API runs its requests inside that wall', async () => {
    const key = stack.cli('api', ['create-key', a, 'rls']).stdout.trim();
    // Watch the statements the program sends (this test's cluster only).
    stack.sql("ALTER SYSTEM SET log_statement = 'all'; SELECT pg_reload_conf();", { admin: true });
    await new Promise((res) => setTimeout(res, 300));
    const r = await request(`${stack.url}/v1/connections`, { headers: { authorization: `Bearer ${key}` } });
    await new Promise((res) => setTimeout(res, 300));
    stack.sql("ALTER SYSTEM RESET log_statement; SELECT pg_reload_conf();", { admin: true });
    const pglog = require('node:fs').readFileSync(require('node:path').join(stack.dir, 'log/postgres.log'), 'utf8');
    const scoped = pglog.split('\n').filter((l) => /set_config\('role', 'sluice_web', true\)/.test(l));
    assert.ok(scoped.length >= 1, 'the request did not run as sluice_web');
    const listing = pglog.indexOf('FROM connections WHERE workspace_id');
    assert.ok(listing > pglog.indexOf("set_config('role', 'sluice_web'"), 'the listing ran before the scope');
    assert.equal(r.status, 200);
    assert.equal(r.json.length, 1);
    // The role is reset after the request's transaction: the next one on
    // the same connection starts as the owner again and sets its own.
    const again = await request(`${stack.url}/v1/dashboard/tiles?period=28d`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(again.status, 200);
    assert.ok(again.json.tiles.every((x) => x.provider === 'ga4'));
  });
});
