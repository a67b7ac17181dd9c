// SPDX-License-Identifier: MIT
/*
 * format.c - tunnels and sessions as lines of the grammar (cli.h): what
 * "l2tp show config" prints and l2tpd.conf(5) reads back. Every word is
 * written so that cli_split_line() and cli_parse() give the same object
 * again (fuzz/fuzz_conf.c checks that).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void sb_add(struct cli_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct cli_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

/* A word as cli_split_line() reads it back: quoted when it has to be. */
static void sb_word(struct cli_sbuf *b, const char *key, const char *w)
{
	bool quote = !w[0] || strpbrk(w, " \t\r\n\"#\\") != NULL;

	sb_add(b, " %s ", key);
	if (!quote) {
		sb_add(b, "%s", w);
		return;
	}
	sb_add(b, "\"");
	for (; *w; w++)
		sb_add(b, *w == '"' || *w == '\\' ? "\\%c" : "%c", *w);
	sb_add(b, "\"");
}

static void sb_hex(struct cli_sbuf *b, const char *key, const uint8_t *v, size_t n)
{
	sb_add(b, " %s ", key);
	for (size_t i = 0; i < n; i++)
		sb_add(b, "%02x", v[i]);
}

static void fmt_addrs(struct cli_sbuf *b, const struct l2tp_api_tunnel *t)
{
	char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];

	if (l2tp_api_has(t->present, L2TP_ATTR_IP6_SADDR)) {
		inet_ntop(AF_INET6, &t->local_ip6, l, sizeof(l));
		inet_ntop(AF_INET6, &t->peer_ip6, r, sizeof(r));
	} else {
		inet_ntop(AF_INET, &t->local_ip, l, sizeof(l));
		inet_ntop(AF_INET, &t->peer_ip, r, sizeof(r));
	}
	sb_add(b, " encap %s local %s remote %s", t->encap_type == L2TP_ENCAPTYPE_IP ? "ip" : "udp",
	       l, r);
	if (t->encap_type == L2TP_ENCAPTYPE_UDP) {
		sb_add(b, " udp_sport %u udp_dport %u", t->udp_sport, t->udp_dport);
		if (t->udp_csum)
			sb_add(b, " udp_csum on");
		if (t->udp_zero_csum6_tx)
			sb_add(b, " udp6_csum_tx off");
		if (t->udp_zero_csum6_rx)
			sb_add(b, " udp6_csum_rx off");
	}
}

/* |m|: the managed settings, or NULL for a static tunnel. */
void cli_fmt_tunnel(struct cli_sbuf *b, const struct l2tp_api_tunnel *t, const struct cli_managed *m,
		       bool secrets)
{
	sb_add(b, "add tunnel tunnel_id %u", t->conn_id);
	if (!m) {
		sb_add(b, " peer_tunnel_id %u", t->peer_conn_id);
		fmt_addrs(b, t);
		return;
	}
	fmt_addrs(b, t);
	sb_add(b, " control on role %s", m->accept ? "accept" : "initiate");
	if (m->secret[0]) {
		if (secrets)
			sb_word(b, "secret", m->secret);
		else
			sb_add(b, " secret ********");
		sb_add(b, " digest %s", m->digest ? "sha1" : "md5");
	}
	if (m->hostname[0])
		sb_word(b, "hostname", m->hostname);
	if (m->peer_hostname[0])
		sb_word(b, "peer_hostname", m->peer_hostname);
	sb_add(b, " hello %u", m->hello);
	if (m->retries)
		sb_add(b, " retries %u", m->retries);
	if (m->window)
		sb_add(b, " window %u", m->window);
	if (m->version == 2)
		sb_add(b, " version 2");
	if (m->fallback)
		sb_add(b, " fallback on");
	if (m->fallback_timeout)
		sb_add(b, " fallback_timeout %u", m->fallback_timeout);
}

static void fmt_ppp(struct cli_sbuf *b, const struct cli_ppp *p, bool secrets)
{
	static const char *const auth[] = {"none", "pap", "chap", "any"};
	char a[INET_ADDRSTRLEN];

	sb_add(b, " auth %s", auth[p->require_auth & 3]);
	if (p->secrets[0])
		sb_word(b, "secrets", p->secrets);
	if (p->user[0])
		sb_word(b, "user", p->user);
	if (p->password[0]) {
		if (secrets)
			sb_word(b, "password", p->password);
		else
			sb_add(b, " password ********");
	}
	if (memcmp(p->local_ip, "\0\0\0\0", 4))
		sb_add(b, " ppp_local %s", inet_ntop(AF_INET, p->local_ip, a, sizeof(a)));
	if (memcmp(p->peer_ip, "\0\0\0\0", 4))
		sb_add(b, " ppp_remote %s", inet_ntop(AF_INET, p->peer_ip, a, sizeof(a)));
	if (p->lcp_echo)
		sb_add(b, " lcp_echo %u", p->lcp_echo);
	if (p->mru)
		sb_add(b, " mru %u", p->mru);
}

static const char *seq_word(bool send, bool recv)
{
	return send && recv ? "both" : send ? "send" : recv ? "recv" : "none";
}

void cli_fmt_session(struct cli_sbuf *b, const struct l2tp_api_session *s,
			const struct cli_managed *m, bool secrets)
{
	sb_add(b, "add session tunnel_id %u", s->conn_id);
	if (!m) {
		sb_add(b, " session_id %u peer_session_id %u", s->session_id, s->peer_session_id);
		if (s->cookie_len)
			sb_hex(b, "cookie", s->cookie, s->cookie_len);
		if (s->peer_cookie_len)
			sb_hex(b, "peer_cookie", s->peer_cookie, s->peer_cookie_len);
		sb_add(b, " l2spec_type %s", s->l2spec_type ? "default" : "none");
		sb_add(b, " seq %s", seq_word(s->send_seq, s->recv_seq));
		if (l2tp_api_has(s->present, L2TP_ATTR_IFNAME) && s->ifname[0])
			sb_add(b, " name %s", s->ifname);
		return;
	}
	if (s->session_id)
		sb_add(b, " session_id %u", s->session_id);
	sb_add(b, " pw_type %s",
	       m->pw_type == L2TP_PWTYPE_ETH_VLAN ? "eth_vlan"
	       : m->pw_type == L2TP_PWTYPE_PPP	  ? "ppp"
						  : "eth");
	if (m->remote_end_id[0])
		sb_word(b, "remote_end_id", m->remote_end_id);
	if (s->ifname[0])
		sb_add(b, " name %s", s->ifname);
	if (m->pw_type == L2TP_PWTYPE_PPP)
		fmt_ppp(b, &m->ppp, secrets);
	sb_add(b, " cookie %s", m->cookie_none ? "none" : "auto");
	if (m->l2spec_set)
		sb_add(b, " l2spec_type %s", s->l2spec_type ? "default" : "none");
	sb_add(b, " seq %s", seq_word(m->send_seq, m->recv_seq));
}

/* The canonical line of a parsed "add" command. */
void cli_fmt_cmd(struct cli_sbuf *b, const struct cli_cmd *c, bool secrets)
{
	if (c->obj_tunnel)
		cli_fmt_tunnel(b, &c->tunnel, c->m.tunnel ? &c->m : NULL, secrets);
	else
		cli_fmt_session(b, &c->session, c->m.session ? &c->m : NULL, secrets);
}

