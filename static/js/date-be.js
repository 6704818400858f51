// Optional: beside a native date picker (input type=date with
// data-be="ID"), keeps the element ID showing the chosen day in the Buddhist
// era ("27 พ.ย. 2569"), as the server already rendered it for the value the
// page came with. Without this file the picker works the same and the text
// shows the day the page was loaded with. No inline script: loaded from
// /static/ (CSP script-src 'self').
(() => {
	const MONTHS = ['ม.ค.', 'ก.พ.', 'มี.ค.', 'เม.ย.', 'พ.ค.', 'มิ.ย.', 'ก.ค.', 'ส.ค.', 'ก.ย.', 'ต.ค.', 'พ.ย.', 'ธ.ค.'];
	// "2026-11-27" (what a date input's value always is) → "27 พ.ย. 2569".
	function be(iso) {
		const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
		if (!m) return '';
		return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${Number(m[1]) + 543}`;
	}
	function update(input) {
		const out = document.getElementById(input.dataset.be);
		if (out) out.textContent = input.value ? `(พ.ศ. ${be(input.value)})` : '';
	}
	for (const input of document.querySelectorAll('input[type="date"][data-be]')) {
		input.addEventListener('change', () => update(input));
		input.addEventListener('input', () => update(input));
	}
})();
