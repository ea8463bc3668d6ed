/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Generic netlink helpers.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
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
	struct nlmsghdr *nlh;
	unsigned int seq, portid;
	ssize_t n;
	int ret;

	seq = getpid() ^ (uintptr_t)&r;
	nlh = mnl_ring_genl_put(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
				NLM_F_ACK, seq);
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

/**
 * mnl_ring_genl_put - start a generic netlink request in a buffer
 * @param buf the buffer (at least MNL_SOCKET_BUFFER_SIZE, or a TX frame's
 *        data with mnl_ring_tx_room() bytes)
 * @param family the family id (mnl_ring_genl_resolve())
 * @param cmd the command
 * @param version the family's version (NLMMAP_GENL_VERSION for nlmmap)
 * @param flags netlink flags besides NLM_F_REQUEST (NLM_F_ACK, NLM_F_DUMP)
 * @param seq the sequence number
 *
 * Puts the netlink and generic netlink headers; add attributes with
 * mnl_attr_put*(), as with libmnl.
 *
 * @return the netlink header
 */
EXPORT_SYMBOL struct nlmsghdr *mnl_ring_genl_put(void *buf, uint16_t family,
						 uint8_t cmd, uint8_t version,
						 uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/* The nlmmap family's id, resolved on a socket of its own: the caller's
 * socket may have traffic in flight. Resolving a family the kernel does
 * not know yet loads its module (MODULE_ALIAS_GENL_FAMILY).
 */
int ring_family(uint16_t *family)
{
	struct mnl_socket *q = mnl_socket_open(NETLINK_GENERIC);
	int ret = -1;

	if (q && mnl_socket_bind(q, 0, MNL_SOCKET_AUTOPID) == 0 &&
	    mnl_ring_genl_resolve(q, NLMMAP_GENL_NAME, family) == 0)
		ret = 0;
	if (q)
		mnl_socket_close(q);
	return ret;
}

/*
 * Bind the ring file @fd to @nl: NLMMAP_CMD_BIND of @family sent on @nl,
 * so the kernel binds to the socket that sent it under the port id it
 * sent from. Waits for the ack. Returns 0, or -1 with errno set.
 */
int ring_genl_bind(struct mnl_socket *nl, int fd, uint16_t family)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	unsigned int seq;

	seq = getpid() ^ (unsigned int)fd ^ 0x6e6c6d6du;
	nlh = mnl_ring_genl_put(buf, family, NLMMAP_CMD_BIND,
				NLMMAP_GENL_VERSION, NLM_F_ACK, seq);
	mnl_attr_put_u32(nlh, NLMMAP_A_RING_FD, fd);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	if (!ring_wait_ack(nl, buf, sizeof(buf), seq))
		return 0;
	if (errno != ENOBUFS)
		return -1;
	/* The ack may be what the full socket lost: the binding was done
	 * in sendmsg(), so the ring file knows how it went.
	 */
	return ioctl(fd, NLMMAP_IOC_BOUND, &(uint32_t){ 0 }) ? -1 : 0;
}

static int ring_relay(struct mnl_ring *r, uint8_t cmd, unsigned int protocol,
		      unsigned int group)
{
	struct mnl_socket *nl = mnl_ring_get_socket(r);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint16_t family;
	unsigned int seq = getpid() ^ (protocol << 16) ^ group ^ cmd;
	struct nlmmap_subscription sub = {
		.size = sizeof(sub), .protocol = protocol, .group = group,
	};

	/* Generic netlink groups only through the ring file. */
	if (protocol == NETLINK_GENERIC)
		return ioctl(mnl_ring_get_fd(r), cmd == NLMMAP_CMD_SUBSCRIBE ?
			     NLMMAP_IOC_SUBSCRIBE : NLMMAP_IOC_UNSUBSCRIBE,
			     &sub) ? -1 : 0;
	if (ring_family(&family))
		return -1;
	nlh = mnl_ring_genl_put(buf, family, cmd, NLMMAP_GENL_VERSION,
				NLM_F_ACK, seq);
	mnl_attr_put_u32(nlh, NLMMAP_A_PROTOCOL, protocol);
	mnl_attr_put_u32(nlh, NLMMAP_A_GROUP, group);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	return ring_wait_ack(nl, buf, sizeof(buf), seq);
}

/**
 * mnl_ring_subscribe - relay a multicast group of a netlink family into
 * the ring
 * @param r the ring handle, with an RX ring
 * @param protocol the group's netlink protocol (NETLINK_ROUTE,
 *        NETLINK_AUDIT, ...)
 * @param group its group number (RTNLGRP_LINK, AUDIT_NLGRP_READLOG, ...)
 *
 * The group's events then arrive in RX frames with nm_group set to
 * @p group, in the source's order, as a member of the group would get
 * them; permissions are the source's own, checked against the caller.
 * Like mnl_ring_map(), it reads the socket for its answer: call it before
 * other requests are in flight.
 *
 * @return 0, or -1 with errno set: EPERM (the source refuses the caller),
 * EINVAL (no such group), EEXIST (subscribed already), ENOTCONN (no ring
 * bound), EOPNOTSUPP (the audit log outside the initial namespace)
 */
EXPORT_SYMBOL int mnl_ring_subscribe(struct mnl_ring *r, unsigned int protocol,
				     unsigned int group)
{
	return ring_relay(r, NLMMAP_CMD_SUBSCRIBE, protocol, group);
}

/**
 * mnl_ring_subscribe_genl - relay a generic netlink multicast group, by
 * name, into the ring
 * @param r the ring handle, with an RX ring
 * @param family the generic netlink family's name ("nlctrl", "ethtool")
 * @param name the name of its multicast group ("notify", "monitor")
 *
 * As mnl_ring_subscribe(), through the ring file (no answer to read from
 * the socket). The group's frames carry its number in nm_group;
 * mnl_ring_unsubscribe(r, NETLINK_GENERIC, number) ends it.
 *
 * @return the group's number, or -1 with errno set: ENOENT (no such
 * family in the socket's namespace, or no such group), EPERM (the group
 * needs a capability the caller lacks there), EINVAL (a name too long),
 * and the errors of mnl_ring_subscribe()
 */
EXPORT_SYMBOL int mnl_ring_subscribe_genl(struct mnl_ring *r,
					  const char *family, const char *name)
{
	struct nlmmap_subscription sub = {
		.size = sizeof(sub), .protocol = NETLINK_GENERIC,
	};

	if (strlen(family) >= sizeof(sub.family) ||
	    strlen(name) >= sizeof(sub.name) || !*family || !*name) {
		errno = EINVAL;
		return -1;
	}
	strcpy(sub.family, family);
	strcpy(sub.name, name);
	if (ioctl(mnl_ring_get_fd(r), NLMMAP_IOC_SUBSCRIBE, &sub))
		return -1;
	return sub.group;
}

/**
 * mnl_ring_unsubscribe - stop relaying a group into the ring
 * @param r the ring handle
 * @param protocol, group as for mnl_ring_subscribe()
 * @return 0, or -1 with errno set (ENOENT: not subscribed)
 */
EXPORT_SYMBOL int mnl_ring_unsubscribe(struct mnl_ring *r,
				       unsigned int protocol,
				       unsigned int group)
{
	return ring_relay(r, NLMMAP_CMD_UNSUBSCRIBE, protocol, group);
}

/*
 * Read @nl until the NLMSG_ERROR answering @seq, passing over whatever
 * else arrives meanwhile (answers to other requests in flight on the
 * socket). Returns 0 for an ack, or -1 with errno set (ENOBUFS: the socket
 * overran, and the answer may have been lost).
 */
int ring_wait_ack(struct mnl_socket *nl, void *buf, size_t len,
		  unsigned int seq)
{
	for (;;) {
		ssize_t got = mnl_socket_recvfrom(nl, buf, len);
		const struct nlmsghdr *nlh = buf;
		int n = got;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_seq != seq ||
			    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
				continue;
			if (!e->error)
				return 0;
			errno = -e->error;
			return -1;
		}
	}
}

/**
 * mnl_ring_version - the version of the library that runs
 *
 * Return: "MAJOR.MINOR.MICRO", the package version it was built as.
 */
EXPORT_SYMBOL const char *mnl_ring_version(void)
{
	return LIBMNL_MMAP_PKG_VERSION;
}
