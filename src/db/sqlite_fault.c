/* SQLite's allocator and a VFS shim that fail on demand (db/sqlite_fault.h). */
#include "db/sqlite_fault.h"

#ifdef OSSPOINT_FAULT

#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

#include "lib/fault.h"
#include "lib/log.h"

/* ---- the allocator: SQLite's own, with a gate ---- */

static sqlite3_mem_methods mem_real;

static void *f_malloc(int n)
{
	return fault_hit(FAULT_ALLOC) ? NULL : mem_real.xMalloc(n);
}

static void *f_realloc(void *p, int n)
{
	return fault_hit(FAULT_ALLOC) ? NULL : mem_real.xRealloc(p, n);
}

/* ---- the VFS shim: every file of the default VFS, wrapped ---- */

static sqlite3_vfs *vfs_real;
static sqlite3_vfs vfs_shim;

/* Our file; the real one follows it in the same allocation (szOsFile). */
struct ffile {
	sqlite3_file base;
	sqlite3_file *real;
};

static sqlite3_file *R(sqlite3_file *f)
{
	return ((struct ffile *)f)->real;
}

static int f_close(sqlite3_file *f)
{
	return R(f)->pMethods->xClose(R(f));
}

static int f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	return R(f)->pMethods->xRead(R(f), p, n, off);
}

static int f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	return fault_hit(FAULT_WRITE) ? SQLITE_IOERR_WRITE : R(f)->pMethods->xWrite(R(f), p, n, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return fault_hit(FAULT_WRITE) ? SQLITE_IOERR_TRUNCATE : R(f)->pMethods->xTruncate(R(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
	return fault_hit(FAULT_WRITE) ? SQLITE_IOERR_FSYNC : R(f)->pMethods->xSync(R(f), flags);
}

static int f_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return R(f)->pMethods->xFileSize(R(f), size);
}

static int f_lock(sqlite3_file *f, int level)
{
	return R(f)->pMethods->xLock(R(f), level);
}

static int f_unlock(sqlite3_file *f, int level)
{
	return R(f)->pMethods->xUnlock(R(f), level);
}

static int f_check_reserved(sqlite3_file *f, int *out)
{
	return R(f)->pMethods->xCheckReservedLock(R(f), out);
}

static int f_file_control(sqlite3_file *f, int op, void *arg)
{
	return R(f)->pMethods->xFileControl(R(f), op, arg);
}

static int f_sector_size(sqlite3_file *f)
{
	return R(f)->pMethods->xSectorSize(R(f));
}

static int f_device(sqlite3_file *f)
{
	return R(f)->pMethods->xDeviceCharacteristics(R(f));
}

static int f_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return R(f)->pMethods->xShmMap(R(f), pg, pgsz, extend, pp);
}

static int f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return R(f)->pMethods->xShmLock(R(f), off, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
	R(f)->pMethods->xShmBarrier(R(f));
}

static int f_shm_unmap(sqlite3_file *f, int del)
{
	return R(f)->pMethods->xShmUnmap(R(f), del);
}

static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	return R(f)->pMethods->xFetch(R(f), off, n, pp);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return R(f)->pMethods->xUnfetch(R(f), off, p);
}

/* One table per io_methods version, so a wrapped file offers exactly what
 * the real one does. */
#define METHODS(v)                                                                                           \
	{                                                                                                    \
		v, f_close, f_read, f_write, f_truncate, f_sync, f_file_size, f_lock, f_unlock,              \
		    f_check_reserved, f_file_control, f_sector_size, f_device, f_shm_map, f_shm_lock,        \
		    f_shm_barrier, f_shm_unmap, f_fetch, f_unfetch                                           \
	}
static const sqlite3_io_methods methods[3] = {METHODS(1), METHODS(2), METHODS(3)};

static int f_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags)
{
	(void)vfs;
	struct ffile *f = (struct ffile *)file;
	f->real = (sqlite3_file *)(f + 1);
	f->base.pMethods = NULL;
	int rc = vfs_real->xOpen(vfs_real, name, f->real, flags, out_flags);
	const sqlite3_io_methods *m = f->real->pMethods;
	if (m) {
		int v = m->iVersion < 1 ? 1 : m->iVersion > 3 ? 3 : m->iVersion;
		f->base.pMethods = &methods[v - 1];
	}
	return rc;
}

static void install(void)
{
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &mem_real) != SQLITE_OK) {
		log_bug("fault: SQLite was initialised before its allocator could be wrapped");
		return;
	}
	sqlite3_mem_methods mem = mem_real;
	mem.xMalloc = f_malloc;
	mem.xRealloc = f_realloc;
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK)
		log_bug("fault: cannot wrap SQLite's allocator");
	if (sqlite3_initialize() != SQLITE_OK || !(vfs_real = sqlite3_vfs_find(NULL))) {
		log_bug("fault: no default SQLite VFS to wrap");
		return;
	}
	/* The real VFS's other methods take the vfs argument but only read
	 * what a copy keeps (mxPathname, pAppData). */
	vfs_shim = *vfs_real;
	vfs_shim.pNext = NULL;
	vfs_shim.zName = "osspoint-fault";
	vfs_shim.szOsFile = (int)sizeof(struct ffile) + vfs_real->szOsFile;
	vfs_shim.xOpen = f_open;
	if (sqlite3_vfs_register(&vfs_shim, 1) != SQLITE_OK)
		log_bug("fault: cannot register the fault VFS");
}

void sqlite_fault_install(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, install);
}

#else

typedef int sqlite_fault_disabled;

#endif
