// Crash test (issue 3): kill -9 the server in the middle of concurrent
// registry inserts; after a restart every entry that was answered 201 must be
// there, the database must pass its integrity check and `osspoint check` must
// find the roll-ups equal to the entries.
//
//   OSSPOINT_BIN=build/osspoint node tests/crash/crash.mjs
//
// Runs on SQLite, and also on PostgreSQL when OSSPOINT_TEST_PG is set (a fresh
// database is created in that cluster and dropped at the end). Each backend:
// CYCLES times { start the server; log in as officer4701; LOOPS concurrent
// loops POST /registry; SIGKILL the server after a random 0.5–1.5 s; check the
// database as the crash left it; restart; read every acknowledged entry back }.
// The first cycle runs the shipped settings (HTTP threads = CPUs, so at most
// that many requests wait in db_write); the others run LOOPS HTTP threads, so
// that group commits of many entries are in flight when the kill lands.
// Prints one line per check and ends with "N passed, M failed" (counted by
// scripts/test.sh); exits non-zero on any failure. No dependencies; talks to
// 127.0.0.1 only; every server it starts is killed when it exits. The
// restarted servers are stopped with SIGTERM and must exit cleanly (status 0,
// no sanitizer report); the killed ones must not have printed a report.
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertCleanExit, watchStderr } from '../api/lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.OSSPOINT_BIN || join(ROOT, 'build', 'osspoint');
const CYCLES = Number(process.env.CRASH_CYCLES || 3);
const LOOPS = Number(process.env.CRASH_LOOPS || 32);
const PASSWORD = 'osspoint-demo';
const USER = 'officer4701';
const UNIT = '4701';

let passed = 0, failed = 0;
function check(ok, what, detail = '') {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` — ${detail}` : ''}`);
  return ok;
}

// Every server process started, so that none outlives the test.
const live = new Set();
function killAll() { for (const p of live) { try { p.kill('SIGKILL'); } catch { /* gone */ } } }
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killAll(); process.exit(130); });

// Bangkok local time "YYYY-MM-DDTHH:MM", `minutes` from now.
function bkk(minutes) {
  return new Date(Date.now() + 7 * 3600e3 + minutes * 60e3).toISOString().slice(0, 16);
}

function run(args, env) {
  return spawnSync(BIN, args, { env, encoding: 'utf8', timeout: 60000 });
}

// stderr is watched (../api/lib.mjs watchStderr): a sanitizer report
// counts even in a server that is killed afterwards on purpose.
function startServer(env) {
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  const err = watchStderr(proc.stderr, 65536);
  const exited = new Promise((r) => proc.once('exit', (code, sig) => { live.delete(proc); r({ code, sig }); }));
  const closed = new Promise((r) => proc.once('close', r));
  const url = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err.text}`)), 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    exited.then(({ code, sig }) => { clearTimeout(timer); reject(new Error(`server exited ${code ?? sig}: ${err.text}`)); });
  });
  // Resolves to '' when the server exited cleanly (status 0, no signal, no
  // sanitizer report), else to what was wrong.
  const verdict = async () => {
    const st = await exited;
    await closed;
    try { assertCleanExit(st, err, 'server'); return ''; } catch (e) { return e.message; }
  };
  return { proc, url, exited, closed, verdict, stderr: () => err.text, reports: () => err.reports };
}

async function login(base) {
  const r = await fetch(`${base}/login`, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username: USER, password: PASSWORD }), signal: AbortSignal.timeout(10000),
  });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`login answered ${r.status}: ${text}`);
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('osspoint_session='));
  const csrf = JSON.parse(text).csrf;
  if (!cookie || !csrf) throw new Error(`login gave no session or csrf: ${text}`);
  return { cookie, csrf };
}

// One backend's database: {url, sql(query) → rows, integrity() → [ok, detail], drop()}.
let seq = 0;
function database(backend, dir) {
  if (backend === 'sqlite') {
    const file = join(dir, 'crash.db');
    const sql = (q) => execFileSync('sqlite3', ['-separator', '\t', file, q], { encoding: 'utf8' });
    return {
      url: `sqlite:${file}`, sql,
      integrity() { const out = sql('PRAGMA integrity_check').trim(); return [out === 'ok', out.slice(0, 300)]; },
      drop() {},
    };
  }
  const admin = process.env.OSSPOINT_TEST_PG;
  const name = `osspoint_crash_${process.pid}_${++seq}`;
  execFileSync('psql', [admin, '-qAtc', `CREATE DATABASE ${name}`]);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.href;
  return {
    url,
    sql: (q) => execFileSync('psql', [url, '-qAt', '-F', '\t', '-c', q], { encoding: 'utf8' }),
    integrity: null, // PostgreSQL: the server recovers its own state; `osspoint check` below
    drop() { try { execFileSync('psql', [admin, '-qAtc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]); } catch { /* best effort */ } },
  };
}

// The load: LOOPS loops, each POSTing new entries one after another until the
// server is gone. Returns {acked: [{id, name, key}], statuses, transportErrors}.
async function load(base, auth, tag, killed) {
  const acked = [];
  const statuses = {};
  const early = []; // transport errors before the kill
  let n = 0;
  async function loop(w) {
    for (let i = 0; i < 1e6 && !killed.done; i++) {
      const name = `ผู้ทดสอบ ${tag}-${w}-${i}`;
      const key = `crash-${tag}-${w}-${i}-${process.pid}`;
      const body = { visited_at: bkk(-3 - (n++ % 5)), visitor_name: name, channel: 'tangrat', idempotency_key: key,
        services: [{ code: 'tangrat_signup', outcome: 'completed' }] };
      let r, text;
      try {
        r = await fetch(`${base}/registry`, {
          method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10000),
          headers: { 'content-type': 'application/json', accept: 'application/json', cookie: auth.cookie, 'x-csrf-token': auth.csrf },
        });
        text = await r.text();
      } catch (e) {
        if (!killed.at) early.push(String(e.cause?.code || e.message));
        return; // the server is gone (or this connection broke): this loop ends
      }
      statuses[r.status] = (statuses[r.status] || 0) + 1;
      if (r.status === 201) {
        let j = null;
        try { j = JSON.parse(text); } catch { /* counted below */ }
        if (j && j.id > 0) acked.push({ id: j.id, name, key, number: j.number });
        else statuses.bad_body = (statuses.bad_body || 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: LOOPS }, (_, w) => loop(w)));
  return { acked, statuses, early };
}

// Runs fn over items with `width` concurrent workers.
async function pool(items, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) { const i = next++; await fn(items[i], i); }
  }));
}

async function backendRun(backend) {
  console.log(`# crash test on ${backend}: ${CYCLES} cycles, ${LOOPS} concurrent loops`);
  const dir = mkdtempSync(join(tmpdir(), 'osspoint-crash-'));
  const db = database(backend, dir);
  const env = { ...process.env, OSSPOINT_DB: db.url, OSSPOINT_ROOT: ROOT, OSSPOINT_SECRET_FILE: join(dir, 'secret.key'),
    OSSPOINT_ACCESS_LOG: '0' };
  delete env.OSSPOINT_LISTEN;
  try {
    for (const args of [['migrate'], ['seed', '--demo']]) {
      const r = run(args, env);
      if (!check(r.status === 0, `${backend}: osspoint ${args.join(' ')}`, r.status === 0 ? '' : r.stderr)) return;
    }
    const all = []; // every entry acknowledged so far, over all cycles
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const threads = cycle === 1 ? 'shipped' : String(LOOPS);
      const srv = startServer(cycle === 1 ? env : { ...env, OSSPOINT_THREADS: threads });
      let base;
      try { base = await srv.url; } catch (e) { check(false, `${backend} cycle ${cycle}: server starts`, e.message); return; }
      const auth = await login(base);
      const killed = { at: 0, done: false };
      const loading = load(base, auth, `${backend}${cycle}`, killed);
      const delay = 500 + Math.floor(Math.random() * 1000);
      await new Promise((r) => setTimeout(r, delay));
      killed.at = Date.now();
      srv.proc.kill('SIGKILL');
      const ex = await srv.exited;
      const res = await loading;
      killed.done = true;
      check(ex.sig === 'SIGKILL', `${backend} cycle ${cycle}: server (threads ${threads}) killed by SIGKILL after ${delay} ms`, `exit ${ex.code ?? ex.sig}`);
      await srv.closed;
      check(srv.reports().length === 0, `${backend} cycle ${cycle}: no sanitizer report before the kill`, srv.reports().slice(0, 3).join(' | '));
      const others = Object.entries(res.statuses).filter(([s]) => s !== '201');
      check(res.acked.length > 0, `${backend} cycle ${cycle}: ${res.acked.length} entries answered 201 before the kill`);
      check(others.length === 0, `${backend} cycle ${cycle}: every answer before the kill was 201`,
        others.length ? JSON.stringify(res.statuses) + ' ' + srv.stderr().split('\n').filter((l) => /error|warn|bug/i.test(l)).slice(0, 5).join(' | ') : '');
      check(res.early.length === 0, `${backend} cycle ${cycle}: no connection failed before the kill`, res.early.slice(0, 3).join(', '));
      all.push(...res.acked);

      // The database exactly as the crash left it (nothing has reopened it).
      if (db.integrity) {
        const [iok, idetail] = db.integrity();
        check(iok, `${backend} cycle ${cycle}: PRAGMA integrity_check is ok`, iok ? '' : idetail);
      }
      // No partial entry: each has its service row and its one 'create' history row.
      const partial = db.sql(`SELECT COUNT(*) FROM visits v WHERE NOT EXISTS (SELECT 1 FROM visit_services s WHERE s.visit_id = v.id) `
        + `OR (SELECT COUNT(*) FROM visit_history h WHERE h.visit_id = v.id AND h.action = 'create') <> 1`).trim();
      check(partial === '0', `${backend} cycle ${cycle}: every stored entry is whole (services, history)`, `${partial} partial`);
      const ck = run(['check'], env);
      check(ck.status === 0, `${backend} cycle ${cycle}: osspoint check finds the roll-ups consistent`,
        ck.status === 0 ? '' : `exit ${ck.status}: ${(ck.stdout + ck.stderr).slice(0, 400)}`);
      const [cnt, mx, last] = db.sql(`SELECT COUNT(*), MAX(seq), (SELECT MAX(last_seq) FROM visit_counters WHERE unit_code = '${UNIT}') FROM visits WHERE unit_code = '${UNIT}'`)
        .trim().split('\t').map(Number);
      check(cnt === mx && mx === last && cnt >= all.length,
        `${backend} cycle ${cycle}: running numbers gap-free (${cnt} entries, last number ${mx}, counter ${last}, ${all.length} acknowledged)`);

      // Restart on the same database and read every acknowledged entry back.
      const srv2 = startServer(env);
      let base2;
      try { base2 = await srv2.url; } catch (e) { check(false, `${backend} cycle ${cycle}: server restarts`, e.message); return; }
      const auth2 = await login(base2);
      const missing = [];
      await pool(all, 16, async (e) => {
        const r = await fetch(`${base2}/registry/${e.id}`, { headers: { accept: 'application/json', cookie: auth2.cookie },
          signal: AbortSignal.timeout(10000) });
        const text = await r.text();
        let name = null;
        if (r.status === 200) { try { name = JSON.parse(text).entry.visitor_name; } catch { /* missing */ } }
        if (r.status !== 200 || name !== e.name) missing.push(`${e.id}: ${r.status} ${name}`);
      });
      check(missing.length === 0, `${backend} cycle ${cycle}: all ${all.length} acknowledged entries present after restart`,
        missing.length ? `${missing.length} missing, e.g. ${missing.slice(0, 3).join('; ')}` : '');
      // A retried POST (same idempotency key) of an acknowledged entry finds it.
      const e = res.acked[Math.floor(Math.random() * res.acked.length)];
      if (e) {
        const r = await fetch(`${base2}/registry`, {
          method: 'POST', signal: AbortSignal.timeout(10000),
          headers: { 'content-type': 'application/json', accept: 'application/json', cookie: auth2.cookie, 'x-csrf-token': auth2.csrf },
          body: JSON.stringify({ visited_at: bkk(-3), visitor_name: e.name, channel: 'tangrat', idempotency_key: e.key,
            services: [{ code: 'tangrat_signup', outcome: 'completed' }] }),
        });
        const j = await r.json().catch(() => ({}));
        check(r.status === 200 && j.id === e.id && j.existing === true,
          `${backend} cycle ${cycle}: a retried POST after the restart answers the stored entry`, `${r.status} id ${j.id} (want ${e.id})`);
      }
      srv2.proc.kill('SIGTERM');
      const bad = await srv2.verdict();
      check(bad === '', `${backend} cycle ${cycle}: restarted server stops cleanly on SIGTERM (status 0, no sanitizer report)`, bad);
    }
  } catch (e) {
    check(false, `${backend}: unexpected error`, e.stack || String(e));
  } finally {
    killAll();
    db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const t0 = Date.now();
const list = ['sqlite'];
if (process.env.OSSPOINT_TEST_PG) list.push('postgresql');
for (const b of list) await backendRun(b);
console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
