#include "core/throttle.h"

#include <stdio.h>
#include <string.h>

#include "lib/netaddr.h"

void throttle_key(const char *ip, char out[THROTTLE_KEY_LEN])
{
	unsigned char a[16];
	if (ip && net_addr_parse(ip, strlen(ip), a)) {
		if (net_addr_is_v4(a)) {
			char text[NETADDR_TEXT_LEN];
			net_addr_format(a, text);
			snprintf(out, THROTTLE_KEY_LEN, "%s", text);
		} else
			snprintf(out, THROTTLE_KEY_LEN, "%x:%x:%x:%x::/64", a[0] << 8 | a[1],
			         a[2] << 8 | a[3], a[4] << 8 | a[5], a[6] << 8 | a[7]);
		return;
	}
	snprintf(out, THROTTLE_KEY_LEN, "%s", ip ? ip : "");
}

int64_t throttle_delay(const struct throttle_policy *p, int64_t fails)
{
	if (p->delay <= 0 || fails < THROTTLE_FREE_FAILS)
		return 0;
	int64_t d = p->delay;
	for (int64_t i = THROTTLE_FREE_FAILS; i < fails && d < THROTTLE_DELAY_MAX; i++)
		d *= 2;
	return d < THROTTLE_DELAY_MAX ? d : THROTTLE_DELAY_MAX;
}

int64_t throttle_account_budget(const struct throttle_policy *p)
{
	return THROTTLE_ACCOUNT_ADDRESSES * p->pair_limit;
}

static int64_t until(int64_t t, int64_t now)
{
	return t - now > 1 ? t - now : 1;
}

enum throttle_verdict throttle_check(const struct throttle_policy *p, const struct throttle_counts *c,
                                     int64_t now, int64_t *retry_after)
{
	int64_t wait = 0;
	enum throttle_verdict v = THROTTLE_ALLOW;
	int64_t d;
	if (c->pair >= p->pair_limit)
		v = THROTTLE_PAIR_LOCKED, wait = until(c->pair_first + p->window, now);
	else if (!c->known && c->account >= throttle_account_budget(p))
		v = THROTTLE_ACCOUNT_LOCKED, wait = until(c->account_first + p->window, now);
	else if (!c->known && c->address >= p->address_limit)
		v = THROTTLE_ADDRESS_LOCKED, wait = until(c->address_first + p->window, now);
	else if ((d = throttle_delay(p, c->pair)) > 0 && now < c->pair_last + d)
		v = THROTTLE_DELAYED, wait = until(c->pair_last + d, now);
	if (retry_after)
		*retry_after = wait;
	return v;
}

unsigned throttle_lockouts(const struct throttle_policy *p, const struct throttle_counts *before)
{
	unsigned m = 0;
	if (before->pair < p->pair_limit && before->pair + 1 >= p->pair_limit)
		m |= 1u << THROTTLE_PAIR_LOCKED;
	/* An address adds to the account only up to pair_limit. */
	int64_t budget = throttle_account_budget(p);
	if (before->pair < p->pair_limit && before->account < budget && before->account + 1 >= budget)
		m |= 1u << THROTTLE_ACCOUNT_LOCKED;
	if (before->address < p->address_limit && before->address + 1 >= p->address_limit)
		m |= 1u << THROTTLE_ADDRESS_LOCKED;
	return m;
}

bool throttle_account_locked(const struct throttle_policy *p, int64_t worst_pair, int64_t account)
{
	return worst_pair >= p->pair_limit || account >= throttle_account_budget(p);
}

const char *throttle_lock_name(enum throttle_verdict v)
{
	switch (v) {
	case THROTTLE_PAIR_LOCKED: return "pair";
	case THROTTLE_ACCOUNT_LOCKED: return "account";
	case THROTTLE_ADDRESS_LOCKED: return "address";
	case THROTTLE_DELAYED: return "delay";
	default: return "none";
	}
}
