#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# profile.sh WORKLOAD [N] - where the guest kernel's instructions go in one
# section of make bench: boots the stock kernel as tools/bench/run.sh does,
# with the icount plugin counting per translation block in the first run
# of WORKLOAD (e.g. ring-64, dumpring-64), and prints the N (default 25)
# functions, kernel and nlmmap-bench's own (with the libmnl-mmap it links
# statically), that executed most instructions, per message of the
# section. Functions are named from the guest's /proc/kallsyms, which
# nlmmap-bench writes to the VM's second serial port.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${NLMMAP_BUILD:-$TOP/build}
out=$BUILD/bench
want=${1:?usage: profile.sh WORKLOAD [N]}
top=${2:-25}
mkdir -p "$out"

# The section's number: the order of nlmmap-bench's sections is fixed;
# take it from the last make bench, or from a run without profile.
if [ ! -s "$out/sections.txt" ]; then
	echo "profile: run make bench first (it numbers the sections)" >&2
	exit 1
fi
sec=$(awk -v w="$want" '$4 == w { print $3; exit }' "$out/sections.txt")
msgs=$(awk -v w="$want" '$4 == w { print $5; exit }' "$out/sections.txt")
[ -n "$sec" ] || { echo "profile: no workload $want" >&2; exit 1; }

gcc -O2 -Wall -Wextra -shared -fPIC -fvisibility=hidden \
	-o "$out/icount.so" "$TOP/tools/bench/icount.c"
echo "profile: $want is section $sec ($msgs messages); booting"
"$TOP/tools/testing/vm/run.sh" --bench "$out/icount.so,profile=$sec" stock \
	>"$out/profile-vm.log" 2>&1 || { cat "$out/profile-vm.log"; exit 1; }

tr -d '\r' <"$BUILD/vm-stock/results.log" | grep '^ksym' >"$out/ksyms.txt"
grep '^icount: profile' "$BUILD/vm-stock/icount.log" >"$out/profile-raw.txt"
# The program's own symbols, moved to where the guest loaded it.
main=$(tr -d '\r' <"$BUILD/vm-stock/console.log" |
	awk '$1 == "bench:" && $2 == "main" { print $3; exit }')
nm "$BUILD/tools/nlmmap-bench" | awk -v m="$main" '$3 == "main" { print "main", $1, m }
	$2 ~ /^[tT]$/ { print "sym", $1, $3 }' >"$out/usyms.txt"
python3 - "$out/ksyms.txt" "$out/profile-raw.txt" "$msgs" "$top" \
	"$out/usyms.txt" <<'PY' | tee "$out/profile-$want.txt"
import bisect, sys
ksyms, raw, msgs, top, usyms = sys.argv[1:]
syms = [(int(f[1], 16), f[2]) for f in
        (line.split() for line in open(ksyms))]
off = None
for f in (line.split() for line in open(usyms)):
    if f[0] == "main":
        off = int(f[2], 16) - int(f[1], 16)
for f in (line.split() for line in open(usyms)):
    if f[0] == "sym" and off is not None:
        syms.append((int(f[1], 16) + off, f[2] + " (user)"))
syms.sort()
addrs = [a for a, _ in syms]
cost = {}
total = 0
for line in open(raw):
    f = line.split()
    a, n = int(f[2], 16), int(f[3])
    i = bisect.bisect_right(addrs, a) - 1
    name = syms[i][1] if i >= 0 else "?"
    if a < 0xffff800000000000 and "(user)" not in name:
        name = "(user, shared libraries)"
    cost[name] = cost.get(name, 0) + n
    total += n
msgs = int(msgs)
print("%-44s %12s %10s" % ("function", "insns", "per msg"))
for name, n in sorted(cost.items(), key=lambda x: -x[1])[:int(top)]:
    print("%-44s %12d %10.1f" % (name, n, n / msgs))
print("%-44s %12d %10.1f" % ("total", total, total / msgs))
PY
