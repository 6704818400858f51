/* Content-hashed blobs (db/blobs.h). */
#include "db/blobs.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "lib/xalloc.h"

void blob_hash(const void *data, size_t len, char out[BLOB_HASH_LEN])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, BLOB_HASH_LEN, h, sizeof h);
}

int db_blob_put(struct dbc *c, const void *data, size_t len, const char *content_type, int64_t now,
                char hash[BLOB_HASH_LEN])
{
	blob_hash(data, len, hash);
	int64_t have = 0;
	int rc = db_query_int(c, &have, "SELECT COUNT(*) AS n FROM blobs WHERE hash = ?", "t", hash);
	if (rc < 0)
		return rc;
	if (have > 0)
		return DB_OK;
	rc = db_exec(c, "INSERT INTO blobs (hash, size, content_type, created_at) VALUES (?, ?, ?, ?)",
	             "titi", hash, (int64_t)len, content_type, now);
	if (rc < 0)
		return rc;
	const unsigned char *p = data;
	for (size_t off = 0, seq = 0; off < len || (len == 0 && seq == 0); seq++) {
		size_t n = len - off < BLOB_CHUNK ? len - off : BLOB_CHUNK;
		struct db_stmt *st =
		    db_prepare(c, "INSERT INTO blob_chunks (hash, seq, data) VALUES (?, ?, ?)");
		if (!st)
			return DB_ERROR;
		db_bind_text(st, 1, hash);
		db_bind_int(st, 2, (int64_t)seq);
		db_bind_blob(st, 3, p + off, n);
		rc = db_step(st);
		db_finish(st);
		if (rc != DB_DONE)
			return rc < 0 ? rc : DB_ERROR;
		off += n;
		if (len == 0)
			break;
	}
	return DB_OK;
}

struct blob_reader {
	struct db *db;
	char hash[BLOB_HASH_LEN];
	uint64_t size;
	int64_t seq; /* of the chunk held, -1 = none */
	unsigned char *chunk;
	size_t chunk_len;
};

struct open_arg {
	const char *hash;
	int64_t size;
	bool found;
};

static int open_fn(struct dbc *c, void *arg)
{
	struct open_arg *a = arg;
	int rc = db_query_int(c, &a->size, "SELECT size FROM blobs WHERE hash = ?", "t", a->hash);
	a->found = rc == DB_ROW;
	return rc < 0 ? rc : DB_OK;
}

struct blob_reader *db_blob_open(struct db *db, const char *hash, uint64_t *size, bool *found)
{
	*found = false;
	if (!hash || strlen(hash) != BLOB_HASH_LEN - 1)
		return NULL;
	struct open_arg a = {hash, 0, false};
	if (db_read(db, open_fn, &a) != DB_OK)
		return NULL;
	*found = a.found;
	if (!a.found)
		return NULL;
	struct blob_reader *br = xcalloc(1, sizeof *br);
	br->db = db;
	memcpy(br->hash, hash, BLOB_HASH_LEN);
	br->size = (uint64_t)a.size;
	br->seq = -1;
	*size = br->size;
	return br;
}

struct chunk_arg {
	struct blob_reader *br;
	int64_t seq;
};

static int chunk_fn(struct dbc *c, void *arg)
{
	struct chunk_arg *a = arg;
	struct db_stmt *st = db_prepare(c, "SELECT data FROM blob_chunks WHERE hash = ? AND seq = ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, a->br->hash);
	db_bind_int(st, 2, a->seq);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		size_t n = 0;
		const void *p = db_col_blob(st, 0, &n);
		free(a->br->chunk);
		a->br->chunk = xmalloc(n ? n : 1);
		memcpy(a->br->chunk, p, n);
		a->br->chunk_len = n;
		a->br->seq = a->seq;
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_NOT_FOUND;
	}
	db_finish(st);
	return rc;
}

long long db_blob_read(void *reader, uint64_t pos, char *buf, size_t max)
{
	struct blob_reader *br = reader;
	if (pos >= br->size)
		return 0;
	int64_t seq = (int64_t)(pos / BLOB_CHUNK);
	if (br->seq != seq) {
		struct chunk_arg a = {br, seq};
		if (db_read(br->db, chunk_fn, &a) != DB_OK)
			return -1;
	}
	size_t off = (size_t)(pos % BLOB_CHUNK);
	if (off >= br->chunk_len)
		return -1;
	size_t n = br->chunk_len - off;
	if (n > max)
		n = max;
	memcpy(buf, br->chunk + off, n);
	return (long long)n;
}

void db_blob_close(void *reader)
{
	struct blob_reader *br = reader;
	if (!br)
		return;
	free(br->chunk);
	free(br);
}

int db_blobs_gc(struct dbc *c, int64_t *removed)
{
	const char *orphans =
	    "FROM blobs WHERE NOT EXISTS (SELECT 1 FROM help_docs d WHERE d.blob_hash = blobs.hash)"
	    " AND NOT EXISTS (SELECT 1 FROM helpdesk_attachments a WHERE a.blob_hash = blobs.hash)";
	char sql[512];
	snprintf(sql, sizeof sql, "DELETE FROM blob_chunks WHERE hash IN (SELECT hash %s)", orphans);
	int rc = db_exec(c, sql, "");
	if (rc < 0)
		return rc;
	int64_t n = 0;
	snprintf(sql, sizeof sql, "SELECT COUNT(*) AS n %s", orphans);
	rc = db_query_int(c, &n, sql, "");
	if (rc < 0)
		return rc;
	snprintf(sql, sizeof sql, "DELETE %s", orphans);
	rc = db_exec(c, sql, "");
	if (rc < 0)
		return rc;
	if (removed)
		*removed = n;
	return DB_OK;
}
