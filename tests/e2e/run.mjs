// Browser tests: the real server on a fresh SQLite database, driven through
// Debian's Chromium with playwright-core, checked with axe-core.
//
//   OSSPOINT_BIN=build/osspoint node tests/e2e/run.mjs
//
// Plain node, no test framework: one line per test, then a closing line
// "N passed, M failed"; the exit status is non-zero when anything failed.
// Screenshots go to tests/e2e/results/ (gitignored). Never downloads a
// browser: CHROMIUM (default /usr/bin/chromium) is used as it is.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { assertCleanExit, watchStderr } from '../api/lib.mjs';
import { registryTests } from './registry.mjs';
import { portalTests } from './portal.mjs';
import { surveyTests } from './survey.mjs';
import { statsTests } from './stats.mjs';
import { rosterTests } from './roster.mjs';
import { helpTests } from './help.mjs';
import { externalTests } from './external.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.resolve(ROOT, process.env.OSSPOINT_BIN || 'build/osspoint');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const RESULTS = path.join(ROOT, 'tests', 'e2e', 'results');
const require = createRequire(path.join(ROOT, 'package.json'));
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const { chromium } = require('playwright-core');

const PASSWORD = 'osspoint-demo';
/* officer4701's display name in the demo seed (src/db/seed.c). */
const OFFICER4701_NAME = 'สมชาย ใจดี';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 667 };
const THAI = /[\u0E00-\u0E7F]/;

let passed = 0;
let failed = 0;

function log(...a) {
	console.log(...a);
}

async function test(name, fn) {
	const t0 = Date.now();
	try {
		await fn();
		passed++;
		log(`ok    ${name} (${Date.now() - t0} ms)`);
	} catch (e) {
		failed++;
		log(`FAIL  ${name} (${Date.now() - t0} ms)`);
		log(String(e && e.stack ? e.stack : e).replace(/^/gm, '      '));
	}
}

/* ---- server ---- */

function run(args, env) {
	try {
		execFileSync(BIN, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
	} catch (e) {
		const out = `${e.stdout || ''}${e.stderr || ''}`.trim();
		throw new Error(`${path.relative(ROOT, BIN)} ${args.join(' ')} failed (${e.status ?? e.signal}):\n${out}`);
	}
}

/* Starts `serve` on a free port; resolves to {child, base, stderr} once it
 * prints "osspoint: listening on http://127.0.0.1:PORT". Its output goes to
 * logFile; stderr (../api/lib.mjs watchStderr) keeps the sanitizer reports
 * for stopServer. */
function startServer(dbUrl, env, logFile) {
	return new Promise((resolve, reject) => {
		const child = spawn(BIN, ['serve', '--db', dbUrl, '--listen', '127.0.0.1:0'], {
			cwd: ROOT,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const out = fs.createWriteStream(logFile);
		const stderr = watchStderr(child.stderr);
		child.stderr.pipe(out);
		child.status = null;
		child.once('exit', (code, sig) => {
			child.status = { code, sig };
		});
		child.closed = new Promise((r) => child.once('close', r));
		let done = false;
		const finish = (err, value) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			if (err) reject(err);
			else resolve(value);
		};
		const timer = setTimeout(() => {
			finish(new Error('the server did not say it was listening within 20 s'));
		}, 20_000);
		child.on('error', (e) => finish(e));
		child.on('exit', (code, sig) => finish(new Error(`the server exited early (${code ?? sig})`)));
		/* Keep reading stdout after the line so the pipe never fills up. */
		readline.createInterface({ input: child.stdout }).on('line', (line) => {
			out.write(line + '\n');
			const m = /^osspoint: listening on (http:\/\/127\.0\.0\.1:\d+)\s*$/.exec(line);
			if (m) finish(null, { child, base: m[1], stderr });
		});
		startServer.child = child;
		startServer.stderr = stderr;
	});
}

/* SIGTERM, then waits for the exit (SIGKILL after 5 s) and throws unless the
 * server exited by itself with status 0 and printed no sanitizer report. */
async function stopServer(child, stderr) {
	if (!child) return;
	if (child.status === null) {
		const exited = new Promise((r) => child.once('exit', r));
		child.kill('SIGTERM');
		const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
		await exited;
		clearTimeout(timer);
	}
	await child.closed;
	assertCleanExit(child.status, stderr, 'the e2e server');
}

/* ---- browser helpers ---- */

let browser;
let base;
const contexts = [];

/* A context in Thai, Bangkok time. Every page records its console errors and
 * uncaught exceptions in page.problems. */
async function newContext(opts = {}) {
	const ctx = await browser.newContext({ locale: 'th-TH', timezoneId: 'Asia/Bangkok', viewport: DESKTOP, ...opts });
	ctx.setDefaultTimeout(15_000);
	ctx.on('page', watchPage);
	contexts.push(ctx);
	return ctx;
}

/* Every HTML document the browser received, as the server sent it (not the
 * DOM after scripts): checked by the W3C Nu HTML checker at the end. */
const documents = new Map();
const DOCUMENTS_MAX = 400;

function watchPage(page) {
	page.problems = [];
	page.on('response', async (resp) => {
		if (resp.request().resourceType() !== 'document' || documents.size >= DOCUMENTS_MAX) return;
		if (!/text\/html/.test(resp.headers()['content-type'] || '')) return;
		try {
			const body = await resp.text();
			const key = `${resp.request().method()} ${new URL(resp.url()).pathname}${new URL(resp.url()).search} ${resp.status()}`;
			if (!documents.has(key)) documents.set(key, body);
		} catch {
			/* a navigation away before the body was read */
		}
	});
	page.on('console', (msg) => {
		if (msg.type() !== 'error') return;
		/* An error page's own status (404 …) is expected; a failed sub-resource is not. */
		const from = msg.location()?.url;
		if (/^Failed to load resource/.test(msg.text()) && from === page.url()) return;
		page.problems.push(`${page.url()}: console: ${msg.text()}${from ? ` (${from})` : ''}`);
	});
	page.on('pageerror', (err) => page.problems.push(`${page.url()}: exception: ${err.message}`));
}

async function newPage(ctx) {
	const page = await ctx.newPage();
	if (!page.problems) watchPage(page);
	return page;
}

async function shot(page, name) {
	await page.screenshot({ path: path.join(RESULTS, `${name}.png`), fullPage: true });
}

async function goto(page, p) {
	const res = await page.goto(base + p, { waitUntil: 'load' });
	assert.ok(res, `no response for ${p}`);
	return res;
}

/* Logs in through the form (mouse and keyboard both fine here). */
async function login(page, username, password = PASSWORD) {
	await goto(page, '/login');
	await page.fill('#username', username);
	await page.fill('#password', password);
	await Promise.all([page.waitForURL(/\/home$/), page.click('form[action="/login"] button[type="submit"]')]);
}

/* Clicks a form's submit button and waits for the page its POST answers. */
async function submit(page, button) {
	await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click(button)]);
	await page.waitForLoadState('load');
}

/* The active element, described. */
function active(page) {
	return page.evaluate(() => {
		const e = document.activeElement;
		return e
			? { tag: e.tagName.toLowerCase(), id: e.id, role: e.getAttribute('role'), href: e.getAttribute('href'), text: (e.textContent || '').trim() }
			: null;
	});
}

/* Runs axe-core on the page; returns the violations of impact serious or
 * critical (and logs the milder ones). The page's CSP forbids injected
 * inline scripts, so contexts that run axe are made with bypassCSP. */
async function axe(page) {
	if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE_PATH });
	const violations = await page.evaluate(async () => {
		const r = await window.axe.run(document, { resultTypes: ['violations'] });
		return r.violations.map((v) => ({
			id: v.id,
			impact: v.impact,
			help: v.help,
			nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
		}));
	});
	for (const v of violations.filter((v) => !['serious', 'critical'].includes(v.impact)))
		log(`      note: axe ${v.impact} ${v.id}: ${v.help} — ${v.nodes.join(', ')}`);
	return violations.filter((v) => ['serious', 'critical'].includes(v.impact));
}

function describe(violations) {
	return violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n        at ${v.nodes.join('\n        at ')}`).join('\n');
}

/* Fails when the page scrolls sideways. */
async function assertNoHorizontalScroll(page, what) {
	const m = await page.evaluate(() => ({
		doc: document.documentElement.scrollWidth,
		body: document.body.scrollWidth,
		view: document.documentElement.clientWidth,
	}));
	assert.ok(
		m.doc <= m.view && m.body <= m.view,
		`${what}: the page scrolls sideways (scrollWidth ${m.doc}/${m.body} > ${m.view})`,
	);
}

/* ---- the tests ---- */

async function tests() {
	await test('officer logs in with the keyboard only and lands on /home', async () => {
		const ctx = await newContext();
		const page = await newPage(ctx);
		await goto(page, '/login');
		await page.keyboard.press('Tab');
		let a = await active(page);
		assert.equal(a?.href, '#main', `first Tab should reach the skip link, got ${JSON.stringify(a)}`);
		assert.equal(a.text, 'ข้ามไปยังเนื้อหาหลัก');
		const box = await page.locator('.skip-link').boundingBox();
		assert.ok(box && box.y >= 0 && box.height > 0, 'the focused skip link is on screen');
		await page.keyboard.press('Enter');
		await page.keyboard.press('Tab');
		a = await active(page);
		assert.equal(a?.id, 'username', `after the skip link, Tab should reach the username, got ${JSON.stringify(a)}`);
		await page.keyboard.type('officer4701');
		await page.keyboard.press('Tab');
		a = await active(page);
		assert.equal(a?.id, 'password', `Tab from username should reach the password, got ${JSON.stringify(a)}`);
		await page.keyboard.type(PASSWORD);
		await Promise.all([page.waitForURL(/\/home$/), page.keyboard.press('Enter')]);

		const name = OFFICER4701_NAME;
		const h1 = await page.locator('main h1').innerText();
		assert.ok(h1.includes(`สวัสดี ${name}`), `h1 greets the officer: "${h1}"`);
		const main = await page.locator('main').innerText();
		assert.ok(main.includes('เมืองสกลนคร'), 'the home page names the unit เมืองสกลนคร');
		const header = await page.locator('header').innerText();
		assert.ok(header.includes(name) && header.includes('เมืองสกลนคร'), 'the header shows the name and unit');
		await shot(page, 'home-desktop');
	});

	await test('logout ends the session and shows the login link', async () => {
		const ctx = await newContext();
		const page = await newPage(ctx);
		await login(page, 'officer4701');
		await Promise.all([
			page.waitForURL((u) => !u.pathname.startsWith('/home')),
			page.getByRole('button', { name: 'ออกจากระบบ' }).click(),
		]);
		assert.equal(await page.getByRole('button', { name: 'ออกจากระบบ' }).count(), 0, 'no logout button left');
		assert.ok(
			(await page.locator('header').getByRole('link', { name: 'เข้าสู่ระบบ' }).count()) > 0,
			'the header offers "เข้าสู่ระบบ"',
		);
		const res = await ctx.request.get(base + '/home', { headers: { Accept: 'application/json' }, maxRedirects: 0 });
		assert.ok([401, 302, 303].includes(res.status()), `/home after logout answers ${res.status()}`);
		await goto(page, '/home');
		assert.equal(await page.locator('.account-name').count(), 0, 'no user shown after logout');
		await shot(page, 'after-logout');
	});

	await test('a wrong password shows the Thai error in the alert region', async () => {
		const ctx = await newContext();
		const page = await newPage(ctx);
		await goto(page, '/login');
		assert.equal((await page.locator('[role="alert"]').innerText()).trim(), '', 'no error before trying');
		await page.fill('#username', 'officer4702');
		await page.fill('#password', 'not-the-password');
		await submit(page, 'form[action="/login"] button[type="submit"]');
		await page.waitForSelector('[role="alert"] p');
		assert.equal(new URL(page.url()).pathname, '/login');
		const alert = page.locator('[role="alert"]');
		assert.ok(await alert.isVisible(), 'the alert is visible');
		const text = (await alert.innerText()).trim();
		assert.ok(THAI.test(text), `the alert is in Thai: "${text}"`);
		assert.equal(await page.inputValue('#username'), 'officer4702', 'the username is kept');
		assert.equal(await page.inputValue('#password'), '', 'the password is not echoed back');
		assert.equal(await page.getAttribute('#password', 'aria-invalid'), 'true');
		await shot(page, 'login-wrong-password');
	});

	await test('the add-user form shows per-field errors next to the fields', async () => {
		const ctx = await newContext();
		const page = await newPage(ctx);
		await login(page, 'dadmin4701');
		await goto(page, '/users');
		await page.fill('#f-username', 'Bad Name!');
		await page.fill('#f-display_name', 'ทดสอบ ระบบ');
		await page.selectOption('#f-role', 'officer');
		await page.selectOption('#f-unit_code', '4701');
		await page.fill('#f-password', 'short');
		await submit(page, 'form[action="/users"] button[type="submit"]');
		await page.waitForSelector('#e-username');
		for (const f of ['username', 'password']) {
			const msg = (await page.locator(`#e-${f}`).innerText()).trim();
			assert.ok(THAI.test(msg), `${f} has a Thai error next to it: "${msg}"`);
			assert.equal(await page.getAttribute(`#f-${f}`, 'aria-invalid'), 'true', `${f} is marked invalid`);
			const desc = await page.getAttribute(`#f-${f}`, 'aria-describedby');
			assert.ok(desc.split(' ').includes(`e-${f}`), `${f} is described by its error`);
			assert.ok((await page.locator(`[role="alert"] a[href="#f-${f}"]`).count()) === 1, `summary links to ${f}`);
		}
		assert.equal(await page.locator('#e-display_name').count(), 0, 'no error on a valid field');
		assert.equal(await page.inputValue('#f-display_name'), 'ทดสอบ ระบบ', 'typed values are kept');
		assert.equal(await page.inputValue('#f-role'), 'officer', 'the chosen role is kept');
		await shot(page, 'users-errors');
	});

	await test('pages obey the CSP and log no console errors', async () => {
		const ctx = await newContext();
		const page = await newPage(ctx);
		const seen = [];
		for (const p of ['/', '/login', '/no-such-page']) {
			const res = await goto(page, p);
			seen.push([p, res.headers()['content-security-policy']]);
		}
		await login(page, 'officer4701');
		for (const p of ['/home', '/units', '/units/4701']) {
			const res = await goto(page, p);
			seen.push([p, res.headers()['content-security-policy']]);
		}
		const missing = seen.filter(([, csp]) => !csp).map(([p]) => p);
		assert.deepEqual(missing, [], `pages without a Content-Security-Policy header: ${missing.join(' ')}`);
		for (const [p, csp] of seen)
			assert.ok(!/unsafe-inline/.test(csp), `${p}: the CSP allows unsafe-inline: ${csp}`);
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
	});

	await test('static assets: CSS, favicon and the Sarabun web font', async () => {
		const types = {
			'/static/css/app.css': /^text\/css/,
			'/static/favicon.svg': /^image\/svg\+xml/,
			'/static/fonts/sarabun-thai-400-normal.woff2': /^(font\/woff2|application\/(font-woff2|octet-stream))/,
			'/static/fonts/sarabun-thai-700-normal.woff2': /^(font\/woff2|application\/(font-woff2|octet-stream))/,
			'/static/fonts/sarabun-latin-400-normal.woff2': /^(font\/woff2|application\/(font-woff2|octet-stream))/,
			'/static/fonts/sarabun-latin-700-normal.woff2': /^(font\/woff2|application\/(font-woff2|octet-stream))/,
		};
		const ctx = await newContext();
		for (const [p, type] of Object.entries(types)) {
			const res = await ctx.request.get(base + p);
			assert.equal(res.status(), 200, `${p} answers ${res.status()}`);
			const ct = res.headers()['content-type'] || '';
			assert.ok(type.test(ct), `${p} has Content-Type "${ct}"`);
		}
		const page = await newPage(ctx);
		await goto(page, '/login');
		const fonts = await page.evaluate(async () => {
			await document.fonts.ready;
			return {
				family: getComputedStyle(document.body).fontFamily,
				loaded: [...document.fonts]
					.filter((f) => f.family.replace(/["']/g, '') === 'Sarabun' && f.status === 'loaded')
					.map((f) => f.weight),
			};
		});
		assert.match(fonts.family, /^"?Sarabun"?,/, `body font: ${fonts.family}`);
		assert.ok(fonts.loaded.length > 0, 'a Sarabun face was loaded for the Thai text');
	});

	/* axe-core: no serious or critical violation on any page. */
	const axePages = [
		[null, '/'],
		[null, '/login'],
		[null, '/no-such-page'],
		['officer4701', '/home'],
		['officer4701', '/units'],
		['officer4701', '/units/4701'],
		['padmin47', '/units'],
		['dadmin4701', '/users'],
		/* Issue 9 items 1 and 2: the overview and the role home pages. */
		['dadmin4701', '/home'],
		['padmin47', '/home'],
		['padmin47', '/registry'],
		['padmin47', '/registry?sort=entries&dir=desc'],
		['nadmin', '/home'],
		['nadmin', '/registry'],
	];
	const axeCtx = {};
	for (const [user, p] of axePages) {
		await test(`axe: ${p} (${user || 'anonymous'})`, async () => {
			const key = user || '-';
			if (!axeCtx[key]) {
				const ctx = await newContext({ bypassCSP: true });
				const page = await newPage(ctx);
				if (user) await login(page, user);
				axeCtx[key] = page;
			}
			const page = axeCtx[key];
			await goto(page, p);
			if (user) assert.ok(!new URL(page.url()).pathname.startsWith('/login'), `${user} is logged in`);
			await shot(page, `axe-${(user || 'anon')}-${p.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'root'}`);
			const bad = await axe(page);
			assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
		});
	}
	await test('axe: /login with an error shown (anonymous)', async () => {
		const ctx = await newContext({ bypassCSP: true });
		const page = await newPage(ctx);
		await goto(page, '/login');
		await page.fill('#username', 'nobody-here');
		await page.fill('#password', 'wrong-password');
		await submit(page, 'form[action="/login"] button[type="submit"]');
		await page.waitForSelector('[role="alert"] p');
		const bad = await axe(page);
		assert.equal(bad.length, 0, `axe found:\n        ${describe(bad)}`);
	});

	/* The province overview by keyboard at 375 px: Tab to a column's sort
	 * link, Enter sorts; Tab on to a district and Enter opens its registry. */
	await test('phone 375x667: a province admin sorts the overview and opens a district by keyboard', async () => {
		const ctx = await newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
		const page = await newPage(ctx);
		await login(page, 'padmin47');
		await goto(page, '/registry');
		await assertNoHorizontalScroll(page, '/registry');
		let a = null;
		for (let i = 0; i < 80; i++) {
			await page.keyboard.press('Tab');
			a = await active(page);
			if (a && a.href && /sort=entries/.test(a.href)) break;
		}
		assert.match(a?.href || '', /sort=entries/, `Tab reaches the sort link of ผู้รับบริการ (${JSON.stringify(a)})`);
		await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
		await page.waitForURL(/sort=entries/);
		assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1, 'the sorted column says so (aria-sort)');
		for (let i = 0; i < 80; i++) {
			await page.keyboard.press('Tab');
			a = await active(page);
			if (a && a.href && /^\/registry\?unit=47\d\d&period=/.test(a.href)) break;
		}
		assert.match(a?.href || '', /^\/registry\?unit=47\d\d&period=/, `Tab reaches a district (${JSON.stringify(a)})`);
		await Promise.all([page.waitForURL(/unit=47\d\d/), page.keyboard.press('Enter')]);
		assert.equal(await page.locator('h1').innerText(), 'ทะเบียนผู้มาขอรับบริการแบบอิเล็กทรอนิกส์');
		await assertNoHorizontalScroll(page, 'a district registry opened from the overview');
		assert.deepEqual(page.problems, [], page.problems.join('\n'));
	});

	/* A phone: the body never scrolls sideways; wide tables scroll in their box. */
	const phone = { viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
	await test('phone 375x667: /home has no horizontal scroll', async () => {
		const ctx = await newContext(phone);
		const page = await newPage(ctx);
		await login(page, 'officer4701');
		await assertNoHorizontalScroll(page, '/home');
		const logout = await page.getByRole('button', { name: 'ออกจากระบบ' }).boundingBox();
		assert.ok(logout && logout.height >= 44, `the logout button is a large touch target (${logout?.height}px)`);
		await shot(page, 'home-phone');
		for (const p of ['/units', '/units/4701']) {
			await goto(page, p);
			await assertNoHorizontalScroll(page, p);
		}
		await shot(page, 'unit-phone');
	});
	await test('phone 375x667: public pages and /users have no horizontal scroll', async () => {
		const ctx = await newContext(phone);
		const page = await newPage(ctx);
		for (const p of ['/', '/login', '/no-such-page']) {
			await goto(page, p);
			await assertNoHorizontalScroll(page, p);
			await shot(page, `phone-${p.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'root'}`);
		}
		await login(page, 'dadmin4701');
		await goto(page, '/users');
		await assertNoHorizontalScroll(page, '/users');
		await shot(page, 'users-phone');
	});
}

/* ---- the W3C Nu HTML checker (npm vnu-jar, run with Debian's Java) ---- */

const VNU_JAR = require.resolve('vnu-jar/build/dist/vnu.jar');

/* Writes each document to a file and runs the checker once on all of them
 * (one JVM start). Returns its errors as "<page>: line L: message". */
function nuCheck(docs, tmp) {
	const dir = fs.mkdtempSync(path.join(tmp, 'html-'));
	const names = new Map();
	let i = 0;
	for (const [key, body] of docs) {
		const file = path.join(dir, `${String(++i).padStart(4, '0')}.html`);
		fs.writeFileSync(file, body);
		names.set(`file:${file}`, key);
	}
	let out;
	try {
		out = execFileSync('java', ['-Xss4m', '-jar', VNU_JAR, '--errors-only', '--format', 'json', '--stdout', '--exit-zero-always', dir],
			{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, maxBuffer: 64 << 20 });
	} catch (e) {
		throw new Error(`the Nu HTML checker did not run (java -jar ${VNU_JAR}): ${e.stderr || e.message}`);
	}
	const report = JSON.parse(out.trim() || '{"messages": []}');
	return report.messages.filter((m) => m.type === 'error').map((m) =>
		`${names.get(m.url) || m.url}: line ${m.lastLine}: ${m.message}${m.extract ? ` [${m.extract.replace(/\s+/g, ' ').trim()}]` : ''}`);
}

/* ---- main ---- */

async function main() {
	fs.mkdirSync(RESULTS, { recursive: true });
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osspoint-e2e-'));
	const db = `sqlite:${path.join(tmp, 'e2e.db')}`;
	const logFile = path.join(tmp, 'server.log');
	const env = {
		...process.env,
		OSSPOINT_ROOT: ROOT,
		OSSPOINT_SECRET_FILE: path.join(tmp, 'secret.key'),
	};
	let server;
	const cleanup = () => {
		if (startServer.child && startServer.child.exitCode === null) startServer.child.kill('SIGKILL');
	};
	process.on('exit', cleanup);
	for (const sig of ['SIGINT', 'SIGTERM'])
		process.on(sig, () => {
			cleanup();
			process.exit(1);
		});
	try {
		if (!fs.existsSync(BIN)) throw new Error(`no server binary at ${BIN} (build it, or set OSSPOINT_BIN)`);
		run(['migrate', '--db', db], env);
		run(['seed', '--demo', '--db', db], env);
		server = await startServer(db, env, logFile);
		base = server.base;
		log(`server: ${base} (log ${logFile})`);
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: [
				'--headless=new',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
			],
		});
		/* E2E_ONLY=registry (or portal, survey, stats) runs only tests/e2e/registry.mjs (or
		 * portal.mjs), as does running that file. */
		const only = process.env.E2E_ONLY;
		const harness = { test, newContext, newPage, goto, login, active, axe, describe, assertNoHorizontalScroll,
			shot, log, base, THAI, PHONE, closePeriod: (iso) => run(['close-period', iso, '--db', db], env) };
		if (!only) await tests();
		if (!only || only === 'registry') await registryTests(harness);
		if (!only || only === 'portal') await portalTests(harness);
		if (!only || only === 'survey') await surveyTests(harness);
		if (!only || only === 'stats') await statsTests(harness);
		if (!only || only === 'roster') await rosterTests(harness);
		if (!only || only === 'help') await helpTests(harness);
		if (!only || only === 'external') await externalTests(harness);
		await test(`W3C Nu HTML checker: every page the tests saw has no error`, async () => {
			assert.ok(documents.size >= (only ? 5 : 20), `pages collected: ${documents.size}`);
			const errors = nuCheck(documents, tmp);
			assert.equal(errors.length, 0, `the Nu HTML checker found ${errors.length} error(s) on ${documents.size} pages:\n        ${errors.join('\n        ')}`);
			log(`      note: ${documents.size} distinct pages checked`);
		});
	} catch (e) {
		failed++;
		log(`FAIL  setup: ${e && e.stack ? e.stack : e}`);
	} finally {
		for (const c of contexts) await c.close().catch(() => {});
		if (browser) await browser.close().catch(() => {});
		await test('the server exits cleanly on SIGTERM (status 0, no sanitizer report)', () =>
			stopServer(server?.child ?? startServer.child, server?.stderr ?? startServer.stderr),
		);
		if (failed && fs.existsSync(logFile)) {
			const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
			log(`---- server log (last lines of ${logFile}) ----\n${tail}`);
		} else if (!process.env.E2E_KEEP) {
			fs.rmSync(tmp, { recursive: true, force: true });
		}
	}
	log(`${passed} passed, ${failed} failed`);
	process.exitCode = failed ? 1 : 0;
}

await main();
