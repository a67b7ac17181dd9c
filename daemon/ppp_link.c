// SPDX-License-Identifier: MIT
/*
 * daemon/ppp_link.c - a PPP session's link: libl2tp's endpoint on the
 * event loop, a TUN device for IP, a secrets file (ppp_link.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include <l2tp/api.h>
#include <l2tp/ctx.h>

#include "clock.h"
#include "log.h"
#include "ppp_link.h"
#include "tap.h"

/* The largest IP packet we read from the TUN: the largest MRU we accept. */
#define PPP_PKT_MAX 16384
/* TUN reads per wake-up, so that one busy link cannot starve the loop. */
#define TUN_READS_MAX 64

struct l2tpd_ppp_link {
	struct l2tpd_loop *loop;
	struct l2tp_ppp *ppp;
	struct l2tpd_ppp_link_cfg cfg;
	struct cli_ppp pc; /* copy of *cfg.ppp */
	char label[64];
	char ifname[IFNAMSIZ];
	int tun;
	struct l2tpd_watch *tun_w;
	struct l2tpd_timer timer;
	bool down_told; /* cfg.down called once */
	bool in_input; /* frames are flushed by the outermost call */
	uint8_t buf[PPP_PKT_MAX + L2TP_PPP_HDR_MAX];
};

/* ---- secrets file ------------------------------------------------------------ */

/* The next word of |*p| (pppd's syntax: blanks, "quoted", # comment). 0 at the end. */
static size_t next_word(const char **p, char *out, size_t cap)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '#' || *s == '\n') {
		*p = s;
		return 0;
	}
	if (*s == '"') {
		for (s++; *s && *s != '"' && *s != '\n'; s++)
			if (n + 1 < cap)
				out[n++] = *s;
		if (*s == '"')
			s++;
	} else {
		for (; *s && !isspace((unsigned char)*s); s++)
			if (n + 1 < cap)
				out[n++] = *s;
	}
	out[n] = '\0';
	*p = s;
	return n ? n : 1; /* "" is a word too */
}

int l2tpd_ppp_secret_lookup(const char *path, const char *client, size_t client_len,
			    const char *server, char *out, size_t cap, char *addr, size_t addrcap)
{
	FILE *f = fopen(path, "re");
	char line[1024], w[4][256];
	int found = -ENOENT;

	if (!f)
		return -errno;
	while (found == -ENOENT && fgets(line, sizeof(line), f)) {
		const char *p = line;
		int k;

		for (k = 0; k < 4; k++)
			if (!next_word(&p, w[k], sizeof(w[k])))
				break;
		if (k < 3)
			continue;
		if (k == 3 || !strcmp(w[3], "*"))
			w[3][0] = '\0';
		if (strcmp(w[0], "*") &&
		    (strlen(w[0]) != client_len || memcmp(w[0], client, client_len)))
			continue;
		if (strcmp(w[1], "*") && strcmp(w[1], server))
			continue;
		if (strlen(w[2]) >= cap) {
			found = -ENOSPC;
			break;
		}
		strcpy(out, w[2]);
		found = (int)strlen(w[2]);
		if (addr && addrcap)
			snprintf(addr, addrcap, "%s", w[3]);
	}
	fclose(f);
	return found;
}

/* ---- endpoint callbacks ------------------------------------------------------ */

static void cb_log(void *user, int level, const char *line)
{
	struct l2tpd_ppp_link *l = user;

	if (level <= L2TP_LOG_WARN)
		log_warnx("%s: %s", l->label, line);
	else if (level == L2TP_LOG_INFO)
		log_info("%s: %s", l->label, line);
	else
		log_debug("%s: %s", l->label, line);
}

static void tell_down(struct l2tpd_ppp_link *l, const char *why)
{
	if (l->down_told)
		return;
	l->down_told = true;
	l->cfg.down(l->cfg.arg, why);
}

static void cb_link_down(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_down *why)
{
	struct l2tpd_ppp_link *l = user;

	(void)p;
	log_info("%s: PPP link down: %s", l->label, why->msg ? why->msg : "");
	tell_down(l, why->msg ? why->msg : "PPP link down");
}

static const char *our_name(const struct l2tpd_ppp_link *l)
{
	return l->pc.user[0] ? l->pc.user : "l2tpkit"; /* the endpoint's default name */
}

/*
 * IPCP, no ppp_remote configured: the address on the authenticated peer's
 * line of the secrets file, as pppd gives it; else what the peer asks.
 */
static int cb_assign_ip(void *user, struct l2tp_ppp *p, const uint8_t asked[4], uint8_t peer[4])
{
	struct l2tpd_ppp_link *l = user;
	const char *name = l2tp_ppp_peer_name(p);
	char s[CLI_SECRET_MAX + 1], a[64];
	struct in_addr in;

	(void)asked;
	if (!l->pc.secrets[0] || !name[0] ||
	    l2tpd_ppp_secret_lookup(l->pc.secrets, name, strlen(name), our_name(l), s, sizeof(s),
				    a, sizeof(a)) < 0)
		return -1;
	explicit_bzero(s, sizeof(s));
	if (!a[0])
		return -1;
	if (inet_pton(AF_INET, a, &in) != 1) {
		log_warnx("%s: the address \"%s\" of \"%s\" in %s is not an IPv4 address",
			  l->label, a, name, l->pc.secrets);
		return -1;
	}
	memcpy(peer, &in, 4);
	return 0;
}

static int cb_get_secret(void *user, struct l2tp_ppp *p, uint16_t proto, const uint8_t *name,
			 size_t name_len, uint8_t *secret, size_t cap)
{
	struct l2tpd_ppp_link *l = user;
	char s[CLI_SECRET_MAX + 1];
	int n;

	(void)p;
	if (!l->pc.secrets[0]) {
		log_warnx("%s: %s from \"%.*s\": no secrets file configured", l->label,
			  l2tp_ppp_proto_name(proto), (int)(name_len > 64 ? 64 : name_len),
			  (const char *)name);
		return -1;
	}
	n = l2tpd_ppp_secret_lookup(l->pc.secrets, (const char *)name, name_len, our_name(l), s,
				    sizeof(s), NULL, 0);
	if (n < 0) {
		log_warnx("%s: %s: no secret for \"%.*s\" in %s: %s", l->label,
			  l2tp_ppp_proto_name(proto), (int)(name_len > 64 ? 64 : name_len),
			  (const char *)name, l->pc.secrets,
			  n == -ENOENT ? "no matching line" : strerror(-n));
		return -1;
	}
	if ((size_t)n > cap)
		return -1;
	memcpy(secret, s, (size_t)n);
	explicit_bzero(s, sizeof(s));
	return n;
}

static void cb_auth_result(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_auth_result *r)
{
	struct l2tpd_ppp_link *l = user;

	(void)p;
	log_info("%s: %s %s %s \"%.*s\"%s%s", l->label, l2tp_ppp_proto_name(r->proto),
		 r->ok ? "authenticated" : "failed to authenticate",
		 r->authenticator ? "the peer" : "us as", (int)(r->name_len > 64 ? 64 : r->name_len),
		 r->name ? (const char *)r->name : "", r->msg && *r->msg ? ": " : "",
		 r->msg ? r->msg : "");
}

static void cb_ipcp_up(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_ipcp *ip)
{
	struct l2tpd_ppp_link *l = user;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	int rc;

	rc = l2tpd_tap_set_mtu(l->ifname, l2tp_ppp_peer_mru(p));
	if (rc == 0)
		rc = l2tpd_if_addr_add(l->ifname, AF_INET, ip->local, ip->peer, 32);
	if (rc == 0)
		rc = l2tpd_tap_set_up(l->ifname);
	inet_ntop(AF_INET, ip->local, a, sizeof(a));
	inet_ntop(AF_INET, ip->peer, b, sizeof(b));
	if (rc < 0)
		log_warnx("%s: IPCP up (%s peer %s) but %s: %s", l->label, a, b, l->ifname,
			  strerror(-rc));
	else
		log_info("%s: IPCP up: %s %s peer %s, mtu %u", l->label, l->ifname, a, b,
			 l2tp_ppp_peer_mru(p));
}

static void cb_ipv6cp_up(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_ipv6cp *ip6)
{
	struct l2tpd_ppp_link *l = user;
	uint8_t lo[16] = {0xfe, 0x80}, pe[16] = {0xfe, 0x80};
	char a[INET6_ADDRSTRLEN];
	int rc;

	(void)p;
	memcpy(lo + 8, ip6->local, 8);
	memcpy(pe + 8, ip6->peer, 8);
	rc = l2tpd_if_addr_add(l->ifname, AF_INET6, lo, pe, 128);
	if (rc == 0)
		rc = l2tpd_tap_set_up(l->ifname);
	inet_ntop(AF_INET6, lo, a, sizeof(a));
	if (rc < 0)
		log_warnx("%s: IPV6CP up but %s: %s", l->label, l->ifname, strerror(-rc));
	else
		log_info("%s: IPV6CP up: %s %s", l->label, l->ifname, a);
}

static void cb_recv_ip(void *user, struct l2tp_ppp *p, uint16_t proto, const uint8_t *pkt,
		       size_t len)
{
	struct l2tpd_ppp_link *l = user;

	(void)p;
	(void)proto;
	/* nonblocking: a full TUN queue drops, as a full device queue would */
	if (write(l->tun, pkt, len) < 0)
		log_debug("%s: TUN write: %s", l->label, strerror(errno));
}

/* ---- driving the endpoint ---------------------------------------------------- */

/* Send what the endpoint queued and arm its timer. */
static void flush(struct l2tpd_ppp_link *l)
{
	l2tp_time_t now = l2tpd_clock_now(), next;
	ssize_t n;

	if (l->in_input)
		return;
	while ((n = l2tp_ppp_write_frame(l->ppp, l->buf, sizeof(l->buf), now)) > 0)
		if (l->cfg.send(l->cfg.arg, l->buf, (size_t)n) < 0)
			log_debug("%s: PPP frame of %zd bytes not sent", l->label, n);
	next = l2tp_ppp_next_deadline(l->ppp);
	if (next == L2TP_TIME_NEVER)
		l2tpd_timer_cancel(l->loop, &l->timer);
	else
		l2tpd_timer_set(l->loop, &l->timer, next);
}

static void timer_cb(struct l2tpd_timer *t, l2tp_time_t now, void *arg)
{
	struct l2tpd_ppp_link *l = arg;

	(void)t;
	l2tp_ppp_on_timeout(l->ppp, now);
	flush(l);
}

static void tun_cb(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct l2tpd_ppp_link *l = arg;

	(void)w;
	(void)events;
	for (int i = 0; i < TUN_READS_MAX; i++) {
		ssize_t n = read(l->tun, l->buf, PPP_PKT_MAX);

		if (n <= 0)
			break;
		/* refused packets (NCP not open, too large, queue full) are dropped */
		(void)l2tp_ppp_send_ip(l->ppp, l->buf, (size_t)n);
		flush(l);
	}
}

void l2tpd_ppp_link_input(struct l2tpd_ppp_link *l, const uint8_t *frame, size_t len)
{
	l->in_input = true;
	(void)l2tp_ppp_handle_frame(l->ppp, frame, len, l2tpd_clock_now());
	l->in_input = false;
	flush(l);
}

int l2tpd_ppp_link_new(struct l2tpd_loop *loop, const struct l2tpd_ppp_link_cfg *cfg,
		       struct l2tpd_ppp_link **out, char *why, size_t whylen)
{
	const struct cli_ppp *pc = cfg->ppp;
	struct l2tp_ppp_callbacks cb = {
	    .rand = l2tpd_random,
	    .log = cb_log,
	    .link_down = cb_link_down,
	    .get_secret = cb_get_secret,
	    .assign_ip = cb_assign_ip,
	    .auth_result = cb_auth_result,
	    .ipcp_up = cb_ipcp_up,
	    .ipv6cp_up = cb_ipv6cp_up,
	    .recv_ip = cb_recv_ip,
	};
	struct l2tp_ppp_cfg c = {0};
	struct l2tpd_ppp_link *l = calloc(1, sizeof(*l));
	l2tp_time_t now = l2tpd_clock_now();
	int rc;

	if (!l) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	l->loop = loop;
	l->cfg = *cfg;
	l->pc = *pc;
	l->cfg.ppp = &l->pc;
	l->tun = -1;
	snprintf(l->label, sizeof(l->label), "%s", cfg->label ? cfg->label : "ppp");
	l2tpd_timer_init(&l->timer, timer_cb, l);

	c.mru = pc->mru;
	c.require_auth = pc->require_auth;
	c.name = pc->user[0] ? pc->user : NULL;
	if (pc->password[0]) {
		c.secret = (const uint8_t *)pc->password;
		c.secret_len = strlen(pc->password);
	}
	c.echo_interval = (l2tp_time_t)pc->lcp_echo * L2TP_SEC;
	memcpy(c.local_ip, pc->local_ip, 4);
	memcpy(c.peer_ip, pc->peer_ip, 4);
	rc = l2tp_ppp_new(&l->ppp, &cb, &c, NULL, l);
	if (rc < 0) {
		snprintf(why, whylen, "PPP endpoint: %s", strerror(-rc));
		free(l);
		return rc;
	}
	rc = l2tpd_tun_create(cfg->ifname, NULL, NULL, l->ifname);
	if (rc < 0) {
		snprintf(why, whylen, "TUN device %s: %s", cfg->ifname ? cfg->ifname : "",
			 rc == -EEXIST ? "the name is in use" : strerror(-rc));
		l2tp_ppp_free(l->ppp);
		free(l);
		return rc;
	}
	l->tun = rc;
	l->tun_w = l2tpd_loop_add(loop, l->tun, EPOLLIN, tun_cb, l);
	if (!l->tun_w) {
		rc = -errno;
		snprintf(why, whylen, "event loop: %s", strerror(-rc));
		close(l->tun);
		l2tp_ppp_free(l->ppp);
		free(l);
		return rc;
	}
	l2tp_ppp_open(l->ppp, now);
	l2tp_ppp_lower_up(l->ppp, now);
	flush(l);
	*out = l;
	return 0;
}

void l2tpd_ppp_link_free(struct l2tpd_ppp_link *l)
{
	if (!l)
		return;
	/* the session ends right after: one Terminate-Request, best effort */
	l->down_told = true;
	l2tp_ppp_close(l->ppp, l2tpd_clock_now());
	flush(l);
	l2tpd_timer_cancel(l->loop, &l->timer);
	l2tpd_loop_del(l->loop, l->tun_w);
	close(l->tun); /* the last fd: the TUN goes */
	l2tp_ppp_free(l->ppp);
	free(l);
}

const char *l2tpd_ppp_link_ifname(const struct l2tpd_ppp_link *l)
{
	return l->ifname;
}

int l2tpd_ppp_link_put(const struct l2tpd_ppp_link *l, struct nlmsghdr *nlh, size_t cap)
{
	static const char *const ph[] = {"dead", "establish", "authenticate", "network",
					 "terminate"};
	enum l2tp_ppp_phase phase = l2tp_ppp_phase(l->ppp);
	const struct l2tp_ppp_stats *st = l2tp_ppp_stats(l->ppp);
	char a[INET6_ADDRSTRLEN];
	bool ok;

	ok = mnl_attr_put_strz_check(nlh, cap, L2TPD_ATTR_PPP_PHASE,
				     (unsigned)phase < 5 ? ph[phase] : "?");
	if (ok && l2tp_ppp_state(l->ppp, L2TP_PPP_IPCP) == L2TP_PPP_OPENED) {
		const struct l2tp_ppp_ipcp *ip = l2tp_ppp_ipcp(l->ppp);

		ok = mnl_attr_put_strz_check(nlh, cap, L2TPD_ATTR_PPP_LOCAL,
					     inet_ntop(AF_INET, ip->local, a, sizeof(a))) &&
		     mnl_attr_put_strz_check(nlh, cap, L2TPD_ATTR_PPP_PEER,
					     inet_ntop(AF_INET, ip->peer, a, sizeof(a)));
	}
	if (ok && l2tp_ppp_state(l->ppp, L2TP_PPP_IPV6CP) == L2TP_PPP_OPENED) {
		const struct l2tp_ppp_ipv6cp *ip6 = l2tp_ppp_ipv6cp(l->ppp);
		uint8_t v[16] = {0xfe, 0x80};

		memcpy(v + 8, ip6->local, 8);
		ok = mnl_attr_put_strz_check(nlh, cap, L2TPD_ATTR_PPP_LOCAL6,
					     inet_ntop(AF_INET6, v, a, sizeof(a)));
		memcpy(v + 8, ip6->peer, 8);
		ok = ok && mnl_attr_put_strz_check(nlh, cap, L2TPD_ATTR_PPP_PEER6,
						   inet_ntop(AF_INET6, v, a, sizeof(a)));
	}
	if (ok && l2tp_ppp_peer_name(l->ppp)[0])
		ok = mnl_attr_put_strz_check(nlh, cap, L2TPD_ATTR_PPP_PEER_NAME,
					     l2tp_ppp_peer_name(l->ppp));
	ok = ok && mnl_attr_put_u64_check(nlh, cap, L2TPD_ATTR_PPP_RX_IP, st->rx_ip) &&
	     mnl_attr_put_u64_check(nlh, cap, L2TPD_ATTR_PPP_TX_IP, st->tx_ip);
	return ok ? 0 : -ENOSPC;
}
