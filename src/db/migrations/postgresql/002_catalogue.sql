-- The e-service catalogue, seeded from data/eservices.csv (osspoint seed).
CREATE TABLE eservices (
	code TEXT PRIMARY KEY,
	name_th TEXT NOT NULL,
	name_en TEXT NOT NULL DEFAULT '',
	agency_th TEXT NOT NULL DEFAULT '',
	agency_en TEXT NOT NULL DEFAULT '',
	agency_type TEXT NOT NULL DEFAULT 'government' CHECK (agency_type IN ('government', 'state_enterprise')),
	channel TEXT NOT NULL DEFAULT 'web' CHECK (channel IN ('tangrat', 'web', 'line', 'app')),
	url TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'moving', 'retired')),
	sort_order INTEGER NOT NULL DEFAULT 0,
	updated_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX eservices_sort ON eservices (status, sort_order);
