-- The public portal and the e-service catalogue (issue 4, docs/portal.md).
-- Kept column-for-column identical to postgresql/004_portal.sql.

-- Catalogue categories, seeded from data/eservice_categories.csv.
CREATE TABLE eservice_categories (
	code TEXT PRIMARY KEY,
	name_th TEXT NOT NULL,
	name_en TEXT NOT NULL DEFAULT '',
	sort_order INTEGER NOT NULL DEFAULT 0
);

-- A service's public page. category is NULL only for rows that no seed or
-- edit has touched since this migration (SQLite adds a REFERENCES column only
-- with a NULL default). version 0: never recorded in eservice_versions (rows
-- from before this migration, or written by hand); the seed or the first
-- change makes it 1 and writes the first history row.
ALTER TABLE eservices ADD COLUMN category TEXT NULL REFERENCES eservice_categories (code);
ALTER TABLE eservices ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE eservices ADD COLUMN steps TEXT NOT NULL DEFAULT '';     -- one item per line
ALTER TABLE eservices ADD COLUMN documents TEXT NOT NULL DEFAULT ''; -- one item per line
ALTER TABLE eservices ADD COLUMN fees TEXT NOT NULL DEFAULT 'ไม่มี';
ALTER TABLE eservices ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE eservices ADD COLUMN updated_by INTEGER NULL REFERENCES users (id);
CREATE INDEX eservices_category ON eservices (category);

-- Every change of a service: before/after snapshots (JSON objects of the
-- stored fields; NULL before a 'seed' of a new row or a 'create').
CREATE TABLE eservice_versions (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL REFERENCES eservices (code),
	version INTEGER NOT NULL,
	at INTEGER NOT NULL,
	user_id INTEGER NULL REFERENCES users (id),
	action TEXT NOT NULL CHECK (action IN ('seed', 'create', 'edit', 'retire', 'restore', 'reorder')),
	before_json TEXT NULL,
	after_json TEXT NULL,
	UNIQUE (code, version)
);

-- Services a district's point does not offer (the rest of the catalogue it does).
CREATE TABLE unit_hidden_services (
	unit_code TEXT NOT NULL REFERENCES units (code),
	service_code TEXT NOT NULL REFERENCES eservices (code),
	at INTEGER NOT NULL,
	user_id INTEGER NULL REFERENCES users (id),
	PRIMARY KEY (unit_code, service_code)
);

-- The public profile of a district's e-Service point. lat/lon are text
-- (validated decimals, '' when unknown) so both dialects store them alike;
-- opened_on is an ISO day or ''.
CREATE TABLE points (
	unit_code TEXT PRIMARY KEY REFERENCES units (code),
	name_th TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	lat TEXT NOT NULL DEFAULT '',
	lon TEXT NOT NULL DEFAULT '',
	hours TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	opened_on TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'temporarily_closed', 'closed', 'planned')),
	version INTEGER NOT NULL DEFAULT 1,
	updated_at INTEGER NOT NULL DEFAULT 0,
	updated_by INTEGER NULL REFERENCES users (id)
);

-- One row per status change of a point (since: the ISO day it took effect).
CREATE TABLE point_status_history (
	id INTEGER PRIMARY KEY,
	unit_code TEXT NOT NULL REFERENCES points (unit_code),
	status TEXT NOT NULL CHECK (status IN ('open', 'temporarily_closed', 'closed', 'planned')),
	since TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	at INTEGER NOT NULL,
	user_id INTEGER NULL REFERENCES users (id)
);
CREATE INDEX point_status_history_unit ON point_status_history (unit_code, id);

-- generation: +1 in the same transaction as any change of the tables above
-- (web nodes poll it to drop their page caches).
CREATE TABLE portal_meta (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	generation INTEGER NOT NULL
);
INSERT INTO portal_meta (id, generation) VALUES (1, 0);
