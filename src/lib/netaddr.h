/* IP addresses and prefixes (CIDR) as the trusted_proxies setting lists them.
 *
 * Addresses are kept as 16 bytes; an IPv4 address is its IPv4-mapped IPv6
 * form (::ffff:a.b.c.d), so "127.0.0.1" also matches a dual-stack socket's
 * "::ffff:127.0.0.1" and an IPv4 prefix /n is the mapped prefix /(96 + n). */
#ifndef OSSPOINT_NETADDR_H
#define OSSPOINT_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

#define NETADDR_MAX_PREFIXES 64
/* Longest text of an address (inet_ntop's INET6_ADDRSTRLEN). */
#define NETADDR_TEXT_LEN 46

struct net_prefix {
	unsigned char addr[16];
	unsigned bits; /* 0..128 */
};

struct net_prefixes {
	size_t n;
	struct net_prefix p[NETADDR_MAX_PREFIXES];
};

/* Parses one address, IPv4 dotted or IPv6 (no brackets, no port, no zone).
 * Returns true and fills out, or false. */
bool net_addr_parse(const char *s, size_t len, unsigned char out[16]);
/* Whether a is an IPv4 address (IPv4-mapped). */
bool net_addr_is_v4(const unsigned char a[16]);
/* Formats an address as inet_ntop would (IPv4-mapped as dotted IPv4). */
void net_addr_format(const unsigned char a[16], char out[NETADDR_TEXT_LEN]);
/* Parses a list of addresses and prefixes ("127.0.0.1, 10.0.0.0/8 ::1
 * fd00::/8"), separated by commas and/or white space. An address alone is a
 * full-length prefix; host bits set below the prefix length are refused (a
 * typo as often as not). An empty list is valid (no entries). Returns 0, or
 * -1 with a Thai message naming the bad entry in err. */
int net_prefixes_parse(struct net_prefixes *out, const char *list, char *err, size_t errlen);
/* Whether a is inside one of the prefixes. set may be NULL (nothing matches). */
bool net_prefixes_contain(const struct net_prefixes *set, const unsigned char a[16]);

#endif
