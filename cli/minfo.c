// SPDX-License-Identifier: MIT
/*
 * minfo.c - reading l2tpd's own family's messages (managed state, events,
 * configuration lines): every attribute is checked for its type and length
 * before anything reads it (fuzz/fuzz_conf.c feeds it arbitrary bytes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "cli.h"

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= L2TPD_ATTR_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int cstat_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= L2TPD_CSTAT_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

/* Integers are read with the width they were sent with: never past the attribute. */
static bool int_ok(const struct nlattr *a)
{
	uint16_t n = mnl_attr_get_payload_len(a);

	return n == 1 || n == 2 || n == 4 || n == 8;
}

int cli_minfo_parse(struct cli_minfo *mi, const struct nlmsghdr *nlh)
{
	memset(mi, 0, sizeof(*mi));
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EPROTO;
	mi->msg = malloc(nlh->nlmsg_len);
	if (!mi->msg)
		return -ENOMEM;
	memcpy(mi->msg, nlh, nlh->nlmsg_len);
	nlh = mi->msg;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, attr_cb, mi->tb) < 0)
		goto bad;
	for (int i = 0; i <= L2TPD_ATTR_MAX; i++) {
		const struct nlattr *a = mi->tb[i];

		if (!a)
			continue;
		switch (i) {
		case L2TPD_ATTR_ARG:
		case L2TPD_ATTR_LINE:
		case L2TPD_ATTR_STATE:
		case L2TPD_ATTR_ROLE:
		case L2TPD_ATTR_PEER_HOSTNAME:
		case L2TPD_ATTR_PEER_VENDOR:
		case L2TPD_ATTR_DIGEST:
		case L2TPD_ATTR_REMOTE_END_ID:
		case L2TPD_ATTR_IFNAME:
		case L2TPD_ATTR_EVENT:
		case L2TPD_ATTR_REASON:
		case L2TPD_ATTR_PEER:
		case L2TPD_ATTR_ENCAP:
		case L2TPD_ATTR_DATAPATH:
		case L2TPD_ATTR_PPP_PHASE:
		case L2TPD_ATTR_PPP_LOCAL:
		case L2TPD_ATTR_PPP_PEER:
		case L2TPD_ATTR_PPP_LOCAL6:
		case L2TPD_ATTR_PPP_PEER6:
		case L2TPD_ATTR_PPP_PEER_NAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
				goto bad;
			break;
		case L2TPD_ATTR_COOKIE:
		case L2TPD_ATTR_PEER_COOKIE:
			if (mnl_attr_get_payload_len(a) > 8)
				goto bad;
			break;
		case L2TPD_ATTR_CTRL_STATS:
			if (mnl_attr_parse_nested(a, cstat_cb, mi->st) < 0)
				goto bad;
			for (int k = 0; k <= L2TPD_CSTAT_MAX; k++)
				if (mi->st[k] && k != L2TPD_CSTAT_TX_BY_TYPE &&
				    k != L2TPD_CSTAT_RX_BY_TYPE && !int_ok(mi->st[k]))
					goto bad;
			break;
		default:
			if (!int_ok(a))
				goto bad;
			break;
		}
	}
	if (mi->tb[L2TPD_ATTR_CONN_ID])
		mi->conn_id = (uint32_t)cli_attr_uint(mi->tb[L2TPD_ATTR_CONN_ID]);
	if (mi->tb[L2TPD_ATTR_SESSION_ID])
		mi->session_id = (uint32_t)cli_attr_uint(mi->tb[L2TPD_ATTR_SESSION_ID]);
	return 0;
bad:
	free(mi->msg);
	mi->msg = NULL;
	return -EPROTO;
}

uint64_t cli_attr_uint(const struct nlattr *a)
{
	switch (a ? mnl_attr_get_payload_len(a) : 0) {
	case 1:
		return mnl_attr_get_u8(a);
	case 2:
		return mnl_attr_get_u16(a);
	case 4:
		return mnl_attr_get_u32(a);
	case 8:
		return mnl_attr_get_u64(a);
	default:
		return 0;
	}
}

