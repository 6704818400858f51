/* Same-origin rules for the login (no I/O): where a login may send the
 * browser afterwards, and whether a login request comes from another site.
 *
 * Both follow what a browser does, not what a URL grammar allows: a browser
 * (WHATWG URL parser) strips tab and newline anywhere in a URL and leading or
 * trailing spaces and C0 controls, and treats '\' as '/' in http(s) URLs, so
 * "/\t/evil.example" and "/\\evil.example" are both "//evil.example", a
 * scheme-relative URL to another host. */
#ifndef OSSPOINT_CORE_ORIGIN_H
#define OSSPOINT_CORE_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>

/* Where a refused `next` sends the browser. */
#define ORIGIN_NEXT_FALLBACK "/home"
/* Longest `next` accepted, in bytes. */
#define ORIGIN_NEXT_MAX 1024
/* Size of the buffer origin_next_path writes (each byte >= 0x80 may become %XX). */
#define ORIGIN_NEXT_BUF (3 * ORIGIN_NEXT_MAX + 1)

/* Decides where a login may redirect. A `next` is accepted when it is a path
 * on this server, that is when the string as given, and each of its
 * percent-decodings (decoded again while a '%' remains, at most 3 times; a
 * fourth level still holding '%' is refused):
 *   - starts with '/' and is at most ORIGIN_NEXT_MAX bytes;
 *   - is strict UTF-8 without control characters (no byte < 0x20, no DEL, no
 *     C1, no bidirectional overrides; text_check's definition); as given, also
 *     without space (a Location holds none; "%20" is a path byte);
 *   - holds no '\' and no "//" (anywhere: also "/a//b", which is harmless but
 *     never made by osspoint);
 *   - has only well-formed escapes (every '%' followed by two hex digits).
 * So "/registry/5" and "/units/47?x=1" pass; "//evil", "/\\evil", "/\t/evil",
 * "/%09/evil", "/%2F/evil", "/%5Cevil", "/%252F%252Fevil", "https://evil",
 * "evil" and NULL do not.
 *
 * Writes to out (ORIGIN_NEXT_BUF bytes) the Location to use: the accepted
 * path with bytes >= 0x80 percent-encoded (so the header is ASCII), or
 * ORIGIN_NEXT_FALLBACK. Returns true when next was accepted. */
bool origin_next_path(const char *next, char out[ORIGIN_NEXT_BUF]);

/* Whether a POST /login must be refused as cross-site (login CSRF):
 *   - sec_fetch_site (the Sec-Fetch-Site header) is "cross-site"; or
 *   - origin (the Origin header) is present and is not this server's own:
 *     "null", malformed, or an origin (scheme, host, port; default ports
 *     80/443 filled in, host compared case-insensitively) equal neither to
 *     the origin of public_url nor, whatever its scheme (a TLS-terminating
 *     proxy forwards Host but not the scheme), to the host and port of the
 *     Host header.
 * A request with neither header (a script, curl, an older browser) is not
 * refused: the session cookie is SameSite=Lax and every later write needs the
 * CSRF token. Any argument may be NULL (absent). */
bool origin_login_cross_site(const char *origin, const char *sec_fetch_site, const char *host,
                             const char *public_url);

#endif
