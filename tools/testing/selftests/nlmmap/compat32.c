// SPDX-License-Identifier: GPL-2.0
/*
 * 32-bit programs: runs compat32_i386 (the uAPI from an i386 program,
 * built -m32 -static and embedded here), whose TAP output is this test's.
 * A kernel that cannot run i386 programs (no IA32 emulation: execve()
 * gives ENOEXEC) makes the test a SKIP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#ifndef COMPAT32_I386
#error "COMPAT32_I386 names the i386 program to embed"
#endif

extern const char compat32_i386[], compat32_i386_end[];

__asm__(".section .rodata\n"
	".balign 16\n"
	"compat32_i386:\n"
	".incbin \"" COMPAT32_I386 "\"\n"
	"compat32_i386_end:\n"
	".previous\n");

static void tap_one(const char *verdict, const char *why, int err)
{
	printf("TAP version 13\n1..1\n%s 1 - i386_program # %s%s%s\n", verdict,
	       why, err ? ": " : "", err ? strerror(err) : "");
}

int main(int argc, char **argv)
{
	size_t len = compat32_i386_end - compat32_i386, off = 0;
	int fd = memfd_create("compat32_i386", MFD_CLOEXEC);
	ssize_t n;

	(void)argc;
	if (fd < 0) {
		tap_one("not ok", "memfd_create", errno);
		return 1;
	}
	for (; off < len; off += n) {
		n = write(fd, compat32_i386 + off, len - off);
		if (n <= 0) {
			tap_one("not ok", "writing the program", errno);
			return 1;
		}
	}
	fflush(stdout);
	fexecve(fd, argv, environ);
	if (errno == ENOEXEC) {
		tap_one("ok", "SKIP this kernel cannot run i386 programs", 0);
		return 0;
	}
	tap_one("not ok", "fexecve", errno);
	return 1;
}
