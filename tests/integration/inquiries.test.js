'use strict';
// Issue 24, parts 2 and 3: inquiries through the API and a site's public
// form (CORS for the site's origins, the honeypot, the throttle,
// Idempotency-Key, hostile input), the pipeline's changes, bookings, the
// pages, and tenant isolation of every new route.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startStack, request } = require('./lib/stack');
const { setupOwner } = require('./lib/flows');
const { hidden } = require('./lib/browser');
const { validate, responseSchema } = require('./lib/schema');

test('inquiries and bookings', { timeout: 600000 }, async (t) => {
  const stack = await startStack({ programs: ['api', 'pages'] });
  t.after(() => {
    const reports = stack.stop();
    assert.deepEqual(Object.keys(reports), [], Object.values(reports).join('\n'));
  });
  const b = await setupOwner(stack.url);
  const [[wsA]] = stack.sql("SELECT id FROM workspaces WHERE name = 'Acme'");
  const [[owner]] = stack.sql('SELECT id FROM users');
  const [[wsB]] = stack.sql("INSERT INTO workspaces (name) VALUES ('B') RETURNING id");
  const mkKey = (ws, role = 'admin') => {
    const r = stack.cli('api', ['create-key', ws, 'k', role]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const ka = mkKey(wsA);
  const kb = mkKey(wsB);
  const kview = mkKey(wsA, 'viewer');
  const api = (key, method, path, body, headers = {}) => request(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const count = (table, ws) => Number(stack.sql(`SELECT count(*) FROM ${table} WHERE workspace_id = ${ws}`)[0][0]);
  const fields = (r) => {
    fields.last = r.json;
    return r.json.error.problems.map((p) => p.field).sort();
  };

  // The form's address, as Settings shows it (made on first view).
  const settings = await b.get('/settings/inquiry-form');
  assert.equal(settings.status, 200);
  const formUrl = settings.text.match(/<code id="form-url">([^<]+)<\/code>/)[1];
  const [[tokenA]] = stack.sql(`SELECT token FROM inquiry_forms WHERE workspace_id = ${wsA}`);
  assert.equal(formUrl, `${stack.url}/f/${tokenA}`);
  const form = (body, headers = {}, token = tokenA) => request(`${stack.url}/f/${token}`, {
    method: 'POST',
    headers: {
      'content-type': typeof body === 'string' ? 'application/x-www-form-urlencoded' : 'application/json',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const unthrottle = () => stack.sql('DELETE FROM inquiry_throttle');

  let first;
  await t.test('POST /v1/inquiries stores an inquiry; roles, media type', async () => {
    const r = await api(ka, 'POST', '/v1/inquiries', {
      name: ' Ada Lovelace ', email: 'ada@example.com', message: 'Wedding in June?\nThanks',
      utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'summer', referrer: 'https://www.google.com/',
      landing_page: 'https://studio.example/weddings?utm_source=google',
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.name, 'Ada Lovelace');
    assert.equal(r.json.status, 'new');
    assert.equal(r.json.source, 'api');
    assert.deepEqual(r.json.utm, { source: 'google', medium: 'cpc', campaign: 'summer', term: '', content: '' });
    assert.equal(r.json.owner, null);
    assert.match(r.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    first = r.json.id;
    assert.deepEqual(stack.sql(`SELECT workspace_id, name, email, replace(message, E'\\n', '|') FROM inquiries WHERE id = ${first}`),
      [[wsA, 'Ada Lovelace', 'ada@example.com', 'Wedding in June?|Thanks']]);
    assert.equal((await api(kview, 'POST', '/v1/inquiries', { email: 'x@example.com' })).status, 403);
    assert.equal((await api(ka, 'POST', '/v1/inquiries', 'email=x@example.com',
      { 'content-type': 'application/x-www-form-urlencoded' })).status, 415);
    assert.equal((await request(`${stack.url}/v1/inquiries`, { method: 'POST', body: '{}' })).status, 401);
  });

  await t.test('bad input: 422 naming every field, 400 for a body that is not an object', async () => {
    let r = await api(ka, 'POST', '/v1/inquiries', {
      name: 'x'.repeat(201), email: 'not-an-email', phone: 'call me', referrer: 'javascript:alert(1)', utm_term: 5,
    });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.code, 'unprocessable');
    assert.deepEqual(fields(r), ['email', 'name', 'phone', 'referrer', 'utm_term']);
    r = await api(ka, 'POST', '/v1/inquiries', { name: 'No contact' });
    assert.equal(r.status, 422);
    assert.deepEqual(fields(r), ['contact']);
    r = await api(ka, 'POST', '/v1/inquiries', { email: 'a\u0000b@example.com' });
    assert.deepEqual(fields(r), ['email']);
    r = await api(ka, 'POST', '/v1/inquiries', { email: 'ok@example.com', name: 'bell\u0007' });
    assert.deepEqual(fields(r), ['name']);
    for (const body of ['[]', '"x"', '{', '', 'null']) {
      r = await api(ka, 'POST', '/v1/inquiries', body);
      assert.equal(r.status, 400, `${body}: ${r.text}`);
    }
    assert.equal(count('inquiries', wsA), 1);
  });

  await t.test('Idempotency-Key: the same body answers the same, another body is refused', async () => {
    const body = { email: 'once@example.com', message: 'only once' };
    const r1 = await api(ka, 'POST', '/v1/inquiries', body, { 'idempotency-key': 'k-1' });
    assert.equal(r1.status, 201);
    const r2 = await api(ka, 'POST', '/v1/inquiries', body, { 'idempotency-key': 'k-1' });
    assert.equal(r2.status, 201);
    assert.equal(r2.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(r2.json, r1.json);
    const r3 = await api(ka, 'POST', '/v1/inquiries', { ...body, message: 'other' }, { 'idempotency-key': 'k-1' });
    assert.equal(r3.status, 409, r3.text);
    assert.match(r3.json.error.message, /already used with a different body/);
    assert.equal(Number(stack.sql("SELECT count(*) FROM inquiries WHERE email = 'once@example.com'")[0][0]), 1);
    // The same key in another workspace is another key.
    const rb = await api(kb, 'POST', '/v1/inquiries', body, { 'idempotency-key': 'k-1' });
    assert.equal(rb.status, 201);
    assert.notEqual(rb.json.id, r1.json.id);
    assert.equal((await api(ka, 'POST', '/v1/inquiries', body, { 'idempotency-key': 'bad key!' })).status, 400);
  });

  await t.test('GET /v1/inquiries: filters, cursor pages, bad parameters named', async () => {
    for (let i = 0; i < 3; i++) await api(ka, 'POST', '/v1/inquiries', { phone: `+44 20 7946 00${i}0` });
    const listed = (await api(ka, 'GET', '/v1/inquiries')).json;
    assert.deepEqual(validate(responseSchema('/v1/inquiries'), listed), []);
    const all = listed.inquiries;
    assert.equal(all.length, 5);
    assert.ok(all.every((x, i) => i === 0 || all[i - 1].id > x.id), 'newest first');
    let r = await api(ka, 'GET', '/v1/inquiries?limit=2');
    assert.equal(r.json.inquiries.length, 2);
    const seen = r.json.inquiries.map((x) => x.id);
    while (r.json.next_cursor) {
      r = await api(ka, 'GET', `/v1/inquiries?limit=2&cursor=${r.json.next_cursor}`);
      seen.push(...r.json.inquiries.map((x) => x.id));
    }
    assert.deepEqual(seen, all.map((x) => x.id));
    const today = new Date().toISOString().slice(0, 10);
    assert.equal((await api(ka, 'GET', `/v1/inquiries?from=${today}&to=${today}&status=new`)).json.inquiries.length, 5);
    assert.equal((await api(ka, 'GET', '/v1/inquiries?to=2000-01-01')).json.inquiries.length, 0);
    for (const [q, param] of [['status=won', 'status'], ['from=2026-02-30', 'from'], ['to=yesterday', 'to'],
      ['cursor=abc', 'cursor'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['from=2026-02-02&to=2026-02-01', 'from']]) {
      r = await api(ka, 'GET', `/v1/inquiries?${q}`);
      assert.equal(r.status, 400, q);
      assert.match(r.json.error.message, new RegExp(`^${param} `), q);
    }
    assert.equal((await api(kview, 'GET', '/v1/inquiries')).status, 200, 'viewers read');
    // B sees only its own.
    assert.deepEqual((await api(kb, 'GET', '/v1/inquiries')).json.inquiries.map((x) => x.email), ['once@example.com']);
  });

  await t.test('PATCH /v1/inquiries/:id: status, owner, note; tenancy and bad input', async () => {
    let r = await api(ka, 'PATCH', `/v1/inquiries/${first}`, { status: 'contacted', owner: Number(owner), note: 'Called, left a message.' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'contacted');
    assert.equal(r.json.owner.email, 'owner@example.com');
    // What the change changed is noted first, then the change's note.
    assert.deepEqual(r.json.notes.map((n) => n.body),
      ['Status: new → contacted; Owner: nobody → owner@example.com', 'Called, left a message.']);
    assert.equal(r.json.notes[0].author, null);
    assert.equal(r.json.notes[1].author, null);
    assert.deepEqual(validate(responseSchema('/v1/inquiries/{id}', 'patch'), r.json), []);
    r = await api(ka, 'PATCH', `/v1/inquiries/${first}`, { owner: null });
    assert.equal(r.json.owner, null);
    assert.equal(r.json.status, 'contacted');
    assert.equal(r.json.notes.at(-1).body, 'Owner: owner@example.com → nobody');
    // A change that changes nothing notes nothing.
    r = await api(ka, 'PATCH', `/v1/inquiries/${first}`, { status: 'contacted' });
    assert.equal(r.json.notes.length, 3);
    for (const [body, field] of [[{ status: 'won' }, 'status'], [{ owner: 999999 }, 'owner'], [{ owner: 'me' }, 'owner'],
      [{ note: '' }, 'note'], [{ note: 7 }, 'note'], [{ note: 'x'.repeat(5001) }, 'note'], [{ status: 3 }, 'status']]) {
      r = await api(ka, 'PATCH', `/v1/inquiries/${first}`, body);
      assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
      assert.deepEqual(fields(r), [field]);
    }
    assert.equal((await api(ka, 'PATCH', `/v1/inquiries/${first}`, '[1]')).status, 400);
    assert.equal((await api(ka, 'PATCH', '/v1/inquiries/abc', {})).status, 400);
    assert.equal((await api(kview, 'PATCH', `/v1/inquiries/${first}`, { status: 'lost' })).status, 403);
    // Another workspace's id is not found, and nothing changes.
    assert.equal((await api(kb, 'PATCH', `/v1/inquiries/${first}`, { status: 'lost' })).status, 404);
    assert.equal((await api(kb, 'GET', `/v1/inquiries/${first}`)).status, 404);
    assert.equal((await api(ka, 'GET', `/v1/inquiries/${first}`)).json.status, 'contacted');
    // B's member is not A's.
    const [[other]] = stack.sql("INSERT INTO users (email, password_hash) VALUES ('b@example.com', 'x') RETURNING id");
    stack.sql(`INSERT INTO memberships (user_id, workspace_id, role) VALUES (${other}, ${wsB}, 'owner')`);
    r = await api(ka, 'PATCH', `/v1/inquiries/${first}`, { owner: Number(other) });
    assert.equal(r.status, 422);
  });

  let booking;
  await t.test('bookings: of an inquiry or on their own, values in their currency; tenancy, bad input', async () => {
    let r = await api(ka, 'POST', '/v1/bookings', { inquiry_id: first, event_type: 'wedding', event_date: '2027-06-12', value: 2400.5, currency: 'EUR' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.inquiry_id, first);
    assert.equal(r.json.status, 'tentative');
    assert.equal(r.json.value, 2400.5);
    assert.equal(r.json.currency, 'EUR');
    booking = r.json.id;
    r = await api(ka, 'POST', '/v1/bookings', { event_type: 'portrait', value: '15000', currency: 'JPY', status: 'confirmed' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.inquiry_id, null);
    assert.deepEqual((await api(ka, 'GET', `/v1/inquiries/${first}`)).json.bookings, [booking]);
    for (const [body, want] of [
      [{ event_type: 'party' }, ['event_type']],
      [{}, ['event_type']],
      [{ event_type: 'event', value: 10 }, ['currency']],
      [{ event_type: 'event', currency: 'EUR' }, ['value']],
      [{ event_type: 'event', value: 10, currency: 'XYZ' }, ['currency']],
      [{ event_type: 'event', value: '10.5', currency: 'JPY' }, ['value']],
      [{ event_type: 'event', value: 10.123, currency: 'EUR' }, ['value']],
      [{ event_type: 'event', value: -1, currency: 'EUR' }, ['value']],
      [{ event_type: 'event', value: 1e20, currency: 'EUR' }, ['value']],
      [{ event_type: 'event', value: true, currency: 'EUR' }, ['value']],
      [{ event_type: 'event', event_date: '2027-13-01' }, ['event_date']],
      [{ event_type: 'event', status: 'maybe' }, ['status']],
      [{ event_type: 'event', inquiry_id: 'x' }, ['inquiry_id']],
    ]) {
      r = await api(ka, 'POST', '/v1/bookings', body);
      assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
      assert.deepEqual(fields(r), want, JSON.stringify(body));
    }
    // Another workspace's inquiry cannot be booked, its booking not seen.
    r = await api(kb, 'POST', '/v1/bookings', { inquiry_id: first, event_type: 'event' });
    assert.equal(r.status, 422);
    assert.deepEqual(fields(r), ['inquiry_id']);
    assert.equal((await api(kb, 'GET', `/v1/bookings/${booking}`)).status, 404);
    assert.equal((await api(kb, 'PATCH', `/v1/bookings/${booking}`, { status: 'cancelled' })).status, 404);
    assert.equal((await api(kb, 'GET', '/v1/bookings')).json.bookings.length, 0);
    r = await api(ka, 'PATCH', `/v1/bookings/${booking}`, { status: 'confirmed', value: '2500.00', currency: 'EUR' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'confirmed');
    assert.equal(r.json.value, 2500);
    r = await api(ka, 'PATCH', `/v1/bookings/${booking}`, { value: null });
    assert.equal(r.json.value, null);
    assert.equal(r.json.currency, null);
    assert.equal((await api(kview, 'PATCH', `/v1/bookings/${booking}`, { status: 'cancelled' })).status, 403);
    const confirmed = (await api(ka, 'GET', '/v1/bookings?status=confirmed')).json;
    assert.equal(confirmed.bookings.length, 2);
    assert.deepEqual(validate(responseSchema('/v1/bookings'), confirmed), []);
    assert.deepEqual(validate(responseSchema('/v1/bookings', 'post', '422'), fields.last), []);
    assert.equal((await api(ka, 'GET', '/v1/bookings?from=2027-06-01&to=2027-06-30')).json.bookings.length, 1);
    assert.equal((await api(ka, 'GET', '/v1/bookings?status=won')).status, 400);
    assert.equal((await api(ka, 'GET', '/v1/bookings/0')).status, 400);
  });

  await t.test('the public form: urlencoded and JSON, HTML posts, unknown tokens', async () => {
    unthrottle();
    let r = await form('name=Grace&email=grace%40example.com&message=Engagement+shoot%3F&utm_source=instagram'
      + '&utm_medium=paid_social&referrer=https%3A%2F%2Fl.instagram.com%2F&submit=Send');
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json, { status: 'received' });
    assert.deepEqual(stack.sql(`SELECT source, utm_source, utm_medium, referrer FROM inquiries WHERE email = 'grace@example.com'`),
      [['form', 'instagram', 'paid_social', 'https://l.instagram.com/']]);
    r = await form({ email: 'json@example.com', source: 'contact_page' });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(stack.sql("SELECT source, workspace_id FROM inquiries WHERE email = 'json@example.com'"), [['contact_page', wsA]]);
    // A plain HTML form: a thank-you page, or the configured one.
    r = await form('email=html%40example.com', { accept: 'text/html' });
    assert.equal(r.status, 200);
    assert.match(r.text, /<h1>Thank you<\/h1>/);
    r = await form('email=bad', { accept: 'text/html' });
    assert.equal(r.status, 422);
    assert.match(r.text, /<strong>email<\/strong> must be an email address/);
    stack.sql(`UPDATE inquiry_forms SET thank_you_url = 'https://studio.example/thanks' WHERE workspace_id = ${wsA}`);
    r = await form('email=html2%40example.com', { accept: 'text/html' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), 'https://studio.example/thanks');
    r = await form('email=bad&phone=1');
    assert.equal(r.status, 422);
    assert.deepEqual(fields(r), ['email', 'phone']);
    assert.equal((await form('email=x%40example.com', {}, 'A'.repeat(24))).status, 404);
    assert.equal((await form('email=x%40example.com', {}, 'no-such-token-<script>')).status, 404);
    assert.equal((await request(`${stack.url}/f/${tokenA}`)).status, 405);
    assert.equal((await form('email=x', { 'content-type': 'multipart/form-data; boundary=x' })).status, 415);
    // The log never shows the token.
    assert.ok(!stack.log('api').includes(tokenA), 'the form token is in the access log');
    assert.match(stack.log('api'), /"\/f\/…"/, 'the form\'s posts are logged, without the token');
  });

  await t.test('the honeypot: thanked, dropped', async () => {
    unthrottle();
    const before = count('inquiries', wsA);
    let r = await form('email=bot%40example.com&website=http%3A%2F%2Fspam.example');
    assert.equal(r.status, 201);
    assert.deepEqual(r.json, { status: 'received' });
    r = await form({ email: 'bot2@example.com', website: 'x' });
    assert.equal(r.status, 201);
    r = await form('email=bad&website=x');
    assert.equal(r.status, 201, 'a robot learns nothing from field errors');
    assert.equal(count('inquiries', wsA), before);
  });

  await t.test('CORS: only the site origins of the form', async () => {
    unthrottle();
    const page = await b.get('/settings/inquiry-form');
    let r = await b.post('/settings/inquiry-form', { csrf: hidden(page.text, 'csrf'), origins: 'ftp://x', thank_you_url: '' });
    assert.equal(r.status, 422);
    assert.match(r.text, /Site origins must each be/);
    // No origins named: any site's page may post with fetch and read
    // the answer, as its plain posts are accepted from anywhere.
    const anyPre = await request(`${stack.url}/f/${tokenA}`, {
      method: 'OPTIONS', headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(anyPre.status, 204);
    assert.equal(anyPre.headers.get('access-control-allow-origin'), 'https://anywhere.example');
    r = await form({ email: 'any@example.com' }, { origin: 'https://anywhere.example' });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://anywhere.example');
    r = await b.post('/settings/inquiry-form', { csrf: hidden(page.text, 'csrf'), origins: 'https://Studio.example:443\nhttp://localhost:4000', thank_you_url: '' });
    assert.equal(r.status, 303);
    // Kept as a browser sends its Origin: lower case, no default port.
    assert.deepEqual(stack.sql(`SELECT origins, thank_you_url IS NULL FROM inquiry_forms WHERE workspace_id = ${wsA}`),
      [['https://studio.example http://localhost:4000', 't']]);
    const pre = (origin) => request(`${stack.url}/f/${tokenA}`, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    r = await pre('https://studio.example');
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://studio.example');
    assert.match(r.headers.get('access-control-allow-methods'), /POST/);
    assert.match(r.headers.get('access-control-allow-headers'), /Idempotency-Key/);
    r = await pre('https://evil.example');
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    r = await pre('https://studio.example.evil');
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    r = await form({ email: 'cors@example.com' }, { origin: 'http://localhost:4000' });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('access-control-allow-origin'), 'http://localhost:4000');
    r = await form({ email: 'bad' }, { origin: 'http://localhost:4000' });
    assert.equal(r.status, 422);
    assert.equal(r.headers.get('access-control-allow-origin'), 'http://localhost:4000', 'the site reads the field errors');
    // Too large: refused with the site's CORS headers, so its page can say why.
    unthrottle();
    const before = Number(stack.sql(`SELECT count(*) FROM inquiries WHERE workspace_id = ${wsA}`)[0][0]);
    r = await form({ email: 'big@example.com', message: 'b'.repeat(40 * 1024) }, { origin: 'http://localhost:4000' });
    assert.equal(r.status, 413);
    assert.equal(r.headers.get('access-control-allow-origin'), 'http://localhost:4000', 'the site reads the 413');
    assert.match(r.json.error.message, /larger than the 32 KiB this form accepts/);
    r = await form({ email: 'big@example.com', message: 'b'.repeat(40 * 1024) }, { origin: 'https://evil.example' });
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    assert.equal(Number(stack.sql(`SELECT count(*) FROM inquiries WHERE workspace_id = ${wsA}`)[0][0]), before);
    // A browser's plain post gets the page, not JSON.
    r = await form(`email=a%40example.com&message=${'b'.repeat(40 * 1024)}`, { accept: 'text/html' });
    assert.equal(r.status, 413);
    assert.match(r.headers.get('content-type'), /text\/html/);
    assert.match(r.text, /larger than the 32 KiB/);
    r = await form({ email: 'evil@example.com' }, { origin: 'https://evil.example' });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    assert.equal(Number(stack.sql("SELECT count(*) FROM inquiries WHERE email = 'evil@example.com'")[0][0]), 0);
    // The API's CORS list does not open the form, nor the form's the API.
    r = await request(`${stack.url}/v1/inquiries`, { method: 'OPTIONS', headers: { origin: 'https://studio.example' } });
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  });

  await t.test('the throttle: per address and per form, counted in PostgreSQL', async () => {
    unthrottle();
    let r;
    for (let i = 0; i < 10; i++) {
      r = await form('email=bad');
      assert.equal(r.status, 422, `post ${i + 1}`);
    }
    r = await form('email=late%40example.com');
    assert.equal(r.status, 429, r.text);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.match(r.json.error.message, /try again in \d+ minutes/);
    assert.equal(Number(stack.sql("SELECT count(*) FROM inquiries WHERE email = 'late@example.com'")[0][0]), 0);
    // Another form is counted apart.
    const [[tokenB]] = stack.sql(`INSERT INTO inquiry_forms (workspace_id, token) VALUES (${wsB}, '${'b'.repeat(24)}') RETURNING token`);
    r = await form('email=b%40example.com', {}, tokenB);
    assert.equal(r.status, 201);
    assert.equal(Number(stack.sql(`SELECT count(*) FROM inquiries WHERE workspace_id = ${wsB} AND source = 'form'`)[0][0]), 1);
    // A form past its own limit refuses every address.
    unthrottle();
    stack.sql(`INSERT INTO inquiry_throttle VALUES (sha256(convert_to('form:${wsA}', 'UTF8')), 500, now() + interval '1 hour')`);
    r = await form('email=any%40example.com');
    assert.equal(r.status, 429);
    unthrottle();
  });

  await t.test('the form is exactly-once with an Idempotency-Key', async () => {
    unthrottle();
    const body = 'email=twice%40example.com&message=hello';
    const r1 = await form(body, { 'idempotency-key': 'f-1' });
    const r2 = await form(body, { 'idempotency-key': 'f-1' });
    assert.equal(r1.status, 201);
    assert.equal(r2.status, 201);
    assert.equal(r2.headers.get('idempotent-replayed'), 'true');
    assert.equal(Number(stack.sql("SELECT count(*) FROM inquiries WHERE email = 'twice@example.com'")[0][0]), 1);
    const r3 = await form(`${body}+again`, { 'idempotency-key': 'f-1' });
    assert.equal(r3.status, 409);
    assert.match(r3.json.error.message, /different submission/);
    // The form's keys and the API's are apart.
    const r4 = await api(ka, 'POST', '/v1/inquiries', { email: 'api@example.com' }, { 'idempotency-key': 'f-1' });
    assert.equal(r4.status, 201);
  });

  await t.test('hostile input: no 5xx, nothing stored from garbage', async () => {
    const before = count('inquiries', wsA);
    const big = 'a'.repeat(40 * 1024);
    const cases = [
      ['application/x-www-form-urlencoded', 'email=%zz'],
      ['application/x-www-form-urlencoded', 'email=a%00b%40example.com'],
      ['application/x-www-form-urlencoded', '=x&&&=&email'],
      ['application/x-www-form-urlencoded', `message=${big}&email=a%40example.com`],
      ['application/x-www-form-urlencoded', Array.from({ length: 300 }, (_, i) => `f${i}=1`).join('&')],
      ['application/x-www-form-urlencoded', 'email=%C0%AF%40example.com'],
      ['application/x-www-form-urlencoded', 'email=a%40example.com&name=%ED%A0%80'],
      ['application/json', '{"email":"a@example.com","name":{"$gt":""}}'],
      ['application/json', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]'],
      ['application/json', '{"email":"a@example.com","email":"b@example.com","phone":null}'],
      ['application/json', '\u0000\u0001\u0002'],
      ['application/json', '{"email":"\\ud800@example.com"}'],
      ['application/json', '{"email": 1e999}'],
      ['application/json; charset=latin1', '{"email":"caf\u00e9@example.com"}'],
      ['text/plain', 'hello'],
      ['', ''],
    ];
    // Well-formed after all: a repeated member (the last wins), a lone
    // surrogate (json-c reads it as U+FFFD), a charset parameter.
    const fine = new Set([cases[9][1], cases[11][1], cases[13][1]]);
    let accepted = 0;
    for (const [ct, body] of cases) {
      unthrottle();
      const headers = ct ? { 'content-type': ct } : {};
      const r = await request(`${stack.url}/f/${tokenA}`, { method: 'POST', headers, body });
      assert.ok(r.status < 500, `${ct} ${body.slice(0, 60)}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.ok(r.status !== 201 || fine.has(body), `${body.slice(0, 60)} was accepted`);
      if (r.status === 201) accepted++;
    }
    assert.equal(accepted, fine.size);
    // Random bytes, seeded: a fuzz corpus over HTTP.
    let seed = 24;
    const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
    for (let i = 0; i < 60; i++) {
      unthrottle();
      const n = rand() % 600;
      const bytes = Buffer.alloc(n);
      for (let k = 0; k < n; k++) bytes[k] = rand() % 256;
      const ct = i % 2 ? 'application/json' : 'application/x-www-form-urlencoded';
      const r = await request(`${stack.url}/f/${tokenA}`, { method: 'POST', headers: { 'content-type': ct }, body: bytes });
      assert.ok(r.status < 500, `random body ${i}: ${r.status} ${r.text.slice(0, 200)}`);
    }
    // Over the body limit.
    unthrottle();
    const r = await form(`email=a%40example.com&message=${'b'.repeat(40 * 1024)}`);
    assert.equal(r.status, 413);
    // The message's limit is 5000 characters.
    unthrottle();
    const long = await form({ email: 'long@example.com', message: 'é'.repeat(5001) });
    assert.equal(long.status, 422);
    assert.deepEqual(fields(long), ['message']);
    assert.equal(count('inquiries', wsA), before + accepted);
    // The API too.
    for (const body of ['\u0000', '{"email":{}}', '{"email":"a@example.com","message":"' + 'x'.repeat(6000) + '"}']) {
      const x = await api(ka, 'POST', '/v1/inquiries', body);
      assert.ok(x.status === 400 || x.status === 422, `${x.status} ${x.text.slice(0, 100)}`);
    }
    unthrottle();
  });

  await t.test('pages: the count in the navigation, list, detail, changes, tenancy, viewers', async () => {
    const news = Number(stack.sql(`SELECT count(*) FROM inquiries WHERE workspace_id = ${wsA} AND status = 'new'`)[0][0]);
    let r = await b.get('/dashboard');
    assert.match(r.text, new RegExp(`<a href="/inquiries">Inquiries \\(${news}\\)</a>`));
    r = await b.get('/inquiries?status=contacted');
    assert.equal(r.status, 200);
    assert.match(r.text, new RegExp(`href="/inquiries/${first}"`));
    assert.ok(!r.text.includes('grace@example.com'));
    assert.equal((await b.get('/inquiries?status=won')).status, 400);
    r = await b.get(`/inquiries/${first}`);
    assert.equal(r.status, 200);
    assert.match(r.text, /Ada Lovelace/);
    assert.match(r.text, /Called, left a message\./);
    const csrf = hidden(r.text, 'csrf');
    r = await b.post(`/inquiries/${first}`, { csrf, status: 'qualified', owner: owner });
    assert.equal(r.status, 303);
    assert.equal(stack.sql(`SELECT status, owner_user_id FROM inquiries WHERE id = ${first}`)[0].join(), `qualified,${owner}`);
    // Noted, by the person who made the change.
    assert.deepEqual(stack.sql(`SELECT body, author_user_id FROM inquiry_notes WHERE inquiry_id = ${first} ORDER BY id DESC LIMIT 1`),
      [['Status: contacted → qualified; Owner: nobody → owner@example.com', String(owner)]]);
    r = await b.post(`/inquiries/${first}`, { csrf, status: 'bogus', owner: '0' });
    assert.equal(r.status, 422);
    assert.match(r.text, /Not saved: status must be/);
    r = await b.post(`/inquiries/${first}/notes`, { csrf, note: '<script>alert(1)</script>' });
    assert.equal(r.status, 303);
    r = await b.get(`/inquiries/${first}`);
    assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!r.text.includes('<script>alert(1)'));
    assert.equal((await b.post(`/inquiries/${first}/notes`, { note: 'no csrf' })).status, 403);
    // Another workspace's inquiry and booking: not found.
    const [[otherInq]] = stack.sql(`SELECT id FROM inquiries WHERE workspace_id = ${wsB} LIMIT 1`);
    assert.equal((await b.get(`/inquiries/${otherInq}`)).status, 404);
    assert.equal((await b.post(`/inquiries/${otherInq}`, { csrf, status: 'lost' })).status, 404);
    assert.equal((await b.post(`/inquiries/${otherInq}/notes`, { csrf, note: 'x' })).status, 404);
    assert.equal((await b.post(`/inquiries/${otherInq}/booking`, { csrf, event_type: 'event' })).status, 404);
    assert.equal(stack.sql(`SELECT status FROM inquiries WHERE id = ${otherInq}`)[0][0], 'new');
    const [[otherBk]] = stack.sql(`INSERT INTO bookings (workspace_id, event_type) VALUES (${wsB}, 'event') RETURNING id`);
    assert.equal((await b.get(`/bookings/${otherBk}`)).status, 404);
    assert.equal((await b.post(`/bookings/${otherBk}`, { csrf, status: 'cancelled' })).status, 404);
    assert.equal(stack.sql(`SELECT status FROM bookings WHERE id = ${otherBk}`)[0][0], 'tentative');
    // Bookings from the pages.
    r = await b.post('/bookings', { csrf, event_type: 'portrait', event_date: '2027-01-05', value: '300', currency: 'GBP' });
    assert.equal(r.status, 303);
    r = await b.get(r.headers.get('location'));
    assert.match(r.text, /£300\.00/);
    r = await b.post('/bookings', { csrf, event_type: 'portrait', value: '300', currency: '' });
    assert.equal(r.status, 422);
    assert.match(r.text, /Not saved: currency must be/);
    // A viewer reads, and changes nothing.
    stack.sql(`UPDATE memberships SET role = 'viewer' WHERE user_id = ${owner}`);
    try {
      r = await b.get(`/inquiries/${first}`);
      assert.equal(r.status, 200);
      assert.ok(!r.text.includes(`action="/inquiries/${first}"`), 'a viewer sees no form');
      assert.equal((await b.post(`/inquiries/${first}`, { csrf, status: 'lost' })).status, 403);
      assert.equal((await b.get('/settings/inquiry-form')).status, 403);
    } finally {
      stack.sql(`UPDATE memberships SET role = 'owner' WHERE user_id = ${owner}`);
    }
  });

  await t.test('the booking form keeps what was typed when refused; a currency in any case', async () => {
    const page = await b.get('/bookings');
    const csrf = hidden(page.text, 'csrf');
    const bad = await b.post('/bookings', { csrf, event_type: 'portrait', event_date: '2027-01-16', value: '450', currency: '' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /<option value="portrait" selected>/);
    assert.match(bad.text, /name="event_date" value="2027-01-16"/);
    assert.match(bad.text, /name="value"[^>]*value="450"/);
    const ok = await b.post('/bookings', { csrf, event_type: 'portrait', event_date: '2027-01-16', value: '450.50', currency: 'chf' });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    const id = ok.headers.get('location').match(/\/bookings\/(\d+)/)[1];
    assert.deepEqual(stack.sql(`SELECT currency, trim_scale(value) FROM bookings WHERE id = ${id}`), [['CHF', '450.5']]);
  });

  await t.test('rotating the address: the old token stops working', async () => {
    unthrottle();
    const page = await b.get('/settings/inquiry-form');
    const r = await b.post('/settings/inquiry-form/rotate', { csrf: hidden(page.text, 'csrf') });
    assert.equal(r.status, 303);
    const [[fresh]] = stack.sql(`SELECT token FROM inquiry_forms WHERE workspace_id = ${wsA}`);
    assert.notEqual(fresh, tokenA);
    assert.equal((await form('email=old%40example.com')).status, 404);
    assert.equal((await form('email=new%40example.com', {}, fresh)).status, 201);
  });

  await t.test('attribution: channels by rules, bookings, spend per currency', async () => {
    stack.sql(`DELETE FROM inquiries WHERE workspace_id = ${wsA}`);
    stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value, dims) VALUES
      (${wsA}, 'google_ads', '111', 'cost_micros', current_date, 82000000, '{"currency":"EUR"}'),
      (${wsA}, 'google_ads', '222', 'cost_micros', current_date - 1, 10000000, '{"currency":"USD"}'),
      (${wsA}, 'google_ads', '111', 'cost_micros', current_date - 40, 99000000, '{"currency":"EUR"}'),
      (${wsB}, 'google_ads', '333', 'cost_micros', current_date, 1000000000, '{"currency":"EUR"}')`);
    const mk = async (body) => (await api(ka, 'POST', '/v1/inquiries', { email: 'p@example.com', ...body })).json.id;
    const g1 = await mk({ utm_source: 'Google', utm_medium: 'cpc' });
    const g2 = await mk({ utm_source: 'google', utm_medium: 'cpc', referrer: 'https://www.google.com/' });
    await mk({ utm_source: 'instagram', utm_medium: 'paid_social' });
    await mk({ utm_source: 'facebook', utm_medium: 'social' });
    await mk({ referrer: 'https://l.instagram.com/' });
    await mk({});
    await mk({ utm_source: 'newsletter', utm_medium: 'email' });
    await mk({ utm_source: 'bing', utm_medium: 'cpc' });
    assert.equal((await api(ka, 'POST', '/v1/bookings', { inquiry_id: g1, event_type: 'wedding', value: 2400, currency: 'EUR', status: 'confirmed' })).status, 201);
    assert.equal((await api(ka, 'POST', '/v1/bookings', { inquiry_id: g2, event_type: 'event', value: 500, currency: 'EUR', status: 'cancelled' })).status, 201);
    let r = await api(ka, 'GET', '/v1/attribution');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(validate(responseSchema('/v1/attribution'), r.json), []);
    const by = Object.fromEntries(r.json.channels.map((c) => [c.channel, c]));
    assert.deepEqual(r.json.channels.map((c) => c.channel), ['Google Ads', 'Meta Ads', 'Facebook', 'Instagram', 'Mailchimp', 'Direct', 'Other']);
    assert.deepEqual(by['Google Ads'], {
      channel: 'Google Ads', inquiries: 2, bookings: 1, conversion_rate: 0.5,
      booking_value: [{ currency: 'EUR', value: 2400 }],
      spend: [{ currency: 'EUR', value: 82 }, { currency: 'USD', value: 10 }],
      cost_per_inquiry: [{ currency: 'EUR', value: 41 }, { currency: 'USD', value: 5 }],
      cost_per_booking: [{ currency: 'EUR', value: 82 }, { currency: 'USD', value: 10 }],
    });
    assert.deepEqual(r.json.channels.map((c) => c.inquiries), [2, 1, 1, 1, 1, 1, 1]);
    assert.equal(by['Meta Ads'].spend.length, 0, 'no Meta spend synced');
    // Meta Ads' spend is its spend_micros (the provider's spend_metric).
    stack.sql(`INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value, dims) VALUES
      (${wsA}, 'meta_ads', 'act_1', 'spend_micros', current_date, 7500000, '{"currency":"USD"}'),
      (${wsA}, 'meta_ads', 'act_2', 'spend_micros', current_date - 2, 5000000, '{"currency":"USD"}')`);
    const meta = (await api(ka, 'GET', '/v1/attribution')).json.channels.find((c) => c.channel === 'Meta Ads');
    assert.deepEqual([meta.spend, meta.cost_per_inquiry, meta.cost_per_booking],
      [[{ currency: 'USD', value: 12.5 }], [{ currency: 'USD', value: 12.5 }], []]);
    stack.sql(`DELETE FROM metric_daily WHERE workspace_id = ${wsA} AND provider = 'meta_ads'`);
    assert.equal(by.Direct.conversion_rate, 0);
    // The dashboard's days end yesterday: inquiries of yesterday show
    // there by channel, with the cost per inquiry of those days' spend.
    stack.sql(`UPDATE inquiries SET created_at = created_at - interval '1 day' WHERE workspace_id = ${wsA}`);
    const dash = await b.get('/dashboard?period=7d');
    assert.equal(dash.status, 200);
    assert.match(dash.text, /<h2 id="attribution-heading">Inquiries by channel<\/h2>/);
    assert.match(dash.text, /<tr><td>Google Ads<\/td><td class="num">2<\/td><td class="num">1<\/td><td class="num">\$5\.00<\/td><\/tr>/);
    assert.match(dash.text, /<tr><td>Direct<\/td><td class="num">1<\/td><td class="num">0<\/td><td class="num">–<\/td><\/tr>/);
    assert.match(dash.text, /href="\/attribution\?from=\d{4}-\d\d-\d\d&amp;to=\d{4}-\d\d-\d\d"/);
    stack.sql(`UPDATE inquiries SET created_at = created_at + interval '1 day' WHERE workspace_id = ${wsA}`);
    // Today's only: said, with the way to see them.
    assert.match((await b.get('/dashboard?period=7d')).text,
      /None came in these days; 8 inquiries in the 28 days to today \(today is not in the dashboard's days until it is over\)/);
    stack.sql(`UPDATE inquiries SET created_at = created_at - interval '60 days' WHERE workspace_id = ${wsA}`);
    assert.doesNotMatch((await b.get('/dashboard?period=7d')).text, /Inquiries by channel/, 'none lately: no section');
    stack.sql(`UPDATE inquiries SET created_at = created_at + interval '60 days' WHERE workspace_id = ${wsA}`);
    // B's spend is B's.
    r = await api(kb, 'GET', '/v1/attribution');
    assert.deepEqual(r.json.channels.find((c) => c.channel === 'Google Ads').spend, [{ currency: 'EUR', value: 1000 }]);
    // A period: 40 days ago alone holds only that day's spend.
    const day = (n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);
    r = await api(ka, 'GET', `/v1/attribution?from=${day(40)}&to=${day(40)}`);
    assert.deepEqual(r.json.channels[0].spend, [{ currency: 'EUR', value: 99 }]);
    assert.equal(r.json.channels[0].inquiries, 0);
    assert.deepEqual(r.json.channels[0].cost_per_inquiry, []);
    for (const [q, param] of [['from=2026-01-01', 'to'], ['to=2026-01-01', 'from'], ['from=x&to=2026-01-01', 'from'],
      ['from=2026-01-02&to=2026-01-01', 'from'], ['from=2000-01-01&to=2026-01-01', 'from']]) {
      r = await api(ka, 'GET', `/v1/attribution?${q}`);
      assert.equal(r.status, 400, q);
      assert.match(r.json.error.message, new RegExp(`^${param} `), q);
    }
    // The page, and the rules edited there.
    let page = await b.get('/attribution');
    assert.equal(page.status, 200);
    assert.match(page.text, /<td>Google Ads<\/td><td>2<\/td><td>1<\/td><td>50(\.0)?%<\/td><td>€2,400\.00<\/td><td>€82\.00, \$10\.00<\/td><td>€41\.00, \$5\.00<\/td>/);
    const csrf = hidden(page.text, 'csrf');
    page = await b.post('/attribution/rules', { csrf, rules: 'Search | ^(google|bing | |' });
    assert.equal(page.status, 422);
    assert.match(page.text, /line 1: &quot;\^\(google\|bing&quot; is not a regular expression/);
    page = await b.post('/attribution/rules', { csrf, rules: 'Search | a | b | c | d' });
    assert.equal(page.status, 422);
    // Fewer than four fields (no spaces around |, or a name alone) made a
    // channel of the whole line that took every inquiry.
    for (const line of ['NoSpaces|google||', 'Only a channel name', 'Paid | ^google$']) {
      page = await b.post('/attribution/rules', { csrf, rules: line });
      assert.equal(page.status, 422, line);
      assert.match(page.text, /line 1: a rule has four fields separated by &quot; \| &quot; \(a space on each side\)/, line);
    }
    assert.equal(Number(stack.sql(`SELECT count(*) FROM attribution_rules WHERE workspace_id = ${wsA}`)[0][0]), 0);
    page = await b.post('/attribution/rules', { csrf, rules: '# paid and unpaid search\nSearch | ^(google|bing)$ | |\n\nGoogle Ads | ^google$ | ^cpc$ |' });
    assert.equal(page.status, 303);
    r = await api(ka, 'GET', '/v1/attribution');
    assert.deepEqual(r.json.channels.map((c) => [c.channel, c.inquiries]), [['Search', 3], ['Google Ads', 0], ['Other', 5]]);
    assert.deepEqual(r.json.channels[1].spend, [{ currency: 'EUR', value: 82 }, { currency: 'USD', value: 10 }]);
    // B's channels are not A's rules.
    assert.equal((await api(kb, 'GET', '/v1/attribution')).json.channels[0].channel, 'Google Ads');
    page = await b.post('/attribution/rules', { csrf, rules: '' });
    assert.equal(page.status, 303);
    assert.equal((await api(ka, 'GET', '/v1/attribution')).json.channels.length, 7);
    assert.equal(Number(stack.sql(`SELECT count(*) FROM attribution_rules WHERE workspace_id = ${wsA}`)[0][0]), 0);
  });

  await t.test('row-level security covers the new tables', async () => {
    const rows = stack.sql(`SELECT relname, relrowsecurity FROM pg_class WHERE relname IN
      ('inquiry_forms', 'inquiries', 'inquiry_notes', 'inquiry_requests', 'bookings', 'attribution_rules') ORDER BY relname`);
    assert.deepEqual(rows.map((x) => x[1]), ['t', 't', 't', 't', 't', 't']);
    // As the web role with A's workspace set, B's rows are invisible.
    const seen = stack.sql(`BEGIN; SET LOCAL ROLE sluice_web; SELECT set_config('sluice.workspace_id', '${wsA}', true);
      SELECT count(*) FROM inquiries WHERE workspace_id = ${wsB}; COMMIT;`);
    assert.equal(seen[seen.length - 1][0], '0');
    // The throttle is the owner role's alone.
    assert.throws(() => stack.sql(`BEGIN; SET LOCAL ROLE sluice_web; SELECT set_config('sluice.workspace_id', '${wsA}', true);
      DELETE FROM inquiry_throttle; COMMIT;`), /permission denied/);
  });
});
