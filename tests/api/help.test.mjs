// The built-in manual (issue 11, step 7): docs/manual-th.md served in
// sections at /help and /help/{section}, searchable in Thai, printable, with
// a help link on every staff page; documents a national admin publishes
// (PDF or Markdown: sniffed, checked, size-limited, stored once as
// content-hashed blobs in chunks, streamed back). On both databases.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backends, startServer, Client, ROOT } from './lib.mjs';
import { PDF, postMultipart, getBytes } from './files.mjs';

for (const backend of backends()) {
  describe(`manual and documents on ${backend}`, () => {
    let srv, officer, nadmin, padmin;
    before(async () => {
      srv = await startServer(backend, { OSSPOINT_HELP_DOC_MAX: String(1 << 20) });
      officer = new Client(srv.url);
      nadmin = new Client(srv.url);
      padmin = new Client(srv.url);
      assert.equal((await officer.login('officer4701')).status, 200);
      assert.equal((await nadmin.login('nadmin')).status, 200);
      assert.equal((await padmin.login('padmin47')).status, 200);
    });
    after(async () => {
      if (!srv) return;
      const res = await srv.stop();
      assert.deepEqual(res, { code: 0, sig: null });
    });

    test('the manual in sections, from the headings of docs/manual-th.md', async () => {
      const md = readFileSync(join(ROOT, 'docs', 'manual-th.md'), 'utf8');
      const headings = [...md.matchAll(/^## (.*?)(?: \{#([a-z][a-z0-9-]*)\})?$/gm)];
      const r = await officer.get('/help');
      assert.equal(r.status, 200);
      assert.equal(r.json.sections.length, headings.length);
      for (const [i, h] of headings.entries()) {
        assert.equal(r.json.sections[i].title, h[1]);
        if (h[2]) assert.equal(r.json.sections[i].id, h[2]);
      }
      for (const id of ['daily', 'registry', 'survey', 'help', 'contacts', 'helpdesk'])
        assert.ok(r.json.sections.some((s) => s.id === id), id);
      const s = await officer.get('/help/helpdesk');
      assert.equal(s.status, 200);
      assert.match(s.json.section.html, /<h2>6ง\. แจ้งปัญหา<\/h2>/);
      assert.equal(s.json.prev.id, 'contacts');
      // Pipe tables render as tables (cmark-gfm), the {#id} is not shown.
      const roles = await officer.get('/help/roles');
      assert.match(roles.json.section.html, /<table>[\s\S]*<th>บทบาท<\/th>/);
      assert.doesNotMatch(roles.json.section.html, /\{#/);
      const miss = await officer.get('/help/nope');
      assert.equal(miss.status, 404);
      assert.equal(miss.json.type, '/problems/help-section-not-found');
      // Staff only.
      const anon = await new Client(srv.url).get('/help');
      assert.equal(anon.status, 401);
    });

    test('Thai search finds the section (word segmentation, no spaces)', async () => {
      for (const [q, id] of [['แจ้งปัญหา', 'helpdesk'], ['กลุ่มไลน์ประสานงาน', 'contacts'], ['ยกเลิกรายการ', 'registry'],
        ['ไฟล์แนบ', 'helpdesk'], ['พิมพ์ใบแบบสำรวจ', 'survey']]) {
        const r = await officer.get(`/help?q=${encodeURIComponent(q)}`);
        assert.equal(r.status, 200);
        assert.ok(r.json.searched);
        assert.ok(r.json.results.length > 0, q);
        assert.ok(r.json.results.slice(0, 3).some((x) => x.id === id), `${q}: ${r.json.results.map((x) => x.id)}`);
        assert.equal(typeof r.json.results[0].snippet, 'string');
      }
      const none = await officer.get(`/help?q=${encodeURIComponent('zzzzqqq')}`);
      assert.equal(none.json.results.length, 0);
    });

    test('printable: the whole manual on one page, print styles hide the chrome', async () => {
      const r = await officer.get('/help/print', { accept: 'text/html' });
      assert.equal(r.status, 200);
      const list = (await officer.get('/help')).json.sections;
      for (const s of list) assert.ok(r.text.includes(`id="${s.id}"`), s.id);
      const css = readFileSync(join(ROOT, 'static', 'css', 'app.css'), 'utf8');
      assert.match(css, /@media print[\s\S]*\.no-print/);
    });

    test('every staff page links to its section of the manual', async () => {
      const pages = [['/home', 'daily'], ['/registry', 'registry'], ['/registry/new', 'registry'], ['/units', 'home'],
        ['/contacts', 'contacts'], ['/helpdesk', 'helpdesk'], ['/help', 'help'], ['/survey/counter', 'survey']];
      for (const [path, id] of pages) {
        const r = await officer.get(path, { accept: 'text/html' });
        assert.equal(r.status, 200, path);
        assert.ok(r.text.includes(`class="help-link no-print"><a href="/help/${id}"`), `${path} → ${id}`);
      }
      const d = new Client(srv.url);
      await d.login('dadmin4701');
      const u = await d.get('/users', { accept: 'text/html' });
      assert.ok(u.text.includes('href="/help/users"'));
      // Public pages have none.
      const pub = await new Client(srv.url).get('/', { accept: 'text/html' });
      assert.ok(!pub.text.includes('help-link'));
    });

    test('a national admin publishes a PDF and a Markdown document for every point', async () => {
      const denied = await postMultipart(padmin, '/help/docs', { title_th: 'x' }, [['file', PDF, 'a.pdf']]);
      assert.equal(denied.status, 403);
      const p = await postMultipart(nadmin, '/help/docs', { title_th: 'คู่มือการให้บริการสำหรับหน่วยงานปฏิบัติ' },
        [['file', PDF, 'คู่มือ.pdf']]);
      assert.equal(p.status, 201, p.text);
      assert.equal(p.json.kind, 'pdf');
      assert.equal(p.json.pages, 1);
      const list = await officer.get('/help');
      assert.ok(list.json.docs.some((d) => d.id === p.json.id && d.is_pdf));
      const f = await getBytes(officer, `/help/docs/${p.json.id}/file`);
      assert.equal(f.status, 200);
      assert.equal(f.headers.get('content-type'), 'application/pdf');
      assert.match(f.headers.get('content-disposition'), /^inline; .*filename\*=UTF-8''%E0%B8%84/);
      assert.equal(f.bytes.toString('latin1'), PDF);
      // The same bytes again are stored once.
      const again = await postMultipart(nadmin, '/help/docs', { title_th: 'สำเนา' }, [['file', PDF, 'b.pdf']]);
      assert.equal(again.status, 201);
      assert.equal(srv.sql('SELECT COUNT(*) FROM blobs')[0][0], '1');
      const md = '# แนวทาง\n\n| ขั้น | งาน |\n|---|---|\n| ๑ | จัดทำคำสั่ง |\n\n<script>alert(1)</script>\n';
      const m = await postMultipart(nadmin, '/help/docs', { title_th: 'แนวทางการขับเคลื่อน' }, [['file', md, 'guide.md']]);
      assert.equal(m.status, 201, m.text);
      assert.equal(m.json.kind, 'markdown');
      const page = await officer.get(`/help/docs/${m.json.id}`);
      assert.equal(page.status, 200);
      assert.match(page.json.doc.html, /<td>จัดทำคำสั่ง<\/td>/);
      assert.doesNotMatch(page.json.doc.html, /<script/);
      assert.ok(!('blob_hash' in page.json.doc));
      const audit = srv.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'help.publish'");
      assert.equal(audit[0][0], '3');
    });

    test('uploads are sniffed, checked and size-limited', async () => {
      const zip = Buffer.from('504b0304140000000000', 'hex');
      const z = await postMultipart(nadmin, '/help/docs', { title_th: 'x' }, [['file', zip, 'manual.pdf']]);
      assert.equal(z.status, 415);
      assert.equal(z.json.type, '/problems/file-type');
      const broken = await postMultipart(nadmin, '/help/docs', { title_th: 'x' }, [['file', '%PDF-1.4\nnot really', 'a.pdf']]);
      assert.equal(broken.status, 422);
      assert.equal(broken.json.type, '/problems/file-damaged');
      const bin = await postMultipart(nadmin, '/help/docs', { title_th: 'x' }, [['file', Buffer.from([0, 1, 2, 0xff, 0xfe, 0]), 'a.md']]);
      assert.equal(bin.status, 415);
      const big = await postMultipart(nadmin, '/help/docs', { title_th: 'x' }, [['file', 'ก'.repeat(400000), 'big.md']]);
      assert.equal(big.status, 413);
      assert.equal(big.json.type, '/problems/file-too-large');
      const nofile = await postMultipart(nadmin, '/help/docs', { title_th: 'x' });
      assert.equal(nofile.status, 422);
      assert.ok(nofile.json.errors.some((e) => e.field === 'file'));
      const page = await postMultipart(nadmin, '/help/docs', { title_th: 'ชื่อที่พิมพ์' }, [], 'text/html');
      assert.equal(page.status, 422);
      assert.match(page.text, /<a href="#doc-file">ไฟล์: /);
      assert.match(page.text, /value="ชื่อที่พิมพ์"/);
      const notitle = await postMultipart(nadmin, '/help/docs', {}, [['file', PDF, 'a.pdf']]);
      assert.equal(notitle.status, 422);
      assert.ok(notitle.json.errors.some((e) => e.field === 'title_th'));
    });

    test('a large file goes in and out in chunks, byte for byte; replace and delete leave no orphan blob', async () => {
      const text = `# ใหญ่\n\n${'บรรทัดทดสอบ ๑๒๓\n'.repeat(14000)}`;
      const bytes = Buffer.from(text);
      assert.ok(bytes.length > 2 * 256 * 1024 && bytes.length < (1 << 20));
      const r = await postMultipart(nadmin, '/help/docs', { title_th: 'ใหญ่' }, [['file', bytes, 'big.md']]);
      assert.equal(r.status, 201, r.text);
      const hash = srv.sql(`SELECT blob_hash FROM help_docs WHERE id = ${r.json.id}`)[0][0];
      assert.equal(srv.sql(`SELECT COUNT(*) FROM blob_chunks WHERE hash = '${hash}'`)[0][0], String(Math.ceil(bytes.length / (256 * 1024))));
      const f = await getBytes(officer, `/help/docs/${r.json.id}/file`);
      assert.equal(f.status, 200);
      assert.equal(Number(f.headers.get('content-length')), bytes.length);
      assert.ok(f.bytes.equals(bytes));
      const up = await postMultipart(nadmin, `/help/docs/${r.json.id}`, { title_th: 'เล็กลง' }, [['file', '# เล็ก\n', 'small.md']]);
      assert.equal(up.status, 200, up.text);
      assert.equal(srv.sql(`SELECT COUNT(*) FROM blobs WHERE hash = '${hash}'`)[0][0], '0');
      assert.equal(srv.sql(`SELECT COUNT(*) FROM blob_chunks WHERE hash = '${hash}'`)[0][0], '0');
      assert.equal((await officer.get(`/help/docs/${r.json.id}`)).json.doc.title_th, 'เล็กลง');
      const del = await nadmin.post(`/help/docs/${r.json.id}/delete`, { json: {} });
      assert.equal(del.status, 200);
      const gone = await officer.get(`/help/docs/${r.json.id}`);
      assert.equal(gone.status, 404);
      assert.equal(gone.json.type, '/problems/help-doc-not-found');
      assert.equal(srv.sql("SELECT COUNT(*) FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM help_docs d WHERE d.blob_hash = b.hash) AND NOT EXISTS (SELECT 1 FROM helpdesk_attachments a WHERE a.blob_hash = b.hash)")[0][0], '0');
    });
  });
}
