-- Issue 10, speed: each district's totals per period, so a period's
-- statistics read one row per district instead of its days (rollup_visits,
-- rollup_survey) and its services. Kept column-for-column identical to
-- postgresql/015_period_totals.sql. The period is the entry's and the response's
-- own (visits.period, survey_responses.period), as for rollup_visit_attrs.
-- active_days: bit d - 1 is set when the district has an entry of the
-- period on day-of-month d (a period holds each day-of-month once), for the
-- open days (Saturdays, Sundays and holidays count when someone was served).
-- version: a random number written with every create, edit and void of the
-- district's entries of the period (0 for rows built by SQL, as below): a
-- breakdown held in memory (src/db/stats.c) is used only while it matches.
-- Updated in the same transaction as every create, edit, void and survey
-- response (src/db/visits.c, src/db/survey.c, the PostgreSQL statements
-- included); `osspoint check` recomputes it (VISIT_PERIOD_UNITS_SQL).
CREATE TABLE rollup_period_units (
	unit_code TEXT NOT NULL,
	period TEXT NOT NULL,
	users INTEGER NOT NULL DEFAULT 0,
	transactions INTEGER NOT NULL DEFAULT 0,
	survey_n INTEGER NOT NULL DEFAULT 0,
	survey_point_n INTEGER NOT NULL DEFAULT 0,
	survey_visit_n INTEGER NOT NULL DEFAULT 0,
	survey_sum INTEGER NOT NULL DEFAULT 0,
	active_days INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (period, unit_code)
) WITHOUT ROWID;
INSERT INTO rollup_period_units (unit_code, period, users, transactions, survey_n, survey_point_n,
		survey_visit_n, survey_sum, active_days)
	SELECT unit_code, period, SUM(users), SUM(transactions), SUM(survey_n), SUM(survey_point_n),
		SUM(survey_visit_n), SUM(survey_sum), SUM(active_days) FROM (
	SELECT unit_code, period, COUNT(*) AS users, 0 AS transactions, 0 AS survey_n, 0 AS survey_point_n,
		0 AS survey_visit_n, 0 AS survey_sum, 0 AS active_days FROM visits WHERE status = 'active'
		GROUP BY unit_code, period
	UNION ALL SELECT v.unit_code, v.period, 0, COUNT(*), 0, 0, 0, 0, 0 FROM visit_services s
		JOIN visits v ON v.id = s.visit_id WHERE v.status = 'active' GROUP BY v.unit_code, v.period
	UNION ALL SELECT unit_code, period, 0, 0, COUNT(*), SUM(CASE WHEN source = 'point' THEN 1 ELSE 0 END),
		SUM(CASE WHEN source = 'visit' THEN 1 ELSE 0 END), SUM(overall), 0 FROM survey_responses
		GROUP BY unit_code, period
	UNION ALL SELECT unit_code, period, 0, 0, 0, 0, 0, 0, SUM(b) FROM (SELECT DISTINCT unit_code, period,
		CAST(1 AS BIGINT) << (CAST(substr(visit_day, 9, 2) AS INTEGER) - 1) AS b FROM visits
		WHERE status = 'active') d GROUP BY unit_code, period
	) x GROUP BY unit_code, period;
