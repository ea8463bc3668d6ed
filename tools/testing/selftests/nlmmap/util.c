// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <net/if.h>
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
	static unsigned int seq = 1000;
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret;

	nlh = genl_req(buf, family, cmd, NLM_F_ACK, ++seq);
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

/* One counter of a GET or RING_GET answer, found along a path of nests. */
struct counter_req {
	int path[2];		/* the nests leading to the counters */
	int depth;
	int level;
	int stat;
	int64_t value;
};

static int counter_attr(const struct nlattr *attr, void *data)
{
	struct counter_req *r = data;
	int type = mnl_attr_get_type(attr);

	if (r->level < r->depth) {
		if (type == r->path[r->level]) {
			r->level++;
			mnl_attr_parse_nested(attr, counter_attr, r);
			r->level--;
		}
	} else if (type == r->stat &&
		   mnl_attr_validate(attr, MNL_TYPE_U64) >= 0) {
		r->value = mnl_attr_get_u64(attr);
	}
	return MNL_CB_OK;
}

static int counter_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), counter_attr,
			      data);
}

int64_t nlmmap_stat(struct mnl_socket *nl, uint16_t family, int stat)
{
	struct counter_req r = { { NLMMAP_A_STATS }, 1, 0, stat, -1 };

	if (genl_call(nl, family, NLMMAP_CMD_GET, counter_cb, &r))
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

static int kmod_insmod(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret == -EEXIST ? 0 : ret;
}

/* /sys/module/NAME for a file name.ko ('-' in file names is '_'). */
static int kmod_loaded(const char *file)
{
	char p[300];
	int i, n = snprintf(p, sizeof(p), "/sys/module/%s", file);

	if (n > 3 && !strcmp(p + n - 3, ".ko"))
		p[n - 3] = '\0';
	for (i = 12; p[i]; i++)
		if (p[i] == '-')
			p[i] = '_';
	return !access(p, F_OK);
}

int kmod_load(const char *name, const char *path)
{
	char dir[200], line[256], want[128];
	struct utsname u;
	int ret = -ENOENT;
	FILE *f;

	if (kmod_loaded(name))
		return 0;
	if (path)
		return kmod_insmod(path);
	uname(&u);
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	/* Built into the kernel, as the VM's "builtin" file says. */
	snprintf(line, sizeof(line), "%s/builtin", dir);
	f = fopen(line, "r");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, name)) {
			fclose(f);
			return 0;
		}
	}
	if (f)
		fclose(f);
	/* The VM's load-order lists each module after what it needs. */
	snprintf(want, sizeof(want), "%s.ko", name);
	snprintf(line, sizeof(line), "%s/load-order", dir);
	f = fopen(line, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char ko[512];

		line[strcspn(line, "\n")] = '\0';
		if (!kmod_loaded(line)) {
			snprintf(ko, sizeof(ko), "%s/%s", dir, line);
			ret = kmod_insmod(ko);
		}
		if (!strcmp(line, want)) {
			ret = kmod_loaded(line) ? 0 : ret;
			break;
		}
	}
	if (f)
		fclose(f);
	return ret;
}

int kmod_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

int kmod_unload_wait(const char *name)
{
	int err, i;

	/* No event tells that a module's last reference is gone: poll, for
	 * at most 10 s.
	 */
	for (i = 0; i < 1000; i++) {
		err = kmod_unload(name);
		if (err != -EWOULDBLOCK && err != -EBUSY)
			return err;
		poll(NULL, 0, 10);
	}
	return err;
}

int lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = -errno;

	if (fd < 0)
		return ret;
	ret = 0;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ret = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr))
			ret = -errno;
	}
	close(fd);
	return ret;
}

/* NLMMAP_CMD_BIND of @ring on @nl, by the raw uAPI; 0 or -errno. */
int bind_request(struct mnl_socket *nl, int ring)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	static unsigned int seq = 5000;
	struct mnl_socket *q;
	uint16_t family;
	ssize_t n;

	/* Resolved aside: other requests may be in flight on @nl. */
	q = genl_open(&family);
	if (!q)
		return -errno;
	mnl_socket_close(q);
	nlh = genl_req(buf, family, NLMMAP_CMD_BIND, NLM_F_ACK, ++seq);
	mnl_attr_put_u32(nlh, NLMMAP_A_RING_FD, ring);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	/* Other requests may be in flight on @nl: wait for our answer. */
	for (;;) {
		const struct nlmsghdr *m = (void *)buf;
		int left;

		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0 && errno == ENOBUFS)	/* the ack may be lost */
			return ioctl(ring, NLMMAP_IOC_BOUND, &(uint32_t){ 0 }) ?
			       -errno : 0;
		if (n < 0)
			return -errno;
		left = n;
		for (; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);

			if (m->nlmsg_type == NLMSG_ERROR &&
			    m->nlmsg_seq == seq)
				return e->error;
		}
	}
}

int ring_file_bind(struct mnl_socket *nl)
{
	int fd = open(NLMMAP_DEVICE, O_RDWR);

	if (fd >= 0 && bind_request(nl, fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

struct nl_mmap_hdr *tx_frame_get(struct mnl_ring *r)
{
	struct nl_mmap_hdr *f;

	return mnl_ring_tx_reserve(mnl_ring_tx(r), &f, 1) ? f : NULL;
}

void tx_frame_submit(struct mnl_ring *r, unsigned int len)
{
	struct nl_mmap_hdr *f;

	if (mnl_ring_tx_reserve(mnl_ring_tx(r), &f, 1) != 1)
		return;
	/* reserve() zeroed nm_len of a fresh frame; the request is there */
	f->nm_len = len;
	mnl_ring_tx_submit(mnl_ring_tx(r), 1);
}

struct nl_mmap_hdr *rx_frame_next(struct mnl_ring *r)
{
	struct nl_mmap_hdr *f;

	return mnl_ring_rx_peek(mnl_ring_rx(r), &f, 1) ? f : NULL;
}

void rx_frame_done(struct mnl_ring *r, int hold)
{
	if (hold)
		mnl_ring_rx_hold(mnl_ring_rx(r), 0);
	mnl_ring_rx_release(mnl_ring_rx(r), 1);
}

/* The index of RX frame @f (frames fill blocks, blocks follow blocks). */
static unsigned int rx_frame_index(struct mnl_ring_rx *rx,
				   const struct nl_mmap_hdr *f)
{
	const struct nl_mmap_req *req = mnl_ring_rx_geometry(rx);
	size_t off = (const char *)f - (const char *)mnl_ring_rx_frame(rx, 0);
	unsigned int per_block = req->nm_block_size / req->nm_frame_size;

	return off / req->nm_block_size * per_block +
	       off % req->nm_block_size / req->nm_frame_size;
}

int rx_run_holding(struct mnl_ring *r, unsigned int *seed,
		   unsigned int max_held, unsigned int seq, mnl_cb_t cb,
		   void *data, int timeout, struct holding *h)
{
	struct mnl_ring_rx *rx = mnl_ring_rx(r);
	unsigned int nr = mnl_ring_rx_geometry(rx)->nm_frame_nr;
	unsigned int at = 0, held_n = 0, i, k;
	char *held = calloc(nr, 1);
	int ret = MNL_CB_OK;

	memset(h, 0, sizeof(*h));
	if (!held)
		return MNL_CB_ERROR;
	while (ret > MNL_CB_STOP) {
		struct nl_mmap_hdr *f = rx_frame_next(r);
		int hold;

		if (!f) {
			h->polls++;
			if (mnl_ring_wait(r, POLLIN, timeout) <= 0) {
				ret = HOLDING_STALLED;
				break;
			}
			continue;
		}
		/* The reader passed the frames from @at to this one: the
		 * kernel went around them. Held ones are met again.
		 */
		k = rx_frame_index(rx, f);
		for (i = at; i != k; i = i + 1 == nr ? 0 : i + 1)
			if (held[i]) {
				mnl_ring_frame_release(mnl_ring_rx_frame(rx, i));
				held[i] = 0;
				held_n--;
				h->met++;
			}
		at = k + 1 == nr ? 0 : k + 1;
		if (nlmmap_frame_status(f) != NLMMAP_STATUS_VALID || held[k]) {
			printf("# frame %u: status %u%s\n", k,
			       nlmmap_frame_status(f), held[k] ? ", held" : "");
			ret = MNL_CB_ERROR;
			break;
		}
		ret = mnl_cb_run(mnl_ring_frame_data(f), f->nm_len, seq, 0, cb,
				 data);
		hold = ret > MNL_CB_STOP && held_n < max_held &&
		       !(rand_r(seed) % 4);
		if (hold) {
			held[k] = 1;
			h->holds++;
			if (++held_n > h->most)
				h->most = held_n;
		}
		rx_frame_done(r, hold);
	}
	for (i = 0; i < nr; i++)
		if (held[i])
			mnl_ring_frame_release(mnl_ring_rx_frame(rx, i));
	free(held);
	return ret;
}

int rx_run(struct mnl_ring *r, void *buf, size_t len, unsigned int seq,
	   mnl_cb_t cb, void *data, const mnl_cb_t *ctl, unsigned int nctl)
{
	int ret = mnl_ring_rx_run(mnl_ring_rx(r), buf, len, seq, 0, cb, data,
				  ctl, nctl);

	return ret == MNL_RING_EMPTY ? MNL_CB_OK : ret;
}

int rings_set(int fd, const struct nl_mmap_req *rx,
	      const struct nl_mmap_req *tx, struct nlmmap_setup *out)
{
	struct nlmmap_setup s = { .size = sizeof(s) };

	if (rx)
		s.rx = *rx;
	if (tx)
		s.tx = *tx;
	if (ioctl(fd, NLMMAP_IOC_SETUP, &s))
		return errno;
	if (out)
		*out = s;
	return 0;
}

size_t map_size(const struct nl_mmap_req *rx, const struct nl_mmap_req *tx)
{
	return (rx ? (size_t)rx->nm_block_size * rx->nm_block_nr : 0) +
	       (tx ? (size_t)tx->nm_block_size * tx->nm_block_nr : 0) +
	       NLMMAP_CTRL_SIZE;
}

struct nl_mmap_req geometry(unsigned int frames, unsigned int frame_size)
{
	unsigned int page = sysconf(_SC_PAGESIZE);
	unsigned int block = frame_size <= page ? page :
			     (frame_size + page - 1) / page * page;
	unsigned int per = block / frame_size;

	return (struct nl_mmap_req){
		.nm_block_size = block,
		.nm_block_nr = (frames + per - 1) / per,
		.nm_frame_size = frame_size,
		.nm_frame_nr = (frames + per - 1) / per * per,
	};
}

struct mnl_ring *ring_setup(struct mnl_socket **nl, uint16_t *family,
			    unsigned int rx_frames, unsigned int frame_size,
			    unsigned int tx_frames)
{
	struct nl_mmap_req rx = geometry(rx_frames, frame_size);
	struct nl_mmap_req tx = geometry(tx_frames, frame_size);
	struct mnl_ring *r;

	*nl = genl_open(family);
	if (!*nl)
		return NULL;
	r = mnl_ring_map(*nl, rx_frames ? &rx : NULL, tx_frames ? &tx : NULL);
	if (!r) {
		mnl_socket_close(*nl);
		*nl = NULL;
	}
	return r;
}

void ring_teardown(struct mnl_ring *r, struct mnl_socket *nl)
{
	if (r)
		mnl_ring_unmap(r);
	if (nl)
		mnl_socket_close(nl);
}

int bench_request(struct mnl_socket *nl, uint16_t family, uint32_t count,
		  uint32_t size)
{
	char buf[256];
	struct nlmsghdr *nlh;

	nlh = genl_req(buf, family, NLMMAP_CMD_BENCH, 0, 7);
	mnl_attr_put_u32(nlh, NLMMAP_A_COUNT, count);
	mnl_attr_put_u32(nlh, NLMMAP_A_SIZE, size);
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

static int seen_attr(const struct nlattr *attr, void *data)
{
	struct seen *s = data;
	int i = s->n;

	switch (mnl_attr_get_type(attr)) {
	case NLMMAP_A_SEQ:
		s->seq[i] = mnl_attr_get_u32(attr);
		break;
	case NLMMAP_A_COUNT:
		s->count = mnl_attr_get_u32(attr);
		break;
	case NLMMAP_A_PAYLOAD: {
		const uint8_t *p = mnl_attr_get_payload(attr);
		uint32_t j, len = mnl_attr_get_payload_len(attr);

		s->size[i] = len;
		for (j = 0; j < len; j++)
			if (p[j] != (uint8_t)s->seq[i]) {
				s->bad_payload++;
				break;
			}
		break;
	}
	}
	return MNL_CB_OK;
}

int seen_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct seen *s = data;

	if (s->n >= (int)(sizeof(s->cmd) / sizeof(s->cmd[0])))
		return MNL_CB_ERROR;
	s->cmd[s->n] = g->cmd;
	s->seq[s->n] = 0;
	s->size[s->n] = 0;
	mnl_attr_parse(nlh, sizeof(*g), seen_attr, s);
	s->n++;
	return MNL_CB_OK;
}

static int seen_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct seen *s = data;

	if (e->error) {
		s->errors++;
		s->last_error = e->error;
	} else {
		s->acks++;
	}
	return MNL_CB_OK;
}

int drain(struct mnl_ring *r, struct seen *s)
{
	static char buf[1 << 17];
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = seen_error };

	return rx_run(r, buf, sizeof(buf), 0, seen_cb, s, ctl, NLMSG_MIN_TYPE);
}

int64_t ring_stat(struct mnl_ring *r, uint16_t family, int stat)
{
	struct mnl_socket *nl = mnl_ring_get_socket(r);
	struct counter_req q = {
		{ NLMMAP_A_RING, NLMMAP_R_STATS }, 2, 0, stat, -1
	};
	static char buf[1 << 16];
	struct nlmsghdr *nlh;
	int i;

	nlh = genl_req(buf, family, NLMMAP_CMD_RING_GET, 0, 0);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (i = 0; i < 100 && q.value < 0; i++) {
		if (rx_run(r, buf, sizeof(buf), 0, counter_cb, &q, NULL, 0) <
		    0)
			return -1;
		if (q.value < 0)
			mnl_ring_wait(r, POLLIN, 10);
	}
	return q.value;
}

int request_ack(struct mnl_socket *nl, struct nlmsghdr *nlh, size_t len)
{
	ssize_t n;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = recv(mnl_socket_get_fd(nl), nlh, len, 0);
	if (n < (ssize_t)NLMSG_HDRLEN || nlh->nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	return ((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error;
}

/* SUBSCRIBE or UNSUBSCRIBE on the ring's socket; its answer, 0 or -errno. */
int relay_cmd(struct mnl_socket *nl, uint16_t family, uint8_t cmd,
	      uint32_t protocol, uint32_t group)
{
	char buf[8192];
	struct nlmsghdr *nlh = genl_req(buf, family, cmd, NLM_F_ACK, 42);

	mnl_attr_put_u32(nlh, NLMMAP_A_PROTOCOL, protocol);
	mnl_attr_put_u32(nlh, NLMMAP_A_GROUP, group);
	return request_ack(nl, nlh, sizeof(buf));
}

/* What a plain member of the group received, until nothing is left. */
void socket_events(struct mnl_socket *rt, struct events *e)
{
	char buf[65536];
	ssize_t n;
	int rest;
	struct nlmsghdr *nlh;

	while ((n = recv(mnl_socket_get_fd(rt), buf, sizeof(buf),
			 MSG_DONTWAIT)) > 0) {
		for (nlh = (void *)buf, rest = n; mnl_nlmsg_ok(nlh, rest);
		     nlh = mnl_nlmsg_next(nlh, &rest)) {
			if (e->n == MAX_EVENTS || nlh->nlmsg_len > MAX_EVENT) {
				e->too_many++;
				continue;
			}
			e->len[e->n] = nlh->nlmsg_len;
			memcpy(e->data[e->n++], nlh, nlh->nlmsg_len);
		}
	}
}

/* What the ring holds now; each frame must name the group. */
void ring_events(struct mnl_ring *r, uint32_t group, struct events *e)
{
	struct nl_mmap_hdr *f[64];
	unsigned int n, i;

	while ((n = mnl_ring_rx_peek(mnl_ring_rx(r), f, 64))) {
		for (i = 0; i < n; i++) {
			if (f[i]->nm_group != group)
				e->bad_group++;
			if (e->n == MAX_EVENTS || f[i]->nm_len > MAX_EVENT) {
				e->too_many++;
				continue;
			}
			e->len[e->n] = f[i]->nm_len;
			memcpy(e->data[e->n++], mnl_ring_frame_data(f[i]),
			       f[i]->nm_len);
		}
		mnl_ring_rx_release(mnl_ring_rx(r), n);
	}
}

int same_events(const struct events *a, const struct events *b)
{
	int i;

	if (a->n != b->n || a->too_many || b->too_many)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->len[i] != b->len[i] ||
		    memcmp(a->data[i], b->data[i], a->len[i]))
			return 0;
	return 1;
}

/* @argv running, once it said "ready" on stderr; its stdout in *@out and,
 * if @errp, the rest of its stderr.
 */
pid_t spawn_ready(char *const argv[], FILE **out, FILE **errp)
{
	int o[2], e[2];
	char line[256];
	FILE *err;
	pid_t pid;

	if (pipe(o) || pipe(e))
		return -1;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	*out = fdopen(o[0], "r");
	err = fdopen(e[0], "r");
	while (err && fgets(line, sizeof(line), err)) {
		if (strstr(line, "ready")) {
			if (errp)
				*errp = err;
			return pid;
		}
	}
	return -1;
}

int as_user(unsigned int uid, int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (setgid(uid) || setuid(uid))
			_exit(126);
		_exit(fn(arg) & 127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 126 ? -EPERM : WEXITSTATUS(status);
}

int write_param(const char *name, const char *val)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/module/nlmmap/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}
