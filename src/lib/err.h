/* The one registry of error codes (GNU Taler style).
 *
 * Every error reply, HTML page or application/problem+json, is built from this
 * table: an HTTP status, a stable slug (used as the problem "type") and a Thai
 * title. The reply names the offending field separately. */
#ifndef OSSPOINT_ERR_H
#define OSSPOINT_ERR_H

enum err {
	ERR_OK = 0,
	ERR_BAD_REQUEST,      /* 400 malformed request in general */
	ERR_BAD_JSON,         /* 400 body is not valid JSON / not an object */
	ERR_BAD_FORM,         /* 400 malformed urlencoded / multipart body */
	ERR_BAD_FIELD,        /* 400 a field has the wrong type or form */
	ERR_UNAUTHORIZED,     /* 401 login needed */
	ERR_LOGIN_FAILED,     /* 401 wrong username or password */
	ERR_CSRF,             /* 403 missing or wrong CSRF token */
	ERR_FORBIDDEN,        /* 403 outside the user's role or unit */
	ERR_NOT_FOUND,        /* 404 */
	ERR_METHOD,           /* 405 */
	ERR_NOT_ACCEPTABLE,   /* 406 */
	ERR_CONFLICT,         /* 409 duplicate */
	ERR_TOO_LARGE,        /* 413 body over the limit */
	ERR_MEDIA_TYPE,       /* 415 unsupported Content-Type */
	ERR_INVALID,          /* 422 validation failed (list of field errors) */
	ERR_THROTTLED,        /* 429 too many attempts */
	ERR_INTERNAL,         /* 500 our bug */
	ERR_UNAVAILABLE,      /* 503 database down / shutting down */
	ERR_LOGIN_CROSS_SITE, /* 403 POST /login from another site (login CSRF) */
	ERR_LOGIN_LOCKED,     /* 429 too many wrong passwords: the login is locked for a while */
	ERR__COUNT
};

struct err_info {
	enum err code;
	int status;
	const char *slug;  /* e.g. "bad-json" */
	const char *title; /* Thai, e.g. "ข้อมูล JSON ไม่ถูกต้อง" */
};

/* Never NULL: unknown codes map to ERR_INTERNAL. */
const struct err_info *err_info(enum err code);

#endif
