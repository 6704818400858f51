// The statistics (issue 10): /stats/{unit} and /statistics, periods closing
// (osspoint close-period), snapshots, late edits refused, import into a
// closed period recomputing its snapshot. On SQLite and PostgreSQL.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { backends, startServer, Client, run, ROOT } from './lib.mjs';

// The dashboard's model as docs/openapi.json describes it (StatsDashboard).
const OPENAPI = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema({ $id: 'https://osspoint.invalid/openapi.json', components: OPENAPI.components });
const dashboardSchema = ajv.getSchema('https://osspoint.invalid/openapi.json#/components/schemas/StatsDashboard');

// Bangkok local time "YYYY-MM-DDTHH:MM", shifted by `minutes`.
function bkk(minutes = 0) {
  return new Date(Date.now() + 7 * 3600e3 + minutes * 60e3).toISOString().slice(0, 16);
}

// n active entries of `unit` on `day` (10:00 Bangkok), straight in the
// database, with their services and roll-ups as the registry writes them.
function fill(srv, unit, day, n, from = 1) {
  const at = Math.floor(Date.parse(`${day}T03:00:00Z`) / 1000);
  const [y, m, d] = day.split('-').map(Number);
  const period = d > 25 ? `${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}` : day.slice(0, 7);
  const yb = y + 543;
  srv.sql(`INSERT INTO visit_counters (unit_code, year_be, last_seq) VALUES ('${unit}', ${yb}, ${from + n - 1})
    ON CONFLICT (unit_code, year_be) DO UPDATE SET last_seq = excluded.last_seq`);
  srv.sql(`INSERT INTO visits (unit_code, year_be, seq, visited_at, visit_day, period, visitor_name, channel, sex,
      age_band, officer_id, created_at, updated_at)
    WITH RECURSIVE s(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM s WHERE i < ${from + n - 1})
    SELECT '${unit}', ${yb}, i, ${at}, '${day}', '${period}', 'ทดสอบ', 'tangrat',
      CASE WHEN i % 2 = 0 THEN 'female' ELSE 'male' END, '40_59', (SELECT MIN(id) FROM users), ${at}, ${at} FROM s`);
  srv.sql(`INSERT INTO visit_services (visit_id, service_code, outcome)
    SELECT id, 'tangrat_signup', 'completed' FROM visits v WHERE unit_code = '${unit}' AND visit_day = '${day}'
    AND NOT EXISTS (SELECT 1 FROM visit_services s WHERE s.visit_id = v.id)`);
  for (const t of ['rollup_visits', 'rollup_services'])
    srv.sql(`DELETE FROM ${t} WHERE unit_code = '${unit}' AND day = '${day}'`);
  for (const t of ['rollup_visit_attrs', 'rollup_period_services'])
    srv.sql(`DELETE FROM ${t} WHERE unit_code = '${unit}' AND period = '${period}'`);
  srv.sql(`INSERT INTO rollup_visits (unit_code, day, visits) SELECT unit_code, visit_day, COUNT(*) FROM visits
    WHERE unit_code = '${unit}' AND visit_day = '${day}' AND status = 'active' GROUP BY unit_code, visit_day`);
  srv.sql(`INSERT INTO rollup_services (unit_code, day, service_code, outcome, n)
    SELECT v.unit_code, v.visit_day, s.service_code, s.outcome, COUNT(*) FROM visits v JOIN visit_services s ON s.visit_id = v.id
    WHERE v.unit_code = '${unit}' AND v.visit_day = '${day}' AND v.status = 'active'
    GROUP BY v.unit_code, v.visit_day, s.service_code, s.outcome`);
  srv.sql(`INSERT INTO rollup_visit_attrs (unit_code, period, channel, sex, age_band, n)
    SELECT unit_code, period, channel, sex, age_band, COUNT(*) FROM visits
    WHERE unit_code = '${unit}' AND period = '${period}' AND status = 'active'
    GROUP BY unit_code, period, channel, sex, age_band`);
  srv.sql(`INSERT INTO rollup_period_services (unit_code, period, service_code, outcome, n)
    SELECT v.unit_code, v.period, s.service_code, s.outcome, COUNT(*) FROM visits v JOIN visit_services s ON s.visit_id = v.id
    WHERE v.unit_code = '${unit}' AND v.period = '${period}' AND v.status = 'active'
    GROUP BY v.unit_code, v.period, s.service_code, s.outcome`);
  // The district's period totals (migration 015): users, transactions and the day's bit;
  // version 0: built by SQL, so its breakdowns are never held in memory (src/db/stats.c).
  const dom = Number(day.slice(8, 10));
  srv.sql(`INSERT INTO rollup_period_units (unit_code, period, users, transactions, active_days)
    SELECT '${unit}', '${period}', ${n}, ${n}, ${2 ** (dom - 1)}
    ON CONFLICT (period, unit_code) DO UPDATE SET users = rollup_period_units.users + excluded.users,
      transactions = rollup_period_units.transactions + excluded.transactions,
      active_days = rollup_period_units.active_days | excluded.active_days, version = 0`);
}

// Survey sums straight in the roll-ups (no raw responses): rollup_survey by
// day and the district's period totals, as a response writes them.
function survey(srv, unit, day, source, n, sum) {
  const [y, m, d] = day.split('-').map(Number);
  const period = d > 25 ? `${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}` : day.slice(0, 7);
  srv.sql(`INSERT INTO rollup_survey (unit_code, day, source, n, sum_overall) VALUES ('${unit}', '${day}', '${source}', ${n}, ${sum})`);
  srv.sql(`INSERT INTO rollup_period_units (unit_code, period, survey_n, survey_point_n, survey_visit_n, survey_sum)
    VALUES ('${unit}', '${period}', ${n}, ${source === 'point' ? n : 0}, ${source === 'visit' ? n : 0}, ${sum})
    ON CONFLICT (period, unit_code) DO UPDATE SET survey_n = rollup_period_units.survey_n + excluded.survey_n,
      survey_point_n = rollup_period_units.survey_point_n + excluded.survey_point_n,
      survey_visit_n = rollup_period_units.survey_visit_n + excluded.survey_visit_n,
      survey_sum = rollup_period_units.survey_sum + excluded.survey_sum`);
}

for (const backend of backends()) {
  describe(`statistics on ${backend}`, () => {
    let srv, officer, outsider;
    before(async () => {
      srv = await startServer(backend);
      officer = new Client(srv.url);
      assert.equal((await officer.login('officer4701')).status, 200);
      outsider = new Client(srv.url);
      assert.equal((await outsider.login('officer4702')).status, 200);
      // The letter: Sakon Nakhon (47) served 1,671 in 2024-02 (2024-01-26 …
      // 2024-02-25); responses summing to 9.173 × n; Khon Kaen (40) served more.
      fill(srv, '4701', '2024-02-10', 1000);
      fill(srv, '4702', '2024-02-12', 671);
      fill(srv, '4001', '2024-02-13', 2000);
      fill(srv, '4801', '2024-01-26', 5); // the period's first day
      fill(srv, '4801', '2024-02-26', 7, 6); // the next period's first day
      survey(srv, '4701', '2024-02-10', 'visit', 900, 8256);
      survey(srv, '4701', '2024-02-11', 'point', 100, 917);
      // Earlier periods for the trend (FY2566, so the fiscal year 2567's sums do not move).
      fill(srv, '4701', '2023-03-10', 20, 2001);
      fill(srv, '4701', '2023-09-10', 10, 2101);
      survey(srv, '4701', '2023-09-10', 'visit', 4, 34);
    });
    after(async () => {
      if (!srv) return;
      const res = await srv.stop();
      assert.deepEqual(res, { code: 0, sig: null }, `the server exits cleanly: ${srv.stderr().slice(-2000)}`);
    });

    test('the models match docs/openapi.json (StatsDashboard); without a session 401', async () => {
      for (const u of ['0', '47', '4701']) {
        const r = await officer.get(`/stats/${u}?period=2024-02`);
        assert.equal(r.status, 200, r.text);
        assert.ok(dashboardSchema(r.json), `/stats/${u}: ${ajv.errorsText(dashboardSchema.errors)}`);
      }
      const anon = await new Client(srv.url).get('/stats/47?period=2024-02');
      assert.equal(anon.status, 401);
      assert.equal(anon.json.code, 'unauthorized');
    });

    test('an open period is read from the roll-ups; the letter\'s numbers, rank 2 in the country', async () => {
      const r = await officer.get('/stats/47?period=2024-02');
      assert.equal(r.status, 200, r.text);
      const m = r.json;
      assert.equal(m.period.id, '2024-02');
      assert.equal(m.period.start, '2024-01-26');
      assert.equal(m.period.end, '2024-02-25');
      assert.equal(m.period.closed, false);
      assert.equal(m.users, 1671);
      assert.equal(m.users_fmt, '1,671');
      assert.equal(m.transactions, 1671);
      assert.deepEqual(m.survey, { n: 1000, point_n: 100, score: '9.17', percent: '91.73', response_rate: '53.86' });
      assert.equal(m.rank.position, 2);
      assert.equal(m.rank.movement, null);
      assert.ok(m.rank.of >= 76, `ranked among the provinces: ${m.rank.of}`);
      assert.equal(m.rank_satisfaction.position, 1);
      assert.equal(m.rank_satisfaction.of, 1);
      assert.ok(m.rank_per_day.position >= 1);
      assert.equal(m.breakdowns.service[0].key, 'tangrat_signup');
      assert.equal(m.breakdowns.service[0].n, 1671);
      assert.equal(m.breakdowns.channel[0].key, 'tangrat');
      assert.deepEqual(m.breakdowns.sex.map((x) => [x.key, x.n]).sort(), [['female', 835], ['male', 836]]);
      assert.equal(m.breakdowns.age_band[0].key, '40_59');
      assert.equal(m.breakdowns.outcome[0].key, 'completed');
      assert.ok(m.breakdowns.agency[0].label_th.length > 0);
      const kids = Object.fromEntries(m.children.map((c) => [c.code, c]));
      assert.equal(kids['4701'].users, 1000);
      assert.equal(kids['4701'].rank.position, 1);
      assert.equal(kids['4702'].users, 671);
      assert.equal(kids['4702'].rank.position, 2);
      assert.equal(kids['4702'].survey.score, null, 'no responses: no score');
      assert.equal(kids['4702'].rank_satisfaction, null);
      assert.match(kids['4702'].rank_satisfaction_reason, /30/);
      for (const k of ['code', 'name_th', 'users', 'transactions', 'survey', 'rank', 'rank_satisfaction', 'rank_per_day'])
        assert.ok(k in kids['4701'], `children have ${k}`);
      // Period boundaries: the 26th belongs to the next period.
      const k48 = await officer.get('/stats/4801?period=2024-02');
      assert.equal(k48.json.users, 5);
      assert.equal((await officer.get('/stats/4801?period=2024-03')).json.users, 7);
      // National: no rank, with a reason; its children are the provinces.
      const nat = await officer.get('/stats/0?period=2024-02');
      assert.equal(nat.json.users, 1671 + 2000 + 5);
      assert.equal(nat.json.rank, null);
      assert.ok(nat.json.rank_reason.length > 0);
      assert.ok(nat.json.children.length >= 76);
    });

    test('dashboard: the trend is this period and the last twelve, oldest first, with the exact strings', async () => {
      const m = (await officer.get('/stats/47?period=2024-02')).json;
      assert.equal(m.trend.length, 13);
      assert.deepEqual(m.trend.map((x) => x.period).filter((_, i) => [0, 1, 7, 12].includes(i)), ['2023-02', '2023-03', '2023-09', '2024-02']);
      assert.deepEqual(m.trend.map((x) => x.users), [0, 20, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 1671]);
      assert.deepEqual(m.trend.map((x) => x.current), [...Array(12).fill(false), true]);
      const cur = m.trend[12];
      assert.deepEqual([cur.transactions, cur.responses, cur.score, cur.percent, cur.response_rate], [1671, 1000, '9.17', '91.73', '53.86']);
      assert.deepEqual([m.trend[7].responses, m.trend[7].score, m.trend[7].percent, m.trend[7].response_rate], [4, '8.50', '85.00', '40.00']);
      assert.equal(m.trend[0].score, null);
      const d = m.dashboard;
      assert.equal(d.users_trend.chart, 'trend');
      assert.equal(d.users_trend.points.length, 13);
      assert.equal(d.users_trend.points[12].highlight, true);
      assert.equal(d.users_trend.points[12].value, 1671);
      assert.equal(d.score_trend.style, 'line');
      assert.equal(d.score_trend.points[12].value, '9.17');
      assert.equal(d.rate_trend.points[12].value, '53.86');
      assert.equal(d.users_trend.export.csv, '/stats/47?period=2024-02&format=csv&table=trend');
      assert.ok(!('svg' in d.users_trend), 'JSON holds the data, not the drawing');
      // The ranking of the units below, in ranked order and numbered; the service mix.
      assert.deepEqual(d.children_bars.points.slice(0, 2).map((p) => [p.label, p.value]), [['1. เมืองสกลนคร', 1000], ['2. กุสุมาลย์', 671]]);
      assert.deepEqual(d.children_bars.points.slice(0, 2).map((p) => p.highlight), [true, false], 'the reader\'s own district');
      assert.equal(d.services_bars.points[0].value, 1671);
      assert.match(d.services_bars.points[0].label, /^1\. /);
      const nat = (await officer.get('/stats/0?period=2024-02')).json;
      assert.deepEqual(nat.dashboard.children_bars.points.slice(0, 2).map((p) => [p.label, p.value]), [['1. ขอนแก่น', 2000], ['2. สกลนคร', 1671]]);
      assert.deepEqual(nat.dashboard.children_bars.points.slice(0, 2).map((p) => p.highlight), [false, true], 'the reader\'s province');
      // The fiscal year: its 12 periods, none highlighted.
      const fy = (await officer.get('/stats/47?fy=2567')).json;
      assert.equal(fy.trend.length, 12);
      assert.equal(fy.trend[0].period, '2023-10');
      assert.equal(fy.trend[4].users, 1671);
      assert.ok(fy.trend.every((x) => !x.current));
      // The HTML page draws the charts beside their tables.
      const page = await officer.get('/stats/47?period=2024-02', { accept: 'text/html' });
      for (const id of ['users-trend', 'score-trend', 'rate-trend', 'children-bars', 'services-bars']) {
        assert.match(page.text, new RegExp(`<svg[^>]*aria-labelledby="${id}-title ${id}-desc"`), id);
        assert.match(page.text, new RegExp(`<caption id="${id}-caption">`), id);
      }
      assert.match(page.text, /1\. เมืองสกลนคร/);
    });

    test('dashboard: every table exports as CSV and XLSX and reads back', async () => {
      const get = async (q) => {
        const r = await fetch(`${srv.url}/stats/47?period=2024-02&${q}`, { headers: { cookie: officer.cookieHeader() } });
        return { status: r.status, type: r.headers.get('content-type'), disp: r.headers.get('content-disposition'),
          body: Buffer.from(await r.arrayBuffer()) };
      };
      const expect = {
        trend: ['งวด,ผู้มารับบริการ,บริการ,ผู้ตอบแบบสำรวจ,คะแนน (เต็ม 10),ร้อยละความพึงพอใจ,อัตราการตอบ (ร้อยละ)', 'ก.พ. 2567,1671,1671,1000,9.17,91.73,53.86'],
        children: ['รหัส,อำเภอ,ผู้มารับบริการ,บริการ,ผู้ตอบแบบสำรวจ,คะแนน (เต็ม 10),ร้อยละความพึงพอใจ,อันดับผู้รับบริการ', '4701,เมืองสกลนคร,1000,1000,1000,9.17,91.73,1'],
        services: ['รหัสบริการ,บริการ,จำนวน (ครั้ง)', 'tangrat_signup,'],
      };
      for (const [table, [head, row]] of Object.entries(expect)) {
        const csv = await get(`format=csv&table=${table}`);
        assert.equal(csv.status, 200, table);
        assert.match(csv.type, /^text\/csv/);
        assert.equal(csv.disp, `attachment; filename="stats-47-2024-02-${table}.csv"`);
        const text = csv.body.toString('utf8').replace(/^\uFEFF/, '');
        const lines = text.split('\r\n');
        assert.equal(lines[0], head, table);
        assert.ok(lines.some((l) => l.startsWith(row)), `${table}: ${text}`);
        const x = await get(`format=xlsx&table=${table}`);
        assert.equal(x.status, 200, table);
        assert.equal(x.body.subarray(0, 2).toString(), 'PK');
        const dir = mkdtempSync(join(tmpdir(), 'osspoint-dash-'));
        try {
          const path = join(dir, 't.xlsx');
          writeFileSync(path, x.body);
          const sheet = execFileSync('unzip', ['-p', path, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' });
          assert.match(sheet, /<v>1671<\/v>|<v>1000<\/v>/, `${table}: numeric cells`);
          if (table !== 'services') assert.match(sheet, /<v>9\.17<\/v>/, table);
        } finally { rmSync(dir, { recursive: true, force: true }); }
      }
      assert.equal((await get('format=csv&table=nope')).status, 404);
    });

    test('dashboard: official figures in their own labelled block, never mixed in', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'osspoint-dash-'));
      try {
        const f = join(dir, 'ext.csv');
        writeFileSync(f, 'unit_code,period,users,respondents,score_mean,rank,rank_of\n47,2024-02,1650,980,9.10,3,76\n');
        run(['import-external', f, '--source', 'ก.พ.ร.', '--by', 'nadmin'], { env: srv.env });
      } finally { rmSync(dir, { recursive: true, force: true }); }
      const m = (await officer.get('/stats/47?period=2024-02')).json;
      assert.equal(m.users, 1671, 'osspoint\'s own');
      assert.equal(m.survey.score, '9.17');
      assert.equal(m.has_external, true);
      assert.equal(m.external.length, 1);
      assert.deepEqual([m.external[0].source, m.external[0].users, m.external[0].score, m.external[0].heading_th],
        ['ก.พ.ร.', 1650, '9.10', 'ตัวเลขจากแหล่งภายนอก: ก.พ.ร.']);
      const page = await officer.get('/stats/47?period=2024-02', { accept: 'text/html' });
      assert.match(page.text, /<h3>ตัวเลขจากแหล่งภายนอก: ก\.พ\.ร\.<\/h3>/);
      assert.match(page.text, /1,650/);
      assert.deepEqual((await officer.get('/stats/47?period=2024-01')).json.external, []);
      assert.deepEqual((await officer.get('/stats/4701?period=2024-02')).json.external, []);
    });

    test('home: a province admin sees the letter\'s numbers at a glance; a national admin the nation\'s', async () => {
      const padmin = new Client(srv.url);
      assert.equal((await padmin.login('padmin47')).status, 200);
      const h = (await padmin.get('/home?period=2024-02')).json;
      const g = h.stats_glance;
      assert.deepEqual([g.users_fmt, g.survey.score, g.survey.percent, g.rank.position], ['1,671', '9.17', '91.73', 2]);
      assert.equal(g.href, '/stats/47?period=2024-02');
      const page = await padmin.get('/home?period=2024-02', { accept: 'text/html' });
      for (const re of [/1,671/, /9\.17/, /91\.73/, /2 จาก \d+/, /href="\/stats\/47\?period=2024-02"/]) assert.match(page.text, re);
      assert.ok((await padmin.get('/home')).json.stats_glance, 'the current period by default');
      const nadmin = new Client(srv.url);
      assert.equal((await nadmin.login('nadmin')).status, 200);
      const n = (await nadmin.get('/home?period=2024-02')).json.stats_glance;
      assert.equal(n.users, 1671 + 2000 + 5);
      assert.equal(n.rank, null);
      assert.equal(n.href, '/stats/0?period=2024-02');
      assert.ok(!('stats_glance' in (await officer.get('/home')).json), 'not on a district officer\'s home');
    });

    test('users per staffed day: a district with a roster is ranked by its staffed days, and the page says so', async () => {
      srv.sql("INSERT INTO roster_people (unit_code, name_th, created_at) VALUES ('4702', 'นางเวร ประจำ', 0)");
      const pid = srv.sql("SELECT id FROM roster_people WHERE unit_code = '4702' AND name_th = 'นางเวร ประจำ'")[0][0];
      for (const d of ['2024-02-05', '2024-02-06', '2024-02-07', '2024-02-08', '2024-02-09'])
        srv.sql(`INSERT INTO roster_duties (unit_code, day, shift, person_id, status, updated_at) VALUES ('4702', '${d}', 'full', ${pid}, 'on', 0)`);
      // A day on leave is not staffed; a day outside the period does not count.
      srv.sql(`INSERT INTO roster_duties (unit_code, day, shift, person_id, status, updated_at) VALUES ('4702', '2024-02-12', 'full', ${pid}, 'leave', 0)`);
      srv.sql(`INSERT INTO roster_duties (unit_code, day, shift, person_id, status, updated_at) VALUES ('4702', '2024-02-27', 'full', ${pid}, 'on', 0)`);
      const m = (await officer.get('/stats/47?period=2024-02')).json;
      const kids = Object.fromEntries(m.children.map((c) => [c.code, c]));
      assert.deepEqual([kids['4702'].staffed_days, kids['4702'].per_day_basis], [5, 'staffed']);
      assert.deepEqual([kids['4701'].staffed_days, kids['4701'].per_day_basis], [0, 'open']);
      assert.ok(kids['4701'].open_days > 5);
      // 671 / 5 staffed days beats 1,000 / the open days.
      assert.equal(kids['4702'].rank_per_day.position, 1);
      assert.equal(kids['4701'].rank_per_day.position, 2);
      assert.equal(kids['4701'].rank.position, 1, 'users alone are unchanged');
      const d = (await officer.get('/stats/4702?period=2024-02')).json;
      assert.equal(d.rank_per_day.position, 1);
      const ex = d.rankings.find((x) => x.key === 'rank_per_day').explain_th;
      assert.match(ex, /ทะเบียนเวร \(5 วัน\)/);
      const other = (await officer.get('/stats/4701?period=2024-02')).json.rankings.find((x) => x.key === 'rank_per_day').explain_th;
      assert.match(other, /อำเภอที่มีทะเบียนเวรนับต่อวันที่มีเจ้าหน้าที่/);
      const none = (await officer.get('/stats/4801?period=2024-02')).json.rankings.find((x) => x.key === 'rank_per_day').explain_th;
      assert.doesNotMatch(none, /ทะเบียนเวร/, 'a province without rosters keeps open days and says nothing of them');
    });

    test('every staff user reads every unit; the page is Thai with data tables; bad periods are named', async () => {
      const r = await outsider.get('/stats/47?period=2024-02');
      assert.equal(r.status, 200);
      const page = await outsider.get('/stats/47?period=2024-02', { accept: 'text/html' });
      assert.equal(page.status, 200);
      assert.match(page.text, /1,671/);
      assert.match(page.text, /91\.73/);
      assert.match(page.text, /<table/);
      assert.match(page.text, /กุมภาพันธ์ 2567/);
      assert.equal((await new Client(srv.url).get('/stats/47')).status, 401);
      for (const q of ['period=2024-13', 'period=abc', 'fy=25x', 'period=2024-02&fy=2567']) {
        const b = await officer.get(`/stats/47?${q}`);
        assert.equal(b.status, 400, q);
        assert.equal(b.json.type, '/problems/stats-bad-period', q);
      }
      const nf = await officer.get('/stats/9999');
      assert.equal(nf.status, 404);
      assert.equal(nf.json.type, '/problems/stats-unit-not-found');
    });

    test('a fiscal year sums its periods (FY2567 = 2023-10 … 2024-09)', async () => {
      const r = await officer.get('/stats/47?fy=2567');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.period.id, 'FY2567');
      assert.equal(r.json.period.start, '2023-09-26');
      assert.equal(r.json.period.end, '2024-09-25');
      assert.equal(r.json.fy, 2567);
      assert.equal(r.json.users, 1671);
      assert.equal(r.json.survey.score, '9.17');
      // 2024-02-26 is in period 2024-03, still FY2567; the FY's turn is at 09-25/09-26.
      assert.equal((await officer.get('/stats/48?fy=2567')).json.users, 12);
      assert.equal((await officer.get('/stats/48?fy=2568')).json.users, 0);
    });

    test('closing freezes a snapshot; /statistics shows it to the public; movement against it', async () => {
      const out = run(['close-period', '2024-02'], { env: srv.env });
      assert.match(out, /ปิดรอบ 2024-02 แล้ว/);
      assert.match(run(['close-period', '2024-02'], { env: srv.env }), /ปิดไว้แล้ว/);
      assert.equal(srv.sql("SELECT COUNT(*) FROM period_closings WHERE period = '2024-02'")[0][0], '1');
      assert.equal(srv.sql("SELECT users FROM stats_snapshots WHERE period = '2024-02' AND unit_code = '47'")[0][0], '1671');
      assert.equal(srv.sql("SELECT action, actor FROM period_closing_log WHERE period = '2024-02'")[0].join(' '), 'close cli');
      // The roll-ups change under the snapshot (as a direct write would): the closed period still reads its snapshot.
      srv.sql("UPDATE rollup_visits SET visits = visits + 500 WHERE unit_code = '4701' AND day = '2024-02-10'");
      const r = await officer.get('/stats/47?period=2024-02');
      assert.equal(r.json.period.closed, true);
      assert.equal(r.json.users, 1671, 'read from the snapshot');
      assert.equal(r.json.breakdowns.service[0].n, 1671);
      srv.sql("UPDATE rollup_visits SET visits = visits - 500 WHERE unit_code = '4701' AND day = '2024-02-10'");
      // Public page: no login, closed periods only, no personal data.
      const anon = new Client(srv.url);
      const pub = await anon.get('/statistics?unit=47&period=2024-02');
      assert.equal(pub.status, 200, pub.text);
      assert.equal(pub.json.users, 1671);
      assert.equal(pub.json.survey.percent, '91.73');
      assert.ok(!JSON.stringify(pub.json).includes('ทดสอบ'), 'no names');
      assert.ok(!('comments' in pub.json));
      const html = await anon.get('/statistics?unit=47', { accept: 'text/html' });
      assert.equal(html.status, 200);
      assert.match(html.text, /<meta name="description" content="[^"]*91\.73/);
      const open = await anon.get('/statistics?unit=47&period=2024-03');
      assert.equal(open.status, 404);
      assert.equal(open.json.type, '/problems/stats-not-closed');
      // Movement: 2024-03 against the closed 2024-02.
      fill(srv, '4701', '2024-03-01', 3000, 1001);
      const mv = await officer.get('/stats/47?period=2024-03');
      assert.equal(mv.json.rank.position, 1);
      assert.equal(mv.json.rank.movement, 1, 'up one place since 2024-02');
    });

    test('late edits of a closed period are refused; import --allow-closed recomputes its snapshot and logs why', async () => {
      // An entry of today, then its period closed by hand: the registry refuses a second one and the edit.
      const e = await officer.post('/registry', { json: { visited_at: bkk(-5), visitor_name: 'นายปิด รอบ', channel: 'web',
        services: [{ code: 'tangrat_signup', outcome: 'completed' }] } });
      assert.equal(e.status, 201, e.text);
      const period = e.json.period;
      // Not before the period's end unless on purpose: the refusal says why and stores nothing.
      assert.throws(() => run(['close-period', period], { env: srv.env }), /ยังไม่สิ้นสุด[\s\S]*--early/);
      assert.equal((await officer.get(`/stats/4701?period=${period}`)).json.period.closed, false);
      run(['close-period', period, '--early'], { env: srv.env });
      const late = await officer.post('/registry', { json: { visited_at: bkk(-4), visitor_name: 'นายสาย', channel: 'web',
        services: [{ code: 'tangrat_signup', outcome: 'completed' }] } });
      // The form's own check names the field (the write's transaction refuses it too: tests/db).
      assert.equal(late.status, 422, late.text);
      assert.equal(late.json.errors[0].field, 'visited_at');
      const v = await officer.post(`/registry/${e.json.id}/void`, { json: { reason: 'ทดสอบ' } });
      assert.equal(v.status, 409);
      assert.equal(v.json.type, '/problems/period-closed');
      const s = await officer.get(`/stats/4701?period=${period}`);
      assert.equal(s.json.period.closed, true);
      assert.equal(s.json.users, 1);
      // History into the closed 2024-02.
      const dir = mkdtempSync(join(tmpdir(), 'osspoint-stats-'));
      const file = join(dir, 'old.csv');
      writeFileSync(file, 'visited_at,visitor_name,channel,services\n2024-02-20 10:00,นายย้อน หลัง,web,tangrat_signup:completed\n');
      const out = run(['import', '--unit', '4701', '--officer', 'officer4701', '--file', file, '--allow-closed',
        '--reason', 'สมุดทะเบียนกระดาษเดือน ก.พ.'], { env: srv.env });
      assert.match(out, /คำนวณสถิติของรอบที่ปิดแล้วใหม่ 1 รอบ/);
      assert.equal((await officer.get('/stats/47?period=2024-02')).json.users, 1672);
      const log = srv.sql("SELECT action, actor, reason, COALESCE(user_id, 0) FROM period_closing_log WHERE period = '2024-02' AND action = 'recompute'");
      assert.equal(log.length, 1);
      assert.equal(log[0][1], 'import');
      assert.equal(log[0][2], 'สมุดทะเบียนกระดาษเดือน ก.พ.');
      assert.notEqual(log[0][3], '0', 'who');
      // osspoint check covers the new roll-ups (the fixture's survey sums had no raw rows).
      srv.sql("DELETE FROM rollup_survey WHERE unit_code = '4701' AND day IN ('2024-02-10', '2024-02-11', '2023-09-10')");
      srv.sql("UPDATE rollup_period_units SET survey_n = 0, survey_point_n = 0, survey_visit_n = 0, survey_sum = 0 WHERE unit_code = '4701' AND period IN ('2024-02', '2023-09')");
      assert.match(run(['check'], { env: srv.env }), /ตรงกับทะเบียน/);
      srv.sql("UPDATE rollup_visit_attrs SET n = n + 1 WHERE unit_code = '4701' AND period = '2024-02' AND sex = 'male'");
      assert.throws(() => run(['check'], { env: srv.env }), (err) => /rollup_visit_attrs/.test(String(err.stdout)));
      srv.sql("UPDATE rollup_visit_attrs SET n = n - 1 WHERE unit_code = '4701' AND period = '2024-02' AND sex = 'male'");
    });
  });
}
