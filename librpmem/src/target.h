/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * target.h -- the target string "[user@]host[:ssh-port]"
 *
 * Forms: "host", "user@host", "host:2222", "[::1]", "[fe80::1%eth0]:22",
 * and a bare IPv6 address with several colons ("::1", "user@fe80::1"),
 * which is a host without a port.  The port is the ssh port.
 */
#ifndef RPMEM_TARGET_H
#define RPMEM_TARGET_H 1

#include <stdint.h>

#define RPMEM_TARGET_USER_MAX 32	/* characters, without the NUL */
#define RPMEM_TARGET_HOST_MAX 255	/* characters, without the NUL */

struct rpmem_target {
	char user[RPMEM_TARGET_USER_MAX + 1];	/* "" = ssh's default */
	char host[RPMEM_TARGET_HOST_MAX + 1];	/* IPv6 without brackets */
	uint16_t port;				/* 0 = ssh's default */
};

/*
 * rpmem_target_parse -- parse str into *t; 0, or -1 with errno EINVAL and
 * a message naming what is wrong.  Refused: NULL/empty, an empty user or
 * host, more than one '@', whitespace, control or non-ASCII characters and
 * the shell metacharacters ;|&$`'"<>()\ anywhere, a user or host starting
 * with '-' (ssh would take it as an option), a host that is not a DNS-like
 * name or an IPv6 literal, a port that is empty, not decimal, 0 or
 * > 65535, a user over 32 or a host over 255 characters.
 */
int rpmem_target_parse(const char *str, struct rpmem_target *t);

#endif /* RPMEM_TARGET_H */
