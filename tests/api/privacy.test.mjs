// API tests for personal data (issue 8, items 1, 6 and 7): what is derived
// from personal data is keyed and erased by the purge; erased data leaves
// every file of an SQLite database; files holding personal data are 0600 and
// the server refuses a secret key that others could read.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, readFileSync, existsSync, statSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends, startServer, Client, run, BIN, ROOT } from './lib.mjs';

const VALID_CID = '1103702071838';
const HEADER = 'visited_at,visitor_name,cid,phone,channel,services,remarks';

function importFile(env, rows, unit = '4701', officer = 'officer4701') {
  const dir = mkdtempSync(join(tmpdir(), 'osspoint-privacy-'));
  const file = join(dir, 'old.csv');
  writeFileSync(file, [HEADER, ...rows].join('\n') + '\n');
  const out = run(['import', '--unit', unit, '--officer', officer, '--file', file, '--allow-closed'], { env });
  return { file, out };
}

function reimport(env, file, unit = '4701', officer = 'officer4701') {
  return run(['import', '--unit', unit, '--officer', officer, '--file', file, '--allow-closed'], { env });
}

// The key an import before this fix stored for a row: "import-" + 40 hex of an
// UNKEYED BLAKE2b-256 over the unit and the raw cells (web/import.c before
// issue 8). Anyone with the row (or a guess of it) computes it.
function legacyKey(unit, row) {
  const text = [unit, ...row.split(',')].join('\x1f');
  const hex = execFileSync('b2sum', ['-l', '256'], { input: text, encoding: 'utf8' }).split(' ')[0];
  return `import-${hex.slice(0, 40)}`;
}

// The raw bytes of an SQLite database: the main file, its WAL and its
// shared-memory file (absent ones count as empty).
function rawFiles(path) {
  const out = {};
  for (const suffix of ['', '-wal', '-shm']) {
    const p = path + suffix;
    out[suffix || '.db'] = existsSync(p) ? readFileSync(p) : Buffer.alloc(0);
  }
  return out;
}
function filesWith(path, needle) {
  const files = rawFiles(path), b = Buffer.from(needle, 'utf8');
  return Object.keys(files).filter((k) => files[k].indexOf(b) >= 0);
}

const mode = (p) => statSync(p).mode & 0o7777;
const octal = (m) => m.toString(8).padStart(4, '0');

// A database of our own (SQLite), for tests that restart the server on it or
// look at its files. Returns {dir, path, env}.
function sqliteSetup() {
  const dir = mkdtempSync(join(tmpdir(), 'osspoint-privacy-'));
  const path = join(dir, 'var', 'data', 'p.db');
  const env = { ...process.env, OSSPOINT_DB: `sqlite:${path}`, OSSPOINT_ROOT: ROOT, OSSPOINT_LISTEN: '127.0.0.1:0',
    OSSPOINT_ACCESS_LOG: '0', OSSPOINT_SECRET_FILE: join(dir, 'secret.key') };
  run(['migrate'], { env });
  run(['seed', '--demo'], { env });
  return { dir, path, env };
}

// Starts `osspoint serve`; resolves {url, stop} once it listens, rejects with
// its exit status and stderr if it exits first.
function serve(env) {
  const proc = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '', out = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => proc.once('exit', (code, sig) => r({ code, sig, stderr })));
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    exited.then((r) => { clearTimeout(timer); reject(Object.assign(new Error(`server exited ${r.code}`), r)); });
  });
  return {
    exited,
    started: started.then((url) => ({
      url,
      async stop() { proc.kill('SIGTERM'); return exited; },
    })),
  };
}

async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const backend of backends()) {
  describe(`personal data on ${backend}`, () => {
    let srv, adm;
    before(async () => {
      srv = await startServer(backend);
      adm = new Client(srv.url); await adm.login('dadmin4701');
    });
    after(async () => {
      if (srv) assert.deepEqual(await srv.stop(), { code: 0, sig: null });
    });

    test('an imported row\'s key is keyed and minimal: not the old unkeyed hash, another secret gives another key, purge erases it', async () => {
      const row = `2020-03-02 10:00,นายกุญแจ ลับมาก,${VALID_CID},0891112222,tangrat,tangrat_signup:completed,หมายเหตุกุญแจ`;
      // Same minute, same services, another person without an ID: still its own entry.
      const twin = '2020-03-02 10:00,นางแฝด เวลาเดียวกัน,,,tangrat,tangrat_signup:completed,';
      const { file, out } = importFile(srv.env, [row, twin]);
      assert.match(out, /เพิ่มใหม่ 2/);
      const key = (name) => srv.sql(`SELECT COALESCE(idempotency_key, 'NULL') FROM visits WHERE visitor_name = '${name}'`)[0][0];
      const k = key('นายกุญแจ ลับมาก'), k2 = key('นางแฝด เวลาเดียวกัน');
      assert.match(k, /^import1-[0-9a-f]{64}$/);
      assert.match(k2, /^import1-[0-9a-f]{64}$/);
      assert.notEqual(k, k2);
      // The old form is computable from the row alone; it is not what is stored, nor any part of it.
      const old = legacyKey('4701', row);
      assert.notEqual(k, old);
      assert.ok(!k.includes(old.slice(7, 27)), 'no piece of the unkeyed hash');
      assert.equal(Number(srv.sql(`SELECT COUNT(*) FROM visits WHERE idempotency_key = '${old}'`)[0][0]), 0);
      for (const s of [VALID_CID, VALID_CID.slice(-4), '0891112222']) assert.ok(!k.includes(s));
      // Re-importing the same file adds nothing (the key is deterministic under one secret).
      assert.match(reimport(srv.env, file), /เพิ่มใหม่ 0 รายการ, มีอยู่แล้ว 2/);
      // Under another secret the same row gets another key: it cannot be computed without the secret.
      const other = await startServer(backend);
      try {
        importFile(other.env, [row, twin]);
        const ko = other.sql(`SELECT idempotency_key FROM visits WHERE visitor_name = 'นายกุญแจ ลับมาก'`)[0][0];
        assert.match(ko, /^import1-[0-9a-f]{64}$/);
        assert.notEqual(ko, k);
      } finally {
        assert.deepEqual(await other.stop(), { code: 0, sig: null });
      }
      // The purge erases the key with the rest of the personal data.
      assert.match(run(['purge'], { env: srv.env }), /ลบข้อมูลส่วนบุคคล/);
      assert.equal(key(''), 'NULL');
      assert.equal(Number(srv.sql(`SELECT COUNT(*) FROM visits WHERE idempotency_key IN ('${k}', '${k2}')`)[0][0]), 0);
      assert.equal(Number(srv.sql('SELECT COUNT(*) FROM visits WHERE purged_at IS NOT NULL AND idempotency_key IS NOT NULL')[0][0]), 0);
      if (backend === 'postgresql') {
        // The purge vacuums what it erased (what VACUUM does not erase: docs/modules/visits.md).
        assert.equal(srv.sql("SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'visits'")[0][0], 't');
      }
      run(['check'], { env: srv.env });
    });

    test('migrate re-keys keys stored by an import before the fix; re-importing that old file still adds nothing', async () => {
      const rows = [
        `2020-04-01 09:00,นายเก่า ก่อนแก้,${VALID_CID},0893334444,web,tangrat_signup:completed,`,
        '2020-04-01 09:05,นางเก่า สอง,,,tangrat,tangrat_signup:referred,',
      ];
      const { file } = importFile(srv.env, rows);
      // Make the stored keys what the old version wrote.
      const legacy = rows.map((r) => legacyKey('4701', r));
      srv.sql(`UPDATE visits SET idempotency_key = '${legacy[0]}' WHERE visitor_name = 'นายเก่า ก่อนแก้'`);
      srv.sql(`UPDATE visits SET idempotency_key = '${legacy[1]}' WHERE visitor_name = 'นางเก่า สอง'`);
      if (backend === 'sqlite') {
        const path = srv.dbUrl.slice('sqlite:'.length);
        assert.ok(filesWith(path, legacy[0]).length > 0, 'the old key is in the files before');
      }
      const out = run(['migrate'], { env: srv.env });
      assert.match(out, /รหัสที่ใช้กุญแจลับแล้ว 2 รายการ/);
      const stored = srv.sql("SELECT idempotency_key FROM visits WHERE visitor_name IN ('นายเก่า ก่อนแก้', 'นางเก่า สอง') ORDER BY visitor_name").map((r) => r[0]);
      for (const k of stored) assert.match(k, /^import0-[0-9a-f]{64}$/);
      assert.equal(Number(srv.sql("SELECT COUNT(*) FROM visits WHERE idempotency_key LIKE 'import-%'")[0][0]), 0);
      if (backend === 'sqlite') {
        const path = srv.dbUrl.slice('sqlite:'.length);
        assert.deepEqual(filesWith(path, legacy[0]), [], 'the old key has left every file');
        assert.deepEqual(filesWith(path, legacy[1]), []);
      }
      // The same old file again: recognised through the re-keyed keys.
      assert.match(reimport(srv.env, file), /เพิ่มใหม่ 0 รายการ, มีอยู่แล้ว 2/);
      // A second migrate finds nothing to re-key.
      assert.doesNotMatch(run(['migrate'], { env: srv.env }), /กุญแจลับแล้ว/);
      run(['check'], { env: srv.env });
    });
  });
}

// Stops a server and asserts a clean exit.
async function stopClean(srv) {
  const r = await srv.stop();
  assert.equal(r.sig, null, r.stderr);
  assert.equal(r.code, 0, r.stderr);
}

describe('erased data leaves every file (SQLite)', () => {
  const NAME = 'นางสาวลบถาวร ไม่เหลือร่องรอย', PHONE = '0897654321', REMARK = 'บ้านเลขที่ลับสุดยอด';
  const oldRows = (n, day, name = NAME) => Array.from({ length: n }, (_, i) =>
    `${day} ${String(8 + (i % 9)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},${name} ${i},,${PHONE},tangrat,tangrat_signup:completed,${REMARK} ${i}`);

  test('osspoint purge beside a running server: names, phones and remarks gone from .db, -wal and -shm', async () => {
    const s = sqliteSetup();
    const srv = await serve(s.env).started;
    try {
      // Enough rows to fill several pages of visits and of their history.
      importFile(s.env, oldRows(300, '2020-05-04'));
      for (const needle of [NAME, PHONE, REMARK])
        assert.ok(filesWith(s.path, needle).length > 0, `${needle} is in the files before the purge`);
      assert.match(run(['purge'], { env: s.env }), / 300 รายการ/);
      for (const needle of [NAME, PHONE, REMARK])
        assert.deepEqual(filesWith(s.path, needle), [], `${needle} left in the files after the purge`);
      // The server goes on.
      assert.equal((await new Client(srv.url).get('/healthz')).status, 200);
      run(['check'], { env: s.env });
    } finally {
      await stopClean(srv);
      rmSync(s.dir, { recursive: true, force: true });
    }
  });

  test('the daily purge the server runs (at start) leaves nothing in the files either', async () => {
    const s = sqliteSetup();
    try {
      const name = 'นายรายวัน ลบเองตอนเริ่ม';
      importFile(s.env, oldRows(120, '2020-06-01', name));
      assert.ok(filesWith(s.path, name).length > 0, 'in the files before');
      const srv = await serve(s.env).started;
      try {
        await until('the purge to finish', () =>
          execFileSync('sqlite3', [s.path, 'SELECT COUNT(*) FROM visits WHERE purged_at IS NULL'], { encoding: 'utf8' }).trim() === '0');
        // The flush follows the last batch's commit.
        await until('the files to lose the erased data', () =>
          filesWith(s.path, name).length === 0 && filesWith(s.path, PHONE).length === 0);
        assert.deepEqual(filesWith(s.path, REMARK), []);
      } finally {
        await stopClean(srv);
      }
    } finally {
      rmSync(s.dir, { recursive: true, force: true });
    }
  });
});

describe('file modes: personal data is the owner\'s alone', () => {
  test('new files are 0600 (directories 0700), whatever the caller\'s umask', () => {
    const s = sqliteSetup(); // node runs with its own umask (usually 022)
    try {
      assert.equal(octal(mode(s.path)), '0600');
      assert.equal(octal(mode(join(s.dir, 'var'))), '0700');
      assert.equal(octal(mode(join(s.dir, 'var', 'data'))), '0700');
    } finally {
      rmSync(s.dir, { recursive: true, force: true });
    }
  });

  test('every command closes an open database, -wal and -shm to others; serve too', async () => {
    const s = sqliteSetup();
    try {
      chmodSync(s.path, 0o644);
      run(['check'], { env: s.env });
      assert.equal(octal(mode(s.path)), '0600', 'osspoint check corrected the database');
      chmodSync(s.path, 0o664);
      const srv = await serve(s.env).started;
      try {
        for (const f of [s.path, `${s.path}-wal`, `${s.path}-shm`]) assert.equal(octal(mode(f)), '0600', f);
        // Side files found open while the server runs: the next command closes them.
        chmodSync(`${s.path}-wal`, 0o644);
        chmodSync(`${s.path}-shm`, 0o666);
        const out = execFileSync(BIN, ['purge'], { env: s.env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
        assert.match(out, /ลบข้อมูลส่วนบุคคล/);
        for (const f of [s.path, `${s.path}-wal`, `${s.path}-shm`]) assert.equal(octal(mode(f)), '0600', f);
      } finally {
        await stopClean(srv);
      }
      // The secret key the server created is 0600.
      assert.equal(octal(mode(s.env.OSSPOINT_SECRET_FILE)), '0600');
    } finally {
      rmSync(s.dir, { recursive: true, force: true });
    }
  });

  test('serve refuses a secret key that group or others can read: clear message, non-zero exit, nothing changed', async () => {
    const s = sqliteSetup();
    try {
      const key = s.env.OSSPOINT_SECRET_FILE;
      writeFileSync(key, Buffer.alloc(32, 7), { mode: 0o600 });
      for (const m of [0o640, 0o604, 0o644]) {
        chmodSync(key, m);
        const r = await serve(s.env).started.then(
          async (srv) => { await srv.stop(); return null; },
          (e) => e);
        assert.ok(r, `serve started with a key of mode ${octal(m)}`);
        assert.equal(r.sig, null);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /ไฟล์กุญแจ .*secret\.key เปิดให้กลุ่มหรือผู้อื่นเข้าถึงได้/);
        assert.match(r.stderr, /chmod 600/);
        assert.equal(mode(key), m, 'the key is refused, not silently corrected');
      }
      chmodSync(key, 0o600);
      await stopClean(await serve(s.env).started);
    } finally {
      rmSync(s.dir, { recursive: true, force: true });
    }
  });
});
