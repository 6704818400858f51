// Issue 9 items 1 and 2: what province and national staff get from the
// registry menu (an overview of their districts, not a 400), and every
// role's home page showing what that role does daily. On SQLite and
// PostgreSQL.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, Client } from './lib.mjs';

function bkk(minutes = 0) {
  return new Date(Date.now() + 7 * 3600e3 + minutes * 60e3).toISOString().slice(0, 16);
}

const entry = (over = {}) => ({ visited_at: bkk(0), visitor_name: 'นายภาพรวม ทดสอบ', channel: 'tangrat',
  services: [{ code: 'tangrat_signup', outcome: 'completed' }, { code: 'rd_efiling', outcome: 'referred' }], ...over });

for (const backend of backends()) {
  describe(`staff pages on ${backend}`, () => {
    let srv, off, adm, prov, nat;
    before(async () => {
      srv = await startServer(backend);
      off = new Client(srv.url); await off.login('officer4701');
      adm = new Client(srv.url); await adm.login('dadmin4701');
      prov = new Client(srv.url); await prov.login('padmin47');
      nat = new Client(srv.url); await nat.login('nadmin');
    });
    after(async () => {
      if (!srv) return;
      const res = await srv.stop();
      assert.deepEqual(res, { code: 0, sig: null }, `the server exits cleanly: ${srv.stderr().slice(-2000)}`);
    });

    test('a province admin opening the registry gets an overview of their districts', async () => {
      const a = (await off.post('/registry', { json: entry() })).json;
      await off.post('/registry', { json: entry({ visitor_name: 'นางสอง ทดสอบ' }) });
      const v = (await off.post('/registry', { json: entry({ visitor_name: 'นายสาม ทดสอบ' }) })).json;
      assert.equal((await off.post(`/registry/${v.id}/void`, { json: { reason: 'ซ้ำ' } })).status, 200);
      const r = await prov.get('/registry');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.districts.length, 18);
      const d = r.json.districts.find((x) => x.code === '4701');
      for (const k of ['code', 'name_th', 'entries', 'services', 'void', 'last_entry_at']) assert.ok(k in d, k);
      assert.equal(d.entries, 2);
      assert.equal(d.services, 4);
      assert.equal(d.void, 1);
      assert.ok(d.last_entry_at >= a.visited_at);
      assert.equal(d.href, `/registry?unit=4701&period=${a.period}`);
      assert.match(d.exports.pdf, /^\/registry\/export\.pdf\?unit=4701&period=/);
      assert.equal(r.json.districts.find((x) => x.code === '4702').last_entry_at, null);
      // Sortable: by entries, most first; a bad key names the field.
      const s = await prov.get('/registry?sort=entries&dir=desc');
      assert.equal(s.json.districts[0].code, '4701');
      assert.equal(s.json.columns.find((c) => c.key === 'entries').aria_sort, 'descending');
      const bad = await prov.get('/registry?sort=password');
      assert.equal(bad.status, 400);
      assert.equal(bad.json.field, 'sort');
      // The page, with links to each district's registry and a picker.
      const html = await prov.get('/registry', { accept: 'text/html' });
      assert.equal(html.status, 200);
      assert.match(html.text, /href="\/registry\?unit=4701&amp;period=/);
      assert.match(html.text, /<select id="f-district" name="unit">/);
      // And the district's registry itself opens from there.
      assert.equal((await prov.get(d.href)).status, 200);
    });

    test('the registry form offers what the district\'s point offers: its area, then its hidden list', async () => {
      const codes = async () => (await off.get('/registry/new')).json.service_rows[0].options.map((o) => o.code);
      const before = await codes();
      assert.ok(before.includes('pea_eservice'), 'PEA serves Sakon Nakhon');
      assert.ok(!before.includes('mea_eservice'), 'MEA serves only Bangkok, Nonthaburi and Samut Prakan');
      assert.ok(before.includes('rd_efiling'));
      const hid = await adm.post('/points/4701/services', { json: { hidden: ['rd_efiling'] } });
      assert.ok(hid.status < 400, hid.text);
      assert.ok(!(await codes()).includes('rd_efiling'), 'a hidden service leaves the form');
      // An entry that already holds it keeps it in its edit form.
      const e = (await off.get('/registry')).json.entries.find((x) => x.services.some((sv) => sv.code === 'rd_efiling'));
      assert.ok(e, 'an entry with rd_efiling exists');
      const edit = await off.get(`/registry/${e.id}/edit`);
      const row = edit.json.service_rows.find((r) => r.options.some((o) => o.code === 'rd_efiling' && o.selected));
      assert.ok(row, 'the edit form still offers and selects the held service');
      assert.ok((await adm.post('/points/4701/services', { json: { hidden: [] } })).status < 400);
    });

    test('a national admin sees provinces first, then a province\'s districts', async () => {
      const r = await nat.get('/registry');
      assert.equal(r.status, 200);
      assert.equal(r.json.provinces.length, 76, 'the provinces in the programme (Bangkok is outside by default)');
      assert.equal(r.json.districts.length, 0);
      const p = r.json.provinces.find((x) => x.code === '47');
      assert.equal(p.entries, 2);
      assert.equal(p.districts, 18);
      assert.equal((await nat.get(p.href)).json.districts.length, 18);
    });

    test('an officer\'s home starts with "บันทึกผู้มารับบริการ" and today\'s and this period\'s counts', async () => {
      const h = await off.get('/home');
      assert.equal(h.json.primary.href, '/registry/new');
      assert.equal(h.json.primary.label, 'บันทึกผู้มารับบริการ');
      assert.equal(h.json.counts.today, 2);
      assert.equal(h.json.counts.period, 2);
      const html = await off.get('/home', { accept: 'text/html' });
      const first = html.text.indexOf('บันทึกผู้มารับบริการ');
      assert.ok(first > 0 && first < html.text.indexOf('ทะเบียนผู้รับบริการ</span>'), 'the action comes first');
    });

    test('a district admin\'s home shows entries edited or voided today, failed imports and the point\'s status', async () => {
      const e = (await off.post('/registry', { json: entry({ visitor_name: 'นายแก้ไข วันนี้' }) })).json;
      await off.post(`/registry/${e.id}`, { json: { remarks: 'แก้' } });
      const job = await adm.post('/registry/import', { body: 'visitor_name\nx\n', headers: { 'content-type': 'text/csv' } });
      assert.equal(job.status, 202);
      for (let i = 0; i < 50 && (await adm.get(job.json.href)).json.job.status === 'running'; i++) await new Promise((r) => setTimeout(r, 100));
      srv.sql("UPDATE points SET status = 'temporarily_closed' WHERE unit_code = '4701'");
      const h = await adm.get('/home');
      const numbers = h.json.changed_today.map((x) => x.number);
      assert.ok(numbers.includes(e.number), 'the edited entry');
      assert.ok(h.json.changed_today.some((x) => x.void), 'the voided one');
      assert.equal(h.json.failed_imports.length, 1);
      assert.equal(h.json.failed_imports[0].href, job.json.href);
      assert.equal(h.json.point.status, 'temporarily_closed');
      assert.equal(h.json.point.open, false);
      assert.equal(h.json.primary.href, '/registry/new');
      srv.sql("UPDATE points SET status = 'open' WHERE unit_code = '4701'");
    });

    test('a province admin\'s home shows districts with no entry in three working days and closed points', async () => {
      srv.sql("UPDATE points SET status = 'closed' WHERE unit_code = '4703'");
      const h = await prov.get('/home');
      const idle = h.json.idle.districts.map((d) => d.code);
      assert.ok(!idle.includes('4701'), '4701 has entries');
      assert.ok(idle.includes('4702'));
      assert.equal(idle.length, 17);
      assert.equal(h.json.idle.working_days, 3);
      assert.deepEqual(h.json.closed_points.map((p) => p.code), ['4703']);
      const n = await nat.get('/home');
      const p47 = n.json.idle.districts.find((p) => p.code === '47');
      assert.equal(p47.idle, 17);
      assert.ok(n.json.closed_points.some((p) => p.code === '4703'));
      srv.sql("UPDATE points SET status = 'open' WHERE unit_code = '4703'");
    });
  });
}
