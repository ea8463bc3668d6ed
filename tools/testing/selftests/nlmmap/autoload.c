// SPDX-License-Identifier: GPL-2.0
/*
 * Module autoloading, from nothing of nlmmap loaded: resolving the nlmmap
 * and nlmmap_queue generic netlink families loads the module (through
 * MODULE_ALIAS_GENL_FAMILY and the kernel's request_module()), so a
 * library program's first call needs no modprobe; modprobe nlmmap_queue
 * resolves nfnetlink; none of our aliases is one of nfnetlink_queue's.
 * Needs modules installed under /lib/modules/RELEASE with depmod and a
 * modprobe that reads modules.alias at /proc/sys/kernel/modprobe (the
 * VM's init runs this test first, with kmod's modprobe): SKIPs otherwise.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <fnmatch.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "tap.h"
#include "util.h"
#include <linux/nlmmap_queue.h>

static int loaded(const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "/sys/module/%s", name);
	return !access(p, F_OK);
}

/* @name is part of the kernel (modules.builtin lists it; a built-in
 * module without parameters has no /sys/module entry): the debug
 * kernel has nfnetlink built in.
 */
static int builtin(const char *name)
{
	char p[300], want[100], line[256];
	struct utsname u;
	int found = 0;
	FILE *f;

	if (uname(&u))
		return 0;
	snprintf(p, sizeof(p), "/lib/modules/%s/modules.builtin", u.release);
	snprintf(want, sizeof(want), "/%s.ko", name);
	f = fopen(p, "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		found = strlen(line) >= strlen(want) &&
			!strcmp(line + strlen(line) - strlen(want), want);
	}
	fclose(f);
	return found;
}

/* @name can be used: loaded as a module, or built in. */
static int present(const char *name)
{
	return loaded(name) || builtin(name);
}

static char modprobe_path[256];

/* Neither module loaded, and a kernel that can autoload: else SKIP. */
static void from_nothing(void)
{
	char *path = modprobe_path;
	FILE *f = fopen("/proc/sys/kernel/modprobe", "r");

	if (!f || !fgets(path, sizeof(modprobe_path), f))
		SKIP("no /proc/sys/kernel/modprobe (CONFIG_MODULES?)");
	fclose(f);
	path[strcspn(path, "\n")] = '\0';
	if (!path[0] || access(path, X_OK))
		SKIP("kernel.modprobe '%s' is not a program", path);
	kmod_unload("nlmmap_queue");
	kmod_unload("nlmmap");
	if (loaded("nlmmap_queue") || loaded("nlmmap"))
		SKIP("nlmmap is loaded and in use: cannot start from nothing");
}

static int resolve(const char *family, uint16_t *id)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	int ret;

	if (!nl)
		return -errno;
	ret = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) ? -errno :
		mnl_ring_genl_resolve(nl, family, id);
	mnl_socket_close(nl);
	return ret;
}

static void genl_family_loads_nlmmap(void)
{
	uint16_t id = 0;
	int ret;

	from_nothing();
	ret = resolve(NLMMAP_GENL_NAME, &id);
	CHECK(ret == 0 && id, "resolve: %d", ret);
	CHECK(loaded("nlmmap"), "module loaded by the family's alias");
}

/* A library program's first calls, a ring and a message through it. */
static void first_library_call_sets_up_a_ring(void)
{
	struct mnl_socket *nl;
	struct seen s = {};
	struct mnl_ring *r;
	uint16_t id;

	from_nothing();
	r = ring_setup(&nl, &id, 16, 2048, 0);
	REQUIRE(r, "ring setup from nothing loaded");
	CHECK(loaded("nlmmap"));
	REQUIRE(bench_request(nl, id, 3, 100) == 0);
	CHECK(drain(r, &s) == MNL_CB_OK);
	CHECK(s.n == 4 && s.cmd[0] == NLMMAP_CMD_BENCH_MSG &&
	      s.cmd[3] == NLMMAP_CMD_BENCH && s.count == 3 && !s.bad_payload,
	      "%d messages", s.n);
	ring_teardown(r, nl);
}

static void genl_family_loads_nlmmap_queue(void)
{
	uint16_t id = 0;
	int ret;

	from_nothing();
	kmod_unload("nfnetlink");
	ret = resolve(NLMQ_GENL_NAME, &id);
	CHECK(ret == 0 && id, "resolve: %d", ret);
	CHECK(loaded("nlmmap_queue") && present("nfnetlink"),
	      "nlmmap_queue and what it needs loaded by the alias");
}

/* The modprobe the kernel runs (kmod's in the VM; busybox's sh would
 * run its own applet for a bare "modprobe").
 */
static void modprobe_nlmmap_queue_resolves_deps(void)
{
	char cmd[300];
	int ret;

	from_nothing();
	kmod_unload("nfnetlink");
	snprintf(cmd, sizeof(cmd), "%s nlmmap_queue", modprobe_path);
	ret = system(cmd);
	CHECK(ret == 0, "modprobe nlmmap_queue: status %d", ret);
	CHECK(loaded("nlmmap_queue") && present("nfnetlink"));
}

/* The aliases of @module in modules.alias, one per line into @buf. */
static int aliases(const char *module, char (*buf)[256], int max)
{
	char line[512], alias[256], mod[256];
	struct utsname u;
	int n = 0;
	FILE *f;

	uname(&u);
	snprintf(line, sizeof(line), "/lib/modules/%s/modules.alias",
		 u.release);
	f = fopen(line, "r");
	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f))
		if (sscanf(line, "alias %255s %127s", alias, mod) == 2 &&
		    !strcmp(mod, module))
			snprintf(buf[n++], sizeof(buf[0]), "%s", alias);
	fclose(f);
	return n;
}

static void no_alias_of_nfnetlink_queue(void)
{
	static char ours[64][256], theirs[64][256];
	int n, m, i, j, k, total = 0;
	const char *mods[] = { "nlmmap", "nlmmap_queue" };

	m = aliases("nfnetlink_queue", theirs, 64);
	if (m <= 0)
		SKIP("no modules.alias lines for nfnetlink_queue");
	for (k = 0; k < 2; k++) {
		n = aliases(mods[k], ours, 64);
		CHECK(n > 0, "%s has aliases", mods[k]);
		for (i = 0; i < n; i++) {
			printf("# %s: alias %s\n", mods[k], ours[i]);
			for (j = 0; j < m; j++)
				CHECK(fnmatch(ours[i], theirs[j], 0) &&
				      fnmatch(theirs[j], ours[i], 0),
				      "%s's alias %s is nfnetlink_queue's %s",
				      mods[k], ours[i], theirs[j]);
		}
		total += n;
	}
	CHECK(total >= 2);
}

/* A devname: alias needs a fixed misc minor; nlmmap's is dynamic. */
static void open_dev_loads_nlmmap(void)
{
	static char ours[64][256];
	int n, i, fd;

	n = aliases("nlmmap", ours, 64);
	for (i = 0; i < n; i++)
		if (!strncmp(ours[i], "devname:", 8))
			break;
	if (i >= n)
		SKIP("no devname: alias (the misc minor is dynamic)");
	from_nothing();
	fd = open(NLMMAP_DEVICE, O_RDWR);
	CHECK(fd >= 0 && loaded("nlmmap"));
	if (fd >= 0)
		close(fd);
}

TAP_MAIN(T(genl_family_loads_nlmmap), T(first_library_call_sets_up_a_ring),
	 T(genl_family_loads_nlmmap_queue),
	 T(modprobe_nlmmap_queue_resolves_deps),
	 T(no_alias_of_nfnetlink_queue), T(open_dev_loads_nlmmap))
