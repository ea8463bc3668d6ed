#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tool-args.sh TOOLDIR - every user tool's command line, checked on the
# host without the module: --help and -h print the same usage on stdout
# and exit 0; an unknown option, a malformed or out-of-range number and a
# stray argument each exit 2 with a message naming it; and none of these
# opens a socket, sends anything or opens /dev/nlmmap (strace sees every
# system call). Prints "ok|FAIL tools/<tool>/<case>"; exits 1 on a failure.
set -u
dir=$1
fails=0
out=$(mktemp) err=$(mktemp) trace=$(mktemp)
trap 'rm -f "$out" "$err" "$trace"' EXIT

# case name, expected exit code, text expected in stdout (help) or stderr
# (refusal), then the command.
try() {
	local name=$1 want=$2 text=$3 rc why=
	shift 3
	strace -f -qq -o "$trace" -e trace=socket,sendto,sendmsg,openat \
		"$@" >"$out" 2>"$err" </dev/null
	rc=$?
	if [ "$rc" != "$want" ]; then
		why="exit $rc, wanted $want"
	elif [ "$want" = 0 ] && ! grep -q -- "$text" "$out"; then
		why="no '$text' on stdout"
	elif [ "$want" != 0 ] && ! grep -q -- "$text" "$err"; then
		why="stderr does not name '$text'"
	elif [ "$want" != 0 ] && [ -s "$out" ]; then
		why="printed on stdout when refusing"
	elif grep -qE 'socket\(|sendto\(|sendmsg\(|/dev/nlmmap' "$trace"; then
		why="opened or sent: $(grep -E 'socket\(|send|/dev/nlmmap' "$trace" | head -1)"
	fi
	if [ -z "$why" ]; then
		echo "ok   tools/$name"
	else
		echo "FAIL tools/$name: $why ($*)"
		sed 's/^/# /' "$err" | head -5
		fails=$((fails + 1))
	fi
}

# tool, then an option with a malformed number, then one out of range.
check() {
	local t=$1 bad=$2 range=$3 help
	[ -x "$dir/$t" ] || { echo "FAIL tools/$t: not built"; fails=$((fails + 1)); return; }
	try "$t/help" 0 "Usage: $t" "$dir/$t" --help
	help=$(cat "$out")
	try "$t/h" 0 "Usage: $t" "$dir/$t" -h
	[ "$help" = "$(cat "$out")" ] ||
		{ echo "FAIL tools/$t/h: -h and --help differ"; fails=$((fails + 1)); }
	try "$t/unknown-option" 2 "no-such-option" "$dir/$t" --no-such-option
	try "$t/stray-argument" 2 "bogus-word" "$dir/$t" bogus-word
	# shellcheck disable=SC2086 # an option and its argument
	[ -z "$bad" ] || try "$t/malformed-number" 2 "abc" "$dir/$t" $bad abc
	# shellcheck disable=SC2086
	[ -z "$bad" ] || try "$t/signed-number" 2 "+1" "$dir/$t" $bad +1
	# shellcheck disable=SC2086
	[ -z "$range" ] || try "$t/out-of-range" 2 "${range##* }" "$dir/$t" $range
}

check nlmmap-audit "-c" "--count 0"
check nlmmap-monitor "--count" "-c -1"
check nlmmap-queue "-q" "-b 0"
check nlmmap-queue "--range" "--queue 70000"
check nlmmap-stats "-e" "--entries 65536"
check nlmmap-flood "--stall" "--stall 0"
check nlmmap-bench "--reps" "--reps 0"
check nlmmap-ringdemo "" ""
# The ring's wake-up options mean nothing on a plain socket.
try nlmmap-queue/wake-with-socket 2 "-w and -W" "$dir/nlmmap-queue" -s -w 4
check nlmmap-demo "" ""
[ "$fails" = 0 ]
