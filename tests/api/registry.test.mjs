// API tests for the e-Service registry (issue 3), on SQLite and PostgreSQL.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends, startServer, Client, run } from './lib.mjs';

const VALID_CID = '1103702071838';

// Bangkok local time "YYYY-MM-DDTHH:MM", shifted by `minutes`.
function bkk(minutes = 0) {
  const d = new Date(Date.now() + 7 * 3600e3 + minutes * 60e3);
  return d.toISOString().slice(0, 16);
}

function entry(over = {}) {
  return {
    visited_at: bkk(-5), visitor_name: 'นางสาวสมศรี มีสุข', cid: VALID_CID, phone: '0812345678', sex: 'female',
    age_band: '40_59', services: [{ code: 'tangrat_signup', outcome: 'completed' }], channel: 'tangrat',
    remarks: '', ...over,
  };
}

for (const backend of backends()) {
  describe(`registry on ${backend}`, () => {
    let srv, off, off2, adm;
    before(async () => {
      srv = await startServer(backend);
      off = new Client(srv.url); await off.login('officer4701');
      off2 = new Client(srv.url); await off2.login('officer4702');
      adm = new Client(srv.url); await adm.login('dadmin4701');
    });
    after(async () => { if (srv) await srv.stop(); });

    test('create answers 201 with the entry, its running number and a survey link', async () => {
      const r = await off.post('/registry', { json: entry() });
      assert.equal(r.status, 201, r.text);
      assert.ok(r.json.id > 0);
      assert.match(r.json.number, /^\d+\/25\d\d$/);
      assert.equal(r.json.cid_masked.replace(/\D/g, ''), VALID_CID.slice(-4));
      assert.equal(r.json.cid, undefined);
      assert.equal(r.json.survey_url.replace(/-.*/, ''), `/survey/${r.json.id}`);
      assert.match(r.json.survey_url, /^\/survey\/\d+-[A-Za-z0-9_-]{22}$/);
      assert.equal(r.json.services[0].code, 'tangrat_signup');
      // The create answer is built from the input: it must equal the stored entry.
      const stored = (await off.get(`/registry/${r.json.id}`)).json.entry;
      for (const k of ['id', 'unit_code', 'number', 'seq', 'year_be', 'visited_at', 'visit_day', 'period', 'visitor_name',
        'cid_last4', 'has_cid', 'phone', 'sex', 'age_band', 'channel', 'remarks', 'officer_id', 'officer_name', 'status',
        'void_reason', 'voided_at', 'purged', 'cid_masked', 'channel_label'])
        assert.deepEqual(r.json[k], stored[k], k);
      assert.deepEqual(r.json.services.map((x) => [x.code, x.name_th, x.outcome]), stored.services.map((x) => [x.code, x.name_th, x.outcome]));
      const r2 = await off.post('/registry', { json: entry({ visitor_name: 'นายสมชาย ทดสอบ',
        services: [{ code: 'rd_efiling', outcome: 'referred' }, { code: 'tangrat_signup', outcome: 'completed' }, { code: 'nhso_rights_check', outcome: 'self_completed' }] }) });
      const stored2 = (await off.get(`/registry/${r2.json.id}`)).json.entry;
      assert.deepEqual(r2.json.services.map((x) => [x.code, x.outcome]), stored2.services.map((x) => [x.code, x.outcome]));
      const [n1, y1] = r.json.number.split('/').map(Number);
      const [n2, y2] = r2.json.number.split('/').map(Number);
      assert.equal(y1, y2);
      assert.equal(n2, n1 + 1, 'running numbers are consecutive');
      // Another district numbers on its own.
      const o = await off2.post('/registry', { json: entry() });
      assert.equal(o.json.number.split('/')[0], '1');
    });

    test('every bad field answers 422 naming it, in Thai, and stores nothing', async () => {
      const before = srv.sql("SELECT COUNT(*) FROM visits")[0][0];
      const cases = [
        [{ visitor_name: '' }, 'visitor_name'],
        [{ visitor_name: 'ก'.repeat(300) }, 'visitor_name'],
        [{ cid: '1103702071839' }, 'cid'],
        [{ cid: '12345' }, 'cid'],
        [{ phone: '12345' }, 'phone'],
        [{ sex: 'x' }, 'sex'],
        [{ age_band: '200' }, 'age_band'],
        [{ channel: 'fax' }, 'channel'],
        [{ channel: '' }, 'channel'],
        [{ services: [] }, 'services'],
        [{ services: [{ code: 'nope', outcome: 'completed' }] }, 'services[0].code'],
        [{ services: [{ code: 'tangrat_signup', outcome: 'maybe' }] }, 'services[0].outcome'],
        [{ services: [{ code: 'tangrat_signup', outcome: 'completed' }, { code: 'tangrat_signup', outcome: 'referred' }] }, 'services[1].code'],
        [{ visited_at: bkk(24 * 60) }, 'visited_at'],
        [{ visited_at: '2020-01-01T10:00' }, 'visited_at'],
        [{ visited_at: 'yesterday' }, 'visited_at'],
      ];
      for (const [over, field] of cases) {
        const r = await off.post('/registry', { json: entry(over) });
        assert.equal(r.status, 422, `${JSON.stringify(over)} → ${r.status} ${r.text}`);
        const e = r.json.errors.find((x) => x.field === field);
        assert.ok(e, `${field} named for ${JSON.stringify(over)}: ${JSON.stringify(r.json.errors)}`);
        assert.match(e.message, /[\u0E00-\u0E7F]/);
      }
      assert.equal(srv.sql("SELECT COUNT(*) FROM visits")[0][0], before);
    });

    test('Thai digits are accepted wherever digits are', async () => {
      const r = await off.post('/registry', { json: entry({ cid: '๑-๑๐๓๗-๐๒๐๗๑-๘๓-๘', phone: '๐๘๑-๒๓๔-๕๖๗๘' }) });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.phone, '0812345678');
    });

    test('a resubmitted form does not create a second entry', async () => {
      const key = 'retry-key-' + Date.now();
      const a = await off.post('/registry', { json: entry({ idempotency_key: key }) });
      const b = await off.post('/registry', { json: entry({ idempotency_key: key }) });
      assert.equal(a.status, 201);
      assert.equal(b.status, 200);
      assert.equal(b.json.id, a.json.id);
      assert.equal(b.json.number, a.json.number);
      assert.equal(b.json.existing, true);
      assert.equal(srv.sql(`SELECT COUNT(*) FROM visits WHERE idempotency_key = '${key}'`)[0][0], '1');
    });

    test('the HTML form saves and returns an empty form with the number', async () => {
      const page = await off.get('/registry/new', { accept: 'text/html' });
      assert.equal(page.status, 200);
      const key = page.text.match(/name="idempotency_key" value="([^"]+)"/)[1];
      const form = { csrf: off.csrf, idempotency_key: key, visited_at: bkk(-1), visitor_name: 'นายฟอร์ม ทดสอบ', cid: '', phone: '',
        service1: 'thaid_register', outcome1: 'self_completed', service2: '', outcome2: 'completed', channel: 'web', sex: '', age_band: '', remarks: '' };
      const r = await off.post('/registry', { form, accept: 'text/html' });
      assert.equal(r.status, 200);
      assert.match(r.text, /บันทึกแล้ว ลำดับที่ \d+\/25\d\d/);
      const again = await off.post('/registry', { form, accept: 'text/html' });
      assert.match(again.text, /บันทึกแล้ว/);
      assert.equal(srv.sql(`SELECT COUNT(*) FROM visits WHERE visitor_name = 'นายฟอร์ม ทดสอบ'`)[0][0], '1');
      const bad = await off.post('/registry', { form: { ...form, idempotency_key: key + 'x', cid: '1103702071839' }, accept: 'text/html' });
      assert.equal(bad.status, 422);
      assert.match(bad.text, /value="นายฟอร์ม ทดสอบ"/, 'the form keeps what was typed');
    });

    test('the visit time defaults to the time of saving, not of opening the form', async () => {
      const page = await off.get('/registry/new', { accept: 'text/html' });
      const shown = page.text.match(/name="visited_at_shown" value="([^"]+)"/)[1];
      assert.equal(page.text.match(/name="visited_at" type="text" value="([^"]+)"/)[1], shown);
      // A form opened 40 minutes ago and saved without touching the time.
      const old = bkk(-40);
      const base = { csrf: off.csrf, visitor_name: 'นายเวลา ค่าเริ่มต้น', service1: 'thaid_register', outcome1: 'completed', channel: 'web' };
      const kept = await off.post('/registry', { form: { ...base, idempotency_key: 'time-default-1', visited_at: old, visited_at_shown: old } });
      assert.equal(kept.status, 201, kept.text);
      assert.ok(Math.abs(kept.json.visited_at - Date.now() / 1000) < 120, 'stamped now');
      // A time the officer typed is kept (to the minute).
      const typed = await off.post('/registry', { form: { ...base, idempotency_key: 'time-default-2', visited_at: bkk(-30), visited_at_shown: old } });
      assert.equal(typed.status, 201, typed.text);
      assert.ok(Math.abs(typed.json.visited_at - (Date.now() / 1000 - 30 * 60)) < 120, 'typed time kept');
      // JSON without visited_at: now.
      const j = entry({ idempotency_key: 'time-default-3' });
      delete j.visited_at;
      const js = await off.post('/registry', { json: j });
      assert.equal(js.status, 201, js.text);
      assert.ok(Math.abs(js.json.visited_at - Date.now() / 1000) < 120);
      // An edit form has no such field: its time is what it shows.
      const edit = await off.get(`/registry/${js.json.id}/edit`, { accept: 'text/html' });
      assert.doesNotMatch(edit.text, /visited_at_shown/);
    });

    test('the Thai ID is never stored in clear', async () => {
      const rows = srv.sql(`SELECT COALESCE(cid_hash,''), COALESCE(cid_sealed,''), COALESCE(cid_last4,''), visitor_name FROM visits`);
      assert.ok(rows.length > 0);
      for (const row of rows) for (const col of row) assert.ok(!col.includes(VALID_CID), `clear ID in ${col}`);
      const hist = srv.sql('SELECT before_json, after_json FROM visit_history');
      for (const row of hist) for (const col of row) assert.ok(!col.includes(VALID_CID));
    });

    test('scope: another district gets 403 on entries and exports', async () => {
      const r = await off.post('/registry', { json: entry() });
      assert.equal((await off2.get(`/registry/${r.json.id}`)).status, 403);
      assert.equal((await off2.post(`/registry/${r.json.id}`, { json: entry() })).status, 403);
      assert.equal((await off2.post(`/registry/${r.json.id}/void`, { json: { reason: 'x' } })).status, 403);
      assert.equal((await off2.get('/registry?unit=4701')).status, 403);
      for (const ext of ['csv', 'xlsx', 'pdf'])
        assert.equal((await off2.get(`/registry/export.${ext}?unit=4701&period=2024-02`)).status, 403);
      const p = new Client(srv.url); await p.login('padmin47');
      assert.equal((await p.get('/registry?unit=4701')).status, 200);
      assert.equal((await p.get(`/registry/${r.json.id}`)).status, 200);
      assert.equal((await p.post('/registry', { json: entry() })).status, 403, 'a province does not keep a registry');
    });

    test('edit keeps the change history; void leaves the statistics', async () => {
      const c = await off.post('/registry', { json: entry({ visitor_name: 'นางแก้ไข ก่อน' }) });
      const id = c.json.id;
      const e = await off.post(`/registry/${id}`, { json: entry({ visitor_name: 'นางแก้ไข หลัง', services: [{ code: 'nhso_rights_check', outcome: 'referred' }] }) });
      assert.equal(e.status, 200, e.text);
      assert.equal(e.json.visitor_name, 'นางแก้ไข หลัง');
      assert.equal(e.json.number, c.json.number, 'the number never changes');
      const show = await off.get(`/registry/${id}`);
      const actions = show.json.history.map((h) => h.action);
      assert.deepEqual(actions.slice(0, 2).sort(), ['create', 'edit']);
      const edit = show.json.history.find((h) => h.action === 'edit');
      assert.equal(edit.user_name, 'สมชาย ใจดี');
      assert.ok(edit.changes.some((x) => x.before === 'นางแก้ไข ก่อน' && x.after === 'นางแก้ไข หลัง'));
      const period = show.json.entry.period;
      const before = await off.get(`/registry?period=${period}`);
      const noReason = await off.post(`/registry/${id}/void`, { json: {} });
      assert.equal(noReason.status, 422);
      assert.equal(noReason.json.errors[0].field, 'reason');
      const v = await off.post(`/registry/${id}/void`, { json: { reason: 'บันทึกซ้ำ' } });
      assert.equal(v.status, 200);
      assert.equal(v.json.status, 'void');
      assert.equal((await off.post(`/registry/${id}/void`, { json: { reason: 'อีกครั้ง' } })).status, 409);
      assert.equal((await off.post(`/registry/${id}`, { json: entry() })).status, 409);
      const afterList = await off.get(`/registry?period=${period}`);
      assert.equal(afterList.json.totals.entries, before.json.totals.entries - 1);
      assert.equal(afterList.json.total, before.json.total - 1, 'voided entries leave the list unless asked for');
      const withVoid = await off.get(`/registry?period=${period}&include_void=1`);
      assert.ok(withVoid.json.entries.some((x) => x.id === id && x.void));
      run(['check'], { env: srv.env });
    });

    test('revealing the Thai ID: admins only, audit-logged', async () => {
      const c = await off.post('/registry', { json: entry() });
      assert.equal((await off.post(`/registry/${c.json.id}/reveal`, { json: {} })).status, 403);
      const r = await adm.post(`/registry/${c.json.id}/reveal`, { json: {} });
      assert.equal(r.status, 200);
      assert.equal(r.json.cid, VALID_CID);
      const audit = srv.sql(`SELECT action FROM audit_log WHERE target = 'visit:${c.json.id}'`).map((x) => x[0]);
      assert.ok(audit.includes('registry.reveal_cid'));
    });

    test('list filters, totals and pagination', async () => {
      const name = 'นายค้นหา_ได้%';
      await off.post('/registry', { json: entry({ visitor_name: name, services: [{ code: 'rd_efiling', outcome: 'not_completed' }] }) });
      const q = await off.get(`/registry?q=${encodeURIComponent('ค้นหา_ได้%')}`);
      assert.equal(q.json.total, 1);
      assert.equal(q.json.entries[0].visitor_name, name);
      const none = await off.get(`/registry?q=${encodeURIComponent('ค้นหา__ได้')}`);
      assert.equal(none.json.total, 0, '_ is literal');
      const byService = await off.get('/registry?service=rd_efiling&outcome=not_completed');
      assert.ok(byService.json.entries.every((e) => e.services.some((s) => s.code === 'rd_efiling')));
      assert.equal((await off.get('/registry?period=2024-13')).status, 400);
      assert.equal((await off.get('/registry?from=yesterday')).status, 400);
      const all = await off.get('/registry');
      assert.ok(all.json.total >= 5);
      assert.equal(all.json.pagination.page, 1);
      const times = all.json.entries.map((e) => e.visited_at);
      assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    });

    test('import: every row checked, all-or-nothing, Thai report, re-import adds nothing', async () => {
      const when = bkk(-30).replace('T', ' ');
      const header = 'visited_at,visitor_name,cid,phone,channel,services,remarks';
      const good = [header,
        `${when},นายนำเข้า หนึ่ง,${VALID_CID},0812345678,tangrat,tangrat_signup:completed,`,
        `${when},นางนำเข้า สอง,,,web,"nhso_rights_check:referred;rd_efiling:completed",จากสมุดทะเบียน`].join('\n') + '\n';
      const bad = [header,
        `${when},นายดี ถูกต้อง,,,tangrat,tangrat_signup:completed,`,
        `${when},นายผิด เลขบัตร,1103702071839,,tangrat,tangrat_signup:completed,`,
        `${when},,,,fax,nope:completed,`].join('\n') + '\n';
      const poll = async (href) => {
        for (let i = 0; i < 200; i++) {
          const j = await adm.get(href);
          if (j.json.job.status !== 'running') return j.json.job;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error('import did not finish');
      };
      const count = () => Number(srv.sql("SELECT COUNT(*) FROM visits WHERE visitor_name LIKE '%นำเข้า%' OR visitor_name LIKE 'นายดี%' OR visitor_name LIKE 'นายผิด%'")[0][0]);
      assert.equal((await off.post('/registry/import', { body: good, headers: { 'content-type': 'text/csv' } })).status, 403);
      const b = await adm.post('/registry/import', { body: bad, headers: { 'content-type': 'text/csv' } });
      assert.equal(b.status, 202);
      const bj = await poll(b.json.href);
      assert.equal(bj.status, 'failed');
      const lines = bj.errors.map((e) => `${e.line}:${e.field}`);
      assert.ok(lines.includes('3:cid'), lines.join(' '));
      assert.ok(lines.includes('4:visitor_name') && lines.includes('4:channel') && lines.includes('4:services'), lines.join(' '));
      assert.ok(!lines.some((l) => l.startsWith('2:')), 'the good row has no error');
      for (const e of bj.errors) assert.match(e.message, /[\u0E00-\u0E7F]/);
      assert.equal(count(), 0, 'nothing stored when any row is bad');
      const g = await adm.post('/registry/import', { body: good, headers: { 'content-type': 'text/csv' } });
      const gj = await poll(g.json.href);
      assert.equal(gj.status, 'done', JSON.stringify(gj));
      assert.equal(gj.added, 2);
      const again = await poll((await adm.post('/registry/import', { body: good, headers: { 'content-type': 'text/csv' } })).json.href);
      assert.equal(again.added, 0);
      assert.equal(again.skipped, 2);
      assert.equal(count(), 2);
      const missing = await poll((await adm.post('/registry/import', { body: 'visitor_name\nx\n', headers: { 'content-type': 'text/csv' } })).json.href);
      assert.equal(missing.status, 'failed');
      assert.match(missing.errors[0].message, /คอลัมน์/);
      // The page of a job is HTML too, with a progress or result.
      assert.equal((await adm.get(g.json.href, { accept: 'text/html' })).status, 200);
      const other = await off2.get(g.json.href);
      assert.equal(other.status, 403, 'another district cannot see the job');
      assert.equal(other.json.type, '/problems/out-of-scope');
      run(['check'], { env: srv.env });
    });

    test('CLI import of history and retention purge: personal data erased, counts survive', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'osspoint-imp-'));
      const file = join(dir, 'old.csv');
      writeFileSync(file, 'visited_at,visitor_name,cid,phone,channel,services,remarks\n' +
        `2020-03-02 10:00,นายเก่า มาก,${VALID_CID},0812345678,tangrat,tangrat_signup:completed,หมายเหตุส่วนตัว\n`);
      // Without --allow-closed the closed period is refused, with a Thai message naming the row.
      assert.throws(() => run(['import', '--unit', '4701', '--officer', 'officer4701', '--file', file], { env: srv.env }),
        (e) => /แถวที่ 2/.test(String(e.stderr)));
      const out = run(['import', '--unit', '4701', '--officer', 'officer4701', '--file', file, '--allow-closed'], { env: srv.env });
      assert.match(out, /เพิ่มใหม่ 1/);
      assert.match(run(['import', '--unit', '4701', '--officer', 'officer4701', '--file', file, '--allow-closed'], { env: srv.env }), /เพิ่มใหม่ 0/);
      const id = srv.sql("SELECT id FROM visits WHERE visitor_name = 'นายเก่า มาก'")[0][0];
      const before = srv.sql("SELECT SUM(visits) FROM rollup_visits WHERE unit_code = '4701' AND day = '2020-03-02'")[0][0];
      assert.equal(before, '1');
      assert.match(run(['purge'], { env: srv.env }), /1 รายการ/);
      const row = srv.sql(`SELECT visitor_name, COALESCE(cid_hash,'-'), COALESCE(cid_sealed,'-'), phone, remarks, status FROM visits WHERE id = ${id}`)[0];
      assert.deepEqual(row.slice(1), ['-', '-', '', '', 'active']);
      assert.equal(row[0], '');
      assert.equal(srv.sql("SELECT SUM(visits) FROM rollup_visits WHERE unit_code = '4701' AND day = '2020-03-02'")[0][0], '1', 'counts survive');
      const hist = srv.sql(`SELECT before_json || after_json FROM visit_history WHERE visit_id = ${id}`).map((x) => x[0]).join('');
      assert.ok(!hist.includes('นายเก่า'), 'history loses the personal data too');
      const shown = await adm.get(`/registry/${id}`);
      assert.equal(shown.json.entry.purged, true);
      assert.equal((await adm.post(`/registry/${id}/reveal`, { json: {} })).status, 404);
      assert.match(run(['purge'], { env: srv.env }), / 0 รายการ/);
      run(['check'], { env: srv.env });
    });

    test('exports: CSV with BOM, XLSX, PDF whose text extracts; audit-logged', async () => {
      const c = await off.post('/registry', { json: entry({ visitor_name: 'นางส่งออก ข้อมูล' }) });
      const period = (await off.get(`/registry/${c.json.id}`)).json.entry.period;
      const csv = await fetch(`${srv.url}/registry/export.csv?period=${period}`, { headers: { cookie: off.cookieHeader() } });
      assert.equal(csv.status, 200);
      const bytes = Buffer.from(await csv.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      assert.ok(bytes.toString('utf8').includes('นางส่งออก ข้อมูล'));
      assert.ok(!bytes.toString('utf8').includes(VALID_CID));
      const x = await fetch(`${srv.url}/registry/export.xlsx?period=${period}`, { headers: { cookie: off.cookieHeader() } });
      assert.equal(x.status, 200);
      assert.equal(Buffer.from(await x.arrayBuffer()).subarray(0, 2).toString(), 'PK');
      const p = await fetch(`${srv.url}/registry/export.pdf?period=${period}`, { headers: { cookie: off.cookieHeader() } });
      assert.equal(p.status, 200);
      const pdf = Buffer.from(await p.arrayBuffer());
      assert.equal(pdf.subarray(0, 4).toString(), '%PDF');
      const dir = mkdtempSync(join(tmpdir(), 'osspoint-pdf-'));
      writeFileSync(join(dir, 'r.pdf'), pdf);
      const text = execFileSync('pdftotext', [join(dir, 'r.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
      assert.ok(text.includes('นางส่งออกข้อมูล'.replace(/\s+/g, '')) || text.includes('ส่งออก'), 'name extracts');
      assert.ok(text.includes('เมืองสกลนคร'));
      const audit = srv.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'registry.export'")[0][0];
      assert.ok(Number(audit) >= 3);
      assert.equal((await off.get('/registry/export.csv')).status, 400, 'period is required');
    });
  });
}
