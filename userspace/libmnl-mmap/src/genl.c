/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Generic netlink helpers.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "internal.h"

struct resolve {
	const char *name;
	uint16_t id;
};

static int resolve_attr(const struct nlattr *attr, void *data)
{
	struct resolve *r = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
		r->id = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int resolve_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), resolve_attr,
			      data);
}

/**
 * mnl_ring_genl_resolve - resolve a generic netlink family name to its id
 * @param nl a NETLINK_GENERIC socket opened with mnl_socket_open() and
 *        bound with mnl_socket_bind()
 * @param name the family name, e.g. NLMMAP_GENL_NAME
 * @param id where the family id is stored on success
 *
 * Sends CTRL_CMD_GETFAMILY to nlctrl on @nl and waits for the answer.
 *
 * @return 0 on success; -1 with errno set otherwise (ENOENT when no such
 * family is registered).
 */
EXPORT_SYMBOL int mnl_ring_genl_resolve(struct mnl_socket *nl,
					const char *name, uint16_t *id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct resolve r = { .name = name };
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	unsigned int seq, portid;
	ssize_t n;
	int ret;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq = getpid() ^ (uintptr_t)&r;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	portid = mnl_socket_get_portid(nl);
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -1;
		ret = mnl_cb_run(buf, n, seq, portid, resolve_cb, &r);
	} while (ret > 0);
	if (ret < 0)
		return -1;
	if (!r.id) {
		errno = ENOENT;
		return -1;
	}
	*id = r.id;
	return 0;
}
