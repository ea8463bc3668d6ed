#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scan-console.sh LOG - exit 1 and print every kernel report in LOG in
# full: KASAN, UBSAN, lockdep, kmemleak, WARNING, BUG, Oops, panics,
# sleeping in atomic context, hung tasks.
set -u
log=$1
pat='BUG:|WARNING:|Oops|KASAN|UBSAN|kmemleak report|unreferenced object|'\
'general protection fault|Kernel panic|sleeping function called from invalid context|'\
'possible recursive locking|possible circular locking|inconsistent lock state|'\
'INFO: task .* blocked|RCU stall|stack-protector|list_add corruption|list_del corruption'
lines=$(grep -naE "$pat" "$log" | cut -d: -f1)
[ -z "$lines" ] && exit 0
echo "=== kernel reports in $log ==="
last=0
for n in $lines; do
	[ "$n" -le "$last" ] && continue
	# A report runs until its end marker or 120 lines, whichever is first.
	end=$(awk -v s="$n" 'NR > s && /---\[ end trace|^=+$|nlmmap-vm: / \
		{ print NR; exit }' "$log")
	[ -n "$end" ] || end=$((n + 120))
	[ "$end" -gt $((n + 120)) ] && end=$((n + 120))
	sed -n "$((n > 5 ? n - 5 : 1)),${end}p" "$log"
	echo "---"
	last=$end
done
exit 1
