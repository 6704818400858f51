// Scope in one place (issue 8 item 11): every route declares how its unit is
// found (`osspoint routes` lists it as `scope`), and the one authorize hook
// checks it before any handler runs. This walk drives every route of the
// table, with targets that belong to district 4701, as users of another
// district (4702) and of another province (48): each gets 403 or 404, and
// nothing in the database changes. A new route is covered by declaring its
// resolver; a new resolver fails this test until the walk knows how to give
// it a target in 4701.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, Client, run } from './lib.mjs';

// Bangkok local time "YYYY-MM-DDTHH:MM", shifted by `minutes`.
function bkk(minutes = 0) {
  return new Date(Date.now() + 7 * 3600e3 + minutes * 60e3).toISOString().slice(0, 16);
}

// Resolvers whose unit is the user's own, or none: an outsider cannot name
// 4701 through them, so they are not part of the cross-unit walk (their
// role rules are walked in foundation.test.mjs).
const OWN_OR_NONE = new Set(['none', 'own unit', 'own district']);

// The tables whose content a refused request must leave as it was (sessions,
// login attempts and the audit log change with any request).
const TABLES = ['units', 'unit_intervals', 'users', 'settings', 'eservices', 'visit_counters', 'visits',
  'visit_services', 'visit_history', 'rollup_visits', 'rollup_services', 'period_attestations',
  'eservice_categories', 'eservice_versions', 'unit_hidden_services', 'points', 'point_status_history',
  'portal_meta', 'roster_people', 'roster_duties', 'roster_pattern', 'roster_history', 'public_holidays',
  'orders', 'order_counters', 'order_templates', 'order_signers',
  'contacts', 'coord_channels', 'helpdesk_threads', 'helpdesk_messages', 'helpdesk_attachments',
  'help_docs', 'blobs'];
// External aggregates (issue 10): POST /stats/external must not store for an outsider.
TABLES.push('external_aggregates', 'external_imports');
// Each district's period totals (migration 015), written with every entry.
TABLES.push('rollup_period_units');

function fingerprint(srv) {
  const out = {};
  for (const t of TABLES) {
    // Every column, every row, in a stable order: any change shows.
    const rows = srv.sql(`SELECT * FROM ${t}`).map((r) => r.join('\u0001')).sort();
    out[t] = rows.join('\n');
  }
  return out;
}

for (const backend of backends()) {
  describe(`scope walk on ${backend}`, () => {
    let srv;
    const who = {};
    const target = {};
    before(async () => {
      srv = await startServer(backend);
      const nadmin = new Client(srv.url);
      await nadmin.login('nadmin');
      for (const [username, role, unit_code] of [['dadmin4702', 'district_admin', '4702'],
        ['padmin48', 'province_admin', '48'], ['dadmin4801', 'district_admin', '4801'], ['officer4801', 'officer', '4801']]) {
        const r = await nadmin.post('/users', { json: { username, display_name: `ทดสอบ ${username}`, role, unit_code, password: 'long-enough-1' } });
        assert.equal(r.status, 201, r.text);
      }
      for (const u of ['officer4701', 'dadmin4701', 'officer4702', 'dadmin4702', 'padmin48', 'dadmin4801', 'officer4801']) {
        who[u] = new Client(srv.url);
        const created = ['dadmin4702', 'padmin48', 'dadmin4801', 'officer4801'].includes(u);
        const r = await who[u].login(u, created ? 'long-enough-1' : undefined);
        assert.equal(r.status, 200, `${u}: ${r.text}`);
        if (u === 'officer4701') target.user = r.json.user.id;
      }
      // Targets in district 4701: an entry, a user, an import job.
      const e = await who.officer4701.post('/registry', { json: { visited_at: bkk(-5), visitor_name: 'นายทดสอบ ขอบเขต',
        channel: 'tangrat', services: [{ code: 'tangrat_signup', outcome: 'completed' }] } });
      assert.equal(e.status, 201, e.text);
      target.entry = e.json.id;
      target.period = e.json.period;
      const job = await who.dadmin4701.post('/registry/import', { body: 'visitor_name\nx\n', headers: { 'content-type': 'text/csv' } });
      assert.equal(job.status, 202, job.text);
      target.job = job.json.job.id;
      const order = await who.dadmin4701.post('/orders', { json: { kind: 'establishment' } });
      assert.equal(order.status, 201, order.text);
      target.order = order.json.id;
      // Issue 11: a contact of 4701, a channel of its province 47 (channels
      // belong to provinces and the nation), a แจ้งปัญหา thread of 4701.
      const ct = await who.dadmin4701.post('/units/4701/contacts', { json: { name_th: 'ที่ทำการปกครองอำเภอ', phone: '042 711 222' } });
      assert.equal(ct.status, 201, ct.text);
      target.contact = ct.json.id;
      const p47 = new Client(srv.url);
      await p47.login('padmin47');
      const ch = await p47.post('/units/47/channels', { json: { kind: 'line_group', name_th: 'กลุ่มไลน์', url: 'https://line.me/R/ti/g/x' } });
      assert.equal(ch.status, 201, ch.text);
      target.channel = ch.json.id;
      const hd = await who.officer4701.post('/helpdesk', { json: { subject: 'ทดสอบ', body: 'ทดสอบขอบเขต' } });
      assert.equal(hd.status, 201, hd.text);
      target.thread = hd.json.id;
      const fd = new FormData();
      fd.append('title_th', 'คู่มือ');
      fd.append('file', new Blob(['# คู่มือ\n']), 'm.md');
      const doc = await fetch(`${srv.url}/help/docs`, { method: 'POST', body: fd,
        headers: { cookie: nadmin.cookieHeader(), 'x-csrf-token': nadmin.csrf, accept: 'application/json' } });
      assert.equal(doc.status, 201);
      target.doc = (await doc.json()).id;
    });
    after(async () => {
      if (!srv) return;
      const res = await srv.stop();
      assert.deepEqual(res, { code: 0, sig: null }, `the server exits cleanly: ${srv.stderr().slice(-2000)}`);
    });

    test('every route declares a scope, by name', () => {
      const routes = JSON.parse(run(['routes']));
      for (const rt of routes) {
        assert.equal(typeof rt.scope, 'string', rt.name);
        assert.ok(rt.scope.length > 0, rt.name);
        for (const k of ['name', 'methods', 'pattern', 'min_role', 'public']) assert.ok(k in rt, `${rt.name} keeps ${k}`);
      }
      // The {id}/{job} routes whose scope was checked by hand inside handlers
      // now name their resolver.
      const byName = Object.fromEntries(routes.map((r) => [r.name, r.scope]));
      for (const n of ['registry.show', 'registry.update', 'registry.edit', 'registry.void', 'registry.reveal'])
        assert.equal(byName[n], 'registry entry {id}', n);
      assert.equal(byName['registry.import_job'], 'import job {job}');
      assert.equal(byName['users.disable'], 'user {id}');
      assert.equal(byName['registry.index'], '?unit= (default: own unit)');
      assert.equal(byName['external.upload'], 'national', 'the external figures: national admins only');
    });

    test('users of another district and of another province get 403 or 404 on every route, and nothing changes', async () => {
      const routes = JSON.parse(run(['routes']));
      const before = fingerprint(srv);
      const outsiders = ['officer4702', 'dadmin4702', 'padmin48', 'dadmin4801', 'officer4801'];
      let walked = 0;
      const scopesSeen = new Set();
      for (const rt of routes) {
        if (rt.public || OWN_OR_NONE.has(rt.scope)) continue;
        if (rt.scope === 'any unit {unit} (statistics)') {
          // Aggregate statistics: every staff user reads every unit's (web/stats.c), and nothing changes.
          const p = rt.pattern.replaceAll('{unit}', '4701');
          for (const method of rt.methods.filter((m) => m === 'GET'))
            for (const u of outsiders) {
              const r = await who[u].req(method, p);
              assert.equal(r.status, 200, `${u} ${method} ${p} (${rt.name}): ${r.status} ${r.text.slice(0, 200)}`);
              walked++;
            }
          scopesSeen.add(rt.scope);
          continue;
        }
        let path = rt.pattern.replaceAll('{code}', '4701').replaceAll('{job}', target.job).replaceAll('{day}', '2026-12-05');
        if (rt.scope === 'registry entry {id}') path = path.replaceAll('{id}', String(target.entry));
        else if (rt.scope === 'user {id}') path = path.replaceAll('{id}', String(target.user));
        else if (rt.scope === 'contact {id}') path = path.replaceAll('{id}', String(target.contact));
        else if (rt.scope === 'channel {id}') path = path.replaceAll('{id}', String(target.channel));
        else if (rt.scope === 'helpdesk thread {id}') path = path.replaceAll('{id}', String(target.thread)).replaceAll('{aid}', '1');
        else if (rt.scope === '?unit= (default: own unit)') path += `?unit=4701&period=${target.period}`;
        else if (rt.scope === '{district}') path = path.replaceAll('{district}', '4701').replaceAll('{id}', '1');
        else if (rt.scope === 'order {id}') path = path.replaceAll('{id}', String(target.order));
        else if (rt.scope === 'national') path = path.replaceAll('{id}', String(target.doc));
        else if (rt.scope === '{code}' || rt.scope === 'import job {job}') { /* as is */ }
        else assert.fail(`the walk does not know scope "${rt.scope}" of ${rt.name}: give it a 4701 target`);
        assert.doesNotMatch(path, /\{/, `${rt.name}: every parameter has a target`);
        scopesSeen.add(rt.scope);
        for (const method of rt.methods.filter((m) => m !== 'HEAD')) {
          for (const u of outsiders) {
            const body = method === 'GET' ? undefined
              : { reason: 'ทดสอบ', visitor_name: 'ผู้บุกรุก', channel: 'web', services: [{ code: 'tangrat_signup', outcome: 'completed' }],
                  name_th: 'x', status: 'open', hidden: [] };
            const r = await who[u].req(method, path, { json: body });
            assert.ok(r.status === 403 || r.status === 404, `${u} ${method} ${path} (${rt.name}): ${r.status} ${r.text.slice(0, 200)}`);
            if (r.status === 403 && rt.min_role !== 'national_admin')
              assert.ok(['/problems/out-of-scope', '/problems/forbidden'].includes(r.json.type), `${u} ${method} ${path}: ${r.json.type}`);
            walked++;
          }
        }
      }
      for (const s of ['{code}', 'registry entry {id}', 'user {id}', 'import job {job}', '?unit= (default: own unit)',
        'any unit {unit} (statistics)', '{district}', 'order {id}', 'contact {id}', 'channel {id}',
        'helpdesk thread {id}'])
        assert.ok(scopesSeen.has(s), `the walk met scope ${s}`);
      assert.ok(walked >= 5 * 15, `walked ${walked} requests`);
      assert.deepEqual(fingerprint(srv), before, 'no refused request changed the database');
    });

    test('the same targets are reachable by their own district (the walk is not refusing everyone)', async () => {
      assert.equal((await who.officer4701.get(`/registry/${target.entry}`)).status, 200);
      assert.equal((await who.dadmin4701.get(`/registry/import/${target.job}`)).status, 200);
      assert.equal((await who.dadmin4701.get('/points/4701/edit')).status, 200);
      assert.equal((await who.officer4701.get('/roster/4701')).status, 200);
      assert.equal((await who.officer4701.get(`/orders/${target.order}`)).status, 200);
      assert.equal((await who.officer4701.get(`/registry?unit=4701&period=${target.period}`)).status, 200);
      assert.equal((await who.officer4701.get(`/helpdesk/${target.thread}`)).status, 200);
      assert.equal((await who.dadmin4701.post(`/contacts/${target.contact}`, { json: { note: 'ok' } })).status, 200);
      // Province 47's admin reads 4701 (in scope), but may not write it.
      const p = new Client(srv.url);
      await p.login('padmin47');
      assert.equal((await p.get(`/registry/${target.entry}`)).status, 200);
      const w = await p.post(`/registry/${target.entry}/void`, { json: { reason: 'ทดสอบ' } });
      assert.equal(w.status, 403);
      assert.equal(w.json.type, '/problems/not-own-district');
    });
  });
}
