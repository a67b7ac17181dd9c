// SPDX-License-Identifier: MIT
/*
 * fuzz_api.c - arbitrary bytes as a datagram of netlink messages through
 * every management-API parser (policy, tunnel, session, stats, controller,
 * errors, required attributes), plus a round trip: re-encoding a parsed
 * tunnel/session and parsing that again must give the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "l2tp/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

union buf {
	uint64_t align;
	uint8_t b[L2TP_API_MSG_MAX];
};

static size_t reencode_tunnel(const struct l2tp_api_tunnel *t, union buf *out)
{
	struct nlmsghdr *nlh = l2tp_api_msg_start(out->b, sizeof(out->b), L2TP_API_FAMILY_ID,
						  L2TP_CMD_TUNNEL_GET, 0, 1);

	if (l2tp_api_put_tunnel(nlh, sizeof(out->b), t) < 0)
		abort(); /* one of each attribute always fits */
	return nlh->nlmsg_len;
}

static size_t reencode_session(const struct l2tp_api_session *s, union buf *out)
{
	struct nlmsghdr *nlh = l2tp_api_msg_start(out->b, sizeof(out->b), L2TP_API_FAMILY_ID,
						  L2TP_CMD_SESSION_GET, 0, 1);

	if (l2tp_api_put_session(nlh, sizeof(out->b), s) < 0)
		abort();
	return nlh->nlmsg_len;
}

static void one(const struct nlmsghdr *nlh)
{
	static union buf a, b;
	struct l2tp_api_tunnel t, t2;
	struct l2tp_api_session s, s2;
	const struct nlattr *tb[L2TP_ATTR_MAX + 1];
	struct l2tp_diag d;
	const char *name;
	uint16_t id;
	uint32_t ver;
	int err;
	size_t la, lb;

	if (l2tp_api_parse_attrs(nlh, tb, &d) == 0 && tb[L2TP_ATTR_STATS]) {
		struct l2tp_api_stats st;

		(void)l2tp_api_parse_stats(tb[L2TP_ATTR_STATS], &st, &d);
	}
	if (l2tp_api_parse_tunnel(nlh, &t, &d) == 0) {
		(void)l2tp_api_check_required(l2tp_api_msg_cmd(nlh), t.present,
					      nlh->nlmsg_flags & NLM_F_DUMP, &d);
		la = reencode_tunnel(&t, &a);
		if (l2tp_api_parse_tunnel((struct nlmsghdr *)a.b, &t2, &d) != 0)
			abort();
		lb = reencode_tunnel(&t2, &b);
		if (la != lb || memcmp(a.b, b.b, la))
			abort();
	}
	if (l2tp_api_parse_session(nlh, &s, &d) == 0) {
		(void)l2tp_api_check_session_create(&s, 3, &d);
		(void)l2tp_api_check_session_create(&s, 2, &d);
		la = reencode_session(&s, &a);
		if (l2tp_api_parse_session((struct nlmsghdr *)a.b, &s2, &d) != 0)
			abort();
		lb = reencode_session(&s2, &b);
		if (la != lb || memcmp(a.b, b.b, la))
			abort();
	}
	if (l2tp_api_parse_getfamily(nlh, &name, &d) == 0 && strlen(name) > 65535)
		abort();
	(void)l2tp_api_parse_family_reply(nlh, &id, &ver, &d);
	(void)l2tp_api_parse_error(nlh, &err);
	(void)l2tp_api_cmd_name(l2tp_api_msg_cmd(nlh));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static union buf in;
	size_t off = 0;

	if (size > sizeof(in.b))
		return 0;
	memcpy(in.b, data, size);
	/* as a receiver does: walk the datagram, checking each message fits */
	while (off < size) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(in.b + off);

		if (!l2tp_api_msg_ok(nlh, size - off))
			break;
		one(nlh);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return 0;
}
