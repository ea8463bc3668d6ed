/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli.h - what every nlmmap tool does with its command line, the way
 * iproute2's tools do: --help on stdout with exit 0; an unknown option, a
 * missing argument or a malformed number named on stderr with exit 2,
 * before anything is opened or sent; errors that name the cause and the
 * fix.
 */
#ifndef NLMMAP_TOOLS_CLI_H
#define NLMMAP_TOOLS_CLI_H

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Refuse the command line: name what was wrong, point at --help. */
static inline void __attribute__((noreturn, format(printf, 2, 3)))
cli_refuse(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	exit(2);
}

/*
 * An unsigned number of option @opt in [@min, @max]: decimal, or
 * hexadecimal after 0x (a leading 0 is not octal); all of @arg must be
 * the number, no sign, no blank.
 */
static inline unsigned long cli_ulong(const char *prog, const char *opt,
				      const char *arg, unsigned long min,
				      unsigned long max)
{
	int hex = arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X');
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(hex ? arg + 2 : arg, &end, hex ? 16 : 10);
	if (!*arg || (hex && !arg[2]) || *end || errno ||
	    !(hex ? isxdigit((unsigned char)arg[2]) :
		    isdigit((unsigned char)arg[0])) ||
	    v < min || v > max)
		cli_refuse(prog, "invalid number '%s' for %s (expected %lu to %lu)",
			   arg, opt, min, max);
	return v;
}

/* A non-negative decimal number of seconds, fractions allowed. */
static inline double cli_seconds(const char *prog, const char *opt,
				 const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!*arg || *end || errno || !(v >= 0) || v > 1e9)
		cli_refuse(prog, "invalid number of seconds '%s' for %s",
			   arg, opt);
	return v;
}

/*
 * getopt_long()'s own complaint names the option already; add the hint
 * and the exit code. Call for '?' and ':'.
 */
static inline void __attribute__((noreturn)) cli_bad_option(const char *prog)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	exit(2);
}

/* Positional arguments a tool does not take. */
static inline void cli_no_args(const char *prog, int argc, char **argv)
{
	if (optind < argc)
		cli_refuse(prog, "unexpected argument '%s'", argv[optind]);
}

/* What EPERM means when a ring is mapped: who may open /dev/nlmmap. */
#define CLI_EPERM_DEV \
	"check /dev/nlmmap's mode and nlmmap's disabled= and group= parameters"

/*
 * Why a step failed, with the fix where the errno tells it: the module,
 * the memory limit, or @eperm_fix (what the step needs; may be NULL).
 * @err is a positive errno.
 */
static inline void cli_nlmmap_error(const char *prog, const char *what,
				    int err, const char *eperm_fix)
{
	const char *fix = NULL;

	switch (err) {
	case ENOENT:
	case ENODEV:
		fix = "nlmmap.ko is not loaded (modprobe nlmmap)";
		break;
	case EACCES:
	case EPERM:
		fix = eperm_fix;
		break;
	case ENOMEM:
		fix = "out of memory or over RLIMIT_MEMLOCK (ulimit -l)";
		break;
	}
	if (fix)
		fprintf(stderr, "%s: %s: %s: %s\n", prog, what, strerror(err),
			fix);
	else
		fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(err));
}

#endif
