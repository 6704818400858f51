// Browser tests for the public portal (issue 4, docs/portal.md) on a phone:
// a citizen searches "ภาษีรถ" by keyboard, opens the service, and the QR code
// on the page scans (screenshot → zbarimg) to the page's own URL; axe-core and
// the 375 px layout on every public page.
//
// They run inside tests/e2e/run.mjs, on its server (a fresh SQLite database,
// migrated and seeded with --demo, public_url left at its default), its
// Chromium and its counters:
//
//   OSSPOINT_BIN=build/osspoint node tests/e2e/run.mjs               # everything
//   OSSPOINT_BIN=build/osspoint node tests/e2e/portal.mjs            # only these
//   E2E_ONLY=portal OSSPOINT_BIN=build/osspoint node tests/e2e/run.mjs  # the same
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PASSWORD = 'osspoint-demo';
const QUERY = 'ภาษีรถ';
const TAX = { code: 'dlt_vehicle_tax', name: 'ชำระภาษีรถประจำปีออนไลน์', url: 'https://eservice.dlt.go.th/' };
/* A service made (then retired) by these tests, for the retired page. */
const RETIRED = 'e2e_retired_service';

/* Decodes the QR code in a PNG with zbarimg; '' when none is found. */
function zbar(png) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osspoint-qr-'));
	const f = path.join(dir, 'qr.png');
	try {
		fs.writeFileSync(f, png);
		return execFileSync('zbarimg', ['--raw', '-q', f], { encoding: 'utf8' }).trim();
	} catch {
		return '';
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/* h: the harness from run.mjs (test, newContext, newPage, goto, login, active,
 * axe, describe, assertNoHorizontalScroll, shot, log, base, THAI, PHONE). */
export async function portalTests(h) {
	const { test, newContext, newPage, goto, axe, describe, assertNoHorizontalScroll, shot, log, base } = h;
	const { THAI, PHONE } = h;
	const phone = { viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

	await test('portal: search "ภาษีรถ" by keyboard, open the service, its QR code scans to the page URL', async () => {
		const ctx = await newContext(phone);
		const page = await newPage(ctx);
		const res = await goto(page, '/');
		assert.equal(res.status(), 200);
		/* Keyboard only: Tab until the search box has the focus. */
		let a = null;
		for (let i = 0; i < 25; i++) {
			await page.keyboard.press('Tab');
			a = await page.evaluate(() => {
				const e = document.activeElement;
				return e ? { tag: e.tagName.toLowerCase(), name: e.getAttribute('name'), type: e.type } : null;
			});
			if (a?.tag === 'input' && a.name === 'q') break;
		}
		assert.ok(a?.tag === 'input' && a.name === 'q', `Tab reaches the search box, last focus ${JSON.stringify(a)}`);
		const label = await page.evaluate(() => {
			const e = document.activeElement;
			const l = e.labels && e.labels[0];
			return (l ? l.innerText : e.getAttribute('aria-label') || '').trim();
		});
		assert.ok(THAI.test(label), `the search box has a Thai label: "${label}"`);
		await page.keyboard.type(QUERY);
		await Promise.all([page.waitForURL(/\/search\?/), page.keyboard.press('Enter')]);
		const url = new URL(page.url());
		assert.equal(url.searchParams.get('q'), QUERY);
		await shot(page, 'portal-phone-search');
		const links = await page.locator('main a[href^="/services/"]').evaluateAll((as) => as.map((x) => x.getAttribute('href')));
		const at = links.indexOf(`/services/${TAX.code}`);
		assert.ok(at >= 0 && at <= 2, `${TAX.code} is among the first results: ${links.slice(0, 5).join(' ')}`);
		await assertNoHorizontalScroll(page, '/search');
		/* Open the result with the keyboard too: focus the link, Enter. */
		await page.locator(`main a[href="/services/${TAX.code}"]`).first().focus();
		await Promise.all([page.waitForURL(new RegExp(`/services/${TAX.code}$`)), page.keyboard.press('Enter')]);
		assert.equal((await page.locator('main h1').innerText()).trim(), TAX.name);
		/* The big button goes to the official URL. */
		const button = page.locator(`main a[href="${TAX.url}"]`).first();
		assert.ok(await button.isVisible(), `a visible link to ${TAX.url}`);
		const bbox = await button.boundingBox();
		assert.ok(bbox && bbox.height >= 44, `the official-URL button is a large touch target (${bbox?.height}px)`);
		assert.ok(THAI.test(await button.innerText()), 'the button is labelled in Thai');
		assert.ok((await page.locator('main').innerText()).includes('eservice.dlt.go.th'), 'the URL is printed');
		/* The QR code: visible, big enough to scan, labelled, and it decodes to this
		 * page. docs/portal.md says inline SVG; an <img> of qr.svg is scanned too
		 * (tests/api/portal.test.mjs holds the page to the inline form). */
		const qr = page.locator('main svg[role="img"], main img[src$="/qr.svg"]').first();
		await qr.scrollIntoViewIfNeeded();
		assert.ok(await qr.isVisible(), 'the QR code is visible');
		const box = await qr.boundingBox();
		assert.ok(box && box.width >= 120 && box.height >= 120, `the QR code is at least 120 px (${box?.width}x${box?.height})`);
		const name = await qr.evaluate(
			(e) => e.getAttribute('alt') || e.getAttribute('aria-label') || e.querySelector('title')?.textContent || '',
		);
		assert.ok(name.trim().length > 0, 'the QR code has an accessible name');
		/* The element alone, then with a white margin around it (the quiet zone). */
		let text = zbar(await qr.screenshot());
		if (!text) {
			const pad = 24;
			const v = page.viewportSize();
			const clip = { x: Math.max(0, box.x - pad), y: Math.max(0, box.y - pad) };
			clip.width = Math.min(v.width - clip.x, box.width + 2 * pad);
			clip.height = Math.min(v.height - clip.y, box.height + 2 * pad);
			text = zbar(await page.screenshot({ clip }));
		}
		assert.equal(text, `${base}/services/${TAX.code}`, 'the QR code scans to the page URL');
		await shot(page, 'portal-phone-service');
		await assertNoHorizontalScroll(page, `/services/${TAX.code}`);
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
	});

	await test('portal: a retired service says so and has no button', async () => {
		const ctx = await newContext();
		const api = ctx.request;
		const login = await api.post(`${base}/login`, {
			headers: { Accept: 'application/json' },
			data: { username: 'nadmin', password: PASSWORD },
		});
		assert.equal(login.status(), 200);
		const csrf = (await login.json()).csrf;
		const headers = { Accept: 'application/json', 'X-CSRF-Token': csrf };
		const made = await api.post(`${base}/services`, {
			headers,
			data: {
				code: RETIRED,
				name_th: 'บริการทดสอบที่ยกเลิกแล้ว',
				agency_th: 'กรมทดสอบระบบ',
				category: 'welfare',
				channel: 'web',
				url: 'https://retired.example.go.th/',
				description: 'บริการนี้มีไว้ทดสอบหน้าบริการที่ยกเลิกแล้ว',
				steps: ['ไม่ต้องทำอะไร'],
			},
		});
		assert.equal(made.status(), 201, await made.text());
		const retired = await api.post(`${base}/services/${RETIRED}`, { headers, data: { status: 'retired' } });
		assert.equal(retired.status(), 200, await retired.text());
		const page = await newPage(await newContext(phone));
		const res = await goto(page, `/services/${RETIRED}`);
		assert.equal(res.status(), 200);
		const main = await page.locator('main').innerText();
		assert.ok(/ยกเลิก/.test(main), 'the page says the service is retired');
		assert.equal(await page.locator('main a[href="https://retired.example.go.th/"]').count(), 0, 'no button');
		await shot(page, 'portal-phone-retired');
	});

	await test('portal: a misspelt query offers "หมายถึง …" and the keyboard follows it to the service', async () => {
		const page = await newPage(await newContext(phone));
		await goto(page, `/search?q=${encodeURIComponent('ภาษีรด')}`);
		const dym = page.locator('main .did-you-mean a[href^="/search?q="]');
		assert.equal((await dym.innerText()).trim(), QUERY);
		await dym.focus();
		await Promise.all([page.waitForURL((u) => u.searchParams.get('q') === QUERY), page.keyboard.press('Enter')]);
		const first = await page.locator('main ol.results a').first().getAttribute('href');
		assert.equal(first, `/services/${TAX.code}`);
		await shot(page, 'portal-phone-did-you-mean');
	});

	/* A closure announced ahead, typed on the point form in B.E. (issue 9 item 15). */
	const ahead = new Date(Date.now() + 7 * 3600e3 + 10 * 86400e3);
	const aheadBE = `${ahead.getUTCDate()}/${ahead.getUTCMonth() + 1}/${ahead.getUTCFullYear() + 543}`;
	await test('portal: a district admin announces a closure ahead by keyboard; the point page shows it before the day', async () => {
		const page = await newPage(await newContext(phone));
		await h.login(page, 'dadmin4701');
		await goto(page, '/points/4701/edit');
		await page.locator('#f-status').selectOption('temporarily_closed');
		await page.locator('#f-status_since').fill(aheadBE);
		await page.locator('#f-status_note').fill('ปรับปรุงห้องศูนย์ดำรงธรรม');
		await page.locator('#f-status_note').focus();
		const [res] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST'),
			page.keyboard.press('Enter'),
		]);
		assert.ok(res.status() < 400, `the POST answers ${res.status()}`);
		await page.waitForURL(/[?&]saved=1/);
		assert.ok((await page.locator('main').innerText()).includes('การเปลี่ยนสถานะที่ประกาศล่วงหน้า'), 'listed on the form');
		const pub = await newPage(await newContext(phone));
		await goto(pub, '/points/4701');
		const text = await pub.locator('main').innerText();
		assert.ok(text.includes('ประกาศการเปลี่ยนสถานะ') && text.includes('ปิดให้บริการชั่วคราว'), 'announced on the public page');
		assert.ok(text.includes('เปิดให้บริการ'), 'still open until the day');
		await shot(pub, 'portal-phone-announced');
	});

	/* axe-core and the phone layout on every public page. */
	const pages = [
		'/',
		`/search?q=${encodeURIComponent(QUERY)}`,
		'/search?q=zzqxjv',
		'/services',
		`/services/${TAX.code}`,
		`/services/${RETIRED}`,
		'/points',
		'/points?province=47',
		'/points/4701',
		'/points/1201',
		`/search?q=${encodeURIComponent('ภาษีรด')}`,
		'/services/mea_eservice',
		'/privacy',
	];
	let axePage = null;
	for (const p of pages) {
		await test(`portal: axe and 375 px layout on ${p}`, async () => {
			if (!axePage) axePage = await newPage(await newContext({ ...phone, bypassCSP: true }));
			const res = await goto(axePage, p);
			assert.equal(res.status(), 200, `${p} answers ${res.status()}`);
			assert.equal(await axePage.getAttribute('html', 'lang'), 'th');
			assert.ok(THAI.test(await axePage.locator('main h1').first().innerText()), `${p} has a Thai h1`);
			await assertNoHorizontalScroll(axePage, p);
			await shot(axePage, `portal-phone-${p.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'root'}`);
			const bad = await axe(axePage);
			assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
		});
	}
	/* The staff pages of the catalogue and the point: axe-clean and no
	 * sideways scroll at 375 px, as the national admin and a district admin
	 * see them; the point-services form is saved by keyboard only. */
	const staffPages = [
		['nadmin', '/admin/services'],
		['nadmin', '/services/new'],
		['nadmin', `/services/${TAX.code}/edit`],
		['nadmin', `/services/${TAX.code}/history`],
		['nadmin', '/services/mea_eservice/edit'],
		['nadmin', '/admin/search'],
		['officer4701', '/admin/services'],
		['dadmin4701', '/points/4701/edit'],
		['dadmin4701', '/points/4701/services'],
	];
	const staff = {};
	for (const [user, p] of staffPages) {
		await test(`portal: axe and 375 px layout on ${p} (${user})`, async () => {
			if (!staff[user]) {
				staff[user] = await newPage(await newContext({ ...phone, bypassCSP: true }));
				await h.login(staff[user], user);
			}
			const page = staff[user];
			const res = await goto(page, p);
			assert.equal(res.status(), 200, `${p} answers ${res.status()}`);
			await assertNoHorizontalScroll(page, p);
			const bad = await axe(page);
			assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
		});
	}
	/* Tab to the form's submit button (past the other switches) and press
	 * Enter; resolves when the POST has been answered. */
	async function submitByKeyboard(page) {
		for (let i = 0; i < 80; i++) {
			await page.keyboard.press('Tab');
			const isSubmit = await page.evaluate(() => document.activeElement?.getAttribute('type') === 'submit');
			if (isSubmit) break;
		}
		assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'submit', 'Tab reaches the save button');
		const [res] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST'),
			page.keyboard.press('Enter'),
		]);
		assert.ok(res.status() < 400, `the POST answers ${res.status()}`);
		/* The 303 leads to the page again with ?saved=1: wait for it, or the
		 * next navigation interrupts it. */
		await page.waitForURL(/[?&]saved=1/);
		await page.waitForLoadState('load');
	}
	await test('portal: a district admin hides a service by keyboard; the point page stops listing it', async () => {
		const page = staff.dadmin4701 || (await newPage(await newContext(phone)));
		if (!staff.dadmin4701) await h.login(page, 'dadmin4701');
		await goto(page, '/points/4701/services');
		const box = page.locator(`#hide-${TAX.code}`);
		assert.equal(await box.isChecked(), false);
		await box.focus();
		await page.keyboard.press('Space');
		assert.equal(await box.isChecked(), true);
		await submitByKeyboard(page);
		const pub = await page.request.get(`${base}/points/4701`, { headers: { accept: 'application/json' } });
		const codes = (await pub.json()).point.services.map((x) => x.code);
		assert.ok(!codes.includes(TAX.code), 'hidden on the point page');
		/* Shown again, so the other tests see the seeded point. */
		await goto(page, '/points/4701/services');
		await page.locator(`#hide-${TAX.code}`).focus();
		await page.keyboard.press('Space');
		await submitByKeyboard(page);
		const again = await page.request.get(`${base}/points/4701`, { headers: { accept: 'application/json' } });
		assert.ok((await again.json()).point.services.some((x) => x.code === TAX.code), 'shown again');
	});

	await test('portal: the announcement is cancelled by keyboard and leaves the public page', async () => {
		const page = staff.dadmin4701 || (await newPage(await newContext(phone)));
		if (!staff.dadmin4701) await h.login(page, 'dadmin4701');
		await goto(page, '/points/4701/edit');
		const box = page.locator('input[name="cancel_scheduled"]').first();
		await box.focus();
		await page.keyboard.press('Space');
		assert.equal(await box.isChecked(), true);
		const [res] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST'),
			page.keyboard.press('Enter'),
		]);
		assert.ok(res.status() < 400, `the POST answers ${res.status()}`);
		await page.waitForURL(/[?&]saved=1/);
		const pub = await page.request.get(`${base}/points/4701`, { headers: { accept: 'application/json' } });
		assert.deepEqual((await pub.json()).point.scheduled, []);
	});

	await test('portal: public pages log no console errors under the real CSP', async () => {
		const page = await newPage(await newContext(phone));
		for (const p of pages) await goto(page, p);
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
		log(`      checked ${pages.length} pages`);
	});
}

/* Run directly: only these tests, through run.mjs's harness. */
if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
	process.env.E2E_ONLY = 'portal';
	import(pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'run.mjs')).href).catch((e) => {
		console.error(e);
		process.exitCode = 1;
	});
}
