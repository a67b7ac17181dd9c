/* SPDX-License-Identifier: MIT */
/*
 * internal.h - what lib/ctx.c, lib/tunnel.c, lib/session.c and
 * lib/idtable.c share: the object layouts, the id hash table and the
 * allocation wrappers. Never installed.
 */
#ifndef L2TP_INTERNAL_H
#define L2TP_INTERNAL_H

#include <l2tp/ctx.h>

/* ---- allocation through the context's l2tp_mem (failmalloc-testable) ----- */

void *l2tp_mem_zalloc(const struct l2tp_mem *mem, size_t size);
void l2tp_mem_free(const struct l2tp_mem *mem, void *p);

/* ---- id hash table (lib/idtable.c) ------------------------------------------ */

/*
 * An intrusive chained hash of 32-bit keys: O(1) lookups whatever the count
 * (100,000 sessions in the scale test). Nodes live inside the objects.
 * Buckets double when the load passes 1; a failed growth only costs speed.
 */
struct l2tp_hnode {
	struct l2tp_hnode *next;
	uint32_t key;
};

struct l2tp_htable {
	struct l2tp_hnode **b;
	uint32_t mask; /* buckets - 1 */
	size_t n;
};

int l2tp_ht_init(struct l2tp_htable *h, const struct l2tp_mem *mem, uint32_t buckets);
void l2tp_ht_fini(struct l2tp_htable *h, const struct l2tp_mem *mem);
/* Insert |n| with key |key| (duplicates allowed: the caller checks first). */
void l2tp_ht_add(struct l2tp_htable *h, const struct l2tp_mem *mem, struct l2tp_hnode *n,
		 uint32_t key);
void l2tp_ht_del(struct l2tp_htable *h, struct l2tp_hnode *n);
/* First node with |key|; continue with l2tp_ht_next(). */
struct l2tp_hnode *l2tp_ht_find(const struct l2tp_htable *h, uint32_t key);
struct l2tp_hnode *l2tp_ht_next(struct l2tp_hnode *n, uint32_t key);

#define l2tp_container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* A plain doubly linked list (kernel list_head, reduced). */
struct l2tp_list {
	struct l2tp_list *next, *prev;
};

static inline void l2tp_list_init(struct l2tp_list *l)
{
	l->next = l->prev = l;
}

static inline bool l2tp_list_empty(const struct l2tp_list *l)
{
	return l->next == l;
}

static inline void l2tp_list_add_tail(struct l2tp_list *head, struct l2tp_list *n)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static inline void l2tp_list_del(struct l2tp_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

/* ---- objects ----------------------------------------------------------------- */

#define L2TP_NONCE_LEN 16
#define L2TP_PEER_NONCE_MAX 64
#define L2TP_SECRET_MAX 256

struct l2tp_session {
	struct l2tp_hnode by_id; /* ctx->sessions, key = local session id */
	struct l2tp_list in_tunnel; /* t->sessions */
	struct l2tp_list pending; /* t->pending while not established, by deadline */
	struct l2tp_hnode by_rei; /* ctx->by_rei while waiting for a reply */
	struct l2tp_tunnel *t;
	void *user;
	l2tp_time_t deadline; /* setup limit while pending */
	uint8_t state; /* enum l2tp_session_state */
	bool initiator; /* we sent the ICRQ/OCRQ */
	bool in_rei;
	bool caller_knows; /* opened by the caller or reported UP: gets DOWN */
	bool outgoing; /* OCRQ/OCRP/OCCN */
	bool circuit_down; /* ours */
	bool recv_seq;
	int8_t l2spec_cfg;
	uint8_t tie[8]; /* session tie breaker we sent (RFC 3931 §5.4.3) */
	uint16_t mtu;
	struct l2tp_v2_call *v2; /* v2: our call parameters, strings copied after it */
	struct l2tp_session_dp dp;
	uint8_t rei_len;
	uint8_t rei[]; /* Remote End ID */
};

struct l2tp_tunnel {
	struct l2tp_ctx *ctx;
	struct l2tp_hnode by_id; /* ctx->tunnels, key = local ccid */
	struct l2tp_hnode by_peer; /* ctx->by_peer, key = peer ccid, once known */
	struct l2tp_list all; /* ctx->all */
	struct l2tp_list sessions;
	struct l2tp_list pending; /* sessions not yet established */
	size_t n_sessions;
	void *user;
	struct l2tp_path path;
	uint32_t ccid, peer_ccid;
	uint8_t version; /* 2 or 3 */
	uint8_t state; /* enum l2tp_tunnel_state */
	bool initiator;
	bool fallback; /* v3 initiator: may still fall back to v2 */
	bool chal; /* v2: secret set, we challenge the peer (RFC 2661 §4.2) */
	l2tp_time_t fallback_timeout, fallback_deadline;
	uint32_t framing_caps, bearer_caps, peer_framing_caps, peer_bearer_caps;
	bool husk; /* internal: no caller, no events (tie-breaker loser, refusals) */
	bool down_reported;
	bool awaiting; /* lost a tie breaker late: waits for the peer's SCCRQ */
	bool caller_knows; /* opened by the caller or reported UP: gets DOWN */
	bool in_peer_table;
	bool auth; /* digests on */
	bool peer_sent_ack; /* the peer uses ACK messages */
	bool warned_unsigned;
	uint8_t ack_pref;
	uint8_t digest;
	bool has_tie;
	uint8_t tie[8];
	l2tp_time_t hello_iv;
	l2tp_time_t setup_deadline; /* not established by then: torn down */
	l2tp_time_t linger_until;
	l2tp_time_t hello_sent; /* a Hello is outstanding since (0 = none) */
	struct l2tp_xport x;
	struct l2tp_auth_key dkey;
	uint8_t nonce[L2TP_NONCE_LEN];
	uint8_t peer_nonce[L2TP_PEER_NONCE_MAX];
	uint8_t peer_nonce_len;
	uint16_t secret_len;
	uint8_t *secret;
	char hostname[L2TP_HOSTNAME_MAX + 1];
	char peer_hostname[L2TP_HOSTNAME_MAX + 1];
	char want_peer_hostname[L2TP_HOSTNAME_MAX + 1];
	char peer_vendor[L2TP_HOSTNAME_MAX + 1]; /* Vendor Name AVP, "" if none */
	uint32_t router_id, peer_router_id;
	uint16_t pw_caps[L2TP_MAX_PW_CAPS];
	uint8_t n_pw_caps;
	uint16_t peer_pw_caps[L2TP_MSG_MAX_PW_CAPS];
	uint8_t n_peer_pw_caps;
	l2tp_time_t setup_timeout;
	l2tp_time_t last_session_rx; /* a session message was delivered */
	uint64_t tx_by_type[L2TP_MSG_TYPE_MAX + 1];
	uint64_t rx_by_type[L2TP_MSG_TYPE_MAX + 1];
	uint64_t rx_digest_failures;
	uint64_t rx_unknown_session;
};

#define L2TP_STATELESS_MAX 16

struct l2tp_stateless {
	struct l2tp_path path;
	uint16_t len;
	uint8_t data[256];
};

struct l2tp_ctx {
	struct l2tp_callbacks cb;
	struct l2tp_mem memv; /* the caller's, copied; mem points here */
	const struct l2tp_mem *mem;
	void *user;
	char hostname[L2TP_HOSTNAME_MAX + 1];
	char vendor[L2TP_HOSTNAME_MAX + 1];
	uint32_t router_id;
	uint16_t firmware_rev;
	size_t max_tunnels, max_sessions;
	size_t n_tunnels, n_sessions; /* caller-visible tunnels, all sessions */
	struct l2tp_htable tunnels, by_peer, sessions, by_rei;
	struct l2tp_list all; /* every tunnel, husks included */
	struct l2tp_stateless stateless[L2TP_STATELESS_MAX];
	unsigned int n_stateless;
	struct l2tp_ctx_stats stats;
	int cb_err; /* first callback failure of the current call */
};

/* lib/ctx.c */
void l2tp_log(struct l2tp_ctx *ctx, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int l2tp_rand(struct l2tp_ctx *ctx, void *buf, size_t len);
/* A random id, never 0, unused in |h|. -EAGAIN after many tries. */
int l2tp_rand_id(struct l2tp_ctx *ctx, const struct l2tp_htable *h, uint32_t *id);
/* The same within 1..|max| (65535 for the 16-bit ids of L2TPv2). */
int l2tp_rand_id_max(struct l2tp_ctx *ctx, const struct l2tp_htable *h, uint32_t max,
		     uint32_t *id);
void l2tp_ctx_stateless(struct l2tp_ctx *ctx, const struct l2tp_path *path, const uint8_t *pkt,
			size_t len);

/*
 * The first unhidden IETF AVP |type| of a body that may not parse, as u16
 * or u32 (for error replies); 0 if none.
 */
uint32_t l2tp_scan_u32(const uint8_t *body, size_t blen, uint16_t type);

/* lib/tunnel.c */
int l2tp_tunnel_rx(struct l2tp_tunnel *t, const struct l2tp_ctrl_hdr *h, const uint8_t *pkt,
		   size_t len, l2tp_time_t now);
int l2tp_tunnel_accept(struct l2tp_ctx *ctx, const struct l2tp_path *path,
		       const struct l2tp_ctrl_hdr *h, const uint8_t *pkt, size_t len,
		       const struct l2tp_msg *sccrq, l2tp_time_t now);
void l2tp_tunnel_timeout(struct l2tp_tunnel *t, l2tp_time_t now);
l2tp_time_t l2tp_tunnel_deadline(const struct l2tp_tunnel *t, l2tp_time_t now);
void l2tp_tunnel_destroy(struct l2tp_tunnel *t);
/* Build and queue message |m| on |t|'s control channel. */
int l2tp_tunnel_send(struct l2tp_tunnel *t, struct l2tp_msg *m);
/* The same with the v2 header's Session ID (the peer's; ignored in v3). */
int l2tp_tunnel_send_sid(struct l2tp_tunnel *t, struct l2tp_msg *m, uint16_t peer_sid);
/* Stateless StopCCN answer (no connection kept), v3 or v2. */
void l2tp_reply_stopccn(struct l2tp_ctx *ctx, const struct l2tp_path *path, int version,
			uint32_t peer_id, uint16_t result, uint16_t error, const char *msg);

/* lib/session.c */
/* A session message delivered in order on an established tunnel. */
void l2tp_session_rx(struct l2tp_tunnel *t, const struct l2tp_msg *m, int parse_rc,
		     l2tp_time_t now);
/* Tunnel established: send the ICRQ/OCRQ of every waiting session. */
void l2tp_session_tunnel_up(struct l2tp_tunnel *t, l2tp_time_t now);
/* Tunnel gone: every session DOWN with |why|, freed. */
void l2tp_session_tunnel_down(struct l2tp_tunnel *t, const struct l2tp_down_reason *why);
void l2tp_session_timeout(struct l2tp_tunnel *t, l2tp_time_t now);
l2tp_time_t l2tp_session_deadline(const struct l2tp_tunnel *t);
void l2tp_session_free(struct l2tp_session *s);
/* The tunnel fell back to v2 before UP: re-id or drop its waiting sessions. */
void l2tp_session_tunnel_fallback(struct l2tp_tunnel *t);

#endif /* L2TP_INTERNAL_H */
