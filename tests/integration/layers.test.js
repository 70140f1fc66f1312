'use strict';
// lib/'s layers (tests/tools/layers.sh): `make check-layers` passes on the
// tree and fails, naming the file, the include and the rule, on an include
// that goes up a layer.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..', '..');
const script = path.join(root, 'tests', 'tools', 'layers.sh');

const run = (what, dir) => spawnSync('bash', [script, what, dir], { encoding: 'utf8' });

// A copy of lib/ and cgi-bin/ to break on purpose.
function copy() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  for (const d of ['lib', 'cgi-bin']) fs.cpSync(path.join(root, d), path.join(dir, d), { recursive: true });
  return dir;
}

// Adds a line after the first #include "…" of a file of the copy.
function include(dir, file, line) {
  const f = path.join(dir, file);
  const src = fs.readFileSync(f, 'utf8');
  const at = src.indexOf('#include "');
  assert.ok(at >= 0, `${file} has no #include "…"`);
  fs.writeFileSync(f, `${src.slice(0, at)}${line}\n${src.slice(at)}`);
  return src.slice(0, at).split('\n').length;
}

test('the tree keeps to the layers, silently', () => {
  const r = run('check', root);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout + r.stderr, '');
});

test('an include up a layer fails, naming the file, the include and the rule', (t) => {
  const dir = copy();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const line = include(dir, 'lib/base/arena.c', '#include "web/req.h"');
  const r = run('check', dir);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, `lib/base/arena.c:${line}: #include "web/req.h": base (layer 0) may not include web (layer 2): a file includes its own folder and lower layers only\n`);
});

test('the product never includes the simulator; siblings never include each other', (t) => {
  const dir = copy();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  include(dir, 'lib/providers/provider.c', '#include "sandbox/sandbox.h"');
  include(dir, 'cgi-bin/api.c', '#include "sandbox/sandbox.h"');
  include(dir, 'lib/store/db.c', '#include "crypto/crypto.h"');
  include(dir, 'cgi-bin/sandbox.c', '#include "sandbox/sandbox_priv.h"');
  const r = run('check', dir);
  assert.equal(r.status, 1);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 3, r.stdout);
  assert.match(r.stdout, /^cgi-bin\/api\.c:\d+: #include "sandbox\/sandbox\.h": lib\/sandbox\/ is for cgi-bin\/sandbox\.c and the tests only$/m);
  assert.match(r.stdout, /^lib\/providers\/provider\.c:\d+: #include "sandbox\/sandbox\.h": providers \(layer 3\) may not include sandbox \(layer 9\)/m);
  assert.match(r.stdout, /^lib\/store\/db\.c:\d+: #include "crypto\/crypto\.h": store \(layer 1\) may not include crypto \(layer 1\)/m);
});

test('a header by its bare name, and a folder of no layer, fail', (t) => {
  const dir = copy();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  include(dir, 'lib/web/req.c', '#include "arena.h"');
  // A folder named first and left again: it reaches sync/ from providers/.
  include(dir, 'lib/providers/fetch.c', '#include "providers/../sync/sync.h"');
  fs.mkdirSync(path.join(dir, 'lib', 'extra'));
  fs.writeFileSync(path.join(dir, 'lib', 'extra', 'x.c'), '#include "base/err.h"\n');
  const r = run('check', dir);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^lib\/web\/req\.c:\d+: #include "arena\.h": not a lib\/ header by its folder path/m);
  assert.match(r.stdout, /^lib\/extra\/: a folder of no layer/m);
  assert.match(r.stdout, /^lib\/providers\/fetch\.c:\d+: #include "providers\/\.\.\/sync\/sync\.h": a path with \. or \.\. hides/m);
});

// README's layer table and module map are what `make module-map` prints.
test('README.md has the module map of the tree', () => {
  const r = run('map', root);
  assert.equal(r.status, 0, r.stderr);
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const m = readme.match(/<!-- module-map:[^\n]*-->\n([\s\S]*?)<!-- \/module-map -->/);
  assert.ok(m, 'README.md lacks the <!-- module-map --> block');
  assert.equal(m[1], r.stdout, 'README.md and the tree disagree: paste `make module-map` into README.md');
});

test('the module map fails on a module of no layer or a header without its line', (t) => {
  const dir = copy();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'lib', 'base', 'extra.h'), '/*\n * extra.h — an extra.\n */\n');
  const f = path.join(dir, 'lib', 'base', 'kv.h');
  fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/^ \* kv\.h — .*$/m, ' * kv.h — names with values,'));
  const r = run('map', dir);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /lib\/base\/extra\.h is in no layer/);
  assert.match(r.stderr, /lib\/base\/kv\.h: the top comment must begin "kv\.h — what it is for\." on one line/);
});

// `make unit` without T= builds and runs every unit test (and T=x one).
test('make unit runs every unit test, make unit T=x one', () => {
  const dry = (...args) => spawnSync('make', ['-n', '--no-print-directory', '-C', root,
    'UBUILD=/nonexistent-ubuild', 'unit', ...args], { encoding: 'utf8' });
  const all = dry();
  assert.equal(all.status, 0, all.stderr);
  const loop = all.stdout.split('\n').find((l) => l.includes('for t in'));
  assert.ok(loop, `no run loop in:\n${all.stdout.slice(-500)}`);
  const names = fs.readdirSync(path.join(root, 'tests', 'unit')).filter((f) => /^test_.*\.c$/.test(f));
  assert.ok(names.length > 10);
  for (const f of names) assert.ok(loop.includes(`/nonexistent-ubuild/test/${f.slice(0, -2)} `) ||
    loop.includes(`/nonexistent-ubuild/test/${f.slice(0, -2)};`), `${f} not run by make unit`);
  const one = dry('T=arena');
  assert.equal(one.status, 0, one.stderr);
  assert.match(one.stdout, /for t in \/nonexistent-ubuild\/test\/test_arena;/);
});
