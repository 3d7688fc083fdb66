/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ssh.h -- the ssh transport of the control channel
 *
 * Runs   $RPMEM_SSH -T -oBatchMode=yes [-p port] [user@]host COMMAND
 * (defaults "ssh" and "rpmemd") with the child's stdin, stdout and stderr
 * on three AF_UNIX socketpairs.  RPMEM_SSH names one program (looked up in
 * PATH, no arguments).  COMMAND is one of RPMEM_CMD's commands, separated
 * by '|' and used in turn, one per connection (rpmem_ssh_cmd_next), as in
 * classic librpmem.  It is passed to ssh as ONE argument, which ssh hands
 * to the remote user's shell: it may hold a whole shell command ("cd /dir
 * && VAR=x ./rpmemd --opt"), but no '|' of its own, and it must be trusted
 * like a shell command.  The user and host come from rpmem_target_parse(),
 * which refuses anything ssh or a shell could misread.
 *
 * Every function returns 0 or -1 with errno set and a message in
 * rpmem_err_get(); SIGPIPE is never raised (send with MSG_NOSIGNAL).
 * One handle must not be used by two threads at once.
 */
#ifndef RPMEM_SSH_H
#define RPMEM_SSH_H 1

#include <stddef.h>

#include "target.h"

struct rpmem_ssh;

/* how long rpmem_ssh_close() waits for the child before SIGTERM */
#define RPMEM_SSH_CLOSE_TIMEOUT_MS 5000
/* how long rpmem_ssh_stderr() waits for the child's last words */
#define RPMEM_SSH_STDERR_WAIT_MS 500

/* RPMEM_CMD: the default, and what separates several commands */
#define RPMEM_SSH_CMD_DEFAULT "rpmemd"
#define RPMEM_SSH_CMD_SEP '|'

/*
 * rpmem_ssh_cmd_pick -- command number idx % n (from 0) of the RPMEM_CMD
 * value v (NULL or "": the default), n being the number of commands in v,
 * as a new string (free() it); *i and *n (optional) get idx % n and n.
 * NULL with errno EINVAL when any command of v is empty or blank (e.g.
 * "a||b"), ENOMEM; the message names RPMEM_CMD.
 */
char *rpmem_ssh_cmd_pick(const char *v, unsigned long idx, unsigned *i,
		unsigned *n);

/*
 * rpmem_ssh_cmd_next -- the command for the next connection: RPMEM_CMD's
 * commands in turn (read now; a changed value starts at its first), as
 * rpmem_ssh_cmd_pick; thread-safe
 */
char *rpmem_ssh_cmd_next(unsigned *i, unsigned *n);

/*
 * rpmem_ssh_open -- start ssh to t with the next RPMEM_CMD command; errno
 * from posix_spawnp (e.g. ENOENT when the ssh program is missing),
 * socketpair or malloc, EINVAL for an RPMEM_CMD with an empty command
 */
int rpmem_ssh_open(const struct rpmem_target *t, struct rpmem_ssh **out);

/*
 * rpmem_ssh_send -- write all of buf to the remote stdin; ECONNRESET when
 * the other side is gone (EPIPE/ECONNRESET)
 */
int rpmem_ssh_send(struct rpmem_ssh *ssh, const void *buf, size_t len);

/*
 * rpmem_ssh_recv -- read exactly len bytes of the remote stdout within
 * timeout_ms in total (< 0: no limit); ETIMEDOUT when it runs out,
 * ECONNRESET on end of file.  Remote stderr is collected meanwhile.
 */
int rpmem_ssh_recv(struct rpmem_ssh *ssh, void *buf, size_t len,
		int timeout_ms);

/*
 * rpmem_ssh_stderr -- the last text the remote side wrote to stderr, as
 * one line ("" when none), waiting at most RPMEM_SSH_STDERR_WAIT_MS for it
 * to end; returns its length (buf is always NUL-terminated when len > 0)
 */
size_t rpmem_ssh_stderr(struct rpmem_ssh *ssh, char *buf, size_t len);

/*
 * rpmem_ssh_close -- shut our ends down (the daemon reads end of file),
 * reap the child and free ssh (NULL: no-op).  Waits at most
 * RPMEM_SSH_CLOSE_TIMEOUT_MS (half a second after a receive timed out),
 * then sends SIGTERM and, a second later, SIGKILL to that one child (never
 * a group), and waits one more second at most.  *exit_status (optional):
 * the exit code, 128 + signal, or -1 when someone else reaped the child.
 * Returns 0, or -1 with ETIMEDOUT when the child had to be killed; it
 * never touches the error message (it runs on error paths).
 */
int rpmem_ssh_close(struct rpmem_ssh *ssh, int *exit_status);

#endif /* RPMEM_SSH_H */
