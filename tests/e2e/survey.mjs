// Browser tests for the satisfaction survey (issue 10): a citizen answers on
// a 375 px phone by keyboard only; axe-core on every survey page (and the Nu
// checker, which run.mjs applies to every document the browser received).
//
// They run inside tests/e2e/run.mjs, on its server and counters:
//   E2E_ONLY=survey OSSPOINT_BIN=build/osspoint node tests/e2e/run.mjs
import assert from 'node:assert/strict';

const PASSWORD = 'osspoint-demo';

function bkk(minutes = 0) {
	return new Date(Date.now() + 7 * 3600e3 + minutes * 60e3).toISOString().slice(0, 16);
}

/* Logs a context in through the JSON API (its cookies are the context's) and
 * saves an entry; returns {entry, csrf}. */
async function newEntry(ctx, base, username = 'officer4701') {
	const login = await ctx.request.post(base + '/login', { data: { username, password: PASSWORD } });
	assert.equal(login.status(), 200, await login.text());
	const csrf = (await login.json()).csrf;
	const r = await ctx.request.post(base + '/registry', {
		data: { visited_at: bkk(-3), visitor_name: 'นางทดสอบ แบบสำรวจ', channel: 'tangrat', services: [{ code: 'tangrat_signup', outcome: 'completed' }] },
		headers: { 'x-csrf-token': csrf, accept: 'application/json' },
	});
	assert.equal(r.status(), 201, await r.text());
	return { entry: await r.json(), csrf };
}

/* h: the harness from run.mjs. */
export async function surveyTests(h) {
	const { test, newContext, newPage, goto, login, active, axe, describe, assertNoHorizontalScroll, shot, base, PHONE } = h;
	const phone = { viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

	await test('survey: a citizen answers on a 375 px phone by keyboard only', async () => {
		const staff = await newContext();
		const { entry } = await newEntry(staff, base);
		const ctx = await newContext({ ...phone, bypassCSP: true });
		const page = await newPage(ctx);
		await goto(page, entry.survey_url);
		await assertNoHorizontalScroll(page, 'the survey form');
		assert.equal(await page.locator('fieldset#f-overall legend').count(), 1, 'overall is a fieldset with a legend');
		assert.equal(await page.locator('input[name="overall"][type="radio"]').count(), 11);
		assert.ok((await page.locator('#pdpa-title').innerText()).includes('ประกาศความเป็นส่วนตัว'));
		const bad = await axe(page);
		assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
		/* Tab to the overall group, Space takes 0, ArrowRight ×9 moves to 9. */
		let a = null;
		for (let i = 0; i < 40; i++) {
			await page.keyboard.press('Tab');
			a = await active(page);
			if (a && a.id === 'f-overall-0') break;
		}
		assert.equal(a?.id, 'f-overall-0', `Tab reaches the overall scale (${JSON.stringify(a)})`);
		await page.keyboard.press('Space');
		for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight');
		assert.equal(await page.locator('input[name="overall"]:checked').getAttribute('value'), '9');
		/* Tab on to the next group (reach): take 8 by arrows from 0. */
		await page.keyboard.press('Tab');
		a = await active(page);
		assert.equal(a?.id, 'f-reach-0', `Tab moves to the next item (${JSON.stringify(a)})`);
		await page.keyboard.press('Space');
		for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
		/* Past the other items to the comment. */
		for (let i = 0; i < 10; i++) {
			await page.keyboard.press('Tab');
			a = await active(page);
			if (a && a.id === 'f-comment') break;
		}
		assert.equal(a?.id, 'f-comment', 'Tab reaches the comment');
		await page.keyboard.type('เจ้าหน้าที่ช่วยเหลือดีมาก');
		await page.keyboard.press('Tab');
		a = await active(page);
		assert.equal(a?.tag, 'button', `then the submit button (${JSON.stringify(a)})`);
		await shot(page, 'survey-phone-filled');
		await Promise.all([page.waitForURL(/\/survey\/thanks$/), page.keyboard.press('Enter')]);
		assert.ok((await page.locator('h1').innerText()).includes('ขอบคุณ'));
		await assertNoHorizontalScroll(page, 'the thank-you page');
		const bad2 = await axe(page);
		assert.equal(bad2.length, 0, `axe found:\n        ${describe(bad2)}`);
		await shot(page, 'survey-phone-thanks');
		/* The same link again: a clear Thai page, not a second count. */
		const res = await goto(page, entry.survey_url);
		assert.equal(res.status(), 409);
		assert.ok((await page.locator('h1').innerText()).includes('ได้รับคำตอบแล้ว'));
		const bad3 = await axe(page);
		assert.equal(bad3.length, 0, `axe found:\n        ${describe(bad3)}`);
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
	});

	await test('survey: the point QR form, its refusals shown again in Thai, by keyboard, at 375 px', async () => {
		const ctx = await newContext({ ...phone, bypassCSP: true });
		const page = await newPage(ctx);
		await goto(page, '/survey/p/4701');
		await assertNoHorizontalScroll(page, 'the point survey');
		assert.equal(await page.locator('.hp input[tabindex="-1"]').count(), 1, 'the honeypot is out of the tab order');
		let bad = await axe(page);
		assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
		/* Choose 7 and send at once: too fast, the form comes back with 7 kept. */
		await page.locator('#f-overall-7').check();
		await Promise.all([page.waitForLoadState('load'), page.locator('.survey-form button[type="submit"]').click()]);
		await page.waitForSelector('#survey-alert p');
		assert.ok((await page.locator('#survey-alert').innerText()).includes('เร็วเกินไป'));
		assert.equal(await page.locator('input[name="overall"]:checked').getAttribute('value'), '7');
		bad = await axe(page);
		assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
		await shot(page, 'survey-point-too-fast');
		await page.waitForTimeout(5200);
		await Promise.all([page.waitForURL(/\/survey\/thanks$/), page.locator('.survey-form button[type="submit"]').click()]);
		for (const p of ['/survey/nonsense', '/survey/p/9999']) {
			await goto(page, p);
			bad = await axe(page);
			assert.equal(bad.length, 0, `${p}: axe found:\n        ${describe(bad)}`);
		}
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
	});

	/* Staff pages: axe and the phone width. */
	const staffPages = [
		['officer4701', (e) => `/registry/${e.id}/survey`],
		['officer4701', (e) => `/registry/${e.id}`],
		['officer4701', () => '/survey/counter'],
		['officer4701', (e) => `/survey/counter/${e.id}`],
		['officer4701', () => '/survey/paper'],
		['dadmin4701', () => '/survey/comments'],
		['nadmin', () => '/admin/survey'],
	];
	const ctx = await newContext({ bypassCSP: true });
	const phoneCtx = await newContext({ ...phone, bypassCSP: true });
	let target = null;
	for (const [user, path] of staffPages) {
		await test(`survey: axe and 375 px on ${path({ id: 'ID' })} (${user})`, async () => {
			if (!target) target = (await newEntry(await newContext(), base)).entry;
			for (const c of [ctx, phoneCtx]) {
				const page = c.pages()[0] || (await newPage(c));
				if (!page.loggedAs || page.loggedAs !== user) {
					await goto(page, '/');
					await c.clearCookies();
					await login(page, user);
					page.loggedAs = user;
				}
				const res = await goto(page, path(target));
				assert.equal(res.status(), 200, `${path(target)} answers ${res.status()}`);
				if (c === phoneCtx) await assertNoHorizontalScroll(page, path(target));
				const bad = await axe(page);
				assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
			}
		});
	}
	await test('survey: staff key in a paper answer and get the form again for the next one; a bad number is named at its field', async () => {
		const page = await newPage(ctx);
		await goto(page, '/');
		await ctx.clearCookies();
		await login(page, 'officer4701');
		await goto(page, '/survey/paper');
		await page.locator('#f-overall-8').check();
		await page.fill('#f-comment', 'จากแบบกระดาษ');
		await Promise.all([page.waitForURL(/\/survey\/paper\?saved=1$/), page.locator('.survey-form button[type="submit"]').click()]);
		assert.ok((await page.locator('[role="status"]').first().innerText()).includes('บันทึกคำตอบ'));
		/* A bad number: the error next to the field, in Thai. */
		await page.fill('#f-number', '99999/2569');
		await page.locator('#f-overall-5').check();
		await Promise.all([page.waitForLoadState('load'), page.locator('.survey-form button[type="submit"]').click()]);
		await page.waitForSelector('#e-number');
		assert.equal(await page.getAttribute('#f-number', 'aria-invalid'), 'true');
		const bad = await axe(page);
		assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
	});
}
