// SPDX-License-Identifier: GPL-2.0
/*
 * NETLINK_NO_ENOBUFS of a netlink socket, as netlink_overrun() honours it.
 *
 * netlink keeps the option as bit NETLINK_F_RECV_NO_ENOBUFS (3 in 6.1) of
 * the word right after struct sock in its private struct netlink_sock
 * (net/netlink/af_netlink.h), and exports no way to read it. So the module
 * reads that bit, but only after proving at load time that it is the
 * option: it sets and clears NETLINK_NO_ENOBUFS on a socket of its own and
 * watches the bit follow. If it does not (another kernel's layout), the
 * option is taken as unset, overruns always report ENOBUFS as before, a
 * warning says so, and NLMMAP_FEAT_NO_ENOBUFS is not reported.
 */
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/sockptr.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "nlmmap_int.h"

#define NLMMAP_NLK_NO_ENOBUFS	3	/* NETLINK_F_RECV_NO_ENOBUFS */

static bool nlmmap_nlk_known __read_mostly;

/* The word after struct sock in struct netlink_sock: its flags. */
static const unsigned long *nlmmap_nlk_flags(const struct sock *sk)
{
	return (const unsigned long *)(sk + 1);
}

/**
 * nlmmap_sk_no_enobufs() - has a netlink socket NETLINK_NO_ENOBUFS set?
 * @sk: a netlink socket, alive
 *
 * Return: true if set and readable on this kernel (see above).
 */
bool nlmmap_sk_no_enobufs(const struct sock *sk)
{
	return nlmmap_nlk_known &&
	       test_bit(NLMMAP_NLK_NO_ENOBUFS, nlmmap_nlk_flags(sk));
}

/**
 * nlmmap_no_enobufs_known() - is NETLINK_NO_ENOBUFS readable here?
 *
 * Return: true once nlmmap_probe_no_enobufs() proved the layout.
 */
bool nlmmap_no_enobufs_known(void)
{
	return nlmmap_nlk_known;
}

static int nlmmap_set_no_enobufs(struct socket *sock, int val)
{
	return sock->ops->setsockopt(sock, SOL_NETLINK, NETLINK_NO_ENOBUFS,
				     KERNEL_SOCKPTR(&val), sizeof(val));
}

/**
 * nlmmap_probe_no_enobufs() - prove where netlink keeps NETLINK_NO_ENOBUFS
 *
 * Return: 0 (a layout it cannot prove only disables the feature), or the
 * error of creating the probe socket.
 */
int nlmmap_probe_no_enobufs(void)
{
	struct socket *sock;
	bool on, off;
	int err;

	err = sock_create_kern(&init_net, AF_NETLINK, SOCK_RAW,
			       NETLINK_GENERIC, &sock);
	if (err)
		return err;
	on = !nlmmap_set_no_enobufs(sock, 1) &&
	     test_bit(NLMMAP_NLK_NO_ENOBUFS, nlmmap_nlk_flags(sock->sk));
	off = !nlmmap_set_no_enobufs(sock, 0) &&
	      !test_bit(NLMMAP_NLK_NO_ENOBUFS, nlmmap_nlk_flags(sock->sk));
	sock_release(sock);
	nlmmap_nlk_known = on && off;
	if (!nlmmap_nlk_known)
		pr_warn("nlmmap: NETLINK_NO_ENOBUFS is not readable on this kernel; ring overruns always report ENOBUFS\n");
	return 0;
}
