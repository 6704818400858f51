// Coordination channels and the contacts directory (issue 11, steps 8 and
// 9): staff see the contacts of their unit and the units above it, with
// tel: links, and the channels of their province and the nation with their
// QR codes; osspoint seed ships DOPA's entry from the letter; admins keep
// the entries of their unit and below; channels belong to a province or
// the nation. On both databases.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, Client, run } from './lib.mjs';

for (const backend of backends()) {
  describe(`contacts and channels on ${backend}`, () => {
    let srv;
    const c = {};
    before(async () => {
      srv = await startServer(backend);
      for (const u of ['officer4701', 'dadmin4701', 'officer4702', 'padmin47', 'nadmin']) {
        c[u] = new Client(srv.url);
        assert.equal((await c[u].login(u)).status, 200, u);
      }
    });
    after(async () => {
      if (!srv) return;
      const res = await srv.stop();
      assert.deepEqual(res, { code: 0, sig: null });
    });

    test("osspoint seed ships DOPA's administration development group, tap to call", async () => {
      const r = await c.officer4701.get('/contacts');
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.units.map((u) => u.code), ['4701', '47', '0']);
      const dopa = r.json.units[2].contacts;
      assert.equal(dopa.length, 1);
      assert.equal(dopa[0].name_th, 'กลุ่มพัฒนาระบบบริหาร กรมการปกครอง');
      assert.equal(dopa[0].phone, '๐ ๒๒๒๑ ๒๑๘๘');
      assert.equal(dopa[0].tel_href, 'tel:022212188');
      const html = await c.officer4701.get('/contacts', { accept: 'text/html' });
      assert.ok(html.text.includes('<a class="tel" href="tel:022212188">๐ ๒๒๒๑ ๒๑๘๘</a>'));
      // Seeding again adds nothing and keeps an edit.
      const id = dopa[0].id;
      assert.equal((await c.nadmin.post(`/contacts/${id}`, { json: { note: 'เวลาราชการ' } })).status, 200);
      run(['seed'], { env: srv.env });
      const again = (await c.officer4701.get('/contacts')).json.units[2].contacts;
      assert.equal(again.length, 1);
      assert.equal(again[0].note, 'เวลาราชการ');
    });

    test('a province admin keeps its office and its LINE group; its districts see them', async () => {
      const p = await c.padmin47.post('/units/47/contacts', { json: { name_th: 'ที่ทำการปกครองจังหวัดสกลนคร กลุ่มงานปกครอง', phone: '๐ ๔๒๗๑ ๑๕๖๑' } });
      assert.equal(p.status, 201, p.text);
      const ch = await c.padmin47.post('/units/47/channels', { json: { kind: 'line_openchat', name_th: 'OSS e-Service สกลนคร', url: 'https://line.me/ti/g2/abcdef' } });
      assert.equal(ch.status, 201, ch.text);
      const n = await c.nadmin.post('/units/0/channels', { json: { kind: 'line_group', name_th: 'กลุ่มไลน์ประสานงานฯ ส่วนกลาง', url: 'https://line.me/R/ti/g/xyz' } });
      assert.equal(n.status, 201, n.text);
      const r = await c.officer4701.get('/contacts');
      const [, prov, nat] = r.json.units;
      assert.equal(prov.contacts[0].tel_href, 'tel:042711561');
      assert.equal(prov.channels[0].kind_label, 'ไลน์ OpenChat');
      assert.match(prov.channels[0].qr_svg, /^<svg [^>]*role="img"/);
      assert.equal(nat.channels[0].name_th, 'กลุ่มไลน์ประสานงานฯ ส่วนกลาง');
      assert.equal(prov.can_edit, false);
      // Another province's district does not see province 47's entries.
      const other = new Client(srv.url);
      await c.nadmin.post('/users', { json: { username: 'officer4801', display_name: 'ทดสอบ', role: 'officer', unit_code: '4801', password: 'long-enough-1' } });
      await other.login('officer4801', 'long-enough-1');
      const o = await other.get('/contacts');
      assert.deepEqual(o.json.units.map((u) => u.code), ['4801', '48', '0']);
      assert.equal(o.json.units[1].channels.length, 0);
      assert.equal(o.json.units[2].channels.length, 1);
    });

    test('who may edit what: own unit and below; channels only for a province or the nation', async () => {
      const d = await c.dadmin4701.post('/units/4701/contacts', { json: { name_th: 'ที่ทำการปกครองอำเภอเมืองสกลนคร', phone: '042-711 222 ต่อ 15', email: 'amphoe@example.go.th' } });
      assert.equal(d.status, 201, d.text);
      const mine = (await c.officer4701.get('/contacts')).json.units[0];
      assert.equal(mine.contacts[0].tel_href, 'tel:042711222,15');
      assert.equal(mine.contacts[0].mailto, 'mailto:amphoe@example.go.th');
      const up = await c.dadmin4701.post('/units/47/contacts', { json: { name_th: 'x' } });
      assert.equal(up.status, 403);
      assert.equal(up.json.type, '/problems/out-of-scope');
      const provContact = (await c.officer4701.get('/contacts')).json.units[1].contacts[0].id;
      const e = await c.dadmin4701.post(`/contacts/${provContact}`, { json: { phone: '1' } });
      assert.equal(e.status, 403);
      const off = await c.officer4701.post('/units/4701/contacts', { json: { name_th: 'x' } });
      assert.equal(off.status, 403);
      const dch = await c.dadmin4701.post('/units/4701/channels', { json: { kind: 'line_group', name_th: 'x', url: 'https://line.me/x' } });
      assert.equal(dch.status, 403);
      const lvl = await c.padmin47.post('/units/4701/channels', { json: { kind: 'line_group', name_th: 'x', url: 'https://line.me/x' } });
      assert.equal(lvl.status, 409);
      assert.equal(lvl.json.type, '/problems/channel-level');
      // The province admin edits its district's contact.
      assert.equal((await c.padmin47.post(`/contacts/${d.json.id}`, { json: { note: 'ศูนย์ดำรงธรรมอำเภอ' } })).status, 200);
      assert.equal((await c.dadmin4701.get('/units/4701/contacts')).status, 200);
    });

    test('fields are checked as declared', async () => {
      const bad = await c.padmin47.post('/units/47/contacts', { json: { phone: 'โทรได้ตลอด', email: 'x' } });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.json.errors.map((e) => e.field), ['name_th', 'phone', 'email']);
      const html = await c.padmin47.post('/units/47/contacts', { form: { csrf: c.padmin47.csrf, name_th: 'กลุ่มงาน', phone: 'ไม่มี' }, accept: 'text/html' });
      assert.equal(html.status, 422);
      assert.match(html.text, /<a href="#new-c-phone">โทรศัพท์: /);
      assert.match(html.text, /id="new-c-name_th" name="name_th" type="text" maxlength="200" value="กลุ่มงาน"/);
      const url = await c.padmin47.post('/units/47/channels', { json: { kind: 'line_group', name_th: 'x', url: 'javascript:alert(1)' } });
      assert.equal(url.status, 422);
      assert.deepEqual(url.json.errors.map((e) => e.field), ['url']);
      const kind = await c.padmin47.post('/units/47/channels', { json: { kind: 'fax', name_th: 'x', url: 'https://x.example' } });
      assert.equal(kind.status, 422);
      assert.deepEqual(kind.json.errors.map((e) => e.field), ['kind']);
    });

    test('edit and delete; unknown ids answer their own code', async () => {
      const ch = (await c.officer4701.get('/contacts')).json.units[1].channels[0];
      assert.equal((await c.padmin47.post(`/channels/${ch.id}`, { json: { name_th: 'OSS สกลนคร (ใหม่)' } })).status, 200);
      assert.equal((await c.officer4701.get('/contacts')).json.units[1].channels[0].name_th, 'OSS สกลนคร (ใหม่)');
      assert.equal((await c.padmin47.post(`/channels/${ch.id}/delete`, { json: {} })).status, 200);
      const gone = await c.padmin47.post(`/channels/${ch.id}`, { json: { name_th: 'x' } });
      assert.equal(gone.status, 404);
      assert.equal(gone.json.type, '/problems/channel-not-found');
      const nc = await c.padmin47.post('/contacts/999999', { json: { name_th: 'x' } });
      assert.equal(nc.status, 404);
      assert.equal(nc.json.type, '/problems/contact-not-found');
      const audit = srv.sql("SELECT action FROM audit_log WHERE action LIKE 'contact.%' OR action LIKE 'channel.%'").map((r) => r[0]);
      for (const a of ['contact.add', 'contact.edit', 'channel.add', 'channel.edit', 'channel.delete']) assert.ok(audit.includes(a), a);
    });
  });
}
