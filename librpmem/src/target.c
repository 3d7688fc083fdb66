/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * target.c -- parse "[user@]host[:ssh-port]"
 *
 * Strict on purpose: the user and host end up in ssh's argument list, so
 * anything a shell or ssh could read as syntax or as an option is refused
 * here, with a message, instead of failing obscurely later.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "error.h"
#include "target.h"

/* characters a shell would interpret */
static const char Shell_meta[] = ";|&$`'\"<>()\\";

/* is_alnum -- ASCII letter or digit (locale-independent) */
static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9');
}

/* is_hex -- ASCII hexadecimal digit */
static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		(c >= 'A' && c <= 'F');
}

/* check_chars -- no whitespace, control, non-ASCII or shell characters */
static int
check_chars(const char *s)
{
	for (const char *p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f) {
			rpmem_err_set("invalid target: whitespace, control "
				"or non-ASCII character (0x%02x) at position "
				"%zu", c, (size_t)(p - s));
			errno = EINVAL;
			return -1;
		}
		if (strchr(Shell_meta, c) != NULL) {
			rpmem_err_set("invalid target: shell metacharacter "
				"'%c' at position %zu", c, (size_t)(p - s));
			errno = EINVAL;
			return -1;
		}
	}
	return 0;
}

/* check_user -- portable user name: [A-Za-z0-9._-], not starting with - */
static int
check_user(const char *u, size_t len)
{
	if (len == 0) {
		rpmem_err_set("invalid target: empty user name before '@'");
		errno = EINVAL;
		return -1;
	}
	if (len > RPMEM_TARGET_USER_MAX) {
		rpmem_err_set("invalid target: user name longer than %d "
			"characters", RPMEM_TARGET_USER_MAX);
		errno = EINVAL;
		return -1;
	}
	if (u[0] == '-') {
		rpmem_err_set("invalid target: user name starts with '-'");
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (!is_alnum(u[i]) && u[i] != '.' && u[i] != '_' &&
		    u[i] != '-') {
			rpmem_err_set("invalid target: character '%c' in "
				"user name", u[i]);
			errno = EINVAL;
			return -1;
		}
	}
	return 0;
}

/* check_ipv6 -- hex digits, ':' and '.', then an optional %scope */
static int
check_ipv6(const char *h, size_t len)
{
	const char *pct = memchr(h, '%', len);
	size_t addr_len = pct != NULL ? (size_t)(pct - h) : len;

	if (memchr(h, ':', addr_len) == NULL)
		goto err_invalid;
	for (size_t i = 0; i < addr_len; i++)
		if (!is_hex(h[i]) && h[i] != ':' && h[i] != '.')
			goto err_invalid;
	if (pct != NULL) {
		if (addr_len + 1 == len)
			goto err_invalid;	/* empty scope */
		for (size_t i = addr_len + 1; i < len; i++)
			if (!is_alnum(h[i]) && h[i] != '.' && h[i] != '_' &&
			    h[i] != '-')
				goto err_invalid;
	}
	return 0;
err_invalid:
	rpmem_err_set("invalid target: '%.*s' is not an IPv6 address",
		(int)len, h);
	errno = EINVAL;
	return -1;
}

/* check_host -- non-empty, bounded, a DNS-like name or an IPv6 literal */
static int
check_host(const char *h, size_t len, bool ipv6)
{
	if (len == 0) {
		rpmem_err_set("invalid target: empty host");
		errno = EINVAL;
		return -1;
	}
	if (len > RPMEM_TARGET_HOST_MAX) {
		rpmem_err_set("invalid target: host longer than %d "
			"characters", RPMEM_TARGET_HOST_MAX);
		errno = EINVAL;
		return -1;
	}
	if (ipv6)
		return check_ipv6(h, len);
	if (h[0] == '-') {
		rpmem_err_set("invalid target: host starts with '-'");
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (!is_alnum(h[i]) && h[i] != '.' && h[i] != '_' &&
		    h[i] != '-') {
			rpmem_err_set("invalid target: character '%c' in "
				"host '%.*s'", h[i], (int)len, h);
			errno = EINVAL;
			return -1;
		}
	}
	return 0;
}

/* parse_port -- decimal 1..65535, nothing else */
static int
parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (*s == '\0') {
		rpmem_err_set("invalid target: empty ssh port after ':'");
		errno = EINVAL;
		return -1;
	}
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			rpmem_err_set("invalid target: ssh port '%.16s' is "
				"not a decimal number", s);
			errno = EINVAL;
			return -1;
		}
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535)
			break;	/* before it can overflow */
	}
	if (v == 0 || v > 65535) {
		rpmem_err_set("invalid target: ssh port '%.16s' out of range "
			"1..65535", s);
		errno = EINVAL;
		return -1;
	}
	*port = (uint16_t)v;
	return 0;
}

/* rpmem_target_parse -- parse "[user@]host[:ssh-port]" */
int
rpmem_target_parse(const char *str, struct rpmem_target *t)
{
	const char *rest = str;
	const char *at;
	const char *host;
	const char *port = NULL;
	size_t host_len;
	bool ipv6 = false;

	if (str == NULL || t == NULL) {
		rpmem_err_set("invalid target: NULL");
		errno = EINVAL;
		return -1;
	}
	if (*str == '\0') {
		rpmem_err_set("invalid target: empty string");
		errno = EINVAL;
		return -1;
	}
	if (check_chars(str))
		return -1;
	memset(t, 0, sizeof(*t));

	at = strchr(str, '@');
	if (at != NULL) {
		if (check_user(str, (size_t)(at - str)))
			return -1;
		memcpy(t->user, str, (size_t)(at - str));
		rest = at + 1;
		if (strchr(rest, '@') != NULL) {
			rpmem_err_set("invalid target '%s': more than one "
				"'@'", str);
			errno = EINVAL;
			return -1;
		}
	}

	if (rest[0] == '[') {
		const char *end = strchr(rest, ']');

		if (end == NULL) {
			rpmem_err_set("invalid target '%s': missing ']'",
				str);
			errno = EINVAL;
			return -1;
		}
		host = rest + 1;
		host_len = (size_t)(end - host);
		ipv6 = true;
		if (end[1] == ':') {
			port = end + 2;
		} else if (end[1] != '\0') {
			rpmem_err_set("invalid target '%s': unexpected "
				"characters after ']'", str);
			errno = EINVAL;
			return -1;
		}
		if (host_len == 0) {
			rpmem_err_set("invalid target: empty host");
			errno = EINVAL;
			return -1;
		}
	} else {
		const char *colon = strchr(rest, ':');

		host = rest;
		host_len = strlen(rest);
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			/* several colons: a bare IPv6 address, no port */
			ipv6 = true;
		} else if (colon != NULL) {
			host_len = (size_t)(colon - rest);
			port = colon + 1;
		}
	}

	if (check_host(host, host_len, ipv6))
		return -1;
	memcpy(t->host, host, host_len);
	if (port != NULL && parse_port(port, &t->port))
		return -1;
	return 0;
}
