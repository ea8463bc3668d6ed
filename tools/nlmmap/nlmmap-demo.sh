#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The make run demo, run by /init inside the VM.
echo
echo "== nlmmap loaded: $(grep '^nlmmap ' /proc/modules | cut -d' ' -f1-2)," \
	"ring files are opened at $(ls /dev/nlmmap)"
echo
/tests/nlmmap-ringdemo
rc=$?
echo
echo "== the module's counters afterwards (nlmmap-stats):"
/tests/nlmmap-stats
echo
rmmod nlmmap && echo "== nlmmap unloaded cleanly"
exit $rc
