// Issue 9, items 3, 4 and 6: import and export that fit how officers work, and
// B.E. dates — on SQLite and PostgreSQL.
//
// Round trip (docs/API.md, "Import file"): an export holds masked IDs only and
// numbers given by its district, so a round trip brings back every entry that
// was not voided with the same time (to the minute the book shows), visitor,
// phone, sex, age band, channel, services with their outcomes and remarks;
// without a Thai ID (the file has only its mask), under new running numbers
// in the file's order, with the importing admin as officer. Voided rows are
// skipped and counted. Importing the same file again adds nothing.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends, startServer, Client, run } from './lib.mjs';

const VALID_CID = '1103702071838';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MONTHS = ['ม.ค.', 'ก.พ.', 'มี.ค.', 'เม.ย.', 'พ.ค.', 'มิ.ย.', 'ก.ค.', 'ส.ค.', 'ก.ย.', 'ต.ค.', 'พ.ย.', 'ธ.ค.'];
const THAI_DIGITS = (s) => s.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));

// Bangkok wall clock `minutes` from now, to the minute: its parts, its ISO
// form and its UTC epoch seconds.
function bkk(minutes = 0) {
  const t = Math.floor((Date.now() + minutes * 60e3) / 60e3) * 60;
  const d = new Date((t + 7 * 3600) * 1000);
  const p = { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), hh: d.getUTCHours(), mm: d.getUTCMinutes() };
  const two = (n) => String(n).padStart(2, '0');
  return { ...p, epoch: t, iso: `${p.y}-${two(p.m)}-${two(p.d)}T${two(p.hh)}:${two(p.mm)}`, day: `${p.y}-${two(p.m)}-${two(p.d)}`,
    hm: `${two(p.hh)}:${two(p.mm)}` };
}

async function poll(client, href) {
  for (let i = 0; i < 400; i++) {
    const j = await client.get(href);
    if (j.json.job.status !== 'running') return j.json.job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('import did not finish');
}

async function importFile(client, body, type) {
  const r = await client.post('/registry/import', { body, headers: { 'content-type': type } });
  assert.equal(r.status, 202, r.text);
  return poll(client, r.json.href);
}

async function download(srv, client, path) {
  const r = await fetch(srv.url + path, { headers: { cookie: client.cookieHeader() } });
  assert.equal(r.status, 200, path);
  return Buffer.from(await r.arrayBuffer());
}

// Every entry of a period (JSON list, all pages), oldest first.
async function periodEntries(client, period, includeVoid = false) {
  const out = [];
  for (let page = 1; page < 50; page++) {
    const r = await client.get(`/registry?period=${period}&page=${page}${includeVoid ? '&include_void=1' : ''}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.entries);
    if (page >= r.json.pagination.pages) break;
  }
  return out.reverse();
}

// What a round trip keeps.
function kept(e) {
  return {
    visited_at: e.visited_at, visitor_name: e.visitor_name, phone: e.phone, sex: e.sex, age_band: e.age_band,
    channel: e.channel, remarks: e.remarks,
    services: e.services.map((s) => `${s.code}:${s.outcome}`).sort(),
  };
}
const byTime = (a, b) => a.visited_at - b.visited_at || a.visitor_name.localeCompare(b.visitor_name);

function tmpFile(name, bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'osspoint-io-'));
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, done: () => rmSync(dir, { recursive: true, force: true }) };
}

for (const backend of backends()) {
  describe(`registry import/export and B.E. dates on ${backend}`, () => {
    let a, b, offA, admA, admB, names;
    before(async () => {
      a = await startServer(backend);
      b = await startServer(backend);
      offA = new Client(a.url); await offA.login('officer4701');
      admA = new Client(a.url); await admA.login('dadmin4701');
      admB = new Client(b.url); await admB.login('dadmin4701');
      // The catalogue's Thai names, as the form lists them.
      const form = await offA.get('/registry/new');
      names = Object.fromEntries(form.json.service_rows[0].options.map((o) => [o.code, o.name_th]));
    });
    after(async () => {
      // Both are stopped before either exit status is checked.
      const exits = [];
      for (const srv of [a, b]) if (srv) exits.push(await srv.stop());
      for (const e of exits) assert.deepEqual(e, { code: 0, sig: null });
    });

    test('round trip: a period exported as CSV and XLSX comes back equal (fresh district; after voiding)', async () => {
      const specs = [
        { cid: VALID_CID, phone: '0812345678', sex: 'female', age_band: '40_59', channel: 'tangrat',
          services: [{ code: 'tangrat_signup', outcome: 'completed' }], remarks: 'จากสมุด, หน้า 2 "ด่วน"' },
        { channel: 'web', services: [{ code: 'nhso_rights_check', outcome: 'referred' }, { code: 'rd_efiling', outcome: 'completed' }],
          remarks: 'บรรทัดหนึ่ง\nบรรทัดสอง' },
        { sex: 'male', age_band: '60_plus', channel: 'line', services: [{ code: 'thaid_register', outcome: 'self_completed' }] },
        { sex: 'other', age_band: 'under_20', channel: 'other', phone: '021234567',
          services: [{ code: 'sso_eservice', outcome: 'not_completed' }], remarks: '=1+1' },
        { channel: 'tangrat', services: [{ code: 'tangrat_signup', outcome: 'completed' }], voided: true },
        { channel: 'web', services: [{ code: 'tangrat_signup', outcome: 'referred' }, { code: 'thaid_register', outcome: 'completed' },
          { code: 'sso_eservice', outcome: 'self_completed' }] },
      ];
      const made = [];
      for (const [i, s] of specs.entries()) {
        const { voided, ...body } = s;
        const r = await offA.post('/registry', { json: { visited_at: bkk(-60 + i).iso, visitor_name: `นายรอบ${i} ไปกลับ`, ...body } });
        assert.equal(r.status, 201, r.text);
        made.push(r.json);
        if (voided) assert.equal((await admA.post(`/registry/${r.json.id}/void`, { json: { reason: 'บันทึกซ้ำ' } })).status, 200);
      }
      const period = made[0].period;
      const csv = await download(a, offA, `/registry/export.csv?period=${period}`);
      const xlsx = await download(a, offA, `/registry/export.xlsx?period=${period}`);
      // Item 4: the book's order, running number ascending.
      const text = csv.toString('utf8');
      const at = made.map((e) => text.indexOf(`\r\n${e.number},`));
      assert.ok(at.every((x) => x > 0), 'every entry exported');
      assert.deepEqual([...at].sort((x, y) => x - y), at, 'running number ascending');
      assert.ok(!text.includes(VALID_CID), 'masked IDs only');

      const original = (await periodEntries(offA, period)).filter((e) => made.some((m) => m.id === e.id));
      assert.equal(original.length, 5);
      const want = original.map(kept).sort(byTime);

      // Into a fresh district (a new database): every entry comes back.
      const g = await importFile(admB, csv, 'text/csv');
      assert.equal(g.status, 'done', JSON.stringify(g));
      assert.equal(g.added, 5);
      assert.equal(g.voided, 1, 'the voided entry is skipped');
      const back = await periodEntries(admB, period);
      assert.deepEqual(back.map(kept).sort(byTime), want);
      assert.ok(back.every((e) => e.has_cid === false), 'the export holds no Thai ID, only its mask');
      // Numbers are the new district's, in the file's (book) order.
      const order = back.sort((x, y) => x.seq - y.seq).map((e) => e.visitor_name);
      assert.deepEqual(order, original.sort((x, y) => x.seq - y.seq).map((e) => e.visitor_name));
      assert.equal(back[0].seq, 1);
      // The same file again adds nothing.
      const again = await importFile(admB, csv, 'text/csv');
      assert.equal(again.added, 0);
      assert.equal(again.skipped, 5);

      // After voiding: the district voids its entries, then imports its XLSX export.
      for (const e of original)
        assert.equal((await admA.post(`/registry/${e.id}/void`, { json: { reason: 'ลบผิด' } })).status, 200);
      assert.equal((await periodEntries(offA, period)).filter((e) => e.visitor_name.startsWith('นายรอบ')).length, 0);
      const x = await importFile(admA, xlsx, XLSX_TYPE);
      assert.equal(x.status, 'done', JSON.stringify(x));
      assert.equal(x.added, 5);
      assert.equal(x.voided, 1);
      const restored = (await periodEntries(offA, period)).filter((e) => e.visitor_name.startsWith('นายรอบ'));
      assert.deepEqual(restored.map(kept).sort(byTime), want);
      const x2 = await importFile(admA, xlsx, XLSX_TYPE);
      assert.equal(x2.added, 0);
      assert.equal(x2.skipped, 5);
      run(['check'], { env: a.env });
    });

    test('XLSX: วันเวลา is a real date with a Buddhist-era number format', async () => {
      const r = await offA.post('/registry', { json: { visited_at: bkk(-30).iso, visitor_name: 'นางวันที่ จริง', channel: 'web',
        services: [{ code: 'tangrat_signup', outcome: 'completed' }] } });
      assert.equal(r.status, 201, r.text);
      const f = tmpFile('book.xlsx', await download(a, offA, `/registry/export.xlsx?period=${r.json.period}`));
      try {
        const sheet = execFileSync('unzip', ['-p', f.path, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' });
        const styles = execFileSync('unzip', ['-p', f.path, 'xl/styles.xml'], { encoding: 'utf8' });
        const b4 = sheet.match(/<c r="B4"([^>]*)><v>([^<]+)<\/v><\/c>/);
        assert.ok(b4, 'B4 is a number cell');
        assert.ok(!/ t="/.test(b4[1]), 'not a string');
        const serial = Number(b4[2]);
        const first = (await periodEntries(offA, r.json.period, true))[0];
        assert.ok(Math.abs(serial - ((first.visited_at + 7 * 3600) / 86400 + 25569)) < 1e-6, 'the serial of the first entry');
        const style = Number(b4[1].match(/ s="(\d+)"/)[1]);
        const xfs = styles.slice(styles.indexOf('<cellXfs')).match(/<xf [^>]*>/g);
        const id = xfs[style].match(/numFmtId="(\d+)"/)[1];
        assert.match(styles, new RegExp(`numFmtId="${id}" formatCode="\\[\\$-107041E\\]d/m/yyyy hh:mm"`));
      } finally { f.done(); }
    });

    test('import: Thai headers, B.E. and C.E. dates, Thai digits, services by Thai name', async () => {
      const rows = [];
      const expect = [];
      const add = (when, t, svc, extra = '') => {
        const name = `นางไทย${rows.length} นำเข้า`;
        rows.push(`${when},${name},${svc},${extra}`);
        expect.push({ name, epoch: t.epoch });
      };
      const t = [0, 1, 2, 3, 4, 5, 6].map((k) => bkk(-200 + k));
      const be = (p) => p.y + 543;
      add(`${t[0].d}/${t[0].m}/${be(t[0])} ${t[0].hm}`, t[0], `${names.tangrat_signup},ดำเนินการให้แล้วเสร็จ,แอปพลิเคชันทางรัฐ`);
      add(`${t[1].d} ${MONTHS[t[1].m - 1]} ${be(t[1])} ${t[1].hm} น.`, t[1], `${names.nhso_rights_check},ส่งต่อหน่วยงาน,LINE`);
      add(`${t[2].d}/${t[2].m}/${be(t[2]) % 100} ${t[2].hm}`, t[2], `rd_efiling,completed,web`);
      add(THAI_DIGITS(`${t[3].d}/${t[3].m}/${be(t[3])} ${t[3].hm}`), t[3], `"${names.thaid_register}; ${names.sso_eservice}","แนะนำ ผู้รับบริการดำเนินการเอง; ไม่สำเร็จ",อื่น ๆ`);
      add(`${t[4].d}/${t[4].m}/${t[4].y} ${t[4].hm}`, t[4], `tangrat_signup:completed,,tangrat`);
      add(`${t[5].iso.replace('T', ' ')}`, t[5], `${names.tangrat_signup},completed,tangrat`);
      add(`วัน${['อาทิตย์', 'จันทร์', 'อังคาร', 'พุธ', 'พฤหัสบดี', 'ศุกร์', 'เสาร์'][new Date(Date.UTC(t[6].y, t[6].m - 1, t[6].d)).getUTCDay()]}ที่ ${t[6].d} ${MONTHS[t[6].m - 1]} พ.ศ. ${be(t[6])} เวลา ${t[6].hm} น.`,
        t[6], `${names.tangrat_signup},ดำเนินการให้แล้วเสร็จ,tangrat`);
      const csv = ['\uFEFFวันเวลา,ชื่อ - สกุล,บริการ,ผลการให้บริการ,ช่องทาง,หมายเหตุ', ...rows].join('\r\n') + '\r\n';
      const job = await importFile(admB, csv, 'text/csv');
      assert.equal(job.status, 'done', JSON.stringify(job.errors));
      assert.equal(job.added, expect.length);
      const list = await periodEntries(admB, (await admB.get('/registry?q=นางไทย0')).json.entries[0].period);
      for (const [i, e] of expect.entries()) {
        const got = list.find((x) => x.visitor_name === e.name);
        assert.ok(got, `${e.name} imported`);
        assert.equal(got.visited_at, e.epoch, `${e.name}: the time read from "${rows[i].split(',')[0]}"`);
      }
      const two = list.find((x) => x.visitor_name === expect[3].name);
      assert.deepEqual(two.services.map((s) => `${s.code}:${s.outcome}`).sort(), ['sso_eservice:not_completed', 'thaid_register:self_completed']);
      assert.equal(two.channel, 'other');
    });

    test('import errors name the row and the column as the file writes it, in Thai', async () => {
      const w = bkk(-100);
      const good = `${w.d}/${w.m}/${w.y + 543} ${w.hm}`;
      const longName = `${names.tangrat_signup} ฉบับที่ไม่มีอยู่จริงในรายการบริการของระบบนี้`;
      const csv = ['วันเวลา,ชื่อ–สกุล,บริการ,ผลการให้บริการ,ช่องทาง',
        `${good},นายถูก ต้อง,${names.tangrat_signup},ดำเนินการให้แล้วเสร็จ,แอปพลิเคชันทางรัฐ`,
        `${good},นายชื่อ บริการผิด,${longName},ดำเนินการให้แล้วเสร็จ,แอปพลิเคชันทางรัฐ`,
        `31/02/${w.y + 543} 09:00,นายวัน ผิด,${names.tangrat_signup},ดำเนินการให้แล้วเสร็จ,แอปพลิเคชันทางรัฐ`,
        `${good},นายผล ผิด,${names.tangrat_signup},ดีมาก,แอปพลิเคชันทางรัฐ`,
        `${good},นายช่องทาง ผิด,${names.tangrat_signup},ดำเนินการให้แล้วเสร็จ,แฟกซ์`].join('\n') + '\n';
      const before = b.sql('SELECT COUNT(*) FROM visits')[0][0];
      const job = await importFile(admB, csv, 'text/csv');
      assert.equal(job.status, 'failed');
      assert.equal(b.sql('SELECT COUNT(*) FROM visits')[0][0], before, 'nothing stored');
      const byRow = Object.fromEntries(job.errors.map((e) => [e.line, e]));
      const expectRow = (line, column, message) => {
        const e = byRow[line];
        assert.ok(e, `row ${line} reported: ${JSON.stringify(job.errors)}`);
        assert.equal(e.column, column);
        assert.ok(e.message.startsWith(`แถวที่ ${line} คอลัมน์ "${column}"`), e.message);
        assert.match(e.message, message);
      };
      expectRow(3, 'บริการ', /ไม่พบบริการชื่อนี้/);
      assert.doesNotMatch(byRow[3].message, /ยาวเกิน|63/);
      expectRow(4, 'วันเวลา', /วันเวลาที่มารับบริการไม่ถูกต้อง/);
      expectRow(5, 'ผลการให้บริการ', /ผลการให้บริการไม่ถูกต้อง/);
      expectRow(6, 'ช่องทาง', /ช่องทางไม่ถูกต้อง/);
      assert.ok(!byRow[2], 'the good row has no error');
      for (const e of job.errors) {
        assert.match(e.message, /[\u0E00-\u0E7F]/);
        assert.doesNotMatch(e.message + e.column, /services\[|outcome|visited_at|\.code/, 'no internal path');
      }
      // The page shows the columns as the file names them.
      const page = await admB.get(`/registry/import`, { accept: 'text/html' });
      assert.equal(page.status, 200);
    });

    test('the PDF registry book: one visitor per line, 40 entries on at most 3 pages', async () => {
      const made = [];
      for (let i = 1; i <= 40; i++) {
        const r = await offA.post('/registry', { json: { visited_at: bkk(-300 + i).iso, visitor_name: `นายสมปอง${i} หนังสือ`,
          cid: VALID_CID, phone: '0812345678', channel: 'tangrat', services: [{ code: 'tangrat_signup', outcome: 'completed' }] } });
        assert.equal(r.status, 201, r.text);
        made.push(r.json);
      }
      const f = tmpFile('book.pdf', await download(a, offA, `/registry/export.pdf?period=${made[0].period}`));
      try {
        const total = (await periodEntries(offA, made[0].period, true)).length;
        const pages = Number(execFileSync('pdfinfo', [f.path], { encoding: 'utf8' }).match(/Pages:\s+(\d+)/)[1]);
        assert.ok(pages <= Math.ceil(total / 20) + 1, `${total} entries on ${pages} pages`);
        if (total <= 40) assert.ok(pages <= 3);
        const html = execFileSync('pdftotext', ['-bbox', f.path, '-'], { encoding: 'utf8' });
        const words = [...html.matchAll(/<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>([^<]*)<\/word>/g)];
        for (const [i, e] of made.entries()) {
          const num = words.filter((w) => w[2] === e.number);
          assert.equal(num.length, 1, `${e.number} is one word, once`);
          const name = words.filter((w) => w[2] === `นายสมปอง${i + 1}`);
          assert.equal(name.length, 1, `นายสมปอง${i + 1} once`);
          assert.ok(Math.abs(Number(name[0][1]) - Number(num[0][1])) < 1, `${e.number} and its visitor on one line`);
        }
      } finally { f.done(); }
    });

    test('forms take and show B.E. dates; the JSON API keeps ISO days and epoch times', async () => {
      const page = await offA.get('/registry/new', { accept: 'text/html' });
      const input = page.text.match(/<input id="f-visited_at" name="visited_at" type="([^"]+)" value="([^"]*)"/);
      assert.ok(input, 'the date-time field');
      assert.equal(input[1], 'text');
      assert.match(input[2], /^\d{1,2}\/\d{1,2}\/25\d\d \d\d:\d\d$/, `shown in B.E.: ${input[2]}`);
      const key = page.text.match(/name="idempotency_key" value="([^"]+)"/)[1];
      const w = bkk(-7);
      const typed = `${w.d}/${w.m}/${(w.y + 543) % 100} ${w.hm}`;
      const saved = await offA.post('/registry', { accept: 'text/html', form: { csrf: offA.csrf, idempotency_key: key,
        visited_at: typed, visited_at_shown: input[2], visitor_name: 'นายฟอร์ม พุทธศักราช', service1: 'tangrat_signup',
        outcome1: 'completed', channel: 'web' } });
      assert.equal(saved.status, 200, saved.text.slice(0, 300));
      assert.match(saved.text, /บันทึกแล้ว ลำดับที่/);
      const stored = (await offA.get('/registry?q=นายฟอร์ม พุทธศักราช')).json.entries[0];
      assert.equal(stored.visited_at, w.epoch, `"${typed}" read as B.E. 25xx`);
      assert.match(stored.visit_day, /^\d{4}-\d\d-\d\d$/, 'the API keeps ISO days');
      assert.ok(stored.visit_day.startsWith(String(w.y)), 'C.E. in the API');
      // The edit form shows the stored time in B.E.
      const edit = await admA.get(`/registry/${stored.id}/edit`, { accept: 'text/html' });
      assert.match(edit.text, new RegExp(`value="${w.d}/${w.m}/${w.y + 543} ${w.hm}"`));
      // A bad date names the field in Thai (422).
      const bad = await offA.post('/registry', { json: { visited_at: '31/02/2569 09:00', visitor_name: 'ก', channel: 'web',
        services: [{ code: 'tangrat_signup', outcome: 'completed' }] } });
      assert.equal(bad.status, 422);
      assert.match(bad.json.errors.find((e) => e.field === 'visited_at').message, /27\/11\/2569/);
      // The list filter takes a B.E. day and shows the picked days in B.E. beside the pickers.
      const list = await offA.get(`/registry?from=${w.d}/${w.m}/${w.y + 543}&to=${w.day}`, { accept: 'text/html' });
      assert.equal(list.status, 200);
      const label = `${w.d} ${MONTHS[w.m - 1]} ${w.y + 543}`;
      assert.ok(list.text.includes(`id="be-from">(พ.ศ. ${label})`), 'B.E. beside the from picker');
      assert.ok(list.text.includes(`id="be-to">(พ.ศ. ${label})`), 'B.E. beside the to picker');
      assert.match(list.text, /<script src="\/static\/js\/date-be.js" defer><\/script>/);
      const lj = await offA.get(`/registry?from=${w.d}/${w.m}/${w.y + 543}&to=${w.day}`);
      assert.equal(lj.json.filter.from, w.day, 'the API answers ISO');
      // The point form: B.E. with a 2-digit year, a Thai month, a C.E. year.
      for (const typedDay of ['1/10/67', '1 ต.ค. 2567', '1/10/2024', '๑/๑๐/๒๕๖๗']) {
        const r = await admA.post('/points/4701', { json: { opened_on: typedDay } });
        assert.equal(r.status, 200, `${typedDay}: ${r.text.slice(0, 200)}`);
        const p = await admA.get('/api/v1/points/4701');
        assert.equal(p.json.opened_on, '2024-10-01', typedDay);
      }
      const pf = await admA.get('/points/4701/edit', { accept: 'text/html' });
      assert.match(pf.text, /id="f-opened_on" name="opened_on" type="text" value="1\/10\/2567"/);
    });
  });
}
