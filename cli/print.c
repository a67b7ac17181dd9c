// SPDX-License-Identifier: MIT
/*
 * print.c - one printer for text and JSON. The text is exactly what
 * iproute2's `ip l2tp show tunnel|session` prints (ip/ipl2tp.c print_tunnel,
 * print_session), including its line joins (cookie, peer cookie and reorder
 * timeout share a line); JSON keys are iproute2's, and the JSON layout is
 * its json_writer's (compact, or -p: 4-space indents, "[ {" ... "} ]").
 * -s adds the kernel's counters (not printed by iproute2): text lines
 * "  RX packets N bytes N ..." / "  TX ...", JSON object "stats".
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "cli.h"
#include "l2tp/catalog.h"

/* ---- a tiny JSON writer with iproute2's json_writer output ------------ */

static void jw_eol(struct cli_printer *p)
{
	if (!p->pretty)
		return;
	putc('\n', p->out);
	for (unsigned int i = 0; i < p->depth; i++)
		fputs("    ", p->out);
}

static void jw_eor(struct cli_printer *p)
{
	if (p->sep != '\0')
		putc(p->sep, p->out);
	p->sep = ',';
}

static void jw_begin(struct cli_printer *p, int c)
{
	jw_eor(p);
	putc(c, p->out);
	p->depth++;
	p->sep = '\0';
}

static void jw_end(struct cli_printer *p, int c)
{
	if (p->depth)
		p->depth--;
	if (p->sep != '\0')
		jw_eol(p);
	putc(c, p->out);
	p->sep = ',';
}

static void jw_puts(struct cli_printer *p, const char *s)
{
	putc('"', p->out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '\t':
			fputs("\\t", p->out);
			break;
		case '\n':
			fputs("\\n", p->out);
			break;
		case '\r':
			fputs("\\r", p->out);
			break;
		case '\f':
			fputs("\\f", p->out);
			break;
		case '\b':
			fputs("\\b", p->out);
			break;
		case '\\':
			fputs("\\\\", p->out);
			break;
		case '"':
			fputs("\\\"", p->out);
			break;
		default:
			if (c < 0x20)
				fprintf(p->out, "\\u%04x", c);
			else
				putc(c, p->out);
		}
	}
	putc('"', p->out);
}

static void jw_name(struct cli_printer *p, const char *name)
{
	jw_eor(p);
	jw_eol(p);
	p->sep = '\0';
	jw_puts(p, name);
	putc(':', p->out);
	if (p->pretty)
		putc(' ', p->out);
}

static void jw_uint(struct cli_printer *p, const char *name, uint64_t v)
{
	jw_name(p, name);
	jw_eor(p);
	fprintf(p->out, "%" PRIu64, v);
}

static void jw_string(struct cli_printer *p, const char *name, const char *v)
{
	jw_name(p, name);
	jw_eor(p);
	jw_puts(p, v);
}

static void jw_bool(struct cli_printer *p, const char *name, bool v)
{
	jw_name(p, name);
	jw_eor(p);
	fputs(v ? "true" : "false", p->out);
}

static void jw_null(struct cli_printer *p, const char *name)
{
	jw_name(p, name);
	jw_eor(p);
	fputs("null", p->out);
}

void cli_print_init(struct cli_printer *p, FILE *out, bool json, bool pretty, int stats)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->json = json;
	p->pretty = pretty;
	p->stats = stats;
}

void cli_print_begin(struct cli_printer *p)
{
	if (!p->json)
		return;
	jw_begin(p, '[');
	if (p->pretty)
		putc(' ', p->out);
}

void cli_print_end(struct cli_printer *p)
{
	if (!p->json)
		return;
	if (p->pretty && p->sep)
		putc(' ', p->out);
	p->sep = '\0';
	jw_end(p, ']');
	putc('\n', p->out);
	fflush(p->out);
}

/* ---- counters ---------------------------------------------------------- */

static void print_stats(struct cli_printer *p, const struct l2tp_api_stats *st)
{
	static const struct {
		const char *key; /* JSON */
		const char *label; /* text */
		bool rx;
		size_t off;
	} f[] = {
	    {"rx_packets", "packets", true, offsetof(struct l2tp_api_stats, rx_packets)},
	    {"rx_bytes", "bytes", true, offsetof(struct l2tp_api_stats, rx_bytes)},
	    {"rx_errors", "errors", true, offsetof(struct l2tp_api_stats, rx_errors)},
	    {"rx_seq_discards", "seq_discards", true,
	     offsetof(struct l2tp_api_stats, rx_seq_discards)},
	    {"rx_oos_packets", "oos_packets", true,
	     offsetof(struct l2tp_api_stats, rx_oos_packets)},
	    {"rx_cookie_discards", "cookie_discards", true,
	     offsetof(struct l2tp_api_stats, rx_cookie_discards)},
	    {"rx_invalid", "invalid", true, offsetof(struct l2tp_api_stats, rx_invalid)},
	    {"tx_packets", "packets", false, offsetof(struct l2tp_api_stats, tx_packets)},
	    {"tx_bytes", "bytes", false, offsetof(struct l2tp_api_stats, tx_bytes)},
	    {"tx_errors", "errors", false, offsetof(struct l2tp_api_stats, tx_errors)},
	};

	if (p->json) {
		jw_name(p, "stats");
		jw_begin(p, '{');
		for (size_t i = 0; i < L2TP_ARRAY_SIZE(f); i++) {
			uint64_t v;

			memcpy(&v, (const uint8_t *)st + f[i].off, sizeof(v));
			jw_uint(p, f[i].key, v);
		}
		jw_end(p, '}');
		return;
	}
	fputs("  RX", p->out);
	for (size_t i = 0; i < L2TP_ARRAY_SIZE(f); i++) {
		uint64_t v;

		if (i > 0 && f[i].rx != f[i - 1].rx)
			fputs("\n  TX", p->out);
		memcpy(&v, (const uint8_t *)st + f[i].off, sizeof(v));
		fprintf(p->out, " %s %" PRIu64, f[i].label, v);
	}
	putc('\n', p->out);
}

static void hexstr(char *buf, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", b[i]);
	buf[2 * n] = '\0';
}

/* ---- managed state (l2tpd's family) ------------------------------------ */

enum mkind { MK_STR, MK_UINT, MK_HEX, MK_FLAG };

/* Every attribute l2tpd reports, with its JSON key (also the text word of events). */
static const struct {
	uint16_t attr;
	const char *key;
	enum mkind kind;
} mfields[] = {
    {L2TPD_ATTR_EVENT, "event", MK_STR},
    {L2TPD_ATTR_CONN_ID, "tunnel_id", MK_UINT},
    {L2TPD_ATTR_SESSION_ID, "session_id", MK_UINT},
    {L2TPD_ATTR_STATE, "state", MK_STR},
    {L2TPD_ATTR_ROLE, "role", MK_STR},
    {L2TPD_ATTR_INITIATOR, "initiator", MK_FLAG},
    {L2TPD_ATTR_ENCAP, "encap", MK_STR},
    {L2TPD_ATTR_PEER, "peer", MK_STR},
    {L2TPD_ATTR_CCID, "control_connection_id", MK_UINT},
    {L2TPD_ATTR_PEER_CONN_ID, "peer_tunnel_id", MK_UINT},
    {L2TPD_ATTR_PEER_SESSION_ID, "peer_session_id", MK_UINT},
    {L2TPD_ATTR_PEER_HOSTNAME, "peer_hostname", MK_STR},
    {L2TPD_ATTR_PEER_ROUTER_ID, "peer_router_id", MK_UINT},
    {L2TPD_ATTR_PEER_VENDOR, "peer_vendor", MK_STR},
    {L2TPD_ATTR_UPTIME, "uptime", MK_UINT},
    {L2TPD_ATTR_DIGEST, "digest", MK_STR},
    {L2TPD_ATTR_HELLO, "hello", MK_UINT},
    {L2TPD_ATTR_REMOTE_END_ID, "remote_end_id", MK_STR},
    {L2TPD_ATTR_PW_TYPE, "pw_type", MK_UINT},
    {L2TPD_ATTR_IFNAME, "interface", MK_STR},
    {L2TPD_ATTR_COOKIE, "cookie", MK_HEX},
    {L2TPD_ATTR_PEER_COOKIE, "peer_cookie", MK_HEX},
    {L2TPD_ATTR_L2SPEC_TYPE, "l2spec_type", MK_UINT},
    {L2TPD_ATTR_SEND_SEQ, "send_seq", MK_FLAG},
    {L2TPD_ATTR_RECV_SEQ, "recv_seq", MK_FLAG},
    {L2TPD_ATTR_RESULT, "result", MK_UINT},
    {L2TPD_ATTR_ERROR, "error", MK_UINT},
    {L2TPD_ATTR_BY_PEER, "by_peer", MK_FLAG},
    {L2TPD_ATTR_TIMEOUT, "peer_lost", MK_FLAG},
    {L2TPD_ATTR_REASON, "reason", MK_STR},
    {L2TPD_ATTR_RETRY_IN, "retry_in", MK_UINT},
    {L2TPD_ATTR_ATTEMPTS, "attempts", MK_UINT},
    {L2TPD_ATTR_VERSION, "version", MK_UINT},
    {L2TPD_ATTR_PPP_PHASE, "ppp_phase", MK_STR},
    {L2TPD_ATTR_PPP_LOCAL, "ppp_local", MK_STR},
    {L2TPD_ATTR_PPP_PEER, "ppp_remote", MK_STR},
    {L2TPD_ATTR_PPP_LOCAL6, "ppp_local6", MK_STR},
    {L2TPD_ATTR_PPP_PEER6, "ppp_remote6", MK_STR},
    {L2TPD_ATTR_PPP_PEER_NAME, "ppp_peer_name", MK_STR},
    {L2TPD_ATTR_PPP_RX_IP, "ppp_rx_ip", MK_UINT},
    {L2TPD_ATTR_PPP_TX_IP, "ppp_tx_ip", MK_UINT},
};

static const struct {
	uint16_t attr;
	const char *key;
} cstats[] = {
    {L2TPD_CSTAT_RX_MSGS, "rx_messages"},
    {L2TPD_CSTAT_RX_ACKS, "rx_acks"},
    {L2TPD_CSTAT_RX_DUPLICATES, "rx_duplicates"},
    {L2TPD_CSTAT_RX_OUT_OF_ORDER, "rx_out_of_order"},
    {L2TPD_CSTAT_RX_DIGEST_FAILURES, "rx_digest_failures"},
    {L2TPD_CSTAT_RX_UNKNOWN_SESSION, "rx_unknown_session"},
    {L2TPD_CSTAT_TX_MSGS, "tx_messages"},
    {L2TPD_CSTAT_TX_RETRANSMITS, "tx_retransmits"},
    {L2TPD_CSTAT_TX_ACKS, "tx_acks"},
    {L2TPD_CSTAT_CWND, "cwnd"},
    {L2TPD_CSTAT_PEER_RWND, "peer_window"},
    {L2TPD_CSTAT_SRTT_US, "srtt_us"},
    {L2TPD_CSTAT_RTTVAR_US, "rttvar_us"},
};

static const char *mstr(const struct cli_minfo *mi, uint16_t attr)
{
	return mi->tb[attr] ? mnl_attr_get_str(mi->tb[attr]) : "";
}

static uint64_t muint(const struct cli_minfo *mi, uint16_t attr)
{
	return cli_attr_uint(mi->tb[attr]);
}

/* key "value" with quotes and backslashes escaped, as configuration files quote */
static void print_quoted(struct cli_printer *p, const char *key, const char *v)
{
	fprintf(p->out, "%s \"", key);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			putc('\\', p->out);
		putc(*v, p->out);
	}
	putc('"', p->out);
}

/* The present fields: JSON members, or "key value" words for an event line. */
static void print_mfields(struct cli_printer *p, const struct cli_minfo *mi)
{
	bool first = true;

	if (p->json)
		jw_begin(p, '{');
	for (size_t i = 0; i < L2TP_ARRAY_SIZE(mfields); i++) {
		const struct nlattr *a = mi->tb[mfields[i].attr];
		char hex[17];

		if (!a)
			continue;
		if (mfields[i].kind == MK_HEX) {
			size_t n = mnl_attr_get_payload_len(a);

			hexstr(hex, mnl_attr_get_payload(a), n > 8 ? 8 : n);
		}
		if (p->json) {
			switch (mfields[i].kind) {
			case MK_STR:
				jw_string(p, mfields[i].key, mnl_attr_get_str(a));
				break;
			case MK_HEX:
				jw_string(p, mfields[i].key, hex);
				break;
			case MK_FLAG:
				jw_bool(p, mfields[i].key, cli_attr_uint(a) != 0);
				break;
			default:
				jw_uint(p, mfields[i].key, cli_attr_uint(a));
				break;
			}
			continue;
		}
		if (!first)
			putc(' ', p->out);
		first = false;
		switch (mfields[i].kind) {
		case MK_STR:
			if (mfields[i].attr == L2TPD_ATTR_EVENT)
				fputs(mnl_attr_get_str(a), p->out);
			else if (strpbrk(mnl_attr_get_str(a), " \t\"\\") || !*mnl_attr_get_str(a))
				print_quoted(p, mfields[i].key, mnl_attr_get_str(a));
			else
				fprintf(p->out, "%s %s", mfields[i].key, mnl_attr_get_str(a));
			break;
		case MK_HEX:
			fprintf(p->out, "%s %s", mfields[i].key, hex[0] ? hex : "none");
			break;
		case MK_FLAG:
			if (cli_attr_uint(a))
				fputs(mfields[i].key, p->out);
			break;
		default:
			fprintf(p->out, "%s %" PRIu64, mfields[i].key, cli_attr_uint(a));
			break;
		}
	}
	if (p->json)
		jw_end(p, '}');
}

static void print_by_type(struct cli_printer *p, const struct nlattr *a, const char *label)
{
	uint64_t v[L2TP_MSG_TYPE_MAX + 1];
	size_t n = a ? mnl_attr_get_payload_len(a) / sizeof(v[0]) : 0;

	if (n > L2TP_ARRAY_SIZE(v))
		n = L2TP_ARRAY_SIZE(v);
	if (n)
		memcpy(v, mnl_attr_get_payload(a), n * sizeof(v[0]));
	if (p->json) {
		jw_name(p, label);
		jw_begin(p, '{');
		for (size_t i = 0; i < n; i++)
			if (v[i])
				jw_uint(p, l2tp_catalog_msg_short((uint16_t)i), v[i]);
		jw_end(p, '}');
		return;
	}
	fprintf(p->out, "  %s", label);
	for (size_t i = 0; i < n; i++)
		if (v[i])
			fprintf(p->out, " %s %" PRIu64, l2tp_catalog_msg_short((uint16_t)i), v[i]);
	putc('\n', p->out);
}

/* JSON: the managed fields as object |key| (with the control counters when -s). */
static void print_mobject(struct cli_printer *p, const struct cli_minfo *mi, const char *key)
{
	jw_name(p, key);
	print_mfields(p, mi);
	if (p->stats > 0 && mi->tb[L2TPD_ATTR_CTRL_STATS]) {
		jw_name(p, "control_stats");
		jw_begin(p, '{');
		for (size_t i = 0; i < L2TP_ARRAY_SIZE(cstats); i++)
			if (mi->st[cstats[i].attr])
				jw_uint(p, cstats[i].key, cli_attr_uint(mi->st[cstats[i].attr]));
		print_by_type(p, mi->st[L2TPD_CSTAT_RX_BY_TYPE], "rx_by_type");
		print_by_type(p, mi->st[L2TPD_CSTAT_TX_BY_TYPE], "tx_by_type");
		jw_end(p, '}');
	}
}

static void print_down(struct cli_printer *p, const struct cli_minfo *mi)
{
	if (mi->tb[L2TPD_ATTR_REASON] || mi->tb[L2TPD_ATTR_RESULT])
		fprintf(p->out, "  Last down: result %" PRIu64 ", %s\n",
			muint(mi, L2TPD_ATTR_RESULT), mstr(mi, L2TPD_ATTR_REASON));
}

static void print_mtunnel(struct cli_printer *p, const struct cli_minfo *mi)
{
	const struct nlattr *const *st = mi->st;

	if (p->json) {
		print_mobject(p, mi, "control");
		return;
	}
	fprintf(p->out, "  Control: %s, role %s", mstr(mi, L2TPD_ATTR_STATE),
		mstr(mi, L2TPD_ATTR_ROLE));
	if (mi->tb[L2TPD_ATTR_INITIATOR])
		fprintf(p->out, ", %s", muint(mi, L2TPD_ATTR_INITIATOR) ? "initiator" : "acceptor");
	if (muint(mi, L2TPD_ATTR_UPTIME) || !strcmp(mstr(mi, L2TPD_ATTR_STATE), "established"))
		fprintf(p->out, ", up %" PRIu64 " s", muint(mi, L2TPD_ATTR_UPTIME));
	fprintf(p->out, "\n  Hello %" PRIu64 " s, digest %s\n", muint(mi, L2TPD_ATTR_HELLO),
		mstr(mi, L2TPD_ATTR_DIGEST));
	if (mi->tb[L2TPD_ATTR_PEER_HOSTNAME] || muint(mi, L2TPD_ATTR_PEER_CONN_ID))
		fprintf(p->out,
			"  Peer: host name \"%s\", router id %" PRIu64 ", vendor \"%s\", "
			"connection id %" PRIu64 " (ours %" PRIu64 ")\n",
			mstr(mi, L2TPD_ATTR_PEER_HOSTNAME), muint(mi, L2TPD_ATTR_PEER_ROUTER_ID),
			mstr(mi, L2TPD_ATTR_PEER_VENDOR), muint(mi, L2TPD_ATTR_PEER_CONN_ID),
			muint(mi, L2TPD_ATTR_CCID));
	print_down(p, mi);
	if (mi->tb[L2TPD_ATTR_RETRY_IN])
		fprintf(p->out, "  Next attempt in %" PRIu64 " s (%" PRIu64 " failed)\n",
			muint(mi, L2TPD_ATTR_RETRY_IN), muint(mi, L2TPD_ATTR_ATTEMPTS));
	if (p->stats <= 0 || !mi->tb[L2TPD_ATTR_CTRL_STATS])
		return;
	if (!st[L2TPD_CSTAT_RX_MSGS]) { /* no connection now */
		fprintf(p->out, "  Control digest_failures %" PRIu64 "\n",
			cli_attr_uint(st[L2TPD_CSTAT_RX_DIGEST_FAILURES]));
		return;
	}
	fprintf(p->out,
		"  Control RX messages %" PRIu64 " acks %" PRIu64 " duplicates %" PRIu64
		" out_of_order %" PRIu64 " digest_failures %" PRIu64 " unknown_session %" PRIu64
		"\n",
		cli_attr_uint(st[L2TPD_CSTAT_RX_MSGS]), cli_attr_uint(st[L2TPD_CSTAT_RX_ACKS]),
		cli_attr_uint(st[L2TPD_CSTAT_RX_DUPLICATES]),
		cli_attr_uint(st[L2TPD_CSTAT_RX_OUT_OF_ORDER]),
		cli_attr_uint(st[L2TPD_CSTAT_RX_DIGEST_FAILURES]),
		cli_attr_uint(st[L2TPD_CSTAT_RX_UNKNOWN_SESSION]));
	fprintf(p->out,
		"  Control TX messages %" PRIu64 " retransmits %" PRIu64 " acks %" PRIu64
		"; cwnd %" PRIu64 " peer_window %" PRIu64 " srtt %" PRIu64 " us rttvar %" PRIu64
		" us\n",
		cli_attr_uint(st[L2TPD_CSTAT_TX_MSGS]),
		cli_attr_uint(st[L2TPD_CSTAT_TX_RETRANSMITS]),
		cli_attr_uint(st[L2TPD_CSTAT_TX_ACKS]), cli_attr_uint(st[L2TPD_CSTAT_CWND]),
		cli_attr_uint(st[L2TPD_CSTAT_PEER_RWND]), cli_attr_uint(st[L2TPD_CSTAT_SRTT_US]),
		cli_attr_uint(st[L2TPD_CSTAT_RTTVAR_US]));
	print_by_type(p, st[L2TPD_CSTAT_RX_BY_TYPE], "Control RX by type:");
	print_by_type(p, st[L2TPD_CSTAT_TX_BY_TYPE], "Control TX by type:");
}

static void print_msession_text(struct cli_printer *p, const struct cli_minfo *mi)
{
	uint64_t pw = muint(mi, L2TPD_ATTR_PW_TYPE);

	fprintf(p->out, "  Managed: %s", mstr(mi, L2TPD_ATTR_STATE));
	if (*mstr(mi, L2TPD_ATTR_REMOTE_END_ID))
		fprintf(p->out, ", remote end id \"%s\"", mstr(mi, L2TPD_ATTR_REMOTE_END_ID));
	fprintf(p->out, ", pseudowire %s",
		pw == L2TP_PWTYPE_ETH_VLAN ? "eth_vlan"
		: pw == L2TP_PWTYPE_ETH	   ? "eth"
		: pw == L2TP_PWTYPE_PPP	   ? "ppp"
					   : "?");
	if (mi->tb[L2TPD_ATTR_UPTIME])
		fprintf(p->out, ", up %" PRIu64 " s", muint(mi, L2TPD_ATTR_UPTIME));
	if (mi->tb[L2TPD_ATTR_L2SPEC_TYPE])
		fprintf(p->out, ", %s sublayer",
			muint(mi, L2TPD_ATTR_L2SPEC_TYPE) ? "default" : "no");
	putc('\n', p->out);
	if (mi->tb[L2TPD_ATTR_PPP_PHASE]) {
		fprintf(p->out, "  PPP: %s", mstr(mi, L2TPD_ATTR_PPP_PHASE));
		if (mi->tb[L2TPD_ATTR_PPP_LOCAL])
			fprintf(p->out, ", %s peer %s", mstr(mi, L2TPD_ATTR_PPP_LOCAL),
				mstr(mi, L2TPD_ATTR_PPP_PEER));
		if (mi->tb[L2TPD_ATTR_PPP_LOCAL6])
			fprintf(p->out, ", %s peer %s", mstr(mi, L2TPD_ATTR_PPP_LOCAL6),
				mstr(mi, L2TPD_ATTR_PPP_PEER6));
		if (mi->tb[L2TPD_ATTR_PPP_PEER_NAME])
			fprintf(p->out, ", peer name \"%s\"", mstr(mi, L2TPD_ATTR_PPP_PEER_NAME));
		fprintf(p->out, ", IP packets rx %" PRIu64 " tx %" PRIu64 "\n",
			muint(mi, L2TPD_ATTR_PPP_RX_IP), muint(mi, L2TPD_ATTR_PPP_TX_IP));
	}
	print_down(p, mi);
}

/* ---- tunnels and sessions --------------------------------------------- */

#define HAS(o, attr) l2tp_api_has((o)->present, L2TP_ATTR_##attr)

void cli_print_tunnel(struct cli_printer *p, const struct l2tp_api_tunnel *t)
{
	char local[INET6_ADDRSTRLEN], peer[INET6_ADDRSTRLEN];
	const char *encap = t->encap_type == L2TP_ENCAPTYPE_UDP	 ? "UDP"
			    : t->encap_type == L2TP_ENCAPTYPE_IP ? "IP"
								 : "??";
	/* as iproute2: IPv4 when IP_SADDR is there, otherwise IPv6 */
	int lfam = HAS(t, IP_SADDR) ? AF_INET : AF_INET6;
	int pfam = HAS(t, IP_DADDR) ? AF_INET : AF_INET6;
	bool tx6 = !t->udp_zero_csum6_tx, rx6 = !t->udp_zero_csum6_rx;

	inet_ntop(lfam, lfam == AF_INET ? (const void *)&t->local_ip : &t->local_ip6, local,
		  sizeof(local));
	inet_ntop(pfam, pfam == AF_INET ? (const void *)&t->peer_ip : &t->peer_ip6, peer,
		  sizeof(peer));

	if (p->json) {
		jw_begin(p, '{');
		jw_uint(p, "tunnel_id", t->conn_id);
		jw_string(p, "encap", encap);
		jw_string(p, "local", local);
		jw_string(p, "peer", peer);
		jw_uint(p, "peer_tunnel", t->peer_conn_id);
		if (t->encap_type == L2TP_ENCAPTYPE_UDP) {
			jw_uint(p, "local_port", t->udp_sport);
			jw_uint(p, "peer_port", t->udp_dport);
			if (lfam == AF_INET) {
				jw_bool(p, "checksum", t->udp_csum != 0);
			} else {
				jw_bool(p, "checksum_tx", tx6);
				jw_bool(p, "checksum_rx", rx6);
			}
		}
		if (p->mi && p->mi->tb[L2TPD_ATTR_DATAPATH])
			jw_string(p, "datapath", mstr(p->mi, L2TPD_ATTR_DATAPATH));
		if (p->stats > 0 && HAS(t, STATS))
			print_stats(p, &t->stats);
		if (p->mi && p->mi->tb[L2TPD_ATTR_STATE])
			print_mtunnel(p, p->mi);
		jw_end(p, '}');
		return;
	}

	fprintf(p->out, "Tunnel %" PRIu32 ", encap %s\n", t->conn_id, encap);
	fprintf(p->out, "  From %s to %s\n", local, peer);
	fprintf(p->out, "  Peer tunnel %" PRIu32 "\n", t->peer_conn_id);
	if (t->encap_type == L2TP_ENCAPTYPE_UDP) {
		fprintf(p->out, "  UDP source / dest ports: %hu/%hu\n", t->udp_sport, t->udp_dport);
		if (lfam == AF_INET)
			fprintf(p->out, "  UDP checksum: %s\n",
				t->udp_csum ? "enabled" : "disabled");
		else
			fprintf(p->out, "  UDP checksum: %s\n",
				tx6 && rx6 ? "enabled"
				: tx6	   ? "tx"
				: rx6	   ? "rx"
					   : "disabled");
	}
	if (p->mi && p->mi->tb[L2TPD_ATTR_DATAPATH])
		fprintf(p->out, "  Datapath: %s\n", mstr(p->mi, L2TPD_ATTR_DATAPATH));
	if (p->stats > 0 && HAS(t, STATS))
		print_stats(p, &t->stats);
	if (p->mi && p->mi->tb[L2TPD_ATTR_STATE])
		print_mtunnel(p, p->mi);
}

void cli_print_session(struct cli_printer *p, const struct l2tp_api_session *s)
{
	char cookie[17], peer_cookie[17];

	hexstr(cookie, s->cookie, s->cookie_len > 8 ? 8 : s->cookie_len);
	hexstr(peer_cookie, s->peer_cookie, s->peer_cookie_len > 8 ? 8 : s->peer_cookie_len);

	if (p->json) {
		jw_begin(p, '{');
		jw_uint(p, "session_id", s->session_id);
		jw_uint(p, "tunnel_id", s->conn_id);
		jw_uint(p, "peer_session_id", s->peer_session_id);
		jw_uint(p, "peer_tunnel_id", s->peer_conn_id);
		if (HAS(s, IFNAME))
			jw_string(p, "interface", s->ifname);
		if (s->cookie_len > 0)
			jw_string(p, "cookie", cookie);
		if (s->peer_cookie_len > 0)
			jw_string(p, "peer_cookie", peer_cookie);
		if (s->recv_timeout_ms)
			jw_uint(p, "reorder_timeout", s->recv_timeout_ms);
		if (s->send_seq)
			jw_null(p, "send_seq");
		if (s->recv_seq)
			jw_null(p, "recv_seq");
		if (p->stats > 0 && HAS(s, STATS))
			print_stats(p, &s->stats);
		if (p->mi)
			print_mobject(p, p->mi, "managed");
		jw_end(p, '}');
		return;
	}

	fprintf(p->out, "Session %" PRIu32 " in tunnel %" PRIu32 "\n", s->session_id, s->conn_id);
	fprintf(p->out, "  Peer session %" PRIu32 ", tunnel %" PRIu32 "\n", s->peer_session_id,
		s->peer_conn_id);
	if (HAS(s, IFNAME))
		fprintf(p->out, "  interface name: %s\n", s->ifname);
	/* offsets are printed for legacy scripts only, always 0 (iproute2) */
	fputs("  offset 0, peer offset 0\n", p->out);
	if (s->cookie_len > 0)
		fprintf(p->out, "  cookie %s", cookie);
	if (s->peer_cookie_len > 0)
		fprintf(p->out, "  peer cookie %s", peer_cookie);
	if (s->recv_timeout_ms)
		fprintf(p->out, "  reorder timeout: %" PRIu64, s->recv_timeout_ms);
	if (s->send_seq || s->recv_seq) {
		fputs("\n  sequence numbering:", p->out);
		if (s->send_seq)
			fputs(" send", p->out);
		if (s->recv_seq)
			fputs(" recv", p->out);
	}
	putc('\n', p->out);
	if (p->stats > 0 && HAS(s, STATS))
		print_stats(p, &s->stats);
	if (p->mi)
		print_msession_text(p, p->mi);
}

void cli_print_msession(struct cli_printer *p, const struct cli_minfo *mi)
{
	if (p->json) {
		jw_begin(p, '{');
		jw_uint(p, "session_id", mi->session_id);
		jw_uint(p, "tunnel_id", mi->conn_id);
		print_mobject(p, mi, "managed");
		jw_end(p, '}');
		return;
	}
	fprintf(p->out, "Session %" PRIu32 " in tunnel %" PRIu32 " (managed, not established)\n",
		mi->session_id, mi->conn_id);
	print_msession_text(p, mi);
}

void cli_print_event(struct cli_printer *p, const struct cli_minfo *ev)
{
	if (p->json) {
		p->depth = 0;
		p->sep = '\0';
		print_mfields(p, ev);
		putc('\n', p->out);
		return;
	}
	print_mfields(p, ev);
	putc('\n', p->out);
}
