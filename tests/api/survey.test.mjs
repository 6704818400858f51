// The satisfaction survey (issue 10, "Survey"): per-visit tokens that count
// once (under concurrency), expire and refuse forged ones; the point's QR
// with its stamp, minimum time, honeypot and per-address / per-device
// limits; the counter tablet and paper answers; question set versions; the
// official-survey setting and the print slips; the comments (audited,
// purged on retention); and privacy (no entry id or time in a response, the
// entry shows only that it was answered). On SQLite and PostgreSQL.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, Client, run } from './lib.mjs';

// Bangkok local time "YYYY-MM-DDTHH:MM", shifted by `minutes`.
function bkk(minutes = 0) {
  return new Date(Date.now() + 7 * 3600e3 + minutes * 60e3).toISOString().slice(0, 16);
}
const today = () => new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
// The period of a Bangkok day with cut-off 25 (core/period): day > 25 is the next month's.
function periodOf(day) {
  let [y, m, d] = day.split('-').map(Number);
  if (d > 25) { m += 1; if (m === 13) { m = 1; y += 1; } }
  return `${y}-${String(m).padStart(2, '0')}`;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const ENV = {
  OSSPOINT_SURVEY_POINT_MIN_SECONDS: '1',
  OSSPOINT_SURVEY_POINT_PER_DEVICE: '3',
  OSSPOINT_SURVEY_POINT_PER_ADDRESS: '6',
};
const DEFAULT_ITEMS = ['reach', 'speed', 'guidance', 'courtesy', 'outcome'];
const RESPONSE_COLUMNS = ['id', 'unit_code', 'day', 'period', 'source', 'mode', 'visit_channel', 'services',
  'qset_version', 'overall', 'answers_json', 'comment', 'comment_purged'];

for (const backend of backends()) {
  describe(`survey on ${backend}`, () => {
    let srv, off, off2, dadm, nadm;
    const entry = async (who = off, minutes = -5) => {
      const r = await who.post('/registry', { json: { visited_at: bkk(minutes), visitor_name: 'นายทดสอบ แบบสำรวจ',
        channel: 'web', services: [{ code: 'tangrat_signup', outcome: 'completed' }, { code: 'nhso_rights_check', outcome: 'referred' }] } });
      assert.equal(r.status, 201, r.text);
      return r.json;
    };
    const count = (where = '1=1') => Number(srv.sql(`SELECT COUNT(*) FROM survey_responses WHERE ${where}`)[0][0]);

    before(async () => {
      srv = await startServer(backend, ENV);
      off = new Client(srv.url); await off.login('officer4701');
      off2 = new Client(srv.url); await off2.login('officer4702');
      dadm = new Client(srv.url); await dadm.login('dadmin4701');
      nadm = new Client(srv.url); await nadm.login('nadmin');
    });
    after(async () => {
      if (!srv) return;
      const res = await srv.stop();
      assert.deepEqual(res, { code: 0, sig: null }, `the server exits cleanly: ${srv.stderr().slice(-2000)}`);
    });

    test('the form: overall 0–10 required, the default items optional, a comment; as JSON and as a Thai page', async () => {
      const e = await entry();
      const c = new Client(srv.url);
      const r = await c.get(e.survey_url);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.qset_version, 1);
      const names = r.json.fields.map((f) => f.name);
      assert.deepEqual(names, ['overall', ...DEFAULT_ITEMS, 'comment']);
      assert.equal(r.json.fields[0].required, true);
      assert.ok(r.json.fields.slice(1, 6).every((f) => !f.required && f.score && f.options.length === 11));
      assert.equal(r.json.fields[6].max, 500);
      const html = await c.get(e.survey_url, { accept: 'text/html' });
      assert.equal(html.status, 200);
      assert.match(html.text, /<fieldset class="fieldset scale" id="f-overall"/);
      assert.match(html.text, /<legend>โดยรวมแล้ว/);
      assert.match(html.text, /0 = ไม่พอใจอย่างยิ่ง.*10 = พอใจอย่างยิ่ง/s);
      assert.match(html.text, /type="radio" id="f-overall-10" name="overall" value="10"/);
      assert.match(html.text, /ประกาศความเป็นส่วนตัว/);
      assert.match(html.text, /พระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล/);
      assert.doesNotMatch(html.text, /<script/, 'the form needs no JavaScript');
    });

    test('a response: 201, stored with the day, the period, the channel and services, never the entry', async () => {
      const e = await entry();
      const before = srv.sql(`SELECT updated_at, version FROM visits WHERE id = ${e.id}`)[0];
      const history = srv.sql(`SELECT COUNT(*) FROM visit_history WHERE visit_id = ${e.id}`)[0][0];
      const r = await new Client(srv.url).post(e.survey_url, { json: { overall: 9, speed: '๘', outcome: 10, comment: '  บริการดีมาก  ' } });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.day, today());
      assert.equal(r.json.period, periodOf(today()), 'a response counts in the period of the day it is answered');
      assert.equal(r.json.source, 'visit');
      assert.equal(r.json.mode, 'online');
      const cols = srv.sql(backend === 'sqlite'
        ? "SELECT name FROM pragma_table_info('survey_responses') ORDER BY cid"
        : "SELECT column_name FROM information_schema.columns WHERE table_name = 'survey_responses' ORDER BY ordinal_position").map((x) => x[0]);
      assert.deepEqual(cols, RESPONSE_COLUMNS, 'no entry id and no time column');
      const row = srv.sql("SELECT id, unit_code, day, source, mode, visit_channel, services, overall, answers_json, comment FROM survey_responses WHERE comment = 'บริการดีมาก'");
      assert.equal(row.length, 1);
      const [id, unit, day, source, mode, channel, services, overall, answers] = row[0];
      assert.match(id, /^[0-9a-f]{32}$/, 'a random key');
      assert.deepEqual([unit, day, source, mode, channel, services, overall], ['4701', today(), 'visit', 'online', 'web', 'nhso_rights_check tangrat_signup', '9']);
      assert.deepEqual(JSON.parse(answers), { speed: 8, outcome: 10 });
      // The entry shows only that it was answered: no time, no version bump, no history.
      assert.deepEqual(srv.sql(`SELECT updated_at, version FROM visits WHERE id = ${e.id}`)[0], before);
      assert.equal(srv.sql(`SELECT COUNT(*) FROM visit_history WHERE visit_id = ${e.id}`)[0][0], history);
      const shown = await off.get(`/registry/${e.id}`);
      assert.equal(shown.json.entry.survey_answered, true);
      assert.doesNotMatch(JSON.stringify(shown.json), /บริการดีมาก/, 'the entry page never shows the answers');
      const page = await off.get(`/registry/${e.id}`, { accept: 'text/html' });
      assert.match(page.text, /ตอบแบบสำรวจแล้ว/);
    });

    test('a form POST answers 303 to the thank-you page; the roll-ups move in the same transaction', async () => {
      const sum = () => srv.sql(`SELECT COALESCE(SUM(n), 0), COALESCE(SUM(sum_overall), 0) FROM rollup_survey WHERE unit_code = '4701' AND source = 'visit'`)[0].map(Number);
      const item = () => Number((srv.sql(`SELECT COALESCE(SUM(n), 0) FROM rollup_survey_items WHERE unit_code = '4701' AND item_key = 'courtesy'`)[0] || [0])[0]);
      const [n0, s0] = sum();
      const i0 = item();
      const e = await entry();
      const r = await new Client(srv.url).post(e.survey_url, { form: { overall: '7', courtesy: '6', comment: '' }, accept: 'text/html' });
      assert.equal(r.status, 303);
      assert.equal(r.headers.get('location'), '/survey/thanks');
      assert.deepEqual(sum(), [n0 + 1, s0 + 7]);
      assert.equal(item(), i0 + 1);
      const thanks = await new Client(srv.url).get('/survey/thanks', { accept: 'text/html' });
      assert.equal(thanks.status, 200);
      assert.match(thanks.text, /ขอบคุณที่ตอบแบบสำรวจ/);
      run(['check'], { env: srv.env });
    });

    test('a token counts once: 20 concurrent submissions store exactly one', async () => {
      const e = await entry();
      const before = count();
      const rs = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        new Client(srv.url).post(e.survey_url, { json: { overall: i % 11 } })));
      const statuses = rs.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(' '));
      assert.equal(statuses.filter((s) => s === 409).length, 19, statuses.join(' '));
      for (const r of rs.filter((x) => x.status === 409)) assert.equal(r.json.type, '/problems/survey-used');
      assert.equal(count(), before + 1);
      assert.equal(srv.sql(`SELECT survey_answered FROM visits WHERE id = ${e.id}`)[0][0], '1');
      run(['check'], { env: srv.env });
      // Used: the form says so too, as a Thai page and a problem.
      const again = await new Client(srv.url).get(e.survey_url);
      assert.equal(again.status, 409);
      const page = await new Client(srv.url).get(e.survey_url, { accept: 'text/html' });
      assert.equal(page.status, 409);
      assert.match(page.text, /แบบสำรวจนี้ได้รับคำตอบแล้ว/);
    });

    test('unknown, forged and expired tokens; a voided entry has no survey', async () => {
      const e = await entry();
      const c = new Client(srv.url);
      for (const bad of ['/survey/999999-AAAAAAAAAAAAAAAAAAAAAA', e.survey_url.slice(0, -1) + (e.survey_url.endsWith('A') ? 'B' : 'A'),
        '/survey/nonsense', `/survey/${e.id}`]) {
        const r = await c.get(bad);
        assert.equal(r.status, 404, bad);
        assert.equal(r.json.type, '/problems/survey-not-found');
        const p = await c.post(bad, { json: { overall: 5 } });
        assert.equal(p.status, 404, bad);
      }
      const page = await c.get('/survey/nonsense', { accept: 'text/html' });
      assert.equal(page.status, 404);
      assert.match(page.text, /ไม่พบแบบสำรวจนี้/);
      // Expired: survey_token_days (7) counted from the visit.
      srv.sql(`UPDATE visits SET visited_at = visited_at - ${8 * 86400} WHERE id = ${e.id}`);
      const x = await c.get(e.survey_url);
      assert.equal(x.status, 410);
      assert.equal(x.json.type, '/problems/survey-expired');
      const xp = await c.post(e.survey_url, { json: { overall: 5 } });
      assert.equal(xp.status, 410);
      const xh = await c.get(e.survey_url, { accept: 'text/html' });
      assert.match(xh.text, /หมดอายุแล้ว/);
      srv.sql(`UPDATE visits SET visited_at = visited_at + ${2 * 86400} WHERE id = ${e.id}`);
      assert.equal((await c.get(e.survey_url)).status, 200, 'six days after the visit it is still valid');
      const v = await entry();
      assert.equal((await dadm.post(`/registry/${v.id}/void`, { json: { reason: 'บันทึกซ้ำ' } })).status, 200);
      const vr = await c.post(v.survey_url, { json: { overall: 5 } });
      assert.equal(vr.status, 404);
      assert.equal(vr.json.type, '/problems/survey-not-found');
    });

    test('answers are checked: every error named, in Thai, nothing stored', async () => {
      const e = await entry();
      const c = new Client(srv.url);
      const before = count();
      for (const [body, fields] of [
        [{}, ['overall']],
        [{ overall: 11 }, ['overall']],
        [{ overall: '9.5' }, ['overall']],
        [{ overall: 8, speed: -1, reach: 'x' }, ['reach', 'speed']],
        [{ overall: 8, comment: 'ก'.repeat(501) }, ['comment']],
        [{ overall: 8, comment: 'a\u0007b' }, ['comment']],
      ]) {
        const r = await c.post(e.survey_url, { json: body });
        assert.equal(r.status, 422, JSON.stringify(body));
        assert.deepEqual(r.json.errors.map((x) => x.field), fields, JSON.stringify(body));
        assert.ok(r.json.errors.every((x) => /[\u0E00-\u0E7F]/.test(x.message)));
      }
      const page = await c.post(e.survey_url, { form: { overall: '', speed: '4', comment: 'เก็บไว้' }, accept: 'text/html' });
      assert.equal(page.status, 422);
      assert.match(page.text, /id="e-overall"/);
      assert.match(page.text, /id="f-speed-4" name="speed" value="4" checked/, 'what was chosen is kept');
      assert.match(page.text, />เก็บไว้<\/textarea>/);
      assert.equal(count(), before);
      assert.equal((await c.post(e.survey_url, { json: { overall: 8, comment: 'ก'.repeat(500) } })).status, 201, '500 characters fit');
    });

    test('the point QR: a stamp from the form, a minimum time, and its responses labelled as point responses', async () => {
      const c = new Client(srv.url);
      const f = await c.get('/survey/p/4701');
      assert.equal(f.status, 200, f.text);
      assert.match(f.json.stamp, /^\d+\.[A-Za-z0-9_-]{22}$/);
      assert.equal(f.json.honeypot, 'website');
      assert.ok(c.cookies.has('osspoint_survey_device'), 'a device cookie');
      const html = await c.get('/survey/p/4701', { accept: 'text/html' });
      assert.match(html.text, /class="hp" aria-hidden="true"/);
      assert.match(html.text, /name="stamp"/);
      const fast = await c.post('/survey/p/4701', { json: { overall: 8, stamp: f.json.stamp } });
      assert.equal(fast.status, 422);
      assert.equal(fast.json.type, '/problems/survey-too-fast');
      await sleep(1100);
      const before = count("source = 'point'");
      const ok = await c.post('/survey/p/4701', { json: { overall: 8, stamp: f.json.stamp } });
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.json.source, 'point');
      assert.equal(count("source = 'point'"), before + 1);
      const row = srv.sql("SELECT unit_code, visit_channel, services, mode FROM survey_responses WHERE source = 'point'")[0];
      assert.deepEqual(row, ['4701', '', '', 'online']);
      // Refusals: no stamp, a forged one, one of another device; the honeypot; no point.
      const stale = await c.post('/survey/p/4701', { json: { overall: 8 } });
      assert.equal(stale.status, 400);
      assert.equal(stale.json.type, '/problems/survey-form-stale');
      const forged = await c.post('/survey/p/4701', { json: { overall: 8, stamp: f.json.stamp.replace(/.$/, (x) => (x === 'A' ? 'B' : 'A')) } });
      assert.equal(forged.json.type, '/problems/survey-form-stale');
      const other = new Client(srv.url);
      await other.get('/survey/p/4701');
      const foreign = await other.post('/survey/p/4701', { json: { overall: 8, stamp: f.json.stamp } });
      assert.equal(foreign.json.type, '/problems/survey-form-stale', 'a stamp is bound to its device');
      const wrongUnit = await c.post('/survey/p/4702', { json: { overall: 8, stamp: f.json.stamp } });
      assert.equal(wrongUnit.json.type, '/problems/survey-form-stale', 'and to its district');
      const hp = await c.post('/survey/p/4701', { json: { overall: 8, stamp: f.json.stamp, website: 'http://spam' } });
      assert.equal(hp.status, 422);
      assert.equal(hp.json.type, '/problems/survey-honeypot');
      const hpPage = await c.post('/survey/p/4701', { form: { overall: '8', stamp: f.json.stamp, website: 'x' }, accept: 'text/html' });
      assert.match(hpPage.text, /ระบบไม่รับคำตอบนี้/);
      for (const code of ['9999', '47', '0', 'abc', '1001x'])
        assert.equal((await c.get(`/survey/p/${code}`)).json.type, '/problems/survey-point-not-found', code);
      // A form left too long, or too fast, is shown again with the answers kept.
      const againPage = await c.post('/survey/p/4701', { form: { overall: '6', comment: 'ความเห็น' }, accept: 'text/html' });
      assert.equal(againPage.status, 400);
      assert.match(againPage.text, /id="f-overall-6" name="overall" value="6" checked/);
      assert.match(againPage.text, /กรุณาตรวจคำตอบแล้วกดส่งอีกครั้ง/);
    });

    test('the point QR is rate-limited per device and per address (Retry-After, Thai refusals)', async () => {
      // Fresh devices; the address budget (6 per window) is shared by all of them.
      srv.sql('DELETE FROM survey_throttle');
      const devices = [new Client(srv.url), new Client(srv.url), new Client(srv.url)];
      const stamps = [];
      for (const d of devices) stamps.push((await d.get('/survey/p/4701')).json.stamp);
      await sleep(1100);
      const statuses = [];
      for (let k = 0; k < 4; k++) statuses.push((await devices[0].post('/survey/p/4701', { json: { overall: 5, stamp: stamps[0] } })).status);
      assert.deepEqual(statuses, [201, 201, 201, 429]);
      const lim = await devices[0].post('/survey/p/4701', { json: { overall: 5, stamp: stamps[0] } });
      assert.equal(lim.json.type, '/problems/survey-device-limit');
      assert.ok(Number(lim.headers.get('retry-after')) > 0);
      const limPage = await devices[0].post('/survey/p/4701', { form: { overall: '5', stamp: stamps[0] }, accept: 'text/html' });
      assert.equal(limPage.status, 429);
      assert.match(limPage.text, /เครื่องนี้ตอบแบบสำรวจครบจำนวนแล้ว/);
      for (let k = 0; k < 3; k++) assert.equal((await devices[1].post('/survey/p/4701', { json: { overall: 5, stamp: stamps[1] } })).status, 201);
      const addr = await devices[2].post('/survey/p/4701', { json: { overall: 5, stamp: stamps[2] } });
      assert.equal(addr.status, 429);
      assert.equal(addr.json.type, '/problems/survey-address-limit');
      assert.ok(Number(addr.headers.get('retry-after')) > 0);
      // Nothing about the address or the cookie is stored in clear.
      const keys = srv.sql('SELECT kind, key FROM survey_throttle');
      assert.ok(keys.length >= 3);
      for (const [, key] of keys) {
        assert.match(key, /^[0-9a-f]{64}$/);
        assert.ok(!key.includes('127.0.0.1'));
      }
      srv.sql('DELETE FROM survey_throttle');
    });

    test('per-visit tokens have no rate limit and no minimum time: a counter tablet serves citizen after citizen', async () => {
      const entries = [];
      for (let k = 0; k < 8; k++) entries.push(await entry());
      const c = new Client(srv.url);
      for (const e of entries) assert.equal((await c.post(e.survey_url, { json: { overall: 10 } })).status, 201);
    });

    test('the counter tablet: today\'s entries, mode counter, another district refused', async () => {
      const e = await entry();
      const list = await off.get('/survey/counter');
      assert.equal(list.status, 200, list.text);
      const row = list.json.entries.find((x) => x.id === e.id);
      assert.ok(row && row.answered === false && row.href === `/survey/counter/${e.id}`);
      assert.doesNotMatch(JSON.stringify(list.json), /นายทดสอบ/, 'no personal data on the tablet');
      const form = await off.get(`/survey/counter/${e.id}`);
      assert.equal(form.status, 200);
      assert.equal(form.json.mode, 'counter');
      assert.equal(form.json.number, e.number);
      assert.equal((await off2.get(`/survey/counter/${e.id}`)).status, 403);
      assert.equal((await off2.post(`/survey/counter/${e.id}`, { json: { overall: 3 } })).status, 403);
      const page = await off.post(`/survey/counter/${e.id}`, { form: { overall: '8', csrf: off.csrf }, accept: 'text/html', csrf: false });
      assert.equal(page.status, 303);
      assert.equal(page.headers.get('location'), '/survey/counter?done=1');
      assert.deepEqual(srv.sql("SELECT mode, source FROM survey_responses WHERE mode = 'counter'")[0], ['counter', 'visit']);
      const again = await off.post(`/survey/counter/${e.id}`, { json: { overall: 8 } });
      assert.equal(again.status, 409);
      assert.equal((await off.get('/survey/counter')).json.entries.find((x) => x.id === e.id).answered, true);
      assert.equal((await new Client(srv.url).get('/survey/counter')).status, 401, 'the tablet is signed in');
      assert.equal((await nadm.get('/survey/counter')).status, 403, 'a district\'s own staff only');
    });

    test('paper answers keyed in by staff: for an entry by its number, or as a point response; closed periods refused', async () => {
      const e = await entry();
      const form = await off.get('/survey/paper');
      assert.equal(form.status, 200);
      assert.equal(form.json.mode, 'paper');
      const r = await off.post('/survey/paper', { json: { number: e.number, overall: 6, comment: 'จากกระดาษ' } });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.mode, 'paper');
      assert.equal(r.json.source, 'visit');
      assert.equal(srv.sql(`SELECT survey_answered FROM visits WHERE id = ${e.id}`)[0][0], '1');
      assert.equal((await off.post('/survey/paper', { json: { number: e.number, overall: 6 } })).status, 409, 'once per entry, paper too');
      const pt = await off.post('/survey/paper', { json: { overall: 4 } });
      assert.equal(pt.status, 201);
      assert.equal(pt.json.source, 'point');
      const bad = await off.post('/survey/paper', { json: { number: '99999/2569', overall: 6, day: 'พรุ่งนี้' } });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.json.errors.map((x) => x.field).sort(), ['day', 'number']);
      const old = new Date(Date.now() + 7 * 3600e3 - 100 * 86400e3).toISOString().slice(0, 10);
      const closed = await off.post('/survey/paper', { json: { overall: 6, day: old } });
      assert.equal(closed.status, 409);
      assert.equal(closed.json.type, '/problems/period-closed');
      const form303 = await off.post('/survey/paper', { form: { overall: '9', csrf: off.csrf }, accept: 'text/html', csrf: false });
      assert.equal(form303.status, 303);
      assert.equal(form303.headers.get('location'), '/survey/paper?saved=1');
      assert.equal((await off2.post('/survey/paper', { json: { number: e.number, overall: 6 } })).status, 422, 'another district\'s number is not found');
      assert.equal((await nadm.post('/survey/paper', { json: { overall: 6 } })).status, 403);
    });

    test('question sets are versioned: a national admin edits, every response keeps its version', async () => {
      const e1 = await entry();
      const e2 = await entry();
      const form1 = await new Client(srv.url).get(e1.survey_url);
      assert.equal(form1.json.qset_version, 1);
      for (const who of [off, dadm]) assert.equal((await who.post('/admin/survey/questions', { json: { items: [] } })).status, 403);
      const bad = await nadm.post('/admin/survey/questions', { json: { items: [{ key: 'Speed!', label_th: 'x' }, { key: 'overall', label_th: 'y' }, { key: 'ok', label_th: '' }] } });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.json.errors.map((x) => x.field), ['items[0].key', 'items[1].key', 'items[2].label_th']);
      const made = await nadm.post('/admin/survey/questions', { json: { version: 1, items: [{ key: 'speed', label_th: 'ความรวดเร็ว' }, { key: 'clean', label_th: 'ความสะอาดของสถานที่' }] } });
      assert.equal(made.status, 201, made.text);
      assert.equal(made.json.version, 2);
      const stale = await nadm.post('/admin/survey/questions', { json: { version: 1, items: [] } });
      assert.equal(stale.status, 409);
      assert.equal(stale.json.type, '/problems/version-conflict');
      const form2 = await new Client(srv.url).get(e2.survey_url);
      assert.equal(form2.json.qset_version, 2);
      assert.deepEqual(form2.json.fields.map((f) => f.name), ['overall', 'speed', 'clean', 'comment']);
      // The form opened before the edit is answered against version 1.
      const r1 = await new Client(srv.url).post(e1.survey_url, { json: { v: 1, overall: 7, courtesy: 9 } });
      assert.equal(r1.status, 201, r1.text);
      assert.equal(r1.json.qset_version, 1);
      const r2 = await new Client(srv.url).post(e2.survey_url, { json: { v: 2, overall: 8, clean: 6, courtesy: 9 } });
      assert.equal(r2.status, 201);
      assert.equal(r2.json.qset_version, 2);
      const rows = srv.sql(`SELECT qset_version, answers_json FROM survey_responses WHERE answers_json LIKE '%courtesy%' OR answers_json LIKE '%clean%' ORDER BY qset_version`);
      assert.ok(rows.some(([v, a]) => v === '1' && JSON.parse(a).courtesy === 9));
      assert.ok(rows.some(([v, a]) => v === '2' && JSON.stringify(JSON.parse(a)) === '{"clean":6}'), 'an item not in the version is not stored');
      assert.equal((await new Client(srv.url).post((await entry()).survey_url, { json: { v: 99, overall: 7 } })).status, 400);
      const admin = await nadm.get('/admin/survey');
      assert.equal(admin.status, 200);
      assert.deepEqual(admin.json.versions.map((v) => v.version), [2, 1]);
      assert.ok(admin.json.versions[1].responses >= 1);
      // Back to the defaults for the tests after this one.
      const back = await nadm.post('/admin/survey/questions', { json: { items: DEFAULT_ITEMS.map((key) => ({ key, label_th: `ข้อ ${key}` })) } });
      assert.equal(back.json.version, 3);
      run(['check'], { env: srv.env });
    });

    test('the official survey link: official, osspoint or both, on the slip, the tablet and the thank-you page', async () => {
      assert.equal((await dadm.post('/admin/survey/settings', { json: { official_url: 'https://x', offer: 'both' } })).status, 403);
      const bad = await nadm.post('/admin/survey/settings', { json: { official_url: 'javascript:alert(1)', offer: 'many' } });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.json.errors.map((x) => x.field), ['official_url', 'offer']);
      const e = await entry();
      // Default: both, but no link yet: osspoint's only.
      let page = await off.get(`/registry/${e.id}/survey`);
      assert.equal(page.json.offer.setting, 'both');
      assert.equal(page.json.offer.official, null);
      assert.equal(page.json.offer.osspoint, true);
      const set = await nadm.post('/admin/survey/settings', { json: { official_url: 'https://survey.example.go.th/oss', offer: 'both' } });
      assert.equal(set.status, 200, set.text);
      page = await off.get(`/registry/${e.id}/survey`);
      assert.equal(page.json.offer.official.href, 'https://survey.example.go.th/oss');
      assert.equal(page.json.offer.osspoint, true);
      assert.equal(page.json.state, 'open');
      assert.match(page.json.survey_url.href, /\/survey\/\d+-[A-Za-z0-9_-]{22}$/);
      const thanks = await new Client(srv.url).get('/survey/thanks', { accept: 'text/html' });
      assert.match(thanks.text, /survey\.example\.go\.th\/oss/);
      await nadm.post('/admin/survey/settings', { json: { official_url: 'https://survey.example.go.th/oss', offer: 'official' } });
      const tablet = await off.get(`/survey/counter/${e.id}`);
      assert.equal(tablet.json.offer.official_only, true);
      const tabletPage = await off.get(`/survey/counter/${e.id}`, { accept: 'text/html' });
      assert.doesNotMatch(tabletPage.text, /<form class="form survey-form"/, 'the official survey only: no second form');
      assert.match(tabletPage.text, /survey\.example\.go\.th\/oss/);
      for (const size of ['80mm', 'a6']) {
        const pdf = await off.get(`/registry/${e.id}/survey/slip.pdf?size=${size}`, { accept: '*/*' });
        assert.equal(pdf.status, 200);
        assert.equal(pdf.headers.get('content-type'), 'application/pdf');
        assert.ok(pdf.text.startsWith('%PDF-'));
      }
      await nadm.post('/admin/survey/settings', { json: { official_url: '', offer: 'both' } });
      assert.equal((await off.get(`/registry/${e.id}/survey/slip.pdf?size=a4`)).status, 400);
      const qr = await off.get(`/registry/${e.id}/survey/qr.svg`, { accept: '*/*' });
      assert.equal(qr.status, 200);
      assert.match(qr.text, /<svg/);
      assert.equal((await off2.get(`/registry/${e.id}/survey`)).status, 403);
    });

    test('comments: district admins and above, within their scope, each view audited', async () => {
      const e = await entry();
      await new Client(srv.url).post(e.survey_url, { json: { overall: 3, comment: 'รอนาน โทร 0812345678' } });
      assert.equal((await off.get('/survey/comments')).status, 403, 'officers do not read comments');
      const audits = () => Number(srv.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'survey.comments'")[0][0]);
      const a0 = audits();
      const r = await dadm.get('/survey/comments');
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.comments.some((c) => c.comment === 'รอนาน โทร 0812345678'));
      assert.equal(audits(), a0 + 1);
      const p = new Client(srv.url); await p.login('padmin47');
      const pr = await p.get('/survey/comments?unit=47');
      assert.equal(pr.status, 200);
      assert.ok(pr.json.comments.some((c) => c.unit_code === '4701'));
      assert.equal((await p.get('/survey/comments?unit=4701')).status, 200);
      assert.equal((await off2.get('/survey/comments?unit=4701')).status, 403);
      const page = await dadm.get('/survey/comments', { accept: 'text/html' });
      assert.match(page.text, /รอนาน โทร 0812345678/);
    });

    test('comments are personal data: the retention purge erases them, the numbers stay', async () => {
      const e = await entry();
      await new Client(srv.url).post(e.survey_url, { json: { overall: 4, comment: 'ชื่อ นายเก่า' } });
      const sums = () => srv.sql("SELECT SUM(n), SUM(sum_overall) FROM rollup_survey")[0];
      const s0 = sums();
      srv.sql("UPDATE survey_responses SET day = '2020-01-10', period = '2020-01' WHERE comment = 'ชื่อ นายเก่า'");
      const out = run(['purge'], { env: srv.env });
      assert.match(out, /ข้อเสนอแนะจากแบบสำรวจ [1-9]\d* รายการ/);
      const row = srv.sql("SELECT comment, comment_purged, overall FROM survey_responses WHERE day = '2020-01-10'");
      assert.deepEqual(row, [['', '1', '4']]);
      assert.deepEqual(sums(), s0);
      assert.equal(Number(srv.sql("SELECT COUNT(*) FROM survey_responses WHERE comment LIKE '%นายเก่า%'")[0][0]), 0);
      assert.equal(Number(srv.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'survey.purge'")[0][0]), 1);
      // Back to its own day, so the roll-ups agree again (osspoint check, below).
      srv.sql(`UPDATE survey_responses SET day = '${today()}', period = '${periodOf(today())}' WHERE day = '2020-01-10'`);
    });

    test('osspoint check compares the survey roll-ups with the responses', async () => {
      run(['check'], { env: srv.env });
      srv.sql("UPDATE rollup_survey SET sum_overall = sum_overall + 1 WHERE unit_code = '4701' AND source = 'visit'");
      let failed = null;
      try { run(['check'], { env: srv.env }); } catch (e) { failed = e; }
      assert.ok(failed, 'check exits 1');
      assert.match(String(failed.stdout), /rollup_survey/);
      srv.sql("UPDATE rollup_survey SET sum_overall = sum_overall - 1 WHERE unit_code = '4701' AND source = 'visit'");
      run(['check'], { env: srv.env });
    });
  });
}
