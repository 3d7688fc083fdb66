/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_target.c -- rpmem_target_parse: every accepted form and every
 * refusal (EINVAL with a message)
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "target.h"

static const struct {
	const char *str;
	const char *user;
	const char *host;
	unsigned port;
} Good[] = {
	{"host", "", "host", 0},
	{"h", "", "h", 0},
	{"node-1.example.com", "", "node-1.example.com", 0},
	{"user@host", "user", "host", 0},
	{"host:22", "", "host", 22},
	{"user@host:2222", "user", "host", 2222},
	{"u_s.e-r@10.0.0.1:1", "u_s.e-r", "10.0.0.1", 1},
	{"192.168.1.2:65535", "", "192.168.1.2", 65535},
	{"host:0022", "", "host", 22},
	{"[::1]", "", "::1", 0},
	{"[::1]:22", "", "::1", 22},
	{"user@[fe80::1%eth0]:2200", "user", "fe80::1%eth0", 2200},
	{"[2001:db8::10]", "", "2001:db8::10", 0},
	{"[::ffff:192.0.2.1]:7", "", "::ffff:192.0.2.1", 7},
	/* a bare IPv6 address: several colons, no port */
	{"::1", "", "::1", 0},
	{"fe80::1", "", "fe80::1", 0},
	{"user@2001:db8::1", "user", "2001:db8::1", 0},
	{"2001:db8:0:0:0:0:0:22", "", "2001:db8:0:0:0:0:0:22", 0},
	{"fe80::1%eth0", "", "fe80::1%eth0", 0},
};

static const struct {
	const char *str;
	const char *word;	/* expected in the message */
} Bad[] = {
	{"", "empty"},
	{"@host", "user"},
	{"user@", "host"},
	{"user@@host", "@"},
	{"a@b@c", "@"},
	{"host:", "port"},
	{"host:abc", "port"},
	{"host:22x", "port"},
	{"host:-1", "port"},
	{"host:+22", "port"},
	{"host:0", "port"},
	{"host:65536", "port"},
	{"host:99999999999999999999999", "port"},
	{":22", "host"},
	{"[::1]:", "port"},
	{"[::1]:0", "port"},
	{"[::1", "]"},
	{"[::1]x", "]"},
	{"[]", "host"},
	{"[]:22", "host"},
	{"[host]", "IPv6"},
	{"[::1;]", "metacharacter"},
	{"[::g]", "IPv6"},
	{"fe80::1%", "IPv6"},
	{"host:22:33x", "IPv6"},
	{"user 1.2.3.4 22", "whitespace"},
	{" host", "whitespace"},
	{"host ", "whitespace"},
	{"ho\tst", "whitespace"},
	{"ho\nst", "whitespace"},
	{"host\x7f", "control"},
	{"h\xc3\xa9st", "ASCII"},
	{"host;rm", "metacharacter"},
	{"host|x", "metacharacter"},
	{"host&", "metacharacter"},
	{"$host", "metacharacter"},
	{"`host`", "metacharacter"},
	{"'host'", "metacharacter"},
	{"\"host\"", "metacharacter"},
	{"host>x", "metacharacter"},
	{"<host", "metacharacter"},
	{"host(1)", "metacharacter"},
	{"ho\\st", "metacharacter"},
	{"user;x@host", "metacharacter"},
	{"-oProxyCommand=x", "'-'"},
	{"-host", "'-'"},
	{"-user@host", "'-'"},
	{"host/x", "host"},
	{"us:er@host", "user"},
	{"us*er@host", "user"},
	{"host*", "host"},
};

START_TEST(test_good)
{
	struct rpmem_target t;

	ck_assert_msg(rpmem_target_parse(Good[_i].str, &t) == 0,
		"'%s' refused: %s", Good[_i].str, rpmem_err_get());
	ck_assert_str_eq(t.user, Good[_i].user);
	ck_assert_str_eq(t.host, Good[_i].host);
	ck_assert_uint_eq(t.port, Good[_i].port);
}
END_TEST

START_TEST(test_bad)
{
	struct rpmem_target t;

	rpmem_err_set("%s", "");
	errno = 0;
	ck_assert_msg(rpmem_target_parse(Bad[_i].str, &t) == -1,
		"'%s' accepted", Bad[_i].str);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(strstr(rpmem_err_get(), "invalid target") != NULL,
		"'%s': message '%s'", Bad[_i].str, rpmem_err_get());
	ck_assert_msg(strstr(rpmem_err_get(), Bad[_i].word) != NULL,
		"'%s': message '%s' lacks '%s'", Bad[_i].str,
		rpmem_err_get(), Bad[_i].word);
}
END_TEST

START_TEST(test_null)
{
	struct rpmem_target t;

	errno = 0;
	ck_assert_int_eq(rpmem_target_parse(NULL, &t), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(rpmem_target_parse("host", NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_lengths)
{
	struct rpmem_target t;
	char user[64], host[300], str[400];

	/* user: 32 characters fit, 33 do not */
	memset(user, 'u', 32);
	user[32] = '\0';
	snprintf(str, sizeof(str), "%s@host", user);
	ck_assert_int_eq(rpmem_target_parse(str, &t), 0);
	ck_assert_str_eq(t.user, user);
	snprintf(str, sizeof(str), "%su@host", user);
	errno = 0;
	ck_assert_int_eq(rpmem_target_parse(str, &t), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(rpmem_err_get(), "user"));

	/* host: 255 fit, 256 do not (also with a port, and bracketed) */
	memset(host, 'h', 255);
	host[255] = '\0';
	ck_assert_int_eq(rpmem_target_parse(host, &t), 0);
	ck_assert_str_eq(t.host, host);
	snprintf(str, sizeof(str), "%s:22", host);
	ck_assert_int_eq(rpmem_target_parse(str, &t), 0);
	ck_assert_uint_eq(t.port, 22);

	host[255] = 'h';
	host[256] = '\0';
	errno = 0;
	ck_assert_int_eq(rpmem_target_parse(host, &t), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(rpmem_err_get(), "host"));
	snprintf(str, sizeof(str), "u@%s:22", host);
	ck_assert_int_eq(rpmem_target_parse(str, &t), -1);

	memset(host, '1', 300);
	memcpy(host, "1::", 3);
	host[299] = '\0';
	snprintf(str, sizeof(str), "[%s]", host);
	errno = 0;
	ck_assert_int_eq(rpmem_target_parse(str, &t), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* target_suite -- every test of this file */
static Suite *
target_suite(void)
{
	Suite *s = suite_create("target");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_good, 0, sizeof(Good) / sizeof(Good[0]));
	tcase_add_loop_test(tc, test_bad, 0, sizeof(Bad) / sizeof(Bad[0]));
	tcase_add_test(tc, test_null);
	tcase_add_test(tc, test_lengths);
	suite_add_tcase(s, tc);
	return s;
}

/* main -- run the suite */
int
main(void)
{
	SRunner *sr = srunner_create(target_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
