/* Fault injection, as SQLite tests itself: a test build (cmake
 * -DOSSPOINT_FAULT=ON, which defines OSSPOINT_FAULT) in which the Nth event
 * of a kind fails, so that a sweep over N (tests/fault/) drives every failure
 * path of an operation. In every other build fault_hit() is a constant false
 * and the hooks compile to nothing.
 *
 * The kinds are the failures the code handles as errors (docs/ARCHITECTURE.md,
 * Fault injection, says why our own heap is not one of them: it aborts):
 *  - FAULT_ALLOC: an allocation by SQLite (its allocator, installed by
 *    db/sqlite_fault.c, answers NULL: SQLITE_NOMEM) or the growth of a
 *    struct buf that has a cap of its own (buf_init with max > 0: fed by a
 *    client or a renderer): buf_append & co. answer -1 and the buffer keeps
 *    what it holds as its cap, as if the cap were reached just there;
 *  - FAULT_DB_STEP: one step of a database statement, or one script (BEGIN,
 *    COMMIT, ROLLBACK...), on either driver: DB_ERROR, as an I/O error would;
 *  - FAULT_WRITE: a file write, sync or truncation: SQLite's (a VFS shim,
 *    db/sqlite_fault.c: SQLITE_IOERR_WRITE / _FSYNC / _TRUNCATE), the secret
 *    key file's (lib/crypto.c) and the XLSX export's temporary file
 *    (render/xlsx.c).
 *
 * A hook is one line where the event happens: `if (fault_hit(KIND)) fail`.
 * Events are counted per kind from fault_arm on, on every thread (the
 * group-commit writer and import jobs included) except one that called
 * fault_thread_exempt(true) (a test checking the outcome). */
#ifndef OSSPOINT_LIB_FAULT_H
#define OSSPOINT_LIB_FAULT_H

#include <stdbool.h>

enum fault_kind { FAULT_ALLOC, FAULT_DB_STEP, FAULT_WRITE, FAULT__COUNT };

#ifdef OSSPOINT_FAULT

/* Counts one event of kind k; true when it must fail: it is the nth since
 * fault_arm, or a later one and the fault is persistent. Thread-safe. */
bool fault_hit(enum fault_kind k);

/* From now on the nth event of kind k fails (1 = the first), and with
 * persistent every one after it too. Resets the counts of k. nth 0 never
 * fails but still counts (a dry run). Other kinds are left as they are. */
void fault_arm(enum fault_kind k, unsigned long nth, bool persistent);
/* No event of any kind fails any more; counts are kept. */
void fault_disarm(void);
/* Events of kind k counted since it was armed, and how many of them failed. */
unsigned long fault_events(enum fault_kind k);
unsigned long fault_injected(enum fault_kind k);
/* While on, the calling thread's events are neither counted nor failed.
 * Calls nest: each true needs its false. */
void fault_thread_exempt(bool on);
/* "alloc", "db_step", "write" */
const char *fault_kind_name(enum fault_kind k);

#else

static inline bool fault_hit(enum fault_kind k)
{
	(void)k;
	return false;
}

#endif

#endif
