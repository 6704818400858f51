/* The one registry of error codes (GNU Taler style).
 *
 * Every error reply, HTML page or application/problem+json, is built from this
 * table: an HTTP status, a stable slug (used as the problem "type") and a Thai
 * title. The reply names the offending field separately. */
#ifndef OSSPOINT_ERR_H
#define OSSPOINT_ERR_H

enum err {
	ERR_OK = 0,
	ERR_BAD_REQUEST,    /* 400 malformed request in general */
	ERR_BAD_JSON,       /* 400 body is not valid JSON / not an object */
	ERR_BAD_FORM,       /* 400 malformed urlencoded / multipart body */
	ERR_BAD_FIELD,      /* 400 a field has the wrong type or form */
	ERR_UNAUTHORIZED,   /* 401 login needed */
	ERR_LOGIN_FAILED,   /* 401 wrong username or password */
	ERR_CSRF,           /* 403 missing or wrong CSRF token */
	ERR_FORBIDDEN,      /* 403 outside the user's role or unit */
	ERR_NOT_FOUND,      /* 404 */
	ERR_METHOD,         /* 405 */
	ERR_NOT_ACCEPTABLE, /* 406 */
	ERR_CONFLICT,       /* 409 the request conflicts with the current state (generic) */
	ERR_TOO_LARGE,      /* 413 body over the limit */
	ERR_MEDIA_TYPE,     /* 415 unsupported Content-Type */
	ERR_INVALID,        /* 422 validation failed (list of field errors) */
	ERR_THROTTLED,      /* 429 too many attempts */
	ERR_INTERNAL,       /* 500 our bug */
	ERR_UNAVAILABLE,    /* 503 database down / shutting down */
	/* One code per failure (not per status): what the user reads must fit
	 * what happened. Listed with their problem types in docs/API.md. */
	ERR_OUT_OF_SCOPE,     /* 403 the unit (or the entry's unit) is outside the user's scope */
	ERR_DISTRICT_ONLY,    /* 403 only a district's own staff do this (registry entry, import) */
	ERR_NOT_OWN_DISTRICT, /* 403 an entry of another district in scope: read-only for this user */
	ERR_ENTRY_NOT_FOUND,  /* 404 no registry entry with this id */
	ERR_NO_CID,           /* 404 the entry has no Thai ID to reveal */
	ERR_PERIOD_CLOSED,    /* 409 the entry's period is closed (cut-off + grace passed, or attested) */
	ERR_ALREADY_VOID,     /* 409 the entry was voided: no edit, void or reveal */
	ERR_PURGED,           /* 409 the entry's personal data was purged (retention): no edit */
	ERR_VERSION_CONFLICT, /* 409 it changed since the client read it (optimistic lock) */
	ERR_DUPLICATE,        /* 409 the same thing exists already */
	ERR_BAD_DATE,         /* 400 a date outside the supported range or malformed */
	ERR_LOGIN_CROSS_SITE, /* 403 POST /login from another site (login CSRF) */
	ERR_LOGIN_LOCKED,     /* 429 too many wrong passwords: the login is locked for a while */
	/* The survey (issue 10, web/survey.c). */
	ERR_SURVEY_NOT_FOUND,       /* 404 no such per-visit survey (unknown or forged token) */
	ERR_SURVEY_USED,            /* 409 the entry's survey was answered already (a token counts once) */
	ERR_SURVEY_EXPIRED,         /* 410 the per-visit link's days are over (survey_token_days) */
	ERR_SURVEY_POINT_NOT_FOUND, /* 404 no point survey for this district */
	ERR_SURVEY_TOO_FAST,        /* 422 the point form was sent sooner than its minimum time */
	ERR_SURVEY_FORM_STALE,      /* 400 the point form's stamp is old, forged or of another device */
	ERR_SURVEY_HONEYPOT,        /* 422 the field people leave empty was filled in (a robot) */
	ERR_SURVEY_ADDRESS_LIMIT,   /* 429 the point QR's responses from this address are used up */
	ERR_SURVEY_DEVICE_LIMIT,    /* 429 the point QR's responses from this device are used up */
	/* Table exports and external aggregates (issue 10, h-charts: render/table.h,
	 * web/table_export.h, web/external.c). */
	ERR_TABLE_NOT_FOUND,  /* 404 ?table= names no table of this page */
	ERR_EXPORT_FORMAT,    /* 400 ?format= is neither csv nor xlsx */
	ERR_EXTERNAL_FILE,    /* 400 the upload is not a readable CSV or XLSX file, or has no header */
	ERR_EXTERNAL_INVALID, /* 422 rows of the external figures are wrong (errors name row and column;
	                       * a unit, period and source twice in the file is such an error) */
	ERR__COUNT
};

struct err_info {
	enum err code;
	int status;
	const char *slug;  /* e.g. "bad-json"; the problem type is "/problems/" + slug */
	const char *title; /* Thai, e.g. "ข้อมูล JSON ไม่ถูกต้อง" */
};

/* Never NULL: unknown codes map to ERR_INTERNAL. */
const struct err_info *err_info(enum err code);
/* The code whose slug is s, or ERR__COUNT when none (tests, docs). */
enum err err_from_slug(const char *s);

#endif
