/* SPDX-License-Identifier: MIT */
/*
 * ppp_internal.h - what lib/ppp*.c share: the endpoint's layout, the
 * option negotiation automaton (lib/ppp_fsm.c) and the hooks each control
 * protocol gives it (LCP in lib/ppp_lcp.c, IPCP and IPV6CP in
 * lib/ppp_ncp.c), authentication (lib/ppp_auth.c). Never installed.
 */
#ifndef L2TP_PPP_INTERNAL_H
#define L2TP_PPP_INTERNAL_H

#include <l2tp/ctx.h> /* enum l2tp_log_level */
#include <l2tp/ppp.h>

/* Control packet codes, RFC 1661 §5 (LCP uses all, NCPs 1-7). */
enum {
	PPP_CONFREQ = 1,
	PPP_CONFACK = 2,
	PPP_CONFNAK = 3,
	PPP_CONFREJ = 4,
	PPP_TERMREQ = 5,
	PPP_TERMACK = 6,
	PPP_CODEREJ = 7,
	PPP_PROTREJ = 8,
	PPP_ECHOREQ = 9,
	PPP_ECHOREP = 10,
	PPP_DISCREQ = 11,
	PPP_IDENT = 12, /* RFC 1570 */
	PPP_TIMEREM = 13, /* RFC 1570 */
};

/* Events of the automaton, RFC 1661 §4.3. */
enum ppp_event {
	PPP_EV_UP,
	PPP_EV_DOWN,
	PPP_EV_OPEN,
	PPP_EV_CLOSE,
	PPP_EV_TO_PLUS,
	PPP_EV_TO_MINUS,
	PPP_EV_RCR_PLUS,
	PPP_EV_RCR_MINUS,
	PPP_EV_RCA,
	PPP_EV_RCN,
	PPP_EV_RTR,
	PPP_EV_RTA,
	PPP_EV_RUC,
	PPP_EV_RXJ_PLUS,
	PPP_EV_RXJ_MINUS,
	PPP_EV_RXR,
	PPP_EV_COUNT,
};

#define PPP_REQ_MAX 64 /* our Configure-Request options: LCP needs 25 */
#define PPP_PKT_MAX 2048 /* a control packet we build */

struct ppp_fsm;

/* The received packet an event comes from, and the answer it gets. */
struct ppp_rx {
	uint8_t id;
	const uint8_t *pkt; /* from its Code field, |len| octets (Code-Reject copies it) */
	size_t len;
	uint8_t reply_code; /* PPP_CONFACK/NAK/REJ to a Configure-Request */
	const uint8_t *reply;
	size_t reply_len;
};

/* What a control protocol adds to the automaton. */
struct ppp_fsm_ops {
	uint16_t proto;
	const char *name;
	/* Fresh negotiation (This-Layer-Started / Open): options back to config. */
	void (*reset)(struct ppp_fsm *f);
	/* Our Configure-Request options into |c|. */
	int (*build_req)(struct ppp_fsm *f, struct l2tp_cursor *c);
	/*
	 * The peer's Configure-Request options: write the reply's options to
	 * |rep| and return PPP_CONFACK, PPP_CONFNAK or PPP_CONFREJ, or
	 * -EPROTO (malformed: discarded), -ENOSPC. |no_nak|: Max-Failure
	 * reached, reject what would be Nak'd (RFC 1661 §4.6).
	 */
	int (*recv_req)(struct ppp_fsm *f, const uint8_t *opt, size_t len, struct l2tp_cursor *rep,
			bool no_nak);
	/* Our request was Nak'd/Rejected with |opt|: adjust. -EPROTO (malformed), -ENOENT
	 * (not about our request) discard it. */
	int (*recv_nak)(struct ppp_fsm *f, const uint8_t *opt, size_t len);
	int (*recv_rej)(struct ppp_fsm *f, const uint8_t *opt, size_t len);
	/* This-Layer-Up/-Down/-Started/-Finished (RFC 1661 §4.4). */
	void (*tlu)(struct ppp_fsm *f);
	void (*tld)(struct ppp_fsm *f);
	void (*tls)(struct ppp_fsm *f);
	void (*tlf)(struct ppp_fsm *f);
	/*
	 * Codes beyond Code-Reject: 0 when taken, -ENOENT for an unknown code
	 * (answered with Code-Reject), -EPROTO when malformed. NULL: all unknown.
	 */
	int (*ext_code)(struct ppp_fsm *f, uint8_t code, uint8_t id, const uint8_t *data,
			size_t len);
	/* A Code-Reject of |code| is tolerable (RXJ+) or not (RXJ-). */
	bool (*code_rej_ok)(struct ppp_fsm *f, uint8_t code);
	/* After every transition (LCP: phases). May be NULL. */
	void (*moved)(struct ppp_fsm *f, uint8_t from);
};

struct ppp_fsm {
	struct l2tp_ppp *p;
	const struct ppp_fsm_ops *ops;
	uint8_t state; /* enum l2tp_ppp_state */
	uint8_t id; /* of our last Configure-Request */
	uint8_t next_id; /* next identifier for a request of ours */
	uint8_t restart_count;
	uint8_t naks_sent; /* Configure-Naks since the last Configure-Ack (Max-Failure) */
	bool req_pending; /* a Configure-Request of ours awaits its answer */
	l2tp_time_t deadline; /* restart timer; L2TP_TIME_NEVER when stopped */
	uint8_t req[PPP_REQ_MAX]; /* our last Configure-Request's options */
	uint8_t req_len;
	const struct ppp_rx *rx; /* the packet behind the event being run, or NULL */
};

/* ---- lib/ppp_fsm.c --------------------------------------------------------- */

void ppp_fsm_init(struct ppp_fsm *f, struct l2tp_ppp *p, const struct ppp_fsm_ops *ops);
void ppp_fsm_event(struct ppp_fsm *f, enum ppp_event ev);
/* A received packet of this protocol (after the Protocol field). */
int ppp_fsm_input(struct ppp_fsm *f, const uint8_t *pkt, size_t len);
void ppp_fsm_timeout(struct ppp_fsm *f);
/* Queue a control packet |code|/|id| with |data|. */
int ppp_send_ctrl(struct l2tp_ppp *p, uint16_t proto, uint8_t code, uint8_t id, const void *data,
		  size_t len);
/* One option (type, length >= 2) at a time; 1 with one, 0 at the end, -EPROTO. */
int ppp_opt_next(struct l2tp_cursor *c, uint8_t *type, const uint8_t **val, uint8_t *vlen);

/*
 * The reply to a Configure-Request, its options sorted three ways as they
 * are parsed: any Reject wins, else any Nak, else Ack with the request's
 * options as they came (RFC 1661 §5.2-5.4).
 */
struct ppp_cr {
	uint8_t rej[PPP_PKT_MAX], nak[PPP_PKT_MAX];
	struct l2tp_cursor r, n;
};

void ppp_cr_init(struct ppp_cr *cr);
/* The reply's options into |rep|; PPP_CONFACK/NAK/REJ, or -ENOSPC. */
int ppp_cr_finish(struct ppp_cr *cr, const uint8_t *opt, size_t len, struct l2tp_cursor *rep);
int ppp_put_opt(struct l2tp_cursor *c, uint8_t type, const uint8_t *val, uint8_t vlen);
/* A Configure-Reject's options are all in our last request: 0; -ENOENT; -EPROTO (malformed). */
int ppp_check_rej(const struct ppp_fsm *f, const uint8_t *opt, size_t len);

/* ---- the endpoint ---------------------------------------------------------- */

#define PPP_NAME_MAX 255

enum ppp_auth_state {
	PPP_AUTH_IDLE = 0, /* nothing asked in this role */
	PPP_AUTH_PENDING, /* in progress */
	PPP_AUTH_DONE, /* succeeded */
	PPP_AUTH_FAILED,
};

struct ppp_auth {
	uint16_t proto; /* 0, PAP or CHAP, as LCP negotiated */
	uint8_t state; /* enum ppp_auth_state */
	uint8_t id; /* request (PAP peer) or challenge (CHAP authenticator) */
	uint8_t tries;
	bool have_id; /* authenticator: |id| was answered; peer: a Response was sent */
	l2tp_time_t deadline;
	uint8_t challenge[16]; /* CHAP authenticator: its value; peer: its last Response */
	uint8_t last_ok; /* authenticator: the code we answered |id| with */
};

struct l2tp_ppp {
	struct l2tp_ppp_callbacks cb;
	struct l2tp_mem mem;
	void *user;
	struct l2tp_ppp_cfg cfg; /* defaults filled in; pointers below */
	char name[PPP_NAME_MAX + 1];
	uint8_t name_len;
	uint8_t secret[PPP_NAME_MAX];
	uint8_t secret_len;
	bool have_secret;
	l2tp_time_t now; /* of the call being served */
	uint8_t phase; /* enum l2tp_ppp_phase */
	bool admin_open, lower_up;
	struct l2tp_ppp_down down;
	bool down_reported;
	/* a close decided inside a packet's parsing, run once the packet is done */
	enum l2tp_ppp_down_why close_why;
	const char *close_msg;

	struct ppp_fsm lcp, ipcp, ipv6cp;

	/* LCP: what we ask for (cleared when the peer rejects it) */
	bool neg_mru, neg_auth, neg_magic, neg_pfc, neg_acfc;
	uint16_t mru;
	uint16_t auth_proto; /* what we ask the peer to use */
	uint8_t auth_tried; /* protocols already asked for (mask) */
	uint32_t magic;
	uint8_t loops; /* Configure-Requests carrying our own Magic-Number in a row */
	bool echo_rejected; /* the peer Code-Rejected Echo-Request */
	/* LCP: what the peer asked for and we acknowledged */
	uint16_t peer_mru;
	uint16_t peer_auth; /* the protocol we authenticate ourselves with */
	uint32_t peer_magic;
	bool peer_pfc, peer_acfc;
	/* LCP echo */
	l2tp_time_t echo_deadline;
	uint8_t echo_unanswered;
	uint8_t echo_id;
	uint8_t extra_id; /* Protocol-/Code-Reject, Discard identifiers */

	struct ppp_auth srv; /* we authenticate the peer */
	struct ppp_auth cli; /* the peer authenticates us */
	char peer_name[PPP_NAME_MAX + 1];

	/* IPCP */
	bool neg_addr, neg_dns[2];
	struct l2tp_ppp_ipcp ip;
	bool peer_ip_fixed; /* cfg or assign_ip chose the peer's address */
	bool assign_tried; /* assign_ip was asked in this negotiation */
	/* IPV6CP */
	bool neg_ifid;
	struct l2tp_ppp_ipv6cp ip6;

	/* output queue: [u16 length][frame] records from q_rd to q_wr */
	uint8_t *q;
	size_t q_cap, q_rd, q_wr;
	struct l2tp_ppp_stats stats;
};

/* lib/ppp.c */
void ppp_log(struct l2tp_ppp *p, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ppp_rand(struct l2tp_ppp *p, void *buf, size_t len);
/* Queue a frame of protocol |proto|: header as negotiated, then |a| and |b|. */
int ppp_queue(struct l2tp_ppp *p, uint16_t proto, const uint8_t *a, size_t alen, const uint8_t *b,
	      size_t blen);
void ppp_set_phase(struct l2tp_ppp *p, enum l2tp_ppp_phase ph);
/* Record why the link goes down (the first reason wins). */
void ppp_set_down(struct l2tp_ppp *p, enum l2tp_ppp_down_why why, const char *msg);
/* Close LCP (Terminate-Request) for |why|. */
void ppp_link_close(struct l2tp_ppp *p, enum l2tp_ppp_down_why why, const char *msg);
/* The same, deferred until the packet being parsed is done with. */
void ppp_link_close_later(struct l2tp_ppp *p, enum l2tp_ppp_down_why why, const char *msg);
/* Authentication finished in both roles: Network phase, NCPs up. */
void ppp_auth_done(struct l2tp_ppp *p);
/* Send a Protocol-Reject of |proto| with |info| (LCP Opened only). */
void ppp_protocol_reject(struct l2tp_ppp *p, uint16_t proto, const uint8_t *info, size_t len);
/* An NCP finished: close the link when none is left. */
void ppp_ncp_finished(struct l2tp_ppp *p);

/* lib/ppp_lcp.c */
extern const struct ppp_fsm_ops ppp_lcp_ops;
void ppp_lcp_echo_timeout(struct l2tp_ppp *p);

/* lib/ppp_ncp.c */
extern const struct ppp_fsm_ops ppp_ipcp_ops;
extern const struct ppp_fsm_ops ppp_ipv6cp_ops;

/* lib/ppp_auth.c */
/* LCP opened: start what LCP negotiated in both roles (none: done at once). */
void ppp_auth_start(struct l2tp_ppp *p);
/* LCP left Opened: stop both roles. */
void ppp_auth_stop(struct l2tp_ppp *p);
int ppp_pap_input(struct l2tp_ppp *p, const uint8_t *pkt, size_t len);
int ppp_chap_input(struct l2tp_ppp *p, const uint8_t *pkt, size_t len);
void ppp_auth_timeout(struct l2tp_ppp *p);
l2tp_time_t ppp_auth_deadline(const struct l2tp_ppp *p);

#endif /* L2TP_PPP_INTERNAL_H */
