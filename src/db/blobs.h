/* Files in the database as content-hashed blobs (DESIGN.md §3): published
 * documents and helpdesk attachments. A blob is named by the SHA-256 of its
 * bytes (64 lowercase hex digits), stored once however many rows name it,
 * in chunks of BLOB_CHUNK bytes, and read back chunk by chunk (a streamed
 * reply holds one chunk in memory, not the file). Shared by every node and
 * kept by every backup of the database. */
#ifndef OSSPOINT_DB_BLOBS_H
#define OSSPOINT_DB_BLOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct dbc;

#define BLOB_CHUNK    (256 * 1024)
#define BLOB_HASH_LEN 65 /* 64 hex digits and the NUL */

/* The SHA-256 of data as 64 lowercase hex digits. */
void blob_hash(const void *data, size_t len, char out[BLOB_HASH_LEN]);

/* Inside a transaction: stores data under its hash (computed here, written
 * into hash) unless a blob with that hash exists already. Returns DB_OK or
 * a negative db_rc. */
int db_blob_put(struct dbc *c, const void *data, size_t len, const char *content_type, int64_t now,
                char hash[BLOB_HASH_LEN]);

/* A reader of one blob, for reply_stream: owns a copy of the hash and the
 * chunk it read last. */
struct blob_reader;
/* NULL when there is no such blob or on error (*found tells which). */
struct blob_reader *db_blob_open(struct db *db, const char *hash, uint64_t *size, bool *found);
/* Copies up to max bytes from offset pos into buf; returns how many, 0 at
 * the end, -1 on error. Usable as a reply_read_fn. */
long long db_blob_read(void *reader, uint64_t pos, char *buf, size_t max);
void db_blob_close(void *reader);

/* Inside a transaction: deletes every blob no row names (help_docs,
 * helpdesk_attachments). *removed (may be NULL) gets how many. */
int db_blobs_gc(struct dbc *c, int64_t *removed);

#endif
