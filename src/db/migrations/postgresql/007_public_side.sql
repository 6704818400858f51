-- The public side, issue 9 items 13, 15 and 16 (docs/portal.md).
-- Kept column-for-column identical to sqlite/007_public_side.sql.

-- The area a service serves: the whole country ('all'), only the listed
-- provinces ('only') or every province but the listed ones ('except').
-- area_provinces: two-digit province codes, ascending, separated by one
-- space ('' for 'all'). A point is offered the services of its province's
-- area (then its hidden list applies). Rows keep 'all' until the seed (for
-- services nobody changed) or an admin sets their area.
ALTER TABLE eservices ADD COLUMN area TEXT NOT NULL DEFAULT 'all' CHECK (area IN ('all', 'only', 'except'));
ALTER TABLE eservices ADD COLUMN area_provinces TEXT NOT NULL DEFAULT '';

-- A point's status changes saved ahead of the day they take effect (since,
-- an ISO day after the day they were saved). Shown on the point page until
-- then; on that day (Asia/Bangkok) the server applies them: points.status
-- changes, a point_status_history row is written (the same since, note and
-- user) and the row here goes, in one transaction that moves the portal
-- generation.
CREATE TABLE point_status_scheduled (
	unit_code TEXT NOT NULL REFERENCES points (unit_code),
	since TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'temporarily_closed', 'closed', 'planned')),
	note TEXT NOT NULL DEFAULT '',
	at BIGINT NOT NULL,
	user_id BIGINT NULL REFERENCES users (id),
	PRIMARY KEY (unit_code, since)
);
CREATE INDEX point_status_scheduled_since ON point_status_scheduled (since);

-- Search vocabulary that admins edit (seeded from data/search_synonyms.csv):
-- an everyday word for a term of the catalogue (พาสปอร์ต = หนังสือเดินทาง:
-- a service whose text holds the term is found by the word), and everyday
-- phrasings of what a service is for (โดนเลิกจ้าง → dlpw_labour_complaint).
CREATE TABLE search_synonyms (
	word TEXT NOT NULL,
	term TEXT NOT NULL,
	PRIMARY KEY (word, term)
);
CREATE TABLE search_phrases (
	phrase TEXT NOT NULL,
	service_code TEXT NOT NULL REFERENCES eservices (code),
	PRIMARY KEY (phrase, service_code)
);
CREATE INDEX search_phrases_service ON search_phrases (service_code);
-- When a person last saved the vocabulary (NULL: never): from then on the
-- seed leaves it alone, as it leaves services a person changed.
ALTER TABLE portal_meta ADD COLUMN search_edited_at BIGINT NULL;
ALTER TABLE portal_meta ADD COLUMN search_edited_by BIGINT NULL REFERENCES users (id);
