#include "lib/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool net_addr_parse(const char *s, size_t len, unsigned char out[16])
{
	char tmp[NETADDR_TEXT_LEN];
	if (len == 0 || len >= sizeof tmp)
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (memchr(tmp, ':', len))
		return inet_pton(AF_INET6, tmp, out) == 1;
	unsigned char v4[4];
	if (inet_pton(AF_INET, tmp, v4) != 1)
		return false;
	memcpy(out, v4_mapped, sizeof v4_mapped);
	memcpy(out + 12, v4, 4);
	return true;
}

bool net_addr_is_v4(const unsigned char a[16])
{
	return !memcmp(a, v4_mapped, sizeof v4_mapped);
}

void net_addr_format(const unsigned char a[16], char out[NETADDR_TEXT_LEN])
{
	if (net_addr_is_v4(a)) {
		if (!inet_ntop(AF_INET, a + 12, out, NETADDR_TEXT_LEN))
			snprintf(out, NETADDR_TEXT_LEN, "unknown");
	} else if (!inet_ntop(AF_INET6, a, out, NETADDR_TEXT_LEN))
		snprintf(out, NETADDR_TEXT_LEN, "unknown");
}

static bool bit(const unsigned char a[16], unsigned i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

static int bad(char *err, size_t errlen, const char *entry, size_t len, const char *why)
{
	snprintf(err, errlen, "trusted_proxies: \"%.*s\" %s", (int)(len > 80 ? 80 : len), entry, why);
	return -1;
}

int net_prefixes_parse(struct net_prefixes *out, const char *list, char *err, size_t errlen)
{
	out->n = 0;
	const char *p = list ? list : "";
	while (*p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *e = p;
		while (*e && *e != ',' && *e != ' ' && *e != '\t')
			e++;
		size_t len = (size_t)(e - p);
		const char *slash = memchr(p, '/', len);
		size_t alen = slash ? (size_t)(slash - p) : len;
		struct net_prefix np;
		if (!net_addr_parse(p, alen, np.addr))
			return bad(err, errlen, p, len, "ไม่ใช่ที่อยู่ IP หรือช่วง CIDR (เช่น 10.0.0.0/8)");
		bool v4 = net_addr_is_v4(np.addr) && !memchr(p, ':', alen);
		unsigned max = v4 ? 32 : 128;
		unsigned bits = max;
		if (slash) {
			char *end;
			const char *digits = slash + 1;
			long b = strtol(digits, &end, 10);
			if (digits == e || end != e || *digits < '0' || *digits > '9' || b < 0 ||
			    b > (long)max)
				return bad(err, errlen, p, len, "มีความยาวช่วง (/n) ไม่ถูกต้อง");
			bits = (unsigned)b;
		}
		np.bits = v4 ? bits + 96 : bits;
		for (unsigned i = np.bits; i < 128; i++)
			if (bit(np.addr, i))
				return bad(err, errlen, p, len,
				           "มีบิตของเครื่องอยู่หลังความยาวช่วง (เช่น ใช้ 10.0.0.0/8 ไม่ใช่ 10.1.2.3/8)");
		if (out->n == NETADDR_MAX_PREFIXES)
			return bad(err, errlen, p, len, "เกินจำนวนสูงสุด 64 รายการ");
		out->p[out->n++] = np;
		p = e;
	}
	return 0;
}

bool net_prefixes_contain(const struct net_prefixes *set, const unsigned char a[16])
{
	if (!set)
		return false;
	for (size_t k = 0; k < set->n; k++) {
		const struct net_prefix *np = &set->p[k];
		unsigned full = np->bits / 8, rest = np->bits % 8;
		if (memcmp(np->addr, a, full))
			continue;
		if (rest && ((np->addr[full] ^ a[full]) & (0xFF << (8 - rest)) & 0xFF))
			continue;
		return true;
	}
	return false;
}
