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

#include "cli.h"

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
		if (p->stats > 0 && HAS(t, STATS))
			print_stats(p, &t->stats);
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
	if (p->stats > 0 && HAS(t, STATS))
		print_stats(p, &t->stats);
}

static void hexstr(char *buf, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", b[i]);
	buf[2 * n] = '\0';
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
}
