# SPDX-License-Identifier: GPL-2.0
#
# nlmmap top-level Makefile. See README.md.
#
#   make            module for KDIR, libmnl-mmap, tools
#   make deps       install the Debian packages the project needs
#   make run        boot the stock kernel in QEMU and run the demo
#   make check      static checks, KUnit (debug kernel), integration tests
#                   (stock and debug kernels); ends "N passed, N failed"
#   make bench      recvmsg() against the ring, with guest instruction
#                   counts (tools/bench/run.sh)
#   make vm-stock / vm-debug [TESTS=a,b]   one kernel only
#   make install / uninstall   modules (updates/, depmod), library, uAPI
#                   headers, tools, man pages, udev rule, modprobe.d
#                   example; DESTDIR, PREFIX, LIBDIR, KREL honoured
#   make dist       nlmmap-VERSION.tar.gz, the tree DKMS builds from
#   make fuzz [SECONDS=N] [SEED=S] [ROUND=R]   nlmmap-fuzz in the debug
#                   kernel for N seconds (default 600), or only round R of
#                   seed S; ends with its summary line
#
TOP      := $(CURDIR)
BUILD    ?= $(TOP)/build
STOCK_ABI = $(shell dpkg-query -W -f='$${Depends}' linux-image-amd64 2>/dev/null | \
	     sed -n 's/.*linux-image-\([0-9][^ ,]*-amd64\).*/\1/p')
RUNNING  := /lib/modules/$(shell uname -r)/build
KDIR     ?= $(if $(wildcard $(RUNNING)/Makefile),$(RUNNING),/usr/src/linux-headers-$(STOCK_ABI))
MODOUT   ?= $(BUILD)/mod
KUNIT    ?= n
TESTS    ?= all
VM       := tools/testing/vm

VERSION  := $(shell cat $(TOP)/VERSION)
# The kernel the modules are installed for: the running one when KDIR is
# its build tree, else the stock ABI whose headers KDIR is.
KREL     ?= $(if $(filter $(RUNNING),$(KDIR)),$(shell uname -r),$(STOCK_ABI))
PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
MODDIR   = /lib/modules/$(KREL)/updates/nlmmap
INSTALL_TOOLS = nlmmap-queue nlmmap-audit nlmmap-monitor nlmmap-stats
export PREFIX

CFLAGS   ?= -O2 -g
CFLAGS   += -Wall -Wextra -Werror=implicit-function-declaration
export CFLAGS

.PHONY: install uninstall dist
.PHONY: all deps deps-ok deps-present modules lib tools tests run check \
	bench static checkpatch sparse vm-stock vm-debug fuzz clean

# Plain make installs nothing: it names what is missing and make deps.
all: deps-present modules lib tools

deps:
	tools/build/deps.sh

# make run and make check install what they need on a fresh machine.
deps-ok:
	@tools/build/deps.sh --check 2>/dev/null || tools/build/deps.sh

deps-present:
	@tools/build/deps.sh --check || \
		{ echo "nlmmap: run 'make deps' (as root) to install them" >&2; \
		  exit 1; }

# The module is built in a copy of the tree per kernel, so stock and debug
# builds do not trample each other's objects.
modules:
	@mkdir -p $(MODOUT)/src
	@cp -r net include tests VERSION $(MODOUT)/src/
	@printf 'obj-m += net/nlmmap/\n%s\n' \
		"$(if $(filter y,$(KUNIT)),subdir-ccflags-y += -DNLMMAP_KUNIT)" \
		> $(MODOUT)/src/Kbuild
	$(MAKE) -C $(KDIR) M=$(MODOUT)/src W=1 modules
	@cp $(MODOUT)/src/net/nlmmap/nlmmap.ko \
	    $(MODOUT)/src/net/nlmmap/nlmmap_queue.ko $(MODOUT)/

lib:
	$(MAKE) -C userspace/libmnl-mmap O=$(BUILD)/lib

tools: lib
	$(MAKE) -C tools/nlmmap O=$(BUILD)/tools LIBDIR=$(BUILD)/lib

tests: lib
	$(MAKE) -C tools/testing/selftests/nlmmap O=$(BUILD)/tests LIBDIR=$(BUILD)/lib
	$(MAKE) -C tools/testing/fuzz O=$(BUILD)/tests

run: deps-ok
	$(VM)/run.sh --demo stock

vm-stock: deps-ok
	$(VM)/run.sh --tests $(TESTS) stock

vm-debug: deps-ok
	$(VM)/run.sh --kunit --tests $(TESTS) debug

SECONDS  ?= 600
fuzz: deps-ok
	NLMMAP_FUZZ_SEED=$(SEED) NLMMAP_FUZZ_ROUND=$(ROUND) \
		$(VM)/run.sh --fuzz $(SECONDS) debug

static: deps-ok checkpatch sparse

checkpatch:
	tools/build/static.sh checkpatch

sparse:
	tools/build/static.sh sparse w1 shellcheck

check: deps-ok
	tools/build/check.sh

bench: deps-ok
	tools/bench/run.sh

# What a distribution package would hold, under DESTDIR. depmod runs
# only for a real install (no DESTDIR): a package's postinst runs it on
# the target, where the modules' dependencies (nfnetlink) are.
install: modules lib tools
	install -d $(DESTDIR)$(MODDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(SYSCONFDIR)/udev/rules.d \
		$(DESTDIR)$(SYSCONFDIR)/modprobe.d
	install -m 644 $(MODOUT)/nlmmap.ko $(MODOUT)/nlmmap_queue.ko \
		$(DESTDIR)$(MODDIR)/
	$(if $(DESTDIR),,depmod $(KREL))
	$(MAKE) -C userspace/libmnl-mmap O=$(BUILD)/lib install
	install -m 755 $(INSTALL_TOOLS:%=$(BUILD)/tools/%) $(DESTDIR)$(SBINDIR)/
	install -m 644 tools/install/60-nlmmap.rules \
		$(DESTDIR)$(SYSCONFDIR)/udev/rules.d/
	install -m 644 tools/install/nlmmap.conf \
		$(DESTDIR)$(SYSCONFDIR)/modprobe.d/
	for p in $(wildcard Documentation/man/*.[1-8]); do \
		d=$(DESTDIR)$(MANDIR)/man$${p##*.}; \
		install -d $$d && install -m 644 $$p $$d/ || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(MODDIR)/nlmmap.ko $(DESTDIR)$(MODDIR)/nlmmap_queue.ko
	-rmdir $(DESTDIR)$(MODDIR) 2>/dev/null
	$(if $(DESTDIR),,depmod $(KREL))
	$(MAKE) -C userspace/libmnl-mmap O=$(BUILD)/lib uninstall
	rm -f $(INSTALL_TOOLS:%=$(DESTDIR)$(SBINDIR)/%) \
	      $(DESTDIR)$(SYSCONFDIR)/udev/rules.d/60-nlmmap.rules \
	      $(DESTDIR)$(SYSCONFDIR)/modprobe.d/nlmmap.conf
	for p in $(notdir $(wildcard Documentation/man/*.[1-8])); do \
		rm -f $(DESTDIR)$(MANDIR)/man$${p##*.}/$$p; \
	done

# The committed tree, as DKMS and distributions take it: dkms.conf at the
# top, nothing built.
dist:
	@mkdir -p $(BUILD)
	git ls-files -z | tar --null -T - --transform 's|^|nlmmap-$(VERSION)/|' \
		-czf $(BUILD)/nlmmap-$(VERSION).tar.gz
	@echo "$(BUILD)/nlmmap-$(VERSION).tar.gz"

clean:
	rm -rf $(BUILD)
	find net tests -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
		-o -name '.*.cmd' -o -name 'modules.order' | xargs rm -f
