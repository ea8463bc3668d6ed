// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime: unload refused while a ring file is open; 100 load and
 * unload cycles (the debug kernel's kmemleak scan afterwards catches
 * leaks). Leaves the module loaded.
 */
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tap.h"
#include "util.h"

static void unload_refused_while_ring_open(void)
{
	int fd = open(NLMMAP_DEVICE, O_RDWR);

	REQUIRE(fd >= 0);
	errno = 0;
	CHECK(module_unload() == -1 && (errno == EWOULDBLOCK || errno == EBUSY),
	      "errno %d", errno);
	close(fd);
}

static void load_unload_100_cycles(void)
{
	struct mnl_socket *nl;
	struct stat st;
	uint16_t id;
	int i, bad = 0;

	for (i = 0; i < 100 && !bad; i++) {
		if (module_unload()) {
			printf("# cycle %d: unload: %s\n", i, strerror(errno));
			bad = 1;
		} else if (genl_open(&id)) {
			printf("# cycle %d: family still there\n", i);
			bad = 1;
		} else if (module_load()) {
			printf("# cycle %d: load: %s\n", i, strerror(errno));
			bad = 1;
		} else if (stat(NLMMAP_DEVICE, &st) || !S_ISCHR(st.st_mode)) {
			printf("# cycle %d: no %s\n", i, NLMMAP_DEVICE);
			bad = 1;
		}
	}
	CHECK(!bad);
	nl = genl_open(&id);
	CHECK(nl, "family resolves after the cycles");
	if (nl)
		mnl_socket_close(nl);
}

TAP_MAIN(T(unload_refused_while_ring_open), T(load_unload_100_cycles))
