// แจ้งปัญหา (issue 11, step 9): a district raises a problem to its province
// or to DOPA with optional attachments (images and PDF only: sniffed,
// size-limited, images re-encoded without their metadata, staff-only,
// purged with retention); the level above answers; status open → answered
// → closed; the threads show on the home page of whoever must act. On
// both databases.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backends, startServer, Client, run, ROOT } from './lib.mjs';
import { PDF, postMultipart, getBytes } from './files.mjs';

const SECRET = 'GPS-SECRET-4701-นายทดสอบ';

// The fixture JPEG with a comment segment and an XMP packet holding SECRET
// (metadata a phone's photo carries), inserted after SOI.
function jpegWithMetadata() {
  const jpg = readFileSync(join(ROOT, 'tests', 'api', 'fixtures', 'photo.jpg'));
  const seg = (marker, payload) => {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(payload.length + 2);
    return Buffer.concat([Buffer.from([0xff, marker]), len, payload]);
  };
  const com = seg(0xfe, Buffer.from(SECRET));
  const xmp = seg(0xe1, Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0'),
    Buffer.from(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>${SECRET}</rdf:Description></rdf:RDF></x:xmpmeta>`)]));
  return Buffer.concat([jpg.subarray(0, 2), com, xmp, jpg.subarray(2)]);
}

for (const backend of backends()) {
  describe(`แจ้งปัญหา on ${backend}`, () => {
    let srv;
    const c = {};
    const ids = {};
    before(async () => {
      srv = await startServer(backend, { OSSPOINT_HELPDESK_FILE_MAX: String(64 * 1024), OSSPOINT_HELPDESK_FILES_MAX: '3' });
      const nadmin = new Client(srv.url);
      await nadmin.login('nadmin');
      for (const [username, role, unit_code] of [['padmin48', 'province_admin', '48']]) {
        const r = await nadmin.post('/users', { json: { username, display_name: 'ทดสอบ', role, unit_code, password: 'long-enough-1' } });
        assert.equal(r.status, 201, r.text);
      }
      for (const u of ['officer4701', 'dadmin4701', 'officer4702', 'padmin47', 'nadmin', 'padmin48']) {
        c[u] = new Client(srv.url);
        assert.equal((await c[u].login(u, u === 'padmin48' ? 'long-enough-1' : undefined)).status, 200, u);
      }
    });
    after(async () => {
      if (!srv) return;
      const res = await srv.stop();
      assert.deepEqual(res, { code: 0, sig: null });
    });

    test('a district raises a problem to its province with a photo and a PDF', async () => {
      const jpg = jpegWithMetadata();
      assert.ok(jpg.includes(Buffer.from(SECRET)));
      const r = await postMultipart(c.officer4701, '/helpdesk',
        { subject: 'บันทึกทะเบียนไม่ได้', urgency: 'very_urgent', to: 'province', body: 'กดบันทึกแล้วขึ้นข้อความระบบไม่พร้อม\nตั้งแต่ 9 โมง' },
        [['attachments', jpg, 'IMG_0001.jpg'], ['attachments', PDF, 'หนังสือ.pdf']]);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.status, 'open');
      assert.equal(r.json.to_unit, '47');
      assert.equal(r.json.attachments, 2);
      ids.t1 = r.json.id;
      const t = await c.officer4701.get(`/helpdesk/${ids.t1}`);
      assert.equal(t.status, 200);
      assert.equal(t.json.thread.urgency_label, 'ด่วนมาก');
      assert.equal(t.json.party, 'raiser');
      const [photo, pdf] = t.json.thread.thread_messages[0].attachments;
      assert.equal(photo.content_type, 'image/jpeg');
      // The stored photo is re-encoded: a JPEG, its metadata gone.
      const p = await getBytes(c.padmin47, photo.href);
      assert.equal(p.status, 200);
      assert.equal(p.headers.get('content-type'), 'image/jpeg');
      assert.equal(p.headers.get('cache-control'), 'private, no-store');
      assert.deepEqual([...p.bytes.subarray(0, 3)], [0xff, 0xd8, 0xff]);
      assert.ok(!p.bytes.includes(Buffer.from(SECRET)), 'no comment or XMP survives');
      assert.ok(!p.bytes.includes(Buffer.from('http://ns.adobe.com/xap')));
      const f = await getBytes(c.officer4701, pdf.href);
      assert.equal(f.bytes.toString('latin1'), PDF);
      // Staff only: a visitor, another district, another province.
      assert.equal((await getBytes(new Client(srv.url), pdf.href)).status, 401);
      assert.equal((await getBytes(c.officer4702, pdf.href)).status, 403);
      assert.equal((await getBytes(c.padmin48, pdf.href)).status, 403);
      // The form warns not to attach citizens' data.
      const page = await c.officer4701.get('/helpdesk', { accept: 'text/html' });
      assert.match(page.text, /ห้ามแนบหรือพิมพ์ข้อมูลส่วนบุคคลของประชาชน/);
    });

    test('the province sees it on its home page, answers; the district sees the answer on its own', async () => {
      const h = await c.padmin47.get('/home');
      assert.equal(h.status, 200);
      assert.ok(h.json.helpdesk.threads.some((t) => t.id === ids.t1 && t.status === 'open'));
      assert.equal((await c.padmin48.get('/home')).json.helpdesk.threads.length, 0);
      assert.equal((await c.officer4701.get('/home')).json.helpdesk.threads.length, 0);
      const a = await c.padmin47.post(`/helpdesk/${ids.t1}/messages`, { json: { body: 'ตรวจสอบแล้ว ฐานข้อมูลกลับมาใช้งานได้' } });
      assert.equal(a.status, 201, a.text);
      assert.equal(a.json.status, 'answered');
      assert.ok((await c.officer4701.get('/home')).json.helpdesk.threads.some((t) => t.id === ids.t1));
      assert.equal((await c.padmin47.get('/home')).json.helpdesk.threads.length, 0);
      const f = await c.officer4701.post(`/helpdesk/${ids.t1}/messages`, { json: { body: 'ยังช้าอยู่' } });
      assert.equal(f.json.status, 'open');
      const list = await c.padmin47.get('/helpdesk?status=open');
      assert.deepEqual(list.json.threads.map((t) => t.id), [ids.t1]);
      assert.equal((await c.padmin47.get('/helpdesk?status=closed')).json.threads.length, 0);
      assert.equal((await c.padmin47.get('/helpdesk?status=bogus')).status, 400);
      // DOPA may step in on a province's thread.
      const n = await c.nadmin.post(`/helpdesk/${ids.t1}/messages`, { json: { body: 'กรมฯ รับทราบ' } });
      assert.equal(n.status, 201);
      assert.equal(n.json.status, 'answered');
    });

    test('raised to DOPA: DOPA answers, the province reads but is not a party', async () => {
      const r = await c.dadmin4701.post('/helpdesk', { json: { subject: 'ขอคู่มือฉบับใหม่', body: 'ขอไฟล์คู่มือการให้บริการ', to: 'national' } });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.to_unit, '0');
      ids.t2 = r.json.id;
      assert.ok((await c.nadmin.get('/home')).json.helpdesk.threads.some((t) => t.id === ids.t2));
      assert.ok((await c.padmin47.get('/helpdesk')).json.threads.some((t) => t.id === ids.t2));
      assert.equal((await c.padmin47.get(`/helpdesk/${ids.t2}`)).json.can_reply, false);
      const p = await c.padmin47.post(`/helpdesk/${ids.t2}/messages`, { json: { body: 'x' } });
      assert.equal(p.status, 403);
      assert.equal(p.json.type, '/problems/helpdesk-not-party');
      assert.equal((await c.nadmin.post(`/helpdesk/${ids.t2}/messages`, { json: { body: 'ส่งให้แล้ว' } })).json.status, 'answered');
    });

    test('only districts raise; outsiders are refused; fields are checked', async () => {
      const p = await c.padmin47.post('/helpdesk', { json: { subject: 'x', body: 'y' } });
      assert.equal(p.status, 403);
      assert.equal(p.json.type, '/problems/district-only');
      assert.equal((await c.officer4702.get(`/helpdesk/${ids.t1}`)).status, 403);
      assert.equal((await c.padmin48.post(`/helpdesk/${ids.t1}/close`, { json: {} })).status, 403);
      const nf = await c.officer4701.get('/helpdesk/999999');
      assert.equal(nf.status, 404);
      assert.equal(nf.json.type, '/problems/helpdesk-not-found');
      // A refused HTML form comes back with what was typed and a summary of what to fix.
      const html = await c.officer4701.post('/helpdesk', { form: { csrf: c.officer4701.csrf, body: 'รายละเอียดที่พิมพ์ไว้', urgency: 'urgent' }, accept: 'text/html' });
      assert.equal(html.status, 422);
      assert.match(html.text, /class="error-summary" role="alert"/);
      assert.match(html.text, /<a href="#hd-subject">เรื่อง: กรุณากรอกข้อมูลช่องนี้<\/a>/);
      assert.match(html.text, />รายละเอียดที่พิมพ์ไว้<\/textarea>/);
      assert.match(html.text, /<option value="urgent" selected>/);
      assert.match(html.text, /id="hd-subject" name="subject"[^>]*aria-invalid="true" aria-describedby="e-hd-subject"/);
      const bad = await c.officer4701.post('/helpdesk', { json: { urgency: 'now', to: 'minister' } });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.json.errors.map((e) => e.field), ['subject', 'urgency', 'to', 'body']);
    });

    test('attachments: images and PDF only, sniffed, size- and count-limited', async () => {
      const base = { subject: 'ไฟล์', body: 'ทดสอบไฟล์แนบ' };
      const txt = await postMultipart(c.officer4701, '/helpdesk', base, [['attachments', 'ชื่อ นามสกุล 1103702071838', 'photo.jpg']]);
      assert.equal(txt.status, 415);
      assert.equal(txt.json.type, '/problems/file-type');
      const zip = await postMultipart(c.officer4701, '/helpdesk', base, [['attachments', Buffer.from('504b030414000000', 'hex'), 'a.pdf']]);
      assert.equal(zip.status, 415);
      const broken = await postMultipart(c.officer4701, '/helpdesk', base, [['attachments', readFileSync(join(ROOT, 'tests', 'api', 'fixtures', 'photo.jpg')).subarray(0, 200), 'cut.jpg']]);
      assert.equal(broken.status, 422);
      assert.equal(broken.json.type, '/problems/file-damaged');
      const big = await postMultipart(c.officer4701, '/helpdesk', base, [['attachments', PDF + ' '.repeat(70 * 1024), 'big.pdf']]);
      assert.equal(big.status, 413);
      assert.equal(big.json.type, '/problems/file-too-large');
      const png = readFileSync(join(ROOT, 'tests', 'api', 'fixtures', 'shot.png'));
      const many = await postMultipart(c.officer4701, '/helpdesk', base, [1, 2, 3, 4].map((i) => ['attachments', png, `${i}.png`]));
      assert.equal(many.status, 422);
      assert.equal(many.json.type, '/problems/too-many-files');
      const before = srv.sql('SELECT COUNT(*) FROM helpdesk_threads')[0][0];
      const ok = await postMultipart(c.officer4701, '/helpdesk', base, [['attachments', png, 'หน้าจอ.png'], ['attachments', new Uint8Array(0), '']]);
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.json.attachments, 1);
      assert.equal(Number(srv.sql('SELECT COUNT(*) FROM helpdesk_threads')[0][0]), Number(before) + 1);
      ids.t3 = ok.json.id;
    });

    test('closed is closed', async () => {
      const cl = await c.officer4701.post(`/helpdesk/${ids.t2}/close`, { json: {} });
      assert.equal(cl.status, 200);
      assert.equal(cl.json.status, 'closed');
      const again = await c.nadmin.post(`/helpdesk/${ids.t2}/close`, { json: {} });
      assert.equal(again.status, 409);
      assert.equal(again.json.type, '/problems/helpdesk-closed');
      const rep = await c.nadmin.post(`/helpdesk/${ids.t2}/messages`, { json: { body: 'x' } });
      assert.equal(rep.status, 409);
      assert.equal((await c.officer4701.get(`/helpdesk/${ids.t2}`)).json.can_reply, false);
    });

    test('the retention purge erases old attachments and their blobs; the thread stays', async () => {
      const blobsBefore = Number(srv.sql('SELECT COUNT(*) FROM blobs')[0][0]);
      assert.ok(blobsBefore >= 3);
      srv.sql(`UPDATE helpdesk_attachments SET created_at = created_at - 400 * 86400 WHERE thread_id = ${ids.t1}`);
      const out = run(['purge'], { env: srv.env });
      assert.match(out, /ลบ/);
      const t = await c.officer4701.get(`/helpdesk/${ids.t1}`);
      const files = t.json.thread.thread_messages[0].attachments;
      assert.ok(files.every((a) => a.is_purged));
      const g = await c.officer4701.get(files[0].href);
      assert.equal(g.status, 410);
      assert.equal(g.json.type, '/problems/attachment-purged');
      assert.equal(Number(srv.sql('SELECT COUNT(*) FROM blobs')[0][0]), blobsBefore - 2);
      assert.equal(srv.sql(`SELECT COUNT(*) FROM helpdesk_attachments WHERE thread_id = ${ids.t3} AND blob_hash IS NOT NULL`)[0][0], '1');
      assert.equal(srv.sql("SELECT detail FROM audit_log WHERE action = 'helpdesk.purge'")[0][0], '2');
      const none = await c.officer4701.get(`/helpdesk/${ids.t1}/attachments/999999`);
      assert.equal(none.status, 404);
      assert.equal(none.json.type, '/problems/attachment-not-found');
    });
  });
}
