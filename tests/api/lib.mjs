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

// Starts a server with migrated, seeded (demo) data. Returns {url, db, stop, env}.
export async function startServer(backend, extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'osspoint-api-'));
  const db = freshDatabase(backend, dir);
  const env = { ...process.env, OSSPOINT_DB: db.url, OSSPOINT_ROOT: ROOT, OSSPOINT_LISTEN: '127.0.0.1:0',
    OSSPOINT_ACCESS_LOG: '0', OSSPOINT_SECRET_FILE: join(dir, 'secret.key'), ...extraEnv };
  run(['migrate'], { env });
  run(['seed', '--demo'], { env });
  const proc = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  return {
    url, env, dbUrl: db.url, backend,
    // Runs one SQL query straight against the database (tests that must see
    // what is stored, e.g. that no Thai ID is kept in clear). Rows as arrays.
    sql(query) {
      const out = backend === 'sqlite'
        ? execFileSync('sqlite3', ['-separator', '\t', db.url.slice('sqlite:'.length), query], { encoding: 'utf8' })
        : execFileSync('psql', [db.url, '-qAt', '-F', '\t', '-c', query], { encoding: 'utf8' });
      return out.split('\n').filter((l) => l.length).map((l) => l.split('\t'));
    },
    stderr: () => stderr,
    async stop() {
      const exited = new Promise((r) => proc.once('exit', (code, sig) => r({ code, sig })));
      proc.kill('SIGTERM');
      const res = await exited;
      db.drop();
      rmSync(dir, { recursive: true, force: true });
      return res;
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
