/* Settings: built-in defaults < config file < environment < command-line flags.
 *
 * The config file (OSSPOINT_CONFIG or --config FILE) holds `key = value` lines;
 * '#' starts a comment. Keys are the environment names without the OSSPOINT_
 * prefix, in lower case (db, listen, root, ...). See README.md § Configuration. */
#ifndef OSSPOINT_CONFIG_H
#define OSSPOINT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct config {
	char *db;            /* OSSPOINT_DB        sqlite:var/osspoint.db */
	char *listen;        /* OSSPOINT_LISTEN    127.0.0.1:8080 */
	char *root;          /* OSSPOINT_ROOT      dir holding templates/ static/ data/ */
	char *secret_file;   /* OSSPOINT_SECRET_FILE  var/secret.key (created when missing) */
	unsigned threads;    /* OSSPOINT_THREADS   0 = 32 (libmicrohttpd's threads) */
	unsigned workers;    /* OSSPOINT_WORKERS   0 = 64 (write handlers, waiting on commits) */
	unsigned db_pool;    /* OSSPOINT_DB_POOL   0 = default */
	long session_ttl;    /* OSSPOINT_SESSION_TTL   seconds, 43200 (12 h) */
	long session_idle;   /* OSSPOINT_SESSION_IDLE  seconds, 1800 (30 min) */
	int login_max_fails; /* OSSPOINT_LOGIN_MAX_FAILS  25 per (account, address) per window */
	long login_window;   /* OSSPOINT_LOGIN_WINDOW  seconds, 900 */
	long login_delay;    /* OSSPOINT_LOGIN_DELAY  seconds, 1: first delay after 5 failures of a pair */
	int login_address_max_fails; /* OSSPOINT_LOGIN_ADDRESS_MAX_FAILS  100 per address per window */
	int cutoff_day;              /* OSSPOINT_CUTOFF_DAY   25 (1..28) */
	int grace_days;              /* OSSPOINT_GRACE_DAYS   3 */
	int retention_days; /* OSSPOINT_RETENTION_DAYS  730: personal data of older entries is erased */
	/* The survey (issue 10, docs/survey.md). */
	int survey_token_days; /* OSSPOINT_SURVEY_TOKEN_DAYS  7: a per-visit link is valid for this many days
	                        */
	int survey_point_min_seconds; /* OSSPOINT_SURVEY_POINT_MIN_SECONDS  5: the point form's minimum time
	                               */
	long survey_point_window; /* OSSPOINT_SURVEY_POINT_WINDOW  3600 s: the point QR's throttle window */
	int survey_point_per_address; /* OSSPOINT_SURVEY_POINT_PER_ADDRESS  30 responses per window per
	                                 address */
	int survey_point_per_device; /* OSSPOINT_SURVEY_POINT_PER_DEVICE  3 responses per window per device */
	/* The statistics (issue 10, docs/stats.md). */
	int rank_min_responses;  /* OSSPOINT_RANK_MIN_RESPONSES  30: satisfaction ranks need this many */
	bool close_job;          /* OSSPOINT_CLOSE_JOB  1: the server closes periods after cut-off + grace */
	long close_job_interval; /* OSSPOINT_CLOSE_JOB_INTERVAL  600 s between its looks */
	/* The manual's documents and แจ้งปัญหา (issue 11). */
	unsigned long help_doc_max;      /* OSSPOINT_HELP_DOC_MAX  15728640: a published document's bytes */
	unsigned long helpdesk_file_max; /* OSSPOINT_HELPDESK_FILE_MAX  4194304: an attachment's bytes */
	int helpdesk_files_max;          /* OSSPOINT_HELPDESK_FILES_MAX  5 attachments per message */
	int helpdesk_attachment_days;    /* OSSPOINT_HELPDESK_ATTACHMENT_DAYS  365: then purged */
	bool bangkok_in_programme;       /* OSSPOINT_BANGKOK_IN_PROGRAMME  0 */
	bool secure_cookies;             /* OSSPOINT_SECURE_COOKIES  0 (set 1 behind TLS) */
	bool access_log;                 /* OSSPOINT_ACCESS_LOG  1 */
	unsigned long max_body;          /* OSSPOINT_MAX_BODY   1048576 */
	unsigned long max_upload;        /* OSSPOINT_MAX_UPLOAD 16777216 */
	/* HTTP connections and memory (struct http_config says what each does). */
	unsigned max_connections;        /* OSSPOINT_MAX_CONNECTIONS  4096 in total */
	unsigned max_connections_per_ip; /* OSSPOINT_MAX_CONNECTIONS_PER_IP  1024 per client address */
	unsigned request_timeout;        /* OSSPOINT_REQUEST_TIMEOUT  15 s to deliver a request head */
	unsigned io_timeout;             /* OSSPOINT_IO_TIMEOUT  30 s of silence once the head is in */
	unsigned long connection_memory; /* OSSPOINT_CONNECTION_MEMORY  16384 bytes for line + headers */
	unsigned long cache_max_bytes;   /* OSSPOINT_CACHE_MAX_BYTES  8388608: page cache body bytes */
	char *public_url;                /* OSSPOINT_PUBLIC_URL  NULL = "http://" + listen (the bound port);
	                                    http(s)://host[:port][/path], no trailing '/': the base of the
	                                    URLs in QR codes, on posters and the handout */
	char *trusted_proxies;           /* OSSPOINT_TRUSTED_PROXIES  NULL = none: reverse proxies (addresses,
	                                    CIDRs) whose X-Forwarded-For gives the client address */
	char *order_emblem;              /* OSSPOINT_ORDER_EMBLEM  NULL = none: a PNG printed 3 cm high in the
	                                    emblem slot of official orders (issue 11; none is shipped) */
};

/* Fills cfg with the defaults, then the config file named by OSSPOINT_CONFIG
 * (if set), then the environment. Returns 0, or -1 with a message in err. */
int config_load(struct config *cfg, char *err, size_t errlen);
/* Applies one setting by key (file / flag name, e.g. "db", "listen").
 * Returns 0, or -1 for an unknown key or a bad value (message in err). */
int config_set(struct config *cfg, const char *key, const char *value, char *err, size_t errlen);
/* Reads a config file: each line is blank, a comment ('#' first) or
 * key = value (spaces and tabs around key and value are dropped, and a
 * trailing CR), applied with config_set in file order. A line may hold at
 * most 4096 bytes and no NUL byte. Returns 0, or -1 with "PATH:LINE: message"
 * in err at the first bad line (the lines before it stay applied). */
int config_read_file(struct config *cfg, const char *path, char *err, size_t errlen);
void config_cleanup(struct config *cfg);
/* Prints the settings table (for --help). */
void config_print_help(void);

#endif
