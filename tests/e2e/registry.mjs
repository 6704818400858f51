// Browser tests for the e-Service registry (ทะเบียนผู้มาขอรับบริการแบบอิเล็กทรอนิกส์):
// the keyboard-only entry flow a duty officer repeats all day, field errors,
// the list and the entry page, the CSV import, axe-core and the phone layout.
//
// They run inside tests/e2e/run.mjs, on its server (a fresh SQLite database,
// migrated and seeded with --demo), its Chromium and its counters, so the
// run still ends with one "N passed, M failed" line:
//
//   OSSPOINT_BIN=build/osspoint node tests/e2e/run.mjs                 # everything
//   OSSPOINT_BIN=build/osspoint node tests/e2e/registry.mjs            # only these
//   E2E_ONLY=registry OSSPOINT_BIN=build/osspoint node tests/e2e/run.mjs  # the same
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/* The demo data: officer4701 works at เมืองสกลนคร (4701). A valid Thai ID
 * (checksum digit 8) and the same number with a wrong checksum digit. */
const OFFICER = 'officer4701';
const VALID_ID = '1103702071838';
const BAD_ID = '1103702071839';
const VISITOR = 'นางสาวทดสอบ ระบบทะเบียน';
const VISITOR2 = 'นายพิมพ์ผิด เลขบัตร';
/* A district admin: only they may import. */
const ADMIN = 'dadmin4701';

/* A CSV for the importer: two rows dated ten minutes ago (Bangkok), the
 * second with the given Thai ID. */
function importCsv(cid) {
	const at = new Date(Date.now() + 7 * 3600_000 - 10 * 60_000).toISOString().slice(0, 16);
	return [
		'visited_at,visitor_name,cid,phone,sex,age_band,channel,services,remarks',
		`${at},นายนำเข้า หนึ่ง,,0812345678,male,20_39,tangrat,tangrat_signup:completed,`,
		`${at},นางนำเข้า สอง,${cid},,female,40_59,web,nhso_rights_check:referred;tangrat_signup:completed,ทดสอบการนำเข้า`,
		'',
	].join('\r\n');
}

/* h: the harness from run.mjs (test, newContext, newPage, goto, login, active,
 * axe, describe, assertNoHorizontalScroll, shot, log, base, THAI, PHONE). */
export async function registryTests(h) {
	const { test, newContext, newPage, goto, login, active, axe, describe, assertNoHorizontalScroll, shot, log } = h;
	const { THAI, PHONE } = h;
	let entryPath = null; /* /registry/ID of the entry made by the first test */

	/* Opens /registry/new and waits for the autofocus to land on the name. */
	async function openForm(page) {
		const res = await goto(page, '/registry/new');
		assert.equal(res.status(), 200, `GET /registry/new answers ${res.status()}`);
		await page
			.waitForFunction(() => document.activeElement && document.activeElement.id === 'f-visitor_name', null, {
				timeout: 3000,
			})
			.catch(() => {});
		const a = await active(page);
		assert.equal(a?.id, 'f-visitor_name', `focus starts on the visitor name, got ${JSON.stringify(a)}`);
	}

	/* The keyboard flow: name, Tab, ID, Tab (phone left empty), Tab, a word
	 * of the service's name typed in the picker (static/js/picker.js), Enter
	 * to take the first match, outcome kept, Enter to save. Returns the
	 * POST's response and the number of keys pressed. */
	async function keyboardEntry(page, name, cid) {
		let keys = 0;
		await page.keyboard.type(name);
		keys += [...name].length;
		await page.keyboard.press('Tab');
		keys++;
		let a = await active(page);
		assert.equal(a?.id, 'f-cid', `Tab from the name reaches the ID, got ${JSON.stringify(a)}`);
		await page.keyboard.type(cid);
		keys += cid.length;
		await page.keyboard.press('Tab');
		keys++;
		a = await active(page);
		assert.equal(a?.id, 'f-phone', `Tab from the ID reaches the phone, got ${JSON.stringify(a)}`);
		await page.keyboard.press('Tab');
		keys++;
		a = await active(page);
		assert.equal(a?.id, 'f-service1', `Tab from the phone reaches the first service, got ${JSON.stringify(a)}`);
		assert.equal(a?.role, 'combobox', 'the service field is the searchable picker');
		const query = 'ภาษีรถ'; /* a word inside "ชำระภาษีรถประจำปี…", not its start */
		await page.keyboard.type(query);
		keys += [...query].length;
		await page.keyboard.press('Enter');
		keys++;
		const first = await page.inputValue('#f-service1-select');
		assert.equal(first, 'dlt_vehicle_tax', 'typing a word of the name and Enter picks that service');
		const [res] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST'),
			page.keyboard.press('Enter'),
		]);
		keys++;
		await page.waitForLoadState('load');
		return { res, keys, service: first };
	}

	await test('registry: keyboard only — name, ID, service, Enter; saved, and an empty form for the next visitor', async () => {
		const ctx = await newContext();
		const page = await newPage(ctx);
		await login(page, OFFICER);
		await openForm(page);
		assert.equal(await page.inputValue('#f-channel'), 'tangrat', 'the channel defaults to ทางรัฐ');
		assert.equal(await page.inputValue('#f-outcome1'), 'completed', 'the outcome defaults to completed');
		/* The time is shown as people write it: d/m/yyyy (B.E.) HH:MM. */
		const at = await page.inputValue('#f-visited_at');
		const be = at.match(/^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d\d):(\d\d)$/);
		assert.ok(be && Number(be[3]) > 2500, `the visit time is shown in B.E.: "${at}"`);
		const shownAt = Date.UTC(Number(be[3]) - 543, Number(be[2]) - 1, Number(be[1]), Number(be[4]), Number(be[5]));
		const now = Date.now() + 7 * 3600_000; /* Bangkok, UTC+7 */
		assert.ok(Math.abs(shownAt - now) <= 5 * 60_000, `the visit time defaults to now (${at})`);
		await shot(page, 'registry-new');

		const t0 = performance.now();
		const { res, keys } = await keyboardEntry(page, VISITOR, VALID_ID);
		await page
			.waitForFunction(() => document.activeElement && document.activeElement.id === 'f-visitor_name', null, {
				timeout: 3000,
			})
			.catch(() => {});
		const ms = Math.round(performance.now() - t0);
		assert.ok(res.status() < 400, `the POST answers ${res.status()}`);

		const status = (await page.locator('.saved[role="status"]').innerText()).trim();
		assert.match(status, /บันทึกแล้ว ลำดับที่ 1\/25\d\d/, `the saved line: "${status}"`);
		const a = await active(page);
		assert.equal(a?.id, 'f-visitor_name', `focus is back on the name, got ${JSON.stringify(a)}`);
		for (const f of ['visitor_name', 'cid', 'phone', 'service1', 'service1-select', 'remarks'])
			assert.equal(await page.inputValue(`#f-${f}`), '', `${f} is empty for the next visitor`);
		assert.equal(await page.inputValue('#f-outcome1'), 'completed', 'the outcome is back to its default');
		assert.equal(await page.locator('[role="alert"] p').count(), 0, 'no error');
		entryPath = await page.locator('.saved a').first().getAttribute('href');
		assert.match(entryPath || '', /^\/registry\/\d+$/, `the saved line links to the entry (${entryPath})`);
		log(`      keyboard flow: ${keys} key presses, ${ms} ms from the first key to the empty form (automated typing)`);
		await shot(page, 'registry-saved');
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
	});

	/* The picker (issue 9 item 5): five services start with "ลงทะเบียน"; the
	 * typed text decides, by word, announced to screen readers, by keyboard. */
	await test('registry: the service picker matches any word of the name, by keyboard, announced', async () => {
		const ctx = await newContext({ bypassCSP: true });
		const page = await newPage(ctx);
		await login(page, OFFICER);
		await openForm(page);
		const input = page.locator('#f-service2');
		assert.equal(await input.getAttribute('role'), 'combobox');
		assert.equal(await input.getAttribute('aria-expanded'), 'false');
		await input.focus();
		await page.keyboard.type('ลงทะเบียนแ');
		assert.equal(await input.getAttribute('aria-expanded'), 'true', 'the list opens while typing');
		const listId = await input.getAttribute('aria-controls');
		const options = await page.locator(`#${listId} [role="option"]`).allInnerTexts();
		assert.ok(options.length >= 1, 'matches are listed');
		assert.ok(options.every((t) => t.startsWith('ลงทะเบียนแ')), `only names with "ลงทะเบียน" then "แ…": ${options}`);
		const activeId = await input.getAttribute('aria-activedescendant');
		assert.ok(activeId, 'the first match is the active option');
		assert.equal(await page.locator(`#${activeId}`).getAttribute('aria-selected'), 'true');
		const status = (await page.locator('.picker [role="status"]').nth(1).innerText()).trim();
		assert.match(status, /^พบ \d+ บริการ$/, `the count is announced: "${status}"`);
		const bad = await axe(page);
		assert.equal(bad.length, 0, `axe with the list open:\n        ${describe(bad)}`);
		await page.keyboard.press('Enter');
		assert.equal(await page.inputValue('#f-service2-select'), 'thaid_register', '"ลงทะเบียนแ" is the ThaID registration');
		assert.equal(await input.getAttribute('aria-expanded'), 'false');
		/* ArrowDown moves, Escape closes and then clears. */
		await input.fill('');
		await input.focus();
		await page.keyboard.type('ลงทะเบียน');
		const n = await page.locator(`#${listId} [role="option"]`).count();
		assert.ok(n >= 4, `the services starting with ลงทะเบียน: ${n}`);
		await page.keyboard.press('ArrowDown');
		const second = await input.getAttribute('aria-activedescendant');
		assert.match(second || '', /-opt-1$/, 'ArrowDown goes to the second match');
		await page.keyboard.press('Escape');
		assert.equal(await input.getAttribute('aria-expanded'), 'false');
		/* A word in the middle of the name, and a code. */
		await input.fill('');
		await input.focus();
		await page.keyboard.type('ว่างงาน');
		const mid = await page.locator(`#${listId} [role="option"]`).allInnerTexts();
		assert.ok(mid.length >= 1 && mid.every((t) => t.includes('ว่างงาน')), `"ว่างงาน" finds names holding it: ${mid}`);
		await page.keyboard.press('Escape');
		await page.keyboard.press('Escape');
		assert.equal(await input.inputValue(), '', 'a second Escape clears the field');
		assert.equal(await page.inputValue('#f-service2-select'), '', 'and nothing is chosen');
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
	});

	await test('registry: without JavaScript the service field is a plain select that saves', async () => {
		const ctx = await newContext({ javaScriptEnabled: false });
		const page = await newPage(ctx);
		await login(page, OFFICER);
		await openForm(page);
		assert.equal(await page.locator('select#f-service1').count(), 1, 'the select is there');
		await page.fill('#f-visitor_name', 'นายไม่มีสคริปต์ ทดสอบ');
		await page.selectOption('#f-service1', 'dlt_vehicle_tax');
		const [res] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST'),
			page.click('form.registry-form button[type="submit"]'),
		]);
		assert.ok(res.status() < 400, `saved (${res.status()})`);
		await page.waitForSelector('.saved[role="status"]');
	});

	await test('registry: an invalid ID shows the Thai message next to the field and keeps what was typed', async () => {
		const ctx = await newContext();
		const page = await newPage(ctx);
		await login(page, OFFICER);
		await openForm(page);
		const { res, service } = await keyboardEntry(page, VISITOR2, BAD_ID);
		assert.equal(res.status(), 422, `the POST answers ${res.status()}`);
		await page.waitForSelector('#e-cid');
		const msg = (await page.locator('#e-cid').innerText()).trim();
		assert.ok(THAI.test(msg), `the ID has a Thai error next to it: "${msg}"`);
		assert.equal(await page.getAttribute('#f-cid', 'aria-invalid'), 'true', 'the ID is marked invalid');
		const desc = (await page.getAttribute('#f-cid', 'aria-describedby')) || '';
		assert.ok(desc.split(' ').includes('e-cid'), `the ID is described by its error (${desc})`);
		assert.equal(await page.locator('[role="alert"] a[href="#f-cid"]').count(), 1, 'the summary links to the ID');
		assert.equal(await page.locator('#e-visitor_name').count(), 0, 'no error on the name');
		assert.equal(await page.inputValue('#f-visitor_name'), VISITOR2, 'the name is kept');
		assert.equal(await page.inputValue('#f-cid'), BAD_ID, 'the ID is kept, to correct it');
		assert.equal(await page.inputValue('#f-service1-select'), service, 'the chosen service is kept');
		await page
			.waitForFunction(() => document.activeElement && document.activeElement.id === 'f-cid', null, { timeout: 3000 })
			.catch(() => {});
		const a = await active(page);
		assert.equal(a?.id, 'f-cid', `focus is on the field in error, got ${JSON.stringify(a)}`);
		await shot(page, 'registry-error');
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
	});

	await test('registry: the list shows the entry; its page shows the masked ID and the history', async () => {
		assert.ok(entryPath, 'the first test saved an entry');
		const ctx = await newContext();
		const page = await newPage(ctx);
		await login(page, OFFICER);
		const res = await goto(page, '/registry');
		assert.equal(res.status(), 200, `GET /registry answers ${res.status()}`);
		const row = page.locator('.registry-table tbody tr', { hasText: VISITOR });
		assert.equal(await row.count(), 1, `one row for ${VISITOR}`);
		const link = row.locator('th a');
		assert.match((await link.innerText()).trim(), /^1\/25\d\d$/, 'the row starts with its number');
		assert.equal(await link.getAttribute('href'), entryPath, 'the number links to the entry');
		assert.equal(await page.locator('.registry-table tbody tr', { hasText: VISITOR2 }).count(), 0, 'the refused entry is not listed');
		assert.ok(
			(await page.getByRole('link', { name: '+ บันทึกผู้มารับบริการ' }).count()) === 1,
			'the list offers "+ บันทึกผู้มารับบริการ"',
		);
		await shot(page, 'registry-list');

		await Promise.all([page.waitForURL((u) => u.pathname === entryPath), link.click()]);
		const main = await page.locator('main').innerText();
		assert.ok(main.includes(VISITOR), 'the entry page names the visitor');
		const html = await page.content();
		assert.ok(!html.includes(VALID_ID), 'the full ID is not in the page');
		const cid = page.locator('.facts div', { has: page.locator('dt', { hasText: 'เลขประจำตัวประชาชน' }) }).locator('dd');
		const masked = (await cid.innerText()).trim();
		assert.equal(masked.replace(/\D/g, ''), VALID_ID.slice(-4), `the ID is masked to its last four digits: "${masked}"`);
		assert.match(masked, /[Xx×•*]/, `the masked ID shows the hidden digits as marks: "${masked}"`);
		const history = page.locator('[aria-labelledby="history-title"] tbody tr');
		assert.ok((await history.count()) >= 1, 'the history has a row');
		assert.equal(await history.locator('.empty').count(), 0, 'the history is not empty');
		const first = (await history.first().innerText()).trim();
		assert.ok(THAI.test(first), `the history row is in Thai: "${first}"`);
		await shot(page, 'registry-entry');
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
	});

	/* Uploads a CSV on /registry/import and waits (through the page's own
	 * meta refresh) until the job page shows its result. Returns the job path. */
	async function importFile(page, name, text) {
		const res = await goto(page, '/registry/import');
		assert.equal(res.status(), 200, `GET /registry/import answers ${res.status()}`);
		await page.setInputFiles('#f-file', { name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
		await Promise.all([
			page.waitForURL(/\/registry\/import\/[^/]+$/),
			page.getByRole('button', { name: 'ตรวจและนำเข้า' }).click(),
		]);
		const until = Date.now() + 20_000;
		for (;;) {
			const n = await page
				.locator('.import-job .notice')
				.count()
				.catch(() => 0);
			if (n > 0) break;
			assert.ok(Date.now() < until, 'the import job finishes within 20 s');
			await page.waitForTimeout(300);
		}
		await page.waitForLoadState('load');
		return new URL(page.url()).pathname;
	}
	const jobs = {}; /* failed, done: job pages for axe and the phone */

	await test('registry: import — a bad row imports nothing and is listed; a good file is imported once', async () => {
		const ctx = await newContext();
		const page = await newPage(ctx);
		await login(page, ADMIN);
		jobs.failed = await importFile(page, 'bad.csv', importCsv(BAD_ID));
		const status = (await page.locator('.import-job [role="status"]').innerText()).trim();
		assert.match(status, /ไม่ได้นำเข้ารายการใดเลย/, `the job says nothing was imported: "${status}"`);
		const row = page.locator('.import-job tbody tr', { has: page.locator('td', { hasText: /^cid$/ }) });
		assert.equal(await row.count(), 1, 'the bad ID is listed');
		assert.match((await row.locator('th').innerText()).trim(), /^\d+$/, 'with its line number');
		assert.ok(THAI.test(await row.innerText()), 'and a Thai message');
		await shot(page, 'registry-import-failed');

		/* One file, uploaded twice: built once, so that both uploads hold the
		 * same minute even when they straddle the turn of one. */
		const good = importCsv(VALID_ID);
		jobs.done = await importFile(page, 'good.csv', good);
		let done = (await page.locator('.import-job [role="status"]').innerText()).trim();
		assert.match(done, /นำเข้าเสร็จแล้ว เพิ่ม 2 รายการ/, `two rows added: "${done}"`);
		await shot(page, 'registry-import-done');
		await importFile(page, 'good-again.csv', good);
		done = (await page.locator('.import-job [role="status"]').innerText()).trim();
		assert.match(done, /เพิ่ม 0 รายการ · ข้าม 2 รายการ/, `the same file again adds nothing: "${done}"`);
		assert.equal(await page.locator('meta[http-equiv="refresh"]').count(), 0, 'a finished job stops refreshing');
		const list = await goto(page, '/registry?q=' + encodeURIComponent('นำเข้า'));
		assert.equal(list.status(), 200);
		assert.equal(await page.locator('.registry-table tbody tr', { hasText: 'นำเข้า' }).count(), 2, 'two imported rows listed');
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
	});

	/* Beside the list's native date pickers, the picked day in B.E.: the
	 * server writes it for the day the page came with, static/js/date-be.js
	 * keeps it up to date as the officer picks another. */
	await test('registry: the date pickers show the day in B.E. beside them (with and without script)', async () => {
		const ctx = await newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
		const page = await newPage(ctx);
		await login(page, OFFICER);
		const res = await goto(page, '/registry?from=' + encodeURIComponent('1/11/2569') + '&to=2026-11-27');
		assert.equal(res.status(), 200);
		assert.equal(await page.inputValue('#f-from'), '2026-11-01', 'a B.E. day typed in the URL fills the picker');
		assert.equal((await page.locator('#be-from').innerText()).trim(), '(พ.ศ. 1 พ.ย. 2569)');
		assert.equal((await page.locator('#be-to').innerText()).trim(), '(พ.ศ. 27 พ.ย. 2569)');
		await page.fill('#f-to', '2026-12-05');
		await page.waitForFunction(() => document.getElementById('be-to').textContent.includes('5 ธ.ค. 2569'), null, {
			timeout: 3000,
		});
		await page.fill('#f-from', '');
		await page.waitForFunction(() => document.getElementById('be-from').textContent === '', null, { timeout: 3000 });
		await assertNoHorizontalScroll(page, '/registry with dates');
		await shot(page, 'registry-phone-dates');
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
		const noJs = await newPage(await newContext({ javaScriptEnabled: false }));
		await login(noJs, OFFICER);
		await goto(noJs, '/registry?from=2026-11-01');
		assert.equal((await noJs.locator('#be-from').innerText()).trim(), '(พ.ศ. 1 พ.ย. 2569)', 'without script too');
	});

	/* axe-core: no serious or critical violation (contexts with bypassCSP so
	 * axe can be injected). The form with errors is reached by a real POST. */
	const axePages = () => ['/registry', '/registry/new', entryPath, entryPath && `${entryPath}/edit`, '/registry/import'];
	let axePage = null;
	async function axeLogin() {
		if (!axePage) {
			const ctx = await newContext({ bypassCSP: true });
			axePage = await newPage(ctx);
			await login(axePage, OFFICER);
		}
		return axePage;
	}
	for (let i = 0; i < axePages().length; i++) {
		const label = ['/registry', '/registry/new', '/registry/{id}', '/registry/{id}/edit', '/registry/import'][i];
		await test(`registry: axe ${label}`, async () => {
			const p = axePages()[i];
			assert.ok(p, 'the first test saved an entry');
			const page = await axeLogin();
			const res = await goto(page, p);
			assert.equal(res.status(), 200, `GET ${p} answers ${res.status()}`);
			const bad = await axe(page);
			assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
		});
	}
	for (const [label, p] of [
		['/registry/import (district admin: the upload form)', () => '/registry/import'],
		['/registry/import/{job} (failed)', () => jobs.failed],
		['/registry/import/{job} (done)', () => jobs.done],
	]) {
		await test(`registry: axe ${label}`, async () => {
			assert.ok(p(), 'the import test ran');
			const ctx = await newContext({ bypassCSP: true });
			const page = await newPage(ctx);
			await login(page, ADMIN);
			const res = await goto(page, p());
			assert.equal(res.status(), 200, `GET ${p()} answers ${res.status()}`);
			const bad = await axe(page);
			assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
		});
	}
	await test('registry: axe /registry/new with errors', async () => {
		const page = await axeLogin();
		await openForm(page);
		const { res } = await keyboardEntry(page, VISITOR2, BAD_ID);
		assert.equal(res.status(), 422, `the POST answers ${res.status()}`);
		await page.waitForSelector('#e-cid');
		const bad = await axe(page);
		assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
	});

	/* A phone: the body never scrolls sideways (the long Thai service names in
	 * the selects and the wide table must not widen the page). */
	await test('registry: phone 375x667 — no horizontal scroll', async () => {
		const ctx = await newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
		const page = await newPage(ctx);
		await login(page, OFFICER);
		for (const p of axePages()) {
			assert.ok(p, 'the first test saved an entry');
			const res = await goto(page, p);
			assert.equal(res.status(), 200, `GET ${p} answers ${res.status()}`);
			await assertNoHorizontalScroll(page, p);
			await shot(page, `registry-phone-${p.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '')}`);
		}
		await openForm(page);
		const { res } = await keyboardEntry(page, VISITOR2, BAD_ID);
		assert.equal(res.status(), 422, `the POST answers ${res.status()}`);
		await page.waitForSelector('#e-cid');
		await assertNoHorizontalScroll(page, '/registry/new with errors');
		await shot(page, 'registry-phone-errors');
		const save = await page.getByRole('button', { name: 'บันทึก', exact: true }).boundingBox();
		assert.ok(save && save.height >= 44, `the save button is a large touch target (${save?.height}px)`);
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
		const admin = await newPage(await newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true }));
		await login(admin, ADMIN);
		for (const p of ['/registry/import', jobs.failed, jobs.done]) {
			assert.ok(p, 'the import test ran');
			await goto(admin, p);
			await assertNoHorizontalScroll(admin, p);
		}
		await shot(admin, 'registry-phone-import-failed');
		assert.deepEqual(admin.problems, [], admin.problems.join('\n'));
	});
}

/* Run directly: only these tests, through run.mjs's harness. Not awaited, so
 * this module finishes loading before run.mjs imports it back. */
if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
	process.env.E2E_ONLY = 'registry';
	import(pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'run.mjs')).href).catch((e) => {
		console.error(e);
		process.exitCode = 1;
	});
}
