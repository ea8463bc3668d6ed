// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/genetlink.h>
#include <libmnl-mmap/libmnl-mmap.h>

#include "util.h"

struct mnl_socket *genl_open(uint16_t *family)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    (family && mnl_ring_genl_resolve(nl, NLMMAP_GENL_NAME, family))) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

int genl_call(struct mnl_socket *nl, uint16_t family, uint8_t cmd,
	      mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	static unsigned int seq = 1000;
	ssize_t n;
	int ret;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = NLMMAP_GENL_VERSION;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -1;
		ret = mnl_cb_run(buf, n, seq, mnl_socket_get_portid(nl), cb,
				 data);
	} while (ret > 0);
	return ret < 0 ? -1 : 0;
}

struct stat_req {
	int stat;
	int64_t value;
};

static int stat_attr(const struct nlattr *attr, void *data)
{
	struct stat_req *r = data;

	if (mnl_attr_get_type(attr) == r->stat &&
	    mnl_attr_validate(attr, MNL_TYPE_U64) >= 0)
		r->value = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

static int stat_top(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == NLMMAP_A_STATS)
		mnl_attr_parse_nested(attr, stat_attr, data);
	return MNL_CB_OK;
}

static int stat_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), stat_top, data);
}

int64_t nlmmap_stat(struct mnl_socket *nl, uint16_t family, int stat)
{
	struct stat_req r = { .stat = stat, .value = -1 };

	if (genl_call(nl, family, NLMMAP_CMD_GET, stat_cb, &r))
		return -1;
	return r.value;
}

int module_load(void)
{
	int fd = open(NLMMAP_KO, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

int module_unload(void)
{
	return syscall(SYS_delete_module, "nlmmap", O_NONBLOCK);
}
