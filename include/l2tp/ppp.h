/* SPDX-License-Identifier: MIT */
/*
 * l2tp/ppp.h - one PPP link endpoint (RFC 1661), sans-I/O, for the PPP
 * sessions L2TP carries: LCP with Echo keepalives, PAP (RFC 1334) and
 * CHAP-MD5 (RFC 1994) in both roles, IPCP (RFC 1332) and IPV6CP (RFC 5072).
 *
 *   in:  l2tp_ppp_handle_frame()   a whole PPP frame (as L2TP carries it:
 *                                  optional FF 03, then the Protocol field)
 *        l2tp_ppp_open/close(), l2tp_ppp_lower_up/down()
 *        l2tp_ppp_send_ip()        an IPv4/IPv6 packet to send
 *        l2tp_ppp_on_timeout()     when l2tp_ppp_next_deadline() passed
 *   out: l2tp_ppp_write_frame()    call until it returns 0 after every input
 *        callbacks                 phases, NCPs up/down, link down, secrets,
 *                                  authentication results, received IP packets
 *
 * Time is always the |now| argument (monotonic ns), randomness (magic
 * numbers, CHAP challenges, interface identifiers) comes from the rand
 * callback, memory from the l2tp_mem given. Frames carry no HDLC framing:
 * l2tp/ppp_hdlc.h has the async framing for byte streams (ptys).
 *
 * The three control protocols share one implementation of the option
 * negotiation automaton of RFC 1661 §4 (lib/ppp_fsm.c, a table held next
 * to the RFC's). Callbacks must not free the endpoint; they may call
 * l2tp_ppp_close() and l2tp_ppp_send_ip().
 *
 * Not implemented: IPCP's IP-Compression-Protocol (Van Jacobson, rejected),
 * IPV6CP's IPv6-Compression-Protocol (rejected), LQR, multilink, EAP,
 * MS-CHAP, the Callback option; they are refused when offered.
 */
#ifndef L2TP_PPP_H
#define L2TP_PPP_H

#include <l2tp/types.h>

struct l2tp_ppp;

/* PPP Protocol field values (RFC 1661 §2, assigned numbers). */
#define L2TP_PPP_IP 0x0021
#define L2TP_PPP_IPV6 0x0057
#define L2TP_PPP_IPCP 0x8021
#define L2TP_PPP_IPV6CP 0x8057
#define L2TP_PPP_LCP 0xc021
#define L2TP_PPP_PAP 0xc023
#define L2TP_PPP_CHAP 0xc223

/* Address and Control fields and the largest Protocol field: a frame's header. */
#define L2TP_PPP_HDR_MAX 4
#define L2TP_PPP_MRU_DEFAULT 1500

/* Authentication protocols, as masks. */
#define L2TP_PPP_AUTH_PAP 0x01
#define L2TP_PPP_AUTH_CHAP 0x02 /* CHAP with MD5 (algorithm 5) */

/* Link phases, RFC 1661 §3.2. */
enum l2tp_ppp_phase {
	L2TP_PPP_DEAD = 0,
	L2TP_PPP_ESTABLISH = 1,
	L2TP_PPP_AUTHENTICATE = 2,
	L2TP_PPP_NETWORK = 3,
	L2TP_PPP_TERMINATE = 4,
};

/* States of the option negotiation automaton, RFC 1661 §4.2. */
enum l2tp_ppp_state {
	L2TP_PPP_INITIAL = 0,
	L2TP_PPP_STARTING = 1,
	L2TP_PPP_CLOSED = 2,
	L2TP_PPP_STOPPED = 3,
	L2TP_PPP_CLOSING = 4,
	L2TP_PPP_STOPPING = 5,
	L2TP_PPP_REQ_SENT = 6,
	L2TP_PPP_ACK_RCVD = 7,
	L2TP_PPP_ACK_SENT = 8,
	L2TP_PPP_OPENED = 9,
};

/* Why the link went down (the first cause seen wins). */
enum l2tp_ppp_down_why {
	L2TP_PPP_DOWN_NONE = 0,
	L2TP_PPP_DOWN_ADMIN = 1, /* l2tp_ppp_close() */
	L2TP_PPP_DOWN_PEER = 2, /* the peer sent a Terminate-Request */
	L2TP_PPP_DOWN_LOWER = 3, /* l2tp_ppp_lower_down() */
	L2TP_PPP_DOWN_TIMEOUT = 4, /* LCP got no answer (Max-Configure/Max-Terminate, TO-) */
	L2TP_PPP_DOWN_ECHO = 5, /* keepalive: Echo-Requests unanswered */
	L2TP_PPP_DOWN_AUTH_FAILED = 6, /* the peer's credentials did not check out */
	L2TP_PPP_DOWN_AUTH_REFUSED = 7, /* the peer refused ours, or no common protocol */
	L2TP_PPP_DOWN_LOOPBACK = 8, /* our own Magic-Number keeps coming back */
	L2TP_PPP_DOWN_NO_NCP = 9, /* no network protocol could be opened */
	L2TP_PPP_DOWN_REJECTED = 10, /* the peer rejected LCP itself (Code-/Protocol-Reject) */
};

struct l2tp_ppp_down {
	enum l2tp_ppp_down_why why;
	const char *msg; /* static text for logs */
};

/* What IPCP negotiated (RFC 1332, RFC 1877). */
struct l2tp_ppp_ipcp {
	uint8_t local[4]; /* our address */
	uint8_t peer[4]; /* the peer's */
	uint8_t dns[2][4]; /* DNS servers the peer gave us (0.0.0.0 = none) */
};

/* What IPV6CP negotiated (RFC 5072 §4.1): link-local fe80::<id>. */
struct l2tp_ppp_ipv6cp {
	uint8_t local[8];
	uint8_t peer[8];
};

/* The end of one authentication exchange. */
struct l2tp_ppp_auth_result {
	uint16_t proto; /* L2TP_PPP_PAP or L2TP_PPP_CHAP */
	bool authenticator; /* we checked the peer (else the peer checked us) */
	bool ok;
	const uint8_t *name; /* the peer's name (authenticator), or ours */
	size_t name_len;
	const char *msg; /* static text, or "" */
};

struct l2tp_ppp_callbacks {
	l2tp_rand_fn rand; /* required */
	/* One line, no newline; |level| as enum l2tp_log_level (l2tp/ctx.h). May be NULL. */
	void (*log)(void *user, int level, const char *line);
	/* The link entered |phase| (RFC 1661 §3). */
	void (*phase)(void *user, struct l2tp_ppp *p, enum l2tp_ppp_phase phase);
	/*
	 * The link reached Dead after having left it: |why| says why. Comes
	 * once per establishment attempt, after the phase callback.
	 */
	void (*link_down)(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_down *why);
	/*
	 * Authenticator: the secret (CHAP) or password (PAP) of the peer
	 * named |name| into |secret|/|cap|. Return its length, or a negative
	 * value for an unknown peer (authentication fails). NULL: every peer
	 * fails.
	 */
	int (*get_secret)(void *user, struct l2tp_ppp *p, uint16_t proto, const uint8_t *name,
			  size_t name_len, uint8_t *secret, size_t cap);
	/* An authentication exchange ended (either role). May be NULL. */
	void (*auth_result)(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_auth_result *r);
	/*
	 * IPCP, authenticator side without a configured peer address: fill
	 * |peer| with the address to give the peer (|asked| is what it asked
	 * for, 0.0.0.0 when it wants one). Return 0, or negative to accept
	 * whatever the peer asks (a 0.0.0.0 request is then rejected). May be
	 * NULL.
	 */
	int (*assign_ip)(void *user, struct l2tp_ppp *p, const uint8_t asked[4], uint8_t peer[4]);
	/* IPCP opened / left Opened. */
	void (*ipcp_up)(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_ipcp *ip);
	void (*ipcp_down)(void *user, struct l2tp_ppp *p);
	/* IPV6CP opened / left Opened. */
	void (*ipv6cp_up)(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_ipv6cp *ip6);
	void (*ipv6cp_down)(void *user, struct l2tp_ppp *p);
	/*
	 * A received IPv4 (L2TP_PPP_IP) or IPv6 (L2TP_PPP_IPV6) packet, while
	 * its NCP is open. |pkt| borrows the frame given to
	 * l2tp_ppp_handle_frame(). May be NULL.
	 */
	void (*recv_ip)(void *user, struct l2tp_ppp *p, uint16_t proto, const uint8_t *pkt,
			size_t len);
};

/* An endpoint's settings. Zero means the default everywhere. */
struct l2tp_ppp_cfg {
	uint16_t mru; /* ours, LCP option 1; 0 = 1500 (not sent) */
	/* Authenticator: the protocols the peer may use (mask); 0 = none asked. */
	uint8_t require_auth;
	/* Peer: protocols we refuse to authenticate ourselves with (mask). */
	uint8_t refuse_auth;
	const char *name; /* our name: PAP Peer-ID, CHAP Name; NULL = "l2tpkit" */
	const uint8_t *secret; /* our PAP password / CHAP secret; NULL = refuse to authenticate */
	size_t secret_len;
	bool request_pfc, request_acfc; /* ask the peer to compress (LCP options 7, 8) */
	bool refuse_pfc, refuse_acfc; /* reject the peer's PFC/ACFC */
	l2tp_time_t restart; /* restart timer; 0 = 3 s */
	uint8_t max_terminate; /* 0 = 2 */
	uint8_t max_configure; /* 0 = 10; also PAP requests and CHAP challenges */
	uint8_t max_failure; /* 0 = 5 */
	l2tp_time_t echo_interval; /* LCP Echo-Request every this long once open; 0 = off */
	uint8_t echo_failures; /* link down after this many unanswered; 0 = 3 */
	l2tp_time_t auth_timeout; /* authenticator waiting for PAP, peer for CHAP; 0 = 30 s */
	l2tp_time_t chap_rechallenge; /* re-challenge this long after success; 0 = off */
	bool no_ipcp, no_ipv6cp; /* leave an NCP out (its packets get a Protocol-Reject) */
	uint8_t local_ip[4]; /* IPCP: our address; 0.0.0.0 = ask the peer */
	uint8_t peer_ip[4]; /* IPCP: the address the peer gets; 0.0.0.0 = assign_ip/its own */
	uint8_t dns[2][4]; /* IPCP: DNS servers given to the peer (RFC 1877); 0 = reject */
	bool request_dns; /* IPCP: ask the peer for DNS servers */
	uint8_t ifid[8]; /* IPV6CP: our interface identifier; 0 = random */
	size_t queue_bytes; /* output queue; 0 = 32 KiB */
};

struct l2tp_ppp_stats {
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
	uint64_t rx_ip, tx_ip; /* IPv4 and IPv6 packets */
	uint64_t rx_malformed; /* bad header or control packet: discarded */
	uint64_t rx_discarded; /* not acceptable in this phase/state */
	uint64_t rx_proto_rejected; /* unknown protocols answered with Protocol-Reject */
	uint64_t tx_dropped; /* output queue full */
	uint64_t echo_tx, echo_rx; /* Echo-Requests sent, Echo-Replies received */
};

/*
 * Make an endpoint. |cb| and |cfg| are copied (strings and the secret too;
 * |cfg| may be NULL); |mem| may be NULL (calloc/free) and must outlive the
 * endpoint. The link starts Dead: call l2tp_ppp_open() and
 * l2tp_ppp_lower_up(). Returns 0; -EINVAL (no rand callback, name or
 * secret longer than 255, mru below 128); -ENOMEM; the rand callback's
 * error.
 */
int l2tp_ppp_new(struct l2tp_ppp **out, const struct l2tp_ppp_callbacks *cb,
		 const struct l2tp_ppp_cfg *cfg, const struct l2tp_mem *mem, void *user);
void l2tp_ppp_free(struct l2tp_ppp *p);

/* Administrative Open / Close (RFC 1661 §4.3). Close sends Terminate-Request. */
void l2tp_ppp_open(struct l2tp_ppp *p, l2tp_time_t now);
void l2tp_ppp_close(struct l2tp_ppp *p, l2tp_time_t now);
/* The lower layer (the L2TP session) is up / went down. */
void l2tp_ppp_lower_up(struct l2tp_ppp *p, l2tp_time_t now);
void l2tp_ppp_lower_down(struct l2tp_ppp *p, l2tp_time_t now);

/*
 * One received frame (Address/Control optional, Protocol 1 or 2 bytes).
 * Returns 0 when it was taken or dropped on purpose (counted), -EPROTO for
 * a malformed frame or control packet (discarded, counted), -EINVAL for
 * bad arguments.
 */
int l2tp_ppp_handle_frame(struct l2tp_ppp *p, const uint8_t *frame, size_t len, l2tp_time_t now);

/*
 * The next frame to send, into |out|/|cap| (peer MRU + L2TP_PPP_HDR_MAX is
 * enough). Returns its length, 0 when nothing is left, -ENOSPC when |cap|
 * is too small (the frame stays queued).
 */
ssize_t l2tp_ppp_write_frame(struct l2tp_ppp *p, uint8_t *out, size_t cap, l2tp_time_t now);

/*
 * Queue an IP packet: IPv4 (version 4 in its first nibble) if IPCP is
 * open, IPv6 if IPV6CP is. Returns 0; -ENOTCONN (that NCP is not open),
 * -EMSGSIZE (longer than the peer's MRU), -ENOBUFS (queue full), -EINVAL.
 */
int l2tp_ppp_send_ip(struct l2tp_ppp *p, const uint8_t *pkt, size_t len);

/* When l2tp_ppp_on_timeout() must next run; L2TP_TIME_NEVER if never. */
l2tp_time_t l2tp_ppp_next_deadline(const struct l2tp_ppp *p);
/* Run every timer due at |now|. */
void l2tp_ppp_on_timeout(struct l2tp_ppp *p, l2tp_time_t now);

enum l2tp_ppp_phase l2tp_ppp_phase(const struct l2tp_ppp *p);
/* State of the automaton of L2TP_PPP_LCP, L2TP_PPP_IPCP or L2TP_PPP_IPV6CP. */
enum l2tp_ppp_state l2tp_ppp_state(const struct l2tp_ppp *p, uint16_t proto);
const struct l2tp_ppp_stats *l2tp_ppp_stats(const struct l2tp_ppp *p);
const struct l2tp_ppp_down *l2tp_ppp_down_reason(const struct l2tp_ppp *p);
/* Negotiated values (meaningful once the NCP is open). */
const struct l2tp_ppp_ipcp *l2tp_ppp_ipcp(const struct l2tp_ppp *p);
const struct l2tp_ppp_ipv6cp *l2tp_ppp_ipv6cp(const struct l2tp_ppp *p);
uint16_t l2tp_ppp_peer_mru(const struct l2tp_ppp *p);
/* The name the peer authenticated with ("" if none), NUL-terminated. */
const char *l2tp_ppp_peer_name(const struct l2tp_ppp *p);
void *l2tp_ppp_user(const struct l2tp_ppp *p);

const char *l2tp_ppp_phase_name(enum l2tp_ppp_phase ph);
const char *l2tp_ppp_state_name(enum l2tp_ppp_state st);
const char *l2tp_ppp_proto_name(uint16_t proto);

#endif /* L2TP_PPP_H */
