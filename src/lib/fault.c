/* Fault injection (lib/fault.h): compiled to nothing unless OSSPOINT_FAULT. */
#include "lib/fault.h"

#ifdef OSSPOINT_FAULT

#include <stdatomic.h>

#include "lib/log.h"

struct fault_state {
	atomic_bool armed;
	atomic_bool persistent;
	atomic_ulong nth;
	atomic_ulong events;
	atomic_ulong injected;
};

static struct fault_state faults[FAULT__COUNT];
static _Thread_local unsigned exempt; /* nesting depth */

bool fault_hit(enum fault_kind k)
{
	struct fault_state *f = &faults[k];
	if (!atomic_load(&f->armed) || exempt)
		return false;
	unsigned long n = atomic_fetch_add(&f->events, 1) + 1;
	unsigned long nth = atomic_load(&f->nth);
	if (nth == 0 || n < nth || (n > nth && !atomic_load(&f->persistent)))
		return false;
	atomic_fetch_add(&f->injected, 1);
	if (n == nth)
		log_info("fault: injected %s failure at event %lu%s", fault_kind_name(k), n,
		         atomic_load(&f->persistent) ? " (and every later one)" : "");
	return true;
}

void fault_arm(enum fault_kind k, unsigned long nth, bool persistent)
{
	struct fault_state *f = &faults[k];
	atomic_store(&f->armed, false);
	atomic_store(&f->events, 0);
	atomic_store(&f->injected, 0);
	atomic_store(&f->nth, nth);
	atomic_store(&f->persistent, persistent);
	atomic_store(&f->armed, true);
}

void fault_disarm(void)
{
	for (int k = 0; k < FAULT__COUNT; k++)
		atomic_store(&faults[k].armed, false);
}

unsigned long fault_events(enum fault_kind k)
{
	return atomic_load(&faults[k].events);
}

unsigned long fault_injected(enum fault_kind k)
{
	return atomic_load(&faults[k].injected);
}

void fault_thread_exempt(bool on)
{
	if (on)
		exempt++;
	else if (exempt)
		exempt--;
}

const char *fault_kind_name(enum fault_kind k)
{
	static const char *const names[FAULT__COUNT] = {"alloc", "db_step", "write"};
	return k < FAULT__COUNT ? names[k] : "?";
}

#else

/* ISO C wants a translation unit to declare something. */
typedef int fault_disabled;

#endif
