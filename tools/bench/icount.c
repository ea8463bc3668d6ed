// SPDX-License-Identifier: GPL-2.0
/*
 * icount - a QEMU TCG plugin (QEMU 7.2, plugin API version 1) that counts
 * guest instructions, kernel and user apart, between markers the guest
 * program executes.
 *
 * Debian ships no qemu-plugin.h, so the few declarations this plugin needs
 * are written below from the documented API of that version.
 *
 * The marker is "xchg %bx,%bx" (66 87 db), which does nothing. The guest
 * executes it at the start and at the end of each measured section; at
 * each end the plugin writes one line to QEMU's log (-d plugin -D FILE):
 *   icount: section N kernel K user U
 * Run the guest with one vCPU: the counters are plain inline additions.
 * Instructions are attributed by the address of their translation block:
 * the upper half of the address space is the kernel's.
 *
 * With the argument profile=N the plugin also counts, for section N only,
 * the instructions of each translation block (kernel and user), and
 * writes them at the end of that section, most first:
 *   icount: profile ADDRESS INSNS
 * (tools/bench/profile.sh names the functions).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- from QEMU 7.2's include/qemu/qemu-plugin.h (API version 1) --- */
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS,
	QEMU_PLUGIN_CB_R_REGS,
	QEMU_PLUGIN_CB_RW_REGS,
};
enum qemu_plugin_op {
	QEMU_PLUGIN_INLINE_ADD_U64,
};
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
					    void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags,
					    void *userdata);
void qemu_plugin_outs(const char *string);
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
#define QEMU_PLUGIN_VERSION 1
/* --- end of declarations --- */

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static const unsigned char marker[] = { 0x66, 0x87, 0xdb };
static uint64_t kernel_insns, user_insns;
static uint64_t start_kernel, start_user;
static unsigned int marks, section;

/* Profile: one record per translated kernel block. */
struct tb_rec {
	uint64_t vaddr, n, count, start;
};
static struct tb_rec **recs;
static size_t nrecs, cap;
static unsigned int profile;	/* the section profiled, 0: none */

static int by_insns(const void *a, const void *b)
{
	const struct tb_rec *x = a, *y = b;
	uint64_t ix = x->count * x->n, iy = y->count * y->n;

	if (x->vaddr != y->vaddr)
		return x->vaddr < y->vaddr ? -1 : 1;
	return ix < iy ? 1 : ix > iy ? -1 : 0;
}

static int by_total(const void *a, const void *b)
{
	const struct tb_rec *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static void profile_mark(bool start)
{
	struct tb_rec *out;
	size_t i, m = 0;
	char line[96];

	for (i = 0; i < nrecs; i++)
		if (start)
			recs[i]->start = recs[i]->count;
	if (start)
		return;
	/* Instructions per block address (a block may be translated
	 * more than once).
	 */
	out = calloc(nrecs + 1, sizeof(*out));
	if (!out)
		return;
	for (i = 0; i < nrecs; i++) {
		out[i] = *recs[i];
		out[i].count = (out[i].count - out[i].start) * out[i].n;
	}
	qsort(out, nrecs, sizeof(*out), by_insns);
	for (i = 0; i < nrecs; i++) {
		if (m && out[m - 1].vaddr == out[i].vaddr)
			out[m - 1].count += out[i].count;
		else
			out[m++] = out[i];
	}
	qsort(out, m, sizeof(*out), by_total);
	for (i = 0; i < m && out[i].count; i++) {
		snprintf(line, sizeof(line), "icount: profile %" PRIx64 " %"
			 PRIu64 "\n", out[i].vaddr, out[i].count);
		qemu_plugin_outs(line);
	}
	free(out);
}

static void on_marker(unsigned int vcpu, void *udata)
{
	char line[128];

	(void)vcpu;
	(void)udata;
	if (!(marks++ % 2)) {
		start_kernel = kernel_insns;
		start_user = user_insns;
		if (profile && section + 1 == profile)
			profile_mark(true);
		return;
	}
	if (profile && section + 1 == profile)
		profile_mark(false);
	snprintf(line, sizeof(line),
		 "icount: section %u kernel %" PRIu64 " user %" PRIu64 "\n",
		 ++section, kernel_insns - start_kernel,
		 user_insns - start_user);
	qemu_plugin_outs(line);
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	bool kernel = qemu_plugin_tb_vaddr(tb) >= 0xffff800000000000ULL;

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 kernel ? &kernel_insns :
						 &user_insns, n);
	if (profile) {
		struct tb_rec *r = calloc(1, sizeof(*r));

		if (r && nrecs == cap) {
			cap = cap ? 2 * cap : 4096;
			recs = realloc(recs, cap * sizeof(*recs));
		}
		if (r && recs) {
			r->vaddr = qemu_plugin_tb_vaddr(tb);
			r->n = n;
			recs[nrecs++] = r;
			qemu_plugin_register_vcpu_tb_exec_inline(tb,
				QEMU_PLUGIN_INLINE_ADD_U64, &r->count, 1);
		}
	}
	if (kernel)
		return;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (qemu_plugin_insn_size(insn) == sizeof(marker) &&
		    !memcmp(qemu_plugin_insn_data(insn), marker, sizeof(marker)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
	}
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info, int argc,
					   char **argv)
{
	int i;

	(void)info;
	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "profile=", 8))
			profile = strtoul(argv[i] + 8, NULL, 10);
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
	return 0;
}
