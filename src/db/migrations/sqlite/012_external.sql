-- Issue 10: external aggregates — the figures DOPA receives from the national
-- survey (ก.พ.ร.) per unit and period, imported by a national admin (osspoint
-- import-external, POST /stats/external). They are kept apart from osspoint's
-- own numbers (nothing here is read by the statistics or the roll-ups) and
-- always shown with their source label. Kept column-for-column identical to
-- the other dialect's 012_external.sql.

-- One row per imported file (all of its rows went in together).
CREATE TABLE external_imports (
	id INTEGER PRIMARY KEY,
	file_name TEXT NOT NULL DEFAULT '',   -- as uploaded, for the list; never parsed
	row_count INTEGER NOT NULL,
	created_by INTEGER NULL REFERENCES users (id),
	created_at INTEGER NOT NULL           -- UTC epoch seconds
);

-- The figures as the source gives them. Decimal figures are text in ASCII
-- digits exactly as given ("9.17", "91.73"), never binary floating point;
-- a figure the file leaves empty is NULL. A later import of the same unit,
-- period and source replaces the row (a corrected file from DOPA).
CREATE TABLE external_aggregates (
	unit_code TEXT NOT NULL REFERENCES units (code),
	period TEXT NOT NULL,                 -- YYYY-MM (C.E.), the reporting period
	source TEXT NOT NULL,                 -- the source label, e.g. 'ก.พ.ร. (แบบสำรวจระดับประเทศ)'
	users INTEGER NULL,                   -- ผู้มารับบริการ
	respondents INTEGER NULL,             -- ผู้ตอบแบบสำรวจ
	score_sum TEXT NULL,                  -- คะแนนรวม
	score_mean TEXT NULL,                 -- คะแนนเฉลี่ย (0–10)
	percent TEXT NULL,                    -- ร้อยละความพึงพอใจ (0–100)
	rank_pos INTEGER NULL,                -- อันดับ
	rank_of INTEGER NULL,                 -- จากทั้งหมด (units ranked)
	import_id INTEGER NOT NULL REFERENCES external_imports (id),
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (unit_code, period, source)
);
CREATE INDEX external_aggregates_period ON external_aggregates (period, unit_code);
