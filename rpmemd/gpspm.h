/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gpspm.h -- the daemon's check of one GPSPM persist request
 *
 * Kept apart from gpspm_serve.c (and free of verbs) so that the unit
 * tests and the fuzzer (test/fuzz/fuzz_gpspm.c) drive exactly the code
 * that decides whether a request a lane SENT may touch the pool.
 */
#ifndef RPMEMD_GPSPM_H
#define RPMEMD_GPSPM_H 1

#include <stddef.h>
#include <stdint.h>

#include "rpmem_proto.h"

/*
 * rpmemd_gpspm_check -- decode the len bytes a RECV on lane `lane`
 * delivered and check them against the registered range [lo, size) of the
 * pool (lo: the daemon-owned header, size: the pool's size).
 *
 * Returns RPMEM_ST_OK with *req filled ([req->offset, req->offset +
 * req->length) lies inside [lo, size), computed without overflow; a zero
 * length needs no flush), or RPMEM_ST_PROTO with why (optional) saying
 * what is wrong: a wrong length, magic or op, another lane's number, a
 * range out of bounds or one whose end overflows.  req->seq is the
 * request's sequence number whenever len is right (so the refusal can be
 * matched by the client), else 0.  Never reads past buf + len.
 */
int rpmemd_gpspm_check(const uint8_t *buf, size_t len, uint32_t lane,
		uint64_t lo, uint64_t size, struct rpmem_gpspm_req *req,
		char *why, size_t whylen);

#endif /* RPMEMD_GPSPM_H */
