// Browser tests of the duty roster, public holidays and official orders
// (issue 11): a district admin adds a person, a duty and generates a month by
// keyboard at 375 px, drafts an order and issues it; axe-core at desktop and
// 375 px on every new page (the run's Nu HTML checker sees them all too).
import assert from 'node:assert/strict';

export async function rosterTests(h) {
	const { test, newContext, newPage, goto, login, axe, describe, assertNoHorizontalScroll, shot, PHONE } = h;
	const month = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 7);

	await test('roster: a district admin adds a person and a duty by keyboard on a 375 px phone', async () => {
		const ctx = await newContext({ viewport: PHONE, bypassCSP: true });
		const page = await newPage(ctx);
		await login(page, 'dadmin4701');
		await goto(page, `/roster/4701?month=${month}`);
		await page.focus('#f-name');
		await page.keyboard.type('นายทดสอบ เวรเช้า');
		await page.keyboard.press('Tab');
		await page.keyboard.type('อาสาสมัคร');
		await Promise.all([page.waitForURL(/\/roster\/4701/), page.keyboard.press('Enter')]);
		const d = new Date(Date.now() + 7 * 3600e3);
		await page.fill('#f-day', `${d.getUTCDate()}/${d.getUTCMonth() + 1}/${d.getUTCFullYear() + 543}`);
		await page.selectOption('#f-person', { label: 'นายทดสอบ เวรเช้า' });
		await page.focus('#f-day');
		await Promise.all([page.waitForURL(/\/roster\/4701\?month=/), page.keyboard.press('Enter')]);
		assert.ok((await page.content()).includes('นายทดสอบ เวรเช้า'));
		/* The public point page shows today's duty. */
		const pub = await newPage(await newContext({ viewport: PHONE }));
		await goto(pub, '/points/4701');
		assert.ok((await pub.locator('#duty-title').innerText()).includes('ปฏิบัติหน้าที่วันนี้'));
		assert.ok((await pub.content()).includes('นายทดสอบ เวรเช้า'));
		/* The weekly pattern by checkbox. */
		const box = page.locator('input[name="line"][value^="1:morning:"]').first();
		await box.check();
		await Promise.all([page.waitForNavigation(), page.click('#pattern-save')]);
		assert.equal(await page.locator('input[name="line"][value^="1:morning:"]').first().isChecked(), true);
		/* A duty put on leave from its own small form. */
		const form = page.locator('form[action^="/roster/4701/duties/"]').first();
		await form.locator('select[name="action"]').selectOption('leave');
		await Promise.all([page.waitForNavigation(), form.locator('button').click()]);
		assert.ok((await page.content()).includes('tag-no'));
		/* On leave: no longer on the public page. */
		await goto(pub, '/points/4701');
		assert.ok(!(await pub.content()).includes('นายทดสอบ เวรเช้า'));
		await assertNoHorizontalScroll(page, '/roster/4701');
		await shot(page, 'roster-phone');
	});

	await test('orders: a district admin drafts a duty order and issues it', async () => {
		const ctx = await newContext({ bypassCSP: true });
		const page = await newPage(ctx);
		await login(page, 'dadmin4701');
		await goto(page, '/orders');
		/* The signer once, with the acting line. */
		await page.fill('#f-signer-name', 'นายสมศักดิ์ รักราชการ');
		await page.fill('#f-signer-position', 'ปลัดอำเภอ');
		await page.selectOption('#f-signer-capacity', 'acting_for');
		await page.fill('#f-signer-for', 'นายอำเภอเมืองสกลนคร');
		await Promise.all([page.waitForNavigation(), page.click('form[action="/orders/signer"] button[type="submit"]')]);
		assert.equal(await page.inputValue('#f-signer-name'), 'นายสมศักดิ์ รักราชการ');
		await page.selectOption('#f-kind', 'duty');
		await Promise.all([page.waitForURL(/\/orders\/\d+$/), page.click('#order-new')]);
		const url = page.url();
		assert.ok((await page.locator('h1').innerText()).includes('แต่งตั้งเจ้าหน้าที่'));
		await Promise.all([page.waitForURL(url), page.click('form[action$="/issue"] button[type="submit"]')]);
		assert.ok((await page.content()).includes('ออกคำสั่งแล้ว'));
		assert.ok((await page.content()).includes('ปลัดอำเภอ ปฏิบัติราชการแทน'));
		h.rosterOrder = url.slice(url.indexOf('/orders/'));
	});

	const pages = [
		['dadmin4701', `/roster/4701?month=${month}`],
		['officer4701', `/roster/4701?month=${month}`],
		['dadmin4701', `/roster/4701/history?month=${month}`],
		['nadmin', '/holidays'],
		['officer4701', '/holidays'],
		['dadmin4701', '/orders'],
		['dadmin4701', () => h.rosterOrder],
		['padmin47', '/orders/templates'],
	];
	const desk = await newContext({ bypassCSP: true });
	const phone = await newContext({ viewport: PHONE, bypassCSP: true });
	for (const [user, p] of pages) {
		const path = typeof p === 'function' ? p : () => p;
		await test(`roster/orders: axe and 375 px on ${typeof p === 'string' ? p : '/orders/ID'} (${user})`, async () => {
			for (const c of [desk, phone]) {
				const page = c.pages()[0] || (await newPage(c));
				if (page.loggedAs !== user) {
					await c.clearCookies();
					await login(page, user);
					page.loggedAs = user;
				}
				const res = await goto(page, path());
				assert.equal(res.status(), 200, `${path()} answers ${res.status()}`);
				if (c === phone) await assertNoHorizontalScroll(page, path());
				const bad = await axe(page);
				assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
			}
		});
	}
}
