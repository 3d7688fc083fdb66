/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fault_test.c -- faults and hostile peers against the real rpmemd,
 * started through the ssh transport (RPMEM_SSH = fake-ssh, as in
 * e2e_test.c) and served over RDMA on RPMEM_TEST_TARGET_ADDR:
 *
 *   client_kill  a client persisting on several lanes is SIGKILLed; rpmemd
 *                must end the session and unlock the pool, and every range
 *                whose persist had returned (logged by the child as it
 *                goes) must read back from a new session
 *   target_kill  rpmemd is SIGKILLed under lanes persisting in threads:
 *                every lane's next call fails (ECONNRESET/ETIMEDOUT)
 *                within RPMEM_TIMEOUT_MS, rpmem_close returns
 *   target_stop  (GPSPM) rpmemd SIGSTOPped: its QPs live on, requests go
 *                unanswered, every lane's call ends in ETIMEDOUT after
 *                RPMEM_TIMEOUT_MS
 *   foreign      raw rdma_cm peers on the daemon's port without (or with a
 *                wrong, or a truncated) secret are rejected; the real
 *                session keeps working
 *   raw          a raw control session (rpmemd on pipes, no librpmem)
 *                knows the secret: a truncated private data, a lane out of
 *                range, a wrong version, a second connect of a lane are
 *                rejected, the right one accepted; and rpmemd's
 *                timeout-ms ends a session no lane ever connects to
 *   fork         a process with an open pool forks (child _exit()s or
 *                execs true); the parent keeps persisting, bytes verified
 *   link_down    (with --rig-link) the target's network link goes down
 *                under lanes persisting in threads: every call fails
 *                within RPMEM_TIMEOUT_MS, rpmem_close returns (the link
 *                stays down: run it last, in a VM boot of its own)
 *
 * usage: fault_test --method apm|gpspm --ssh FAKE_SSH --rpmemd RPMEMD
 *                   [--rig-link RIG_LINK] [--only NAME]
 * Prints "ok N - what" / "not ok N - what: detail"; exits 1 on a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "hostile_peer.h"
#include "librpmem.h"
#include "rig.h"
#include "rpmem_proto.h"
#include "tap.h"

#define KiB ((size_t)1024)
#define MiB ((size_t)1024 * 1024)
#define HDR ((size_t)4096)
#define LOCAL_SIZE (16 * MiB)
#define NLANES 4
#define REGION (2 * MiB)		/* per lane in client_kill */
#define KILL_POOL (HDR + NLANES * REGION)
#define MIN_RECORDS 16			/* acknowledged before the kill */
#define TARGET_TIMEOUT_MS 4000		/* RPMEM_TIMEOUT_MS in target_kill */
#define RAW_TIMEOUT_MS 2000		/* rpmemd timeout-ms in raw */
#define HANG_MS 20000			/* generous bound on recovery */

static const char *Method;
static const char *Only;
static const char *Target;
static const char *Rpmemd;
static const char *RigLink;	/* test/rdma/rig-link: network loss */
static struct rig Rig;		/* everything of the target side */
/* rpmemd with the config of RAW_TIMEOUT_MS, for the raw sessions */
static char RawCmd[3 * PATH_MAX];

/* ------------------------------------------------------------------ */
/* target side files */

/* make_set -- a one-part pool set with a header, size bytes */
static void
make_set(const char *name, size_t size)
{
	struct rig_set set;

	rig_set_make(&Rig, &set, name, RIG_HDRS, 1, &size);
}

static void
drop_set(const char *name)
{
	char path[PATH_MAX + 64];

	(void) rpmem_remove(Target, name, RPMEM_REMOVE_FORCE);
	snprintf(path, sizeof(path), "%s/%s", Rig.sets, name);
	unlink(path);
}

/* wait_dead -- up to ms for pid to exit; the time it took, or -1 */
static double
wait_dead(pid_t pid, double ms)
{
	double t0 = now_ms();

	while (!rig_proc_dead(pid)) {
		if (now_ms() - t0 > ms)
			return -1;
		usleep(5000);
	}
	return now_ms() - t0;
}

/* open_retry -- rpmem_open, retried on EBUSY (a session still closing) */
static int OpenTries;

static RPMEMpool *
open_retry(const char *set, size_t size, unsigned *nl, double *took)
{
	double t0 = now_ms();
	RPMEMpool *rpp;

	OpenTries = 0;
	for (;;) {
		OpenTries++;
		unsigned n = *nl;

		rpp = rpmem_open(Target, set, Pool, size, &n, NULL);
		if (rpp != NULL) {
			*nl = n;
			break;
		}
		if (errno != EBUSY || now_ms() - t0 > HANG_MS)
			break;
		usleep(100 * 1000);
	}
	*took = now_ms() - t0;
	return rpp;
}

/* attr_make -- recognizable pool attributes (a header needs them) */
static void
attr_make(struct rpmem_pool_attr *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->signature, "FAULTPL", 8);
	a->major = 1;
	a->uuid[0] = 0x42;
}

/* create -- rpmem_create with attributes */
static RPMEMpool *
create(const char *set, size_t size, unsigned *nl)
{
	struct rpmem_pool_attr a;

	attr_make(&a);
	return rpmem_create(Target, set, Pool, size, nl, &a);
}

/* ------------------------------------------------------------------ */
/* client_kill */

/* one acknowledged persist, appended by the child after it returned */
struct ack_rec {
	uint64_t off;
	uint64_t len;
	uint64_t seed;
};

static int AckFd = -1;
static RPMEMpool *ChildRpp;

/*
 * ack_lane -- append-only through the lane's own region: an unacknowledged
 * persist in flight at the kill never overlaps an acknowledged range
 */
static void *
ack_lane(void *arg)
{
	unsigned lane = (unsigned)(uintptr_t)arg;
	size_t off = HDR + lane * REGION;
	size_t end = off + REGION;
	uint64_t st = 0x51ed27ull + lane;

	for (;;) {
		size_t len = 64 + (size_t)(rnd(&st) % (32 * KiB));
		struct ack_rec r = { off, len, rnd(&st) | 1 };
		uint64_t s = r.seed;

		if (off + len > end)
			break;
		fill(Pool + off, len, &s);
		if (rpmem_persist(ChildRpp, off, len, lane)) {
			printf("# child lane %u: errno %d '%s'\n", lane, errno,
				rpmem_errormsg());
			break;
		}
		/* O_APPEND: one small write lands whole */
		if (write(AckFd, &r, sizeof(r)) != (ssize_t)sizeof(r))
			break;
		off += len;
	}
	return NULL;
}

/* child_persist -- the client that gets killed; never returns */
static int
child_persist(const char *set, const char *ackpath)
{
	pthread_t th[NLANES];
	unsigned nl = NLANES;

	AckFd = open(ackpath, O_WRONLY | O_APPEND | O_CLOEXEC);
	ChildRpp = create(set, KILL_POOL, &nl);
	if (AckFd < 0 || ChildRpp == NULL || nl < NLANES) {
		printf("# child: create: errno %d '%s' (%u lanes)\n", errno,
			rpmem_errormsg(), nl);
		fflush(stdout);
		_exit(1);
	}
	for (unsigned i = 0; i < NLANES; i++)
		pthread_create(&th[i], NULL, ack_lane, (void *)(uintptr_t)i);
	for (unsigned i = 0; i < NLANES; i++)
		pthread_join(th[i], NULL);
	/* all regions full before the kill: wait for it, never clean up */
	for (;;)
		pause();
}

static void
t_client_kill(void)
{
	const char *set = "clientkill.set";
	char ackpath[PATH_MAX];
	struct ack_rec *recs = NULL;
	RPMEMpool *rpp = NULL;
	unsigned nl = NLANES;
	size_t nrec = 0, bytes = 0, bad = 0;
	struct stat sb;
	double t0, took, kill_ms;
	pid_t child, dpid;
	int st, fd;

	make_set(set, KILL_POOL);
	snprintf(ackpath, sizeof(ackpath), "%s/acks", Rig.dir);
	fd = open(ackpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	unlink(Rig.pidfile);

	/* a fresh process: a fork of one that used rdma_cm cannot use it */
	fflush(stdout);
	child = fork();
	if (child == 0) {
		execl("/proc/self/exe", "fault_test", "--method", Method,
			"--ssh", getenv("RPMEM_SSH"), "--rpmemd", Rpmemd,
			"--child-persist", set, "--acks", ackpath,
			(char *)NULL);
		_exit(127);
	}
	if (!expect(child > 0, "client_kill: child started"))
		goto out;

	/* enough acknowledged persists on the way, then a random moment */
	t0 = now_ms();
	while (stat(ackpath, &sb) == 0 &&
	    (size_t)sb.st_size < MIN_RECORDS * sizeof(struct ack_rec) &&
	    now_ms() - t0 < 60000 && waitpid(child, &st, WNOHANG) == 0)
		usleep(2000);
	{
		struct timespec ts = { 0, 0 };

		/* random per run, logged: a failure names its moment */
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t s = (uint64_t)ts.tv_nsec | 1;
		kill_ms = (double)(rnd(&s) % 400);
	}
	usleep((useconds_t)(kill_ms * 1000));
	dpid = rig_rpmemd_pid(&Rig);
	if (!expect(kill(child, SIGKILL) == 0 &&
			waitpid(child, &st, 0) == child && WIFSIGNALED(st) &&
			WTERMSIG(st) == SIGKILL, "client_kill: client "
			"SIGKILLed mid-persist (%.0f ms after %d acknowledged "
			"persists)", kill_ms, MIN_RECORDS))
		goto out;

	/* rpmemd reads end of input, closes the session, exits */
	took = dpid > 0 ? wait_dead(dpid, HANG_MS) : -1;
	if (dpid <= 0)
		detail("no rpmemd pid in %s", Rig.pidfile);
	expect(took >= 0, "client_kill: rpmemd (pid %d) exited %.0f ms after "
		"the kill", (int)dpid, took);

	rpp = open_retry(set, KILL_POOL, &nl, &took);
	if (!expect(rpp != NULL, "client_kill: the pool reopens after %.0f ms "
			"(%d tries)", took, OpenTries))
		goto out;

	fd = open(ackpath, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &sb) == 0 && sb.st_size > 0) {
		recs = malloc((size_t)sb.st_size);
		if (recs != NULL && read(fd, recs, (size_t)sb.st_size) ==
				sb.st_size)
			nrec = (size_t)sb.st_size / sizeof(*recs);
	}
	if (fd >= 0)
		close(fd);

	uint8_t *want = malloc(64 * KiB);
	uint8_t *got = malloc(64 * KiB);

	for (size_t i = 0; i < nrec && want && got; i++) {
		uint64_t s = recs[i].seed;
		size_t off = recs[i].off, len = recs[i].len;
		unsigned lane = (unsigned)((off - HDR) / REGION) % nl;

		if (len > 64 * KiB || off + len > KILL_POOL) {
			bad++;
			detail("garbage record %zu", i);
			continue;
		}
		fill(want, len, &s);
		memset(got, 0x5a, len);
		if (rpmem_read(rpp, got, off, len, lane) ||
		    !same(got, want, len, off)) {
			if (bad++ == 0 && Detail[0] == '\0')
				detail("rpmem_read(%zu, %zu): errno %d '%s'",
					off, len, errno, rpmem_errormsg());
			continue;
		}
		bytes += len;
	}
	expect(nrec >= MIN_RECORDS && bad == 0, "client_kill: all %zu "
		"acknowledged ranges read back (%zu bytes checked)", nrec,
		bytes);
	printf("# client_kill: acknowledged bytes checked: %zu (%zu "
		"ranges)\n", bytes, nrec);
	free(want);
	free(got);
	free(recs);
	expect(rpmem_close(rpp) == 0, "client_kill: rpmem_close");
out:
	unlink(ackpath);
	drop_set(set);
}

/* ------------------------------------------------------------------ */
/* target_kill */

struct tk_lane {
	RPMEMpool *rpp;
	unsigned lane;
	atomic_int ok;		/* persists that succeeded */
	double fail_ms;		/* duration of the first failing call */
	int fail_errno;
	int msg_ok;		/* rpmem_errormsg() non-empty then */
	double next_ms;		/* the call after it */
	int next_errno;
	char msg[160];
};

static void *
tk_worker(void *arg)
{
	struct tk_lane *l = arg;
	size_t off = HDR + l->lane * 64 * KiB;
	double t0 = now_ms(), t;

	for (;;) {
		t = now_ms();
		if (rpmem_persist(l->rpp, off, 4 * KiB, l->lane))
			break;
		atomic_fetch_add(&l->ok, 1);
		/* the kill comes within seconds: this is the hang bound */
		if (t - t0 > 120000) {
			l->fail_errno = 0;
			l->fail_ms = -1;
			return NULL;
		}
	}
	l->fail_ms = now_ms() - t;
	l->fail_errno = errno;
	snprintf(l->msg, sizeof(l->msg), "%s", rpmem_errormsg());
	l->msg_ok = l->msg[0] != '\0';
	t = now_ms();
	if (rpmem_persist(l->rpp, off, 4 * KiB, l->lane) == 0)
		l->next_errno = 0;
	else
		l->next_errno = errno;
	l->next_ms = now_ms() - t;
	return NULL;
}

static int
conn_errno(int e)
{
	return e == ECONNRESET || e == ETIMEDOUT;
}

/* link_down -- RigLink (test/rdma/rig-link) down; 0 on success */
static int
link_down(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "%s down", RigLink);
	return system(cmd);
}

/*
 * t_target -- sig SIGKILL: the kernel tears rpmemd's QPs down (ECONNRESET
 * at once); SIGSTOP: a hung daemon whose QPs live on, so GPSPM requests go
 * unanswered and only RPMEM_TIMEOUT_MS ends the calls (ETIMEDOUT); 0: the
 * network goes away (the target's link is taken down: no ACK, no DREQ
 * ever comes back), the RC retries run out (ECONNRESET) or the timeout
 * ends the wait (ETIMEDOUT)
 */
static void
t_target(int sig)
{
	const char *name = sig == SIGKILL ? "target_kill" :
		sig == SIGSTOP ? "target_stop" : "link_down";
	const char *set = "target.set";
	struct tk_lane l[NLANES];
	pthread_t th[NLANES];
	unsigned nl = NLANES;
	RPMEMpool *rpp;
	double t0, worst = 0, worst_next = 0, bound;
	char tmo[16];
	pid_t dpid = 0;
	int r, e, allok = 1, down = 0;

	if (sig == SIGSTOP && strcmp(Method, "apm") == 0) {
		/* APM persists need no daemon CPU: they go on succeeding */
		printf("# target_stop: GPSPM only\n");
		return;
	}
	make_set(set, HDR + NLANES * 64 * KiB);
	unlink(Rig.pidfile);
	snprintf(tmo, sizeof(tmo), "%d", TARGET_TIMEOUT_MS);
	/* read at create, by the data path and the control channel */
	setenv("RPMEM_TIMEOUT_MS", tmo, 1);
	rpp = create(set, HDR + NLANES * 64 * KiB, &nl);
	unsetenv("RPMEM_TIMEOUT_MS");
	if (!expect(rpp != NULL && nl == NLANES, "%s: rpmem_create (%u "
			"lanes)", name, nl))
		goto out;
	dpid = rig_rpmemd_pid(&Rig);
	memset(l, 0, sizeof(l));
	for (unsigned i = 0; i < NLANES; i++) {
		l[i].rpp = rpp;
		l[i].lane = i;
		atomic_init(&l[i].ok, 0);
		fill(Pool + HDR + i * 64 * KiB, 4 * KiB, &Rng);
		pthread_create(&th[i], NULL, tk_worker, &l[i]);
	}
	/* every lane busy, then the signal */
	t0 = now_ms();
	for (unsigned i = 0; i < NLANES; i++) {
		while (atomic_load(&l[i].ok) < 3 && now_ms() - t0 < 30000)
			usleep(1000);
	}
	usleep(50 * 1000);
	if (sig == 0) {
		down = 1;
		expect(link_down() == 0, "%s: the target's link goes down "
			"while %d lanes persist", name, NLANES);
	}
	else
		expect(dpid > 0 && kill(dpid, sig) == 0, "%s: rpmemd (pid %d) "
			"gets %s while %d lanes persist", name, (int)dpid,
			strsignal(sig), NLANES);
	for (unsigned i = 0; i < NLANES; i++)
		pthread_join(th[i], NULL);
	for (unsigned i = 0; i < NLANES; i++) {
		if (l[i].fail_ms > worst)
			worst = l[i].fail_ms;
		if (l[i].next_ms > worst_next)
			worst_next = l[i].next_ms;
		if (l[i].fail_ms < 0 || !conn_errno(l[i].fail_errno) ||
		    !l[i].msg_ok || !conn_errno(l[i].next_errno)) {
			allok = 0;
			detail("lane %u: %d ok, failing call %.0f ms errno %d "
				"(%s) '%s', next call errno %d", i,
				atomic_load(&l[i].ok), l[i].fail_ms,
				l[i].fail_errno, strerror(l[i].fail_errno),
				l[i].msg, l[i].next_errno);
		} else {
			printf("# lane %u: %d ok, failed in %.0f ms: %s: %s; "
				"next call %.0f ms: %s\n", i,
				atomic_load(&l[i].ok), l[i].fail_ms,
				strerror(l[i].fail_errno), l[i].msg,
				l[i].next_ms, strerror(l[i].next_errno));
		}
	}
	expect(allok, "%s: every lane's call fails with ECONNRESET or "
		"ETIMEDOUT and a message, and so does the next one", name);
	/*
	 * a hang bound: the timeout plus slack for sanitizers and TCG.  Not
	 * after a link loss on rxe: its ibv_post_send runs the requester in
	 * the caller's context, and with the link down on 6.1 one post was
	 * seen blocked in the kernel for 45 s (the call then failed with the
	 * retry error, without ever reaching our timed wait).  There only
	 * "no hang" is checked: 60 s.
	 */
	bound = sig == 0 ? 60000 : TARGET_TIMEOUT_MS + 5000;
	if (worst > bound || worst_next > bound)
		detail("%.0f / %.0f ms", worst, worst_next);
	expect(worst <= bound && worst_next <= bound, "%s: longest failing "
		"call %.0f ms (RPMEM_TIMEOUT_MS %d), next calls at most %.0f "
		"ms", name, worst, TARGET_TIMEOUT_MS, worst_next);
	printf("# %s: longest failing call: %.0f ms\n", name, worst);
	t0 = now_ms();
	r = rpmem_close(rpp);
	e = errno;
	t0 = now_ms() - t0;
	errno = e;
	/*
	 * a stopped daemon: lane disconnects (at most 2 s), the CLOSE
	 * response times out (TARGET_TIMEOUT_MS), no ssh grace after that,
	 * TERM, 1 s, KILL, at most 1 s: ~8 s
	 */
	expect(t0 <= 2 * TARGET_TIMEOUT_MS + 4000, "%s: rpmem_close "
		"returns %d (%s) in %.0f ms", name, r, r ? strerror(e) : "ok",
		t0);
	if (down) {
		/*
		 * not a check: on 6.1 the target's rpmemd can hang in the
		 * kernel (uninterruptible cm_destroy_id, see rig-link), which
		 * is what the bounded rpmem_close above is for
		 */
		t0 = wait_dead(dpid, 5000);
		printf("# %s: rpmemd (pid %d) %s\n", name, (int)dpid, t0 < 0 ?
			"still tearing its QPs down 5 s after rpmem_close" :
			"exited after rpmem_close");
	}
out:
	if (dpid > 0 && !rig_proc_dead(dpid)) {
		kill(dpid, SIGKILL);
		kill(dpid, SIGCONT);
		(void) wait_dead(dpid, HANG_MS);
	}
	drop_set(set);
}

/* ------------------------------------------------------------------ */
/* foreign */

/* t_link_down -- network loss (needs --rig-link) */
static void
t_link_down(void)
{
	if (RigLink == NULL) {
		printf("# link_down: needs --rig-link (inside the VM rig)\n");
		return;
	}
	t_target(0);
}

static void
t_foreign(void)
{
	const char *set = "foreign.set";
	size_t size = HDR + 1 * MiB;
	uint8_t pd[HOSTILE_PDATA_MAX], secret[RPMEM_SECRET_LEN];
	unsigned nl = 2, port;
	RPMEMpool *rpp;
	int rejects0 = rig_log_count(&Rig, "rejecting a connection");
	uint64_t s = 0xf0e1ull;

	make_set(set, size);
	memset(Pool, 0, size);
	memset(Shadow, 0, size);
	rpp = create(set, size, &nl);
	if (!expect(rpp != NULL, "foreign: rpmem_create"))
		goto out;
	expect(put(rpp, HDR, 64 * KiB, 0) == 0, "foreign: persist before");
	port = hostile_port_from_log(Rig.log);
	if (!expect(port > 0, "foreign: the daemon's port from its log: %u",
			port))
		goto close;

	fill(secret, sizeof(secret), &s);
	hostile_expect_rejected(Target, port, NULL, 0, "foreign: no private data");
	fill(pd, sizeof(pd), &s);
	hostile_expect_rejected(Target, port, pd, 56, "foreign: 56 random bytes");
	hostile_expect_rejected(Target, port, pd,
		hostile_pdata(pd, RPMEM_PROTO_VERSION, 0,
		secret, RPMEM_CONN_PDATA_SIZE),
		"foreign: right magic and version, wrong secret, lane 0");
	hostile_expect_rejected(Target, port, pd,
		hostile_pdata(pd, RPMEM_PROTO_VERSION, 1,
		secret, 8), "foreign: header only (8 bytes), lane 1");
	hostile_expect_rejected(Target, port, pd,
		hostile_pdata(pd, RPMEM_PROTO_VERSION, 0,
		secret, RPMEM_CONN_PDATA_SIZE - 1),
		"foreign: 23 bytes");
	memset(secret, 0, sizeof(secret));
	hostile_expect_rejected(Target, port, pd,
		hostile_pdata(pd, RPMEM_PROTO_VERSION, 0,
		secret, RPMEM_CONN_PDATA_SIZE),
		"foreign: all-zero secret");
	expect(rig_log_count(&Rig, "rejecting a connection") - rejects0 == 6,
		"foreign: rpmemd logged 6 rejections (%d)",
		rig_log_count(&Rig, "rejecting a connection") - rejects0);

	/* the real session did not notice */
	expect(put(rpp, HDR + 64 * KiB, 64 * KiB, 1 % nl) == 0 &&
		put(rpp, HDR, 4 * KiB, 0) == 0 &&
		read_cmp(rpp, HDR, 128 * KiB, 0) &&
		read_cmp(rpp, HDR, 128 * KiB, 1 % nl),
		"foreign: the real session persists and reads on");
close:
	expect(rpmem_close(rpp) == 0, "foreign: rpmem_close");
out:
	drop_set(set);
}

/* ------------------------------------------------------------------ */
/* raw: a control session without librpmem */

static void
t_raw(void)
{
	const char *set = "raw.set";
	size_t size = HDR + 1 * MiB;
	struct rpmem_msg resp, m;
	struct rpmem_resp_pool *rs = &resp.u.pool_resp;
	struct rpmem_pool_attr attr;
	struct hostile_ctl r;
	struct hostile_cm c;
	uint8_t pd[HOSTILE_PDATA_MAX], sec[RPMEM_SECRET_LEN];
	RPMEMpool *rpp;
	unsigned nl;
	double took;
	int st, ev;

	make_set(set, size);
	attr_make(&attr);
	if (!expect(hostile_ctl_start(&r, RawCmd, HANG_MS) == 0,
			"raw: rpmemd on pipes says HELLO"))
		goto out;
	st = hostile_ctl_pool(&r, RPMEM_MSG_CREATE, Target, set, size, 2,
		&attr, &resp);
	if (!expect(st == 0, "raw: CREATE (port %u, %u lanes)", rs->port,
			rs->nlanes))
		goto out;
	memcpy(sec, rs->secret, sizeof(sec));

	/* the secret is right, everything else about the request is not */
	hostile_expect_rejected(Target, rs->port, pd,
		hostile_pdata(pd, RPMEM_PROTO_VERSION,
		0, sec, RPMEM_CONN_PDATA_SIZE - 4),
		"raw: right secret truncated by 4 bytes (20 bytes)");
	hostile_expect_rejected(Target, rs->port, pd,
		hostile_pdata(pd, RPMEM_PROTO_VERSION,
		0, sec, 12), "raw: right secret truncated to 12 bytes");
	hostile_expect_rejected(Target, rs->port, pd,
		hostile_pdata(pd, RPMEM_PROTO_VERSION +
		1, 0, sec, RPMEM_CONN_PDATA_SIZE),
		"raw: right secret, wrong version");
	hostile_expect_rejected(Target, rs->port, pd,
		hostile_pdata(pd, RPMEM_PROTO_VERSION,
		(uint16_t)rs->nlanes, sec, RPMEM_CONN_PDATA_SIZE),
		"raw: right secret, lane out of range");
	/* the control: the same client with all of it right gets in */
	ev = hostile_cm_connect(Target, rs->port, pd, hostile_pdata(pd,
		RPMEM_PROTO_VERSION, 0, sec, RPMEM_CONN_PDATA_SIZE), &c);
	expect(ev == RDMA_CM_EVENT_ESTABLISHED, "raw: right private data "
		"accepted (event %d)", ev);
	hostile_expect_rejected(Target, rs->port, pd,
		hostile_pdata(pd, RPMEM_PROTO_VERSION,
		0, sec, 56), "raw: lane 0 again (56 bytes)");
	if (ev == RDMA_CM_EVENT_ESTABLISHED)
		hostile_cm_disconnect(&c);

	memset(&m, 0, sizeof(m));
	m.type = RPMEM_MSG_CLOSE;
	expect(hostile_ctl_send(&r, &m) == 0 &&
		hostile_ctl_recv(&r, &resp) == 0 &&
		resp.type == RPMEM_MSG_CLOSE_RESP &&
		resp.status == RPMEM_ST_OK, "raw: CLOSE");
	st = hostile_ctl_end(&r, &took);
	expect(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "raw: rpmemd "
		"exits 0 after CLOSE");

	/* timeout-ms: OPEN, then no lane ever connects */
	if (!expect(hostile_ctl_start(&r, RawCmd, HANG_MS) == 0 &&
			hostile_ctl_pool(&r, RPMEM_MSG_OPEN, Target, set,
			size, 2, NULL, &resp) == 0, "raw: OPEN, then no lane"))
		goto out;
	st = hostile_ctl_wait_exit(&r, HANG_MS, &took);
	/* a bound, not a measurement: from well after the deadline */
	if (rig_log_count(&Rig, "no lane connected within 2000 ms") != 1)
		detail("no 'no lane connected' line in the log");
	expect(took >= RAW_TIMEOUT_MS - 200 && took < HANG_MS &&
		rig_log_count(&Rig, "no lane connected within 2000 ms") == 1,
		"raw: rpmemd ends the session %.0f ms after OPEN "
		"(timeout-ms %d)", took, RAW_TIMEOUT_MS);
	/* 1, not a sanitizer's exit code: the session was cleaned up */
	expect(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 1, "raw: ... "
		"with status 1 (0x%x)", st);
	nl = 1;
	rpp = open_retry(set, size, &nl, &took);
	expect(rpp != NULL, "raw: the pool is unlocked (open after %.0f ms)",
		took);
	if (rpp != NULL)
		rpmem_close(rpp);
out:
	(void) hostile_ctl_end(&r, NULL);	/* a session a failure left */
	drop_set(set);
}

/* ------------------------------------------------------------------ */
/* fork */

/* fork_round -- fork (child: exec true, or scribble and _exit) */
static int
fork_round(RPMEMpool *rpp, unsigned nl, int do_exec, size_t size)
{
	pid_t pid;
	int st, ok = 1;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (do_exec) {
			execlp("true", "true", (char *)NULL);
			_exit(127);
		}
		/* the child dirties its copies of heap and stack */
		uint8_t stackbuf[8192];
		uint8_t *heap = malloc(1 * MiB);

		memset(stackbuf, 0xcc, sizeof(stackbuf));
		if (heap != NULL)
			memset(heap, 0xdd, 1 * MiB);
		/* the parent's shadow must not see it */
		Shadow[HDR] ^= 0xff;
		usleep(200 * 1000);
		__asm__ volatile("" : : "r"(stackbuf) : "memory");
		_exit(heap != NULL && stackbuf[100] == 0xcc ? 0 : 1);
	}
	if (pid < 0)
		return 0;
	/* persists and reads while the child is alive, then after */
	for (int i = 0; i < 20 && ok; i++) {
		size_t len = 512 + (size_t)(rnd(&Rng) % (32 * KiB));
		size_t off = HDR + (size_t)(rnd(&Rng) % (size - HDR - len));

		ok = put(rpp, off, len, (unsigned)i % nl) == 0 &&
			read_cmp(rpp, off, len, (unsigned)(i + 1) % nl);
		if (!ok && Detail[0] == '\0')
			detail("round %d: errno %d '%s'", i, errno,
				rpmem_errormsg());
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0) {
		if (ok)
			detail("child status 0x%x", st);
		ok = 0;
	}
	for (int i = 0; i < 10 && ok; i++) {
		size_t len = 4 * KiB;
		size_t off = HDR + (size_t)(rnd(&Rng) % (size - HDR - len));

		ok = put(rpp, off, len, (unsigned)i % nl) == 0;
	}
	return ok && read_cmp(rpp, HDR, size - HDR, 0);
}

static void
t_fork(void)
{
	const char *set = "fork.set";
	size_t size = HDR + 2 * MiB;
	unsigned nl = 2;
	RPMEMpool *rpp;
	double took;

	make_set(set, size);
	memset(Pool, 0, size);
	memset(Shadow, 0, size);
	rpp = create(set, size, &nl);
	if (!expect(rpp != NULL, "fork: rpmem_create"))
		goto out;
	expect(put(rpp, HDR, size - HDR, 0) == 0, "fork: persist the pool");
	expect(fork_round(rpp, nl, 0, size), "fork: child scribbles and "
		"_exit()s; the parent persists and reads on");
	expect(fork_round(rpp, nl, 1, size), "fork: child execs true; the "
		"parent persists and reads on");
	expect(rpmem_close(rpp) == 0, "fork: rpmem_close");

	/* what the target holds, from a new session */
	memset(Pool, 0, size);
	nl = 1;
	rpp = open_retry(set, size, &nl, &took);
	expect(rpp != NULL && read_cmp(rpp, HDR, size - HDR, 0), "fork: the "
		"pool reopens with every byte");
	if (rpp != NULL)
		rpmem_close(rpp);
out:
	drop_set(set);
}

/* ------------------------------------------------------------------ */

#define RUN(call) RIG_RUN(Only, call)

int
main(int argc, char *argv[])
{
	const char *child = NULL, *acks = NULL;
	const struct rig_opt opts[] = {
		{"--rig-link", &RigLink, NULL},
		{"--child-persist", &child, NULL},
		{"--acks", &acks, NULL},
		{NULL, NULL, NULL},
	};
	struct rig_knobs raw;
	struct rig_args a;
	char raw_conf[PATH_MAX];

	rig_args(argc, argv, &a, opts, RIG_NEED_ALL, "usage: fault_test "
		"--method apm|gpspm --ssh FAKE_SSH --rpmemd RPMEMD "
		"[--rig-link RIG_LINK] [--only NAME]");
	Method = a.method;
	Only = a.only;
	Target = a.target;
	Rpmemd = a.rpmemd;
	Pool = map(LOCAL_SIZE);
	Shadow = map(LOCAL_SIZE);
	if (child != NULL && acks != NULL)
		return child_persist(child, acks);
	rig_setup(&Rig, &(struct rig_knobs){.name = "fault", .method = Method,
		.ssh = a.ssh, .rpmemd = Rpmemd}, Target);
	/* the raw sessions' daemon gives up on lanes after RAW_TIMEOUT_MS */
	raw = Rig.k;
	raw.timeout_ms = RAW_TIMEOUT_MS;
	rig_path(&Rig, raw_conf, sizeof(raw_conf), "raw.conf", 0);
	rig_write_conf(&Rig, raw_conf, &raw);
	rig_cmd_text(&Rig, RawCmd, sizeof(RawCmd), raw_conf);

	RUN(t_client_kill());
	RUN(t_target(SIGKILL));	/* target_kill */
	RUN(t_target(SIGSTOP));	/* target_stop */
	RUN(t_foreign());
	RUN(t_raw());
	RUN(t_fork());
	RUN(t_link_down());	/* last: the link stays down */

	return rig_finish(&Rig);
}
