/* Unit tests for src/core/throttle.c (login throttling rules) and
 * src/lib/netaddr.c (the addresses and prefixes of trusted_proxies). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/throttle.h"
#include "lib/netaddr.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct throttle_policy defaults = {
    .window = 900, .pair_limit = 25, .address_limit = 100, .delay = 1};

static void test_delay_grows_and_caps(void **state)
{
	static const int64_t want[] = {0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60};
	for (size_t f = 0; f < N(want); f++)
		assert_int_equal(throttle_delay(&defaults, (int64_t)f), want[f]);
	assert_int_equal(throttle_delay(&defaults, 1000000), THROTTLE_DELAY_MAX);
	struct throttle_policy none = defaults;
	none.delay = 0;
	assert_int_equal(throttle_delay(&none, 24), 0);
	struct throttle_policy slow = defaults;
	slow.delay = 20;
	assert_int_equal(throttle_delay(&slow, 5), 20);
	assert_int_equal(throttle_delay(&slow, 6), 40);
	assert_int_equal(throttle_delay(&slow, 7), 60);
}

static void test_free_failures_then_delay(void **state)
{
	int64_t now = 1000000, retry = -1;
	struct throttle_counts c = {0};
	assert_int_equal(throttle_check(&defaults, &c, now, &retry), THROTTLE_ALLOW);
	assert_int_equal(retry, 0);
	c.pair = 4, c.pair_first = now - 10, c.pair_last = now;
	assert_int_equal(throttle_check(&defaults, &c, now, NULL), THROTTLE_ALLOW);
	c.pair = 8; /* 8 s after the 8th failure */
	assert_int_equal(throttle_check(&defaults, &c, now + 7, &retry), THROTTLE_DELAYED);
	assert_int_equal(retry, 1);
	assert_int_equal(throttle_check(&defaults, &c, now + 3, &retry), THROTTLE_DELAYED);
	assert_int_equal(retry, 5);
	assert_int_equal(throttle_check(&defaults, &c, now + 8, &retry), THROTTLE_ALLOW);
	/* A known pair waits too: delays are per pair. */
	c.known = true;
	assert_int_equal(throttle_check(&defaults, &c, now + 1, NULL), THROTTLE_DELAYED);
}

static void test_pair_lock_at_limit(void **state)
{
	int64_t now = 1000000, retry = 0;
	struct throttle_counts c = {.pair = 24,
	                            .pair_first = now - 800,
	                            .pair_last = now - 100,
	                            .account = 24,
	                            .account_first = now - 800,
	                            .address = 24,
	                            .address_first = now - 800};
	assert_int_equal(throttle_check(&defaults, &c, now, NULL), THROTTLE_ALLOW);
	/* the 25th failure locks the pair, and says so once */
	assert_int_equal(throttle_lockouts(&defaults, &c), 1u << THROTTLE_PAIR_LOCKED);
	c.pair = c.account = c.address = 25;
	assert_int_equal(throttle_lockouts(&defaults, &c), 0);
	assert_int_equal(throttle_check(&defaults, &c, now, &retry), THROTTLE_PAIR_LOCKED);
	assert_int_equal(retry, 100); /* until the oldest failure leaves the window */
	c.known = true;               /* a known pair has no way around its own lock */
	assert_int_equal(throttle_check(&defaults, &c, now, NULL), THROTTLE_PAIR_LOCKED);
	/* the same account from another address: its own pair is clean */
	struct throttle_counts other = {.account = 25, .account_first = now - 800, .address = 0};
	assert_int_equal(throttle_check(&defaults, &other, now, NULL), THROTTLE_ALLOW);
	/* another account from the same address */
	struct throttle_counts same_addr = {.address = 25, .address_first = now - 800};
	assert_int_equal(throttle_check(&defaults, &same_addr, now, NULL), THROTTLE_ALLOW);
}

static void test_account_budget_needs_four_addresses(void **state)
{
	int64_t now = 1000000, retry = 0;
	assert_int_equal(throttle_account_budget(&defaults), 100);
	/* three addresses used up their budgets (75), a fourth at 24: its 25th
	 * failure locks its pair and the account */
	struct throttle_counts c = {.pair = 24,
	                            .pair_last = now - 500,
	                            .pair_first = now - 600,
	                            .account = 99,
	                            .account_first = now - 850,
	                            .address = 24,
	                            .address_first = now - 600};
	assert_int_equal(throttle_lockouts(&defaults, &c),
	                 (1u << THROTTLE_PAIR_LOCKED) | (1u << THROTTLE_ACCOUNT_LOCKED));
	/* a locked pair adds nothing to the account (capped at pair_limit) */
	c.pair = 25, c.account = 99;
	assert_int_equal(throttle_lockouts(&defaults, &c), 0);
	/* a fifth, unknown address is refused; a known one is not */
	struct throttle_counts fifth = {.account = 100, .account_first = now - 850};
	assert_int_equal(throttle_check(&defaults, &fifth, now, &retry), THROTTLE_ACCOUNT_LOCKED);
	assert_int_equal(retry, 50);
	fifth.known = true;
	assert_int_equal(throttle_check(&defaults, &fifth, now, NULL), THROTTLE_ALLOW);
	assert_true(throttle_account_locked(&defaults, 25, 25));
	assert_true(throttle_account_locked(&defaults, 10, 100));
	assert_false(throttle_account_locked(&defaults, 24, 99));
}

static void test_address_ceiling(void **state)
{
	int64_t now = 1000000, retry = 0;
	struct throttle_counts c = {.address = 99, .address_first = now - 899};
	assert_int_equal(throttle_check(&defaults, &c, now, NULL), THROTTLE_ALLOW);
	assert_int_equal(throttle_lockouts(&defaults, &c), 1u << THROTTLE_ADDRESS_LOCKED);
	c.address = 100;
	assert_int_equal(throttle_check(&defaults, &c, now, &retry), THROTTLE_ADDRESS_LOCKED);
	assert_int_equal(retry, 1);
	c.known = true; /* staff who logged in from this NAT before keep working */
	assert_int_equal(throttle_check(&defaults, &c, now, NULL), THROTTLE_ALLOW);
	assert_string_equal(throttle_lock_name(THROTTLE_ADDRESS_LOCKED), "address");
	assert_string_equal(throttle_lock_name(THROTTLE_PAIR_LOCKED), "pair");
	assert_string_equal(throttle_lock_name(THROTTLE_ACCOUNT_LOCKED), "account");
}

static void test_key(void **state)
{
	static const char *const cases[][2] = {
	    {"203.0.113.7", "203.0.113.7"},
	    {"::ffff:203.0.113.7", "203.0.113.7"},
	    {"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
	    {"2001:db8:1:2::99", "2001:db8:1:2::/64"},
	    {"::1", "0:0:0:0::/64"},
	    {"unknown", "unknown"},
	};
	char key[THROTTLE_KEY_LEN];
	for (size_t i = 0; i < N(cases); i++) {
		throttle_key(cases[i][0], key);
		assert_string_equal(key, cases[i][1]);
	}
	throttle_key(NULL, key);
	assert_string_equal(key, "");
}

static bool in(const struct net_prefixes *set, const char *addr)
{
	unsigned char a[16];
	assert_true(net_addr_parse(addr, strlen(addr), a));
	return net_prefixes_contain(set, a);
}

static void test_prefixes(void **state)
{
	struct net_prefixes set;
	char err[256];
	assert_int_equal(
	    net_prefixes_parse(&set, "127.0.0.1, 10.0.0.0/8  192.168.16.0/20,::1 fd00::/8", err, sizeof err),
	    0);
	assert_int_equal(set.n, 5);
	assert_true(in(&set, "127.0.0.1"));
	assert_true(in(&set, "::ffff:127.0.0.1")); /* a dual-stack socket's view */
	assert_false(in(&set, "127.0.0.2"));
	assert_true(in(&set, "10.255.1.2"));
	assert_false(in(&set, "11.0.0.1"));
	assert_true(in(&set, "192.168.31.255"));
	assert_false(in(&set, "192.168.32.0"));
	assert_true(in(&set, "::1"));
	assert_true(in(&set, "fdab::1"));
	assert_false(in(&set, "fe80::1"));
	assert_false(net_prefixes_contain(NULL, set.p[0].addr));
	assert_int_equal(net_prefixes_parse(&set, "", err, sizeof err), 0);
	assert_int_equal(set.n, 0);
	assert_int_equal(net_prefixes_parse(&set, NULL, err, sizeof err), 0);
	assert_int_equal(net_prefixes_parse(&set, "0.0.0.0/0", err, sizeof err), 0);
	assert_true(in(&set, "8.8.8.8"));
	assert_false(in(&set, "2001:db8::1"));
	static const char *const bad[] = {"10.0.0.0/33", "10.1.2.3/8", "nginx", "10.0.0.0/",
	                                  "10.0.0.0/x",  "1.2.3.4:80", "[::1]", "::1/129",
	                                  "10.0.0.0/-1", "10.0.0.0/+8"};
	for (size_t i = 0; i < N(bad); i++) {
		err[0] = '\0';
		if (net_prefixes_parse(&set, bad[i], err, sizeof err) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(strstr(err, "trusted_proxies"));
	}
	char text[NETADDR_TEXT_LEN];
	unsigned char a[16];
	assert_true(net_addr_parse("::ffff:10.0.0.1", 15, a));
	net_addr_format(a, text);
	assert_string_equal(text, "10.0.0.1");
	assert_true(net_addr_parse("2001:DB8::0001", 14, a));
	net_addr_format(a, text);
	assert_string_equal(text, "2001:db8::1");
	assert_false(net_addr_parse("", 0, a));
	assert_false(net_addr_parse("1.2.3", 5, a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_delay_grows_and_caps),
	    cmocka_unit_test(test_free_failures_then_delay),
	    cmocka_unit_test(test_pair_lock_at_limit),
	    cmocka_unit_test(test_account_budget_needs_four_addresses),
	    cmocka_unit_test(test_address_ceiling),
	    cmocka_unit_test(test_key),
	    cmocka_unit_test(test_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
