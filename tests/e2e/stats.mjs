// Browser tests of the statistics (issue 10): the staff page /stats/{unit}
// (national, a province, a district; every staff user reads every unit) and
// the public /statistics of closed periods, each on a desktop and on a
// 375 px phone, with axe-core (the Nu HTML checker reads every page the tests
// saw at the end, tests/e2e/run.mjs).
import assert from 'node:assert/strict';

export async function statsTests(h) {
	const { test, newContext, newPage, goto, login, axe, describe, assertNoHorizontalScroll, PHONE, closePeriod } = h;
	const phone = { viewport: PHONE, isMobile: true, hasTouch: true };
	/* A closed period for the public page (empty numbers are numbers too). */
	closePeriod('2024-02');
	const staff = ['/stats/0', '/stats/47', '/stats/4701', '/stats/4801?period=2024-02', '/stats/47?fy=2567'];
	const ctx = await newContext({ bypassCSP: true });
	const phoneCtx = await newContext({ ...phone, bypassCSP: true });
	for (const c of [ctx, phoneCtx]) {
		const page = await newPage(c);
		await goto(page, '/');
		await login(page, 'officer4701');
	}
	for (const p of staff)
		await test(`stats: axe and 375 px on ${p} (officer4701, any unit)`, async () => {
			for (const c of [ctx, phoneCtx]) {
				const page = c.pages()[0];
				const res = await goto(page, p);
				assert.equal(res.status(), 200, `${p} answers ${res.status()}`);
				assert.ok((await page.locator('h1').innerText()).startsWith('สถิติ'));
				assert.ok((await page.locator('table caption').count()) >= 7, 'data tables with captions');
				/* The dashboard: trend charts (and bars below a unit that has units
				 * below it), each figure with its own data table. */
				const figs = page.locator('figure.chart-figure');
				assert.ok((await figs.count()) >= 3, 'trend charts');
				for (const id of ['users-trend', 'score-trend', 'rate-trend']) {
					assert.equal(await page.locator(`#${id}-figure svg[role="img"]`).count(), 1, `${id} drawn`);
					const rows = await page.locator(`#${id}-figure table tbody tr`).count();
					assert.equal(rows, p.includes('fy=') ? 12 : 13, `${id} table`);
				}
				if (p !== '/stats/4701' && !p.startsWith('/stats/4801'))
					assert.equal(await page.locator('#children-bars-figure svg').count(), 1, 'ranking chart');
				if (c === phoneCtx) await assertNoHorizontalScroll(page, p);
				const bad = await axe(page);
				assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
			}
		});
	await test('stats: the period form is usable by keyboard', async () => {
		const page = ctx.pages()[0];
		await goto(page, '/stats/47');
		await page.focus('#f-period');
		await page.fill('#f-period', '2024-02');
		await Promise.all([page.waitForURL(/period=2024-02/), page.keyboard.press('Enter')]);
		assert.ok((await page.locator('.lead').innerText()).includes('กุมภาพันธ์ 2567'));
	});
	await test('stats: a province admin\'s home shows the glance (axe, 375 px)', async () => {
		for (const opts of [{}, phone]) {
			const c = await newContext({ ...opts, bypassCSP: true });
			const page = await newPage(c);
			await goto(page, '/');
			await login(page, 'padmin47');
			const res = await goto(page, '/home?period=2024-02');
			assert.equal(res.status(), 200);
			assert.equal(await page.locator('#glance-title').count(), 1, 'the glance');
			assert.equal(await page.locator('a[href="/stats/47?period=2024-02"]').count(), 1);
			if (opts.viewport) await assertNoHorizontalScroll(page, '/home');
			const bad = await axe(page);
			assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
			await c.close();
		}
	});
	const pub = ['/statistics', '/statistics?unit=47&period=2024-02', '/statistics?unit=4701&period=2024-02'];
	const anon = await newContext({ bypassCSP: true });
	const anonPhone = await newContext({ ...phone, bypassCSP: true });
	for (const p of pub)
		await test(`statistics (public): axe, 375 px and a description on ${p}`, async () => {
			for (const c of [anon, anonPhone]) {
				const page = c.pages()[0] || (await newPage(c));
				const res = await goto(page, p);
				assert.equal(res.status(), 200, `${p} answers ${res.status()}`);
				const desc = await page.getAttribute('meta[name="description"]', 'content');
				assert.ok(desc && desc.includes('สถิติ'), 'meta description');
				if (c === anonPhone) await assertNoHorizontalScroll(page, p);
				const bad = await axe(page);
				assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
			}
		});
}
