/* Login throttling rules (no I/O): who may try a password now.
 *
 * Failed logins are counted within a window (login_window) per pair
 * (account, address), per account over all addresses, and per address over
 * all accounts. "Address" is the throttle key of the client address
 * (throttle_key: IPv4 as is, IPv6 by its /64, which one host usually owns
 * whole).
 *
 *   - Pair: the first THROTTLE_FREE_FAILS failures are answered at once; from
 *     then on each attempt waits a delay after the pair's last failure that
 *     doubles with every failure (login_delay, 2×, 4× ..., at most
 *     THROTTLE_DELAY_MAX seconds). At pair_limit failures (login_max_fails,
 *     25) the pair is locked until its oldest failure leaves the window (or
 *     an admin unlocks the account). Another address, or another account
 *     from the same address, is not affected.
 *   - Account: the failures of all addresses, each address counting at most
 *     pair_limit, lock the account at THROTTLE_ACCOUNT_ADDRESSES × pair_limit
 *     (100): so one address can never lock an account for everyone; it takes
 *     at least four addresses that each used up their own budget.
 *   - Address: address_limit failures (login_address_max_fails, 100) over all
 *     accounts lock the address (password spraying). Behind a NAT many staff
 *     share one address, so the ceiling is high, and:
 *   - Known pairs: an (account, address) that logged in successfully within
 *     THROTTLE_KNOWN_DAYS is held by neither the account nor the address
 *     lock (the account's owner keeps working from the usual office while
 *     someone elsewhere attacks it); its own pair rules still apply.
 *
 * Attempts refused by these rules are not counted (the password is not even
 * checked). */
#ifndef OSSPOINT_CORE_THROTTLE_H
#define OSSPOINT_CORE_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define THROTTLE_FREE_FAILS        5
#define THROTTLE_DELAY_MAX         60 /* seconds */
#define THROTTLE_ACCOUNT_ADDRESSES 4
#define THROTTLE_KNOWN_DAYS        30
/* Size of a throttle key: an IPv6 /64 as "xxxx:xxxx:xxxx:xxxx::/64". */
#define THROTTLE_KEY_LEN 48

struct throttle_policy {
	int64_t window;        /* seconds over which failures count (login_window) */
	int64_t pair_limit;    /* failures that lock a pair (login_max_fails) */
	int64_t address_limit; /* failures that lock an address (login_address_max_fails) */
	int64_t delay;         /* first delay in seconds (login_delay); 0 = no delays */
};

/* What the database holds for one attempt, counted over the window before it. */
struct throttle_counts {
	int64_t pair;          /* failures of this (account, address) */
	int64_t pair_first;    /* time of the oldest of them, 0 when none */
	int64_t pair_last;     /* time of the newest, 0 when none */
	int64_t account;       /* failures of the account, each address counting at most pair_limit */
	int64_t account_first; /* time of the oldest, 0 when none */
	int64_t address;       /* failures from the address, all accounts */
	int64_t address_first; /* time of the oldest, 0 when none */
	bool known;            /* the pair logged in successfully within THROTTLE_KNOWN_DAYS */
};

enum throttle_verdict {
	THROTTLE_ALLOW = 0,
	THROTTLE_DELAYED,        /* wait, then try again */
	THROTTLE_PAIR_LOCKED,    /* this account from this address */
	THROTTLE_ACCOUNT_LOCKED, /* this account from unknown addresses */
	THROTTLE_ADDRESS_LOCKED, /* unknown pairs from this address */
};

/* The key failures are counted under for a client address as text
 * ("203.0.113.7", "2001:db8::1"): IPv4 (also IPv4-mapped IPv6) as the
 * address, IPv6 as its /64 ("2001:db8:0:0::/64"); text that is no address is
 * copied as is (cut to fit). Writes a NUL-terminated key to out. */
void throttle_key(const char *ip, char out[THROTTLE_KEY_LEN]);

/* Seconds a pair with `fails` failures waits after its last one: 0 below
 * THROTTLE_FREE_FAILS or without delays, else delay × 2^(fails − FREE), at
 * most THROTTLE_DELAY_MAX. */
int64_t throttle_delay(const struct throttle_policy *p, int64_t fails);

/* The account budget: THROTTLE_ACCOUNT_ADDRESSES × pair_limit. */
int64_t throttle_account_budget(const struct throttle_policy *p);

/* Whether an attempt at `now` may check its password. Checked in this order:
 * pair lock, account lock and address lock (both skipped for a known pair),
 * delay. When refused, *retry_after (may be NULL) gets the seconds until the
 * verdict may change (at least 1): for a lock, until its oldest failure
 * leaves the window; for a delay, until it has passed. */
enum throttle_verdict throttle_check(const struct throttle_policy *p, const struct throttle_counts *c,
                                     int64_t now, int64_t *retry_after);

/* The locks that one more failure starts, given the counts before it: a
 * bitmask of 1u << THROTTLE_PAIR_LOCKED, ..._ACCOUNT_LOCKED, ..._ADDRESS_LOCKED
 * (each reported once, by the failure that reaches its limit). */
unsigned throttle_lockouts(const struct throttle_policy *p, const struct throttle_counts *before);

/* Whether an account shows as locked on the users page: its worst pair has
 * reached pair_limit, or its (capped) failures the account budget. */
bool throttle_account_locked(const struct throttle_policy *p, int64_t worst_pair, int64_t account);

/* English word for logs and audit details: "pair", "account", "address". */
const char *throttle_lock_name(enum throttle_verdict v);

#endif
