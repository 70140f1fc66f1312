// webhook_svix.test.js — our webhook signatures (lib/crypto through
// tests/tools/webhook_sig) against the official svix library, both ways.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Webhook } = require('svix');

const TOOLS = process.env.SLUICE_TOOLS;
const { FIXTURES } = require('./lib/stack');

function tool() {
	assert.ok(TOOLS, 'SLUICE_TOOLS must name the tools directory');
	const p = path.join(TOOLS, 'webhook_sig');
	assert.ok(fs.existsSync(p), `${p} is not built`);
	return p;
}

// Runs webhook_sig; returns { status, out }.
function run(args, body) {
	const r = spawnSync(tool(), args, { input: Buffer.from(body, 'utf8') });
	assert.equal(r.error, undefined);
	assert.equal(r.stderr.toString(), '', 'no sanitizer or usage output');
	return { status: r.status, out: r.stdout.toString().trim() };
}

function cSign(secret, id, ts, body) {
	const r = run(['sign', secret, id, String(ts)], body);
	assert.equal(r.status, 0, r.out);
	return r.out;
}

function cVerify(secret, id, ts, header, now, body) {
	return run(['verify', secret, id, String(ts), header, String(now)], body);
}

function newSecret(bytes = 32) {
	return 'whsec_' + crypto.randomBytes(bytes).toString('base64');
}

function newId() {
	return 'msg_' + crypto.randomBytes(12).toString('hex');
}

const BODIES = [
	'{}',
	'{"type":"email.delivered","data":{"subject":"Weekly KPI digest: 16–22 Feb 2026","to":["ops@example.com"]}}',
	'{\n  "type": "email.bounced",\r\n  "data": {"bounce": {"type": "Permanent", "message": "<550 5.1.1>"}}\n}\n',
	JSON.stringify({ type: 'email.clicked', data: { blob: 'x'.repeat(100000), emoji: '📈' } }),
];

test('payloads signed by svix verify in our C code', () => {
	for (const [i, body] of BODIES.entries()) {
		const secret = newSecret(i % 2 === 0 ? 32 : 24);
		const id = newId();
		const date = new Date();
		const ts = Math.floor(date.getTime() / 1000);
		const header = new Webhook(secret).sign(id, date, body);
		assert.match(header, /^v1,[A-Za-z0-9+/]{43}=$/);
		assert.deepEqual(cVerify(secret, id, ts, header, ts, body),
		    { status: 0, out: 'ok' });
		// Our signer produces the same header for the same input.
		assert.equal(cSign(secret, id, ts, body), header);
		// The secret without its prefix is the same key.
		assert.equal(cVerify(secret.slice(6), id, ts, header, ts, body).status, 0);
		// The 5-minute window, inclusive, either way.
		assert.equal(cVerify(secret, id, ts, header, ts + 300, body).out, 'ok');
		assert.equal(cVerify(secret, id, ts, header, ts - 300, body).out, 'ok');
		assert.deepEqual(cVerify(secret, id, ts, header, ts + 301, body),
		    { status: 1, out: 'too_old' });
		assert.deepEqual(cVerify(secret, id, ts, header, ts - 301, body),
		    { status: 1, out: 'too_new' });
	}
});

test('payloads signed by our C code verify with svix', () => {
	for (const [i, body] of BODIES.entries()) {
		const secret = newSecret(i % 2 === 0 ? 32 : 24);
		const id = newId();
		// svix checks against its own clock: use the current time.
		const ts = Math.floor(Date.now() / 1000);
		const header = cSign(secret, id, ts, body);
		const payload = new Webhook(secret).verify(body, {
			'svix-id': id,
			'svix-timestamp': String(ts),
			'svix-signature': header,
		});
		assert.deepEqual(payload, JSON.parse(body));
	}
});

test('a tampered body is rejected by both', () => {
	const secret = newSecret();
	const id = newId();
	const date = new Date();
	const ts = Math.floor(date.getTime() / 1000);
	const body = BODIES[1];
	const tampered = body.replace('ops@example.com', 'ops@example.org');
	assert.notEqual(tampered, body);

	const svixHeader = new Webhook(secret).sign(id, date, body);
	assert.deepEqual(cVerify(secret, id, ts, svixHeader, ts, tampered),
	    { status: 1, out: 'no_match' });

	const ourHeader = cSign(secret, id, ts, body);
	assert.throws(() => new Webhook(secret).verify(tampered, {
		'svix-id': id, 'svix-timestamp': String(ts), 'svix-signature': ourHeader,
	}), /No matching signature found/);
	// A changed id or timestamp is as bad as a changed body.
	assert.equal(cVerify(secret, newId(), ts, svixHeader, ts, body).out, 'no_match');
	assert.throws(() => new Webhook(secret).verify(body, {
		'svix-id': id, 'svix-timestamp': String(ts - 1), 'svix-signature': ourHeader,
	}), /No matching signature found/);
});

test('a wrong secret is rejected by both', () => {
	const secret = newSecret();
	const other = newSecret();
	const id = newId();
	const date = new Date();
	const ts = Math.floor(date.getTime() / 1000);
	const body = BODIES[0];

	const svixHeader = new Webhook(secret).sign(id, date, body);
	assert.deepEqual(cVerify(other, id, ts, svixHeader, ts, body),
	    { status: 1, out: 'no_match' });

	const ourHeader = cSign(other, id, ts, body);
	assert.throws(() => new Webhook(secret).verify(body, {
		'svix-id': id, 'svix-timestamp': String(ts), 'svix-signature': ourHeader,
	}), /No matching signature found/);
	// A secret that is not base64 is refused before anything else.
	assert.deepEqual(cVerify('whsec_not*base64', id, ts, svixHeader, ts, body),
	    { status: 1, out: 'bad_secret' });
});

test('several signatures in one header (secret rotation), both ways', () => {
	const oldSecret = newSecret();
	const newSecretValue = newSecret();
	const id = newId();
	const date = new Date();
	const ts = Math.floor(date.getTime() / 1000);
	const body = BODIES[1];

	const header = [
		new Webhook(oldSecret).sign(id, date, body),
		'v1a,c29tZXRoaW5nIGVsc2U=',
		new Webhook(newSecretValue).sign(id, date, body),
	].join(' ');
	assert.equal(cVerify(oldSecret, id, ts, header, ts, body).out, 'ok');
	assert.equal(cVerify(newSecretValue, id, ts, header, ts, body).out, 'ok');
	assert.equal(cVerify(newSecret(), id, ts, header, ts, body).out, 'no_match');

	const ours = [cSign(oldSecret, id, ts, body), cSign(newSecretValue, id, ts, body)].join(' ');
	for (const s of [oldSecret, newSecretValue]) {
		assert.deepEqual(new Webhook(s).verify(body, {
			'svix-id': id, 'svix-timestamp': String(ts), 'svix-signature': ours,
		}), JSON.parse(body));
	}
});

test('the Resend vectors of tests/fixtures through the tool', () => {
	const file = path.join(FIXTURES, 'resend', 'signature-vectors.json');
	const { vectors } = JSON.parse(fs.readFileSync(file, 'utf8'));
	assert.equal(vectors.length, 3);
	for (const v of vectors) {
		const r = cVerify(v.secret, v.id, v.timestamp, v.signature, v.now, v.body);
		assert.equal(r.status === 0, v.expected_valid, `${v.name}: ${r.out}`);
		if (!v.expected_valid)
			assert.equal(r.out, 'no_match');
	}
});
