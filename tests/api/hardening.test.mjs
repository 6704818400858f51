// Issue 8, the registry's structural items: one error code per failure (14),
// the reveal rule in core (8), edits that keep what they leave out and
// optimistic locking (9), dates outside the supported range (10), the
// closed-period check inside the write (12, at the HTTP level; the race is
// in tests/db/test_visits.c), and exports in the book's order (17). On
// SQLite and PostgreSQL.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backends, startServer, Client, ROOT } from './lib.mjs';

const VALID_CID = '1103702071838';

function bkk(minutes = 0) {
  return new Date(Date.now() + 7 * 3600e3 + minutes * 60e3).toISOString().slice(0, 16);
}

function entry(over = {}) {
  return {
    visited_at: bkk(-5), visitor_name: 'นางทดสอบ แข็งแรง', cid: VALID_CID, phone: '0812345678', sex: 'female',
    age_band: '40_59', services: [{ code: 'tangrat_signup', outcome: 'completed' }], channel: 'tangrat', ...over,
  };
}

// The slugs of the error registry, read from its one table.
function registrySlugs() {
  const src = readFileSync(join(ROOT, 'src/lib/err.c'), 'utf8');
  return [...src.matchAll(/\[ERR_[A-Z_]+\]\s*=\s*\{ERR_[A-Z_]+,\s*(\d+),\s*"([a-z-]+)"/g)].map((m) => ({ status: Number(m[1]), slug: m[2] }));
}

test('the error registry: every code is unique, listed in docs/API.md and in the OpenAPI file', () => {
  const slugs = registrySlugs();
  assert.ok(slugs.length >= 30, `${slugs.length} codes`);
  assert.equal(new Set(slugs.map((s) => s.slug)).size, slugs.length, 'one slug per code');
  const api = readFileSync(join(ROOT, 'docs/API.md'), 'utf8');
  const openapi = JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8'));
  const listed = openapi.components.schemas.Problem.properties.code.enum;
  for (const { slug, status } of slugs) {
    if (slug === 'ok') continue;
    assert.match(api, new RegExp(`\\| ${status} \\| \`${slug}\` \\|`), `docs/API.md lists ${status} ${slug}`);
    assert.ok(listed.includes(slug), `openapi Problem.code lists ${slug}`);
  }
});

for (const backend of backends()) {
  describe(`registry hardening on ${backend}`, () => {
    let srv, off, adm, off2;
    before(async () => {
      srv = await startServer(backend);
      off = new Client(srv.url); await off.login('officer4701');
      adm = new Client(srv.url); await adm.login('dadmin4701');
      off2 = new Client(srv.url); await off2.login('officer4702');
    });
    after(async () => {
      if (!srv) return;
      const res = await srv.stop();
      assert.deepEqual(res, { code: 0, sig: null }, `the server exits cleanly: ${srv.stderr().slice(-2000)}`);
    });

    test('item 8: a voided entry\'s Thai ID cannot be revealed, as its page says', async () => {
      const e = (await off.post('/registry', { json: entry() })).json;
      const page = await adm.get(`/registry/${e.id}`);
      assert.equal(page.json.can_reveal, true);
      assert.equal((await adm.post(`/registry/${e.id}/void`, { json: { reason: 'บันทึกซ้ำ' } })).status, 200);
      const after = await adm.get(`/registry/${e.id}`);
      assert.equal(after.json.can_reveal, false);
      const r = await adm.post(`/registry/${e.id}/reveal`, { json: {} });
      assert.equal(r.status, 409);
      assert.equal(r.json.code, 'already-void');
      assert.equal(r.json.cid, undefined);
      assert.doesNotMatch(r.text, new RegExp(VALID_CID));
      // No ID at all: its own code.
      const n = (await off.post('/registry', { json: entry({ cid: '' }) })).json;
      const none = await adm.post(`/registry/${n.id}/reveal`, { json: {} });
      assert.equal(none.status, 404);
      assert.equal(none.json.code, 'no-cid');
    });

    test('item 9: a JSON edit keeps what it leaves out; null or "" clears an optional field', async () => {
      const e = (await off.post('/registry', { json: entry({ visited_at: bkk(-90), remarks: 'มาพร้อมบุตร' }) })).json;
      const r = await off.post(`/registry/${e.id}`, { json: { visitor_name: 'นางทดสอบ แก้ชื่อ' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.visitor_name, 'นางทดสอบ แก้ชื่อ');
      assert.equal(r.json.visited_at, e.visited_at, 'the visit did not move to now');
      for (const k of ['phone', 'sex', 'age_band', 'channel', 'remarks', 'has_cid', 'cid_last4'])
        assert.deepEqual(r.json[k], e[k], `${k} kept`);
      assert.deepEqual(r.json.services.map((s) => [s.code, s.outcome]), e.services.map((s) => [s.code, s.outcome]));
      assert.equal(r.json.version, e.version + 1);
      const c = await off.post(`/registry/${e.id}`, { json: { phone: null, sex: '', cid: null } });
      assert.equal(c.status, 200, c.text);
      assert.equal(c.json.phone, '');
      assert.equal(c.json.sex, '');
      assert.equal(c.json.has_cid, false);
      assert.equal(c.json.age_band, '40_59', 'not named: kept');
      // A required field cannot be cleared: 422 naming it.
      const bad = await off.post(`/registry/${e.id}`, { json: { visitor_name: null } });
      assert.equal(bad.status, 422);
      assert.equal(bad.json.code, 'invalid');
      assert.ok(bad.json.errors.some((x) => x.field === 'visitor_name'));
    });

    test('item 9: optimistic locking: an edit or void naming an old version gets 409 version-conflict', async () => {
      const e = (await off.post('/registry', { json: entry() })).json;
      assert.equal(e.version, 1);
      const ok = await off.post(`/registry/${e.id}`, { json: { remarks: 'แก้ครั้งแรก', version: 1 } });
      assert.equal(ok.status, 200);
      assert.equal(ok.json.version, 2);
      const stale = await off.post(`/registry/${e.id}`, { json: { remarks: 'แก้จากหน้าเก่า', version: 1 } });
      assert.equal(stale.status, 409);
      assert.equal(stale.json.code, 'version-conflict');
      assert.equal(stale.json.type, '/problems/version-conflict');
      assert.equal(stale.json.field, 'version');
      const v = await off.post(`/registry/${e.id}/void`, { json: { reason: 'ซ้ำ', version: 1 } });
      assert.equal(v.status, 409);
      assert.equal(v.json.code, 'version-conflict');
      assert.equal((await off.get(`/registry/${e.id}`)).json.entry.remarks, 'แก้ครั้งแรก', 'nothing changed');
      // The HTML forms always send it.
      const form = await off.get(`/registry/${e.id}/edit`, { accept: 'text/html' });
      assert.match(form.text, /<input type="hidden" name="version" value="2">/);
      const show = await off.get(`/registry/${e.id}`, { accept: 'text/html' });
      assert.match(show.text, /<input type="hidden" name="version" value="2">/);
      const bad = await off.post(`/registry/${e.id}`, { json: { version: 'abc' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.field, 'version');
    });

    test('item 10: a date outside the supported range is 400 naming the field, never 503', async () => {
      for (const [q, field] of [['to=9999-12-31', 'to'], ['from=99999-01-01', 'from'], ['to=2024-02-30', 'to'], ['period=2024-13', 'period']]) {
        const r = await off.get(`/registry?${q}`);
        assert.equal(r.status, 400, `${q}: ${r.status}`);
        assert.equal(r.json.field, field, q);
        assert.equal(r.json.code, 'bad-date', q);
      }
    });

    test('items 12 and 14: a closed period, an attested one, already void: each its own code and Thai title', async () => {
      const e = (await off.post('/registry', { json: entry() })).json;
      assert.equal((await off.post(`/registry/${e.id}/void`, { json: { reason: 'ซ้ำ' } })).status, 200);
      const again = await off.post(`/registry/${e.id}/void`, { json: { reason: 'ซ้ำอีก' } });
      assert.equal(again.status, 409);
      assert.equal(again.json.code, 'already-void');
      assert.match(again.json.title, /ยกเลิกแล้ว/);
      const edit = await off.post(`/registry/${e.id}`, { json: { remarks: 'x' } });
      assert.equal(edit.json.code, 'already-void');
      // Attest the entry's period straight in the database: edits and voids
      // of its entries now answer period-closed.
      const f = (await off.post('/registry', { json: entry() })).json;
      srv.sql(`INSERT INTO period_attestations (unit_code, period, attested_at) VALUES ('4701', '${f.period}', 1)`);
      const closed = await off.post(`/registry/${f.id}`, { json: { remarks: 'หลังปิดงวด' } });
      assert.equal(closed.status, 409);
      assert.equal(closed.json.code, 'period-closed');
      assert.match(closed.json.title, /ปิดแล้ว/);
      assert.notEqual(closed.json.title, again.json.title);
      const cv = await off.post(`/registry/${f.id}/void`, { json: { reason: 'x' } });
      assert.equal(cv.json.code, 'period-closed');
      const page = (await off.get(`/registry/${f.id}`)).json;
      assert.equal(page.can_edit, false);
      assert.equal(page.can_void, false);
      // Another district's officer in scope? Out of scope: its own code.
      const other = await off2.get(`/registry/${f.id}`);
      assert.equal(other.status, 403);
      assert.equal(other.json.code, 'out-of-scope');
      const missing = await off.get('/registry/987654321');
      assert.equal(missing.status, 404);
      assert.equal(missing.json.code, 'entry-not-found');
      // A province user cannot enter the registry: district-only.
      const p = new Client(srv.url);
      await p.login('padmin47');
      const pn = await p.post('/registry', { json: entry() });
      assert.equal(pn.status, 403);
      assert.equal(pn.json.code, 'district-only');
      srv.sql(`DELETE FROM period_attestations WHERE unit_code = '4701'`);
    });

    test('item 17: every export runs in the book\'s order (running number ascending)', async () => {
      const a = (await off2.post('/registry', { json: entry({ visited_at: bkk(-40), visitor_name: 'ก่อน หนึ่ง', cid: '' }) })).json;
      const b = (await off2.post('/registry', { json: entry({ visited_at: bkk(-80), visitor_name: 'หลัง สอง', cid: '' }) })).json;
      const c = (await off2.post('/registry', { json: entry({ visited_at: bkk(-20), visitor_name: 'ท้าย สาม', cid: '' }) })).json;
      assert.ok(a.seq < b.seq && b.seq < c.seq);
      const csv = await off2.get(`/registry/export.csv?period=${a.period}`, { accept: 'text/csv' });
      assert.equal(csv.status, 200);
      const order = ['ก่อน หนึ่ง', 'หลัง สอง', 'ท้าย สาม'].map((n) => csv.text.indexOf(n));
      assert.ok(order.every((i) => i > 0), 'all three exported');
      assert.ok(order[0] < order[1] && order[1] < order[2], `book order, not visit time: ${order}`);
    });
  });
}
