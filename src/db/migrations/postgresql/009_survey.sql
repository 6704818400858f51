-- Issue 10: the satisfaction survey. Kept column-for-column identical to
-- sqlite/009_survey.sql.
--
-- Privacy by construction (docs/survey.md): a response cannot be linked to the
-- person. It holds the district, the Bangkok day it was answered, the services
-- and channel of the visit (per-visit responses only) and how it came in; never
-- the entry's id, never a time finer than the day, and its key is random (the
-- table has no rowid on SQLite), so nothing reveals the order of insertion.
-- The entry keeps only visits.survey_answered (0/1, no time).

-- The question set, versioned: a national admin's edit makes a new version and
-- every response keeps the version it answered. items_json is an array of
-- {"key": "speed", "label_th": "…"}; the overall item (0–10, required, the
-- KPI) is always there and is not listed.
CREATE TABLE survey_question_sets (
	version INTEGER PRIMARY KEY,
	items_json TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	created_by BIGINT NULL REFERENCES users (id)
);

CREATE TABLE survey_responses (
	id TEXT PRIMARY KEY,                  -- 32 random hex digits
	unit_code TEXT NOT NULL REFERENCES units (code),
	day TEXT NOT NULL,                    -- Bangkok day answered, YYYY-MM-DD
	period TEXT NOT NULL,                 -- reporting period of day, YYYY-MM
	source TEXT NOT NULL CHECK (source IN ('visit', 'point')),   -- per-visit token or the point's QR
	mode TEXT NOT NULL CHECK (mode IN ('online', 'counter', 'paper')),
	visit_channel TEXT NOT NULL DEFAULT '',  -- the visit's channel (per-visit only)
	services TEXT NOT NULL DEFAULT '',    -- the visit's service codes, ascending, one space apart
	qset_version INTEGER NOT NULL REFERENCES survey_question_sets (version),
	overall INTEGER NOT NULL CHECK (overall BETWEEN 0 AND 10),
	answers_json TEXT NOT NULL DEFAULT '{}',  -- {"speed": 9, …}: the aspect items answered
	comment TEXT NOT NULL DEFAULT '',     -- personal data: views audited, purged on retention
	comment_purged INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX survey_responses_unit_day ON survey_responses (unit_code, day);
CREATE INDEX survey_responses_comment ON survey_responses (day) WHERE comment <> '';

-- Set in the same transaction as the response; its UPDATE … WHERE
-- survey_answered = 0 is what makes a token count once.
ALTER TABLE visits ADD COLUMN survey_answered INTEGER NOT NULL DEFAULT 0;

-- Roll-ups on write, in the response's transaction: statistics read these,
-- never survey_responses. sum_overall is the integer Σ of the overall item.
CREATE TABLE rollup_survey (
	unit_code TEXT NOT NULL,
	day TEXT NOT NULL,
	source TEXT NOT NULL,
	n BIGINT NOT NULL,
	sum_overall BIGINT NOT NULL,
	PRIMARY KEY (unit_code, day, source)
);
CREATE TABLE rollup_survey_items (
	unit_code TEXT NOT NULL,
	day TEXT NOT NULL,
	item_key TEXT NOT NULL,
	n BIGINT NOT NULL,
	sum BIGINT NOT NULL,
	PRIMARY KEY (unit_code, day, item_key)
);

-- Appended by the survey (issue 10, web/survey.c). Version 1 of the question
-- set: the default items of the issue (core/survey.c survey_qset_default
-- holds the same; tests/unit/test_survey.c compares them).
INSERT INTO survey_question_sets (version, items_json, created_at, created_by) VALUES (1,
	'[{"key":"reach","label_th":"ความสะดวกในการเดินทางมาถึงจุดให้บริการ"},{"key":"speed","label_th":"ความรวดเร็วในการให้บริการ"},{"key":"guidance","label_th":"การแนะนำและอธิบายของเจ้าหน้าที่"},{"key":"courtesy","label_th":"ความสุภาพและความเอาใจใส่ของเจ้าหน้าที่"},{"key":"outcome","label_th":"ท่านได้รับบริการตามที่ต้องการ"}]',
	0, NULL);

-- The point QR's throttle (/survey/p/{district}): one fixed window per client
-- address (kind 'address') and per device cookie (kind 'device'). key is a
-- keyed MAC (lib/crypto derived_id) of the address's throttle key or of the
-- cookie: no address or cookie is stored, and nothing here names a response.
-- Rows whose window ended are removed by the daily purge.
CREATE TABLE survey_throttle (
	kind TEXT NOT NULL CHECK (kind IN ('address', 'device')),
	key TEXT NOT NULL,
	window_start BIGINT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (kind, key)
);
