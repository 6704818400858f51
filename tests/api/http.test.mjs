// API tests for the HTTP layer (docs/modules/http.md) on the real server:
// slow and many clients (issue 8 item 3), conflicting body lengths and JSON
// sent as a form (issue 8 item 10), 304s that state the 200's length, and the
// buffered access log (issue 9 item 17: nothing lost on a clean stop). Raw
// sockets (node:net) where fetch cannot send the request. Every server is
// stopped with SIGTERM and must exit with status 0.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { backends, startServer, Client } from './lib.mjs';

const portOf = (srv) => Number(new URL(srv.url).port);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function stopClean(srv) {
  const res = await srv.stop();
  assert.deepEqual(res, { code: 0, sig: null }, `exit status after SIGTERM; stderr:\n${srv.stderr().slice(-2000)}`);
}

// Waits (bounded) until the server's standard error holds `needle`: the
// child's 'exit' can come before the last bytes of its stderr pipe.
async function stderrHas(srv, needle, ms = 3000) {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await sleep(20)) if (srv.stderr().includes(needle)) return true;
  return false;
}

// Opens one connection (from `localAddress`) that writes `head` and then
// nothing, or a byte every `trickleMs`. Resolves when connected; `closed`
// says whether the server closed it, `closedAt` when.
function openConn(port, { head = '', trickleMs = 0, localAddress = '127.0.0.1' } = {}) {
  return new Promise((resolve) => {
    const c = { socket: null, closed: false, closedAt: 0, data: '', iv: null };
    const s = net.connect({ host: '127.0.0.1', port, localAddress });
    c.socket = s;
    s.setEncoding('latin1');
    s.on('data', (d) => { c.data += d; });
    s.on('error', () => {});
    s.on('close', () => { c.closed = true; c.closedAt = Date.now(); clearInterval(c.iv); resolve(c); });
    s.on('connect', () => {
      if (head) s.write(head);
      if (trickleMs) c.iv = setInterval(() => { if (!s.destroyed) s.write('a'); }, trickleMs);
      resolve(c);
    });
  });
}

function closeAll(conns) {
  for (const c of conns) { clearInterval(c.iv); c.socket.destroy(); }
}

// Parses the HTTP/1.1 responses in `text` (Content-Length framed; a 304 or a
// HEAD answer has no body).
function parseResponses(text, { head = false } = {}) {
  const out = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const lines = rest.slice(0, end).split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      const k = l.slice(0, i).toLowerCase();
      headers[k] = headers[k] === undefined ? l.slice(i + 1).trim() : `${headers[k]}, ${l.slice(i + 1).trim()}`;
    }
    const len = head || status === 304 || status === 100 ? 0 : Number(headers['content-length'] || 0);
    const bodyBytes = Buffer.from(rest.slice(end + 4), 'latin1');
    out.push({ status, headers, body: bodyBytes.subarray(0, len).toString('utf8') });
    rest = bodyBytes.subarray(len).toString('latin1');
  }
  return out;
}

// Sends raw bytes on a fresh connection and reads until the server closes it
// or `ms` pass. Returns {responses, closed}.
async function exchange(port, bytes, ms = 2000, opts = {}) {
  const c = await openConn(port, { head: bytes });
  for (const t0 = Date.now(); !c.closed && Date.now() - t0 < ms; await sleep(10));
  const closed = c.closed;
  c.socket.destroy();
  return { responses: parseResponses(c.data, opts), closed };
}

// GET /healthz from another local address; resolves {status, ms}.
async function healthzFrom(port, localAddress) {
  const t0 = Date.now();
  const c = await openConn(port, { localAddress, head: 'GET /healthz HTTP/1.1\r\nHost: osspoint\r\nAccept: application/json\r\n\r\n' });
  for (; !parseResponses(c.data).length && !c.closed && Date.now() - t0 < 5000; await sleep(2));
  const ms = Date.now() - t0;
  c.socket.destroy();
  const [r] = parseResponses(c.data);
  return { status: r ? r.status : 0, ms };
}

const SLOW_HEAD = 'GET /healthz HTTP/1.1\r\nHost: osspoint\r\nX-Slow: ';

for (const backend of backends()) {
  describe(`HTTP connections on ${backend} (shipped limits)`, () => {
    let srv, port;
    before(async () => { srv = await startServer(backend); port = portOf(srv); });
    after(async () => { if (srv) await srv.stop(); });

    test('512 concurrent connections from one address are all admitted and answered', async () => {
      const conns = await Promise.all(Array.from({ length: 512 }, () => openConn(port)));
      try {
        await sleep(300);
        assert.equal(conns.filter((c) => c.closed).length, 0, 'the server closed connections it should have admitted');
        for (const c of conns) c.socket.write('GET /healthz HTTP/1.1\r\nHost: osspoint\r\n\r\n');
        for (const t0 = Date.now(); Date.now() - t0 < 15000 && conns.some((c) => !parseResponses(c.data).length && !c.closed);) await sleep(20);
        const statuses = conns.map((c) => (parseResponses(c.data)[0] || { status: c.closed ? 'closed' : 'none' }).status);
        assert.deepEqual([...new Set(statuses)], [200]);
      } finally { closeAll(conns); }
    });

    test('2,000 slow-header connections from 127.0.0.1: 127.0.0.2 still gets /healthz within a second', async () => {
      const conns = [];
      try {
        // Open them in batches (bounded time), each sending a head it never finishes.
        for (let i = 0; i < 2000; i += 200)
          conns.push(...await Promise.all(Array.from({ length: 200 }, () => openConn(port, { head: SLOW_HEAD }))));
        await sleep(500);
        for (let i = 0; i < 3; i++) {
          const r = await healthzFrom(port, '127.0.0.2');
          assert.deepEqual([r.status, r.ms < 1000], [200, true], `healthz from 127.0.0.2: ${r.status} after ${r.ms} ms`);
        }
        // The per-address limit (1024) held the rest off, closed at once; the
        // slow ones admitted are still held, not answered. (Fewer than 1024
        // may be held: connections of the test before, closed by the client,
        // can still count on the server for a moment; at least the 512 the
        // default promises.)
        const open = conns.filter((c) => !c.closed).length;
        assert.ok(open >= 512 && open <= 1024, `slow connections still open: ${open}`);
        assert.equal(conns.filter((c) => c.data).length, 0, 'a slow connection got an answer');
      } finally { closeAll(conns); }
    });

    test('SIGTERM: exit status 0', async () => {
      const s = srv;
      srv = null;
      await stopClean(s);
    });
  });

  describe(`HTTP request deadline on ${backend} (request_timeout = 1 s)`, () => {
    let srv, port;
    before(async () => { srv = await startServer(backend, { OSSPOINT_REQUEST_TIMEOUT: '1' }); port = portOf(srv); });
    after(async () => { if (srv) await srv.stop(); });

    test('a connection that does not deliver a whole request head in time is closed, however it trickles', async () => {
      const cases = [
        // [what, head sent at once, trickle a byte every ms]
        ['opens and sends nothing', '', 0],
        ['sends half a head', 'GET / HTTP/1.1\r\nHost: osspoint\r\n', 0],
        ['trickles a header byte every 200 ms', 'GET / HTTP/1.1\r\nHost: osspoint\r\nX-Trickle: ', 200],
        ['idles after a full exchange (keep-alive)', 'GET /healthz HTTP/1.1\r\nHost: osspoint\r\n\r\n', 0],
      ];
      const t0 = Date.now();
      const conns = await Promise.all(cases.map(([, head, trickleMs]) => openConn(port, { head, trickleMs })));
      try {
        for (; Date.now() - t0 < 6000 && conns.some((c) => !c.closed);) await sleep(50);
        cases.forEach(([what], i) => {
          assert.ok(conns[i].closed, `${what}: still open after 6 s`);
          const after = conns[i].closedAt - t0;
          assert.ok(after >= 900 && after < 3500, `${what}: closed after ${after} ms`);
        });
        assert.equal(parseResponses(conns[3].data)[0].status, 200, 'the full request was answered first');
        // A client that sends its request in time is served as usual.
        assert.equal((await new Client(srv.url).get('/healthz')).status, 200);
      } finally { closeAll(conns); }
    });

    test('SIGTERM: exit status 0', async () => {
      const s = srv;
      srv = null;
      await stopClean(s);
    });
  });

  describe(`HTTP bodies and 304s on ${backend}`, () => {
    let srv, port;
    before(async () => { srv = await startServer(backend); port = portOf(srv); });
    after(async () => { if (srv) await srv.stop(); });

    const JSON_LOGIN = '{"username":"nobody","password":"wrong-password"}';
    const post = (headers, body) =>
      `POST /login HTTP/1.1\r\nHost: osspoint\r\nAccept: application/json\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;
    // A second request hidden after the declared body: it must never be answered.
    const SMUGGLED = 'GET /healthz HTTP/1.1\r\nHost: osspoint\r\n\r\n';

    test('a body whose length is stated in two ways that disagree is refused with 400 and the connection closed', async () => {
      const cases = [
        // [what, headers, body]
        ['two different Content-Length', ['Content-Type: application/json', `Content-Length: ${JSON_LOGIN.length}`,
          `Content-Length: ${JSON_LOGIN.length + SMUGGLED.length}`], JSON_LOGIN + SMUGGLED],
        ['two different Content-Length, the larger first', ['Content-Type: application/json',
          `Content-Length: ${JSON_LOGIN.length + SMUGGLED.length}`, `Content-Length: ${JSON_LOGIN.length}`], JSON_LOGIN + SMUGGLED],
        ['Content-Length with Transfer-Encoding', ['Content-Type: application/json', `Content-Length: ${JSON_LOGIN.length}`,
          'Transfer-Encoding: chunked'], `${JSON_LOGIN.length.toString(16)}\r\n${JSON_LOGIN}\r\n0\r\n\r\n${SMUGGLED}`],
      ];
      for (const [what, headers, body] of cases) {
        const { responses, closed } = await exchange(port, post(headers, body));
        assert.equal(responses.length, 1, `${what}: ${responses.length} answers`);
        const [r] = responses;
        assert.equal(r.status, 400, what);
        assert.match(r.headers['content-type'], /application\/problem\+json/, what);
        const p = JSON.parse(r.body);
        assert.equal(p.type, '/problems/bad-request', what);
        assert.equal(p.field, 'Content-Length', what);
        assert.match(p.detail, /[\u0E00-\u0E7F]/, what);
        assert.match(r.headers.connection || '', /close/i, what);
        assert.ok(closed, `${what}: the connection stayed open`);
      }
    });

    test('the same Content-Length twice is one length: the request goes on', async () => {
      const { responses } = await exchange(port, post(['Content-Type: application/json',
        `Content-Length: ${JSON_LOGIN.length}`, `Content-Length: ${JSON_LOGIN.length}`], JSON_LOGIN), 1000);
      assert.equal(responses[0].status, 401);
      assert.equal(JSON.parse(responses[0].body).type, '/problems/login-failed');
    });

    test('JSON sent with a form Content-Type is a bad form (400 naming the body), never 413', async () => {
      const c = new Client(srv.url);
      const cases = [
        // [what, body]
        ['a JSON login', JSON_LOGIN],
        ['JSON with white space first', `\n  ${JSON_LOGIN}`],
        ['a JSON array', '[1,2,3]'],
        ['a large JSON object (a name far over the limit)', JSON.stringify({ username: 'x', remarks: 'ก'.repeat(5000) })],
        ['a large JSON object with = and & inside', JSON.stringify({ q: 'a=b&c=d', remarks: 'x'.repeat(50000) })],
      ];
      for (const [what, body] of cases) {
        const r = await c.post('/login', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, csrf: false });
        assert.equal(r.status, 400, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
        assert.equal(r.json.type, '/problems/bad-form', what);
        assert.equal(r.json.field, 'body', what);
        assert.match(r.json.detail, /[\u0E00-\u0E7F]/, what);
      }
      // A field name over the limit, without JSON, is no form either.
      const long = await c.post('/login', { body: `${'n'.repeat(300)}=1`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, csrf: false });
      assert.equal(long.status, 400);
      assert.equal(long.json.field, 'body');
      // A value over the limit is still 413, naming its field.
      const big = await c.post('/login', { body: `username=${'x'.repeat(70000)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, csrf: false });
      assert.equal(big.status, 413);
      assert.equal(big.json.field, 'username');
    });

    test('a 304 states the length of the 200 it stands for (page cache and static files)', async () => {
      const cases = [
        // [what, path, accept]
        ['the home page from the page cache, HTML', '/', 'text/html'],
        ['the home page from the page cache, JSON', '/', 'application/json'],
        ['a static file', '/static/css/app.css', '*/*'],
      ];
      for (const [what, path, accept] of cases) {
        const head = (extra = '') => `GET ${path} HTTP/1.1\r\nHost: osspoint\r\nAccept: ${accept}\r\n${extra}\r\n`;
        const [first] = (await exchange(port, head(), 500)).responses;
        assert.equal(first.status, 200, what);
        const len = Number(first.headers['content-length']);
        assert.ok(len > 0, what);
        assert.equal(Buffer.byteLength(first.body), len, what);
        // Both on one connection: the 304 has no body, so the next answer
        // must start right after its head.
        const { responses } = await exchange(port, head(`If-None-Match: ${first.headers.etag}\r\n`) + head(), 800);
        assert.equal(responses.length, 2, what);
        assert.equal(responses[0].status, 304, what);
        assert.equal(responses[0].headers['content-length'], String(len), `${what}: Content-Length of the 304`);
        assert.equal(responses[1].status, 200, what);
        assert.equal(responses[1].body, first.body, what);
      }
    });

    test('SIGTERM: exit status 0', async () => {
      const s = srv;
      srv = null;
      await stopClean(s);
    });
  });
}

// The access log is buffered: what a clean stop must still write. Once, on
// SQLite (the log does not depend on the database).
describe('access log (shipped setting: on)', () => {
  const ACCESS = /^\S+ info (GET|HEAD|POST) (\S+) (\d{3}|-) \d+us( hit)?( \(aborted\))?$/;
  const accessLines = (text) => text.split('\n').filter((l) => ACCESS.test(l));

  test('N requests, then SIGTERM: exactly N lines, none lost, each as sent', async () => {
    const srv = await startServer('sqlite', { OSSPOINT_ACCESS_LOG: '1' });
    const c = new Client(srv.url);
    const paths = [];
    for (let i = 0; i < 300; i++) {
      const path = ['/healthz', `/?n=${i}`, '/static/css/app.css', '/no-such-page'][i % 4];
      paths.push(path);
      await c.get(path);
    }
    // A few more on parallel connections (other server threads, other buffers).
    await Promise.all(Array.from({ length: 40 }, (_, i) => { paths.push(`/healthz?p=${i}`); return new Client(srv.url).get(`/healthz?p=${i}`); }));
    await stopClean(srv);
    assert.ok(await stderrHas(srv, 'http: stopped'), 'the server did not log its stop');
    const lines = accessLines(srv.stderr());
    assert.equal(lines.length, paths.length, `access log lines: ${lines.length}, requests: ${paths.length}`);
    // Each request once (the log keeps the raw path without its query).
    const logged = lines.map((l) => l.match(ACCESS)[2]).sort();
    assert.deepEqual(logged, paths.map((p) => p.replace(/\?.*/, '')).sort());
  });

  test('lines are written within about a second while the server runs', async () => {
    const srv = await startServer('sqlite', { OSSPOINT_ACCESS_LOG: '1' });
    try {
      for (let i = 0; i < 5; i++) await new Client(srv.url).get('/healthz');
      let n = 0;
      for (const t0 = Date.now(); Date.now() - t0 < 3000 && n < 5; await sleep(50)) n = accessLines(srv.stderr()).length;
      assert.equal(n, 5);
    } finally {
      await stopClean(srv);
    }
  });
});
