-- What may be derived from personal data (issue 8, docs/ARCHITECTURE.md).
-- Kept identical in sqlite/ and postgresql/.

-- Rows imported before this migration carry idempotency keys "import-" + 40
-- hex digits: an unkeyed hash over the row's cells, the clear Thai ID among
-- them. `osspoint migrate` (src/main.c) replaces each by a keyed value after
-- the SQL migrations, since that needs the server secret, which SQL cannot
-- see; every later migrate looks again (a node still on an older binary may
-- have imported meanwhile). This partial index holds exactly the
-- candidates, so looking finds nothing at no cost once they are re-keyed.
-- New keys start "import1-" (import0- for re-keyed ones): never indexed here.
CREATE INDEX visits_legacy_key ON visits (id) WHERE idempotency_key LIKE 'import-%';

-- The purge clears the reason (detail) of the 'registry.void' audit rows of
-- the entries it erases (target 'visit:<id>').
CREATE INDEX audit_log_void_target ON audit_log (target) WHERE action = 'registry.void';
