-- Issue 10: the statistics. Kept column-for-column identical to
-- postgresql/010_stats.sql.

-- The breakdowns that rollup_visits (users per day) and rollup_services
-- (e-service and outcome per day) do not hold, per (district, period): the
-- statistics of a period read these without reading its days. The period is
-- the entry's own (visits.period). Updated in the same transaction as every
-- create, edit and void (src/db/visits.c, the PostgreSQL create statement
-- included); `osspoint check` recomputes both. WITHOUT ROWID: a period's
-- rows are read in key order without a lookup per row.
CREATE TABLE rollup_visit_attrs (
	unit_code TEXT NOT NULL,
	period TEXT NOT NULL,
	channel TEXT NOT NULL,
	sex TEXT NOT NULL,
	age_band TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (period, unit_code, channel, sex, age_band)
) WITHOUT ROWID;
INSERT INTO rollup_visit_attrs (unit_code, period, channel, sex, age_band, n)
	SELECT unit_code, period, channel, sex, age_band, COUNT(*) FROM visits WHERE status = 'active'
	GROUP BY unit_code, period, channel, sex, age_band;
CREATE TABLE rollup_period_services (
	unit_code TEXT NOT NULL,
	period TEXT NOT NULL,
	service_code TEXT NOT NULL,
	outcome TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (period, unit_code, service_code, outcome)
) WITHOUT ROWID;
INSERT INTO rollup_period_services (unit_code, period, service_code, outcome, n)
	SELECT v.unit_code, v.period, s.service_code, s.outcome, COUNT(*) FROM visit_services s
	JOIN visits v ON v.id = s.visit_id WHERE v.status = 'active'
	GROUP BY v.unit_code, v.period, s.service_code, s.outcome;

-- The national and province statistics of an open period read every
-- district's days of the period: by day first, so a range reads only them.
CREATE INDEX rollup_visits_day ON rollup_visits (day, unit_code, visits);
CREATE INDEX rollup_survey_day ON rollup_survey (day, unit_code, source, n, sum_overall);

-- A period closed for everyone (src/db/stats.c): written once, by the
-- server's closing job (after cut-off + grace days, under a database lock)
-- or by `osspoint close-period`. From then on no entry, edit or void of the
-- period is accepted (the same check as an attestation, in the write's
-- transaction) and its statistics are read from stats_snapshots.
CREATE TABLE period_closings (
	period TEXT PRIMARY KEY,              -- YYYY-MM
	cutoff_day INTEGER NOT NULL,          -- the cut-off the period was closed with
	closed_at INTEGER NOT NULL,
	closed_by INTEGER NULL REFERENCES users (id),
	how TEXT NOT NULL CHECK (how IN ('job', 'cli'))
);

-- The frozen numbers: one row per unit (national "0", provinces, districts)
-- per closed period, written in the closing's transaction. breakdown_json
-- holds {service, agency, channel, outcome, sex, age_band}: each an object
-- key → count. open_days: the days the point(s) were open (core/stats).
CREATE TABLE stats_snapshots (
	period TEXT NOT NULL,
	unit_code TEXT NOT NULL,
	users INTEGER NOT NULL,
	transactions INTEGER NOT NULL,
	survey_n INTEGER NOT NULL,
	survey_point_n INTEGER NOT NULL,
	survey_visit_n INTEGER NOT NULL,
	survey_sum INTEGER NOT NULL,
	open_days INTEGER NOT NULL,
	breakdown_json TEXT NOT NULL DEFAULT '{}',
	computed_at INTEGER NOT NULL,
	PRIMARY KEY (period, unit_code)
);

-- Who closed or recomputed what, and why (an import into a closed period
-- recomputes its snapshots and says so here).
CREATE TABLE period_closing_log (
	id INTEGER PRIMARY KEY,
	period TEXT NOT NULL,
	action TEXT NOT NULL CHECK (action IN ('close', 'recompute')),
	at INTEGER NOT NULL,
	user_id INTEGER NULL,
	actor TEXT NOT NULL DEFAULT '',       -- 'job', 'cli', 'import'
	reason TEXT NOT NULL DEFAULT '',
	units INTEGER NOT NULL DEFAULT 0,
	elapsed_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX period_closing_log_period ON period_closing_log (period, id);

-- Shared with migration 011 (h-roster owns its admin UI): the same DDL in both.
CREATE TABLE IF NOT EXISTS public_holidays (day TEXT PRIMARY KEY, name_th TEXT NOT NULL, created_by INTEGER, created_at INTEGER NOT NULL DEFAULT 0);
