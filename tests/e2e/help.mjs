// Browser tests for issue 11 (steps 7, 8, 9): the manual, contacts and
// แจ้งปัญหา pages pass axe-core at desktop and 375 px (and the Nu checker,
// which run.mjs applies to every document the browser received); an officer
// on a phone finds a section by the Thai search, follows the help link of a
// page, reaches a tap-to-call link and raises a problem, by keyboard only.
//
//   E2E_ONLY=help OSSPOINT_BIN=build/osspoint node tests/e2e/run.mjs
import assert from 'node:assert/strict';

const PASSWORD = 'osspoint-demo';

/* A context's API session: {post(path, json), csrf}. */
async function api(ctx, base, username) {
	const login = await ctx.request.post(base + '/login', { data: { username, password: PASSWORD } });
	assert.equal(login.status(), 200, await login.text());
	const csrf = (await login.json()).csrf;
	return {
		async post(path, data, multipart) {
			const r = await ctx.request.post(base + path, { ...(multipart ? { multipart } : { data }),
				headers: { 'x-csrf-token': csrf, accept: 'application/json' } });
			assert.ok([200, 201].includes(r.status()), `${path}: ${r.status()} ${await r.text()}`);
			return r.json();
		},
	};
}

/* Tabs until the focused element matches pred (at most n presses). */
async function tabTo(page, active, pred, n = 60) {
	for (let i = 0; i < n; i++) {
		await page.keyboard.press('Tab');
		const a = await active(page);
		if (a && pred(a)) return a;
	}
	throw new Error('Tab never reached the element');
}

export async function helpTests(h) {
	const { test, newContext, newPage, goto, login, active, axe, describe, assertNoHorizontalScroll, base, PHONE } = h;
	const phone = { viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

	/* Data: a province office contact and LINE group, DOPA's document, a thread. */
	const setup = await newContext();
	const p47 = await api(setup, base, 'padmin47');
	await p47.post('/units/47/contacts', { name_th: 'ที่ทำการปกครองจังหวัดสกลนคร กลุ่มงานปกครอง', phone: '๐ ๔๒๗๑ ๑๕๖๑' });
	await p47.post('/units/47/channels', { kind: 'line_group', name_th: 'กลุ่มไลน์ OSS e-Service สกลนคร', url: 'https://line.me/R/ti/g/e2e' });
	const nat = await api(await newContext(), base, 'nadmin');
	const doc = await nat.post('/help/docs', null, {
		title_th: 'แนวทางเตรียมความพร้อม',
		file: { name: 'guide.md', mimeType: 'text/markdown', buffer: Buffer.from('# แนวทาง\n\n| ขั้น | งาน |\n|---|---|\n| ๑ | จัดทำคำสั่ง |\n') },
	});
	const off = await api(await newContext(), base, 'officer4701');
	const thread = await off.post('/helpdesk', { subject: 'ระบบช้าช่วงเช้า', body: 'บันทึกทะเบียนช้ามาก', urgency: 'urgent' });

	await test('help: an officer on a phone searches the manual in Thai, opens a section, follows a page\'s help link, by keyboard', async () => {
		const ctx = await newContext({ ...phone, bypassCSP: true });
		const page = await newPage(ctx);
		await login(page, 'officer4701');
		await goto(page, '/help');
		await assertNoHorizontalScroll(page, '/help');
		await tabTo(page, active, (a) => a.id === 'help-q');
		await page.keyboard.type('แจ้งปัญหา');
		await Promise.all([page.waitForURL(/\/help\?q=/), page.keyboard.press('Enter')]);
		const first = page.locator('.help-results a').first();
		assert.ok((await first.innerText()).includes('แจ้งปัญหา'), await first.innerText());
		await first.focus();
		await Promise.all([page.waitForURL(/\/help\/helpdesk$/), page.keyboard.press('Enter')]);
		assert.ok((await page.locator('article h2').first().innerText()).includes('แจ้งปัญหา'));
		await assertNoHorizontalScroll(page, '/help/helpdesk');
		/* The help link of the registry page leads to its section. */
		await goto(page, '/registry');
		const link = page.locator('.help-link a');
		assert.equal(await link.getAttribute('href'), '/help/registry');
		await link.focus();
		await Promise.all([page.waitForURL(/\/help\/registry$/), page.keyboard.press('Enter')]);
		assert.ok((await page.locator('article table').count()) >= 0);
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
	});

	await test('contacts: tap-to-call and the LINE group\'s QR code at 375 px', async () => {
		const ctx = await newContext({ ...phone, bypassCSP: true });
		const page = await newPage(ctx);
		await login(page, 'officer4701');
		await goto(page, '/contacts');
		await assertNoHorizontalScroll(page, '/contacts');
		assert.equal(await page.locator('a.tel[href="tel:022212188"]').count(), 1, "DOPA's number, tap to call");
		assert.equal(await page.locator('a.tel[href="tel:042711561"]').count(), 1, "the province office's");
		const box = await page.locator('a.tel').first().boundingBox();
		assert.ok(box.height >= 44, `the call link is a 44 px target (${box.height})`);
		assert.equal(await page.locator('.qr-inline svg[role="img"] title').count(), 1);
		const a = await tabTo(page, active, (x) => x.href === 'tel:022212188');
		assert.equal(a.tag, 'a');
		const bad = await axe(page);
		assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
	});

	await test('helpdesk: a district raises a problem by keyboard at 375 px; the reminder about citizens\' data is read with the file field', async () => {
		const ctx = await newContext({ ...phone, bypassCSP: true });
		const page = await newPage(ctx);
		await login(page, 'officer4701');
		await goto(page, '/helpdesk');
		await assertNoHorizontalScroll(page, '/helpdesk');
		assert.equal(await page.getAttribute('#hd-attachments', 'aria-describedby'), 'hd-pdpa');
		assert.ok((await page.locator('#hd-pdpa').innerText()).includes('ห้ามแนบ'));
		await tabTo(page, active, (a) => a.id === 'hd-subject');
		await page.keyboard.type('พิมพ์ใบแบบสำรวจไม่ออก');
		await tabTo(page, active, (a) => a.id === 'hd-body', 5);
		await page.keyboard.type('เครื่องพิมพ์ขึ้นข้อความผิดพลาด');
		await tabTo(page, active, (a) => a.tag === 'button' && a.text.includes('ส่งเรื่อง'), 6);
		await Promise.all([page.waitForURL(/\/helpdesk\/\d+$/), page.keyboard.press('Enter')]);
		assert.ok((await page.locator('h1').innerText()).includes('พิมพ์ใบแบบสำรวจไม่ออก'));
		assert.ok((await page.locator('.tag-open').innerText()).includes('รอตอบ'));
		const bad = await axe(page);
		assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
	});

	const pages = [
		['officer4701', '/help'],
		['officer4701', `/help?q=${encodeURIComponent('กลุ่มไลน์')}`],
		['officer4701', '/help/roles'],
		['officer4701', '/help/print'],
		['officer4701', `/help/docs/${doc.id}`],
		['nadmin', '/help'],
		['nadmin', `/help/docs/${doc.id}`],
		['officer4701', '/contacts'],
		['dadmin4701', '/units/4701/contacts'],
		['padmin47', '/units/47/contacts'],
		['officer4701', '/helpdesk'],
		['officer4701', `/helpdesk/${thread.id}`],
		['padmin47', `/helpdesk/${thread.id}`],
		['padmin47', '/home'],
		['padmin47', '/helpdesk'],
	];
	const ctx = await newContext({ bypassCSP: true });
	const phoneCtx = await newContext({ ...phone, bypassCSP: true });
	for (const [user, path] of pages) {
		await test(`help: axe and 375 px on ${path} (${user})`, async () => {
			for (const c of [ctx, phoneCtx]) {
				const page = c.pages()[0] || (await newPage(c));
				if (page.loggedAs !== user) {
					await goto(page, '/');
					await c.clearCookies();
					await login(page, user);
					page.loggedAs = user;
				}
				const res = await goto(page, path);
				assert.equal(res.status(), 200, `${path} answers ${res.status()}`);
				if (c === phoneCtx) await assertNoHorizontalScroll(page, path);
				const bad = await axe(page);
				assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
			}
		});
	}
}
