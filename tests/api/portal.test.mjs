// Contract tests for the public portal and the e-service catalogue (issue 4,
// docs/portal.md), on SQLite and PostgreSQL: every /api/v1 answer is checked
// against docs/openapi.json (itself checked as OpenAPI 3.1), then search, the
// catalogue's validation, versions and order, per-point hidden services,
// point profiles, the page cache, QR codes, PDFs and short URLs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { validate as validateOpenApi } from '@readme/openapi-parser';
import { backends, startServer, spawnServer, Client, run, ROOT, SECURITY_HEADERS } from './lib.mjs';

const THAI = /[\u0E00-\u0E7F]/;
/* QR codes and printed URLs are built from public_url (set here so the test
 * knows it; the browser test checks the default). */
const PUBLIC_URL = 'https://eservice.example.go.th';
const PUBLIC_HOST = 'eservice.example.go.th';
const OPENAPI_TEXT = readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8');
const OPENAPI = JSON.parse(OPENAPI_TEXT);

/* ---- reference data (what the seed must have loaded) ---- */

/* RFC 4180: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', i = 0, quoted = false;
  text = text.replace(/^\uFEFF/, '');
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') i++;
    if (c === '\n' || c === '\r') { row.push(field); rows.push(row); row = []; field = ''; i++; continue; }
    field += c; i++;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const [head, ...body] = rows;
  return body.filter((r) => r.length > 1 || r[0] !== '').map((r) => Object.fromEntries(head.map((h, k) => [h, r[k] ?? ''])));
}
const CSV_SERVICES = parseCsv(readFileSync(join(ROOT, 'data', 'eservices.csv'), 'utf8'));
const CSV_DETAILS = new Map(parseCsv(readFileSync(join(ROOT, 'data', 'eservice_details.csv'), 'utf8')).map((r) => [r.code, r]));
const CSV_CATEGORIES = parseCsv(readFileSync(join(ROOT, 'data', 'eservice_categories.csv'), 'utf8'));
const CSV_DISTRICTS = parseCsv(readFileSync(join(ROOT, 'data', 'districts.csv'), 'utf8'));
const lines = (s) => s.split(/\r?\n/).map((x) => x.trim()).filter(Boolean);
const squash = (s) => s.replace(/\s+/g, '');
/* Text for comparing with pdftotext's output: no white space, no hyphens
 * (poppler joins "e-" + "Form" broken at a line end into "eForm"), and no Thai
 * marks above or below the line (it emits a tone mark after the next
 * consonant, e.g. "ขึน้" for "ขึ้น"; the base letters keep their order). */
const pdfNorm = (s) => squash(s).replace(/-/g, '').replace(/[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]/g, '');

/* ---- the OpenAPI document as a validator ---- */

const SPEC_ID = 'https://osspoint.invalid/openapi.json';
const ajv = new Ajv2020({ allErrors: true });
addFormats(ajv);
/* OAS 3.1 schema keywords JSON Schema does not know, and the document's own
 * members (schemas are looked up by JSON pointer inside it). */
ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs', 'components', 'paths']);
ajv.addSchema({ $id: SPEC_ID, components: OPENAPI.components, paths: OPENAPI.paths });

const pointer = (...parts) => '#/' + parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
function schemaCheck(ptr) {
  const v = ajv.getSchema(SPEC_ID + ptr);
  assert.ok(v, `no schema at ${ptr}`);
  return v;
}
function assertSchema(name, value, what = name) {
  const v = schemaCheck(pointer('components', 'schemas', name));
  assert.ok(v(value), `${what} does not match ${name}: ${ajv.errorsText(v.errors, { separator: '\n  ' })}`);
}
function deref(obj) {
  while (obj && obj.$ref) {
    const parts = obj.$ref.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    obj = parts.reduce((o, k) => o?.[k], OPENAPI);
  }
  return obj;
}

/* Checks an answer against the operation `template` (a path of the document):
 * its status is documented, its content type and body match, the required
 * headers are there and valid. Returns the body's JSON (or null). */
function assertContract(template, res, what = template) {
  const op = OPENAPI.paths[template]?.get;
  assert.ok(op, `${template} is not in docs/openapi.json`);
  const resp = deref(op.responses[String(res.status)]);
  assert.ok(resp, `${what}: status ${res.status} is not documented (body: ${res.text.slice(0, 200)})`);
  for (const [name, h0] of Object.entries(resp.headers || {})) {
    const h = deref(h0);
    const got = res.headers.get(name);
    if (h.required) assert.ok(got !== null, `${what}: header ${name} missing`);
    if (got !== null && h.schema) {
      const v = ajv.compile({ ...h.schema });
      assert.ok(v(got), `${what}: header ${name} "${got}" does not match ${JSON.stringify(h.schema)}`);
    }
  }
  if (!resp.content) {
    assert.equal(res.text, '', `${what}: ${res.status} has no body`);
    return null;
  }
  const ct = (res.headers.get('content-type') || '').split(';')[0].trim();
  assert.ok(resp.content[ct], `${what}: content type "${ct}" not documented for ${res.status} (${Object.keys(resp.content)})`);
  if (!/json/.test(ct)) return null;
  const body = JSON.parse(res.text);
  const respKey = op.responses[String(res.status)].$ref
    ? op.responses[String(res.status)].$ref.split('/').slice(1)
    : ['paths', template, 'get', 'responses', String(res.status)];
  const v = schemaCheck(pointer(...respKey, 'content', ct, 'schema'));
  assert.ok(v(body), `${what}: body does not match the schema: ${ajv.errorsText(v.errors, { separator: '\n  ' })}`);
  return body;
}

/* ---- helpers ---- */

const SPEC_SERVICE_FIELDS = OPENAPI.components.schemas.Service.required;
const SPEC_POINT_FIELDS = OPENAPI.components.schemas.Point.required;
const extraFields = new Map(); // model -> fields beyond docs/portal.md (logged once)
function noteExtra(model, obj, known) {
  const extra = Object.keys(obj).filter((k) => !known.includes(k));
  const seen = extraFields.get(model) || new Set();
  for (const k of extra) seen.add(k);
  extraFields.set(model, seen);
}

function tmpFile(name, bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'osspoint-portal-'));
  const f = join(dir, name);
  writeFileSync(f, bytes);
  return { f, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/* A GET whose answer may have no body (304): the shared client would try to
 * parse an empty JSON body. */
async function rawGet(base, path, headers = {}) {
  const res = await fetch(base + path, { headers: { accept: 'application/json', ...headers }, redirect: 'manual' });
  const text = await res.text();
  let json = null;
  if (text && (res.headers.get('content-type') || '').includes('json')) json = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, json };
}

async function getBytes(base, path, headers = {}) {
  const res = await fetch(base + path, { headers, redirect: 'manual' });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

function pdfText(bytes) {
  const t = tmpFile('x.pdf', bytes);
  try {
    const info = execFileSync('pdfinfo', [t.f], { encoding: 'utf8' });
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', t.f, '-'], { encoding: 'utf8' });
    return { pages: Number(/^Pages:\s+(\d+)/m.exec(info)[1]), text };
  } finally { t.done(); }
}

function decodeQr(bytes) {
  const t = tmpFile('qr.png', bytes);
  try { return execFileSync('zbarimg', ['--raw', '-q', t.f], { encoding: 'utf8' }).trim(); } finally { t.done(); }
}

/* The services a point page's JSON model lists (point.services or services). */
const pageServices = (m) => (m.point?.services ?? m.services ?? []).map((s) => s.code);

/* A second node on the same database (env of a running server). Resolves to
 * {url, stop}; stop() checks that it exited cleanly (lib.mjs spawnServer). */
function startNode(env) {
  return spawnServer({ ...env, OSSPOINT_LISTEN: '127.0.0.1:0' }, 'second node');
}

/* The service in a create/edit answer ({service} or the service itself). */
const svcOf = (j) => j.service ?? j;

/* A valid new service (JSON body of POST /services). */
function newService(code, over = {}) {
  return {
    code, name_th: 'บริการทดสอบจองคิวออนไลน์', name_en: 'Test queue booking', agency_th: 'กรมทดสอบระบบ',
    agency_en: 'Department of Testing', agency_type: 'government', category: 'transport', channel: 'web',
    url: 'https://queue.example.go.th/booking', description: 'บริการสำหรับทดสอบระบบแคตตาล็อก',
    steps: ['เปิดเว็บไซต์', 'กรอกเลขประจำตัวประชาชน', 'เลือกวันและเวลา'], documents: ['บัตรประจำตัวประชาชน'],
    fees: 'ไม่มี', ...over,
  };
}

test('docs/openapi.json is valid OpenAPI 3.1 and every schema compiles (JSON Schema 2020-12)', async () => {
  assert.equal(OPENAPI.openapi, '3.1.0');
  const r = await validateOpenApi(structuredClone(OPENAPI));
  assert.equal(r.valid, true, JSON.stringify(r.errors, null, 1));
  assert.deepEqual(r.warnings ?? [], []);
  // The parser does not look inside Schema Objects: compile each one strictly.
  for (const name of Object.keys(OPENAPI.components.schemas)) schemaCheck(pointer('components', 'schemas', name));
  for (const [p, item] of Object.entries(OPENAPI.paths))
    for (const [code, resp] of Object.entries(item.get.responses))
      for (const ct of Object.keys(resp.content || {})) schemaCheck(pointer('paths', p, 'get', 'responses', code, 'content', ct, 'schema'));
  // The validator does catch a broken document.
  const broken = structuredClone(OPENAPI);
  delete broken.info.version;
  broken.paths['/api/v1/services'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
  assert.equal((await validateOpenApi(broken)).valid, false);
  // English and Thai in the description; the enumerations of docs/portal.md.
  assert.match(OPENAPI.info.description, /catalogue/);
  assert.match(OPENAPI.info.description, THAI);
  const s = OPENAPI.components.schemas;
  assert.deepEqual(s.Channel.enum, ['tangrat', 'web', 'line', 'app']);
  assert.deepEqual(s.ServiceStatus.enum, ['active', 'moving', 'retired']);
  assert.deepEqual(s.AgencyType.enum, ['government', 'state_enterprise']);
  assert.deepEqual(s.PointStatus.enum, ['open', 'temporarily_closed', 'closed', 'planned']);
  assert.deepEqual([...s.Service.required].sort(), ['agency_en', 'agency_th', 'agency_type', 'agency_type_label', 'category',
    'category_th', 'channel', 'channel_label', 'code', 'description', 'documents', 'fees', 'href', 'name_en', 'name_th',
    'qr_svg', 'sort_order', 'status', 'status_label', 'steps', 'updated_at', 'url', 'version', 'area', 'area_provinces',
    'area_th'].sort());
  assert.deepEqual([...s.Point.required].sort(), ['address', 'district_en', 'district_th', 'hours', 'href', 'lat', 'lon',
    'name_th', 'opened_on', 'opened_on_th', 'phone', 'poster', 'province_code', 'province_th', 'status', 'status_label',
    'unit_code', 'updated_at'].sort());
  // A schema that would accept anything is a defect: a few bodies it must refuse.
  const bad = [['Service', { code: 'x' }], ['Point', { unit_code: '4701' }], ['Problem', { type: '/problems/x', title: 'no thai', status: 404 }],
    ['Service', { ...Object.fromEntries(s.Service.required.map((k) => [k, ''])) }]];
  for (const [name, body] of bad) assert.equal(schemaCheck(pointer('components', 'schemas', name))(body), false, name);
});

test('every /api/v1 route and /search is documented, and every documented path is a public cached route', () => {
  const routes = JSON.parse(run(['routes']));
  const get = new Map(routes.filter((r) => r.methods.includes('GET')).map((r) => [r.pattern, r]));
  for (const p of Object.keys(OPENAPI.paths)) {
    const rt = get.get(p);
    assert.ok(rt, `${p} is documented but not routed`);
    // Staff routes (the statistics' dashboard) say they need the session; the rest are public.
    const staff = Object.values(OPENAPI.paths[p]).every((op) => (op.security || []).some((s) => 'session' in s));
    assert.equal(rt.public, !staff, `${p} is ${staff ? 'a staff route' : 'public'}`);
    if (staff) {
      assert.ok(OPENAPI.components.securitySchemes.session, 'the session scheme is described');
      assert.equal(rt.cached, false, `${p} (staff) is not served from the page cache`);
      continue;
    }
    // The survey's public routes (issue 10) answer per token and device: never cached.
    // So do the public statistics (they change when a period closes).
    const survey = Object.values(OPENAPI.paths[p]).every((op) => (op.tags || []).some((t) => ['survey', 'statistics'].includes(t)));
    assert.equal(rt.cached, !survey, `${p} is ${survey ? 'not ' : ''}served from the page cache (ROUTE_CACHED)`);
  }
  for (const rt of routes.filter((r) => r.pattern.startsWith('/api/v1/')))
    assert.ok(OPENAPI.paths[rt.pattern], `${rt.pattern} is routed but not in docs/openapi.json`);
  // docs/portal.md's public table: cached (C) routes, and the two short URLs (not cached).
  for (const p of ['/', '/search', '/services', '/services/{code}', '/services/{code}/qr.svg', '/services/{code}/qr.png',
    '/catalogue.pdf', '/points', '/points/{code}', '/points/{code}/poster.pdf', '/points/{code}/qr.svg', '/privacy'])
    assert.ok(get.get(p)?.public && get.get(p)?.cached, `${p} public and cached`);
  for (const p of ['/p/{code}', '/s/{code}']) assert.ok(get.get(p)?.public, `${p} public`);
});

for (const backend of backends()) {
  describe(`portal on ${backend}`, () => {
    let srv, anon, nadmin, dadmin, dadmin2, officer, padmin;
    const dadmin2Password = 'district-admin-4702';
    before(async () => {
      srv = await startServer(backend, { OSSPOINT_PUBLIC_URL: PUBLIC_URL });
      anon = new Client(srv.url);
      nadmin = new Client(srv.url); assert.equal((await nadmin.login('nadmin')).status, 200);
      dadmin = new Client(srv.url); assert.equal((await dadmin.login('dadmin4701')).status, 200);
      officer = new Client(srv.url); assert.equal((await officer.login('officer4701')).status, 200);
      padmin = new Client(srv.url); assert.equal((await padmin.login('padmin47')).status, 200);
      // The demo seed has no district admin for 4702.
      const u = await nadmin.post('/users', { json: { username: 'dadmin4702', display_name: 'ผู้ดูแล อำเภอกุสุมาลย์',
        role: 'district_admin', unit_code: '4702', password: dadmin2Password } });
      assert.equal(u.status, 201, u.text);
      dadmin2 = new Client(srv.url); assert.equal((await dadmin2.login('dadmin4702', dadmin2Password)).status, 200);
    });
    after(async () => {
      if (srv) assert.deepEqual(await srv.stop(), { code: 0, sig: null }, 'the server exits cleanly');
      for (const [model, set] of extraFields) if (set.size) console.log(`# ${backend}: ${model} also has ${[...set].sort().join(', ')} (not in docs/portal.md)`);
    });

    /* The public list of services (API), as {code: model}. */
    async function apiServices(q = '') {
      const r = await anon.get('/api/v1/services' + q);
      return assertContract('/api/v1/services', r, `/api/v1/services${q}`);
    }
    async function apiService(code) {
      const r = await anon.get(`/api/v1/services/${code}`);
      return { status: r.status, json: assertContract('/api/v1/services/{code}', r, `/api/v1/services/${code}`) };
    }
    async function apiPoint(code) {
      const r = await anon.get(`/api/v1/points/${code}`);
      return assertContract('/api/v1/points/{code}', r, `/api/v1/points/${code}`);
    }
    const counts = () => srv.sql('SELECT (SELECT COUNT(*) FROM eservices), (SELECT COUNT(*) FROM eservice_versions), '
      + '(SELECT generation FROM portal_meta)')[0].map(Number);

    test('/api/v1/openapi.json is docs/openapi.json byte for byte, with an ETag', async () => {
      const r = await getBytes(srv.url, '/api/v1/openapi.json');
      assert.equal(r.status, 200);
      assert.equal(r.bytes.toString('utf8'), OPENAPI_TEXT);
      assert.match(r.headers.get('content-type'), /^application\/json/);
      const etag = r.headers.get('etag');
      assert.match(etag, /^"[^"]+"$/);
      const again = await rawGet(srv.url, '/api/v1/openapi.json', { 'if-none-match': etag });
      assertContract('/api/v1/openapi.json', again);
      assert.equal(again.status, 304);
    });

    test('/api/v1/services: the seeded catalogue, public model only, catalogue order', async () => {
      const body = await apiServices();
      const byCode = new Map(body.services.map((s) => [s.code, s]));
      assert.deepEqual([...byCode.keys()].sort(), CSV_SERVICES.map((s) => s.code).sort(), 'every seeded service, once');
      assert.ok(Number.isInteger(body.generation));
      const orders = body.services.map((s) => s.sort_order);
      assert.deepEqual(orders, [...orders].sort((a, b) => a - b), 'catalogue order');
      const cats = new Map(CSV_CATEGORIES.map((c) => [c.code, c]));
      for (const row of CSV_SERVICES) {
        const s = byCode.get(row.code);
        const d = CSV_DETAILS.get(row.code);
        noteExtra('service', s, SPEC_SERVICE_FIELDS);
        assert.equal(s.name_th, row.name_th, `${row.code} name_th`);
        assert.equal(s.agency_th, row.agency_th);
        assert.equal(s.agency_type, row.agency_type);
        assert.equal(s.channel, row.channel);
        assert.equal(s.url ?? '', row.url, `${row.code} url`);
        assert.equal(s.status, 'active');
        assert.equal(s.version, 1, `${row.code}: seeded services are version 1`);
        assert.equal(s.category, d.category);
        assert.equal(s.category_th, cats.get(d.category).name_th);
        assert.deepEqual(s.steps, lines(d.steps), `${row.code} steps`);
        assert.deepEqual(s.documents, lines(d.documents), `${row.code} documents`);
        assert.equal(s.fees, d.fees || 'ไม่มี');
        assert.equal(s.href, `/services/${row.code}`);
        assert.equal(s.qr_svg, `/services/${row.code}/qr.svg`);
        assert.ok(!('source' in s) && !('note' in s), 'source/note are for admins only');
      }
      const tax = byCode.get('dlt_vehicle_tax');
      assert.equal(tax.name_th, 'ชำระภาษีรถประจำปีออนไลน์');
      assert.equal(tax.url, 'https://eservice.dlt.go.th/');
      assert.equal(tax.category, 'transport');
      // One service answers the same model as the list.
      for (const code of ['dlt_vehicle_tax', 'thaid_register', 'pwa_1662_app']) {
        const one = await apiService(code);
        assert.equal(one.status, 200);
        assert.deepEqual(one.json, byCode.get(code));
      }
      // ?category= keeps only that category, in the same order.
      const tr = await apiServices('?category=transport');
      assert.deepEqual(tr.services.map((s) => s.code), body.services.filter((s) => s.category === 'transport').map((s) => s.code));
      assert.ok(tr.services.length >= 5);
      // Unknown code / category: 404 problem+json naming the field.
      const nope = await anon.get('/api/v1/services/no_such_service');
      assertContract('/api/v1/services/{code}', nope);
      assert.equal(nope.status, 404);
      assert.match(nope.headers.get('content-type'), /^application\/problem\+json/);
      assert.equal(nope.json.type, '/problems/not-found');
      const badCat = await anon.get('/api/v1/services?category=no_such_category');
      assertContract('/api/v1/services', badCat);
      assert.equal(badCat.status, 404);
      assert.equal(badCat.json.field, 'category');
      // The API answers JSON whatever the Accept header says.
      const html = await anon.get('/api/v1/services/dlt_vehicle_tax', { accept: 'text/html' });
      assert.match(html.headers.get('content-type'), /^application\/json/);
      const htmlNope = await anon.get('/api/v1/services/no_such_service', { accept: 'text/html' });
      assert.match(htmlNope.headers.get('content-type'), /^application\/problem\+json/);
    });

    test('/api/v1/points: one point per district in the programme, seeded profile', async () => {
      const r = await anon.get('/api/v1/points');
      const body = assertContract('/api/v1/points', r);
      const inProgramme = CSV_DISTRICTS.filter((d) => d.province_code !== '10');
      assert.equal(body.points.length, inProgramme.length);
      assert.equal(body.points.length, 878);
      const codes = body.points.map((p) => p.unit_code);
      assert.deepEqual(codes, [...codes].sort(), 'ordered by district code');
      const p = body.points.find((x) => x.unit_code === '4701');
      noteExtra('point', p, SPEC_POINT_FIELDS);
      assert.equal(p.district_th, 'เมืองสกลนคร');
      assert.equal(p.province_code, '47');
      assert.equal(p.province_th, 'สกลนคร');
      assert.equal(p.name_th, 'จุดให้บริการ e-Service ศูนย์ดำรงธรรมอำเภอเมืองสกลนคร');
      assert.equal(p.address, 'ที่ว่าการอำเภอเมืองสกลนคร จังหวัดสกลนคร');
      assert.equal(p.hours, 'วันจันทร์–วันศุกร์ เวลา 08.30–16.30 น. (เว้นวันหยุดราชการ)');
      assert.equal(p.status, 'open');
      assert.match(p.status_label, THAI);
      assert.equal(p.href, '/points/4701');
      assert.equal(p.poster, '/points/4701/poster.pdf');
      // ?province= (Thai digits too); malformed → 400; none there → 404.
      const sk = assertContract('/api/v1/points', await anon.get('/api/v1/points?province=47'));
      assert.equal(sk.points.length, 18);
      assert.ok(sk.points.every((x) => x.province_code === '47'));
      const skThai = assertContract('/api/v1/points', await anon.get('/api/v1/points?province=%E0%B9%94%E0%B9%97'));
      assert.deepEqual(skThai.points.map((x) => x.unit_code), sk.points.map((x) => x.unit_code));
      const bad = await anon.get('/api/v1/points?province=4');
      assertContract('/api/v1/points', bad);
      assert.equal(bad.status, 400);
      assert.equal(bad.json.field, 'province');
      const bkk = await anon.get('/api/v1/points?province=10');
      assertContract('/api/v1/points', bkk);
      assert.equal(bkk.status, 404, 'Bangkok is not in the programme');
      // One point: history and the services it offers (the catalogue of its area:
      // everything but the metropolitan electricity and water services here).
      const one = await apiPoint('4701');
      for (const k of SPEC_POINT_FIELDS) assert.deepEqual(one[k], p[k], k);
      const all = (await apiServices()).services.filter((s) => s.area === 'all' || (s.area === 'only') === s.area_provinces.includes('47'));
      assert.deepEqual(one.services.map((s) => s.code), all.map((s) => s.code));
      assert.deepEqual(one.services.map((s) => s.name_th), all.map((s) => s.name_th));
      assert.ok(Array.isArray(one.history));
      for (const code of ['9999', '1001', 'abcd']) {
        const n = await anon.get(`/api/v1/points/${code}`);
        assertContract('/api/v1/points/{code}', n, `/api/v1/points/${code}`);
        assert.equal(n.status, 404, code);
      }
    });

    test('ETag + If-None-Match → 304 on every API answer and public page; hits keep the security headers', async () => {
      const targets = [['/api/v1/services', '/api/v1/services'], ['/api/v1/services?category=health', '/api/v1/services'],
        ['/api/v1/services/dlt_vehicle_tax', '/api/v1/services/{code}'], ['/api/v1/points?province=47', '/api/v1/points'],
        ['/api/v1/points/4701', '/api/v1/points/{code}'], ['/api/v1/openapi.json', '/api/v1/openapi.json'],
        ['/search?q=%E0%B8%A0%E0%B8%B2%E0%B8%A9%E0%B8%B5', '/search']];
      for (const [path, template] of targets) {
        const a = await anon.get(path);
        assertContract(template, a, path);
        const etag = a.headers.get('etag');
        assert.match(etag, /^"[^"]+"$/, `${path} ETag`);
        assert.match(a.headers.get('cache-control') || '', /public/, `${path} Cache-Control`);
        const b = await anon.get(path);
        assert.equal(b.headers.get('etag'), etag, `${path}: same bytes, same ETag`);
        assert.equal(b.text, a.text);
        const c = await rawGet(srv.url, path, { 'if-none-match': etag });
        assertContract(template, c, `${path} (If-None-Match)`);
        assert.equal(c.status, 304, `${path} If-None-Match`);
        assert.equal(c.headers.get('etag'), etag);
        const w = await rawGet(srv.url, path, { 'if-none-match': `"nope", W/${etag}` });
        assert.equal(w.status, 304, `${path}: a list with the weak form of the tag`);
        const miss = await rawGet(srv.url, path, { 'if-none-match': '"not-this-one"' });
        assert.equal(miss.status, 200, `${path}: another tag → 200`);
        for (const [h, re] of Object.entries(SECURITY_HEADERS)) assert.match(b.headers.get(h) || '', re, `${h} on ${path} (second answer)`);
      }
      // HTML pages too, and the JSON and HTML forms of one URL are kept apart.
      for (const path of ['/', '/services', '/services/dlt_vehicle_tax', '/points?province=47', '/points/4701', '/privacy']) {
        const h = await anon.get(path, { accept: 'text/html' });
        assert.equal(h.status, 200, path);
        assert.match(h.headers.get('content-type'), /^text\/html/);
        const j = await anon.get(path);
        assert.match(j.headers.get('content-type'), /^application\/json/, `${path} as JSON`);
        assert.notEqual(j.headers.get('etag'), h.headers.get('etag'));
        assert.match(h.headers.get('vary') || '', /Accept/i, `${path} Vary: Accept`);
        const c = await rawGet(srv.url, path, { accept: 'text/html', 'if-none-match': h.headers.get('etag') });
        assert.equal(c.status, 304, `${path} If-None-Match`);
        const again = await anon.get(path, { accept: 'text/html' });
        assert.equal(again.headers.get('x-cache'), 'hit', `${path} second answer from the page cache`);
        for (const [hd, re] of Object.entries(SECURITY_HEADERS)) assert.match(again.headers.get(hd) || '', re, `${hd} on ${path} (hit)`);
      }
    });

    test('public pages are the same for everyone: a logged-in visitor gets the anonymous bytes', async () => {
      for (const path of ['/', '/services/dlt_vehicle_tax', '/points/4701']) {
        const mine = await nadmin.get(path, { accept: 'text/html' });
        const theirs = await anon.get(path, { accept: 'text/html' });
        assert.equal(mine.status, 200);
        assert.equal(mine.text, theirs.text, path);
        assert.ok(!mine.text.includes('ผู้ดูแลระบบ กรมการปกครอง'), `${path} does not show the logged-in user`);
        assert.equal(mine.headers.getSetCookie().length, 0, `${path} sets no cookie`);
      }
    });

    test('search: Thai words, Thai digits, categories, nonsense, JSON shape', async () => {
      const search = async (q, extra = '') => {
        const r = await anon.get(`/search?q=${encodeURIComponent(q)}${extra}`);
        assert.equal(r.status, 200, `${q}: ${r.text.slice(0, 200)}`);
        return assertContract('/search', r, `/search?q=${q}${extra}`);
      };
      const tax = await search('ภาษีรถ');
      assert.equal(tax.q, 'ภาษีรถ');
      const at = tax.results.findIndex((x) => x.code === 'dlt_vehicle_tax');
      assert.ok(at >= 0 && at <= 2, `ภาษีรถ: dlt_vehicle_tax at ${at} in ${tax.results.map((x) => x.code)}`);
      if (at !== 0) console.log(`# ${backend}: ภาษีรถ ranks dlt_vehicle_tax ${at + 1}: ${tax.results.map((x) => x.code)}`);
      assert.equal(tax.results[at].href, '/services/dlt_vehicle_tax');
      assert.equal(tax.results[at].name_th, 'ชำระภาษีรถประจำปีออนไลน์');
      // Word segmentation: written without spaces, inside longer words.
      assert.ok((await search('ชำระภาษีรถประจำปี')).results[0]?.code === 'dlt_vehicle_tax');
      assert.ok((await search('หนังสือเดินทาง')).results.some((x) => x.code === 'mfa_passport_queue'));
      assert.ok((await search('สิทธิรักษาพยาบาล')).results.some((x) => x.code === 'nhso_rights_check'));
      // Thai digits are digits.
      for (const [thai, arabic, code] of [['๑๕๖๗', '1567', 'moi_damrongdham'], ['๑๑๑๑', '1111', 'opm_1111']]) {
        const a = await search(thai), b = await search(arabic);
        assert.ok(a.results.some((x) => x.code === code), `${thai} finds ${code}: ${a.results.map((x) => x.code)}`);
        assert.deepEqual(a.results.map((x) => x.code), b.results.map((x) => x.code), `${thai} = ${arabic}`);
      }
      // English names and codes.
      assert.ok((await search('passport')).results.some((x) => x.code === 'mfa_passport_queue'));
      // Nonsense → [] (200, not an error), in both forms.
      for (const q of ['ฆฌฎฏฐฑฒ', 'zzqxjv', 'ฟหกดzzqx']) assert.deepEqual((await search(q)).results, [], q);
      const none = await anon.get(`/search?q=${encodeURIComponent('ฆฌฎฏฐฑฒ')}`, { accept: 'text/html' });
      assert.equal(none.status, 200);
      assert.match(none.text, /ไม่พบ/);
      // Category filter; an unknown category is a 404.
      const cat = await search('', '&category=transport');
      assert.ok(cat.results.length >= 5);
      const transport = (await apiServices('?category=transport')).services.map((s) => s.code).sort();
      assert.deepEqual(cat.results.map((x) => x.code).sort(), transport);
      const taxInCat = await search('ภาษี', '&category=transport');
      assert.ok(taxInCat.results.some((x) => x.code === 'dlt_vehicle_tax'));
      assert.ok(!taxInCat.results.some((x) => x.code === 'rd_efiling'), 'rd_efiling is tax_finance, not transport');
      const badCat = await anon.get('/search?q=x&category=no_such_category');
      assertContract('/search', badCat);
      assert.equal(badCat.status, 404);
      // The HTML page lists the result with its link.
      const page = await anon.get(`/search?q=${encodeURIComponent('ภาษีรถ')}`, { accept: 'text/html' });
      assert.match(page.text, /href="\/services\/dlt_vehicle_tax"/);
      assert.ok(page.text.includes('ชำระภาษีรถประจำปีออนไลน์'));
      assert.match(page.text, /<input[^>]*name="q"[^>]*value="ภาษีรถ"|value="ภาษีรถ"[^>]*name="q"/);
      // Script in the query is text.
      const xss = await anon.get(`/search?q=${encodeURIComponent('<script>alert(1)</script>')}`, { accept: 'text/html' });
      assert.equal(xss.status, 200);
      assert.ok(!xss.text.includes('<script>alert(1)</script>'));
    });

    test('search finds services whose names were never seen while the search was written', async () => {
      // Names added now, unlike anything in data/eservices.csv or the unit tests: the
      // index is rebuilt from them and queries typed without spaces must find them.
      const added = [
        ['unseen_elderly', 'ขอรับเบี้ยยังชีพผู้สูงอายุออนไลน์', 'welfare'],
        ['unseen_birth', 'แจ้งเกิดบุตรและขอสูติบัตรล่วงหน้า', 'identity'],
        ['unseen_fishing', 'ขึ้นทะเบียนเรือประมงพื้นบ้าน', 'agriculture_land'],
      ];
      for (const [code, name_th, category] of added) {
        const r = await nadmin.post('/services', { json: newService(code, { name_th, name_en: '', category, description: '' }) });
        assert.equal(r.status, 201, r.text);
      }
      const first = async (q) => (await anon.get(`/search?q=${encodeURIComponent(q)}`)).json.results.map((x) => x.code);
      for (const [q, code] of [['เบี้ยผู้สูงอายุ', 'unseen_elderly'], ['เบี้ยยังชีพ', 'unseen_elderly'],
        ['แจ้งเกิด', 'unseen_birth'], ['สูติบัตร', 'unseen_birth'], ['เรือประมง', 'unseen_fishing'],
        ['ทะเบียนเรือ', 'unseen_fishing']]) {
        const codes = await first(q);
        assert.equal(codes[0], code, `${q} → ${codes.join(', ')}`);
      }
      assert.ok(!(await first('เรือประมง')).includes('unseen_birth'), 'no unrelated match');
      for (const [code] of added) {
        const r = await nadmin.post(`/services/${code}`, { json: { status: 'retired' } });
        assert.equal(r.status, 200, r.text);
      }
      const left = await first('เบี้ยยังชีพผู้สูงอายุ');
      assert.ok(!left.some((c) => c.startsWith('unseen_')), `a retired service is not offered by search: ${left}`);
    });

    test('POST /services: every bad field → 422 in Thai naming it, nothing stored', async () => {
      const before = counts();
      const list = (await apiServices()).services.map((s) => s.code);
      const cases = [
        [{ name_th: '' }, 'name_th'],
        [{ name_th: undefined }, 'name_th'],
        [{ name_th: 'English only' }, 'name_th'],
        [{ url: 'javascript:alert(1)' }, 'url'],
        [{ url: 'JavaScript:alert(1)' }, 'url'],
        [{ url: 'example.go.th/booking' }, 'url'],
        [{ url: 'https://exa mple.go.th/booking' }, 'url'],
        [{ url: 'https://example.go.th/a b' }, 'url'],
        [{ url: 'ftp://example.go.th/x' }, 'url'],
        [{ url: 'https://example.go.th/"><script>' }, 'url'],
        [{ code: 'dlt_vehicle_tax' }, 'code'],
        [{ code: 'Bad-Code' }, 'code'],
        [{ code: '1abc' }, 'code'],
        [{ code: '' }, 'code'],
        [{ code: 'new' }, 'code'],
        [{ category: 'no_such_category' }, 'category'],
        [{ category: '' }, 'category'],
        [{ channel: 'fax' }, 'channel'],
        [{ agency_type: 'company' }, 'agency_type'],
        [{ agency_th: '' }, 'agency_th'],
        [{ status: 'gone' }, 'status'],
        [{ steps: Array.from({ length: 30 }, (_, i) => `ขั้นที่ ${i + 1}`) }, 'steps'],
      ];
      for (const [over, field] of cases) {
        const body = newService('test_bad_one', over);
        for (const k of Object.keys(over)) if (over[k] === undefined) delete body[k];
        const r = await nadmin.post('/services', { json: body });
        const what = `${JSON.stringify(over).slice(0, 60)}`;
        assert.equal(r.status, 422, `${what}: ${r.text.slice(0, 300)}`);
        assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
        assertSchema('ValidationProblem', r.json, what);
        assert.deepEqual(r.json.errors.map((e) => e.field), [field], `${what} names only ${field}`);
        for (const e of r.json.errors) assert.match(e.message, THAI, `${what}: message in Thai`);
      }
      // Many at once: all named.
      const many = await nadmin.post('/services', { json: { code: 'X', name_th: '', url: 'javascript:x', category: 'nope', channel: '' } });
      assert.equal(many.status, 422);
      const fields = new Set(many.json.errors.map((e) => e.field));
      for (const f of ['code', 'name_th', 'url', 'category', 'channel', 'agency_th']) assert.ok(fields.has(f), `many: ${f}`);
      // The HTML form answers 422 with the message next to the field.
      const form = await nadmin.post('/services', { accept: 'text/html', form: { ...newService('test_bad_form', { url: 'javascript:alert(1)' }),
        steps: 'หนึ่ง\nสอง', documents: '', csrf: nadmin.csrf } });
      assert.equal(form.status, 422);
      assert.match(form.headers.get('content-type'), /^text\/html/);
      assert.match(form.text, /aria-invalid="true"/);
      assert.ok(!form.text.includes('href="javascript:'), 'the bad URL is not made a link');
      // Nothing stored, nothing invalidated.
      assert.deepEqual(counts(), before);
      assert.deepEqual((await apiServices()).services.map((s) => s.code), list);
      assert.equal((await apiService('test_bad_one')).status, 404);
      // Only national admins may touch the catalogue.
      for (const c of [officer, dadmin, padmin]) {
        const r = await c.post('/services', { json: newService('test_not_allowed') });
        assert.equal(r.status, 403);
      }
      assert.equal((await anon.post('/services', { json: newService('test_not_allowed') })).status, 401);
      assert.deepEqual(counts(), before);
    });

    test('create → edit → stale edit 409 → retire → restore: versions and history', async () => {
      const code = 'test_versioned';
      const g0 = (await apiServices()).generation;
      const c = await nadmin.post('/services', { json: newService(code) });
      assert.equal(c.status, 201, c.text);
      assert.equal(svcOf(c.json).code, code);
      assert.equal(svcOf(c.json).version, 1);
      // Visible at once in the public API, with the public model.
      let pub = await apiService(code);
      assert.equal(pub.status, 200);
      assert.equal(pub.json.version, 1);
      assert.deepEqual(pub.json.steps, ['เปิดเว็บไซต์', 'กรอกเลขประจำตัวประชาชน', 'เลือกวันและเวลา']);
      assert.equal(pub.json.url, 'https://queue.example.go.th/booking');
      const listed = await apiServices();
      assert.ok(listed.generation > g0, 'generation moved');
      assert.ok(listed.services.some((s) => s.code === code));
      // Edit: version 2.
      const e = await nadmin.post(`/services/${code}`, { json: { name_th: 'บริการทดสอบจองคิว (ปรับปรุง)', fees: '100 บาท', version: 1 } });
      assert.equal(e.status, 200, e.text);
      assert.equal(svcOf(e.json).version, 2);
      pub = await apiService(code);
      assert.equal(pub.json.version, 2);
      assert.equal(pub.json.name_th, 'บริการทดสอบจองคิว (ปรับปรุง)');
      assert.equal(pub.json.fees, '100 บาท');
      assert.equal(pub.json.url, 'https://queue.example.go.th/booking', 'fields left out keep their value');
      // A stale version: 409, nothing changed.
      const before = counts();
      const stale = await nadmin.post(`/services/${code}`, { json: { name_th: 'ทับของคนอื่น', version: 1 } });
      assert.equal(stale.status, 409, stale.text);
      assert.match(stale.headers.get('content-type'), /^application\/problem\+json/);
      assertSchema('Problem', stale.json, '409');
      assert.equal(stale.json.field, 'version');
      assert.match(stale.json.detail || stale.json.title, THAI);
      assert.deepEqual(counts(), before);
      assert.equal((await apiService(code)).json.name_th, 'บริการทดสอบจองคิว (ปรับปรุง)');
      // A bad edit: 422, nothing changed.
      const badEdit = await nadmin.post(`/services/${code}`, { json: { url: 'javascript:alert(1)', version: 2 } });
      assert.equal(badEdit.status, 422);
      assert.deepEqual(badEdit.json.errors.map((x) => x.field), ['url']);
      assert.deepEqual(counts(), before);
      // Retire: gone from the list, its page says so, no button.
      const ret = await nadmin.post(`/services/${code}`, { json: { status: 'retired', version: 2 } });
      assert.equal(ret.status, 200, ret.text);
      assert.equal(svcOf(ret.json).version, 3);
      const after = await apiServices();
      assert.ok(!after.services.some((s) => s.code === code), 'a retired service is not in /api/v1/services');
      pub = await apiService(code);
      assert.equal(pub.status, 200, 'a retired service still answers');
      assert.equal(pub.json.status, 'retired');
      assert.match(pub.json.status_label, THAI);
      const page = await anon.get(`/services/${code}`, { accept: 'text/html' });
      assert.equal(page.status, 200);
      assert.ok(page.text.includes(pub.json.status_label), 'the page says it is retired');
      assert.ok(!page.text.includes('href="https://queue.example.go.th/booking"'), 'no button to the retired service');
      const services = await anon.get('/services', { accept: 'text/html' });
      assert.ok(!services.text.includes(`/services/${code}"`), '/services no longer lists it');
      assert.ok(!(await anon.get(`/search?q=${encodeURIComponent('จองคิว (ปรับปรุง)')}`)).json.results.some((x) => x.code === code));
      // Restore.
      const res = await nadmin.post(`/services/${code}`, { json: { status: 'active' } });
      assert.equal(res.status, 200);
      assert.equal(svcOf(res.json).version, 4);
      assert.ok((await apiServices()).services.some((s) => s.code === code));
      // History: who, when, action, before → after; officers may read it.
      const h = await officer.get(`/services/${code}/history`);
      assert.equal(h.status, 200, h.text);
      const rows = h.json.history;
      assert.deepEqual(rows.map((x) => x.version).sort(), [1, 2, 3, 4]);
      const byVersion = new Map(rows.map((x) => [x.version, x]));
      assert.deepEqual([1, 2, 3, 4].map((v) => byVersion.get(v).action), ['create', 'edit', 'retire', 'restore']);
      const now = Date.now() / 1000;
      for (const x of rows) {
        assert.equal(x.user_name, 'ผู้ดูแลระบบ กรมการปกครอง', 'who');
        assert.ok(typeof x.at === 'number' && Math.abs(x.at - now) < 600, `when: ${x.at}`);
      }
      const edit = byVersion.get(2);
      const nameChange = edit.changes.find((x) => x.field === 'name_th');
      assert.ok(nameChange, `the edit lists name_th: ${JSON.stringify(edit.changes)}`);
      assert.equal(nameChange.before, 'บริการทดสอบจองคิวออนไลน์');
      assert.equal(nameChange.after, 'บริการทดสอบจองคิว (ปรับปรุง)');
      assert.ok(edit.changes.some((x) => x.field === 'fees'));
      assert.ok(!edit.changes.some((x) => x.field === 'url'), 'unchanged fields are not listed');
      const hp = await officer.get(`/services/${code}/history`, { accept: 'text/html' });
      assert.ok(hp.text.includes('บริการทดสอบจองคิว (ปรับปรุง)') && hp.text.includes('ผู้ดูแลระบบ กรมการปกครอง'));
      assert.match(hp.text, /25\d\d/, 'B.E. dates');
      // Seeded services have their 'seed' version.
      const seeded = await officer.get('/services/dlt_vehicle_tax/history');
      assert.equal(seeded.json.history.length, 1);
      assert.equal(seeded.json.history[0].action, 'seed');
      // Officers cannot edit; anonymous visitors cannot read the history.
      assert.equal((await officer.post(`/services/${code}`, { json: { status: 'retired' } })).status, 403);
      assert.equal((await anon.get(`/services/${code}/history`)).status, 401);
      assert.equal((await nadmin.post('/services/no_such_service', { json: { status: 'retired' } })).status, 404);
    });

    test('move up/down changes the order of /api/v1/services', async () => {
      const order0 = (await apiServices()).services.map((s) => s.code);
      const [first, second, third] = order0;
      const up = await nadmin.post(`/services/${second}/move`, { json: { dir: 'up' } });
      assert.equal(up.status, 200, up.text);
      const order1 = (await apiServices()).services.map((s) => s.code);
      assert.deepEqual(order1.slice(0, 3), [second, first, third]);
      assert.equal(order1.length, order0.length);
      const svcHtml = await anon.get('/services', { accept: 'text/html' });
      assert.ok(svcHtml.text.indexOf(`/services/${second}"`) < svcHtml.text.indexOf(`/services/${first}"`), '/services follows');
      const down = await nadmin.post(`/services/${second}/move`, { form: { dir: 'down' } });
      assert.equal(down.status, 200);
      assert.deepEqual((await apiServices()).services.map((s) => s.code), order0);
      const h = await officer.get(`/services/${second}/history`);
      assert.ok(h.json.history.some((x) => x.action === 'reorder'), 'a move is in the history');
      const bad = await nadmin.post(`/services/${second}/move`, { json: { dir: 'sideways' } });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.json.errors.map((e) => e.field), ['dir']);
      assert.equal((await nadmin.post('/services/no_such_service/move', { json: { dir: 'up' } })).status, 404);
      assert.equal((await dadmin.post(`/services/${second}/move`, { json: { dir: 'up' } })).status, 403);
      assert.deepEqual((await apiServices()).services.map((s) => s.code), order0);
    });

    test('a district hides a service: its point stops listing it, others do not; scope enforced', async () => {
      const hide = 'thaid_register';
      assert.ok((await apiPoint('4701')).services.some((s) => s.code === hide));
      const page0 = await anon.get('/points/4701');
      assert.ok(pageServices(page0.json).includes(hide), 'the page lists it before');
      // Refused: an officer, another district's admin, an unknown code.
      assert.equal((await officer.post('/points/4701/services', { json: { hidden: [hide] } })).status, 403);
      assert.equal((await dadmin2.post('/points/4701/services', { json: { hidden: [hide] } })).status, 403);
      assert.equal((await dadmin2.get('/points/4701/services')).status, 403);
      assert.equal((await dadmin.get('/points/4702/services')).status, 403);
      const unknown = await dadmin.post('/points/4701/services', { json: { hidden: ['no_such_service'] } });
      assert.equal(unknown.status, 422);
      assert.deepEqual(unknown.json.errors.map((e) => e.field), ['hidden']);
      assert.match(unknown.json.errors[0].message, THAI);
      assert.ok(pageServices((await anon.get('/points/4701')).json).includes(hide), 'nothing changed');
      // Hide it.
      const ok = await dadmin.post('/points/4701/services', { json: { hidden: [hide] } });
      assert.equal(ok.status, 200, ok.text);
      const p1 = await anon.get('/points/4701');
      assert.ok(!pageServices(p1.json).includes(hide), '/points/4701 no longer lists it');
      assert.equal(pageServices(p1.json).length, pageServices(page0.json).length - 1);
      assert.ok(!(await apiPoint('4701')).services.some((s) => s.code === hide));
      assert.ok(pageServices((await anon.get('/points/4702')).json).includes(hide), '/points/4702 still does');
      assert.ok((await apiPoint('4702')).services.some((s) => s.code === hide));
      assert.ok((await apiServices()).services.some((s) => s.code === hide), 'the catalogue keeps it');
      const html = await anon.get('/points/4701', { accept: 'text/html' });
      assert.ok(!html.text.includes(`/services/${hide}"`));
      // The admin's switch page shows it hidden; the province admin reaches it too.
      const sw = await dadmin.get('/points/4701/services');
      assert.equal(sw.status, 200);
      assert.equal(sw.json.services.find((s) => s.code === hide)?.hidden, true);
      assert.equal((await padmin.get('/points/4701/services')).status, 200);
      // The form way (repeated field), then show everything again.
      const form = await dadmin.post('/points/4701/services', { body: `hidden=${hide}&hidden=rd_efiling`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.ok([200, 303].includes(form.status), `form post: ${form.status}`);
      const p2 = pageServices((await anon.get('/points/4701')).json);
      assert.ok(!p2.includes(hide) && !p2.includes('rd_efiling'));
      assert.equal((await dadmin.post('/points/4701/services', { json: { hidden: [] } })).status, 200);
      assert.ok(pageServices((await anon.get('/points/4701')).json).includes(hide));
    });

    test('point profile: edit with a status change → history; validation; scope; stale version', async () => {
      const p0 = await apiPoint('4701');
      const before = srv.sql("SELECT COUNT(*) FROM point_status_history WHERE unit_code = '4701'")[0][0];
      // Bad fields: 422 naming each, nothing stored.
      const cases = [[{ name_th: '' }, 'name_th'], [{ lat: '200', lon: '104.1' }, 'lat'], [{ lat: '17.16' }, /^(lat|lon)$/],
        [{ phone: 'abc' }, 'phone'], [{ status: 'demolished' }, 'status'], [{ opened_on: '2099-01-01' }, 'opened_on'],
        [{ hours: '' }, 'hours']];
      for (const [over, field] of cases) {
        const r = await dadmin.post('/points/4701', { json: over });
        assert.equal(r.status, 422, `${JSON.stringify(over)}: ${r.text.slice(0, 200)}`);
        assertSchema('ValidationProblem', r.json, JSON.stringify(over));
        assert.ok(r.json.errors.some((e) => (field instanceof RegExp ? field.test(e.field) : e.field === field)),
          `${JSON.stringify(over)} names ${field}: ${JSON.stringify(r.json.errors)}`);
        for (const e of r.json.errors) assert.match(e.message, THAI);
      }
      assert.deepEqual(await apiPoint('4701'), p0, 'nothing changed');
      // Scope: another district's admin and an officer are refused.
      assert.equal((await dadmin2.post('/points/4701', { json: { status: 'closed' } })).status, 403);
      assert.equal((await dadmin2.get('/points/4701/edit')).status, 403);
      assert.equal((await officer.post('/points/4701', { json: { status: 'closed' } })).status, 403);
      assert.equal((await dadmin.get('/points/4701/edit')).status, 200);
      // A status change with its day and note, plus profile fields (Thai digits in the phone).
      const today = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
      const r = await dadmin.post('/points/4701', { json: { status: 'temporarily_closed', status_since: today,
        status_note: 'ปิดปรับปรุงสถานที่ชั่วคราว', phone: '๐๔๒-๗๑๑๒๓๔', lat: '17.1545', lon: '104.1348' } });
      assert.equal(r.status, 200, r.text);
      const p1 = await apiPoint('4701');
      assert.equal(p1.status, 'temporarily_closed');
      assert.match(p1.status_label, THAI);
      assert.notEqual(p1.status_label, p0.status_label);
      assert.equal(p1.phone.replace(/\D/g, ''), '042711234', `Thai digits read: ${p1.phone}`);
      assert.match(p1.phone, /^[0-9 ,-]+$/);
      assert.equal(p1.lat, '17.1545');
      assert.equal(p1.lon, '104.1348');
      assert.equal(p1.name_th, p0.name_th, 'left-out fields keep their value');
      const h = p1.history.find((x) => x.status === 'temporarily_closed');
      assert.ok(h, `history has the change: ${JSON.stringify(p1.history)}`);
      assert.equal(h.since, today);
      assert.equal(h.note, 'ปิดปรับปรุงสถานที่ชั่วคราว');
      assert.equal(Number(srv.sql("SELECT COUNT(*) FROM point_status_history WHERE unit_code = '4701'")[0][0]), Number(before) + 1);
      // The public page shows it at once (the cache was emptied).
      const page = await anon.get('/points/4701', { accept: 'text/html' });
      assert.ok(page.text.includes(p1.status_label));
      assert.ok(page.text.includes('ปิดปรับปรุงสถานที่ชั่วคราว'));
      assert.match(page.text, /17\.1545/, 'a map link with the coordinates');
      // Same status again: no new history row. Another field only: none either.
      await dadmin.post('/points/4701', { json: { hours: 'วันจันทร์–วันศุกร์ เวลา 08.00–16.00 น.' } });
      assert.equal(Number(srv.sql("SELECT COUNT(*) FROM point_status_history WHERE unit_code = '4701'")[0][0]), Number(before) + 1);
      // Stale version → 409 (when versions are sent).
      const cur = srv.sql("SELECT version FROM points WHERE unit_code = '4701'")[0][0];
      const stale = await dadmin.post('/points/4701', { json: { status: 'open', version: Number(cur) - 1 } });
      assert.equal(stale.status, 409, stale.text);
      assert.equal(stale.json.field, 'version');
      assert.equal((await apiPoint('4701')).status, 'temporarily_closed');
      // Back to open: a second history row.
      const back = await dadmin.post('/points/4701', { json: { status: 'open', version: Number(cur) } });
      assert.equal(back.status, 200, back.text);
      const p2 = await apiPoint('4701');
      assert.equal(p2.status, 'open');
      assert.ok(p2.history.filter((x) => x.status === 'open').length >= 1);
      assert.equal(Number(srv.sql("SELECT COUNT(*) FROM point_status_history WHERE unit_code = '4701'")[0][0]), Number(before) + 2);
      assert.ok(!JSON.stringify(p2.history).includes('ผู้ดูแล ที่ทำการปกครอง'), 'the public history does not name staff');
    });

    test('cache invalidation: a catalogue change shows on the next request', async () => {
      const warm = async (path) => {
        await anon.get(path, { accept: 'text/html' });
        const r = await anon.get(path, { accept: 'text/html' });
        assert.equal(r.headers.get('x-cache'), 'hit', `${path} warmed`);
        return r;
      };
      const home0 = await warm('/');
      const page0 = await warm('/services/dlt_vehicle_tax');
      const api0 = await anon.get('/api/v1/services/dlt_vehicle_tax');
      const doc0 = await anon.get('/api/v1/openapi.json');
      const name = 'ชำระภาษีรถประจำปีออนไลน์ (ทดสอบแคช)';
      const e = await nadmin.post('/services/dlt_vehicle_tax', { json: { name_th: name } });
      assert.equal(e.status, 200, e.text);
      const home1 = await anon.get('/', { accept: 'text/html' });
      assert.ok(home1.text.includes(name), 'the home page shows the new name at once');
      assert.notEqual(home1.headers.get('etag'), home0.headers.get('etag'));
      const page1 = await anon.get('/services/dlt_vehicle_tax', { accept: 'text/html' });
      assert.ok(page1.text.includes(name));
      const old = await rawGet(srv.url, '/api/v1/services/dlt_vehicle_tax', { 'if-none-match': api0.headers.get('etag') });
      assert.equal(old.status, 200, 'the old ETag no longer matches');
      assert.equal(old.json.name_th, name);
      assert.ok((await anon.get(`/search?q=${encodeURIComponent('ทดสอบแคช')}`)).json.results.some((x) => x.code === 'dlt_vehicle_tax'),
        'the search index was rebuilt');
      assert.notEqual(page1.headers.get('etag'), page0.headers.get('etag'));
      // Revalidating an answer that did not change, right after the cache was
      // emptied (the handler runs again): still a proper 304 with its ETag.
      const doc1 = await rawGet(srv.url, '/api/v1/openapi.json', { 'if-none-match': doc0.headers.get('etag') });
      assertContract('/api/v1/openapi.json', doc1, '/api/v1/openapi.json revalidated after an invalidation');
      assert.equal(doc1.status, 304);
      assert.equal(doc1.headers.get('etag'), doc0.headers.get('etag'));
      // And back.
      assert.equal((await nadmin.post('/services/dlt_vehicle_tax', { json: { name_th: 'ชำระภาษีรถประจำปีออนไลน์' } })).status, 200);
      assert.ok(!(await anon.get('/', { accept: 'text/html' })).text.includes('ทดสอบแคช'));
    });

    test('another node on the same database drops its cached pages within a few seconds', async () => {
      const node = await startNode(srv.env);
      try {
        const other = new Client(node.url);
        const path = '/services/dlt_vehicle_tax';
        await other.get(path, { accept: 'text/html' });
        const warm = await other.get(path, { accept: 'text/html' });
        assert.equal(warm.headers.get('x-cache'), 'hit');
        const name = 'ชำระภาษีรถประจำปีออนไลน์ (สองเครื่อง)';
        assert.equal((await nadmin.post(`/services/dlt_vehicle_tax`, { json: { name_th: name } })).status, 200);
        const t0 = Date.now();
        let seen = false;
        while (!seen && Date.now() - t0 < 6000) {
          seen = (await other.get(path, { accept: 'text/html' })).text.includes(name);
          if (!seen) await new Promise((r) => setTimeout(r, 200));
        }
        assert.ok(seen, 'docs/portal.md: nodes poll the generation every 2 s');
        console.log(`# ${backend}: the second node showed the change after ${Date.now() - t0} ms`);
        assert.ok((await other.get(`/search?q=${encodeURIComponent('สองเครื่อง')}`)).json.results.some((x) => x.code === 'dlt_vehicle_tax'),
          'its snapshot and search index were rebuilt too');
      } finally {
        assert.deepEqual(await node.stop(), { code: 0, sig: null }, 'the second node exits cleanly');
        await nadmin.post('/services/dlt_vehicle_tax', { json: { name_th: 'ชำระภาษีรถประจำปีออนไลน์' } });
      }
    });

    test('QR codes: PNG decodes to public_url/services/{code}; SVGs are labelled images', async () => {
      for (const code of ['dlt_vehicle_tax', 'thaid_register']) {
        const png = await getBytes(srv.url, `/services/${code}/qr.png`);
        assert.equal(png.status, 200);
        assert.match(png.headers.get('content-type'), /^image\/png/);
        assert.equal(decodeQr(png.bytes), `${PUBLIC_URL}/services/${code}`);
      }
      const svg = await anon.get('/services/dlt_vehicle_tax/qr.svg', { accept: '*/*' });
      assert.equal(svg.status, 200);
      assert.match(svg.headers.get('content-type'), /^image\/svg\+xml/);
      assert.ok(/<svg[^>]*role="img"/.test(svg.text), 'qr.svg: <svg role="img">');
      assert.ok(/<title[^>]*>[^<]+<\/title>/.test(svg.text), 'qr.svg has a <title>');
      assert.match(svg.headers.get('etag') || '', /^"/);
      const psvg = await anon.get('/points/4701/qr.svg', { accept: '*/*' });
      assert.equal(psvg.status, 200);
      assert.ok(/<svg[^>]*role="img"/.test(psvg.text), 'point qr.svg: <svg role="img">');
      // The service page inlines its QR code and prints the URL.
      const page = await anon.get('/services/dlt_vehicle_tax', { accept: 'text/html' });
      assert.ok(page.text.includes('href="https://eservice.dlt.go.th/"'), 'the button to the official URL');
      assert.ok(page.text.includes('eservice.dlt.go.th'), 'the URL printed');
      assert.ok(page.text.includes(`${PUBLIC_HOST}/s/dlt_vehicle_tax`), 'the short URL printed');
      for (const p of ['/services/no_such_service/qr.png', '/services/no_such_service/qr.svg', '/points/9999/qr.svg'])
        assert.equal((await anon.get(p, { accept: '*/*' })).status, 404, p);
      // The page shows the SVG QR code as an image (cached, CSP-safe) with a Thai text alternative.
      assert.match(page.text, /<img src="\/services\/dlt_vehicle_tax\/qr\.svg" alt="[^"]*คิวอาร์โค้ด[^"]*"/, 'docs/portal.md: the QR code as <img> of qr.svg');
    });

    test('PDFs: the catalogue handout and the one-page poster', async () => {
      const cat = await getBytes(srv.url, '/catalogue.pdf');
      assert.equal(cat.status, 200);
      assert.match(cat.headers.get('content-type'), /^application\/pdf/);
      const c = pdfText(cat.bytes);
      assert.ok(c.pages >= 1);
      const text = pdfNorm(c.text);
      const active = (await apiServices()).services.filter((s) => s.status === 'active');
      const missing = active.filter((s) => !text.includes(pdfNorm(s.name_th))).map((s) => s.code);
      assert.deepEqual(missing, [], 'every active service is in the handout');
      // A retired service leaves the handout at once (the cached PDF is dropped).
      const gone = active.find((x) => x.code === 'test_versioned');
      assert.ok(gone, 'the service made by the versioning test');
      assert.equal((await nadmin.post('/services/test_versioned', { json: { status: 'retired' } })).status, 200);
      const cat2 = pdfText((await getBytes(srv.url, '/catalogue.pdf')).bytes);
      assert.ok(!pdfNorm(cat2.text).includes(pdfNorm(gone.name_th)), 'a retired service is not in the handout');
      assert.ok(pdfNorm(cat2.text).includes(pdfNorm(active[0].name_th)));
      const poster = await getBytes(srv.url, '/points/4701/poster.pdf');
      assert.equal(poster.status, 200);
      assert.match(poster.headers.get('content-type'), /^application\/pdf/);
      const p = pdfText(poster.bytes);
      assert.equal(p.pages, 1, 'the poster is one page');
      const pt = pdfNorm(p.text);
      const point = await apiPoint('4701');
      assert.ok(pt.includes(pdfNorm(point.name_th)), 'the poster names the point');
      assert.ok(pt.includes(`${PUBLIC_HOST}/p/4701`), `the poster prints the short URL: ${p.text.slice(0, 400)}`);
      // Issue 10: people who got no slip answer the survey through the poster's QR.
      assert.ok(pt.includes(`${PUBLIC_HOST}/survey/p/4701`), `the poster prints the survey URL: ${p.text.slice(0, 400)}`);
      assert.ok(pt.includes(pdfNorm('ประเมินความพึงพอใจ')), 'the survey QR has its caption');
      assert.ok(pt.includes(pdfNorm(point.services[0].name_th)), 'the poster names the services it offers');
      // A service the district hides is not on its poster; the neighbour's still has it.
      const first = point.services[0];
      assert.equal((await dadmin.post('/points/4701/services', { json: { hidden: [first.code] } })).status, 200);
      try {
        const mine = pdfNorm(pdfText((await getBytes(srv.url, '/points/4701/poster.pdf')).bytes).text);
        const theirs = pdfNorm(pdfText((await getBytes(srv.url, '/points/4702/poster.pdf')).bytes).text);
        assert.ok(!mine.includes(pdfNorm(first.name_th)), `${first.code} hidden: not on the 4701 poster`);
        assert.ok(theirs.includes(pdfNorm(first.name_th)), `${first.code} still on the 4702 poster`);
      } finally {
        assert.equal((await dadmin.post('/points/4701/services', { json: { hidden: [] } })).status, 200);
      }
      assert.equal((await getBytes(srv.url, '/points/9999/poster.pdf')).status, 404);
    });

    test('short URLs, /privacy and the HTML pages', async () => {
      const p = await anon.get('/p/4701', { accept: 'text/html' });
      assert.equal(p.status, 302);
      assert.equal(p.headers.get('location'), '/points/4701');
      const s = await anon.get('/s/dlt_vehicle_tax', { accept: 'text/html' });
      assert.equal(s.status, 302);
      assert.equal(s.headers.get('location'), '/services/dlt_vehicle_tax');
      const priv = await anon.get('/privacy', { accept: 'text/html' });
      assert.equal(priv.status, 200);
      assert.match(priv.text, /ข้อมูลส่วนบุคคล/);
      const pages = [['/', 'ภาษีรถ'], ['/services', 'ชำระภาษีรถประจำปีออนไลน์'], ['/points', 'สกลนคร'],
        ['/points?province=47', 'เมืองสกลนคร'], ['/points/4701', 'วันจันทร์–วันศุกร์'],
        ['/services/dlt_vehicle_tax', 'ชำระภาษีรถประจำปีออนไลน์']];
      for (const [path, want] of pages) {
        const r = await anon.get(path, { accept: 'text/html' });
        assert.equal(r.status, 200, path);
        assert.match(r.text, /<html lang="th"/);
        if (path !== '/') assert.ok(r.text.includes(want), `${path} shows ${want}`);
      }
      // /services as JSON: {services}, the same list as the API.
      const sj = await anon.get('/services');
      assert.equal(sj.status, 200);
      assert.deepEqual(sj.json.services.map((x) => x.code), (await apiServices()).services.map((x) => x.code));
      for (const x of sj.json.services) assert.ok(!('source' in x) && !('note' in x), 'no admin fields on a public page');
      const home = await anon.get('/', { accept: 'text/html' });
      assert.match(home.text, /<form[^>]*action="\/search"/, 'the home page has the search box');
      const prov = await anon.get('/points?province=47', { accept: 'text/html' });
      assert.ok(prov.text.includes('href="/points/4701"') && prov.text.includes('href="/points/4718"'));
      for (const path of ['/services/no_such_service', '/points/9999', '/points/1001']) {
        const r = await anon.get(path, { accept: 'text/html' });
        assert.equal(r.status, 404, path);
      }
      assert.equal((await anon.get('/points?province=4', { accept: 'text/html' })).status, 400);
    });

    /* ---- issue 9, items 8-16: the public side as citizens and staff meet it ---- */

    test('poster: "และบริการอื่นอีก N รายการ" counts every service the point offers, not a list of 12 (issue 9 item 8)', async () => {
      const point = await apiPoint('4702');
      const offered = point.services;
      assert.ok(offered.length > 12, `4702 offers ${offered.length} services`);
      const text = pdfText((await getBytes(srv.url, '/points/4702/poster.pdf')).bytes).text;
      const m = /และบริการอื่นอีก\s*(\d+)\s*รายการ/.exec(text.replace(/\s+/g, ' '));
      assert.ok(m, `the poster says how many more: ${text.slice(0, 300)}`);
      const listed = (text.match(/•/g) || []).length; // one bullet per name listed (long names are cut)
      assert.ok(listed >= 1 && listed <= 12, `names listed: ${listed}`);
      assert.ok(pdfNorm(text).includes(pdfNorm(offered[0].name_th)), 'the first name is listed');
      assert.equal(listed + Number(m[1]), offered.length, `${listed} listed + ${m[1]} more = every service offered`);
    });

    test('the public service page does not link to the staff-only history; staff find it on /admin/services (issue 9 item 9)', async () => {
      const path = '/services/dlt_vehicle_tax';
      for (const c of [anon, officer, nadmin]) {
        const page = await c.get(path, { accept: 'text/html' });
        assert.equal(page.status, 200);
        assert.ok(!page.text.includes('/history'), 'a page cached for everyone has no history link');
      }
      assert.equal((await anon.get(`${path}/history`, { accept: 'text/html' })).status, 401);
      // Every staff role reads the catalogue with its histories; only national admins get the controls.
      for (const c of [officer, dadmin, padmin]) {
        const list = await c.get('/admin/services', { accept: 'text/html' });
        assert.equal(list.status, 200);
        assert.ok(list.text.includes(`href="${path}/history"`), 'the history link is on the staff list');
        assert.ok(!list.text.includes(`href="${path}/edit"`) && !list.text.includes('href="/services/new"'), 'no edit controls');
        assert.ok(!list.text.includes('/move"'), 'no order controls');
        assert.equal((await c.get(`${path}/history`, { accept: 'text/html' })).status, 200);
      }
      const admin = await nadmin.get('/admin/services', { accept: 'text/html' });
      assert.ok(admin.text.includes(`href="${path}/edit"`) && admin.text.includes(`href="${path}/history"`));
      const home = await officer.get('/home', { accept: 'text/html' });
      assert.ok(home.text.includes('href="/admin/services"'), 'the staff menu leads to the catalogue');
      assert.equal((await anon.get('/admin/services', { accept: 'text/html' })).status, 401);
    });

    test('error pages are Thai only; the codes and field names stay in JSON (issue 9 item 10)', async () => {
      const main = (html) => /<main[\s\S]*<\/main>/.exec(html)[0];
      const cases = [['/no/such/page', 404, 'not-found', null], ['/services/no_such_service', 404, 'not-found', 'code'],
        ['/points?province=4', 400, 'bad-field', 'province'], ['/search?q=x&category=nope', 404, 'not-found', 'category'],
        ['/admin/services', 401, 'unauthorized', null]];
      for (const [path, status, slug, field] of cases) {
        const page = await anon.get(path, { accept: 'text/html' });
        assert.equal(page.status, status, path);
        const m = main(page.text);
        assert.ok(!m.includes(slug), `${path}: no "${slug}" on the page`);
        if (field) assert.ok(!new RegExp(`\\b${field}\\b`).test(m.replace(/<[^>]*>/g, ' ')), `${path}: no field name "${field}" on the page`);
        assert.ok(!/<code>/.test(m), `${path}: no codes`);
        assert.match(m, THAI);
        const api = await anon.get(path, { accept: 'application/json' });
        assert.equal(api.status, status);
        assert.equal(api.json.type, `/problems/${slug}`, `${path}: the code stays in JSON`);
        if (field) assert.equal(api.json.field, field);
      }
    });

    test('a registry change history shows Thai B.E. dates and Thai labels, not epoch seconds or codes (issue 9 item 11)', async () => {
      const bkk = (minutes) => new Date(Date.now() + 7 * 3600e3 + minutes * 60e3).toISOString().slice(0, 16);
      const made = await officer.post('/registry', { json: { visited_at: bkk(-90), visitor_name: 'นางทดสอบ ประวัติ',
        cid: '', phone: '', sex: 'female', age_band: '40_59', channel: 'tangrat', remarks: '',
        services: [{ code: 'tangrat_signup', outcome: 'completed' }] } });
      assert.equal(made.status, 201, made.text);
      const id = made.json.id ?? made.json.entry?.id;
      const edit = await officer.post(`/registry/${id}`, { json: { visited_at: bkk(-30), visitor_name: 'นางทดสอบ ประวัติ',
        cid: '', phone: '', sex: 'male', age_band: '60_plus', channel: 'web', remarks: 'แก้ไข',
        services: [{ code: 'nhso_rights_check', outcome: 'referred' }] } });
      assert.equal(edit.status, 200, edit.text);
      const page = await officer.get(`/registry/${id}`, { accept: 'text/html' });
      assert.equal(page.status, 200);
      const hist = /id="history-title"[\s\S]*?<\/table>/.exec(page.text)[0].replace(/<[^>]*>/g, ' ');
      assert.ok(!/\b1\d{9}\b/.test(hist), `no epoch seconds: ${hist}`);
      for (const code of ['female', 'male', 'tangrat', 'web', '60_plus', '40_59', 'nhso_rights_check', 'referred', 'completed', '"code"'])
        assert.ok(!hist.includes(code), `no internal code "${code}" in the history: ${hist}`);
      assert.match(hist, /25\d\d/, 'B.E. years');
      assert.ok(hist.includes('หญิง') && hist.includes('ชาย'), 'sex by its Thai label');
      assert.ok(hist.includes('ตรวจสอบสิทธิหลักประกันสุขภาพ'), 'services by name');
    });

    test('the home page says 76 provinces take part (Bangkok is outside the programme by default) (issue 9 item 12)', async () => {
      const home = await anon.get('/', { accept: 'text/html' });
      assert.match(home.text, /878 แห่ง ใน 76 จังหวัด/);
      assert.ok(!home.text.includes('77 จังหวัด'));
      const api = await anon.get('/');
      assert.deepEqual(api.json.stats, { provinces: 76, points: 878, districts_in_programme: 878, districts: 928 });
    });

    test('every public page has its own meta description (issue 9 item 14)', async () => {
      const pages = ['/', '/search', '/search?q=' + encodeURIComponent('ภาษี'), '/search?category=health', '/services',
        '/services/dlt_vehicle_tax', '/services/thaid_register', '/points', '/points?province=47', '/points/4701',
        '/points/4702', '/privacy'];
      const seen = new Map();
      for (const path of pages) {
        const r = await anon.get(path, { accept: 'text/html' });
        assert.equal(r.status, 200, path);
        const all = [...r.text.matchAll(/<meta name="description" content="([^"]*)">/g)].map((m) => m[1]);
        assert.equal(all.length, 1, `${path}: one meta description`);
        const d = all[0];
        assert.match(d, THAI, path);
        assert.ok(d.length >= 40, `${path}: a real description (${d})`);
        assert.ok(!seen.has(d), `${path} has the description of ${seen.get(d)}`);
        seen.set(d, path);
      }
      const svc = await anon.get('/services/dlt_vehicle_tax', { accept: 'text/html' });
      assert.ok(/<meta name="description" content="[^"]*กรมการขนส่งทางบก/.test(svc.text), 'a service page describes the service');
      const err = await anon.get('/no/such/page', { accept: 'text/html' });
      assert.match(err.text, /<meta name="robots" content="noindex">/);
    });

    /* The Bangkok day `days` from today, ISO. */
    const bkkDay = (days = 0) => new Date(Date.now() + 7 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);

    test('a point status change announced for a future day shows before it takes effect, then applies on its day (issue 9 item 15)', async () => {
      const day = bkkDay(3);
      const before = await anon.get('/points/4701', { accept: 'text/html' });
      assert.ok(!before.text.includes('ประกาศการเปลี่ยนสถานะ'));
      const r = await dadmin.post('/points/4701', { json: { status: 'temporarily_closed', status_since: day, status_note: 'ปรับปรุงอาคาร' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.point.status, 'open', 'the point stays open until the day');
      assert.deepEqual(r.json.point.scheduled.map((x) => [x.since, x.status, x.note]), [[day, 'temporarily_closed', 'ปรับปรุงอาคาร']]);
      const api = await apiPoint('4701');
      assert.equal(api.status, 'open');
      assert.equal(api.scheduled.length, 1);
      assert.equal(api.scheduled[0].since, day);
      assert.ok(!('user_name' in api.scheduled[0]), 'the public model does not name who announced it');
      const page = await anon.get('/points/4701', { accept: 'text/html' });
      assert.match(page.text, /ประกาศการเปลี่ยนสถานะ/);
      assert.ok(page.text.includes(`ตั้งแต่วันที่ ${api.scheduled[0].since_th}`) && page.text.includes('ปิดให้บริการชั่วคราว'));
      assert.match(page.text, /<meta name="description" content="[^"]*ประกาศ/);
      assert.match(api.scheduled[0].since_th, /25\d\d$/, 'B.E. date');
      // Bounds: at most a year ahead; a bad cancellation is named.
      const far = await dadmin.post('/points/4701', { json: { status: 'closed', status_since: bkkDay(400) } });
      assert.equal(far.status, 422);
      assert.ok(far.json.errors.some((e) => e.field === 'status_since'));
      const badCancel = await dadmin.post('/points/4701', { json: { cancel_scheduled: ['5 มกราคม'] } });
      assert.equal(badCancel.status, 422);
      assert.ok(badCancel.json.errors.some((e) => e.field === 'cancel_scheduled'));
      // Cancelled: gone from the public page at once.
      const c = await dadmin.post('/points/4701', { json: { cancel_scheduled: [day] } });
      assert.equal(c.status, 200, c.text);
      assert.deepEqual(c.json.point.scheduled, []);
      assert.ok(!(await anon.get('/points/4701', { accept: 'text/html' })).text.includes('ประกาศการเปลี่ยนสถานะ'));
      assert.equal((await apiPoint('4701')).status, 'open');

      // Its day comes: a change announced earlier for today (written as another node
      // would, generation moved) is applied by the server and the cached page goes.
      await anon.get('/points/4702', { accept: 'text/html' });
      const warm = await anon.get('/points/4702', { accept: 'text/html' });
      assert.equal(warm.headers.get('x-cache'), 'hit');
      const today = bkkDay(0);
      srv.sql(`INSERT INTO point_status_scheduled (unit_code, since, status, note, at) VALUES ('4702', '${today}', 'temporarily_closed', 'ประกาศไว้ล่วงหน้า', 1)`);
      srv.sql('UPDATE portal_meta SET generation = generation + 1 WHERE id = 1');
      const t0 = Date.now();
      let applied = null;
      while (Date.now() - t0 < 8000) {
        const p = await anon.get('/points/4702', { accept: 'text/html' });
        if (p.text.includes('tag-no">ปิดให้บริการชั่วคราว</span>')) { applied = p; break; }
        await new Promise((res) => setTimeout(res, 200));
      }
      assert.ok(applied, 'the change took effect and the cached page was dropped');
      console.log(`# ${backend}: an announced change due today applied after ${Date.now() - t0} ms`);
      const after = await apiPoint('4702');
      assert.equal(after.status, 'temporarily_closed');
      assert.deepEqual(after.scheduled, []);
      assert.equal(after.history[0].since, today);
      assert.equal(after.history[0].note, 'ประกาศไว้ล่วงหน้า');
      assert.equal(Number(srv.sql("SELECT COUNT(*) FROM point_status_scheduled")[0][0]), 0);
      // Reopened for the tests after this one.
      assert.equal((await nadmin.post('/points/4702', { json: { status: 'open' } })).status, 200);
    });

    test('a service carries the area it serves; a point offers only its area\'s services, then its hidden list (issue 9 item 16)', async () => {
      const mea = (await apiService('mea_eservice')).json;
      assert.equal(mea.area, 'only');
      assert.deepEqual(mea.area_provinces, ['10', '11', '12']);
      assert.match(mea.area_th, /^เฉพาะกรุงเทพมหานคร.*นนทบุรี/);
      for (const code of ['mwa_onmobile_app']) assert.equal((await apiService(code)).json.area, 'only');
      const pea = (await apiService('pea_eservice')).json;
      assert.equal(pea.area, 'except');
      assert.deepEqual(pea.area_provinces, ['10', '11', '12']);
      assert.match(pea.area_th, /^ทั่วประเทศ ยกเว้น/);
      assert.equal((await apiService('dlt_vehicle_tax')).json.area, 'all');
      const codes = async (unit) => (await apiPoint(unit)).services.map((x) => x.code);
      const nonthaburi = await codes('1201'), sakon = await codes('4701');
      for (const c of ['mea_eservice', 'mwa_onmobile_app']) {
        assert.ok(nonthaburi.includes(c), `${c} at a Nonthaburi point`);
        assert.ok(!sakon.includes(c), `${c} not at a Sakon Nakhon point`);
      }
      for (const c of ['pea_eservice', 'pwa_1662_app']) {
        assert.ok(!nonthaburi.includes(c), `${c} not at a Nonthaburi point`);
        assert.ok(sakon.includes(c), `${c} at a Sakon Nakhon point`);
      }
      assert.ok(nonthaburi.includes('dlt_vehicle_tax') && sakon.includes('dlt_vehicle_tax'));
      const page = await anon.get('/points/1201', { accept: 'text/html' });
      assert.ok(page.text.includes('href="/services/mea_eservice"') && !page.text.includes('href="/services/pea_eservice"'));
      const svcPage = await anon.get('/services/mea_eservice', { accept: 'text/html' });
      assert.ok(svcPage.text.includes('พื้นที่ให้บริการ') && svcPage.text.includes(mea.area_th));
      // The staff list of a point's services is its area's.
      const staff = await nadmin.get('/points/1201/services');
      assert.equal(staff.status, 200);
      const listed = staff.json.services.map((x) => x.code);
      assert.ok(listed.includes('mea_eservice') && !listed.includes('pea_eservice'));
      // An area set by an admin: only Sakon Nakhon; then the hidden list still applies.
      const made = await nadmin.post('/services', { json: newService('area_only_47', { area: 'only', area_provinces: ['47'] }) });
      assert.equal(made.status, 201, made.text);
      assert.equal(made.json.service.area_th, 'เฉพาะสกลนคร');
      assert.ok((await codes('4701')).includes('area_only_47'));
      assert.ok(!(await codes('4001')).includes('area_only_47'), 'not in Khon Kaen');
      assert.equal((await dadmin.post('/points/4701/services', { json: { hidden: ['area_only_47'] } })).status, 200);
      assert.ok(!(await codes('4701')).includes('area_only_47'), 'hidden by the district');
      assert.equal((await dadmin.post('/points/4701/services', { json: { hidden: [] } })).status, 200);
      // Edited as a form with checkboxes: every province but Bangkok and Nonthaburi.
      const form = await nadmin.get('/services/area_only_47/edit', { accept: 'text/html' });
      assert.match(form.text, /name="area_provinces" value="47" checked/);
      const ver = /name="version" value="(\d+)"/.exec(form.text)[1];
      const body = new URLSearchParams([['version', ver], ['area', 'except'], ['area_provinces', '12'], ['area_provinces', '10']]);
      const saved = await nadmin.req('POST', '/services/area_only_47', { body: body.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' }, accept: 'text/html' });
      assert.equal(saved.status, 303, saved.text.slice(0, 300));
      const after = (await apiService('area_only_47')).json;
      assert.deepEqual([after.area, after.area_provinces], ['except', ['10', '12']]);
      assert.ok((await codes('4001')).includes('area_only_47') && !(await codes('1201')).includes('area_only_47'));
      const hist = await nadmin.get('/services/area_only_47/history', { accept: 'text/html' });
      assert.ok(hist.text.includes('ทั่วประเทศ ยกเว้นจังหวัดที่ระบุ') && hist.text.includes('กรุงเทพมหานคร และนนทบุรี'), 'the history in Thai');
      // Bad areas: each named, nothing stored.
      const n0 = counts();
      for (const [over, field] of [[{ area: 'somewhere' }, 'area'], [{ area: 'only', area_provinces: [] }, 'area_provinces'],
        [{ area: 'only', area_provinces: ['99'] }, 'area_provinces'], [{ area: 'except', area_provinces: ['4'] }, 'area_provinces'],
        [{ area: 'only', area_provinces: 47 }, 'area_provinces']]) {
        const bad = await nadmin.post('/services', { json: newService('area_bad', over) });
        assert.equal(bad.status, 422, JSON.stringify(over));
        assert.ok(bad.json.errors.some((e) => e.field === field && THAI.test(e.message)), `${JSON.stringify(over)} names ${field}: ${bad.text}`);
      }
      assert.deepEqual(counts(), n0);
      assert.equal((await nadmin.post('/services/area_only_47', { json: { status: 'retired' } })).status, 200);
    });

    test('search as citizens type it: ranked, variants, everyday words from the catalogue data, "หมายถึง" for a misspelling (issue 9 item 13)', async () => {
      const search = async (q) => {
        const r = await anon.get(`/search?q=${encodeURIComponent(q)}`);
        assert.equal(r.status, 200, q);
        return assertContract('/search', r, `/search?q=${q}`);
      };
      // The test set (tests/search/queries.csv, shared with tests/unit/test_search.c):
      // queries written the way people ask, each must find its service in the first three.
      const set = parseCsv(readFileSync(join(ROOT, 'tests', 'search', 'queries.csv'), 'utf8'));
      assert.ok(set.length >= 50, `${set.length} queries`);
      let found = 0, first = 0;
      const misses = [];
      for (const { query, code } of set) {
        const res = await search(query);
        for (const x of res.results) assert.match(x.code, /^[a-z][a-z0-9_]+$/);
        const at = res.results.findIndex((x) => x.code === code);
        if (at >= 0 && at < 3) found++; else misses.push(`${query} → ${code} at ${at}: ${res.results.slice(0, 3).map((x) => x.code)}`);
        if (at === 0) first++;
      }
      console.log(`# ${backend}: search recall ${found}/${set.length} in the first three (${(100 * found / set.length).toFixed(1)} %), ${first} first`);
      assert.deepEqual(misses, []);
      // The misses: a word the name lacks, digits stuck to a word, variants.
      assert.equal((await search('ดูแปลงที่ดิน')).results[0]?.code, 'dol_landsmaps');
      assert.equal((await search('ลงทะเบียนคนว่างงาน')).results[0]?.code, 'doe_unemployment');
      assert.equal((await search('สายด่วน1111')).results[0]?.code, 'opm_1111');
      assert.deepEqual((await search('สิทธิ์')).results.map((x) => x.code), (await search('สิทธิ')).results.map((x) => x.code));
      assert.equal((await search('ประกันสังคมออนไลน์')).results[0]?.code, (await search('ประกันสังคม')).results[0]?.code, 'a filler word changes nothing first');
      for (const q of ['โดนเลิกจ้าง', 'ถนนพัง']) assert.ok((await search(q)).results.length > 0, q);
      // A misspelling: results for what matched, and the corrected query with its services.
      const typo = await search('ภาษีรด');
      assert.deepEqual(typo.did_you_mean?.q, 'ภาษีรถ');
      assert.equal(typo.suggestions[0]?.code, 'dlt_vehicle_tax');
      assert.equal(typo.did_you_mean.href, `/search?q=${encodeURIComponent('ภาษีรถ')}`);
      const good = await search('ภาษีรถ');
      assert.equal(good.did_you_mean, null);
      assert.deepEqual(good.suggestions, []);
      const page = await anon.get(`/search?q=${encodeURIComponent('ภาษีรด')}`, { accept: 'text/html' });
      assert.match(page.text, /หมายถึง <a href="\/search\?q=[^"]+">ภาษีรถ<\/a>/);
      assert.ok(page.text.includes('href="/services/dlt_vehicle_tax"'));
      for (const q of ['ฆฌฎฏฐฑฒ', 'zzqxjv']) assert.equal((await search(q)).did_you_mean, null, q);
    });

    test('the search vocabulary is catalogue data: seeded from data/, edited by national admins, used at once (issue 9 item 13)', async () => {
      // The seed loaded data/search_synonyms.csv.
      const file = parseCsv(readFileSync(join(ROOT, 'data', 'search_synonyms.csv'), 'utf8'));
      const nsyn = Number(srv.sql('SELECT COUNT(*) FROM search_synonyms')[0][0]);
      const nph = Number(srv.sql('SELECT COUNT(*) FROM search_phrases')[0][0]);
      assert.equal(nsyn, new Set(file.filter((r) => r.kind === 'word').map((r) => `${r.phrase}|${r.target}`)).size);
      assert.equal(nph, new Set(file.filter((r) => r.kind === 'service').map((r) => `${r.phrase}|${r.target}`)).size);
      const page = await nadmin.get('/admin/search', { accept: 'text/html' });
      assert.equal(page.status, 200);
      assert.match(page.text, /พาสปอร์ต = หนังสือเดินทาง/);
      for (const c of [officer, dadmin, padmin]) assert.equal((await c.get('/admin/search')).status, 403);
      assert.equal((await anon.get('/admin/search')).status, 401);
      const q = encodeURIComponent('หมาแมวหายในซอย');
      assert.deepEqual((await anon.get(`/search?q=${q}`)).json.results, []);
      const before = await nadmin.get('/admin/search');
      // Bad entries: 422 naming the box and the line, nothing stored.
      const n0 = [nsyn, nph];
      const badForm = await nadmin.req('POST', '/admin/search', { accept: 'application/json',
        body: new URLSearchParams({ synonyms: 'พาสปอร์ต = หนังสือเดินทาง\nไม่มีเครื่องหมายเท่ากับ', phrases: 'หมาหาย = no_such_service' }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(badForm.status, 422, badForm.text);
      assert.ok(badForm.json.errors.some((e) => e.field === 'synonyms' && /บรรทัดที่ 2/.test(e.message)), badForm.text);
      assert.ok(badForm.json.errors.some((e) => e.field === 'phrases' && /no_such_service/.test(e.message)), badForm.text);
      const badJson = await nadmin.post('/admin/search', { json: { synonyms: [{ word: '', term: 'x' }], phrases: 'x' } });
      assert.equal(badJson.status, 422);
      assert.ok(badJson.json.errors.some((e) => e.field === 'synonyms') && badJson.json.errors.some((e) => e.field === 'phrases'));
      assert.deepEqual([Number(srv.sql('SELECT COUNT(*) FROM search_synonyms')[0][0]), Number(srv.sql('SELECT COUNT(*) FROM search_phrases')[0][0])], n0);
      // A new phrasing, saved as the form does (the vocabulary is replaced whole): found at once.
      const body = new URLSearchParams({ synonyms: before.json.synonyms.map((x) => `${x.word} = ${x.term}`).join('\n'),
        phrases: before.json.phrases.map((x) => `${x.phrase} = ${x.services.map((y) => y.code).join(', ')}`).join('\n')
          + '\nหมาแมวหาย = nectec_traffy_fondue' });
      const saved = await nadmin.req('POST', '/admin/search', { accept: 'text/html', body: body.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(saved.status, 303, saved.text.slice(0, 300));
      assert.equal((await anon.get(`/search?q=${q}`)).json.results[0]?.code, 'nectec_traffy_fondue');
      assert.equal(Number(srv.sql('SELECT COUNT(*) FROM search_phrases')[0][0]), nph + 1);
      assert.equal(Number(srv.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'search.terms'")[0][0]), 1);
      // The seed run again leaves what a person saved.
      run(['seed'], { env: srv.env });
      assert.equal(Number(srv.sql('SELECT COUNT(*) FROM search_phrases')[0][0]), nph + 1);
      assert.equal(Number(srv.sql("SELECT COUNT(*) FROM search_phrases WHERE phrase = 'หมาแมวหาย'")[0][0]), 1);
      // JSON: the same vocabulary again changes nothing.
      const again = await nadmin.post('/admin/search', { json: { synonyms: (await nadmin.get('/admin/search')).json.synonyms,
        phrases: (await nadmin.get('/admin/search')).json.phrases.map((x) => ({ phrase: x.phrase, services: x.services.map((y) => y.code) })) } });
      assert.equal(again.status, 200, again.text);
      assert.equal(Number(srv.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'search.terms'")[0][0]), 1);
    });
  });
}
