/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nlmmap - memory-mapped RX/TX rings for generic netlink sockets.
 */

/**
 * DOC: nlmmap frame protocol
 *
 * This header is the one place where the frame protocol is written down.
 * It describes version 1 of the interface (uAPI v1): the bind command, the
 * setup call, the control page and the ioctl code 0xB8. Binaries written
 * for what came before get ENOTTY from every ioctl.
 *
 * SETUP
 *
 *   fd = open("/dev/nlmmap", O_RDWR);
 *   // Bind: send NLMMAP_CMD_BIND with NLMMAP_A_RING_FD = fd on the
 *   // NETLINK_GENERIC socket. The kernel binds the ring file to the
 *   // socket that sent the request, under the port id it sent from.
 *   struct nlmmap_setup s = { .size = sizeof(s), .rx = {...}, .tx = {...} };
 *   ioctl(fd, NLMMAP_IOC_SETUP, &s);
 *   map = mmap(NULL, s.off.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
 *   // RX ring at map + s.off.rx, TX ring at map + s.off.tx, control page
 *   // (struct nlmmap_ctrl) at map + s.off.ctrl.
 *
 * NLMMAP_IOC_SETUP sets up (or, with a zero geometry, removes) both rings
 * in one call, and reports back the features of this kernel and where each
 * part lies in the mapping (today: RX ring at 0, TX ring after it, the
 * control page after that; use the offsets). It is extensible as
 * openat2()'s struct open_how and clone3()'s struct clone_args are: the
 * caller sets size to the size of the struct it knows (at least
 * NLMMAP_SETUP_SIZE_V1, EINVAL otherwise) and passes the ioctl number of
 * that struct, which encodes the same size (EINVAL when they differ): the
 * kernel finds the ioctl whatever the size bits, so a program built
 * against a later header reaches it with its larger struct; a size above
 * the page size gives E2BIG. Fields the
 * kernel does not know must be zero (E2BIG otherwise); the kernel writes
 * its answer into the caller's size only; unknown flag bits,
 * non-zero reserved fields and bad geometry give EINVAL. The per-ring
 * choices are here, not in module parameters: NLMMAP_SETUP_TX_COPY
 * (always copy TX frames before processing them), dump_resume_pct (when a
 * paused dump goes on, 0 for the default 50), and the wake-up policy:
 * a reader asleep in poll() is woken by the wake_frames-th frame published
 * since it went to sleep, or wake_usecs after the first of them,
 * whichever comes first (NLMMAP_FEAT_WAKE_BATCH). wake_frames 0 or 1
 * (the default) wakes it for every frame, for the lowest latency; more
 * trades latency, at most wake_usecs, for fewer wake-ups and system
 * calls. wake_frames > 1 needs wake_usecs 1..NLMMAP_WAKE_USECS_MAX and
 * at most the RX ring's frames; wake_usecs alone must be 0. poll() always
 * reports what is readable at once: only the wake-up of a sleeper waits.
 *
 * Size of a ring = nm_block_size * nm_block_nr. Geometry: nm_block_size is a
 * multiple of the page size, nm_frame_size is at least NLMMAP_HDRLEN and a
 * multiple of NLMMAP_ALIGNMENT, no larger than a block, and
 * nm_frame_nr == (nm_block_size / nm_frame_size) * nm_block_nr; frames do
 * not cross blocks. A ring of zero blocks removes that ring. Geometry
 * cannot change while the rings are mapped (EBUSY); setting up a ring
 * again discards whatever its frames held.
 *
 * Binding proves ownership: the port id is the one netlink stamped on the
 * request, which exists only while the socket is hashed under it.
 * Trusting the port id getsockname() reports would let anyone take over
 * the port id of a socket whose bind() had failed with EADDRINUSE.
 *
 * The mapping is never executable (PROT_EXEC: EPERM), is not inherited by
 * fork() (the child has no mapping; MADV_DOFORK is refused), and its pages
 * cannot be taken by get_user_pages(), the lockless GUP-fast included: the
 * VMA is VM_PFNMAP | VM_IO, which get_user_pages() refuses, and its PTEs
 * are special (pte_special, set by remap_pfn_range()), which GUP-fast
 * refuses. So process_vm_readv() and process_vm_writev() fail on it
 * (EFAULT), /proc/PID/mem and ptrace() peeks and pokes too (EIO), and so
 * does any I/O that would take its pages (EFAULT): vmsplice() of it into
 * a pipe, O_DIRECT reads into it and writes from it (also through Linux
 * AIO and io_uring, registered buffer or not). MADV_DONTNEED is refused on
 * it (EINVAL). Copies through the CPU (read(), write(), recv() into the
 * ring by the mapping process) work as on any memory.
 *
 * FRAMES
 *
 * Each frame starts with struct nl_mmap_hdr from <linux/netlink.h> (the
 * layout of the 3.10-4.5 netlink mmap, unchanged) and carries one netlink
 * message at NLMMAP_HDRLEN. nm_status holds a NLMMAP_STATUS_* value, which
 * equals the NL_MMAP_STATUS_* value of the same name.
 *
 * OWNERSHIP AND ORDERING (RX: kernel produces, application consumes)
 *
 *   UNUSED   owned by the kernel; free for the next message.
 *   RESERVED owned by the kernel; a producer is writing the message.
 *   VALID    owned by the application; nm_len bytes of message follow.
 *   COPY     owned by the application; the message did not fit into a
 *            frame and waits on the netlink socket: recv() it now.
 *            nm_len is its length, nm_group the nlmsg_seq and nm_pid the
 *            nlmsg_type of its first header: a message on the socket that
 *            does not match came without a frame (the generic netlink
 *            core's own acks and errors for requests sent on the socket)
 *            and is the application's too, in the order it arrived.
 *   SKIP     owned by the application, which holds it for later; the
 *            kernel passes over it. Setting UNUSED releases it, at any
 *            time.
 *
 * Positions. The kernel hands out frames in ring order. It counts every
 * frame it reserves or passes over (a held frame) in ctrl->rx_head, a
 * free-running 32-bit position that it stores with release semantics
 * after the frame's RESERVED state (nlmmap_ctrl_rx_head() loads it with
 * acquire semantics). The reader keeps its own free-running position pos
 * (and the frame index pos maps to, wrapping at nm_frame_nr), and at the
 * frame there:
 *
 *   VALID, COPY        reads it, then releases it (UNUSED) or holds it
 *                      (SKIP), and moves on;
 *   RESERVED           stops: later frames were reserved after it;
 *   UNUSED, SKIP       loads rx_head; if (__s32)(rx_head - pos) > 0 the
 *                      kernel has passed this position, so it loads the
 *                      status once more and, if it is still UNUSED or
 *                      SKIP, moves on (a frame held, or held and released,
 *                      that the kernel went around); otherwise it stops:
 *                      nothing new yet.
 *
 * (nlmmap_rx_next() below is that rule.) So messages to one socket are
 * seen in the order their producers reserved frames, whatever the reader
 * holds and releases and when, and a COPY frame keeps the place of its
 * socket message in that order. The kernel passes at most
 * NLMMAP_SKIP_BUDGET held frames for one message: a reader that holds
 * more frames in a row than that may see a message dropped (counted and
 * signalled as an overrun) although the ring has room further on.
 *
 * The kernel writes header and message, then stores nm_status with release
 * semantics. The application loads nm_status with acquire semantics
 * (nlmmap_frame_status() below) before it reads anything else of the
 * frame, and gives the frame back with a release store
 * (nlmmap_frame_release()) after its last access. The kernel does the
 * mirror image (smp_load_acquire()/smp_store_release()).
 *
 * TX (application produces, kernel consumes)
 *
 * The application waits for an UNUSED frame at its TX head, writes one
 * netlink request at NLMMAP_HDRLEN (of the nlmmap family, or of a family
 * a kernel module registered for the ring, such as nlmmap_queue's
 * verdicts, where NLMMAP_FEAT_TX_FAMILIES is reported; other types get
 * EPROTONOSUPPORT), sets nm_len, and
 * publishes it with nlmmap_frame_publish(..., VALID). Then it
 * kicks: ioctl(fd, NLMMAP_IOC_KICK) or poll(). The kernel consumes VALID
 * frames in order from its own TX head and sets each UNUSED when done,
 * at most NLMMAP_TX_BUDGET frames per kick or poll() (a kick returns how
 * many it consumed: kick again while frames remain). A BENCH request
 * through the TX ring may ask for at most NLMMAP_TX_BENCH_BYTES of
 * messages (E2BIG otherwise); larger runs go through the socket, where
 * they are killable and hold no lock of the ring.
 * Replies, errors and requested acks arrive as ordinary netlink messages
 * (through the RX ring if there is one, else the socket).
 *
 * The kernel never trusts a frame: nm_len and every netlink length are
 * read once and checked against bounds it keeps itself. A frame is
 * processed in place only while the mapping is exclusive (one VMA, the
 * file not shared, one user of the mm, and no VMA of the ring was ever
 * added by fork(), a split or mremap() since the ring was mapped); it is
 * copied first otherwise. A request of another family (nlmmap_queue's
 * verdicts) is always copied before that family parses it.
 * Invalid frames are counted and answered with an error, and hurt only
 * their owner.
 *
 * DUMPS
 *
 * A dump (NLM_F_DUMP) requested by a socket with an RX ring, through the
 * TX ring or on the socket, is answered in the RX ring: NLM_F_MULTI
 * messages, then NLMSG_DONE, nothing on the socket but the messages behind
 * COPY frames. The kernel fills the ring and pauses; it goes on when the
 * reader calls poll() (or NLMMAP_IOC_KICK) and the frame at the kernel's
 * head is free or held, once either the frame the share dump_resume_pct
 * (chosen at setup, default half) of the ring ahead of that head is free
 * again, or the reader has read every frame the kernel reserved (whatever
 * it holds). So a reader that follows the rule above and has nothing left
 * to read always gets the dump going from its poll(), whichever frames it
 * holds (short of all of them): the dump passes held frames as any
 * message does. Each poll() or kick produces at most NLMMAP_DUMP_BUDGET
 * messages, and poll() reports POLLIN while a dump has more to produce at
 * once. NLM_F_DUMP_INTR marks messages sent after the dumped table
 * changed. One dump per ring at a time; a second one is refused with
 * EBUSY. A RING_GET dump lists the rings whose socket belongs to the
 * requester's user, or every ring of the namespace for CAP_NET_ADMIN in
 * it.
 *
 * WAKEUPS AND ERRORS
 *
 * poll() on the nlmmap fd: POLLIN when the RX head is VALID or COPY or the
 * socket has data, POLLOUT when the TX head is UNUSED, POLLERR after an
 * overrun. A reader that keeps up is never woken: the kernel wakes only
 * sleepers. When the RX ring is full a message is dropped, counted (the
 * ring's DROPPED and the socket's sk_drops, which ss and /proc/net/netlink
 * show), and so is a message whose sender already holds its share of
 * the ring (at most half of the frames the other senders leave; counted
 * in QUOTA_DROPPED too): one user's flood cannot take the frames another
 * user's message needs. Replies to the socket's own requests and the
 * kernel's own relayed events (rtnetlink, the audit log) keep to no
 * share; they count against the users'. The
 * overrun is signalled: POLLERR on this fd (cleared by
 * NLMMAP_IOC_CLEAR_ERR, which returns the number of drops) and, unless
 * the socket has NETLINK_NO_ENOBUFS set, ENOBUFS from the next recv() on
 * the socket, as netlink does on overrun.
 *
 * Ring memory is charged to the process that sets the ring up: memcg, and
 * RLIMIT_MEMLOCK (its own limit) through its user's locked_vm unless it
 * has CAP_IPC_LOCK (ENOMEM when over the limit). A setup remembers the
 * user and the amount it charged and gives back exactly that, whoever
 * removes the rings; a new setup by the same user counts the old rings'
 * charge as free.
 *
 * 32-bit programs (i386 on an x86-64 kernel with IA32 emulation) use the
 * device, its ioctls, the mapping and the frames exactly as 64-bit ones
 * do: every structure has one layout for both (see struct nlmmap_offsets).
 *
 * Who may open /dev/nlmmap (mode 0666) is the administrator's choice, as
 * with io_uring_disabled: the module parameter disabled is 0 (everyone),
 * 1 (CAP_NET_ADMIN, or members of the group given by the parameter group)
 * or 2 (nobody); open() fails with EPERM otherwise.
 */
#ifndef _UAPI_LINUX_NLMMAP_H
#define _UAPI_LINUX_NLMMAP_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/netlink.h>

#define NLMMAP_DEVICE		"/dev/nlmmap"
#define NLMMAP_GENL_NAME	"nlmmap"
#define NLMMAP_GENL_VERSION	1

/* Frame states; the values of enum nl_mmap_status. */
#define NLMMAP_STATUS_UNUSED	0
#define NLMMAP_STATUS_RESERVED	1
#define NLMMAP_STATUS_VALID	2
#define NLMMAP_STATUS_COPY	3
#define NLMMAP_STATUS_SKIP	4

#define NLMMAP_ALIGNMENT	NLMSG_ALIGNTO
#define NLMMAP_ALIGN(len)	(((len) + NLMMAP_ALIGNMENT - 1) & \
				 ~(NLMMAP_ALIGNMENT - 1))
#define NLMMAP_HDRLEN		NLMMAP_ALIGN(sizeof(struct nl_mmap_hdr))

/* Limits on geometry, per ring. */
#define NLMMAP_MAX_BLOCK_SIZE	(1U << 22)
#define NLMMAP_MAX_RING_SIZE	(1U << 28)
#define NLMMAP_MAX_FRAME_NR	(1U << 20)

/* Work the kernel does per message, per kick or per poll(). */
#define NLMMAP_SKIP_BUDGET	64	/* held frames passed per message */
#define NLMMAP_TX_BUDGET	64	/* TX frames per kick or poll() */
#define NLMMAP_DUMP_BUDGET	256	/* dump frames per kick or poll() */
#define NLMMAP_TX_BENCH_BYTES	(1U << 18) /* BENCH through the TX ring */

/* NLMMAP_IOC_SETUP */
#define NLMMAP_SETUP_TX_COPY	(1U << 0)	/* copy every TX frame first */
#define NLMMAP_SETUP_FLAGS	NLMMAP_SETUP_TX_COPY

#define NLMMAP_FEAT_RX_HEAD	(1U << 0)	/* ctrl->rx_head, the reader's rule */
#define NLMMAP_FEAT_BIND_GENL	(1U << 1)	/* NLMMAP_CMD_BIND */
#define NLMMAP_FEAT_BUDGETS	(1U << 2)	/* NLMMAP_*_BUDGET per call */
#define NLMMAP_FEAT_NO_ENOBUFS	(1U << 3)	/* NETLINK_NO_ENOBUFS honoured */
#define NLMMAP_FEAT_WAKE_BATCH	(1U << 4)	/* wake_frames, wake_usecs */
#define NLMMAP_FEAT_DUMP_PACK	(1U << 5)	/* many dump messages per frame */
#define NLMMAP_FEAT_RELAY	(1U << 6)	/* NLMMAP_CMD_SUBSCRIBE */
#define NLMMAP_FEAT_RELAY_IOC	(1U << 7)	/* NLMMAP_IOC_SUBSCRIBE, by name,
						 * and NLMMAP_CMD_SUB_GET
						 */
#define NLMMAP_FEAT_TX_FAMILIES	(1U << 8)	/* TX frames carry requests of
						 * registered families too
						 * (nlmmap_queue's verdicts)
						 */

#define NLMMAP_WAKE_USECS_MAX	1000000	/* one second */

/*
 * Each structure of this header has the same layout for i386 and x86-64,
 * so 32-bit programs on a 64-bit kernel make the same calls. The 64-bit
 * fields lie at multiples of 8 and no structure has padding: the layout
 * is the same whether u64 is 8-byte aligned (x86-64, and __aligned_u64
 * everywhere) or 4-byte aligned (i386's plain __u64, which the first v1
 * header had). The module and the selftests check every size and offset.
 */
struct nlmmap_offsets {
	__aligned_u64	rx;	/* RX ring */
	__aligned_u64	tx;	/* TX ring */
	__aligned_u64	ctrl;	/* struct nlmmap_ctrl */
	__aligned_u64	size;	/* length to mmap() */
};

struct nlmmap_setup {
	__u32	size;		/* in: sizeof(struct nlmmap_setup) */
	__u32	flags;		/* in: NLMMAP_SETUP_* */
	struct nl_mmap_req rx;	/* in: RX geometry, all zero for none */
	struct nl_mmap_req tx;	/* in: TX geometry, all zero for none */
	__u32	dump_resume_pct; /* in: 1..100, 0 for 50 */
	__u32	wake_frames;	/* in: wake a sleeper every N frames, 0: 1 */
	__u32	wake_usecs;	/* in: or this long after the first frame */
	__u32	features;	/* out: NLMMAP_FEAT_* */
	struct nlmmap_offsets off; /* out */
	__aligned_u64	resv[4]; /* must be zero */
};

#define NLMMAP_SETUP_SIZE_V1	120	/* the smallest size the kernel takes */

/* The control page, mapped after the TX ring. */
#define NLMMAP_CTRL_SIZE	4096
struct nlmmap_ctrl {
	__u32	rx_head;	/* kernel: RX positions reserved or passed */
	__u32	__reserved[15];
};

/* 0xB8 is free in Documentation/userspace-api/ioctl/ioctl-number.rst of
 * 6.1.
 */
#define NLMMAP_IOC_MAGIC	0xB8
/* Set up both rings (see SETUP above). */
#define NLMMAP_IOC_SETUP	_IOWR(NLMMAP_IOC_MAGIC, 1, struct nlmmap_setup)
/* Process pending TX frames; returns the number processed. */
#define NLMMAP_IOC_KICK		_IO(NLMMAP_IOC_MAGIC, 4)
/* Clear the overrun condition; returns the drops it covered. */
#define NLMMAP_IOC_CLEAR_ERR	_IO(NLMMAP_IOC_MAGIC, 5)
/* The port id the file is bound to; ENOTCONN unbound, EPIPE after the
 * socket's release. BIND is done when its sendmsg() returns, so this
 * tells its outcome even when the ack was lost to a full socket.
 */
#define NLMMAP_IOC_BOUND	_IOR(NLMMAP_IOC_MAGIC, 6, __u32)

/*
 * Relay a multicast group into the RX ring of the bound socket, with the
 * caller's credentials judged in the socket's namespace, and those of the
 * ring file's opener and of the socket's opener too: each must be allowed
 * to join the group, or the answer is the source's refusal (EPERM), as
 * NLMMAP_CMD_SUBSCRIBE on the socket does. EDQUOT: the socket's owner
 * would hold subscriptions to more than the module's relay_user_listeners
 * (namespace, protocol, group) listeners. This is the way to generic
 * netlink groups: a request of the "nlmmap" family runs under the generic
 * netlink core's lock, which joining a generic netlink group takes again.
 * With @family set (SUBSCRIBE only), @protocol must be NETLINK_GENERIC
 * and @group 0: the kernel resolves the family's multicast group @name
 * and returns its number in @group (frames of the group carry it in
 * nm_group). UNSUBSCRIBE takes the number, not the name: @family empty
 * and @group as SUBSCRIBE returned it (a struct reused from a by-name
 * SUBSCRIBE gets EINVAL). Both ioctls return 0 on success. The struct is
 * extensible as struct nlmmap_setup is: size at least
 * NLMMAP_SUBSCRIPTION_SIZE_V1 and the size the ioctl number encodes (else
 * EINVAL), at most the page size (else E2BIG), unknown fields zero.
 */
#define NLMMAP_SUB_NAMSIZ	16	/* GENL_NAMSIZ */
struct nlmmap_subscription {
	__u32	size;		/* in: sizeof(struct nlmmap_subscription) */
	__u32	protocol;	/* in: NETLINK_* */
	__u32	group;		/* in: group number; out: with @family */
	__u32	flags;		/* in: must be zero */
	char	family[NLMMAP_SUB_NAMSIZ]; /* in: generic netlink family */
	char	name[NLMMAP_SUB_NAMSIZ];   /* in: its multicast group */
};

#define NLMMAP_SUBSCRIPTION_SIZE_V1	48

#define NLMMAP_IOC_SUBSCRIBE	_IOWR(NLMMAP_IOC_MAGIC, 7, \
				      struct nlmmap_subscription)
#define NLMMAP_IOC_UNSUBSCRIBE	_IOW(NLMMAP_IOC_MAGIC, 8, \
				     struct nlmmap_subscription)

/* Generic netlink commands of the "nlmmap" family. */
enum nlmmap_cmd {
	NLMMAP_CMD_UNSPEC,
	NLMMAP_CMD_GET,		/* module version and statistics */
	NLMMAP_CMD_RING_GET,	/* counters of the caller's ring */
	NLMMAP_CMD_BENCH,	/* kernel sends COUNT messages of SIZE bytes */
	NLMMAP_CMD_BENCH_MSG,	/* one message of the benchmark source */
	NLMMAP_CMD_ECHO,	/* answers with the PAYLOAD it was sent */
	NLMMAP_CMD_BIND,	/* bind the ring file RING_FD to this socket */
	NLMMAP_CMD_SUBSCRIBE,	/* relay multicast GROUP of PROTOCOL into
				 * this socket's ring (the socket only;
				 * NETLINK_GENERIC groups through
				 * NLMMAP_IOC_SUBSCRIBE)
				 */
	NLMMAP_CMD_UNSUBSCRIBE,	/* stop relaying it */
	NLMMAP_CMD_SUB_GET,	/* dump: subscriptions of the rings the
				 * caller may see (its own; every ring of
				 * the namespace with CAP_NET_ADMIN)
				 */
	__NLMMAP_CMD_MAX,
};

#define NLMMAP_CMD_MAX (__NLMMAP_CMD_MAX - 1)

enum nlmmap_attr {
	NLMMAP_A_UNSPEC,
	NLMMAP_A_VERSION,	/* u32 */
	NLMMAP_A_STATS,		/* nest of NLMMAP_S_* */
	NLMMAP_A_RING,		/* nest of NLMMAP_R_* */
	NLMMAP_A_COUNT,		/* u32: BENCH message count */
	NLMMAP_A_SIZE,		/* u32: BENCH payload size */
	NLMMAP_A_SEQ,		/* u32: BENCH_MSG sequence number */
	NLMMAP_A_PAYLOAD,	/* binary */
	NLMMAP_A_PAD,
	NLMMAP_A_RING_FD,	/* u32: BIND, a /dev/nlmmap fd of the sender */
	NLMMAP_A_STAMP,		/* flag: BENCH payloads start with the
				 * CLOCK_MONOTONIC time in ns (u64) at which
				 * the kernel wrote them; SIZE >= 8
				 */
	NLMMAP_A_PROTOCOL,	/* u32: SUBSCRIBE, a NETLINK_* protocol */
	NLMMAP_A_GROUP,		/* u32: SUBSCRIBE, its group number (1..) */
	NLMMAP_A_SUB,		/* nest of NLMMAP_SUB_*: SUB_GET */
	__NLMMAP_A_MAX,
};

#define NLMMAP_A_MAX (__NLMMAP_A_MAX - 1)

/* Module-wide statistics (u64 each, NLMMAP_A_PAD aligned). */
enum nlmmap_stat {
	NLMMAP_S_UNSPEC,
	NLMMAP_S_RINGS,		/* open ring files */
	NLMMAP_S_BOUND,		/* of those, bound to a socket */
	NLMMAP_S_MAPPED,	/* of those, mapped */
	NLMMAP_S_RING_BYTES,	/* ring memory allocated */
	NLMMAP_S_DELIVERED,	/* RX frames published with messages (a
				 * dump frame holds many)
				 */
	NLMMAP_S_COPIED,	/* messages sent through the socket (COPY) */
	NLMMAP_S_DROPPED,	/* messages dropped on a full ring (or
				 * over their sender's share)
				 */
	NLMMAP_S_TX_INPLACE,	/* TX frames processed in place */
	NLMMAP_S_TX_COPIED,	/* TX frames copied before processing */
	NLMMAP_S_TX_INVALID,	/* TX frames refused */
	NLMMAP_S_SKIPPED,	/* held RX frames the kernel passed over */
	NLMMAP_S_WAKEUPS,	/* wake-ups of a reader asleep in poll() */
	NLMMAP_S_RELAYED,	/* multicast events relayed into frames */
	NLMMAP_S_LISTENERS,	/* relay listeners (namespace, protocol,
				 * group) running
				 */
	NLMMAP_S_QUOTA_DROPPED,	/* of the dropped, those refused a free
				 * frame by their sender's share
				 */
	__NLMMAP_S_MAX,
};

#define NLMMAP_S_MAX (__NLMMAP_S_MAX - 1)

/* Per-ring attributes in NLMMAP_A_RING; counters use NLMMAP_S_* too. */
enum nlmmap_ring_attr {
	NLMMAP_R_UNSPEC,
	NLMMAP_R_PORTID,	/* u32 */
	NLMMAP_R_RX_FRAMES,	/* u32 */
	NLMMAP_R_TX_FRAMES,	/* u32 */
	NLMMAP_R_FRAME_SIZE,	/* u32 of RX */
	NLMMAP_R_STATS,		/* nest of NLMMAP_S_DELIVERED.. */
	__NLMMAP_R_MAX,
};

#define NLMMAP_R_MAX (__NLMMAP_R_MAX - 1)

/* One subscription in NLMMAP_A_SUB; counters are u64. */
enum nlmmap_sub_attr {
	NLMMAP_SUB_UNSPEC,
	NLMMAP_SUB_PORTID,	/* u32: the subscribed ring's socket */
	NLMMAP_SUB_PROTOCOL,	/* u32 */
	NLMMAP_SUB_GROUP,	/* u32 */
	NLMMAP_SUB_FAMILY,	/* string: generic netlink family, by name */
	NLMMAP_SUB_NAME,	/* string: its group's name */
	NLMMAP_SUB_RELAYED,	/* events written into frames */
	NLMMAP_SUB_COPIED,	/* events larger than a frame, sent COPY */
	NLMMAP_SUB_DROPPED,	/* events lost to this ring being full (or
				 * over their sender's share of it)
				 */
	NLMMAP_SUB_LOST,	/* events the relay itself lost (its
				 * listener's receive buffer) while this
				 * subscription ran; also counted in
				 * DROPPED and signalled as an overrun
				 */
	NLMMAP_SUB_PAD,
	__NLMMAP_SUB_MAX,
};

#define NLMMAP_SUB_MAX (__NLMMAP_SUB_MAX - 1)

#ifndef __KERNEL__
/*
 * Userspace side of the barriers described above. The kernel side uses
 * smp_load_acquire() and smp_store_release() on the same field.
 */
/* Offset of frame @idx in a ring of geometry @req (frames fill blocks). */
static inline unsigned long nlmmap_frame_offset(const struct nl_mmap_req *req,
						unsigned int idx)
{
	unsigned int per_block = req->nm_block_size / req->nm_frame_size;

	return (unsigned long)(idx / per_block) * req->nm_block_size +
	       (unsigned long)(idx % per_block) * req->nm_frame_size;
}

static inline struct nl_mmap_hdr *nlmmap_frame(void *ring,
					       const struct nl_mmap_req *req,
					       unsigned int idx)
{
	return (struct nl_mmap_hdr *)((char *)ring +
				      nlmmap_frame_offset(req, idx));
}

/* Load nm_status before reading anything else of the frame. */
static inline unsigned int nlmmap_frame_status(const struct nl_mmap_hdr *hdr)
{
	return __atomic_load_n(&hdr->nm_status, __ATOMIC_ACQUIRE);
}

/* Store nm_status after the last write to (or read of) the frame. */
static inline void nlmmap_frame_publish(struct nl_mmap_hdr *hdr,
					unsigned int status)
{
	__atomic_store_n(&hdr->nm_status, status, __ATOMIC_RELEASE);
}

/* Give an RX frame (VALID, COPY or SKIP) back to the kernel. */
static inline void nlmmap_frame_release(struct nl_mmap_hdr *hdr)
{
	nlmmap_frame_publish(hdr, NLMMAP_STATUS_UNUSED);
}

static inline void *nlmmap_frame_data(struct nl_mmap_hdr *hdr)
{
	return (char *)hdr + NLMMAP_HDRLEN;
}

/* The control page of mapping @map, at the offset SETUP answered. */
static inline struct nlmmap_ctrl *nlmmap_ctrl(void *map,
					      const struct nlmmap_offsets *off)
{
	return (struct nlmmap_ctrl *)((char *)map + off->ctrl);
}

/* Load the kernel's RX position before the status of a frame behind it. */
static inline __u32 nlmmap_ctrl_rx_head(const struct nlmmap_ctrl *ctrl)
{
	return __atomic_load_n(&ctrl->rx_head, __ATOMIC_ACQUIRE);
}

/*
 * The reader's rule at its position @pos (frame @hdr): returns the status
 * to act on. VALID or COPY: read the frame; NLMMAP_STATUS_SKIP: move on
 * without reading (the kernel went around this frame); UNUSED or RESERVED:
 * stop, nothing to read yet.
 */
static inline unsigned int nlmmap_rx_next(const struct nlmmap_ctrl *ctrl,
					  const struct nl_mmap_hdr *hdr,
					  __u32 pos)
{
	unsigned int status = nlmmap_frame_status(hdr);

	if (status != NLMMAP_STATUS_UNUSED && status != NLMMAP_STATUS_SKIP)
		return status;
	if ((__s32)(nlmmap_ctrl_rx_head(ctrl) - pos) <= 0)
		return NLMMAP_STATUS_UNUSED;
	status = nlmmap_frame_status(hdr);
	if (status == NLMMAP_STATUS_UNUSED)
		return NLMMAP_STATUS_SKIP;
	return status;
}
#endif /* !__KERNEL__ */

#endif /* _UAPI_LINUX_NLMMAP_H */
