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
	/* The statistics (issue 10, web/stats.c). */
	ERR_STATS_UNIT_NOT_FOUND, /* 404 no unit with this code */
	ERR_STATS_BAD_PERIOD,     /* 400 period= (YYYY-MM) or fy= (B.E. year) malformed, or both given */
	ERR_STATS_NOT_CLOSED,     /* 404 the public statistics show closed periods only */
	/* The duty roster and official orders (issue 11, web/roster.c, web/orders.c). */
	ERR_ROSTER_READ_ONLY,        /* 403 the roster is edited by its own district's admins only */
	ERR_ROSTER_PERSON_NOT_FOUND, /* 404 no such person on this district's roster */
	ERR_ROSTER_DUTY_NOT_FOUND,   /* 404 no such duty on this district's roster */
	ERR_ROSTER_DUTY_EXISTS,      /* 409 the person is already on that day's shift */
	ERR_ROSTER_PERSON_EXISTS,    /* 409 the account is already on this district's roster */
	ERR_HOLIDAY_NOT_FOUND,       /* 404 no public holiday on that day */
	ERR_HOLIDAY_LIST_INVALID,    /* 422 a line of the holiday list cannot be read */
	ERR_ORDER_NOT_FOUND,         /* 404 no such order */
	ERR_ORDER_ISSUED,       /* 409 the order is issued: it never changes (correct it by a new order) */
	ERR_ORDER_NOT_ISSUED,   /* 409 only an issued order can be cancelled or amended */
	ERR_ORDER_CANCELLED,    /* 409 the order is cancelled already */
	ERR_ORDER_NUMBER_TAKEN, /* 409 the office gave that number this year already */
	ERR_ORDER_OFFICE_ONLY,  /* 403 orders are drafted by a district's or a province's admins */
	ERR_ORDER_TEMPLATE_INVALID, /* 422 the order template cannot be read (Mustache) */
	ERR_ORDER_READ_ONLY,        /* 403 an order of another office in scope: read-only for this user */
	/* The manual, contacts and แจ้งปัญหา (issue 11 steps 7-9: web/help.c, web/contacts.c, web/helpdesk.c).
	 */
	ERR_HELP_SECTION_NOT_FOUND, /* 404 no section of the manual with this id */
	ERR_HELP_DOC_NOT_FOUND,     /* 404 no published document with this id */
	ERR_FILE_TYPE,              /* 415 the file's bytes are not of a type allowed here (sniffed) */
	ERR_FILE_TOO_LARGE,         /* 413 the file is over its setting's size limit */
	ERR_FILE_DAMAGED,           /* 422 the file does not open as what it claims (PDF, image) */
	ERR_TOO_MANY_FILES,         /* 422 more attachments than one message may carry */
	ERR_CONTACT_NOT_FOUND,      /* 404 no contact with this id */
	ERR_CHANNEL_NOT_FOUND,      /* 404 no coordination channel with this id */
	ERR_CHANNEL_LEVEL,          /* 409 channels are kept by a province or the national level */
	ERR_HELPDESK_NOT_FOUND,     /* 404 no แจ้งปัญหา thread with this id */
	ERR_HELPDESK_CLOSED,        /* 409 the thread is closed: no reply */
	ERR_HELPDESK_NOT_PARTY,   /* 403 neither the district that raised it nor the level it was raised to */
	ERR_ATTACHMENT_NOT_FOUND, /* 404 no attachment with this id in this thread */
	ERR_ATTACHMENT_PURGED,    /* 410 the attachment was erased by the retention purge */
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
