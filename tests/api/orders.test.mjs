// Official orders (issue 11): drafts complete from {"kind"} alone, numbering
// when issued (per office, per B.E. calendar year, gap-free, unique under
// concurrent issues, the office register's own numbers), immutability of
// issued orders, corrections that amend or cancel with the link both ways,
// the register (Thai search, XLSX), templates a province adapts, and the PDF
// measured (A4, margins, fonts, Thai digits, Thai text), on both databases.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends, startServer, Client } from './lib.mjs';

const BE = new Date(Date.now() + 7 * 3600e3).getUTCFullYear() + 543;
const thai = (s) => String(s).replace(/[0-9]/g, (d) => '๐๑๒๓๔๕๖๗๘๙'[d]);

for (const backend of backends()) {
  describe(`orders on ${backend}`, () => {
    let srv, admin, officer, padmin, other;
    before(async () => {
      srv = await startServer(backend);
      admin = new Client(srv.url); await admin.login('dadmin4701');
      officer = new Client(srv.url); await officer.login('officer4701');
      padmin = new Client(srv.url); await padmin.login('padmin47');
      const nadmin = new Client(srv.url); await nadmin.login('nadmin');
      const made = await nadmin.post('/users', { json: { username: 'dadmin4702', display_name: 'ทดสอบ 4702', role: 'district_admin', unit_code: '4702', password: 'long-enough-1' } });
      assert.equal(made.status, 201, made.text);
      other = new Client(srv.url); await other.login('dadmin4702', 'long-enough-1');
    });
    after(async () => {
      if (!srv) return;
      const res = await srv.stop();
      assert.deepEqual(res, { code: 0, sig: null }, srv.stderr().slice(-2000));
    });

    test('a draft from {"kind"} alone is complete; an empty roster warns, not refuses', async () => {
      const sig = await admin.post('/orders/signer', { json: { name_th: 'นายสมศักดิ์ รักราชการ', position_th: 'ปลัดอำเภอ', capacity: 'acting_for', for_position: 'นายอำเภอเมืองสกลนคร' } });
      assert.equal(sig.status, 200, sig.text);
      const e = await admin.post('/orders', { json: { kind: 'establishment' } });
      assert.equal(e.status, 201, e.text);
      assert.ok(e.json.id > 0);
      assert.equal(e.json.status, 'draft');
      assert.equal(e.json.number, '');
      assert.match(e.json.subject, /^จัดตั้งศูนย์บริการร่วม จุดให้บริการแบบอิเล็กทรอนิกส์ \(e-Service\) อำเภอเมืองสกลนคร จังหวัดสกลนคร$/);
      assert.match(e.json.body, /ทั้งนี้ ตั้งแต่บัดนี้เป็นต้นไป$/);
      assert.deepEqual(e.json.signer_lines, ['(นายสมศักดิ์ รักราชการ)', 'ปลัดอำเภอ ปฏิบัติราชการแทน', 'นายอำเภอเมืองสกลนคร']);
      const d = await admin.post('/orders', { json: { kind: 'duty' } });
      assert.equal(d.status, 201, d.text);
      assert.match(d.json.period, /^\d{4}-\d{2}$/);
      assert.equal(d.json.annex.length, 0);
      assert.ok(d.json.warnings.some((w) => /บัญชีแนบท้าย/.test(w)));
      assert.equal((await admin.post('/orders', { json: { kind: 'memo' } })).status, 400);
      assert.equal((await officer.post('/orders', { json: { kind: 'duty' } })).status, 403);
    });

    test('the duty order\'s annex comes from the month\'s roster', async () => {
      const p = await admin.post('/roster/4701/people', { json: { name_th: 'นางสาวใจดี มีสุข', position_th: 'เจ้าพนักงานปกครอง' } });
      await admin.post('/roster/4701/duties', { json: { day: '3/1/2570', shift: 'morning', person_id: p.json.id } });
      const d = await admin.post('/orders', { json: { kind: 'duty', period: '2027-01' } });
      assert.equal(d.status, 201, d.text);
      assert.deepEqual(d.json.annex, [['3 ม.ค. 2570', 'นางสาวใจดี มีสุข', 'เจ้าพนักงานปกครอง', 'เวรเช้า 08:30–12:00 น.']]);
      assert.match(d.json.body, /ประจำเดือนมกราคม พ.ศ. 2570/);
      const now = await admin.post('/orders', { json: { kind: 'duty', period: '' } });
      assert.match(now.json.body, /ทั้งนี้ ตั้งแต่บัดนี้เป็นต้นไป$/);
    });

    test('issuing numbers per office and year; issued orders never change', async () => {
      const a = await admin.post('/orders', { json: { kind: 'establishment' } });
      const edit = await admin.post(`/orders/${a.json.id}`, { json: { subject: 'เรื่องทดสอบการแก้ไขร่าง' } });
      assert.equal(edit.status, 200, edit.text);
      assert.equal(edit.json.subject, 'เรื่องทดสอบการแก้ไขร่าง');
      const i = await admin.post(`/orders/${a.json.id}/issue`, { json: {} });
      assert.equal(i.status, 200, i.text);
      assert.equal(i.json.number, `1/${BE}`);
      assert.equal(i.json.number_th, thai(`1/${BE}`));
      const again = await admin.post(`/orders/${a.json.id}/issue`, { json: {} });
      assert.equal(again.status, 409);
      assert.equal(again.json.type, '/problems/order-issued');
      const e2 = await admin.post(`/orders/${a.json.id}`, { json: { subject: 'เปลี่ยน' } });
      assert.equal(e2.status, 409);
      assert.equal(e2.json.type, '/problems/order-issued');
      // Another office starts at 1 too.
      const o = await other.post('/orders', { json: { kind: 'establishment' } });
      assert.equal((await other.post(`/orders/${o.json.id}/issue`, { json: {} })).json.number, `1/${BE}`);
      // Not another office's order.
      assert.equal((await other.post(`/orders/${a.json.id}/issue`, { json: {} })).status, 403);
      // The province reads it, may not issue it.
      assert.equal((await padmin.get(`/orders/${a.json.id}`)).status, 200);
      const p = await padmin.post(`/orders/${a.json.id}/cancel`, { json: {} });
      assert.equal(p.status, 403);
      assert.equal(p.json.type, '/problems/order-read-only');
    });

    test('the office register\'s own numbers: entered (checked unique) or continued', async () => {
      const a = await admin.post('/orders', { json: { kind: 'establishment' } });
      const taken = await admin.post(`/orders/${a.json.id}/issue`, { json: { number: 1 } });
      assert.equal(taken.json.type, '/problems/order-number-taken');
      const own = await admin.post(`/orders/${a.json.id}/issue`, { json: { number: 7 } });
      assert.equal(own.json.number, `7/${BE}`);
      const b = await admin.post('/orders', { json: { kind: 'establishment' } });
      assert.equal((await admin.post(`/orders/${b.json.id}/issue`, { json: {} })).json.number, `8/${BE}`);
      assert.equal((await admin.post('/orders/numbering', { json: { year: BE, next: 8 } })).json.type, '/problems/order-number-taken');
      assert.equal((await admin.post('/orders/numbering', { json: { year: BE, next: 20 } })).status, 200);
      const c = await admin.post('/orders', { json: { kind: 'establishment' } });
      assert.equal((await admin.post(`/orders/${c.json.id}/issue`, { json: {} })).json.number, `20/${BE}`);
    });

    test('numbers restart at the B.E. year\'s turn', async () => {
      const a = await admin.post('/orders', { json: { kind: 'establishment' } });
      const b = await admin.post('/orders', { json: { kind: 'establishment' } });
      assert.equal((await admin.post(`/orders/${a.json.id}/issue`, { json: { date: '31/12/2575' } })).json.number, '1/2575');
      const n = await admin.post(`/orders/${b.json.id}/issue`, { json: { date: '1/1/2576' } });
      assert.equal(n.json.number, '1/2576');
      assert.equal(n.json.date_th, '๑ มกราคม พ.ศ. ๒๕๗๖');
    });

    test('concurrent issues: unique and gap-free', async () => {
      const ids = [];
      for (let k = 0; k < 16; k++) ids.push((await other.post('/orders', { json: { kind: 'establishment' } })).json.id);
      const res = await Promise.all(ids.map((id) => other.post(`/orders/${id}/issue`, { json: { date: '2/2/2580' } })));
      for (const r of res) assert.equal(r.status, 200, r.text);
      const nums = res.map((r) => Number(r.json.number.split('/')[0])).sort((x, y) => x - y);
      assert.deepEqual(nums, Array.from({ length: 16 }, (_, k) => k + 1));
      // Issuing the same draft from many requests at once: one number.
      const one = (await other.post('/orders', { json: { kind: 'establishment' } })).json.id;
      const race = await Promise.all(Array.from({ length: 8 }, () => other.post(`/orders/${one}/issue`, { json: { date: '2/2/2580' } })));
      assert.equal(race.filter((r) => r.status === 200).length, 1);
      assert.ok(race.every((r) => r.status === 200 || r.json.type === '/problems/order-issued'));
      assert.equal(race.find((r) => r.status === 200).json.number, '17/2580');
    });

    test('corrections amend or cancel, and both orders show the link', async () => {
      const a = await admin.post('/orders', { json: { kind: 'establishment' } });
      const draftCancel = await admin.post('/orders', { json: { cancels: a.json.id } });
      assert.equal(draftCancel.json.type, '/problems/order-not-issued');
      const issued = (await admin.post(`/orders/${a.json.id}/issue`, { json: {} })).json;
      const am = await admin.post('/orders', { json: { amends: a.json.id } });
      assert.equal(am.status, 201, am.text);
      assert.equal(am.json.amends_order.id, a.json.id);
      assert.match(am.json.subject, new RegExp(`^แก้ไขคำสั่งอำเภอเมืองสกลนคร ที่ ${issued.number.replace('/', '\\/')}`));
      const c = await admin.post(`/orders/${a.json.id}/cancel`, { json: {} });
      assert.equal(c.status, 201, c.text);
      assert.equal(c.json.cancels_order.id, a.json.id);
      assert.match(c.json.body, /จึงให้ยกเลิกคำสั่ง/);
      const ci = await admin.post(`/orders/${c.json.id}/issue`, { json: {} });
      assert.equal(ci.status, 200);
      const old = (await admin.get(`/orders/${a.json.id}`)).json;
      assert.equal(old.cancelled, true);
      assert.equal(old.status, 'issued');
      assert.equal(old.cancelled_by[0].id, c.json.id);
      assert.equal(old.amended_by[0].id, am.json.id);
      assert.equal((await admin.post(`/orders/${a.json.id}/cancel`, { json: {} })).json.type, '/problems/order-cancelled');
      // Issuing the amendment of a cancelled order is refused.
      assert.equal((await admin.post(`/orders/${am.json.id}/issue`, { json: {} })).json.type, '/problems/order-cancelled');
      // A draft is withdrawn by cancel (never numbered).
      const d = await admin.post('/orders', { json: { kind: 'establishment' } });
      const w = await admin.post(`/orders/${d.json.id}/cancel`, { json: {} });
      assert.equal(w.json.status, 'withdrawn');
      assert.equal(w.json.number, '');
    });

    test('the register: Thai search, year, XLSX', async () => {
      const all = (await officer.get('/orders')).json.orders;
      assert.ok(all.length >= 8);
      assert.ok(all.every((o) => o.href && o.pdf && 'status_label' in o));
      const q = (await officer.get(`/orders?q=${encodeURIComponent('ยกเลิกคำสั่ง')}`)).json.orders;
      assert.ok(q.length >= 1 && q.every((o) => o.subject.includes('ยกเลิกคำสั่ง')));
      const byNumber = (await officer.get(`/orders?q=${encodeURIComponent(thai(`7/${BE}`))}`)).json.orders;
      assert.deepEqual(byNumber.map((o) => o.number), [`7/${BE}`]);
      assert.ok((await officer.get('/orders?year=2575')).json.orders.every((o) => o.year_be === 2575));
      const x = await fetch(`${srv.url}/orders.xlsx`, { headers: { cookie: officer.cookieHeader() } });
      assert.equal(x.status, 200);
      assert.equal(Buffer.from(await x.arrayBuffer()).subarray(0, 2).toString(), 'PK');
      assert.equal((await other.get('/orders')).json.orders.every((o) => o.number.endsWith('/2580') || o.number.endsWith(`/${BE}`)), true);
    });

    test('a province adapts its districts\' wording; a template that does not parse is refused', async () => {
      const bad = await padmin.post('/orders/templates', { json: { kind: 'establishment', subject: 'x', body: '{{#a}}' } });
      assert.equal(bad.json.type, '/problems/order-template-invalid');
      const ok = await padmin.post('/orders/templates', { json: { kind: 'establishment', subject: 'จัดตั้งจุดบริการ {{{office}}}', body: 'ข้อความของจังหวัด{{{province}}}\n\nทั้งนี้ ตั้งแต่บัดนี้เป็นต้นไป' } });
      assert.equal(ok.status, 200, ok.text);
      const d = await admin.post('/orders', { json: { kind: 'establishment' } });
      assert.equal(d.json.subject, 'จัดตั้งจุดบริการ อำเภอเมืองสกลนคร');
      assert.match(d.json.body, /^ข้อความของจังหวัดสกลนคร/);
      assert.equal((await admin.post('/orders/templates', { json: { kind: 'establishment', subject: 'x', body: 'y' } })).status, 403);
      // The page: each kind with the wording in use and where it comes from; a form saves and comes back.
      const page = await padmin.get('/orders/templates');
      assert.equal(page.status, 200, page.text);
      const est = page.json.kinds.find((k) => k.kind === 'establishment');
      assert.equal(est.source, 'own');
      assert.equal(est.subject, 'จัดตั้งจุดบริการ {{{office}}}');
      assert.equal(page.json.kinds.find((k) => k.kind === 'duty').source, 'default');
      const html = await padmin.get('/orders/templates', { accept: 'text/html' });
      assert.match(html.text, /ข้อความของจังหวัด\{\{\{province\}\}\}/);
      assert.match(html.text, /\{\{\{office\}\}\} \{\{\{district\}\}\}/, 'the placeholders are listed as typed');
      const saved = await padmin.req('POST', '/orders/templates', { accept: 'text/html',
        form: { kind: 'duty', subject: 'แต่งตั้งเวร {{{office}}}', body: 'ข้อความเวรของจังหวัด' } });
      assert.equal(saved.status, 303, saved.text);
      assert.equal(saved.headers.get('location'), '/orders/templates');
      assert.equal((await padmin.get('/orders/templates')).json.kinds.find((k) => k.kind === 'duty').source, 'own');
      assert.equal((await admin.get('/orders/templates')).status, 403, 'a district admin does not adapt templates');
    });

    test('the PDF: A4, margins, Laksaman embedded, Thai digits, the annex', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'orders-'));
      try {
        const d = await admin.post('/orders', { json: { kind: 'duty', period: '2027-01' } });
        const i = await admin.post(`/orders/${d.json.id}/issue`, { json: {} });
        const res = await fetch(`${srv.url}/orders/${d.json.id}.pdf`, { headers: { cookie: officer.cookieHeader() } });
        assert.equal(res.status, 200);
        const f = join(dir, 'o.pdf');
        writeFileSync(f, Buffer.from(await res.arrayBuffer()));
        assert.match(execFileSync('pdfinfo', [f], { encoding: 'utf8' }), /595\.27\d* x 841\.89 pts \(A4\)/);
        const fonts = execFileSync('pdffonts', [f], { encoding: 'utf8' }).split('\n').slice(2).filter((l) => l.trim());
        assert.ok(fonts.length >= 2 && fonts.every((l) => /Laksaman/.test(l) && /\byes\b/.test(l)), fonts.join('\n'));
        const text = execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
        assert.ok(text.includes('คำสั่งอำเภอเมืองสกลนคร'));
        assert.ok(text.includes(`ที่${i.json.number_th}`));
        assert.ok(text.includes('สั่งณวันที่'));
        assert.ok(text.includes('บัญชีแนบท้ายคำสั่งอำเภอเมืองสกลนคร'));
        assert.ok(text.includes('นางสาวใจดีมีสุข'));
        assert.doesNotMatch(text.replace(/e-Service/g, ''), /[0-9]/);
        // Every word's box inside the margins: left 3 cm, right 2 cm.
        const html = execFileSync('pdftotext', ['-bbox', f, '-'], { encoding: 'utf8' });
        const mm = 72 / 25.4;
        for (const m of html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"/g)) {
          assert.ok(Number(m[1]) >= 30 * mm - 0.5, `left margin: ${m[0]}`);
          assert.ok(Number(m[3]) <= 595.276 - 20 * mm + 0.5, `right margin: ${m[0]}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
