// SPDX-License-Identifier: MIT
/*
 * harness.c - endpoints over simnet with a virtual clock (see harness.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "../../lib/internal.h" /* h_only_tunnel: the context's list */

static int ep_rand(void *user, uint8_t *buf, size_t len)
{
	struct h_ep *e = user;

	tl_rng_fill(&e->rng, buf, len);
	return 0;
}

/* "tunnel=ID rx msg=X ns=N": check N is the next one for ID. */
static void track(struct h_ep *e, const char *line)
{
	unsigned int id, ns;
	const char *p = strstr(line, " rx msg=");

	if (!p || sscanf(line, "tunnel=%u", &id) != 1)
		return;
	p = strstr(p, " ns=");
	if (!p || sscanf(p, " ns=%u", &ns) != 1)
		return;
	for (int i = 0; i < H_MAX_TRACK; i++) {
		struct h_track *t = &e->track[i];

		if (t->used && t->ccid == id) {
			if (ns != (t->next_ns & 0xffff)) {
				e->order_errors++;
				fprintf(stderr, "sim: %s tunnel=%u delivered ns=%u, expected %u\n",
					e->name, id, ns, t->next_ns & 0xffff);
			}
			t->next_ns = ns + 1;
			return;
		}
		if (!t->used) {
			t->used = true;
			t->ccid = id;
			if (ns != 0) {
				e->order_errors++;
				fprintf(stderr, "sim: %s tunnel=%u first delivery ns=%u\n", e->name,
					id, ns);
			}
			t->next_ns = ns + 1;
			return;
		}
	}
}

static void ep_log(void *user, int level, const char *line)
{
	struct h_ep *e = user;

	if (e->h->verbose)
		fprintf(stderr, "%12.6f %s: %s\n", (double)e->h->now / 1e9, e->name, line);
	if (strcasestr(line, "digest"))
		e->saw_digest_log = true;
	if (level <= L2TP_LOG_WARN) {
		e->log_warn++;
		snprintf(e->last_warn, sizeof(e->last_warn), "%s", line);
	}
	track(e, line);
}

static int ep_tunnel_request(void *user, const struct l2tp_tunnel_req *req,
			     struct l2tp_tunnel_cfg *cfg)
{
	struct h_ep *e = user;

	e->last_req_version = req->version;
	if (!e->accept_tunnels)
		return 4;
	if (e->refuse_version && req->version == e->refuse_version)
		return 5;
	*cfg = e->acfg;
	return 0;
}

static void copy_reason(char *dst, size_t cap, struct l2tp_down_reason *dr,
			const struct l2tp_down_reason *src)
{
	*dr = *src;
	snprintf(dst, cap, "%s", src->msg ? src->msg : "");
	dr->msg = dst;
}

static void ep_tunnel_event(void *user, struct l2tp_tunnel *t, const struct l2tp_event *ev)
{
	struct h_ep *e = user;

	if (ev->type == L2TP_EV_UP) {
		e->tunnels_up++;
		e->last_up_version = l2tp_tunnel_version(t);
		for (int i = 0; i < e->auto_sessions; i++) {
			char rei[32];
			struct l2tp_session_cfg c = e->auto_cfg;
			struct l2tp_session *s;

			snprintf(rei, sizeof(rei), "pw-%d", i);
			c.remote_end_id = (const uint8_t *)rei;
			c.remote_end_id_len = strlen(rei);
			if (l2tp_session_open(t, &c, e->h->now, &s) < 0)
				break;
		}
	} else if (ev->type == L2TP_EV_DOWN) {
		e->tunnels_down++;
		copy_reason(e->last_tdown_msg, sizeof(e->last_tdown_msg), &e->last_tdown, &ev->down);
	}
}

static int ep_session_request(void *user, struct l2tp_tunnel *t, const struct l2tp_session_req *req,
			      struct l2tp_session_cfg *cfg)
{
	struct h_ep *e = user;

	if (req->v2) {
		e->got_req_v2 = true;
		e->last_req_v2 = *req->v2;
		snprintf(e->req_calling, sizeof(e->req_calling), "%.*s",
			 (int)req->v2->calling_number.len, (const char *)req->v2->calling_number.p);
	}
	if (!e->accept_sessions)
		return 24;
	*cfg = e->scfg;
	return 0;
}

static void ep_session_event(void *user, struct l2tp_session *s, const struct l2tp_event *ev)
{
	struct h_ep *e = user;

	if (ev->type == L2TP_EV_UP) {
		e->sessions_up++;
		if (ev->v2) {
			const struct l2tp_ppp_proxy *p = &ev->v2->proxy;

			e->got_up_v2 = true;
			e->last_up_v2 = *ev->v2;
			snprintf(e->up_proxy_name, sizeof(e->up_proxy_name), "%.*s",
				 (int)p->auth_name.len, (const char *)p->auth_name.p);
			snprintf(e->up_proxy_resp, sizeof(e->up_proxy_resp), "%.*s",
				 (int)p->auth_resp.len, (const char *)p->auth_resp.p);
			snprintf(e->up_lcp, sizeof(e->up_lcp), "%.*s", (int)p->last_sent_lcp.len,
				 (const char *)p->last_sent_lcp.p);
		}
	} else if (ev->type == L2TP_EV_DOWN) {
		e->sessions_down++;
		copy_reason(e->last_sdown_msg, sizeof(e->last_sdown_msg), &e->last_sdown, &ev->down);
	} else if (ev->type == L2TP_EV_WEN) {
		e->wen_events++;
		e->last_wen = *ev->call_errors;
	} else if (ev->type == L2TP_EV_ACCM) {
		e->accm_events++;
		e->last_accm = *ev->accm;
	} else {
		e->circuit_events++;
	}
}

static void ep_tunnel_setup_failed(void *user, void *tunnel_user,
				   const struct l2tp_down_reason *why)
{
	struct h_ep *e = user;

	e->setup_failed++;
	e->last_setup_fail = *why;
	e->last_setup_fail.msg = NULL; /* valid during the call only */
	e->last_setup_user = tunnel_user;
}

static const struct l2tp_callbacks h_cb = {
    .rand = ep_rand,
    .log = ep_log,
    .tunnel_request = ep_tunnel_request,
    .tunnel_event = ep_tunnel_event,
    .tunnel_setup_failed = ep_tunnel_setup_failed,
    .session_request = ep_session_request,
    .session_event = ep_session_event,
};

static void ep_make(struct h_ep *e)
{
	char hn[32];
	struct l2tp_ctx_settings set = {.hostname = hn};
	int rc;

	snprintf(hn, sizeof(hn), "%s.example", e->name);
	rc = l2tp_ctx_new(&e->ctx, &h_cb, &set, e->mem, e);
	if (rc < 0) {
		fprintf(stderr, "sim: l2tp_ctx_new: %d\n", rc);
		abort();
	}
	memset(e->track, 0, sizeof(e->track));
}

void h_init(struct harness *h, uint64_t seed)
{
	const char *v = getenv("SIM_VERBOSE");

	memset(h, 0, sizeof(*h));
	h->seed = seed;
	h->net = sim_new(seed);
	h->verbose = v && *v && *v != '0';
	if (getenv("SIM_CORPUS")) {
		/* one fuzz_ctrl seed per scenario: what B received, as records */
		static int count;
		char path[512];

		snprintf(path, sizeof(path), "%s/sim-%03d", getenv("SIM_CORPUS"), count++);
		h->corpus = fopen(path, "wb");
	}
}

void h_fini(struct harness *h)
{
	for (int i = 0; i < h->n; i++)
		l2tp_ctx_free(h->ep[i].ctx);
	sim_free(h->net);
	if (h->corpus)
		fclose(h->corpus);
}

struct h_ep *h_add(struct harness *h, const char *name, struct l2tp_mem *mem)
{
	struct h_ep *e = &h->ep[h->n];

	memset(e, 0, sizeof(*e));
	e->h = h;
	e->name = name;
	e->mem = mem;
	e->node = sim_add_node(h->net, name);
	e->addr.family = 4;
	e->addr.ip[0] = 192;
	e->addr.ip[1] = 0;
	e->addr.ip[2] = 2;
	e->addr.ip[3] = (uint8_t)(e->node + 1);
	e->addr.port = 1701;
	tl_rng_seed(&e->rng, h->seed * 1000003u + (uint64_t)h->n + 1);
	e->scfg.l2spec = -1;
	e->auto_cfg.l2spec = -1;
	ep_make(e);
	h->n++;
	return e;
}

void h_set_encap(struct harness *h, enum l2tp_encap encap)
{
	h->encap = encap;
	for (int i = 0; i < h->n; i++)
		h->ep[i].addr.port = encap == L2TP_ENCAP_IP ? 0 : 1701;
}

void h_restart(struct h_ep *e)
{
	l2tp_ctx_free(e->ctx);
	tl_rng_next(&e->rng); /* a restarted host draws other ids */
	ep_make(e);
}

struct l2tp_path h_path(const struct h_ep *a, const struct h_ep *b)
{
	return (struct l2tp_path){a->h->encap, a->addr, b->addr};
}

struct l2tp_tunnel *h_open_tunnel(struct h_ep *from, struct h_ep *to,
				  const struct l2tp_tunnel_cfg *cfg)
{
	struct l2tp_path p = h_path(from, to);
	struct l2tp_tunnel *t = NULL;
	int rc = l2tp_tunnel_open(from->ctx, &p, cfg, from->h->now, &t);

	if (rc < 0) {
		fprintf(stderr, "sim: %s: l2tp_tunnel_open: %d\n", from->name, rc);
		abort();
	}
	return t;
}

struct l2tp_tunnel *h_only_tunnel(struct h_ep *e)
{
	struct l2tp_ctx *ctx = e->ctx;

	for (struct l2tp_list *l = ctx->all.next; l != &ctx->all; l = l->next) {
		struct l2tp_tunnel *t = l2tp_container_of(l, struct l2tp_tunnel, all);

		if (!t->husk)
			return t;
	}
	return NULL;
}

static struct h_ep *ep_at(struct harness *h, const struct l2tp_addr *a)
{
	for (int i = 0; i < h->n; i++)
		if (l2tp_addr_equal(&h->ep[i].addr, a))
			return &h->ep[i];
	return NULL;
}

static void flush(struct harness *h)
{
	static uint8_t buf[65536];

	for (int i = 0; i < h->n; i++) {
		struct h_ep *e = &h->ep[i];
		struct l2tp_path p;
		ssize_t n;
		int guard = 0;

		if (e->dead)
			continue;
		while ((n = l2tp_ctx_write_pkt(e->ctx, &p, buf, sizeof(buf), h->now)) > 0) {
			struct h_ep *to = ep_at(h, &p.peer);

			if (to && h->tap)
				h->tap(h, e->node, to->node, buf, (size_t)n);
			if (to)
				sim_send(h->net, e->node, to->node, buf, (size_t)n, h->now);
			h->datagrams++;
			if (++guard > 1000000)
				abort(); /* a context that never stops writing is a bug */
		}
	}
}

static l2tp_time_t next_event(struct harness *h)
{
	l2tp_time_t t = sim_next_time(h->net);

	for (int i = 0; i < h->n; i++) {
		l2tp_time_t d;

		if (h->ep[i].dead)
			continue;
		d = l2tp_ctx_next_deadline(h->ep[i].ctx, h->now);
		if (d < t)
			t = d;
	}
	return t;
}

static void step(struct harness *h)
{
	struct sim_dgram d;

	while (sim_pop(h->net, h->now, &d)) {
		struct h_ep *to = &h->ep[d.to];
		struct l2tp_path p = {h->encap, to->addr, h->ep[d.from].addr};

		if (h->corpus && d.len < 65536) {
			/* fuzz/fuzz_ctrl.c's record: flags (aim at the live ids), length */
			uint8_t rec[3] = {(uint8_t)(2 | (d.to == 0)), (uint8_t)(d.len >> 8),
					  (uint8_t)d.len};

			fwrite(rec, 1, 3, h->corpus);
			fwrite(d.data, 1, d.len, h->corpus);
		}
		/* a v2-only peer drops v3 datagrams (and the other way round) */
		if (to->drop_version && d.len >= 2 && (d.data[1] & 0x0f) == to->drop_version &&
		    h->encap == L2TP_ENCAP_UDP) {
			free(d.data);
			continue;
		}
		if (!to->dead)
			l2tp_ctx_handle_ctrl_pkt(to->ctx, &p, d.data, d.len, h->now);
		free(d.data);
	}
	for (int i = 0; i < h->n; i++)
		if (!h->ep[i].dead && l2tp_ctx_next_deadline(h->ep[i].ctx, h->now) <= h->now)
			l2tp_ctx_on_timeout(h->ep[i].ctx, h->now);
	flush(h);
}

bool h_run_until(struct harness *h, l2tp_time_t until, bool (*done)(struct harness *))
{
	/* bounded: every step advances time or consumes a datagram */
	for (long guard = 0; guard < 50000000; guard++) {
		l2tp_time_t t;

		flush(h);
		if (done && done(h))
			return true;
		t = next_event(h);
		if (t > until || t == L2TP_TIME_NEVER) {
			if (until != L2TP_TIME_NEVER && h->now < until)
				h->now = until;
			return done ? done(h) : true;
		}
		if (t > h->now)
			h->now = t;
		step(h);
	}
	abort();
}

void h_run(struct harness *h, l2tp_time_t until)
{
	h_run_until(h, until, NULL);
}

bool h_quiet(struct harness *h)
{
	return next_event(h) == L2TP_TIME_NEVER;
}
