/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ssh.c -- the ssh transport of the control channel
 *
 * The child is started with posix_spawnp(), not fork(): glibc implements it
 * with CLONE_VM|CLONE_VFORK, so nothing of this process is copied.  That
 * matters to an RDMA library: fork() of a process with a large pinned pool
 * can fail with ENOMEM (classic pmem/issues#634) and touches registered
 * memory's copy-on-write state.  The child gets SIGPIPE back at its default
 * disposition, an empty signal mask and no descriptor of ours beyond 0-2.
 *
 * RPMEM_CMD may hold several commands separated by '|' (PMDK's format:
 * libpmemobj with two remote replicas served by differently configured
 * rpmemds relies on it); each connection takes the next one.  PMDK keeps
 * the index in an unlocked global and reads RPMEM_CMD once at load; here a
 * mutex guards the index, and the value is read per connection (programs
 * and this project's tests set it between pools), the rotation restarting
 * at the first command whenever the value changes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* posix_spawn_file_actions_addclosefrom_np */
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "error.h"
#include "fault_inject.h"
#include "ssh.h"

extern char **environ;

#define STDERR_KEEP 1024	/* tail of the remote stderr kept */
#define KILL_WAIT_MS 1000	/* SIGTERM -> SIGKILL */
#define SILENT_GRACE_MS 500	/* close grace after a receive timed out */

static pthread_mutex_t Cmd_lock = PTHREAD_MUTEX_INITIALIZER;
static char *Cmd_value;		/* the RPMEM_CMD the rotation is on */
static unsigned long Cmd_next;	/* its next command, 0-based */

struct rpmem_ssh {
	pid_t pid;
	int fd_in;		/* our end of the child's stdin */
	int fd_out;		/* our end of the child's stdout */
	int fd_err;		/* our end of the child's stderr */
	bool err_eof;
	bool silent;		/* a receive timed out: the daemon is stuck */
	size_t err_len;
	char err_buf[STDERR_KEEP];
};

/* now_ms -- monotonic milliseconds */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* left_ms -- poll() timeout until deadline (-1: none) */
static int
left_ms(long long deadline)
{
	long long left;

	if (deadline < 0)
		return -1;
	left = deadline - now_ms();
	if (left <= 0)
		return 0;
	return left > 0x7fffffff ? 0x7fffffff : (int)left;
}

/* sleep_ms -- a short nap (EINTR just ends it early) */
static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* fd_above_stdio -- move fd to >= 3 so dup2 onto 0..2 cannot clobber it */
static int
fd_above_stdio(int *fd)
{
	int nfd;

	if (*fd > 2)
		return 0;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0)
		return -1;
	close(*fd);
	*fd = nfd;
	return 0;
}

/* socketpair_cloexec -- one stdio channel; both ends close-on-exec */
static int
socketpair_cloexec(int *ours, int *theirs)
{
	int sv[2];

	if (RPMEM_FI("socketpair", EMFILE) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	if (fd_above_stdio(&sv[1])) {
		int err = errno;

		close(sv[0]);
		close(sv[1]);
		errno = err;
		return -1;
	}
	*ours = sv[0];
	*theirs = sv[1];
	return 0;
}

/* close_pair -- close both ends of a channel that exist */
static void
close_pair(int *ours, int *theirs)
{
	if (*ours >= 0)
		close(*ours);
	if (theirs != NULL && *theirs >= 0)
		close(*theirs);
	*ours = -1;
	if (theirs != NULL)
		*theirs = -1;
}

/*
 * spawn -- posix_spawnp the ssh child with fds 0..2 on the child ends;
 * returns 0 or an errno value
 */
static int
spawn(pid_t *pid, const char *prog, char *const argv[], int cin, int cout,
		int cerr)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t def, none;
	int ret;

	ret = posix_spawn_file_actions_init(&fa);
	if (ret)
		return ret;
	ret = posix_spawnattr_init(&attr);
	if (ret)
		goto err_fa_destroy;

	if ((ret = posix_spawn_file_actions_adddup2(&fa, cin, 0)) ||
	    (ret = posix_spawn_file_actions_adddup2(&fa, cout, 1)) ||
	    (ret = posix_spawn_file_actions_adddup2(&fa, cerr, 2)))
		goto err_attr_destroy;
#if defined(__GLIBC__) && \
	(__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	/* also what the application opened without O_CLOEXEC */
	ret = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (ret)
		goto err_attr_destroy;
#endif
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigemptyset(&none);
	if ((ret = posix_spawnattr_setsigdefault(&attr, &def)) ||
	    (ret = posix_spawnattr_setsigmask(&attr, &none)) ||
	    (ret = posix_spawnattr_setflags(&attr,
			POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)))
		goto err_attr_destroy;

	ret = RPMEM_FI_RET("posix_spawnp", EAGAIN);
	if (ret == 0)
		ret = posix_spawnp(pid, prog, &fa, &attr, argv, environ);

err_attr_destroy:
	posix_spawnattr_destroy(&attr);
err_fa_destroy:
	posix_spawn_file_actions_destroy(&fa);
	return ret;
}

/* env_or -- a non-empty environment value or the default */
static const char *
env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return (v != NULL && v[0] != '\0') ? v : def;
}

/* blank -- nothing but white space in [p, p + len) */
static bool
blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)p[i]))
			return false;
	return true;
}

/* rpmem_ssh_cmd_pick -- command idx % n of the RPMEM_CMD value v */
char *
rpmem_ssh_cmd_pick(const char *v, unsigned long idx, unsigned *i,
		unsigned *n)
{
	const char *p, *want = NULL;
	unsigned count = 0;
	size_t want_len = 0;
	char *cmd;

	if (v == NULL || v[0] == '\0')
		v = RPMEM_SSH_CMD_DEFAULT;
	/* all of them first: a bad one is reported whichever is picked */
	for (p = v;; p++) {
		const char *end = strchr(p, RPMEM_SSH_CMD_SEP);
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (blank(p, len)) {
			rpmem_err_set("RPMEM_CMD='%.100s': command %u is "
				"empty ('%c' separates commands, so a shell "
				"pipe or '%c%c' cannot be used in RPMEM_CMD)",
				v, count + 1, RPMEM_SSH_CMD_SEP,
				RPMEM_SSH_CMD_SEP, RPMEM_SSH_CMD_SEP);
			errno = EINVAL;
			return NULL;
		}
		count++;
		if (end == NULL)
			break;
		p = end;
	}
	idx %= count;
	p = v;
	for (unsigned long k = 0;; k++) {
		const char *end = strchr(p, RPMEM_SSH_CMD_SEP);

		if (k == idx) {
			want = p;
			want_len = end != NULL ? (size_t)(end - p) : strlen(p);
			break;
		}
		p = end + 1;
	}
	cmd = RPMEM_FI("strndup", ENOMEM) ? NULL : strndup(want, want_len);
	if (cmd == NULL) {
		RPMEM_ERR_ERRNO(errno, "RPMEM_CMD: cannot copy the command");
		return NULL;
	}
	if (i != NULL)
		*i = (unsigned)idx;
	if (n != NULL)
		*n = count;
	return cmd;
}

/* rpmem_ssh_cmd_next -- the command for the next connection */
char *
rpmem_ssh_cmd_next(unsigned *i, unsigned *n)
{
	const char *v = env_or("RPMEM_CMD", RPMEM_SSH_CMD_DEFAULT);
	unsigned count = 1;
	char *cmd;

	pthread_mutex_lock(&Cmd_lock);
	if (Cmd_value == NULL || strcmp(Cmd_value, v) != 0) {
		/* a new value starts at its first command */
		char *copy = RPMEM_FI("strdup", ENOMEM) ? NULL : strdup(v);

		if (copy == NULL) {
			pthread_mutex_unlock(&Cmd_lock);
			RPMEM_ERR_ERRNO(errno, "RPMEM_CMD: cannot copy it");
			return NULL;
		}
		free(Cmd_value);
		Cmd_value = copy;
		Cmd_next = 0;
	}
	cmd = rpmem_ssh_cmd_pick(Cmd_value, Cmd_next, i, &count);
	/* a bad value stays bad: no need to move on */
	if (cmd != NULL)
		Cmd_next = (Cmd_next + 1) % count;
	pthread_mutex_unlock(&Cmd_lock);
	if (cmd != NULL && n != NULL)
		*n = count;
	return cmd;
}

/* cmd_fini -- at unload (dlclose by libpmemobj): the copy of RPMEM_CMD */
__attribute__((destructor))
static void
cmd_fini(void)
{
	free(Cmd_value);
	Cmd_value = NULL;
}

/* rpmem_ssh_open -- start ssh to t */
int
rpmem_ssh_open(const struct rpmem_target *t, struct rpmem_ssh **out)
{
	const char *prog = env_or("RPMEM_SSH", "ssh");
	char dest[sizeof(t->user) + 1 + sizeof(t->host)];
	char port[8];
	char *argv[8];
	int cin = -1, cout = -1, cerr = -1;
	struct rpmem_ssh *ssh;
	unsigned ci = 0, cn = 1;
	char *cmd;
	int n = 0;
	int ret;

	if (t == NULL || out == NULL || t->host[0] == '\0') {
		rpmem_err_set("ssh: no target");
		errno = EINVAL;
		return -1;
	}
	cmd = rpmem_ssh_cmd_next(&ci, &cn);
	if (cmd == NULL)
		return -1;
	if (t->user[0] != '\0')
		snprintf(dest, sizeof(dest), "%s@%s", t->user, t->host);
	else
		snprintf(dest, sizeof(dest), "%s", t->host);
	snprintf(port, sizeof(port), "%u", (unsigned)t->port);

	/* execve's argv type is historical: nothing here is written */
	argv[n++] = (char *)prog;
	argv[n++] = (char *)"-T";
	argv[n++] = (char *)"-oBatchMode=yes";
	if (t->port != 0) {
		argv[n++] = (char *)"-p";
		argv[n++] = port;
	}
	argv[n++] = dest;
	argv[n++] = cmd;
	argv[n] = NULL;
	rpmem_log(RPMEM_LOG_NOTICE, "ssh: %s%s%s %s '%s' (RPMEM_CMD command "
		"%u of %u)", prog, t->port != 0 ? " -p " : "",
		t->port != 0 ? port : "", dest, cmd, ci + 1, cn);

	ssh = RPMEM_FI("calloc", ENOMEM) ? NULL : calloc(1, sizeof(*ssh));
	if (ssh == NULL) {
		RPMEM_ERR_ERRNO(errno, "ssh: cannot allocate");
		goto err_free_cmd;
	}
	ssh->fd_in = ssh->fd_out = ssh->fd_err = -1;

	if (socketpair_cloexec(&ssh->fd_in, &cin) ||
	    socketpair_cloexec(&ssh->fd_out, &cout) ||
	    socketpair_cloexec(&ssh->fd_err, &cerr)) {
		RPMEM_ERR_ERRNO(errno, "ssh: cannot create socket pairs");
		goto err_close_pairs;
	}

	ret = spawn(&ssh->pid, prog, argv, cin, cout, cerr);
	if (ret) {
		RPMEM_ERR_ERRNO(ret, "ssh: cannot run '%s'", prog);
		goto err_close_pairs;
	}
	/* the child has its copies; ours would hide its end of file */
	close_pair(&cin, NULL);
	close_pair(&cout, NULL);
	close_pair(&cerr, NULL);
	free(cmd);
	*out = ssh;
	return 0;

err_close_pairs:
	ret = errno;
	close_pair(&ssh->fd_in, &cin);
	close_pair(&ssh->fd_out, &cout);
	close_pair(&ssh->fd_err, &cerr);
	free(ssh);
	errno = ret;
err_free_cmd:
	ret = errno;
	free(cmd);
	errno = ret;
	return -1;
}

/* rpmem_ssh_send -- write all of buf to the remote stdin */
int
rpmem_ssh_send(struct rpmem_ssh *ssh, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = RPMEM_FI("send", EPIPE) ? -1 :
			send(ssh->fd_in, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
			rpmem_err_set("connection to rpmemd lost while "
				"sending");
			errno = ECONNRESET;
			return -1;
		}
		if (n < 0) {
			RPMEM_ERR_ERRNO(errno, "ssh: send failed");
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* err_keep -- append to the stderr tail, dropping the oldest bytes */
static void
err_keep(struct rpmem_ssh *ssh, const char *data, size_t n)
{
	if (n >= STDERR_KEEP) {
		memcpy(ssh->err_buf, data + n - STDERR_KEEP, STDERR_KEEP);
		ssh->err_len = STDERR_KEEP;
		return;
	}
	if (ssh->err_len + n > STDERR_KEEP) {
		size_t drop = ssh->err_len + n - STDERR_KEEP;

		memmove(ssh->err_buf, ssh->err_buf + drop,
			ssh->err_len - drop);
		ssh->err_len -= drop;
	}
	memcpy(ssh->err_buf + ssh->err_len, data, n);
	ssh->err_len += n;
}

/* err_drain -- read what stderr holds now, without blocking */
static void
err_drain(struct rpmem_ssh *ssh)
{
	char tmp[STDERR_KEEP];

	while (!ssh->err_eof) {
		ssize_t n = recv(ssh->fd_err, tmp, sizeof(tmp), MSG_DONTWAIT);

		if (n > 0) {
			err_keep(ssh, tmp, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* end of file, or an error: stderr has nothing more */
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			ssh->err_eof = true;
		return;
	}
}

/* rpmem_ssh_recv -- read exactly len bytes within timeout_ms */
int
rpmem_ssh_recv(struct rpmem_ssh *ssh, void *buf, size_t len, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	char *p = buf;

	while (len > 0) {
		/* stderr too, so a chatty daemon can never block on it */
		struct pollfd pfd[2] = {
			{.fd = ssh->fd_out, .events = POLLIN},
			{.fd = ssh->err_eof ? -1 : ssh->fd_err,
				.events = POLLIN},
		};
		int ret = poll(pfd, 2, left_ms(deadline));
		ssize_t n;

		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			RPMEM_ERR_ERRNO(errno, "ssh: poll failed");
			return -1;
		}
		if (ret == 0) {
			rpmem_err_set("no response from rpmemd within %d ms",
				timeout_ms);
			ssh->silent = true;
			errno = ETIMEDOUT;
			return -1;
		}
		if (pfd[1].revents)
			err_drain(ssh);
		if (!pfd[0].revents)
			continue;

		n = RPMEM_FI("recv", ECONNRESET) ? -1 :
			recv(ssh->fd_out, p, len, MSG_DONTWAIT);

		if (n < 0 && (errno == EINTR || errno == EAGAIN ||
				errno == EWOULDBLOCK))
			continue;
		if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			rpmem_err_set("connection to rpmemd closed");
			errno = ECONNRESET;
			return -1;
		}
		if (n < 0) {
			RPMEM_ERR_ERRNO(errno, "ssh: receive failed");
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* rpmem_ssh_stderr -- the remote stderr's tail as one printable line */
size_t
rpmem_ssh_stderr(struct rpmem_ssh *ssh, char *buf, size_t len)
{
	long long deadline = now_ms() + RPMEM_SSH_STDERR_WAIT_MS;
	size_t i, o = 0;
	bool space = false;

	if (buf == NULL || len == 0)
		return 0;
	buf[0] = '\0';
	if (ssh == NULL)
		return 0;

	/* the daemon's last words arrive just before its end of file */
	while (!ssh->err_eof) {
		struct pollfd pfd = {.fd = ssh->fd_err, .events = POLLIN};
		int ret = poll(&pfd, 1, left_ms(deadline));

		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			break;
		err_drain(ssh);
	}

	/* one line: runs of whitespace/control become "; " or " " */
	for (i = 0; i < ssh->err_len && o + 3 < len; i++) {
		unsigned char c = (unsigned char)ssh->err_buf[i];

		if (c == '\n' || c == '\r') {
			if (o > 0 && !space) {
				buf[o++] = ';';
				buf[o++] = ' ';
			}
			space = true;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			if (o > 0 && !space)
				buf[o++] = ' ';
			space = true;
			continue;
		}
		buf[o++] = (char)c;
		space = false;
	}
	while (o > 0 && (buf[o - 1] == ' ' || buf[o - 1] == ';'))
		o--;
	buf[o] = '\0';
	return o;
}

/* reap -- waitpid for at most ms; 1 reaped (or gone), 0 still running */
static int
reap(pid_t pid, int ms, int *status)
{
	long long deadline = now_ms() + ms;
	int nap = 1;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 1;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			/* ECHILD: the application reaped it (SIGCHLD) */
			*status = -1;
			return 1;
		}
		if (now_ms() >= deadline)
			return 0;
		sleep_ms(nap);
		if (nap < 50)
			nap *= 2;
	}
}

/* rpmem_ssh_close -- end the session, reap the child, free */
int
rpmem_ssh_close(struct rpmem_ssh *ssh, int *exit_status)
{
	int status = -1;
	int killed = 0;

	if (ssh == NULL)
		return 0;

	/*
	 * shutdown, not only close: a copy of our descriptor inherited by a
	 * fork() elsewhere in the application must not keep the daemon's
	 * stdin open
	 */
	shutdown(ssh->fd_in, SHUT_RDWR);
	shutdown(ssh->fd_out, SHUT_RDWR);
	shutdown(ssh->fd_err, SHUT_RDWR);
	close_pair(&ssh->fd_in, NULL);
	close_pair(&ssh->fd_out, NULL);
	close_pair(&ssh->fd_err, NULL);

	/*
	 * pid > 0 always (posix_spawn); never a group, never -1.  A daemon
	 * that already let a request time out gets a short grace only (time
	 * to notice end of file if it was merely slow): the full one would
	 * add RPMEM_SSH_CLOSE_TIMEOUT_MS to a caller that already waited.
	 */
	if (ssh->pid > 0 && !reap(ssh->pid, ssh->silent ? SILENT_GRACE_MS :
			RPMEM_SSH_CLOSE_TIMEOUT_MS, &status)) {
		/* still our unreaped child, so the pid cannot be reused */
		kill(ssh->pid, SIGTERM);
		killed = 1;
		if (!reap(ssh->pid, KILL_WAIT_MS, &status)) {
			kill(ssh->pid, SIGKILL);
			/*
			 * bounded too: a child in uninterruptible sleep (a
			 * daemon run locally, stuck in the kernel's RDMA
			 * teardown) ignores even SIGKILL for as long as the
			 * kernel likes.  It is left unreaped: a later
			 * waitpid on a recycled pid could steal one of the
			 * application's own children.
			 */
			(void) reap(ssh->pid, KILL_WAIT_MS, &status);
		}
	}
	if (exit_status != NULL) {
		if (status == -1)
			*exit_status = -1;
		else if (WIFEXITED(status))
			*exit_status = WEXITSTATUS(status);
		else if (WIFSIGNALED(status))
			*exit_status = 128 + WTERMSIG(status);
		else
			*exit_status = -1;
	}
	free(ssh);
	if (killed) {
		/* no message: this runs on error paths that have one */
		errno = ETIMEDOUT;
		return -1;
	}
	return 0;
}
