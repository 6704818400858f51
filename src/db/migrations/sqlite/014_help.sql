-- Issue 11, steps 7, 8 and 9: the built-in manual's published documents,
-- coordination channels, the contacts directory and แจ้งปัญหา (helpdesk).
-- Kept column-for-column identical to postgresql/014_help.sql.

-- Files (published documents, helpdesk attachments) live here as
-- content-hashed blobs (DESIGN.md §3), so every node shares them and a backup
-- of the database holds them. hash is the SHA-256 of the bytes (64 hex
-- digits); the bytes are cut into chunks of at most 256 KiB (blob_chunks), so
-- a file goes in and out chunk by chunk, never as one huge value.
CREATE TABLE blobs (
	hash TEXT PRIMARY KEY,
	size INTEGER NOT NULL,
	content_type TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TABLE blob_chunks (
	hash TEXT NOT NULL REFERENCES blobs (hash) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	data BLOB NOT NULL,
	PRIMARY KEY (hash, seq)
);

-- Documents a national admin publishes under /help for every point (DOPA's
-- service manual, PDF or Markdown).
CREATE TABLE help_docs (
	id INTEGER PRIMARY KEY,
	title_th TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('pdf', 'markdown')),
	blob_hash TEXT NOT NULL REFERENCES blobs (hash),
	filename TEXT NOT NULL,
	size INTEGER NOT NULL,
	pages INTEGER NOT NULL DEFAULT 0,
	published_by INTEGER NULL REFERENCES users (id),
	published_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

-- Coordination channels (step 8) of a province or the national level: a LINE
-- group or OpenChat link (shown with its QR code) and others.
CREATE TABLE coord_channels (
	id INTEGER PRIMARY KEY,
	unit_code TEXT NOT NULL REFERENCES units (code),
	kind TEXT NOT NULL CHECK (kind IN ('line_group', 'line_openchat', 'web', 'other')),
	name_th TEXT NOT NULL,
	url TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	updated_by INTEGER NULL REFERENCES users (id),
	updated_at INTEGER NOT NULL
);
CREATE INDEX coord_channels_unit ON coord_channels (unit_code);

-- The contacts directory (step 9): per unit (district office, province
-- office, DOPA's administration development group).
CREATE TABLE contacts (
	id INTEGER PRIMARY KEY,
	unit_code TEXT NOT NULL REFERENCES units (code),
	name_th TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	fax TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	seed_key TEXT NULL UNIQUE,          -- entries osspoint seed ships ('dopa-adg'), else NULL
	updated_by INTEGER NULL REFERENCES users (id),
	updated_at INTEGER NOT NULL
);
CREATE INDEX contacts_unit ON contacts (unit_code);

-- แจ้งปัญหา: a district raises a problem to its province or to DOPA.
CREATE TABLE helpdesk_threads (
	id INTEGER PRIMARY KEY,
	unit_code TEXT NOT NULL REFERENCES units (code),    -- the district that raised it
	to_unit TEXT NOT NULL REFERENCES units (code),      -- its province, or '0' (DOPA)
	subject TEXT NOT NULL,
	urgency TEXT NOT NULL CHECK (urgency IN ('normal', 'urgent', 'very_urgent', 'most_urgent')),
	status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'closed')),
	created_by INTEGER NULL REFERENCES users (id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	closed_at INTEGER NULL
);
CREATE INDEX helpdesk_threads_unit ON helpdesk_threads (unit_code, status);
CREATE INDEX helpdesk_threads_to ON helpdesk_threads (to_unit, status);
CREATE TABLE helpdesk_messages (
	id INTEGER PRIMARY KEY,
	thread_id INTEGER NOT NULL REFERENCES helpdesk_threads (id),
	author_id INTEGER NULL REFERENCES users (id),
	author_unit TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX helpdesk_messages_thread ON helpdesk_messages (thread_id, id);
-- Attachments: images (re-encoded, metadata stripped) and PDFs only; erased
-- by the retention purge (blob_hash NULL, purged_at set; the blob goes when
-- nothing else holds it).
CREATE TABLE helpdesk_attachments (
	id INTEGER PRIMARY KEY,
	message_id INTEGER NOT NULL REFERENCES helpdesk_messages (id),
	thread_id INTEGER NOT NULL REFERENCES helpdesk_threads (id),
	blob_hash TEXT NULL REFERENCES blobs (hash),
	filename TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	purged_at INTEGER NULL
);
CREATE INDEX helpdesk_attachments_thread ON helpdesk_attachments (thread_id);
CREATE INDEX helpdesk_attachments_created ON helpdesk_attachments (created_at) WHERE blob_hash IS NOT NULL;
