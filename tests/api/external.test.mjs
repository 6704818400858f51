// External aggregates (issue 10, "External aggregates"): the national survey's
// figures imported by a national admin (POST /stats/external, osspoint
// import-external), listed and exported (GET /stats/external, ?format=csv|xlsx
// &table=external: render/table through web/table_export), kept apart from
// osspoint's own numbers, labelled with their source. Every row is checked;
// all rows or none; errors name the row and the column. On SQLite and
// PostgreSQL.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends, startServer, Client, run, BIN } from './lib.mjs';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const BOM = '\ufeff';
const KPR = 'ก.พ.ร. (แบบสำรวจระดับประเทศ)';

function upload(client, content, { name = 'figures.csv', type = 'text/csv', source } = {}) {
  const fd = new FormData();
  fd.append('file', new Blob([content], { type }), name);
  if (source !== undefined) fd.append('source', source);
  return client.post('/stats/external', { body: fd });
}

// The letter's figures: Sakon Nakhon, ก.พ. 2567 — 1,671 users, mean 9.17 (Σ 9,173
// over 1,000), 91.73 %, second in the country of 76.
const LETTER = BOM + [
  'รหัสหน่วยงาน,ชื่อหน่วยงาน,งวด,ผู้มารับบริการ (ราย),ผู้ตอบแบบสำรวจ,คะแนนรวม,คะแนนเฉลี่ย,ร้อยละ,อันดับ,จากทั้งหมด,แหล่งข้อมูล',
  `47,สกลนคร,ก.พ. 2567,"1,671",1000,9173,9.17,91.73,2,76,${KPR}`,
  `๔๗๐๑,เมืองสกลนคร,๒๕๖๗-๐๒,412,300,2790,,,,,${KPR}`,
  `0,กรมการปกครอง,กุมภาพันธ์ 2567,98000,,,,,,,${KPR}`,
].join('\r\n') + '\r\n';

function count(srv) {
  return Number(srv.sql('SELECT COUNT(*) FROM external_aggregates')[0][0]);
}

for (const backend of backends()) {
  describe(`external aggregates on ${backend}`, () => {
    let srv, nadmin, padmin, dadmin;
    before(async () => {
      srv = await startServer(backend);
      nadmin = new Client(srv.url);
      assert.equal((await nadmin.login('nadmin')).status, 200);
      padmin = new Client(srv.url);
      assert.equal((await padmin.login('padmin47')).status, 200);
      dadmin = new Client(srv.url);
      assert.equal((await dadmin.login('dadmin4701')).status, 200);
    });
    after(async () => {
      if (!srv) return;
      const res = await srv.stop();
      assert.deepEqual(res, { code: 0, sig: null }, `the server exits cleanly: ${srv.stderr().slice(-2000)}`);
    });

    test('the route is the literal /stats/external, national admins only, with its scope declared', () => {
      const routes = JSON.parse(run(['routes']));
      const mine = routes.filter((r) => r.name.startsWith('external.'));
      assert.deepEqual(mine.map((r) => [r.name, r.pattern, r.min_role, r.scope]).sort(), [
        ['external.list', '/stats/external', 'national_admin', 'national'],
        ['external.upload', '/stats/external', 'national_admin', 'national'],
      ]);
    });

    test('the letter\'s figures import from a CSV with Thai headers, B.E. periods and Thai digits, and list as given', async () => {
      const r = await upload(nadmin, LETTER);
      assert.equal(r.status, 201, r.text);
      assert.deepEqual({ rows: r.json.rows, added: r.json.added, replaced: r.json.replaced, period: r.json.period },
        { rows: 3, added: 3, replaced: 0, period: '2024-02' });
      const l = await nadmin.get('/stats/external?period=2024-02');
      assert.equal(l.status, 200, l.text);
      assert.equal(l.json.period.iso, '2024-02');
      assert.equal(l.json.period.label, 'ก.พ. 2567');
      const by = Object.fromEntries(l.json.rows.map((x) => [x.unit_code, x]));
      assert.deepEqual(Object.keys(by).sort(), ['0', '47', '4701']);
      const sk = by['47'];
      assert.equal(sk.name_th, 'สกลนคร');
      assert.equal(sk.source, KPR);
      assert.equal(sk.users, 1671);
      assert.equal(sk.respondents, 1000);
      assert.equal(sk.score_sum, '9173');
      assert.equal(sk.score_mean, '9.17');
      assert.equal(sk.percent, '91.73');
      assert.equal(sk.score, '9.17');
      assert.equal(sk.percent_shown, '91.73');
      assert.equal(sk.rank, 2);
      assert.equal(sk.rank_of, 76);
      assert.deepEqual(sk.derived, []);
      // Only the sum given: the mean and percent are computed exactly (2790/300 = 9.30) and said to be.
      const d = by['4701'];
      assert.equal(d.score_mean, null);
      assert.equal(d.score, '9.30');
      assert.equal(d.percent_shown, '93.00');
      assert.deepEqual(d.derived, ['score', 'percent_shown']);
      assert.equal(by['0'].users, 98000);
      assert.equal(by['0'].score, null);
      assert.deepEqual(l.json.periods, [{ iso: '2024-02', label: 'ก.พ. 2567', selected: true }]);
      assert.equal(l.json.imports[0].row_count, 3);
      assert.equal(l.json.imports[0].file_name, 'figures.csv');
      assert.equal(l.json.imports[0].created_by_name, 'ผู้ดูแลระบบ กรมการปกครอง');
      // Never mixed in: osspoint's own tables hold nothing of it.
      assert.equal(Number(srv.sql("SELECT COUNT(*) FROM visits")[0][0]), 0);
      // Audited.
      assert.ok(srv.sql("SELECT action FROM audit_log WHERE action = 'external.import'").length >= 1);
    });

    test('a bad file stores nothing and names every bad row and column in Thai', async () => {
      const before = count(srv);
      const bad = [
        'รหัสหน่วยงาน,งวด,ผู้มารับบริการ,คะแนนเฉลี่ย,ร้อยละ,อันดับ,จากทั้งหมด',
        '48,มี.ค. 2567,100,9.5,95,1,76',          // good
        '481,มี.ค. 2567,100,,,,',                 // bad unit code
        '48,13/2567,100,,,,',                      // bad period
        '48,มี.ค. 2567,-5,11,101,0,',              // negatives and ranges
        '48,มี.ค. 2567,,,,,',                      // no figure at all
        '48,มี.ค. 2567,100,9.123456,,3,2',         // 6 decimals; rank_of < rank
        '48,ม.ค. 2600,100,,,,',                    // a period still to come
        '48,2567-03,200,,,,',                      // the same unit, period and source as row 2
      ].join('\n') + '\n';
      const r = await upload(nadmin, bad, { source: 'ทดสอบ' });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.type, '/problems/external-invalid');
      assert.equal(r.json.code, 'external-invalid');
      const msgs = r.json.errors.map((e) => e.message);
      const has = (line, column, re) => assert.ok(r.json.errors.some((e) => e.line === line && e.column === column && re.test(e.message)),
        `row ${line} column ${column}: ${JSON.stringify(msgs)}`);
      has(3, 'รหัสหน่วยงาน', /^แถวที่ 3 คอลัมน์ "รหัสหน่วยงาน": รหัสหน่วยงานต้องเป็น/);
      has(4, 'งวด', /อ่านงวดไม่ได้/);
      has(5, 'ผู้มารับบริการ', /จำนวนเต็ม/);
      has(5, 'คะแนนเฉลี่ย', /0–10/);
      has(5, 'ร้อยละ', /0–100/);
      has(5, 'อันดับ', /ตั้งแต่ 1/);
      has(6, '', /ไม่มีตัวเลขใดเลย/);
      has(7, 'คะแนนเฉลี่ย', /ทศนิยมไม่เกิน 4/);
      has(7, 'จากทั้งหมด', /น้อยกว่าอันดับ/);
      has(8, 'งวด', /ยังมาไม่ถึง/);
      has(9, 'รหัสหน่วยงาน', /ซ้ำกับแถวที่ 2/);
      // In row order.
      const lines = r.json.errors.map((e) => e.line);
      assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
      assert.equal(count(srv), before, 'nothing stored');

      // A unit that does not exist is found in the import's transaction; the good rows are not kept either.
      const u = await upload(nadmin, 'unit_code,period,users,source\n48,2024-03,10,x\n9999,2024-03,10,x\n');
      assert.equal(u.status, 422, u.text);
      assert.deepEqual(u.json.errors.map((e) => [e.line, e.column, e.field]), [[3, 'unit_code', 'unit_code']]);
      assert.match(u.json.errors[0].message, /ไม่มีหน่วยงานรหัส 9999/);
      assert.equal(count(srv), before);

      // An unknown header is an error, not a silently dropped figure; no source anywhere is one too.
      const h = await upload(nadmin, 'รหัสหน่วยงาน,งวด,คะแนนเฉลีย\n47,2024-02,9\n');
      assert.equal(h.status, 422);
      assert.equal(h.json.errors[0].line, 1);
      assert.equal(h.json.errors[0].column, 'คะแนนเฉลีย');
      const s = await upload(nadmin, 'รหัสหน่วยงาน,งวด,ผู้มารับบริการ\n47,2024-02,9\n', { source: '' });
      assert.equal(s.status, 422);
      assert.match(s.json.errors[0].message, /แหล่งข้อมูล/);
      assert.equal(count(srv), before);
    });

    test('what is not a readable file is refused as such', async () => {
      for (const [content, re] of [['no header here\n1,2\n', /รหัสหน่วยงาน/], ['PK\u0003\u0004 not really a zip', /Excel|xlsx/i],
        ['รหัสหน่วยงาน,งวด\n', /ไม่มีแถวข้อมูล/], ['รหัสหน่วยงาน,งวด\n"47,2024-02\n', /CSV/]]) {
        const r = await upload(nadmin, content, { source: 'x' });
        assert.equal(r.status, 400, `${content}: ${r.text}`);
        assert.equal(r.json.code, 'external-file');
        assert.match(JSON.stringify(r.json.errors), re);
      }
      const fd = new FormData();
      fd.append('source', 'x');
      const none = await nadmin.post('/stats/external', { body: fd });
      assert.equal(none.status, 400);
      assert.equal(none.json.code, 'external-file');
    });

    test('the list exports as CSV and XLSX, and our own XLSX imports back, replacing the same rows', async () => {
      const get = async (q) => {
        const r = await fetch(`${srv.url}/stats/external?period=2024-02&${q}`, { headers: { cookie: nadmin.cookieHeader() } });
        return { status: r.status, type: r.headers.get('content-type'), disp: r.headers.get('content-disposition'),
          body: Buffer.from(await r.arrayBuffer()), r };
      };
      const csv = await get('format=csv&table=external');
      assert.equal(csv.status, 200);
      assert.match(csv.type, /^text\/csv/);
      assert.equal(csv.disp, 'attachment; filename="external-2024-02-external.csv"');
      const text = csv.body.toString('utf8');
      assert.ok(text.startsWith(BOM + 'รหัสหน่วยงาน,ชื่อหน่วยงาน,งวด,แหล่งข้อมูล,ผู้มารับบริการ,ผู้ตอบแบบสำรวจ,คะแนนรวม,คะแนนเฉลี่ย,ร้อยละ,อันดับ,จากทั้งหมด\r\n'), text);
      // Numbers as numbers (no thousands separator, no quotes), the period as its Thai label.
      assert.ok(text.includes(`47,สกลนคร,ก.พ. 2567,${KPR},1671,1000,9173,9.17,91.73,2,76\r\n`), text);

      const x = await get('format=xlsx&table=external');
      assert.equal(x.status, 200);
      assert.equal(x.type, XLSX_TYPE);
      assert.equal(x.body.subarray(0, 2).toString(), 'PK');
      const dir = mkdtempSync(join(tmpdir(), 'osspoint-ext-'));
      try {
        const path = join(dir, 'e.xlsx');
        writeFileSync(path, x.body);
        const sheet = execFileSync('unzip', ['-p', path, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' });
        assert.match(sheet, /<v>1671<\/v>/, 'users is a numeric cell');
        assert.match(sheet, /<v>9\.17<\/v>/);
      } finally { rmSync(dir, { recursive: true, force: true }); }
      const back = await upload(nadmin, x.body, { name: 'external-2024-02-external.xlsx', type: XLSX_TYPE, source: '' });
      assert.equal(back.status, 201, back.text);
      assert.deepEqual([back.json.rows, back.json.added, back.json.replaced], [3, 0, 3]);
      assert.equal(count(srv), 3);
      const l = await nadmin.get('/stats/external?period=2024-02');
      const sk = l.json.rows.find((r) => r.unit_code === '47');
      assert.deepEqual([sk.users, sk.score_mean, sk.percent, sk.rank, sk.rank_of], [1671, '9.17', '91.73', 2, 76]);

      assert.equal((await get('format=pdf&table=external')).status, 400);
      const f = await nadmin.get('/stats/external?format=pdf&table=external');
      assert.equal(f.json.code, 'export-format');
      const t = await nadmin.get('/stats/external?format=csv&table=nope');
      assert.equal(t.status, 404);
      assert.equal(t.json.code, 'table-not-found');
      const p = await nadmin.get('/stats/external?period=whenever');
      assert.equal(p.status, 400);
    });

    test('the page is Thai HTML for a national admin; province and district admins are refused', async () => {
      const h = await nadmin.get('/stats/external', { accept: 'text/html' });
      assert.equal(h.status, 200);
      assert.match(h.headers.get('content-type'), /text\/html/);
      assert.match(h.text, /ข้อมูลจากแหล่งภายนอก/);
      assert.match(h.text, /enctype="multipart\/form-data"/);
      assert.match(h.text, /สกลนคร/);
      const before = count(srv);
      for (const c of [padmin, dadmin]) {
        assert.equal((await c.get('/stats/external')).status, 403);
        assert.equal((await upload(c, LETTER)).status, 403);
      }
      assert.equal((await new Client(srv.url).get('/stats/external')).status, 401);
      assert.equal(count(srv), before);
      // A refused upload re-renders the page with the errors (HTML).
      const fd = new FormData();
      fd.append('file', new Blob(['รหัสหน่วยงาน,งวด,ผู้มารับบริการ\n4x,2024-02,1\n']), 'x.csv');
      fd.append('source', 'x');
      const bad = await nadmin.req('POST', '/stats/external', { body: fd, accept: 'text/html' });
      assert.equal(bad.status, 422);
      assert.match(bad.text, /แถวที่ 2 คอลัมน์ &quot;รหัสหน่วยงาน&quot;|แถวที่ 2 คอลัมน์ "รหัสหน่วยงาน"/);
    });

    test('osspoint import-external does the same from the command line, all or nothing', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'osspoint-ext-'));
      try {
        const good = join(dir, 'mar.csv');
        writeFileSync(good, 'unit_code,period,users,respondents,score_mean\n47,2024-03,1700,900,9.2\n');
        const out = run(['import-external', good, '--source', 'ก.พ.ร.', '--by', 'nadmin'], { env: srv.env });
        assert.match(out, /นำเข้าตัวเลขจากแหล่งภายนอก 1 แถว/);
        const l = await nadmin.get('/stats/external?period=2024-03');
        assert.equal(l.json.rows.length, 1);
        assert.equal(l.json.rows[0].source, 'ก.พ.ร.');
        assert.equal(l.json.rows[0].percent_shown, '92.00');
        assert.deepEqual(l.json.rows[0].derived, ['percent_shown']);
        const bad = join(dir, 'bad.csv');
        writeFileSync(bad, 'unit_code,period,users\n47,2024-04,1\n47,2024-04,x\n');
        let failed = null;
        try { execFileSync(BIN, ['import-external', bad, '--source', 'x'], { env: srv.env, encoding: 'utf8', stdio: 'pipe' }); } catch (e) { failed = e; }
        assert.ok(failed, 'exit status 1');
        assert.equal(failed.status, 1);
        assert.match(failed.stderr, /แถวที่ 3 คอลัมน์ "users"/);
        assert.equal((await nadmin.get('/stats/external?period=2024-04')).json.rows.length, 0);
      } finally { rmSync(dir, { recursive: true, force: true }); }
    });
  });
}
