#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The make run demo, run as /init's payload inside the VM.
echo
echo "== nlmmap loaded: $(grep '^nlmmap ' /proc/modules | cut -d' ' -f1-2)"
ls -l /dev/nlmmap
echo
echo "== asking the module over generic netlink (nlmmap-stats):"
/tests/nlmmap-stats
echo
echo "== with three ring files open:"
exec 3<>/dev/nlmmap 4<>/dev/nlmmap 5<>/dev/nlmmap
/tests/nlmmap-stats | grep 'ring files'
exec 3<&- 4<&- 5<&-
echo
echo "== unloading:"
rmmod nlmmap && echo "nlmmap unloaded cleanly"
