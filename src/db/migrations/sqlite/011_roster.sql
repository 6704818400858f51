-- The duty roster (ทะเบียนเวร) and the national list of public holidays
-- (issue 11). Kept column-for-column identical to postgresql/011_roster.sql.

-- public_holidays: created by 010 (statistics) and 011 alike, with exactly
-- this DDL, so either can land first. day: ISO, Bangkok. Kept by the
-- national admin (B.E. dates in the UI and the import).
CREATE TABLE IF NOT EXISTS public_holidays (day TEXT PRIMARY KEY, name_th TEXT NOT NULL, created_by INTEGER, created_at INTEGER NOT NULL DEFAULT 0);

-- The people who may be on duty at a district's point: staff with an
-- account (user_id) or people without one (name, position, phone). A person
-- is never deleted (history points at them); active = 0 hides them.
CREATE TABLE roster_people (
	id INTEGER PRIMARY KEY,
	unit_code TEXT NOT NULL REFERENCES units (code),
	user_id INTEGER NULL REFERENCES users (id),
	name_th TEXT NOT NULL,
	position_th TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	active INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	created_by INTEGER NULL REFERENCES users (id)
);
CREATE INDEX roster_people_unit ON roster_people (unit_code);
CREATE UNIQUE INDEX roster_people_user ON roster_people (unit_code, user_id);

-- The shifts' times of a point ('HH:MM'); a district without a row has the
-- defaults of core/roster.h.
CREATE TABLE roster_settings (
	unit_code TEXT PRIMARY KEY REFERENCES units (code),
	morning_start TEXT NOT NULL, morning_end TEXT NOT NULL,
	afternoon_start TEXT NOT NULL, afternoon_end TEXT NOT NULL,
	full_start TEXT NOT NULL, full_end TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	updated_by INTEGER NULL REFERENCES users (id)
);

-- The weekly pattern: who is on which shift on which weekday (0 = Sunday).
CREATE TABLE roster_pattern (
	unit_code TEXT NOT NULL REFERENCES units (code),
	weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
	shift TEXT NOT NULL CHECK (shift IN ('morning', 'afternoon', 'full')),
	person_id INTEGER NOT NULL REFERENCES roster_people (id),
	PRIMARY KEY (unit_code, weekday, shift, person_id)
);

-- The roster itself: one row per person, day and shift. status 'leave'
-- keeps a duty whose person is on leave (not on duty, still shown).
-- source: 'pattern' (generated) or 'manual' (added or swapped by hand).
CREATE TABLE roster_duties (
	id INTEGER PRIMARY KEY,
	unit_code TEXT NOT NULL REFERENCES units (code),
	day TEXT NOT NULL,
	shift TEXT NOT NULL CHECK (shift IN ('morning', 'afternoon', 'full')),
	person_id INTEGER NOT NULL REFERENCES roster_people (id),
	status TEXT NOT NULL DEFAULT 'on' CHECK (status IN ('on', 'leave')),
	source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('pattern', 'manual')),
	note TEXT NOT NULL DEFAULT '',
	updated_at INTEGER NOT NULL,
	updated_by INTEGER NULL REFERENCES users (id),
	UNIQUE (unit_code, day, shift, person_id)
);
CREATE INDEX roster_duties_day ON roster_duties (unit_code, day);

-- Every change of the roster: who, when, what (generate, add, remove,
-- leave, restore, swap), with the day, shift and people it touched.
CREATE TABLE roster_history (
	id INTEGER PRIMARY KEY,
	unit_code TEXT NOT NULL REFERENCES units (code),
	day TEXT NOT NULL DEFAULT '',
	shift TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	person_id INTEGER NULL REFERENCES roster_people (id),
	other_person_id INTEGER NULL REFERENCES roster_people (id),
	detail TEXT NOT NULL DEFAULT '',
	at INTEGER NOT NULL,
	user_id INTEGER NULL REFERENCES users (id)
);
CREATE INDEX roster_history_unit ON roster_history (unit_code, day);
