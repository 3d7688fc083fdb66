/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gpspm.h -- the daemon's check of one GPSPM persist request, and the copy
 * of an inline request's bytes into the pool
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
 * length needs no flush; for an *_INLINE op the length bytes are at
 * buf + RPMEM_GPSPM_REQ_SIZE), or RPMEM_ST_PROTO with why (optional)
 * saying what is wrong: a length that is not the op's (32, or 32 + length
 * with 1 <= length <= RPMEM_GPSPM_INLINE_MAX), a wrong magic or op, another
 * lane's number, a range out of bounds or one whose end overflows.
 * req->seq is the request's sequence number whenever the 32-byte header
 * was received (so the refusal can be matched by the client), else 0.
 * Never reads past buf + len.
 */
int rpmemd_gpspm_check(const uint8_t *buf, size_t len, uint32_t lane,
		uint64_t lo, uint64_t size, struct rpmem_gpspm_req *req,
		char *why, size_t whylen);

/*
 * rpmemd_gpspm_copy -- copy an inline request's len bytes from src to dst
 * (the pool): every 8-byte aligned word of dst inside the range is written
 * by one 8-byte store, so an aligned 8-byte value is either old or new
 * after a power cut (as PMDK's rpmemd promised for a persist carrying its
 * data; docs/durability.md); the unaligned head and tail bytewise
 */
void rpmemd_gpspm_copy(uint8_t *dst, const uint8_t *src, size_t len);

#endif /* RPMEMD_GPSPM_H */
