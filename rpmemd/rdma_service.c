/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_service.c -- the service thread of rpmemd's RDMA server
 * (rdma_service.h)
 *
 * One service thread owns every lane while it runs: it polls each lane's
 * own CQ (no lock, nothing shared between lanes but the thread) and, while
 * a lane is within its spin window, keeps polling, so a client persisting
 * in a loop has its next GPSPM request answered without a scheduler
 * wake-up.  Past every window it arms the CQs and sleeps in poll() on the
 * CQs' shared completion channel, the CM event channel and an eventfd that
 * rpmemd_rdma_delete() uses to stop it, with a 100 ms tick.
 *
 * The window is per lane, tied to the gap measured between that lane's
 * requests: at least RPMEMD_SPIN_US after a request, and twice the
 * lane's recent gap while that gap is under RPMEMD_SPIN_MAX_US / 2.  A
 * fixed window shorter than a wake-up makes the loop bistable: once one
 * round trip is slow (a preempted CPU), the daemon sleeps before the next
 * request, its wake-up makes the client's spin run out too, whose
 * wake-up makes the next request come late again -- every request then
 * pays two wake-ups (measured in the rxe VM, where waking an idle vCPU
 * costs milliseconds: GPSPM p50 3.8 ms instead of 0.1 ms with a 200 us
 * window).  A window that covers the lane's gap answers the next request
 * at once and the loop returns to the fast mode.  A lane whose requests
 * come further apart than RPMEMD_SPIN_MAX_US / 2 is idle: it gets the
 * minimum, and its wake-ups are not worth a spinning CPU.
 *
 * With RPMEMD_SPIN_YIELD=1 a pass that finds nothing yields the CPU
 * (sched_yield), for a target whose clients or RDMA software path (rxe)
 * share the daemon's CPUs.  Off by default: measured in the rxe VM with
 * the daemon on its own vCPU it only added the syscall to the time to
 * notice a request (GPSPM 64 B p50 104-109 us against 65-96 us without,
 * three interleaved rounds), and with client and daemon on one vCPU it did
 * not help either (0.69 ms against 0.58 ms): the client's spin, not the
 * daemon's, holds the CPU there.
 *
 * Why one thread and not one per lane: a thread per lane that spins costs
 * a CPU per busy lane (on a 2-CPU target, 4 lanes would starve the
 * clients and the device's software path), and one that sleeps costs a
 * wake-up per request, the thing the spin avoids.  One poller spins for
 * all lanes at the price of one CPU at most, and serves the lanes one
 * after the other, which a flush-and-reply of microseconds allows.
 *
 * Its priority: while two or more lanes are busy (a request in the last
 * RPMEMD_SPIN_BUSY_NS), the thread runs at service-nice (-10 by default),
 * and at the nice it started with otherwise.  Serving every lane, it is
 * the one thread all of them wait for; at equal weight the scheduler
 * gives it only its fair share of a CPU among the clients' threads, the
 * device's software path and whatever else shares the target's CPUs, and
 * every lane's requests then queue behind that share.  Measured in the
 * rxe VM (2 vCPUs, client and target on one node, GPSPM 64 B): at nice 0,
 * 4 and 8 lanes did 0.2-0.75x the persists per second of 1 lane; at -10,
 * 0.76-2.4x (2-3x the 8-lane rate of nice 0).  One busy lane is left at
 * its nice: raised, its single client thread's wake-ups and the device's
 * deferred work lost CPU to our spin (1 lane: a quarter fewer ops/s over
 * 11 rounds).  Raising needs CAP_SYS_NICE or an RLIMIT_NICE that allows it;
 * refused, the thread says so once and stays where it is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fault_inject.h"
#include "gpspm_serve.h"
#include "log.h"
#include "rdma_accept.h"
#include "rdma_service.h"
#include "rdma_spin.h"
#include "rpmem_os.h"

#define RPMEMD_TICK_MS 100	/* notice shutdown at least this often */
/*
 * Busy-poll at least this long after a lane's request (RPMEMD_SPIN_US)
 * before sleeping: a client persisting in a loop sends its next request
 * within a few us on real hardware, and a sleep costs a wake-up per
 * request (5-20 us on hardware, milliseconds under TCG emulation).  The
 * CPU is only burnt while a client is active.
 */
#define RPMEMD_SPIN_US_DEFAULT 200
/*
 * The most a lane's window grows to (RPMEMD_SPIN_MAX_US): above the
 * wake-up of an idle CPU (tens of us on hardware, milliseconds in the rxe
 * VM), so the window can cover a round trip that paid one; 0 keeps the
 * fixed RPMEMD_SPIN_US window (the policy before, for measuring).
 */
#define RPMEMD_SPIN_MAX_US_DEFAULT 10000
#define RPMEMD_SPIN_US_MAX 1000000u
#define RPMEMD_CM_CHECK_NS 10000000ull	/* CM events while busy: 10 ms */
#define RPMEMD_NICE_CHECK_NS 1000000ull	/* busy lanes counted: 1 ms */

/* spin_yield -- RPMEMD_SPIN_YIELD=1 yields in empty passes (default 0) */
static int
spin_yield(void)
{
	const char *s = getenv("RPMEMD_SPIN_YIELD");

	if (s == NULL || s[0] == '\0' || strcmp(s, "0") == 0)
		return 0;
	if (strcmp(s, "1") == 0)
		return 1;
	RPMEMD_LOG(WARN, "ignoring invalid RPMEMD_SPIN_YIELD='%.32s' (not 0 "
		"or 1), using 0", s);
	return 0;
}

/* spin_ns -- RPMEMD_SPIN_US / RPMEMD_SPIN_MAX_US in ns (invalid: def) */
static uint64_t
spin_ns(const char *name, unsigned def)
{
	unsigned us;

	if (rpmem_env_us(name, def, RPMEMD_SPIN_US_MAX, &us))
		RPMEMD_LOG(WARN, "ignoring invalid %s='%.32s' (not a number of "
			"microseconds up to %u), using %u", name, getenv(name),
			RPMEMD_SPIN_US_MAX, def);
	return us * 1000ull;
}

/* poll_all -- one pass over every lane's CQ; CQEs consumed */
static int
poll_all(struct rpmemd_rdma *rdma)
{
	int n = 0;

	for (unsigned i = 0; i < rdma->nactive; i++) {
		struct rpmemd_lane *lane = rdma->active[i];
		uint64_t served = lane->requests;
		int got = rpmemd_gpspm_serve_cq(rdma, lane);

		if (got == 0)
			continue;
		n += got;
		uint64_t now = rpmem_now_ns();
		uint64_t until = lane->requests != served ?
			rpmemd_spin_request(&rdma->spin, &lane->spin, now) :
			now + rdma->spin.min_ns;
		if (until > rdma->spin_until_ns)
			rdma->spin_until_ns = until;
	}
	return n;
}

/* cq_events -- read and ack the completion channel's events */
static void
cq_events(struct rpmemd_rdma *rdma)
{
	struct ibv_cq *cq;
	void *ctx;

	while (ibv_get_cq_event(rdma->cch, &cq, &ctx) == 0) {
		((struct rpmemd_lane *)ctx)->armed = 0;
		/* ack now: ibv_destroy_cq waits for every event's ack */
		ibv_ack_cq_events(cq, 1);
	}
}

/* arm_all -- request a notification from every CQ not yet armed */
static void
arm_all(struct rpmemd_rdma *rdma)
{
	for (unsigned i = 0; i < rdma->nactive; i++) {
		struct rpmemd_lane *lane = rdma->active[i];

		if (!lane->armed && ibv_req_notify_cq(lane->cq, 0) == 0)
			lane->armed = 1;
	}
}

/*
 * check_fds -- look at the completion and CM channels and the wake fd,
 * waiting up to timeout_ms; 1 when one of them had something
 */
static int
check_fds(struct rpmemd_rdma *rdma, int timeout_ms)
{
	struct pollfd pfd[3] = {
		{ .fd = rdma->cch->fd, .events = POLLIN },
		{ .fd = rdma->evch->fd, .events = POLLIN },
		{ .fd = rdma->wake_fd, .events = POLLIN },
	};
	uint64_t v;

	if (poll(pfd, 3, timeout_ms) <= 0)
		return 0;
	if (pfd[0].revents)
		cq_events(rdma);
	if (pfd[1].revents)
		rpmemd_rdma_cm_events(rdma);
	if (pfd[2].revents)
		(void) !read(rdma->wake_fd, &v, sizeof(v));
	return 1;
}

/*
 * service_nice_set -- this thread's nice (a Linux thread has its own);
 * 0 or an errno value.  Not a fault-injection point: when it runs depends
 * on the timing of requests, and a sweep needs a fixed sequence of
 * points; a refusal is tested for real (CAP_SYS_NICE dropped, e2e_test).
 */
static int
service_nice_set(int nice)
{
	return setpriority(PRIO_PROCESS, (id_t)gettid(), nice) ? errno : 0;
}

/*
 * service_nice -- count the busy lanes; two or more: take service-nice,
 * fewer: go back to the nice the thread started with (the file's header
 * says why)
 */
static void
service_nice(struct rpmemd_rdma *rdma, uint64_t now)
{
	unsigned busy = 0;

	rdma->nice.checked_ns = now;
	for (unsigned i = 0; i < rdma->nactive; i++)
		busy += (unsigned)rpmemd_spin_busy(&rdma->active[i]->spin,
			now);
	int raise = busy >= 2;
	/*
	 * only ever a raise: going back from a nice above the start one
	 * would be the privileged step, refused where the raise was not
	 */
	if (raise == rdma->nice.raised || rdma->nice.refused ||
			rdma->nice.service >= rdma->nice.base)
		return;

	int to = raise ? rdma->nice.service : rdma->nice.base;
	int err = service_nice_set(to);
	if (err) {
		rdma->nice.refused = 1;
		RPMEMD_LOG(WARN, "service thread stays at nice %d: "
			"setpriority(%d): %s (service-nice needs "
			"CAP_SYS_NICE or an RLIMIT_NICE of at least %d); "
			"with the clients on this node, several busy lanes "
			"then get fewer GPSPM persists done", raise ?
			rdma->nice.base : rdma->nice.service, to,
			strerror(err), 20 - to);
		return;
	}
	rdma->nice.raised = raise;
	rdma->nice.changes++;
	rpmemd_log(rdma->nice.changes == 1 ? RPMEMD_LOG_INFO :
		RPMEMD_LOG_DBG, "service thread at nice %d: %u lanes busy",
		to, busy);
}

/* service_thread -- CM events and GPSPM requests until told to stop */
static void *
service_thread(void *arg)
{
	struct rpmemd_rdma *rdma = arg;
	uint64_t last_cm = rpmem_now_ns();

	errno = 0;
	rdma->nice.base = getpriority(PRIO_PROCESS, (id_t)gettid());
	if (errno)
		rdma->nice.base = 0;
	if (rdma->nice.service > rdma->nice.base)
		RPMEMD_LOG(NOTICE, "service-nice %d would lower the service "
			"thread's priority (rpmemd runs at nice %d): it keeps "
			"its nice", rdma->nice.service, rdma->nice.base);
	rdma->spin_until_ns = last_cm + rdma->spin.min_ns;
	while (!atomic_load_explicit(&rdma->stop, memory_order_acquire)) {
		int got = poll_all(rdma);
		uint64_t now = rpmem_now_ns();

		if (now - rdma->nice.checked_ns >= RPMEMD_NICE_CHECK_NS)
			service_nice(rdma, now);
		if (got > 0 || now < rdma->spin_until_ns) {
			/* keep accepting/closing lanes under steady load */
			if (now - last_cm >= RPMEMD_CM_CHECK_NS) {
				check_fds(rdma, 0);
				last_cm = now;
			}
			/* nothing now: let whoever waits for this CPU run */
			if (got == 0 && rdma->spin_yield)
				(void) sched_yield();
			continue;
		}
		arm_all(rdma);
		/* a CQE may have landed between the last poll and arming */
		if (poll_all(rdma) > 0)
			continue;
		if (!check_fds(rdma, RPMEMD_TICK_MS))
			continue;	/* the tick: nothing to spin for */
		/* woken up: spin again, a burst of requests tends to follow */
		last_cm = rpmem_now_ns();
		if (last_cm + rdma->spin.min_ns > rdma->spin_until_ns)
			rdma->spin_until_ns = last_cm + rdma->spin.min_ns;
	}
	return NULL;
}

/* rpmemd_rdma_service_start -- see rdma_service.h */
int
rpmemd_rdma_service_start(struct rpmemd_rdma *rdma)
{
	int ret;

	rdma->spin.min_ns = spin_ns("RPMEMD_SPIN_US", RPMEMD_SPIN_US_DEFAULT);
	rdma->spin.max_ns = spin_ns("RPMEMD_SPIN_MAX_US",
		RPMEMD_SPIN_MAX_US_DEFAULT);
	rdma->spin_yield = spin_yield();
	ret = RPMEM_FI_RET("pthread_create", EAGAIN);
	if (ret == 0)
		ret = pthread_create(&rdma->thread, NULL, service_thread,
			rdma);
	if (ret) {
		RPMEMD_LOG(ERR, "pthread_create: %s", strerror(ret));
		return RPMEM_ST_NOMEM;
	}
	rdma->thread_started = 1;
	return 0;
}

/* rpmemd_rdma_service_stop -- see rdma_service.h */
void
rpmemd_rdma_service_stop(struct rpmemd_rdma *rdma)
{
	uint64_t one = 1;

	if (!rdma->thread_started)
		return;
	atomic_store_explicit(&rdma->stop, 1, memory_order_release);
	(void) !write(rdma->wake_fd, &one, sizeof(one));
	(void) pthread_join(rdma->thread, NULL);
	if (rdma->nice.changes)
		RPMEMD_LOG(INFO, "service thread changed its nice %u times "
			"(service-nice %d, started at %d)", rdma->nice.changes,
			rdma->nice.service, rdma->nice.base);
}
