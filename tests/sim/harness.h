/* SPDX-License-Identifier: MIT */
/*
 * harness.h - L2TPv3 endpoints (struct l2tp_ctx) over the simulated network
 * of simnet.h with a virtual clock. Each endpoint records the events its
 * callbacks saw and checks, from the library's debug log, that every
 * control message was delivered once and in order (Ns consecutive per
 * connection). Test code only.
 */
#ifndef L2TP_SIM_HARNESS_H
#define L2TP_SIM_HARNESS_H

#include <l2tp/ctx.h>

#include "simnet.h"
#include "testlib.h"

#define H_MAX_EP 4
#define H_MAX_TRACK 64

struct h_ep;

/* Per-connection delivery tracking (tunnel id -> next Ns expected). */
struct h_track {
	uint32_t ccid;
	uint32_t next_ns;
	bool used;
};

struct h_ep {
	struct harness *h;
	int node;
	const char *name;
	struct l2tp_ctx *ctx;
	struct l2tp_addr addr;
	struct tl_rng rng;
	struct l2tp_mem *mem; /* NULL: libc */

	/* policy */
	bool accept_tunnels; /* answer SCCRQs with |acfg| */
	struct l2tp_tunnel_cfg acfg;
	bool accept_sessions; /* answer ICRQ/OCRQ with |scfg| (unique Remote End IDs) */
	struct l2tp_session_cfg scfg;
	int auto_sessions; /* on tunnel up, open this many sessions "pw-<i>" */
	struct l2tp_session_cfg auto_cfg;
	bool dead; /* crashed: receives and sends nothing */
	uint8_t refuse_version; /* tunnel_request refuses SCCRQs of this version with 5 */
	uint8_t drop_version; /* datagrams of this version never reach it (a v2-only peer) */

	/* what happened */
	int tunnels_up, tunnels_down, sessions_up, sessions_down, circuit_events;
	int setup_failed; /* tunnel_setup_failed: an accepted connection that never came up */
	struct l2tp_down_reason last_setup_fail;
	void *last_setup_user;
	struct l2tp_down_reason last_tdown, last_sdown;
	char last_tdown_msg[160], last_sdown_msg[160];
	int wen_events, accm_events;
	struct l2tp_call_errors last_wen;
	struct l2tp_accm last_accm;
	int last_up_version; /* tunnel UP: l2tp_tunnel_version() */
	int last_req_version; /* tunnel_request: req->version */
	/* the last session request and UP event's v2 call data (strings copied) */
	struct l2tp_v2_call last_req_v2, last_up_v2;
	bool got_req_v2, got_up_v2;
	char req_calling[64], up_proxy_name[64], up_proxy_resp[64], up_lcp[64];
	int log_warn;
	char last_warn[256];
	bool saw_digest_log;
	int order_errors; /* deliveries out of order or twice */
	struct h_track track[H_MAX_TRACK];
};

struct harness {
	struct simnet *net;
	l2tp_time_t now;
	struct h_ep ep[H_MAX_EP];
	int n;
	bool verbose; /* SIM_VERBOSE=1 prints every log line */
	uint64_t seed;
	uint64_t datagrams;
	void *corpus; /* FILE *: SIM_CORPUS=DIR writes fuzz_ctrl seeds */
	enum l2tp_encap encap; /* of every path: UDP (port 1701) or IP (protocol 115) */
	/* sees every datagram handed to the network (tests that read the wire) */
	void (*tap)(struct harness *h, int from, int to, const uint8_t *pkt, size_t len);
};

/* New harness with |seed| (already passed through sim_seed()). */
void h_init(struct harness *h, uint64_t seed);
void h_fini(struct harness *h);
/* Add an endpoint at 192.0.2.(i+1):1701 with its own context. */
struct h_ep *h_add(struct harness *h, const char *name, struct l2tp_mem *mem);
/* Carry everything over IP (protocol 115) instead of UDP: ports become 0. */
void h_set_encap(struct harness *h, enum l2tp_encap encap);
/* Re-create |e|'s context (a restart: all state lost). */
void h_restart(struct h_ep *e);
/* The path from |a| to |b|. */
struct l2tp_path h_path(const struct h_ep *a, const struct h_ep *b);
/* l2tp_tunnel_open() from |from| to |to| at the harness's time; aborts on failure. */
struct l2tp_tunnel *h_open_tunnel(struct h_ep *from, struct h_ep *to,
				  const struct l2tp_tunnel_cfg *cfg);
/* |e|'s one caller-visible tunnel (not a husk), or NULL. */
struct l2tp_tunnel *h_only_tunnel(struct h_ep *e);
/* Run until virtual time |until| or nothing is left to do. */
void h_run(struct harness *h, l2tp_time_t until);
/* Run until |done(h)| is true or |until|; returns done's last answer. */
bool h_run_until(struct harness *h, l2tp_time_t until, bool (*done)(struct harness *));
/* Nothing pending anywhere: no datagrams, no deadline in any context. */
bool h_quiet(struct harness *h);

#endif /* L2TP_SIM_HARNESS_H */
