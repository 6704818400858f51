// The duty roster (issue 11): people, the weekly pattern, generation that
// skips public holidays and days already edited, leave and swaps with their
// history (who, when), the holiday import (B.E. dates), who may edit, the
// public point page's duty of today, the registry form's warning, the PDF
// (official layout, Thai text that extracts) and XLSX, on both databases.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends, startServer, Client } from './lib.mjs';

function bkkToday() {
  return new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
}

for (const backend of backends()) {
  describe(`roster on ${backend}`, () => {
    let srv, admin, officer, padmin, nadmin, officerId;
    before(async () => {
      srv = await startServer(backend);
      admin = new Client(srv.url); await admin.login('dadmin4701');
      officer = new Client(srv.url);
      const lr = await officer.login('officer4701');
      assert.equal(lr.status, 200);
      officerId = lr.json.user.id;
      padmin = new Client(srv.url); await padmin.login('padmin47');
      nadmin = new Client(srv.url); await nadmin.login('nadmin');
    });
    after(async () => {
      if (!srv) return;
      const res = await srv.stop();
      assert.deepEqual(res, { code: 0, sig: null }, srv.stderr().slice(-2000));
    });

    test('the holiday list imports from B.E. dates; a bad line is refused by number', async () => {
      const bad = await nadmin.post('/holidays/import', { json: { text: 'วันที่,ชื่อ\n5/12/2569,วันพ่อแห่งชาติ\n31/2/2569,ผิด\n' } });
      assert.equal(bad.status, 422);
      assert.equal(bad.json.type, '/problems/holiday-list-invalid');
      assert.match(bad.json.detail, /บรรทัดที่ 3/);
      const ok = await nadmin.post('/holidays/import', { json: { text: 'วันที่,ชื่อ\n5/12/2569,วันพ่อแห่งชาติ\n10 ธันวาคม 2569\tวันรัฐธรรมนูญ\n' } });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual([ok.json.lines, ok.json.added], [2, 2]);
      const again = await nadmin.post('/holidays/import', { json: { text: '5/12/2569,วันคล้ายวันพระบรมราชสมภพ\n' } });
      assert.deepEqual([again.json.added, again.json.renamed], [0, 1]);
      const list = await officer.get('/holidays?year=2569');
      assert.deepEqual(list.json.holidays.map((h) => h.day), ['2026-12-05', '2026-12-10']);
      assert.equal(list.json.holidays[0].day_th, '5 ธันวาคม 2569');
      assert.equal((await admin.post('/holidays/import', { json: { text: '1/1/2570,x' } })).status, 403);
      // The page gives the national admin a delete button per day; a form POST comes back to the list.
      assert.equal((await nadmin.post('/holidays/import', { json: { text: '1/1/2570,วันขึ้นปีใหม่\n' } })).status, 200);
      const page = await nadmin.get('/holidays?year=2570', { accept: 'text/html' });
      assert.match(page.text, /action="\/holidays\/2027-01-01\/delete"/);
      assert.doesNotMatch((await officer.get('/holidays?year=2570', { accept: 'text/html' })).text, /\/delete"/, 'officers read only');
      const del = await nadmin.req('POST', '/holidays/2027-01-01/delete', { accept: 'text/html', form: {} });
      assert.equal(del.status, 303, del.text);
      assert.deepEqual((await officer.get('/holidays?year=2570')).json.holidays, []);
      assert.equal((await nadmin.post('/holidays/2027-01-01/delete', { json: {} })).json.type, '/problems/holiday-not-found');
    });

    let alice, bob, outsider;
    test('people with and without an account; the pattern generates the month, skipping holidays', async () => {
      const uid = officerId;
      const a = await admin.post('/roster/4701/people', { json: { user_id: uid, position_th: 'เจ้าพนักงานปกครอง' } });
      assert.equal(a.status, 201, a.text);
      alice = a.json.id;
      assert.equal((await admin.post('/roster/4701/people', { json: { user_id: uid } })).json.type, '/problems/roster-person-exists');
      const b = await admin.post('/roster/4701/people', { json: { name_th: 'นายสมชาย อาสา', position_th: 'อาสาสมัคร', phone: '0812345678' } });
      assert.equal(b.status, 201);
      bob = b.json.id;
      // A person of another district cannot be used here.
      const made = await nadmin.post('/users', { json: { username: 'dadmin4702', display_name: 'ทดสอบ 4702', role: 'district_admin', unit_code: '4702', password: 'long-enough-1' } });
      assert.equal(made.status, 201, made.text);
      const other = new Client(srv.url);
      assert.equal((await other.login('dadmin4702', 'long-enough-1')).status, 200);
      outsider = (await other.post('/roster/4702/people', { json: { name_th: 'คนอำเภออื่น' } })).json.id;
      const badPattern = await admin.post('/roster/4701/pattern', { json: { lines: [{ weekday: 1, shift: 'morning', person_id: outsider }] } });
      assert.equal(badPattern.json.type, '/problems/roster-person-not-found');
      // Monday to Friday: alice in the morning, bob in the afternoon.
      const lines = [];
      for (let d = 1; d <= 5; d++) lines.push({ weekday: d, shift: 'morning', person_id: alice }, { weekday: d, shift: 'afternoon', person_id: bob });
      assert.equal((await admin.post('/roster/4701/pattern', { json: { lines } })).status, 200);
      const g = await admin.post('/roster/4701/generate', { json: { month: '2026-12' } });
      assert.equal(g.status, 200, g.text);
      // December 2026 has 23 weekdays; 5 Dec is a Saturday, 10 Dec a Thursday (holiday): 22 days × 2.
      assert.equal(g.json.added, 44);
      const m = (await officer.get('/roster/4701?month=2026-12')).json;
      const day = (iso) => m.days.find((d) => d.day === iso);
      assert.equal(day('2026-12-10').holiday, 'วันรัฐธรรมนูญ');
      assert.equal(day('2026-12-10').duties.length, 0);
      assert.equal(day('2026-12-11').duties.length, 2);
      assert.equal(m.staffed_days, 22);
      assert.equal(m.can_edit, false);
      // Generating again adds nothing (days holding duties are kept as they are).
      assert.equal((await admin.post('/roster/4701/generate', { json: { month: '2026-12' } })).json.added, 0);
    });

    test('leave, swaps and removals are kept with who and when', async () => {
      let m = (await admin.get('/roster/4701?month=2026-12')).json;
      const d11 = m.days.find((d) => d.day === '2026-12-11');
      const morning = d11.duties.find((x) => x.shift === 'morning');
      const aft = d11.duties.find((x) => x.shift === 'afternoon');
      assert.equal((await admin.post(`/roster/4701/duties/${morning.id}`, { json: { action: 'leave', note: 'ลาพักผ่อน' } })).status, 200);
      assert.equal((await admin.post(`/roster/4701/duties/${aft.id}`, { json: { action: 'swap', person_id: alice } })).status, 200);
      const dup = await admin.post('/roster/4701/duties', { json: { day: '11/12/2569', shift: 'afternoon', person_id: alice } });
      assert.equal(dup.json.type, '/problems/roster-duty-exists');
      const add = await admin.post('/roster/4701/duties', { json: { day: '12/12/2569', shift: 'full', person_id: bob } });
      assert.equal(add.status, 201);
      m = (await admin.get('/roster/4701?month=2026-12')).json;
      const after = m.days.find((d) => d.day === '2026-12-11').duties;
      assert.equal(after.find((x) => x.id === morning.id).on_leave, true);
      assert.equal(after.find((x) => x.id === aft.id).person_id, alice);
      assert.equal(m.days.find((d) => d.day === '2026-12-12').duties[0].shift_label, 'เต็มวัน');
      const h = (await admin.get('/roster/4701/history?month=2026-12')).json.history;
      const swap = h.find((e) => e.action === 'swap');
      assert.equal(swap.person, 'นายสมชาย อาสา');
      assert.ok(swap.user_name && swap.at > 0);
      assert.ok(h.find((e) => e.action === 'leave'));
      assert.equal((await admin.post(`/roster/4701/duties/999999`, { json: { action: 'remove' } })).json.type, '/problems/roster-duty-not-found');
    });

    test('only the district\'s own admins edit; officers and the province read', async () => {
      for (const c of [officer]) {
        const r = await c.post('/roster/4701/generate', { json: { month: '2026-12' } });
        assert.equal(r.status, 403);
      }
      const p = await padmin.post('/roster/4701/generate', { json: { month: '2026-12' } });
      assert.equal(p.json.type, '/problems/roster-read-only');
      assert.equal((await padmin.get('/roster/4701?month=2026-12')).status, 200);
      assert.equal((await admin.get('/roster/47?month=2026-12')).status, 404);
      assert.equal((await admin.get('/roster/4701?month=2026-13')).status, 400);
    });

    test('today: the public point page shows who is on duty; the registry form warns the officer who is not', async () => {
      const today = bkkToday();
      // Whatever the generated month put on today: the officer's duties go on leave.
      const month = (await admin.get(`/roster/4701?month=${today.slice(0, 7)}`)).json;
      for (const d of month.days.find((x) => x.day === today).duties)
        if (d.person_id === alice) await admin.post(`/roster/4701/duties/${d.id}`, { json: { action: 'leave' } });
      const before = await officer.get('/registry/new');
      assert.equal(before.status, 200);
      assert.match(before.json.roster_warning || '', /ทะเบียนเวร/);
      await admin.post('/roster/4701/duties', { json: { day: today, shift: 'full', person_id: alice } });
      const after = await officer.get('/registry/new');
      assert.equal(after.json.roster_warning, undefined);
      const page = await fetch(`${srv.url}/points/4701`, { headers: { accept: 'application/json' } }).then((r) => r.json());
      assert.ok(page.on_duty.some((p) => p.position_th === 'เจ้าพนักงานปกครอง'));
      assert.equal(JSON.stringify(page.on_duty).includes('081'), false, 'no phone on the public page');
      const html = await fetch(`${srv.url}/points/4701`).then((r) => r.text());
      assert.match(html, /เจ้าหน้าที่ปฏิบัติหน้าที่วันนี้/);
      // The page is cached; a roster change shows at once (the cache is emptied).
      const again = await fetch(`${srv.url}/points/4701`, { headers: { accept: 'application/json' } });
      assert.equal(again.headers.get('x-cache'), 'hit');
      const m = (await admin.get(`/roster/4701?month=${today.slice(0, 7)}`)).json;
      for (const d of m.days.find((x) => x.day === today).duties)
        await admin.post(`/roster/4701/duties/${d.id}`, { json: { action: 'leave' } });
      const gone = await fetch(`${srv.url}/points/4701`, { headers: { accept: 'application/json' } }).then((r) => r.json());
      assert.equal(gone.on_duty.length, 0);
      assert.equal(gone.has_on_duty, false);
    });

    test('the month as PDF (official layout) and XLSX', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'roster-'));
      try {
        const res = await fetch(`${srv.url}/roster/4701.pdf?month=2026-12`, { headers: { cookie: admin.cookieHeader() } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'application/pdf');
        const f = join(dir, 'r.pdf');
        writeFileSync(f, Buffer.from(await res.arrayBuffer()));
        const info = execFileSync('pdfinfo', [f], { encoding: 'utf8' });
        assert.match(info, /595\.27\d? x 841\.89 pts \(A4\)/);
        const fonts = execFileSync('pdffonts', [f], { encoding: 'utf8' });
        assert.match(fonts, /Laksaman/);
        assert.doesNotMatch(fonts.split('\n').slice(2).join('\n'), / no {2,}no /, 'every font embedded');
        const text = execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
        assert.match(text, /ธันวาคม๒๕๖๙/);
        assert.match(text, /นายสมชายอาสา/);
        assert.doesNotMatch(text.replace(/e-Service/g, ''), /[0-9]/, 'Thai digits only');
        const x = await fetch(`${srv.url}/roster/4701.xlsx?month=2026-12`, { headers: { cookie: admin.cookieHeader() } });
        assert.equal(x.status, 200);
        const xb = Buffer.from(await x.arrayBuffer());
        assert.equal(xb.subarray(0, 2).toString(), 'PK');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
