// API tests for the login's hardening (issue 8, items 2, 4 and 5): no open
// redirect through next=, login throttling per (account, address) behind a
// trusted reverse proxy with an admin's unlock, and no login from another
// site. The real server, a fresh database, on SQLite and on PostgreSQL.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, Client, DEMO_PASSWORD } from './lib.mjs';

// A client behind the reverse proxy at 127.0.0.1: the proxy appends the
// address it saw to X-Forwarded-For.
class ProxiedClient extends Client {
  constructor(base, address, forwarded = address) { super(base); this.address = address; this.forwarded = forwarded; }
  req(method, path, o = {}) {
    return super.req(method, path, { ...o, headers: { 'x-forwarded-for': this.forwarded, ...(o.headers || {}) } });
  }
}

async function stopClean(srv) {
  if (!srv) return;
  const { code, sig } = await srv.stop();
  assert.equal(sig, null, `server killed by ${sig}: ${srv.stderr().slice(-2000)}`);
  assert.equal(code, 0, `server exited ${code}: ${srv.stderr().slice(-2000)}`);
}

// A JSON login (Client.login with extra fields); keeps the CSRF token.
async function login(c, username, password = DEMO_PASSWORD, extra = {}) {
  const r = await c.post('/login', { json: { username, password, ...extra }, csrf: false });
  if (r.status === 200) c.csrf = r.json.csrf;
  return r;
}

// Open redirects: what a browser would send to another host, raw and encoded.
const HOSTILE_NEXT = [
  '//evil.example', '///evil.example', '/\\evil.example', '\\\\evil.example', '/\t/evil.example',
  '/\n/evil.example', '/\r\n/evil.example', ' //evil.example', '/%09/evil.example', '/%0a/evil.example',
  '/%00/evil.example', '/%2F/evil.example', '/%2f%2fevil.example', '/%5Cevil.example', '/%5c%5cevil.example',
  '/%252F%252Fevil.example', '/%255Cevil.example', '/%2509/evil.example', '/%25252F%25252Fevil.example',
  'https://evil.example', 'http:evil.example', 'javascript:alert(1)', 'evil.example', '/x\u202e/moc.live',
  '/%zz',
];

for (const backend of backends()) {
  describe(`login redirect and cross-site checks on ${backend}`, () => {
    let srv;
    const PUBLIC = 'https://eservice.example.go.th';
    before(async () => { srv = await startServer(backend, { OSSPOINT_PUBLIC_URL: PUBLIC }); });
    after(async () => { await stopClean(srv); });

    test('POST /login: a hostile next gives 303 /home (HTML) and next "/home" (JSON); the login succeeds', async () => {
      for (const next of HOSTILE_NEXT) {
        const html = new Client(srv.url);
        const r = await html.post('/login', { form: { username: 'officer4701', password: DEMO_PASSWORD, next }, accept: 'text/html' });
        assert.equal(r.status, 303, `HTML login with next=${JSON.stringify(next)}: ${r.status} ${r.text.slice(0, 200)}`);
        assert.equal(r.headers.get('location'), '/home', `next=${JSON.stringify(next)}`);
        assert.ok(html.cookies.has('osspoint_session'), 'the login itself succeeded');
        assert.equal((await html.get('/home')).status, 200);
        const json = await login(new Client(srv.url), 'officer4701', DEMO_PASSWORD, { next });
        assert.equal(json.status, 200, `JSON login with next=${JSON.stringify(next)}`);
        assert.equal(json.json.next, '/home', `next=${JSON.stringify(next)}`);
      }
    });

    test('POST /login: a same-origin next is kept (non-ASCII percent-encoded)', async () => {
      for (const [next, location] of [['/registry/5', '/registry/5'], ['/units/47?x=1', '/units/47?x=1'],
        ['/users', '/users'], ['/services/ก', '/services/%E0%B8%81']]) {
        const r = await new Client(srv.url).post('/login', { form: { username: 'officer4701', password: DEMO_PASSWORD, next }, accept: 'text/html' });
        assert.equal(r.status, 303);
        assert.equal(r.headers.get('location'), location);
        const j = await login(new Client(srv.url), 'officer4701', DEMO_PASSWORD, { next });
        assert.equal(j.json.next, location);
      }
    });

    test('GET /login: a hostile next is dropped from the form and from the logged-in redirect', async () => {
      const c = new Client(srv.url);
      assert.equal((await login(c, 'officer4701')).status, 200);
      for (const next of HOSTILE_NEXT) {
        const q = `/login?next=${encodeURIComponent(next)}`;
        const anon = await new Client(srv.url).get(q);
        assert.equal(anon.status, 200, `GET ${q}`);
        assert.equal(anon.json.next, '/home', `GET ${q}`);
        const page = await new Client(srv.url).get(q, { accept: 'text/html' });
        assert.match(page.text, /<input type="hidden" name="next" value="\/home">/, `GET ${q}`);
        const r = await c.get(q, { accept: 'text/html' });
        assert.equal(r.status, 303, `logged-in GET ${q}`);
        assert.equal(r.headers.get('location'), '/home', `logged-in GET ${q}`);
      }
      const ok = await c.get('/login?next=%2Fregistry%2F5', { accept: 'text/html' });
      assert.equal(ok.headers.get('location'), '/registry/5');
    });

    test('control characters in next never answer 500 (the session was already made)', async () => {
      for (const next of ['/\t/evil.example', '/a\u0001b', '/\u007f', '/\r\nSet-Cookie: x=1']) {
        const body = `username=officer4701&password=${DEMO_PASSWORD}&next=${encodeURIComponent(next)}`;
        const r = await new Client(srv.url).post('/login', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, accept: 'text/html' });
        assert.equal(r.status, 303, `next=${JSON.stringify(next)} → ${r.status}`);
        assert.equal(r.headers.get('location'), '/home');
        assert.equal(r.headers.get('x'), null);
      }
    });

    test('a login from another origin or Sec-Fetch-Site: cross-site is 403 login-cross-site, without a session', async () => {
      const before = srv.sql('SELECT COUNT(*) FROM login_attempts')[0][0];
      const cases = [
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { origin: `${PUBLIC}:8443` },
        { origin: 'http://eservice.example.go.th' },
        { 'sec-fetch-site': 'cross-site' },
        { origin: srv.url, 'sec-fetch-site': 'cross-site' },
      ];
      for (const headers of cases) {
        const c = new Client(srv.url);
        const j = await c.post('/login', { json: { username: 'officer4701', password: DEMO_PASSWORD }, headers, csrf: false });
        assert.equal(j.status, 403, JSON.stringify(headers));
        assert.equal(j.json.type, '/problems/login-cross-site');
        assert.match(j.json.title, /[\u0E00-\u0E7F]/);
        assert.deepEqual(j.headers.getSetCookie(), [], 'no session cookie');
        const h = await c.post('/login', { form: { username: 'officer4701', password: DEMO_PASSWORD }, headers, accept: 'text/html' });
        assert.equal(h.status, 403, JSON.stringify(headers));
        assert.match(h.text, /เข้าสู่ระบบได้จากหน้าเข้าสู่ระบบของเว็บไซต์นี้เท่านั้น/);
        assert.deepEqual(h.headers.getSetCookie(), []);
        assert.equal(c.cookies.size, 0);
      }
      // Refused before anything was counted or stored.
      assert.equal(srv.sql('SELECT COUNT(*) FROM login_attempts')[0][0], before);
    });

    test('the own origin (Host or public_url), same-site and no headers at all still log in', async () => {
      const cases = [
        {},
        { origin: srv.url },
        { origin: srv.url, 'sec-fetch-site': 'same-origin' },
        { origin: PUBLIC, 'sec-fetch-site': 'same-origin' }, // behind a proxy that rewrites Host
        { 'sec-fetch-site': 'same-site' },
        { 'sec-fetch-site': 'none' },
      ];
      for (const headers of cases) {
        const c = new Client(srv.url);
        const r = await c.post('/login', { json: { username: 'officer4701', password: DEMO_PASSWORD }, headers, csrf: false });
        assert.equal(r.status, 200, JSON.stringify(headers));
        assert.ok(c.cookies.has('osspoint_session'));
        const h = await new Client(srv.url).post('/login', { form: { username: 'officer4701', password: DEMO_PASSWORD }, headers, accept: 'text/html' });
        assert.equal(h.status, 303, JSON.stringify(headers));
      }
    });
  });

  describe(`login throttling behind a trusted proxy on ${backend}`, () => {
    let srv;
    // Delays off, so 25 wrong passwords take no waiting; the defaults
    // otherwise (25 per pair, 100 per address).
    before(async () => {
      srv = await startServer(backend, { OSSPOINT_TRUSTED_PROXIES: '127.0.0.1', OSSPOINT_LOGIN_DELAY: '0' });
    });
    after(async () => { await stopClean(srv); });

    const A = '203.0.113.1', B = '203.0.113.2';

    test('25 wrong passwords lock (account, address) only: 429 there, the account elsewhere and other accounts there log in', async () => {
      const a = new ProxiedClient(srv.url, A);
      for (let i = 1; i <= 25; i++) {
        const r = await login(a, 'officer4701', 'wrong-password');
        assert.equal(r.status, 401, `failure ${i}`);
        assert.equal(r.json.type, '/problems/login-failed');
      }
      const locked = await login(a, 'officer4701');
      assert.equal(locked.status, 429);
      assert.equal(locked.json.type, '/problems/login-locked');
      assert.equal(locked.json.field, 'username');
      assert.match(locked.json.title, /[\u0E00-\u0E7F]/);
      const retry = Number(locked.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 900, `Retry-After ${retry}`);
      assert.deepEqual(locked.headers.getSetCookie(), []);
      // HTML too: the login page with the message, 429.
      const page = await a.post('/login', { form: { username: 'officer4701', password: DEMO_PASSWORD }, accept: 'text/html' });
      assert.equal(page.status, 429);
      assert.match(page.text, /ติดต่อผู้ดูแลระบบให้ปลดล็อก/);
      // The same account from another address.
      assert.equal((await login(new ProxiedClient(srv.url, B), 'officer4701')).status, 200);
      // Another account from the same address.
      assert.equal((await login(new ProxiedClient(srv.url, A), 'officer4702')).status, 200);
      // Still locked for the pair.
      assert.equal((await login(new ProxiedClient(srv.url, A), 'officer4701')).status, 429);
      // The lockout was logged and audit-logged once, with the client's address.
      const rows = srv.sql("SELECT target, detail, ip FROM audit_log WHERE action = 'login.lockout'");
      assert.deepEqual(rows, [['officer4701', 'pair', A]]);
      assert.match(srv.stderr(), /login lockout \(pair\): user=officer4701 ip=203\.0\.113\.1/);
      // The attempts are stored under the address from X-Forwarded-For.
      assert.equal(srv.sql(`SELECT COUNT(*) FROM login_attempts WHERE ip = '${A}' AND username = 'officer4701' AND ok = 0`)[0][0], '25');
    });

    test('the right-most address that is not a trusted proxy is the client; a spoofed left entry is not', async () => {
      const c = new ProxiedClient(srv.url, null, `198.51.100.66, 203.0.113.7, 127.0.0.1`);
      assert.equal((await login(c, 'padmin47')).status, 200);
      const [[ip]] = srv.sql("SELECT ip FROM audit_log WHERE action = 'login' ORDER BY id DESC LIMIT 1");
      assert.equal(ip, '203.0.113.7');
      const [[sip]] = srv.sql('SELECT ip FROM sessions ORDER BY id DESC LIMIT 1');
      assert.equal(sip, '203.0.113.7');
    });

    test('the users page shows the locked account; an admin out of scope or an officer cannot unlock; the admin can', async () => {
      const admin = new Client(srv.url);
      assert.equal((await login(admin, 'dadmin4701')).status, 200);
      const [[id]] = srv.sql("SELECT id FROM users WHERE username = 'officer4701'");
      const list = await admin.get('/users');
      const row = list.json.users.find((u) => u.username === 'officer4701');
      assert.equal(row.locked, true);
      assert.equal(list.json.users.find((u) => u.username === 'dadmin4701').locked, false);
      const html = await admin.get('/users', { accept: 'text/html' });
      assert.match(html.text, new RegExp(`<form class="inline-form" method="post" action="/users/${id}/unlock"><input type="hidden" name="csrf" value="[A-Za-z0-9_-]{43}">`));
      assert.match(html.text, /ล็อกการเข้าสู่ระบบ/);

      // An officer: below the route's role.
      const officer = new Client(srv.url);
      assert.equal((await login(officer, 'officer4702')).status, 200);
      const o = await officer.post(`/users/${id}/unlock`);
      assert.equal(o.status, 403);
      // A district admin of another province: out of scope.
      const nadmin = new Client(srv.url);
      assert.equal((await login(nadmin, 'nadmin')).status, 200);
      const made = await nadmin.post('/users', { json: { username: 'dadmin4101', display_name: 'ผู้ดูแล อ.เมืองอุดรธานี', role: 'district_admin', unit_code: '4101', password: 'long-enough-1' } });
      assert.equal(made.status, 201);
      const other = new Client(srv.url);
      assert.equal((await login(other, 'dadmin4101', 'long-enough-1')).status, 200);
      const out = await other.post(`/users/${id}/unlock`);
      assert.equal(out.status, 403);
      assert.equal(out.json.type, '/problems/out-of-scope');
      assert.equal((await other.post('/users/999999/unlock')).status, 404);
      // Without the CSRF token.
      assert.equal((await admin.post(`/users/${id}/unlock`, { csrf: false })).status, 403);
      assert.equal(srv.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'user.unlock'")[0][0], '0');
      assert.equal((await login(new ProxiedClient(srv.url, A), 'officer4701')).status, 429);

      // The admin unlocks: JSON answer, audit row, the pair logs in again.
      const u = await admin.post(`/users/${id}/unlock`);
      assert.equal(u.status, 200);
      assert.equal(u.json.user.username, 'officer4701');
      assert.equal(u.json.cleared, 25);
      const audit = srv.sql("SELECT user_id, target, detail FROM audit_log WHERE action = 'user.unlock'");
      const [[adminId]] = srv.sql("SELECT id FROM users WHERE username = 'dadmin4701'");
      assert.deepEqual(audit, [[adminId, `user:${id}`, '25 failed logins cleared']]);
      assert.equal((await admin.get('/users')).json.users.find((x) => x.username === 'officer4701').locked, false);
      assert.equal((await login(new ProxiedClient(srv.url, A), 'officer4701')).status, 200);
      // HTML form: 303 back to the list with a notice.
      const again = await admin.post(`/users/${id}/unlock`, { form: { csrf: admin.csrf }, accept: 'text/html', csrf: false });
      assert.equal(again.status, 303);
      assert.equal(again.headers.get('location'), '/users?unlocked=officer4701');
      const notice = await admin.get('/users?unlocked=officer4701', { accept: 'text/html' });
      assert.match(notice.text, /ปลดล็อกการเข้าสู่ระบบของ officer4701 แล้ว/);
    });
  });

  describe(`login throttling: the account budget and the address ceiling on ${backend}`, () => {
    let srv;
    // 2 failures lock a pair, so the account budget is 4 × 2 = 8; 5 failures
    // over all accounts lock an address.
    before(async () => {
      srv = await startServer(backend, {
        OSSPOINT_TRUSTED_PROXIES: '127.0.0.1', OSSPOINT_LOGIN_DELAY: '0', OSSPOINT_LOGIN_MAX_FAILS: '2',
        OSSPOINT_LOGIN_ADDRESS_MAX_FAILS: '5',
      });
    });
    after(async () => { await stopClean(srv); });

    test('one address cannot lock an account for everyone; four can, except for an address the owner used', async () => {
      const home = '203.0.113.50';
      assert.equal((await login(new ProxiedClient(srv.url, home), 'officer4702')).status, 200);
      for (const [i, addr] of ['203.0.113.11', '203.0.113.12', '203.0.113.13', '203.0.113.14'].entries()) {
        const c = new ProxiedClient(srv.url, addr);
        for (let k = 0; k < 2; k++) assert.equal((await login(c, 'officer4702', 'wrong-password')).status, 401);
        assert.equal((await login(c, 'officer4702')).status, 429, `${addr} is locked`);
        // Until the fourth address the account is fine elsewhere.
        const elsewhere = await login(new ProxiedClient(srv.url, `198.51.100.${i + 1}`), 'officer4702');
        assert.equal(elsewhere.status, i < 3 ? 200 : 429, `after ${i + 1} addresses`);
        if (i === 3) assert.equal(elsewhere.json.type, '/problems/login-locked');
      }
      assert.equal((await login(new ProxiedClient(srv.url, home), 'officer4702')).status, 200, 'the usual address still works');
      const rows = srv.sql("SELECT detail FROM audit_log WHERE action = 'login.lockout' AND target = 'officer4702' ORDER BY id");
      assert.deepEqual(rows.map((r) => r[0]), ['pair', 'pair', 'pair', 'pair', 'account']);
    });

    test('the per-address ceiling holds unknown accounts, not staff who logged in from there before', async () => {
      const nat = '203.0.113.70';
      assert.equal((await login(new ProxiedClient(srv.url, nat), 'dadmin4701')).status, 200);
      for (let i = 1; i <= 5; i++) assert.equal((await login(new ProxiedClient(srv.url, nat), `ghost${i}`, 'guess')).status, 401);
      const r = await login(new ProxiedClient(srv.url, nat), 'officer4701');
      assert.equal(r.status, 429);
      assert.equal(r.json.type, '/problems/login-locked');
      assert.equal((await login(new ProxiedClient(srv.url, nat), 'dadmin4701')).status, 200);
      assert.equal((await login(new ProxiedClient(srv.url, '203.0.113.71'), 'officer4701')).status, 200);
      assert.deepEqual(srv.sql("SELECT target, detail, ip FROM audit_log WHERE action = 'login.lockout' AND detail = 'address'"),
        [['ghost5', 'address', nat]]);
    });
  });

  describe(`login throttling without a trusted proxy, with delays on ${backend}`, () => {
    let srv;
    // The peer (127.0.0.1) is not a trusted proxy: X-Forwarded-For is ignored.
    before(async () => {
      srv = await startServer(backend, { OSSPOINT_TRUSTED_PROXIES: '10.0.0.1', OSSPOINT_LOGIN_DELAY: '20' });
    });
    after(async () => { await stopClean(srv); });

    test('X-Forwarded-For from an untrusted peer is ignored; after 5 failures the pair waits a growing delay', async () => {
      for (let i = 1; i <= 5; i++) {
        const r = await login(new ProxiedClient(srv.url, `198.51.100.${i}`), 'officer4701', 'wrong-password');
        assert.equal(r.status, 401, `failure ${i}`);
      }
      // Another "address" in the header, the right password: still the same
      // pair (127.0.0.1), so it waits.
      const r = await login(new ProxiedClient(srv.url, '198.51.100.99'), 'officer4701');
      assert.equal(r.status, 429);
      assert.equal(r.json.type, '/problems/throttled');
      assert.match(r.json.detail, /กรุณารอ \d+ วินาที/);
      const retry = Number(r.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 20, `Retry-After ${retry}`);
      const stored = srv.sql("SELECT DISTINCT ip FROM login_attempts WHERE username = 'officer4701'");
      assert.deepEqual(stored, [['127.0.0.1']]);
      // Delays are per pair: another account from the same peer logs in.
      const c = new ProxiedClient(srv.url, '198.51.100.99');
      assert.equal((await login(c, 'officer4702')).status, 200);
      const [[ip]] = srv.sql("SELECT ip FROM audit_log WHERE action = 'login' ORDER BY id DESC LIMIT 1");
      assert.equal(ip, '127.0.0.1');
      assert.equal(srv.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'login.lockout'")[0][0], '0');
    });
  });
}
