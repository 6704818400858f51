// Optional, for the registry form (templates/registry_form.mustache): Enter on
// a <select> inside a form marked data-enter-submits submits the form, as
// Enter already does in its text fields, so a duty officer can pick a service
// with the arrow keys and save at once. Without this file the form works the
// same, except that Enter on a select opens its list (Chromium on Windows and
// Linux). No inline script: loaded from /static/ (CSP script-src 'self').
document.addEventListener('keydown', (e) => {
	const t = e.target;
	if (e.key !== 'Enter' || e.isComposing || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
	if (!(t instanceof HTMLSelectElement) || !t.form || !t.form.hasAttribute('data-enter-submits')) return;
	e.preventDefault();
	if (typeof t.form.requestSubmit === 'function') t.form.requestSubmit();
	else t.form.submit();
});
