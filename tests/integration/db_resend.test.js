'use strict';
// A statement sent outside a transaction is never sent again after its
// connection dies: the server may have run and committed it already.  A
// proxy on a Unix socket between the pages program and PostgreSQL passes
// a login's throttle statement on, then cuts the program off before the
// answer comes back; the server still counts the attempt.  The program
// must answer 503 (the outcome is unknown) and the attempt be counted
// once, not twice.  A session the server ended while it was idle is
// still replaced before the next statement goes out (no error at all).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startStack, defer } = require('./lib/stack');
const { setupOwner } = require('./lib/flows');
const { Client, hidden } = require('./lib/browser');

// Listens where libpq looks for "host=DIR port=PORT" and forwards to the
// stack's own socket, in a child process (stack.sh runs synchronously
// here).  A line "arm TEXT" on its input: the next client message holding
// TEXT goes to the server and the client's connection is closed at once
// (the child says "cut"); the server's answer is read and dropped.  The
// end of the server's stream reaches the client 300 ms after its data.
const CUTTER = `
const [target, sock] = process.argv.slice(1);
let armed = null;
require('node:readline').createInterface({ input: process.stdin })
  .on('line', (l) => { if (l.startsWith('arm ')) armed = Buffer.from(l.slice(4)); })
  .on('close', () => process.exit(0));
net.createServer((client) => {
  const up = net.createConnection(target);
  client.on('error', () => {}); up.on('error', () => {});
  client.on('data', (d) => {
    up.write(d);
    if (armed && d.includes(armed)) { armed = null; client.destroy(); console.log('cut'); }
  });
  up.on('data', (d) => { if (!client.destroyed) client.write(d); });
  client.on('close', () => setTimeout(() => up.destroy(), 1000));
  // The server's last words pass at once, the end of its stream later:
  // a program must not wait for the end to know the session is over.
  up.on('close', () => setTimeout(() => client.destroy(), 300));
}).listen(sock, () => { require('node:fs').chmodSync(sock, 0o777); console.log('ready'); });
`;

async function startCutter(stack) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-cut-'));
  fs.chmodSync(dir, 0o755);	// the service user connects through it
  const child = spawn(process.execPath, ['-e', CUTTER,
    path.join(stack.dir, 'svc', `.s.PGSQL.${stack.pgPort}`),
    path.join(dir, `.s.PGSQL.${stack.pgPort}`)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let cuts = 0;
  await new Promise((resolve, reject) => {
    child.once('error', reject);
    require('node:readline').createInterface({ input: child.stdout }).on('line', (l) => {
      if (l === 'ready') resolve();
      if (l === 'cut') cuts++;
    });
  });
  return {
    url: `host=${dir} port=${stack.pgPort} dbname=sluice user=sluice`,
    arm: (text) => child.stdin.write(`arm ${text}\n`),
    cuts: () => cuts,
    close: () => {
      child.stdin.end();
      child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('a statement outside a transaction is not sent twice when its connection dies', async (t) => {
  const stack = await startStack({ programs: ['pages'], env: { SLUICE_FCGI_PROCS: '1' } });
  defer(t, () => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  await setupOwner(stack.url);
  const cut = await startCutter(stack);
  defer(t, () => cut.close());
  await stack.restart(['pages'], { SLUICE_DATABASE_URL: cut.url });
  const email = 'cut-after-send@example.com';
  const counted = () => Number(stack.sql(`SELECT coalesce(sum(attempts), 0) FROM login_throttle
    WHERE key_hash = sha256(convert_to('account:${email}', 'UTF8'))`, { admin: true })[0][0]);
  const c = new Client(stack.url);
  let page = await c.get('/login');
  assert.equal(page.status, 200);
  cut.arm(email);
  await new Promise((res) => setTimeout(res, 100));
  const r = await c.post('/login', { pre: hidden(page.text, 'pre'), email, password: 'not the password' });
  // The proxy's "cut" line comes down its own pipe: on a busy machine the
  // answer can be here first (a full suite once read 0 cuts).
  for (let i = 0; i < 100 && cut.cuts() === 0; i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(cut.cuts(), 1, 'the proxy cut a statement holding the email');
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(counted(), 1, `one attempt counted once (answered ${r.status})`);
  assert.equal(r.status, 503, `answered ${r.status}: ${r.text.slice(0, 300)}`);
  // The program goes on with a new connection.
  page = await c.get('/login');
  assert.equal(page.status, 200);
  const again = await c.post('/login', { pre: hidden(page.text, 'pre'), email, password: 'not the password' });
  assert.equal(again.status, 401);
  assert.equal(counted(), 2);
  // A session ended by the server while idle is replaced before the next
  // statement: the next request does not notice, also when the end of
  // the stream has not come yet (only the server's FATAL notice).
  stack.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'sluice' AND pid <> pg_backend_pid()", { admin: true });
  await new Promise((res) => setTimeout(res, 50));
  page = await c.get('/login');
  assert.equal(page.status, 200, `the login page after the session was ended:\n${stack.log('pages').slice(-1500)}`);
  const third = await c.post('/login', { pre: hidden(page.text, 'pre'), email, password: 'not the password' });
  assert.equal(third.status, 401, third.text.slice(0, 300));
  assert.equal(counted(), 3);
  // The server's last words are a log line, not raw text on stderr.
  assert.match(stack.log('pages'), /"event":"db_lost","msg":"the database ended the session: terminating connection due to administrator command"/);
});
