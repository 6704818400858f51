-- Foundation: administrative units, staff accounts, sessions, login
-- throttling, audit trail, settings. Kept column-for-column identical to
-- postgresql/001_foundation.sql: booleans are INTEGER 0/1, times INTEGER UTC
-- epoch seconds, days ISO 'YYYY-MM-DD' text.

-- DOPA geocodes: '0' national, 2 digits province, 4 digits district.
CREATE TABLE units (
	code TEXT PRIMARY KEY,
	parent_code TEXT NULL REFERENCES units (code),
	level INTEGER NOT NULL CHECK (level IN (0, 1, 2)),
	name_th TEXT NOT NULL,
	name_en TEXT NOT NULL DEFAULT '',
	region_th TEXT NOT NULL DEFAULT '',
	in_programme INTEGER NOT NULL DEFAULT 1 CHECK (in_programme IN (0, 1)),
	updated_at INTEGER
);
CREATE INDEX units_parent ON units (parent_code);

-- The days a unit's service point was open: one row per interval, closed_on
-- NULL while it is still open.
CREATE TABLE unit_intervals (
	id INTEGER PRIMARY KEY,
	unit_code TEXT NOT NULL REFERENCES units (code),
	opened_on TEXT NOT NULL,
	closed_on TEXT NULL,
	CHECK (closed_on IS NULL OR closed_on >= opened_on)
);
CREATE INDEX unit_intervals_unit ON unit_intervals (unit_code, opened_on);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL CHECK (role IN ('officer', 'district_admin', 'province_admin', 'national_admin')),
	unit_code TEXT NOT NULL REFERENCES units (code),
	password_hash TEXT NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX users_unit ON users (unit_code);

-- token_hash: the session cookie is never stored, only its hash.
CREATE TABLE sessions (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_attempts (
	id INTEGER PRIMARY KEY,
	username TEXT NOT NULL,
	ip TEXT NOT NULL,
	at INTEGER NOT NULL,
	ok INTEGER NOT NULL CHECK (ok IN (0, 1))
);
CREATE INDEX login_attempts_user ON login_attempts (username, at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

-- user_id is not a foreign key: the trail outlives the accounts it names.
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	user_id INTEGER NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
