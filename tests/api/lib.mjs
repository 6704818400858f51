// Helpers for the API tests: start the real osspoint binary on 127.0.0.1 with
// a fresh database (SQLite file, or a fresh database in the throwaway
// PostgreSQL cluster named by OSSPOINT_TEST_PG), and talk HTTP to it.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.OSSPOINT_BIN || join(ROOT, 'build', 'osspoint');
export const DEMO_PASSWORD = 'osspoint-demo';

// The backends to run every API suite on. PostgreSQL is never skipped: without
// OSSPOINT_TEST_PG the suite fails (scripts/test.sh always provides it).
export function backends() {
  const list = ['sqlite'];
  if (process.env.OSSPOINT_TEST_PG) list.push('postgresql');
  else if (process.env.CI || process.env.OSSPOINT_REQUIRE_PG) throw new Error('OSSPOINT_TEST_PG is not set');
  return list;
}

let seq = 0;
function freshDatabase(backend, dir) {
  if (backend === 'sqlite') return { url: `sqlite:${join(dir, 'api.db')}`, drop() {} };
  const base = new URL(process.env.OSSPOINT_TEST_PG);
  const name = `osspoint_api_${process.pid}_${++seq}`;
  execFileSync('psql', [process.env.OSSPOINT_TEST_PG, '-qAtc', `CREATE DATABASE ${name}`]);
  const u = new URL(base.href);
  u.pathname = `/${name}`;
  return {
    url: u.href,
    drop() {
      try { execFileSync('psql', [process.env.OSSPOINT_TEST_PG, '-qAtc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]); } catch { /* best effort */ }
    },
  };
}

export function run(args, opts = {}) {
  return execFileSync(BIN, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
}

// Lines a sanitizer (ASan, LeakSanitizer, UBSan) prints when it finds
// something. A server that printed one of them did not run clean, whatever
// its exit status.
export const SANITIZER_REPORT = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer/;

// Watches a child's stderr as it arrives: keeps the whole text (at most the
// last `keep` bytes) and, separately, every line matching SANITIZER_REPORT,
// so a report in the middle of a long log is never lost to truncation.
export function watchStderr(stream, keep = 4 << 20) {
  const w = { text: '', reports: [] };
  let partial = '';
  stream.on('data', (d) => {
    const s = String(d);
    w.text += s;
    if (w.text.length > keep) w.text = w.text.slice(-keep);
    const lines = (partial + s).split('\n');
    partial = lines.pop();
    for (const l of lines) if (SANITIZER_REPORT.test(l)) w.reports.push(l);
  });
  stream.on('end', () => { if (partial && SANITIZER_REPORT.test(partial)) w.reports.push(partial); });
  return w;
}

// Throws unless a server exited by itself with status 0 (no signal) and its
// stderr holds no sanitizer report. {code, sig} as from the 'exit' event;
// `watched` from watchStderr; `what` names the server in the message. Under
// ASan (scripts/test.sh) a leak makes LeakSanitizer print at exit and abort:
// this is where that verdict is read.
export function assertCleanExit({ code, sig }, watched, what = 'server') {
  const reports = watched ? watched.reports : [];
  if (code === 0 && !sig && reports.length === 0) return;
  const tail = watched ? watched.text.split('\n').slice(-60).join('\n') : '';
  throw new Error(`${what} did not exit cleanly: status ${code}, signal ${sig}` +
    `${reports.length ? `, sanitizer: ${reports.slice(0, 5).join(' | ')}` : ''}\n--- its stderr (last lines) ---\n${tail}`);
}

// Spawns `osspoint serve` with env (OSSPOINT_LISTEN should end in :0) and
// resolves once it prints its address. Returns {url, proc, stderr(), stop()}:
// stop() sends SIGTERM (SIGKILL after 20 s), waits for the exit and throws
// unless it was clean (assertCleanExit); it resolves to {code, sig}.
export function spawnServer(env, what = 'server') {
  const proc = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const err = watchStderr(proc.stderr);
  let status = null;
  const exited = new Promise((r) => proc.once('exit', (code, sig) => { status = { code, sig }; r(status); }));
  // The 'close' event comes after every byte of stderr was read.
  const closed = new Promise((r) => proc.once('close', r));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`${what} did not start: ${err.text}`)); }, 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1], proc, stderr: () => err.text,
          async stop() {
            if (!status) proc.kill('SIGTERM');
            const kill = setTimeout(() => proc.kill('SIGKILL'), 20000);
            const res = await exited;
            clearTimeout(kill);
            await closed;
            assertCleanExit(res, err, what);
            return res;
          },
        });
      }
    });
    exited.then(({ code, sig }) => { clearTimeout(timer); reject(new Error(`${what} exited ${code ?? sig}: ${err.text}`)); });
  });
}

// Starts a server with migrated, seeded (demo) data. Returns {url, db, stop, env}.
// stop() throws unless the server exited cleanly (spawnServer), after the
// database and the directory were removed.
export async function startServer(backend, extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'osspoint-api-'));
  const db = freshDatabase(backend, dir);
  const env = { ...process.env, OSSPOINT_DB: db.url, OSSPOINT_ROOT: ROOT, OSSPOINT_LISTEN: '127.0.0.1:0',
    OSSPOINT_ACCESS_LOG: '0', OSSPOINT_SECRET_FILE: join(dir, 'secret.key'), ...extraEnv };
  run(['migrate'], { env });
  run(['seed', '--demo'], { env });
  const srv = await spawnServer(env);
  return {
    url: srv.url, env, dbUrl: db.url, backend,
    // Runs one SQL query straight against the database (tests that must see
    // what is stored, e.g. that no Thai ID is kept in clear). Rows as arrays.
    sql(query) {
      const out = backend === 'sqlite'
        ? execFileSync('sqlite3', ['-separator', '\t', db.url.slice('sqlite:'.length), query], { encoding: 'utf8' })
        : execFileSync('psql', [db.url, '-qAt', '-F', '\t', '-c', query], { encoding: 'utf8' });
      return out.split('\n').filter((l) => l.length).map((l) => l.split('\t'));
    },
    stderr: srv.stderr,
    async stop() {
      try {
        return await srv.stop();
      } finally {
        db.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// A tiny client that keeps a cookie jar and the CSRF token.
export class Client {
  constructor(base) { this.base = base; this.cookies = new Map(); this.csrf = null; }
  cookieHeader() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
  async req(method, path, { json, form, body, headers = {}, accept = 'application/json', csrf = true } = {}) {
    const h = { accept, ...headers };
    if (this.cookies.size) h.cookie = this.cookieHeader();
    if (csrf && this.csrf && method !== 'GET' && method !== 'HEAD') h['x-csrf-token'] = this.csrf;
    let b = body;
    if (json !== undefined) { b = JSON.stringify(json); h['content-type'] = 'application/json'; }
    if (form !== undefined) { b = new URLSearchParams(form).toString(); h['content-type'] = 'application/x-www-form-urlencoded'; }
    const res = await fetch(this.base + path, { method, headers: h, body: b, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      const k = kv.slice(0, i), v = kv.slice(i + 1);
      if (v === '' || /max-age=0/i.test(c)) this.cookies.delete(k); else this.cookies.set(k, v);
    }
    const text = await res.text();
    let data = null;
    if ((res.headers.get('content-type') || '').includes('json')) data = JSON.parse(text);
    return { status: res.status, headers: res.headers, text, json: data };
  }
  get(path, o) { return this.req('GET', path, o); }
  post(path, o) { return this.req('POST', path, o); }
  async login(username, password = DEMO_PASSWORD) {
    const r = await this.post('/login', { json: { username, password }, csrf: false });
    if (r.status === 200) this.csrf = r.json.csrf;
    return r;
  }
}

export const SECURITY_HEADERS = {
  'content-security-policy': /default-src 'self'.*frame-ancestors 'none'/,
  'x-content-type-options': /^nosniff$/,
  'referrer-policy': /./,
};
