// Helpers of the issue 11 API tests (help, contacts, helpdesk): a minimal
// PDF, multipart posts with a client's session, and reading bytes back.
export const PDF = '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
  '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';

// A multipart POST with the client's session: fields {name: value}, files
// [[field, bytes, filename]].
export async function postMultipart(c, path, fields, files = [], accept = 'application/json') {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const [k, bytes, name] of files) fd.append(k, new Blob([bytes]), name);
  const res = await fetch(c.base + path, { method: 'POST', body: fd, redirect: 'manual',
    headers: { cookie: c.cookieHeader(), 'x-csrf-token': c.csrf, accept } });
  const text = await res.text();
  let json = null;
  if ((res.headers.get('content-type') || '').includes('json')) json = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, json };
}

export async function getBytes(c, path) {
  const res = await fetch(c.base + path, { headers: { cookie: c.cookieHeader() } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}
