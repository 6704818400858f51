-- The e-Service registry (ทะเบียนผู้มาขอรับบริการแบบอิเล็กทรอนิกส์): one row per citizen helped.
-- Personal fields (visitor_name, cid_*, phone, remarks) are erased by `osspoint purge`
-- after the retention period; counts survive in the roll-ups and the rows themselves.

-- Running numbers per district per B.E. calendar year, taken inside the entry's
-- transaction so they are gap-free.
CREATE TABLE visit_counters (
	unit_code TEXT NOT NULL REFERENCES units (code),
	year_be INTEGER NOT NULL,
	last_seq INTEGER NOT NULL,
	PRIMARY KEY (unit_code, year_be)
);

CREATE TABLE visits (
	id INTEGER PRIMARY KEY,
	unit_code TEXT NOT NULL REFERENCES units (code),
	year_be INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	visited_at INTEGER NOT NULL,          -- UTC epoch seconds
	visit_day TEXT NOT NULL,              -- Bangkok day, YYYY-MM-DD
	period TEXT NOT NULL,                 -- reporting period of visit_day, YYYY-MM
	visitor_name TEXT NOT NULL DEFAULT '',
	cid_hash TEXT,                        -- keyed BLAKE2b of the Thai ID (find a returning visitor)
	cid_sealed TEXT,                      -- secretbox ciphertext of the Thai ID (reveal, audited)
	cid_last4 TEXT,                       -- last four digits (masked display)
	phone TEXT NOT NULL DEFAULT '',
	sex TEXT NOT NULL DEFAULT '' CHECK (sex IN ('', 'male', 'female', 'other')),
	age_band TEXT NOT NULL DEFAULT '' CHECK (age_band IN ('', 'under_20', '20_39', '40_59', '60_plus')),
	channel TEXT NOT NULL CHECK (channel IN ('tangrat', 'web', 'line', 'other')),
	remarks TEXT NOT NULL DEFAULT '',
	officer_id INTEGER NOT NULL REFERENCES users (id),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'void')),
	void_reason TEXT NOT NULL DEFAULT '',
	voided_at INTEGER,
	voided_by INTEGER REFERENCES users (id),
	idempotency_key TEXT,
	survey_token_hash TEXT UNIQUE,
	purged_at INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (unit_code, year_be, seq),
	UNIQUE (unit_code, idempotency_key)
);
-- The list (src/db/visits.c) reads a district newest first. With the period
-- (one month) or a time range the index gives both the range and the order,
-- so LIMIT stops after one page; the day filter is also turned into a
-- visited_at range (visit_day is the Bangkok day of visited_at).
CREATE INDEX visits_unit_period ON visits (unit_code, period, visited_at, id);
CREATE INDEX visits_unit_time ON visits (unit_code, visited_at, id);
-- Void entries are few: counted for the list's totals without reading the rest.
CREATE INDEX visits_void ON visits (unit_code, visit_day) WHERE status = 'void';
-- Partial: entries without an ID, and purged ones, are not indexed.
CREATE INDEX visits_cid ON visits (cid_hash) WHERE cid_hash IS NOT NULL;
-- What the purge has still to do; purged rows leave the index.
CREATE INDEX visits_purge ON visits (visited_at) WHERE purged_at IS NULL;

CREATE TABLE visit_services (
	visit_id INTEGER NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
	service_code TEXT NOT NULL REFERENCES eservices (code),
	outcome TEXT NOT NULL CHECK (outcome IN ('completed', 'self_completed', 'referred', 'not_completed')),
	PRIMARY KEY (visit_id, service_code)
);
CREATE INDEX visit_services_code ON visit_services (service_code);

-- Who changed what: before/after snapshots (JSON) without the clear Thai ID.
CREATE TABLE visit_history (
	id INTEGER PRIMARY KEY,
	visit_id INTEGER NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
	at INTEGER NOT NULL,
	user_id INTEGER REFERENCES users (id),
	action TEXT NOT NULL CHECK (action IN ('create', 'edit', 'void', 'purge')),
	before_json TEXT NOT NULL DEFAULT '',
	after_json TEXT NOT NULL DEFAULT ''
);
CREATE INDEX visit_history_visit ON visit_history (visit_id, id);

-- Daily roll-ups, updated in the same transaction as every entry, edit and void.
CREATE TABLE rollup_visits (
	unit_code TEXT NOT NULL,
	day TEXT NOT NULL,
	visits INTEGER NOT NULL,
	PRIMARY KEY (unit_code, day)
);
CREATE TABLE rollup_services (
	unit_code TEXT NOT NULL,
	day TEXT NOT NULL,
	service_code TEXT NOT NULL,
	outcome TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (unit_code, day, service_code, outcome)
);

-- A period is closed once attested (monthly report) or past its grace days.
CREATE TABLE period_attestations (
	unit_code TEXT NOT NULL REFERENCES units (code),
	period TEXT NOT NULL,
	attested_at INTEGER NOT NULL,
	attested_by INTEGER REFERENCES users (id),
	PRIMARY KEY (unit_code, period)
);
