// The searchable service picker of the registry form (issue 9 item 5).
//
// Without this file each service row is a plain <select> that works as is.
// With it, each <select data-picker> is replaced on screen by a combobox (the
// WAI-ARIA 1.2 pattern: an input with role="combobox", a listbox popup,
// aria-activedescendant) while the <select> stays in the form, hidden, and
// keeps the value that is submitted.
//
// Matching: the server gives each option its words, cut by libthai as the
// portal search cuts them (data-words="w1|w2|…", normalized). A query matches
// an option when each of its space-separated parts, normalized the same way
// (lower case, Thai digits as ASCII, no spaces or punctuation), starts at a
// word start of the name written together: "ลงทะเบียนแ" matches
// "ลงทะเบียน|แอปพลิเคชัน" but not "ลงทะเบียน|ใช้งาน"; "ว่างงาน" matches
// "ลงทะเบียน|ผู้|ว่างงาน". Matches at the first word come first, then the
// catalogue's order.
//
// Keys: typing filters and opens the list with the first match active;
// ArrowDown / ArrowUp move; Enter or Tab takes the active option (Enter with
// the list closed submits the form, as in any text field); Escape closes
// the list (a second Escape clears the text). The number of matches is
// announced in a polite live region.
(() => {
	const THAI_DIGITS = '๐๑๒๓๔๕๖๗๘๙';

	function normalize(s) {
		let out = '';
		for (const ch of s.toLowerCase()) {
			if (ch === '\u0E4C') continue; /* the thanthakhat: core/search leaves it out too (สิทธิ์ = สิทธิ) */
			const d = THAI_DIGITS.indexOf(ch);
			if (d >= 0) out += String(d);
			else if (/[\p{L}\p{M}\p{N}]/u.test(ch)) out += ch;
		}
		return out;
	}

	/* The offsets where a word starts in the words written together. */
	function starts(words) {
		const out = [];
		let at = 0;
		for (const w of words) {
			out.push(at);
			at += w.length;
		}
		return out;
	}

	/* -1 when q does not match, else the rank (0 = at the first word). */
	function rank(opt, parts) {
		let best = -1;
		for (const p of parts) {
			let found = -1;
			for (const k of opt.starts) {
				if (opt.joined.startsWith(p, k)) {
					found = k;
					break;
				}
			}
			if (found < 0 && !opt.code.startsWith(p)) return -1;
			if (found < 0) found = 0;
			best = Math.max(best, found === 0 ? 0 : 1);
		}
		return best;
	}

	let seq = 0;

	function enhance(select) {
		const id = select.id;
		const n = ++seq;
		const options = [...select.options]
			.filter((o) => o.value)
			.map((o, i) => {
				const words = (o.dataset.words || normalize(o.text)).split('|').filter(Boolean);
				return { value: o.value, label: o.text, code: o.value.toLowerCase(), joined: words.join(''), starts: starts(words), order: i };
			});
		const wrap = document.createElement('div');
		wrap.className = 'picker';
		const input = document.createElement('input');
		input.type = 'text';
		input.className = 'picker-input';
		input.setAttribute('role', 'combobox');
		input.setAttribute('aria-autocomplete', 'list');
		input.setAttribute('aria-expanded', 'false');
		input.setAttribute('autocomplete', 'off');
		input.setAttribute('spellcheck', 'false');
		input.placeholder = 'พิมพ์ชื่อบริการ';
		const list = document.createElement('ul');
		list.className = 'picker-list';
		list.id = `picker-list-${n}`;
		list.setAttribute('role', 'listbox');
		list.hidden = true;
		const label = select.labels && select.labels[0];
		if (label) {
			if (!label.id) label.id = `picker-label-${n}`;
			list.setAttribute('aria-labelledby', label.id);
		}
		input.setAttribute('aria-controls', list.id);
		for (const a of ['aria-invalid', 'aria-describedby']) if (select.hasAttribute(a)) input.setAttribute(a, select.getAttribute(a));
		if (select.hasAttribute('autofocus')) input.autofocus = true;
		const status = document.createElement('p');
		status.className = 'visually-hidden';
		status.setAttribute('role', 'status');
		status.setAttribute('aria-live', 'polite');
		/* The input takes the select's id, so its <label for> names it; the
		 * select stays in the form, out of sight and out of the tab order. */
		select.id = `${id}-select`;
		input.id = id;
		select.hidden = true;
		select.tabIndex = -1;
		select.setAttribute('aria-hidden', 'true');
		select.parentNode.insertBefore(wrap, select);
		wrap.append(input, list, status, select);

		let shown = [];
		let active = -1;

		const chosen = () => options.find((o) => o.value === select.value);
		const sync = () => {
			const c = chosen();
			input.value = c ? c.label : '';
		};

		function render() {
			list.replaceChildren();
			shown.forEach((o, i) => {
				const li = document.createElement('li');
				li.id = `picker-${n}-opt-${i}`;
				li.setAttribute('role', 'option');
				li.textContent = o.label;
				li.setAttribute('aria-selected', i === active ? 'true' : 'false');
				if (i === active) li.className = 'active';
				li.addEventListener('mousedown', (e) => {
					e.preventDefault(); /* keep the focus in the input */
					take(i);
				});
				list.append(li);
			});
			if (active >= 0) input.setAttribute('aria-activedescendant', `picker-${n}-opt-${active}`);
			else input.removeAttribute('aria-activedescendant');
			if (active >= 0) list.children[active].scrollIntoView({ block: 'nearest' });
		}

		function open(items) {
			shown = items;
			active = items.length ? 0 : -1;
			list.hidden = items.length === 0;
			input.setAttribute('aria-expanded', items.length ? 'true' : 'false');
			status.textContent = items.length ? `พบ ${items.length} บริการ` : 'ไม่พบบริการชื่อนี้';
			render();
		}

		function close() {
			list.hidden = true;
			input.setAttribute('aria-expanded', 'false');
			input.removeAttribute('aria-activedescendant');
			shown = [];
			active = -1;
		}

		function take(i) {
			const o = shown[i];
			if (!o) return;
			select.value = o.value;
			select.dispatchEvent(new Event('change', { bubbles: true }));
			input.value = o.label;
			status.textContent = `เลือก ${o.label}`;
			close();
		}

		function filter() {
			const parts = input.value.split(/\s+/).map(normalize).filter(Boolean);
			if (!parts.length) return options.slice();
			return options
				.map((o) => ({ o, r: rank(o, parts) }))
				.filter((x) => x.r >= 0)
				.sort((a, b) => a.r - b.r || a.o.order - b.o.order)
				.map((x) => x.o);
		}

		input.addEventListener('input', () => {
			const c = chosen();
			if (c && input.value !== c.label) {
				select.value = '';
				select.dispatchEvent(new Event('change', { bubbles: true }));
			}
			open(filter());
		});
		input.addEventListener('keydown', (e) => {
			if (e.isComposing) return;
			const isOpen = !list.hidden;
			if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
				e.preventDefault();
				if (!isOpen) {
					open(filter());
					return;
				}
				if (!shown.length) return;
				active = (active + (e.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length;
				render();
			} else if (e.key === 'Enter' && isOpen && active >= 0) {
				e.preventDefault();
				take(active);
			} else if (e.key === 'Tab' && isOpen && active >= 0 && input.value.trim()) {
				take(active);
			} else if (e.key === 'Escape') {
				if (isOpen) close();
				else {
					input.value = '';
					select.value = '';
				}
				e.preventDefault();
			}
		});
		input.addEventListener('blur', () => {
			close();
			sync(); /* a half-typed text does not stay: the field shows what is chosen */
		});
		select.form?.addEventListener('reset', () => setTimeout(sync));
		sync();
	}

	for (const s of document.querySelectorAll('select[data-picker]')) enhance(s);
})();
