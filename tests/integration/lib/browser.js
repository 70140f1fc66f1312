'use strict';
// A tiny cookie-keeping HTTP client for page flows (no JavaScript).
const { request } = require('./stack');

class Client {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
    this.setCookies = [];
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async req(method, path, { form, headers = {}, timeout } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.cookie = this.cookieHeader();
    let body;
    if (form) {
      body = new URLSearchParams(form).toString();
      h['content-type'] = 'application/x-www-form-urlencoded';
    }
    const r = await request(this.base + path, { method, headers: h, body, timeout });
    const sc = r.headers.getSetCookie ? r.headers.getSetCookie() : [];
    this.setCookies.push(...sc);
    for (const c of sc) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const k = pair.slice(0, i);
      const v = pair.slice(i + 1);
      if (/Max-Age=0/i.test(c)) this.cookies.delete(k); else this.cookies.set(k, v);
    }
    return r;
  }

  get(path, opts) { return this.req('GET', path, opts); }
  post(path, form, opts = {}) { return this.req('POST', path, { ...opts, form }); }
}

// The value of a hidden input in a page.
function hidden(html, name) {
  const m = html.match(new RegExp(`name="${name}" value="([^"]*)"`));
  return m ? m[1] : undefined;
}

module.exports = { Client, hidden };
