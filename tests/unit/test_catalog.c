// SPDX-License-Identifier: MIT
/*
 * test_catalog.c - message and AVP tables against registry.md and the
 * per-message rules of RFC 2661 §6 / RFC 3931 §6.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <l2tp/catalog.h>

static const uint16_t base_v2[] = {1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16};
static const uint16_t base_v3[] = {1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 20};

static void test_catalog_msg_types(void **state)
{
	for (uint16_t t = 0; t <= 31; t++) {
		const struct l2tp_msg_info *mi = l2tp_catalog_msg(t);
		bool reserved = t == 0 || t == 5 || t == 13 || t > 29;

		assert_int_equal(mi == NULL, reserved);
		if (mi) {
			assert_non_null(mi->name);
			assert_non_null(mi->short_name);
		}
	}
	assert_string_equal(l2tp_catalog_msg_short(L2TP_MSG_SCCRQ), "SCCRQ");
	assert_string_equal(l2tp_catalog_msg_name(L2TP_MSG_STOPCCN),
			    "Stop-Control-Connection-Notification");
	assert_string_equal(l2tp_catalog_msg_short(L2TP_MSG_ACK), "ACK");
	assert_string_equal(l2tp_catalog_msg_short(L2TP_MSG_CSURQ), "CSURQ");
	assert_string_equal(l2tp_catalog_msg_short(5), "unknown");
	assert_string_equal(l2tp_catalog_msg_name(300), "unknown");
}

static bool in(const uint16_t *l, size_t n, uint16_t v)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == v)
			return true;
	return false;
}

static void test_catalog_msg_validity_per_version(void **state)
{
	for (uint16_t t = 0; t <= 40; t++) {
		assert_int_equal(l2tp_catalog_msg_valid(t, 2),
				 in(base_v2, L2TP_ARRAY_SIZE(base_v2), t));
		assert_int_equal(l2tp_catalog_msg_valid(t, 3),
				 in(base_v3, L2TP_ARRAY_SIZE(base_v3), t));
		assert_false(l2tp_catalog_msg_valid(t, 1));
		assert_false(l2tp_catalog_msg_valid(t, 4));
	}
}

static void test_catalog_avp_table_consistent(void **state)
{
	for (uint16_t t = 0; t <= L2TP_AVP_TYPE_MAX + 5; t++) {
		const struct l2tp_avp_info *ai = l2tp_catalog_avp(0, t);

		if (t == 20 || t > L2TP_AVP_TYPE_MAX) {
			assert_null(ai);
			continue;
		}
		assert_non_null(ai);
		assert_non_null(ai->name);
		assert_true(ai->min_len <= ai->max_len);
		assert_true(ai->max_len <= 1017);
		switch (ai->vtype) {
		case L2TP_VT_EMPTY:
			assert_int_equal(ai->max_len, 0);
			break;
		case L2TP_VT_U16:
			assert_int_equal(ai->min_len, 2);
			assert_int_equal(ai->max_len, 2);
			break;
		case L2TP_VT_U32:
			assert_int_equal(ai->min_len, 4);
			assert_int_equal(ai->max_len, 4);
			break;
		case L2TP_VT_U64:
			assert_int_equal(ai->min_len, 8);
			assert_int_equal(ai->max_len, 8);
			break;
		case L2TP_VT_STRING:
		case L2TP_VT_BYTES:
			/* EMPTY_OK exactly when the minimum is 0 */
			assert_int_equal(!!(ai->flags & L2TP_AVPF_EMPTY_OK), ai->min_len == 0);
			break;
		default:
			break;
		}
	}
	/* vendor AVPs are never in the IETF table */
	assert_null(l2tp_catalog_avp(9, 1));
	assert_null(l2tp_catalog_avp(3561, 0));
}

static void test_catalog_avp_policy(void **state)
{
	const struct l2tp_avp_info *ai;

	ai = l2tp_catalog_avp(0, L2TP_AVP_MSG_TYPE);
	assert_true(ai->flags & L2TP_AVPF_M);
	assert_false(ai->flags & L2TP_AVPF_HIDE_OK);
	ai = l2tp_catalog_avp(0, L2TP_AVP_RANDOM_VECTOR);
	assert_true(ai->flags & L2TP_AVPF_M);
	assert_false(ai->flags & L2TP_AVPF_HIDE_OK);
	assert_int_equal(ai->min_len, 1);
	ai = l2tp_catalog_avp(0, L2TP_AVP_MSG_DIGEST);
	assert_false(ai->flags & L2TP_AVPF_HIDE_OK);
	/* RFC 2661 §4.4.3: informational AVPs are sent with M=0 */
	assert_false(l2tp_catalog_avp(0, L2TP_AVP_TIE_BREAKER)->flags & L2TP_AVPF_M);
	assert_false(l2tp_catalog_avp(0, L2TP_AVP_VENDOR_NAME)->flags & L2TP_AVPF_M);
	assert_false(l2tp_catalog_avp(0, L2TP_AVP_FIRMWARE_REV)->flags & L2TP_AVPF_M);
	assert_true(l2tp_catalog_avp(0, L2TP_AVP_HOST_NAME)->flags & L2TP_AVPF_M);
	assert_true(l2tp_catalog_avp(0, L2TP_AVP_LOCAL_SESSION_ID)->flags & L2TP_AVPF_M);
	/* lengths */
	assert_int_equal(l2tp_catalog_avp(0, L2TP_AVP_TIE_BREAKER)->min_len, 8);
	assert_int_equal(l2tp_catalog_avp(0, L2TP_AVP_CHALLENGE_RESP)->max_len, 16);
	assert_int_equal(l2tp_catalog_avp(0, L2TP_AVP_ASSIGNED_COOKIE)->min_len, 4);
	assert_int_equal(l2tp_catalog_avp(0, L2TP_AVP_ASSIGNED_COOKIE)->max_len, 8);
	assert_int_equal(l2tp_catalog_avp(0, L2TP_AVP_HOST_NAME)->min_len, 1);
	assert_int_equal(l2tp_catalog_avp(0, L2TP_AVP_CALL_ERRORS)->min_len, 18);
	assert_int_equal(l2tp_catalog_avp(0, L2TP_AVP_CALL_ERRORS)->max_len, 26);
	assert_int_equal(l2tp_catalog_avp(0, L2TP_AVP_ACCM)->min_len, 10);
	assert_string_equal(l2tp_catalog_avp_name(0, 61), "Assigned Control Connection ID");
	assert_string_equal(l2tp_catalog_avp_name(0, 20), "Reserved");
	assert_string_equal(l2tp_catalog_avp_name(0, 500), "unknown");
	assert_string_equal(l2tp_catalog_avp_name(9, 1), "vendor-specific");
}

/*
 * RFC 3931 §5.4.1 and §5.4.5 pinned: Message Digest value = Digest Type +
 * 16 (HMAC-MD5) or 20 (HMAC-SHA-1) octets, never hidden (its M bit
 * SHOULD be 1 but MAY vary: not pinned here);
 * the Control Message Authentication Nonce is "of arbitrary length, though
 * at least 16 octets is recommended" (so a shorter peer nonce is legal),
 * never hidden; Circuit Errors (34) is 2 reserved + 4 counters = 18 octets
 * in v3, 2 + 6 counters = 26 in v2 (RFC 2661 §4.4.6).
 */
static void test_catalog_v3_auth_and_circuit_errors_rfc3931(void **state)
{
	const struct l2tp_avp_info *ai;

	ai = l2tp_catalog_avp(0, L2TP_AVP_MSG_DIGEST);
	assert_int_equal(ai->min_len, 1 + 16);
	assert_int_equal(ai->max_len, 1 + 20);
	assert_false(ai->flags & L2TP_AVPF_HIDE_OK);
	assert_true(ai->flags & L2TP_AVPF_V3);
	assert_false(ai->flags & L2TP_AVPF_V2);

	ai = l2tp_catalog_avp(0, 73);
	assert_int_equal(ai->min_len, 1);
	assert_true(ai->flags & L2TP_AVPF_M);
	assert_false(ai->flags & L2TP_AVPF_HIDE_OK);
	assert_true(ai->flags & L2TP_AVPF_V3);

	ai = l2tp_catalog_avp(0, L2TP_AVP_CALL_ERRORS);
	assert_int_equal(ai->min_len, 2 + 4 * 4);
	assert_int_equal(ai->max_len, 2 + 6 * 4);
	assert_true(ai->flags & L2TP_AVPF_HIDE_OK);
	assert_true(ai->flags & L2TP_AVPF_V2);
	assert_true(ai->flags & L2TP_AVPF_V3);
}

static void expect_required(uint16_t type, int version, const uint16_t *want, size_t n)
{
	const uint16_t *l;
	size_t got = l2tp_catalog_required(type, version, &l);

	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++) {
		assert_true(in(l, got, want[i]));
		assert_int_equal(l2tp_catalog_rule(type, version, want[i]), L2TP_RULE_MUST);
	}
}

#define REQ(t, v, ...)                                                                             \
	do {                                                                                       \
		const uint16_t w_[] = {__VA_ARGS__};                                               \
		expect_required(t, v, w_, L2TP_ARRAY_SIZE(w_));                                    \
	} while (0)

static void test_catalog_required_v2(void **state)
{
	/* RFC 2661 §6.1-§6.14 */
	REQ(L2TP_MSG_SCCRQ, 2, 0, 2, 3, 7, 9);
	REQ(L2TP_MSG_SCCRP, 2, 0, 2, 3, 7, 9);
	REQ(L2TP_MSG_SCCCN, 2, 0);
	REQ(L2TP_MSG_STOPCCN, 2, 0, 1, 9);
	REQ(L2TP_MSG_HELLO, 2, 0);
	REQ(L2TP_MSG_OCRQ, 2, 0, 14, 15, 16, 17, 18, 19, 21);
	REQ(L2TP_MSG_OCRP, 2, 0, 14);
	REQ(L2TP_MSG_OCCN, 2, 0, 19, 24);
	REQ(L2TP_MSG_ICRQ, 2, 0, 14, 15);
	REQ(L2TP_MSG_ICRP, 2, 0, 14);
	REQ(L2TP_MSG_ICCN, 2, 0, 19, 24);
	REQ(L2TP_MSG_CDN, 2, 0, 1, 14);
	REQ(L2TP_MSG_WEN, 2, 0, 34);
	REQ(L2TP_MSG_SLI, 2, 0, 35);
	assert_int_equal(l2tp_catalog_rule(L2TP_MSG_SCCRQ, 2, L2TP_AVP_TIE_BREAKER), L2TP_RULE_MAY);
	assert_int_equal(l2tp_catalog_rule(L2TP_MSG_SCCRQ, 2, L2TP_AVP_ROUTER_ID), L2TP_RULE_NONE);
	assert_int_equal(l2tp_catalog_rule(L2TP_MSG_CDN, 2, L2TP_AVP_Q931_CAUSE), L2TP_RULE_MAY);
	const uint16_t *l;
	assert_int_equal(l2tp_catalog_required(L2TP_MSG_ACK, 2, &l), 0);
	assert_null(l);
}

static void test_catalog_required_v3(void **state)
{
	/* RFC 3931 §6.1-§6.15 */
	REQ(L2TP_MSG_SCCRQ, 3, 0, 7, 60, 61, 62);
	REQ(L2TP_MSG_SCCRP, 3, 0, 7, 60, 61, 62);
	REQ(L2TP_MSG_SCCCN, 3, 0);
	REQ(L2TP_MSG_STOPCCN, 3, 0, 1);
	REQ(L2TP_MSG_HELLO, 3, 0);
	REQ(L2TP_MSG_ACK, 3, 0);
	REQ(L2TP_MSG_ICRQ, 3, 0, 63, 64, 15, 68, 66, 71);
	REQ(L2TP_MSG_ICRP, 3, 0, 63, 64, 71);
	REQ(L2TP_MSG_ICCN, 3, 0, 63, 64);
	REQ(L2TP_MSG_OCRQ, 3, 0, 63, 64, 15, 68, 66);
	REQ(L2TP_MSG_OCRP, 3, 0, 63, 64, 71);
	REQ(L2TP_MSG_OCCN, 3, 0, 63, 64);
	REQ(L2TP_MSG_CDN, 3, 0, 1, 63, 64);
	REQ(L2TP_MSG_WEN, 3, 0, 63, 64, 34);
	REQ(L2TP_MSG_SLI, 3, 0, 63, 64);
	assert_int_equal(l2tp_catalog_rule(L2TP_MSG_ICRQ, 3, L2TP_AVP_ASSIGNED_COOKIE),
			 L2TP_RULE_MAY);
	assert_int_equal(l2tp_catalog_rule(L2TP_MSG_SLI, 3, L2TP_AVP_CIRCUIT_STATUS),
			 L2TP_RULE_MAY);
	assert_int_equal(l2tp_catalog_rule(L2TP_MSG_HELLO, 3, L2TP_AVP_MSG_DIGEST), L2TP_RULE_MAY);
	assert_int_equal(l2tp_catalog_rule(L2TP_MSG_ICRQ, 3, L2TP_AVP_SESSION_ID), L2TP_RULE_NONE);
	assert_int_equal(l2tp_catalog_rule(99, 3, 0), L2TP_RULE_NONE);
}

/* Every AVP a base message lists is in the catalog and marked for that version. */
static void test_catalog_rules_use_known_avps(void **state)
{
	for (int v = 2; v <= 3; v++) {
		for (uint16_t t = 0; t <= L2TP_MSG_TYPE_MAX; t++) {
			bool base = l2tp_catalog_msg_valid(t, v);
			const uint16_t *l;

			assert_int_equal(l2tp_catalog_required(t, v, &l) > 0, base);
			for (uint16_t a = 0; a <= L2TP_AVP_TYPE_MAX; a++) {
				const struct l2tp_avp_info *ai = l2tp_catalog_avp(0, a);

				if (l2tp_catalog_rule(t, v, a) == L2TP_RULE_NONE)
					continue;
				assert_non_null(ai);
				assert_true(ai->flags & (v == 2 ? L2TP_AVPF_V2 : L2TP_AVPF_V3));
			}
			if (base)
				assert_int_equal(l2tp_catalog_rule(t, v, 0), L2TP_RULE_MUST);
		}
	}
}

static void test_catalog_code_names(void **state)
{
	assert_string_equal(l2tp_catalog_result_name(L2TP_MSG_STOPCCN, 1),
			    "General request to clear control connection");
	assert_string_equal(l2tp_catalog_result_name(L2TP_MSG_STOPCCN, 5),
			    "The protocol version of the requester is not supported");
	assert_string_equal(l2tp_catalog_result_name(L2TP_MSG_CDN, 14),
			    "Session not established due to unsupported PW type");
	assert_string_equal(l2tp_catalog_result_name(L2TP_MSG_CDN, 29), "unknown");
	assert_string_equal(l2tp_catalog_result_name(L2TP_MSG_HELLO, 1), "unknown");
	assert_string_equal(l2tp_catalog_error_name(L2TP_ERR_UNKNOWN_M),
			    "Receipt of an unknown AVP with the M bit set");
	assert_string_equal(l2tp_catalog_error_name(13), "unknown");
	assert_string_equal(l2tp_catalog_pw_type_name(0x0005), "Ethernet");
	assert_string_equal(l2tp_catalog_pw_type_name(0x0004), "Ethernet VLAN");
	assert_string_equal(l2tp_catalog_pw_type_name(0x0010), "unknown");
	assert_string_equal(l2tp_catalog_pw_type_name(0xffff), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_catalog_msg_types),
	    cmocka_unit_test(test_catalog_msg_validity_per_version),
	    cmocka_unit_test(test_catalog_avp_table_consistent),
	    cmocka_unit_test(test_catalog_avp_policy),
	    cmocka_unit_test(test_catalog_v3_auth_and_circuit_errors_rfc3931),
	    cmocka_unit_test(test_catalog_required_v2),
	    cmocka_unit_test(test_catalog_required_v3),
	    cmocka_unit_test(test_catalog_rules_use_known_avps),
	    cmocka_unit_test(test_catalog_code_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
