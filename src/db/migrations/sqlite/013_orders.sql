-- Official orders (คำสั่ง, issue 11). Kept column-for-column identical to
-- postgresql/013_orders.sql.

-- An order of an issuing office (a district or a province). A draft is
-- edited freely; issuing gives it its number (per office, per B.E. calendar
-- year, gap-free) and from then on no column changes: a correction is a new
-- order that amends or cancels it (amends / cancels), and the register shows
-- the link both ways. status 'withdrawn': a draft dropped before issue
-- (never numbered).
CREATE TABLE orders (
	id INTEGER PRIMARY KEY,
	office_code TEXT NOT NULL REFERENCES units (code),
	kind TEXT NOT NULL CHECK (kind IN ('establishment', 'duty')),
	status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued', 'withdrawn')),
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	period TEXT NOT NULL DEFAULT '',          -- duty order: 'YYYY-MM', or '' = ตั้งแต่บัดนี้เป็นต้นไป
	annex TEXT NOT NULL DEFAULT '[]',         -- JSON [[date, name, position, duty]] (duty order)
	signer_name TEXT NOT NULL DEFAULT '',
	signer_position TEXT NOT NULL DEFAULT '',
	signer_capacity TEXT NOT NULL DEFAULT '' CHECK (signer_capacity IN ('', 'acting_for', 'acting_in')),
	signer_for TEXT NOT NULL DEFAULT '',      -- the position acted for ("นายอำเภอพรรณานิคม")
	amends INTEGER NULL REFERENCES orders (id),
	cancels INTEGER NULL REFERENCES orders (id),
	number INTEGER NULL,
	year_be INTEGER NULL,
	issued_on TEXT NULL,                      -- ISO day of "สั่ง ณ วันที่"
	issued_at INTEGER NULL,
	issued_by INTEGER NULL REFERENCES users (id),
	created_at INTEGER NOT NULL,
	created_by INTEGER NULL REFERENCES users (id),
	updated_at INTEGER NOT NULL,
	updated_by INTEGER NULL REFERENCES users (id),
	UNIQUE (office_code, year_be, number)
);
CREATE INDEX orders_office ON orders (office_code, status);

-- The next number an office gives in a B.E. year (an admin may set it to
-- continue the office's own register).
CREATE TABLE order_counters (
	office_code TEXT NOT NULL REFERENCES units (code),
	year_be INTEGER NOT NULL,
	next_number INTEGER NOT NULL CHECK (next_number >= 1),
	PRIMARY KEY (office_code, year_be)
);

-- The wording of the order bodies (Mustache): a province adapts its
-- districts' ('47'), the nation its default ('0'); none: the shipped text.
CREATE TABLE order_templates (
	unit_code TEXT NOT NULL REFERENCES units (code),
	kind TEXT NOT NULL CHECK (kind IN ('establishment', 'duty')),
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	updated_by INTEGER NULL REFERENCES users (id),
	PRIMARY KEY (unit_code, kind)
);

-- Who signs an office's orders: the district chief (or the governor), and
-- the acting-capacity lines when someone signs in their place.
CREATE TABLE order_signers (
	unit_code TEXT PRIMARY KEY REFERENCES units (code),
	name_th TEXT NOT NULL,
	position_th TEXT NOT NULL,
	capacity TEXT NOT NULL DEFAULT '' CHECK (capacity IN ('', 'acting_for', 'acting_in')),
	for_position TEXT NOT NULL DEFAULT '',
	updated_at INTEGER NOT NULL,
	updated_by INTEGER NULL REFERENCES users (id)
);
