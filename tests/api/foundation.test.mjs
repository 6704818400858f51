// API tests for the foundation (issue 2): the real server, a fresh database,
// on SQLite and on PostgreSQL.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { backends, startServer, Client, run, SECURITY_HEADERS } from './lib.mjs';

for (const backend of backends()) {
  describe(`foundation on ${backend}`, () => {
    let srv;
    before(async () => { srv = await startServer(backend, { OSSPOINT_LOGIN_MAX_FAILS: '5' }); });
    after(async () => { if (srv) await srv.stop(); });

    test('healthz answers 200 with the database status', async () => {
      const r = await new Client(srv.url).get('/healthz');
      assert.equal(r.status, 200);
      assert.equal(r.json.status, 'ok');
      assert.equal(r.json.database.ok, true);
      assert.equal(r.json.database.dialect, backend);
      assert.ok(r.json.database.schema_version >= 1);
    });

    test('every reply carries the security headers, errors included', async () => {
      const c = new Client(srv.url);
      for (const [path, accept] of [['/', 'text/html'], ['/login', 'text/html'], ['/nope', 'text/html'],
        ['/nope', 'application/json'], ['/home', 'text/html'], ['/healthz', 'application/json']]) {
        const r = await c.get(path, { accept });
        for (const [h, re] of Object.entries(SECURITY_HEADERS)) assert.match(r.headers.get(h) || '', re, `${h} on ${path}`);
        assert.doesNotMatch(r.headers.get('content-security-policy'), /unsafe-inline/);
      }
    });

    test('public home is Thai HTML, or its model as JSON', async () => {
      const c = new Client(srv.url);
      const html = await c.get('/', { accept: 'text/html' });
      assert.equal(html.status, 200);
      assert.match(html.headers.get('content-type'), /text\/html/);
      assert.match(html.text, /<html lang="th"/);
      const js = await c.get('/');
      assert.equal(js.json.stats.provinces, 76, 'provinces taking part (issue 9 item 12: Bangkok is outside the programme)');
      assert.equal(js.json.stats.districts, 928);
      assert.equal(js.json.stats.districts_in_programme, 878);
    });

    test('404 and 405 in Thai, as a page and as problem+json', async () => {
      const c = new Client(srv.url);
      const p = await c.get('/no-such-page');
      assert.equal(p.status, 404);
      assert.match(p.headers.get('content-type'), /application\/problem\+json/);
      assert.equal(p.json.status, 404);
      assert.match(p.json.title, /[\u0E00-\u0E7F]/);
      const h = await c.get('/no-such-page', { accept: 'text/html' });
      assert.equal(h.status, 404);
      assert.match(h.text, /ไม่พบ/);
      const m = await c.req('DELETE', '/login');
      assert.equal(m.status, 405);
      assert.match(m.headers.get('allow'), /POST/);
    });

    test('login → CSRF → logout', async () => {
      const c = new Client(srv.url);
      const bad = await c.login('officer4701', 'wrong-password');
      assert.equal(bad.status, 401);
      assert.equal(bad.json.field, 'password');
      const r = await c.login('officer4701');
      assert.equal(r.status, 200);
      assert.match(r.json.csrf, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(r.json.user.unit_code, '4701');
      assert.equal(r.json.user.role, 'officer');
      const cookie = r.headers.getSetCookie().find((s) => s.startsWith('osspoint_session='));
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Lax/i);
      const home = await c.get('/home');
      assert.equal(home.status, 200);
      assert.equal(home.json.unit.code, '4701');
      assert.equal(home.json.unit.name_th, 'เมืองสกลนคร');
      // Without the token a state-changing request is refused, and nothing happens.
      const noCsrf = await c.post('/logout', { csrf: false, json: {} });
      assert.equal(noCsrf.status, 403);
      assert.equal(noCsrf.json.field, 'csrf');
      assert.equal((await c.get('/home')).status, 200);
      const wrong = await c.post('/logout', { headers: { 'x-csrf-token': 'x'.repeat(43) }, csrf: false, json: {} });
      assert.equal(wrong.status, 403);
      const out = await c.post('/logout', { json: {} });
      assert.equal(out.status, 200);
      assert.equal((await c.get('/home')).status, 401);
    });

    test('HTML login form sets the cookie and redirects; every page form carries csrf', async () => {
      const c = new Client(srv.url);
      const page = await c.get('/login', { accept: 'text/html' });
      assert.match(page.text, /name="username"/);
      const r = await c.post('/login', { form: { username: 'dadmin4701', password: 'osspoint-demo', next: '/users' }, accept: 'text/html' });
      assert.equal(r.status, 303);
      assert.equal(r.headers.get('location'), '/users');
      const users = await c.get('/users', { accept: 'text/html' });
      assert.equal(users.status, 200);
      const forms = users.text.match(/<form[^>]*method="post"[\s\S]*?<\/form>/gi) || [];
      assert.ok(forms.length >= 2, 'users page has the logout and add-user forms');
      for (const f of forms) assert.match(f, /name="csrf" value="[A-Za-z0-9_-]{43}"/);
      // An open redirect through next= is refused.
      const c2 = new Client(srv.url);
      const r2 = await c2.post('/login', { form: { username: 'officer4701', password: 'osspoint-demo', next: '//evil.example' }, accept: 'text/html' });
      assert.equal(r2.headers.get('location'), '/home');
    });

    test('an officer of district A gets 403 on district B and above their unit', async () => {
      const c = new Client(srv.url);
      await c.login('officer4701');
      assert.equal((await c.get('/units/4701')).status, 200);
      assert.equal((await c.get('/units/4702')).status, 403);
      assert.equal((await c.get('/units/47')).status, 403);
      assert.equal((await c.get('/units/0')).status, 403);
      const p = new Client(srv.url);
      await p.login('padmin47');
      assert.equal((await p.get('/units/4702')).status, 200);
      assert.equal((await p.get('/units/5001')).status, 403);
      const prov = await p.get('/units/47');
      assert.equal(prov.status, 200);
      assert.equal(prov.json.children.length, 18);
      assert.ok(prov.json.children.every((d) => d.code.startsWith('47')));
      const n = new Client(srv.url);
      await n.login('nadmin');
      const all = await n.get('/units');
      assert.equal(all.json.units.length, 77);
      const bkk = await n.get('/units/10');
      assert.equal(bkk.json.unit.in_programme, false);
      assert.equal(bkk.json.children.length, 50);
    });

    test('walking the route table: anonymous gets 401, officers get 403 above their role', async () => {
      const routes = JSON.parse(run(['routes']));
      assert.ok(routes.length >= 10);
      const anon = new Client(srv.url);
      const off = new Client(srv.url);
      await off.login('officer4701');
      // A district admin of 4701 is refused every unit-scoped route of 4702
      // (e.g. the point profile and hidden-services pages of issue 4).
      const dadm = new Client(srv.url);
      await dadm.login('dadmin4701');
      const rank = { officer: 1, district_admin: 2, province_admin: 3, national_admin: 4 };
      let checked = 0, scoped = 0;
      for (const rt of routes) {
        const path = rt.pattern.replaceAll('{code}', '4702').replaceAll('{id}', '1');
        for (const method of rt.methods.filter((m) => m !== 'HEAD')) {
          if (rt.public) continue;
          const a = await anon.req(method, path, { json: method === 'GET' ? undefined : {} });
          assert.equal(a.status, 401, `anonymous ${method} ${path}`);
          if (rt.name === 'auth.logout') { checked++; continue; } // would end the officer's session
          const o = await off.req(method, path, { json: method === 'GET' ? undefined : {} });
          if (rank[rt.min_role] > rank.officer)
            assert.equal(o.status, 403, `officer ${method} ${path}`);
          // Unit-scoped routes naming another district ({code} = 4702): refused
          // (the full cross-unit walk is scope.test.mjs).
          if (rt.scope === '{code}') {
            const d = await dadm.req(method, path, { json: method === 'GET' ? undefined : {} });
            assert.equal(d.status, 403, `dadmin4701 ${method} ${path}`);
            scoped++;
          }
          checked++;
        }
      }
      assert.ok(checked >= 6);
      assert.ok(scoped >= 5, `the walk met the unit-scoped routes (/units/{code} and the four /points/{code} staff routes): ${scoped}`);
    });

    test('admins manage users within their scope only', async () => {
      const d = new Client(srv.url);
      await d.login('dadmin4701');
      const ok = await d.post('/users', { json: { username: 'newofficer', display_name: 'เจ้าหน้าที่ใหม่', role: 'officer', unit_code: '4701', password: 'long-enough-1' } });
      assert.equal(ok.status, 201);
      assert.equal(ok.json.user.username, 'newofficer');
      const dup = await d.post('/users', { json: { username: 'newofficer', display_name: 'x', role: 'officer', unit_code: '4701', password: 'long-enough-1' } });
      assert.equal(dup.status, 422);
      assert.deepEqual(dup.json.errors.map((e) => e.field), ['username']);
      const other = await d.post('/users', { json: { username: 'intruder', display_name: 'x', role: 'officer', unit_code: '4702', password: 'long-enough-1' } });
      assert.equal(other.status, 422);
      assert.ok(other.json.errors.some((e) => e.field === 'unit_code'));
      const above = await d.post('/users', { json: { username: 'boss', display_name: 'x', role: 'province_admin', unit_code: '47', password: 'long-enough-1' } });
      assert.equal(above.status, 422);
      const bad = await d.post('/users', { json: { username: 'A', display_name: '', role: 'king', unit_code: 'x', password: '1' } });
      assert.equal(bad.status, 422);
      const fields = bad.json.errors.map((e) => e.field).sort();
      for (const f of ['display_name', 'password', 'role', 'unit_code', 'username']) assert.ok(fields.includes(f), f);
      for (const e of bad.json.errors) assert.match(e.message, /[\u0E00-\u0E7F]/);
      const list = await d.get('/users');
      assert.ok(list.json.users.every((u) => u.unit_code === '4701'));
      // The new officer can log in, then is disabled and cannot.
      const n = new Client(srv.url);
      assert.equal((await n.login('newofficer', 'long-enough-1')).status, 200);
      const dis = await d.post(`/users/${ok.json.user.id}/disable`, { json: {} });
      assert.equal(dis.status, 200);
      assert.equal((await n.get('/home')).status, 401, 'sessions end when disabled');
      assert.equal((await new Client(srv.url).login('newofficer', 'long-enough-1')).status, 401);
      // An officer cannot reach /users at all.
      const o = new Client(srv.url);
      await o.login('officer4701');
      assert.equal((await o.get('/users')).status, 403);
      // A province admin sees the users of all of its districts.
      const p = new Client(srv.url);
      await p.login('padmin47');
      const pl = await p.get('/users');
      const units = new Set(pl.json.users.map((u) => u.unit_code));
      assert.ok(units.has('4701') && units.has('4702') && units.has('47'));
    });

    test('oversize body → 413 in Thai, connection kept', async () => {
      const c = new Client(srv.url);
      const big = 'x'.repeat(2 * 1024 * 1024);
      const r = await c.post('/login', { body: `username=${big}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(r.status, 413);
      assert.match(r.json.title, /ขนาดใหญ่เกิน/);
    });

    test('malformed JSON → 400 naming the problem', async () => {
      const c = new Client(srv.url);
      const r = await c.post('/login', { body: '{"username": "a", ', headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 400);
      assert.equal(r.json.type, '/problems/bad-json');
      assert.ok(r.json.detail && r.json.detail.length > 0);
      const f = await c.post('/login', { body: 'username=%zz', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(f.status, 400);
    });

    test('static files have an ETag and answer 304', async () => {
      const c = new Client(srv.url);
      const r = await c.get('/static/css/app.css', { accept: '*/*' });
      assert.equal(r.status, 200);
      const etag = r.headers.get('etag');
      assert.ok(etag);
      const r2 = await c.get('/static/css/app.css', { accept: '*/*', headers: { 'if-none-match': etag } });
      assert.equal(r2.status, 304);
      assert.equal((await c.get('/static/../Makefile', { accept: '*/*' })).status, 404);
    });

    test('keep-alive: two requests on one connection', async () => {
      const u = new URL(srv.url);
      const replies = await new Promise((resolve, reject) => {
        const s = net.connect(Number(u.port), '127.0.0.1');
        let buf = '';
        s.setEncoding('latin1');
        s.on('data', (d) => {
          buf += d;
          const n = (buf.match(/HTTP\/1\.1 200/g) || []).length;
          if (n === 1 && !s.sent2) { s.sent2 = true; s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n'); }
          if (n === 2) { s.end(); resolve(buf); }
        });
        s.on('error', reject);
        s.on('close', () => reject(new Error(`closed early: ${buf.slice(0, 200)}`)));
        s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n');
      });
      assert.doesNotMatch(replies, /Connection: close/i);
    });

    test('wrong password many times → throttled (429), even with the right one', async () => {
      const c = new Client(srv.url);
      for (let i = 0; i < 5; i++) assert.equal((await c.login('officer4702', 'nope-nope')).status, 401);
      const r = await c.login('officer4702');
      assert.equal(r.status, 429);
      assert.ok(r.headers.get('retry-after'));
      assert.match(r.json.title, /[\u0E00-\u0E7F]/);
    });

    test('the CLI adds users and changes passwords', async () => {
      const out = run(['user', 'add', '--username', 'cliuser', '--role', 'district_admin', '--unit', '4703', '--password-stdin'],
        { env: srv.env, input: 'cli-password-1\n' });
      assert.match(out, /cliuser/);
      const c = new Client(srv.url);
      assert.equal((await c.login('cliuser', 'cli-password-1')).status, 200);
      assert.throws(() => run(['user', 'add', '--username', 'x2', '--role', 'officer', '--unit', '47', '--password-stdin'], { env: srv.env, input: 'cli-password-1\n' }));
      run(['user', 'passwd', '--username', 'cliuser', '--password-stdin'], { env: srv.env, input: 'cli-password-2\n' });
      assert.equal((await c.get('/home')).status, 401, 'a password change ends sessions');
      assert.equal((await new Client(srv.url).login('cliuser', 'cli-password-2')).status, 200);
      run(['user', 'disable', '--username', 'cliuser'], { env: srv.env });
      assert.equal((await new Client(srv.url).login('cliuser', 'cli-password-2')).status, 401);
      // seed is safe to run again
      run(['seed', '--demo'], { env: srv.env });
      const h = await new Client(srv.url).get('/');
      assert.equal(h.json.stats.provinces, 76);
    });
  });
}

test('SIGTERM stops the server gracefully', async () => {
  const srv = await startServer('sqlite');
  const res = await srv.stop();
  assert.equal(res.code, 0);
});
