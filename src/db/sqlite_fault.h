/* SQLite's side of the fault-injection build (lib/fault.h): in a build with
 * OSSPOINT_FAULT, sqlite_fault_install() (called by the driver before it
 * opens its first connection; later calls do nothing) makes SQLite allocate
 * through a wrapper that fails on FAULT_ALLOC, and makes the default VFS a
 * shim over the real one whose xWrite, xSync and xTruncate fail on
 * FAULT_WRITE (SQLITE_IOERR_WRITE, _FSYNC, _TRUNCATE), as a full or failing
 * disk would. Nothing fails until a test arms a fault. In other builds the
 * call is empty. Internal to src/db. */
#ifndef OSSPOINT_DB_SQLITE_FAULT_H
#define OSSPOINT_DB_SQLITE_FAULT_H

#ifdef OSSPOINT_FAULT
void sqlite_fault_install(void);
#else
static inline void sqlite_fault_install(void)
{
}
#endif

#endif
