// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink attributes in memory the application may rewrite at any time.
 *
 * nla_parse() reads nla_len more than once, so it is not used on ring
 * memory. Here each attribute header is copied once; the kernel keeps the
 * checked payload pointer and length, and handlers read each value once
 * through the accessors below.
 */
#include <linux/errno.h>
#include <linux/string.h>
#include <net/netlink.h>

#include "nlmmap_int.h"

/**
 * nlmmap_attr_parse() - index the attributes of a buffer
 * @tb: array of @maxtype + 1 entries, cleared and filled
 * @maxtype: highest attribute type kept; higher ones are ignored
 * @buf: the attributes, possibly in shared memory
 * @len: bytes of @buf that belong to the message (a kernel bound)
 *
 * Return: 0, or -EINVAL when an attribute header is malformed or runs past
 * @len, or trailing bytes cannot hold an attribute.
 */
int nlmmap_attr_parse(struct nlmmap_nla *tb, int maxtype, const void *buf,
		      u32 len)
{
	memset(tb, 0, sizeof(*tb) * (maxtype + 1));
	while (len >= NLA_HDRLEN) {
		struct nlattr nla;
		u32 step;
		int type;

		memcpy(&nla, buf, NLA_HDRLEN);
		if (nla.nla_len < NLA_HDRLEN || nla.nla_len > len)
			return -EINVAL;
		type = nla.nla_type & NLA_TYPE_MASK;
		if (type && type <= maxtype) {
			tb[type].data = buf + NLA_HDRLEN;
			tb[type].len = nla.nla_len - NLA_HDRLEN;
			tb[type].present = true;
		}
		step = NLA_ALIGN(nla.nla_len);
		if (step >= len)
			return 0;
		buf += step;
		len -= step;
	}
	return len ? -EINVAL : 0;
}

/**
 * nlmmap_attr_u32() - read a u32 attribute once
 * @tb: parsed attributes
 * @type: the attribute
 * @val: the value, if present and well-formed
 *
 * Return: 0, -ENOENT when absent, -EINVAL when not 4 bytes long.
 */
int nlmmap_attr_u32(const struct nlmmap_nla *tb, int type, u32 *val)
{
	if (!tb[type].present)
		return -ENOENT;
	if (tb[type].len != sizeof(u32))
		return -EINVAL;
	memcpy(val, tb[type].data, sizeof(u32));
	return 0;
}

#ifdef NLMMAP_KUNIT
/* The KUnit suite of this file tests these very functions. */
#include "../../tests/kunit/attr_kunit.c"
#endif
