-- Issue 8: optimistic locking of registry entries. version starts at 1 and
-- grows by one with every change (edit, void, purge); an edit or void that
-- names the version it read is refused (409 version-conflict) when the entry
-- changed since.
ALTER TABLE visits ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- A district admin's home lists the entries edited or voided today.
CREATE INDEX visits_unit_updated ON visits (unit_code, updated_at);
