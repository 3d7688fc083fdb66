/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fault_inject.h -- forced failures of the error sites (debug builds)
 *
 * Built with -DRPMEM_FAULT_INJECTION=ON (cmake), every call that has an
 * error branch in librpmem and rpmemd is wrapped as
 *
 *	if (RPMEM_FI("ibv_reg_mr", ENOMEM) || (mr = ibv_reg_mr(...)) == NULL)
 *
 * Each evaluation of such a point counts; the N-th one of a side fails as
 * the call itself would (the call is skipped, errno is set), so a sweep
 * over N = 1..count exercises every error branch a scenario passes:
 *
 *   RPMEM_FAULT_INJECT=N            client: fail its N-th point (0: count)
 *   RPMEMD_FAULT_INJECT=N           rpmemd: the same
 *   RPMEM_FAULT_INJECT_COUNTER=F    client: count in file F (8 bytes,
 *   RPMEMD_FAULT_INJECT_COUNTER=F   shared mapping), so several processes
 *                                   of a side -- one rpmemd per session --
 *                                   share one sequence; the file holds the
 *                                   count when they are done
 *   RPMEM_FAULT_INJECT_LOG=F        append "fault injected" lines to F
 *
 * The side is the client unless rpmem_fi_init("RPMEMD") ran first (rpmemd's
 * main does).  Without the option RPMEM_FI() is the constant 0: the call
 * sites compile to what they were, and no symbol exists.
 */
#ifndef RPMEM_FAULT_INJECT_H
#define RPMEM_FAULT_INJECT_H 1

#ifdef RPMEM_FAULT_INJECTION
#include <errno.h>

/* rpmem_fi_init -- pick the side (env prefix); later calls are ignored */
void rpmem_fi_init(const char *prefix);

/* rpmem_fi_fail -- count one point; 1 when this one must fail */
int rpmem_fi_fail(const char *site);

/* true (errno = err) when the point must fail */
#define RPMEM_FI(site, err) \
	(rpmem_fi_fail(site) ? (errno = (err), 1) : 0)
/* the same for calls that return an errno value instead of setting it */
#define RPMEM_FI_RET(site, err) (rpmem_fi_fail(site) ? (err) : 0)
#else
#define RPMEM_FI(site, err) 0
#define RPMEM_FI_RET(site, err) 0
#endif

#endif /* RPMEM_FAULT_INJECT_H */
