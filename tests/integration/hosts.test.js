'use strict';
// Several hosts, simulated (issue 22, item 4): two complete sets of
// programs, each with its worker daemon, in their own state directories
// and ports, on one PostgreSQL (set A's), behind one nginx `upstream`.
// A session made through one set works through the other; every queued
// sync job runs exactly once, some on each set's workers; with set B
// killed (-9, programs and workers) mid-round, pages keep answering
// through A and no job is lost (A's workers take B's after the lease).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startStack, defer, request, freePort } = require('./lib/stack');
const { setupOwner, connectSandbox } = require('./lib/flows');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const SLUGS = ['ga4', 'google_ads', 'youtube', 'facebook', 'instagram', 'meta_ads', 'linkedin', 'mailchimp', 'slack', 'github'];
const PROGRAMS = ['api', 'pages', 'oauth', 'sandbox', 'cron'];

// One nginx in front of both sets: round robin, a set that fails is
// passed over (GETs are tried on the other).
async function startFront(port, upstreams) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-front-'));
  fs.chmodSync(dir, 0o755);
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, `${process.getuid() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
	access_log ${dir}/access.log;
	client_body_temp_path ${dir}/body;
	proxy_temp_path ${dir}/proxy;
	fastcgi_temp_path ${dir}/fastcgi;
	uwsgi_temp_path ${dir}/uwsgi;
	scgi_temp_path ${dir}/scgi;
	upstream sets {
${upstreams.map((p) => `		server 127.0.0.1:${p} max_fails=1 fail_timeout=30s;`).join('\n')}
	}
	server {
		listen 127.0.0.1:${port};
		location / {
			proxy_pass http://sets;
			proxy_set_header Host $http_host;
			proxy_next_upstream error timeout http_502;
			proxy_connect_timeout 2s;
		}
	}
}
`);
  const child = spawn('/usr/sbin/nginx', ['-c', conf, '-p', dir], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    try { await request(`http://127.0.0.1:${port}/healthz`); break; } catch { await sleep(100); }
  }
  return {
    dir,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The state directory a process's program was installed from.
const setOf = (pid) => {
  try { return path.dirname(path.dirname(path.dirname(fs.readlinkSync(`/proc/${pid}/exe`)))); } catch { return null; }
};

test('two sets of programs on one database behind one upstream', { timeout: 300000 }, async (t) => {
  const frontPort = await freePort();
  const front = `http://127.0.0.1:${frontPort}`;
  const common = {
    SLUICE_BASE_URL: front, SLUICE_WORKER_PROCS: '2', SLUICE_WORKER_POLL_MS: '200',
    SLUICE_SYNC_LEASE_S: '5', SLUICE_SYNC_BACKOFF_S: '0',
  };
  const a = await startStack({ programs: PROGRAMS, env: common });
  defer(t, () => {
    const reports = a.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  // Set B: A's secrets and A's database, its own programs and workers.
  const secrets = Object.fromEntries(fs.readFileSync(path.join(a.dir, 'secrets.env'), 'utf8').split('\n')
    .filter((l) => /^SLUICE_[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const b = await startStack({ programs: PROGRAMS, env: { ...common, ...secrets, SLUICE_DATABASE_URL: a.dbUrl } });
  let bStopped = false;
  defer(t, () => {
    if (bStopped) return;
    const reports = b.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const fr = await startFront(frontPort, [a.port, b.port]);
  defer(t, () => fr.stop());
  const served = (stack) => {
    const f = path.join(stack.dir, 'log', 'nginx-access.log');
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).length : 0;
  };

  const owner = await setupOwner(front);
  await t.test('a session works through both sets', async () => {
    const before = [served(a), served(b)];
    for (let i = 0; i < 10; i++) {
      const r = await owner.get('/dashboard');
      assert.equal(r.status, 200, `request ${i}`);
    }
    assert.ok(served(a) - before[0] >= 3 && served(b) - before[1] >= 3,
      `both sets served the session (${served(a) - before[0]}, ${served(b) - before[1]})`);
  });

  for (const slug of SLUGS) await connectSandbox(owner, slug);
  const [[ws]] = a.sql('SELECT id FROM workspaces');
  const enqueue = () => a.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind, priority)
    SELECT workspace_id, id, 'manual', 10 FROM connections WHERE workspace_id = ${ws} ON CONFLICT DO NOTHING`);
  const settle = async (ms) => {
    let left = -1;
    for (let i = 0; i < ms / 250; i++) {
      [[left]] = a.sql("SELECT count(*) FROM sync_jobs WHERE status IN ('queued', 'running')");
      if (left === '0') return 0;
      await sleep(250);
    }
    return Number(left);
  };

  await t.test('every job runs exactly once, on either set\'s workers', async () => {
    const sets = new Set();
    for (let round = 0; round < 3; round++) {
      enqueue();
      assert.equal(await settle(90000), 0, 'jobs left after 90 s');
    }
    const jobs = a.sql("SELECT j.id, j.status, (SELECT count(*) FROM sync_runs r WHERE r.job_id = j.id), split_part(j.leased_by, ':', 2) FROM sync_jobs j WHERE j.kind = 'manual'");
    assert.equal(jobs.length, 3 * SLUGS.length);
    for (const [id, status, runs, pid] of jobs) {
      assert.equal(status, 'done', `job ${id}`);
      assert.equal(runs, '1', `job ${id} ran ${runs} times`);
      sets.add(setOf(Number(pid)));
    }
    assert.ok(sets.has(a.dir) && sets.has(b.dir), `jobs ran on both sets: ${[...sets].join(', ')}`);
  });

  await t.test('set B killed mid-round: pages answer through A, no job is lost', async () => {
    enqueue();
    // Wait until B's workers hold a job, then kill all of B at once.
    let held = false;
    for (let i = 0; i < 200 && !held; i++) {
      held = a.sql("SELECT split_part(leased_by, ':', 2) FROM sync_jobs WHERE status = 'running'")
        .some(([pid]) => setOf(Number(pid)) === b.dir);
      if (!held) await sleep(50);
    }
    const victims = ['worker', ...PROGRAMS].flatMap((n) => b.pids(n));
    for (const p of victims) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
    for (const p of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)) {
      if (setOf(p) === b.dir) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
    }
    for (let i = 0; i < 20; i++) {
      const r = await owner.get('/dashboard');
      assert.equal(r.status, 200, `request ${i} after B died`);
    }
    assert.equal(await settle(120000), 0, 'jobs left after B died');
    const rows = a.sql("SELECT j.id, j.status FROM sync_jobs j WHERE j.kind = 'manual' ORDER BY id DESC LIMIT 10");
    assert.ok(rows.every(([, s]) => s === 'done'), JSON.stringify(rows));
    assert.ok(held, 'B held a job when it was killed');
    const [[lost]] = a.sql("SELECT count(*) FROM connections c WHERE NOT EXISTS (SELECT 1 FROM sync_runs r JOIN sync_jobs j ON j.id = r.job_id WHERE r.connection_id = c.id AND r.status = 'ok' AND j.id = (SELECT max(id) FROM sync_jobs WHERE connection_id = c.id))");
    assert.equal(lost, '0', 'every connection\'s last job ended in a good run');
    assert.deepEqual(a.sql("SELECT count(*) FROM sync_runs WHERE status = 'running'"), [['0']], 'no run of a killed worker is left running');
    t.diagnostic(JSON.stringify(a.sql("SELECT r.job_id, r.status, split_part(j.leased_by, ':', 2) FROM sync_runs r JOIN sync_jobs j ON j.id = r.job_id WHERE j.kind = 'manual' AND j.id > (SELECT max(id) - 10 FROM sync_jobs) ORDER BY r.id")));
  });
});
