// Browser tests for the external aggregates page (/stats/external, issue 10)
// and the server-drawn SVG chart on it (render/chart.h): a national admin
// uploads the letter's figures, the page shows them with a bar chart and its
// table; axe-core on the page at 375 px and on the desktop, no horizontal
// scroll, the chart scales to the phone, no CSP violation (the page loads
// without bypassCSP: an inline style or script would be reported on the
// console), and the Nu checker (run.mjs) gets every document.
//
//   E2E_ONLY=external OSSPOINT_BIN=build/osspoint node tests/e2e/run.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const LETTER = '\ufeffรหัสหน่วยงาน,ชื่อหน่วยงาน,งวด,ผู้มารับบริการ (ราย),ผู้ตอบแบบสำรวจ,คะแนนเฉลี่ย,ร้อยละ,อันดับ,จากทั้งหมด\r\n' +
	'47,สกลนคร,ก.พ. 2567,"1,671",1000,9.17,91.73,2,76\r\n' +
	'41,อุดรธานี,ก.พ. 2567,"2,100",1200,9.05,90.50,1,76\r\n' +
	'<script>,x,ก.พ. 2567,1,,,,,\r\n';

/* h: the harness from run.mjs. */
export async function externalTests(h) {
	const { test, newContext, newPage, goto, login, axe, describe, assertNoHorizontalScroll, shot, PHONE } = h;
	const phone = { viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osspoint-e2e-ext-'));
	const bad = path.join(dir, 'bad.csv');
	const good = path.join(dir, 'letter.csv');
	fs.writeFileSync(bad, LETTER);
	fs.writeFileSync(good, LETTER.split('\r\n').slice(0, 3).join('\r\n') + '\r\n');

	await test('external: a national admin uploads the figures; a bad file lists its rows; the chart and its table show (CSP enforced)', async () => {
		const ctx = await newContext({ ...phone });
		const page = await newPage(ctx);
		await login(page, 'nadmin');
		await goto(page, '/stats/external');
		await assertNoHorizontalScroll(page, 'the empty list');
		/* A bad row: nothing stored, the row named. */
		await page.setInputFiles('#f-file', bad);
		await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('form[action="/stats/external"][method="post"] button[type="submit"]')]);
		await page.waitForLoadState('load');
		const errs = await page.locator('#external-errors-caption').count();
		assert.equal(errs, 1, 'the error table is shown');
		assert.match(await page.locator('table:has(#external-errors-caption) tbody').innerText(), /แถวที่ 4 คอลัมน์ "รหัสหน่วยงาน"/);
		await assertNoHorizontalScroll(page, 'the refused upload');
		await shot(page, 'external-refused-375');
		/* The good file. */
		await page.setInputFiles('#f-file', good);
		await Promise.all([page.waitForURL(/\/stats\/external\?period=2024-02&imported=\d+$/), page.click('form[action="/stats/external"][method="post"] button[type="submit"]')]);
		assert.match(await page.locator('[role="status"]').first().innerText(), /นำเข้าแล้ว 2 แถว/);
		const svg = page.locator('svg.chart');
		assert.equal(await svg.count(), 1, 'one chart');
		assert.equal(await svg.getAttribute('role'), 'img');
		const ids = (await svg.getAttribute('aria-labelledby')).split(' ');
		for (const id of ids) assert.equal(await page.locator(`svg.chart #${id}`).count(), 1, `#${id} is in the chart`);
		assert.match(await page.locator(`#${ids[0]}`).textContent(), /ผู้มารับบริการ/);
		const box = await svg.boundingBox();
		assert.ok(box.width > 300 && box.width <= PHONE.width, `the chart fits the phone (${box.width} px)`);
		assert.equal(await svg.locator('rect.chart-mark').count(), 2);
		/* The same numbers in the table beside it. */
		const table = await page.locator('.chart-figure table.chart-table').innerText();
		assert.match(table, /สกลนคร/);
		assert.match(table, /1,671/);
		assert.match(table, /2,100/);
		await assertNoHorizontalScroll(page, 'the list with its chart');
		await shot(page, 'external-list-375');
		assert.deepEqual(page.problems, [], 'no console error (a CSP violation would be one)');
	});

	await test('external: axe-core finds nothing on the page, phone and desktop', async () => {
		for (const opts of [{ ...phone, bypassCSP: true }, { bypassCSP: true }]) {
			const ctx = await newContext(opts);
			const page = await newPage(ctx);
			await login(page, 'nadmin');
			await goto(page, '/stats/external');
			const found = await axe(page);
			assert.equal(found.length, 0, `axe found:\n        ${describe(found)}`);
			/* The chart's table can be reached and read without the picture. */
			assert.ok(await page.locator('.chart-table caption').count() >= 1);
			await shot(page, `external-list-${opts.viewport ? '375' : 'desktop'}`);
		}
	});
	fs.rmSync(dir, { recursive: true, force: true });
}
