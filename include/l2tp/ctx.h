/* SPDX-License-Identifier: MIT */
/*
 * l2tp/ctx.h - the L2TP control protocol, L2TPv3 (RFC 3931 §4.2-§4.3, §5,
 * §7) and L2TPv2 (RFC 2661 §4-§7): a context holds control connections
 * (tunnels) and their sessions, of either version side by side, and runs
 * their state machines. Sans-I/O, in the shape of ngtcp2:
 *
 *   in:  l2tp_ctx_handle_ctrl_pkt()   a control datagram from a socket
 *        l2tp_tunnel_open/close(), l2tp_session_open/close/set_circuit()
 *        l2tp_ctx_on_timeout()        when l2tp_ctx_next_deadline() passed
 *   out: l2tp_ctx_write_pkt()         call until it returns 0 after every input
 *        callbacks                    state changes, requests, log, random
 *
 * Time is always the |now| argument (monotonic ns); ids, nonces, cookies and
 * tie breakers come from the rand callback; memory from the l2tp_mem given.
 *
 * Events: a tunnel gets UP once established and DOWN once, if the caller
 * opened it or saw it UP (an accepted connection that fails before UP is
 * only logged). A session gets DOWN if it was opened by the caller or seen
 * UP. When both ends open a connection at once and ours loses the tie
 * breaker (RFC 3931 §5.4.3), the caller's tunnel object carries on as the
 * acceptor of the peer's connection, with its sessions, but under a new
 * local id: ids are final at UP.
 *
 * Object lifetime: a tunnel or session pointer stays valid until the DOWN
 * event for it has been delivered and the callback returned; after that
 * the context frees it (a closed tunnel lingers internally to acknowledge
 * retransmitted StopCCNs, RFC 3931 §4.2, but is no longer the caller's).
 * Keep ids, not pointers, across calls; l2tp_tunnel_find() and
 * l2tp_session_find() look them up.
 *
 * L2TPv2 (cfg.version 2): the same objects and events. Tunnel and session
 * ids are 16 bits (1..65535, unique in the context whatever the version),
 * sessions carry PPP only (pw_type L2TP_PW_PPP), and a secret means the
 * CHAP-like tunnel authentication of RFC 2661 §4.2/§5.1.1 (each side that
 * has one sends a Challenge and checks the peer's Challenge Response; a
 * missing or wrong response ends the connection with StopCCN result 4) and
 * hidden AVPs (RFC 2661 §4.3: Challenge Response, Called/Calling Number,
 * Sub-Address, Proxy Authen 29-33), not the v3 Message Digest. Hidden AVPs
 * from the peer are unhidden with the secret wherever they are.
 *
 * Acceptor: an SCCRQ of either version reaches tunnel_request with
 * req->version; accepting answers in that version, on the same socket.
 *
 * v3-to-v2 fallback (cfg.fallback_v2, an initiator configured for v3): when
 * the peer answers the SCCRQ with StopCCN result 5 (protocol version not
 * supported; RFC 2661 §4.4.2: its error code is the highest version the
 * peer speaks, and fallback happens unless that says 3 or more) or nothing
 * within cfg.fallback_timeout, the library retries by itself as L2TPv2 with
 * the same tunnel object: no DOWN event, a new 16-bit local id (ids are
 * final at UP), and the sessions opened meanwhile follow (PPP ones under a
 * new 16-bit id if theirs was larger; others go DOWN, result 2 error 3).
 * l2tp_tunnel_version() says what the tunnel speaks; UP tells the final one.
 */
#ifndef L2TP_CTX_H
#define L2TP_CTX_H

#include <l2tp/auth.h>
#include <l2tp/catalog.h>
#include <l2tp/msg.h>
#include <l2tp/wire.h>
#include <l2tp/xport.h>

struct l2tp_ctx;
struct l2tp_tunnel;
struct l2tp_session;

/* ---- addresses ------------------------------------------------------------ */

/* An IP address and UDP port, without sockaddr (lib/ has no socket headers). */
struct l2tp_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t ip[16]; /* IPv4 in the first 4 bytes */
	uint16_t port; /* UDP port; 0 over IP */
};

/* The two ends of a control connection and its encapsulation. */
struct l2tp_path {
	enum l2tp_encap encap;
	struct l2tp_addr local;
	struct l2tp_addr peer;
};

bool l2tp_addr_equal(const struct l2tp_addr *a, const struct l2tp_addr *b);
/* "192.0.2.1:1701" / "[2001:db8::1]:1701" into |buf| (>= 48 bytes). */
const char *l2tp_addr_str(const struct l2tp_addr *a, char *buf, size_t cap);

/* ---- configuration ----------------------------------------------------------- */

#define L2TP_HELLO_DEFAULT (60 * L2TP_SEC)
#define L2TP_HOSTNAME_MAX 64
#define L2TP_REMOTE_END_ID_MAX 64
#define L2TP_MAX_PW_CAPS 8
#define L2TP_PW_ETH_VLAN 0x0004
#define L2TP_PW_ETH 0x0005
#define L2TP_PW_PPP 0x0007
#define L2TP_FALLBACK_TIMEOUT_DEFAULT (10 * L2TP_SEC)

/* L2TPv2 Framing and Bearer Capabilities / Types (RFC 2661 §4.4.3, §4.4.5). */
#define L2TP_FRAMING_SYNC 0x1
#define L2TP_FRAMING_ASYNC 0x2
#define L2TP_BEARER_DIGITAL 0x1
#define L2TP_BEARER_ANALOG 0x2

enum l2tp_ack_pref {
	L2TP_ACKPREF_AUTO =
	    0, /* ACK message when digests are on or the peer sends them, else ZLB */
	L2TP_ACKPREF_ZLB = 1,
	L2TP_ACKPREF_MSG = 2,
};

/* A control connection's settings. Zero means the default everywhere. */
struct l2tp_tunnel_cfg {
	uint8_t version; /* 2 (RFC 2661) or 3 (RFC 3931); 0 = 3 */
	uint32_t ccid; /* local Control Connection ID (v2: Tunnel ID, <= 65535); 0 = random */
	/*
	 * Shared secret. v3: digests on every message (RFC 3931 §4.3); v2:
	 * Challenge / Challenge Response and hidden AVPs (RFC 2661 §4.2, §4.3).
	 */
	const uint8_t *secret;
	size_t secret_len;
	uint8_t digest; /* enum l2tp_digest_type, with a secret (v3) */
	const char *hostname; /* Host Name AVP; NULL = the context's */
	const char *peer_hostname; /* if set, the peer's Host Name must be this */
	uint32_t router_id; /* Router ID AVP; 0 = the context's */
	l2tp_time_t hello; /* Hello after this long without a message; 0 = 60 s, NEVER = off */
	l2tp_time_t
	    setup_timeout; /* tunnel or session not up after this: torn down; 0 = full cycle */
	struct l2tp_xport_cfg xport; /* window, retries, backoff, ack delay */
	uint8_t ack_pref; /* enum l2tp_ack_pref */
	bool no_tie_breaker; /* initiator: leave the Tie Breaker AVP out of the SCCRQ */
	uint16_t pw_caps[L2TP_MAX_PW_CAPS]; /* offered pseudowire types; none = Ethernet, VLAN */
	uint8_t n_pw_caps;
	/* v3 initiator: retry as L2TPv2 when the peer refuses v3 or stays silent */
	bool fallback_v2;
	l2tp_time_t fallback_timeout; /* no answer to the v3 SCCRQ this long; 0 = 10 s */
	/* v2: Framing Capabilities (0 = sync and async) and Bearer Capabilities (0 = none) */
	uint32_t framing_caps;
	uint32_t bearer_caps;
	void *user; /* the caller's pointer, l2tp_tunnel_user() */
};

/*
 * L2TPv2 proxy LCP and proxy authentication (RFC 2661 §4.4.5, AVPs 26-33):
 * what the LAC learnt from the caller, passed to the LNS in the ICCN. An
 * empty view (len 0) is not sent, except as noted.
 */
struct l2tp_ppp_proxy {
	struct l2tp_view init_rcvd_lcp; /* 26: Initial Received LCP CONFREQ */
	struct l2tp_view last_sent_lcp; /* 27: Last Sent LCP CONFREQ */
	struct l2tp_view last_rcvd_lcp; /* 28: Last Received LCP CONFREQ */
	uint16_t auth_type; /* 29: 1 text, 2 CHAP, 3 PAP, 4 none, 5 MSCHAPv1; 0 = not sent */
	struct l2tp_view auth_name; /* 30 */
	struct l2tp_view auth_chal; /* 31 */
	bool has_auth_id;
	uint16_t auth_id; /* 32 (sent when has_auth_id) */
	struct l2tp_view auth_resp; /* 33 (sent whenever auth_type is) */
};

/*
 * L2TPv2 call parameters (RFC 2661 §6.7-§6.12). The opener of a session
 * gives them in its cfg: ICRQ (serial, bearer type, physical channel,
 * called/calling number, sub-address), OCRQ (serial, min/max bps, bearer
 * type, framing type, called number, sub-address). The side that sends the
 * ICCN or OCCN (the LAC) gives tx/rx speed, framing type, private group and
 * proxy. Zero means: serial = the session id, tx_speed = 100 Mbit/s,
 * framing_type = sync in ICCN/OCCN and sync|async in OCRQ, rx_speed,
 * bearer_type, phys_channel, min_bps = not sent (0 for the OCRQ's required
 * ones), max_bps = 100 Mbit/s. Received, the same struct describes what the
 * peer sent (views valid during the callback only).
 */
struct l2tp_v2_call {
	uint32_t serial; /* 15 Call Serial Number */
	uint32_t bearer_type; /* 18 */
	uint32_t framing_type; /* 19 */
	uint32_t min_bps, max_bps; /* 16, 17 (OCRQ) */
	uint32_t tx_speed, rx_speed; /* 24, 38 */
	uint32_t phys_channel; /* 25 */
	struct l2tp_view called_number; /* 21 */
	struct l2tp_view calling_number; /* 22 */
	struct l2tp_view sub_address; /* 23 */
	struct l2tp_view private_group; /* 37 */
	bool seq_required; /* 39 (received: the LAC asked for data sequencing) */
	struct l2tp_ppp_proxy proxy;
};

/* A session's settings (local side). */
struct l2tp_session_cfg {
	uint32_t session_id; /* Local Session ID; 0 = random, unique in the context */
	uint16_t pw_type; /* 0 = Ethernet */
	const uint8_t *remote_end_id; /* RFC 4667 Remote End ID, up to 64 bytes */
	size_t remote_end_id_len;
	uint8_t cookie_len; /* 0, 4 or 8: the cookie we want to receive, random */
	int8_t l2spec; /* L2TP_L2SPEC_NONE/DEFAULT; -1 = follow the peer (accepting side) */
	bool recv_seq; /* ask the peer to send sequence numbers (Data Sequencing 2) */
	bool outgoing; /* open with OCRQ instead of ICRQ (RFC 3931 §3.4.2) */
	bool circuit_down; /* our attachment circuit starts inactive */
	uint16_t mtu; /* Interface MTU AVP (RFC 4667); 0 = not sent */
	/*
	 * v2 only: the call parameters (copied at open; NULL = defaults).
	 * recv_seq then means: as the ICCN/OCCN sender (LAC), send Sequencing
	 * Required (RFC 2661 §5.4); as the LNS, turn sequencing on by sending
	 * sequenced data. Cookies, l2spec, remote end id, mtu do not apply.
	 */
	const struct l2tp_v2_call *v2;
	void *user;
};

/* ---- what the callbacks get ------------------------------------------------------ */

enum l2tp_log_level { L2TP_LOG_ERR = 3, L2TP_LOG_WARN = 4, L2TP_LOG_INFO = 6, L2TP_LOG_DEBUG = 7 };

/* A request for a new control connection (an SCCRQ to Control Connection ID 0). */
struct l2tp_tunnel_req {
	const struct l2tp_path *path;
	struct l2tp_view hostname;
	uint32_t router_id; /* v3 */
	uint32_t peer_ccid; /* v2: the peer's Assigned Tunnel ID */
	const uint16_t *pw_caps; /* v3 */
	size_t n_pw_caps;
	/*
	 * 2 or 3: the connection is answered in this version (cfg->version is
	 * ignored). Refusing with result 5 (version not supported) tells the
	 * peer the other version is the one spoken here (error code 3 or 2).
	 */
	uint8_t version;
	uint32_t framing_caps, bearer_caps; /* v2 */
	struct l2tp_view vendor_name;
	uint16_t firmware_rev;
};

/* A request for a new session (ICRQ or OCRQ). */
struct l2tp_session_req {
	uint16_t msg_type; /* L2TP_MSG_ICRQ or L2TP_MSG_OCRQ */
	uint16_t pw_type;
	struct l2tp_view remote_end_id;
	uint32_t peer_session_id;
	uint16_t circuit_status; /* Circuit Status AVP (ICRQ), 0 if absent */
	const struct l2tp_v2_call *v2; /* v2: what the ICRQ/OCRQ said; NULL in v3 */
};

/* What a datapath needs to carry an established session (one event). */
struct l2tp_session_dp {
	struct l2tp_path path;
	uint8_t version; /* 2 or 3: the data header to use */
	uint32_t tunnel_id, peer_tunnel_id; /* local and peer Control Connection IDs (v2: 16 bits) */
	uint32_t session_id, peer_session_id; /* v2: 16 bits */
	uint16_t pw_type; /* v2: always L2TP_PW_PPP */
	uint8_t rx_cookie_len, rx_cookie[8]; /* what the peer puts in packets to us */
	uint8_t tx_cookie_len, tx_cookie[8]; /* what we put in packets to the peer */
	uint8_t l2spec; /* enum l2tp_l2spec, both directions */
	/*
	 * v3: send_seq = the peer asked for sequence numbers, recv_seq = we did.
	 * v2 (RFC 2661 §5.4): both set when the LAC sent Sequencing Required,
	 * or, on the LNS, when its cfg.recv_seq turns sequencing on; else the
	 * LAC follows what the LNS sends (the data plane's job).
	 */
	bool send_seq;
	bool recv_seq;
	uint16_t peer_mtu; /* the peer's Interface MTU AVP, 0 if none */
	bool peer_circuit_up; /* the peer's Circuit Status A bit */
};

enum l2tp_event_type {
	L2TP_EV_UP = 1, /* tunnel established / session established (dp valid) */
	L2TP_EV_DOWN = 2, /* gone; the object is freed after the callback */
	L2TP_EV_CIRCUIT = 3, /* session: the peer's Circuit Status changed (SLI) */
	L2TP_EV_WEN = 4, /* session: WAN-Error-Notify received (call_errors valid) */
	L2TP_EV_ACCM = 5, /* session, v2: SLI with an ACCM received (accm valid) */
};

/* Why something went down. */
struct l2tp_down_reason {
	uint16_t result; /* StopCCN/CDN Result Code sent or received */
	uint16_t error; /* General Error Code */
	bool by_peer; /* the peer sent the StopCCN/CDN */
	bool timeout; /* retries exhausted: the peer stopped answering */
	const char *msg; /* text for logs (static or valid during the callback) */
	bool has_q931; /* CDN: a Q.931 Cause Code AVP came (or went) with it */
	uint16_t q931_cause;
	uint8_t q931_msg;
};

struct l2tp_event {
	enum l2tp_event_type type;
	struct l2tp_down_reason down; /* DOWN */
	const struct l2tp_session_dp *dp; /* session UP, CIRCUIT, WEN, ACCM */
	/* session UP, v2: what the peer's ICCN/OCCN said (proxy LCP/auth, speeds), else NULL */
	const struct l2tp_v2_call *v2;
	const struct l2tp_call_errors *call_errors; /* WEN */
	const struct l2tp_accm *accm; /* ACCM */
};

struct l2tp_callbacks {
	l2tp_rand_fn rand; /* required */
	/* One line, no newline, key=value style. May be NULL. */
	void (*log)(void *user, int level, const char *line);
	/*
	 * A new control connection was requested. Fill |cfg| (zeroed on entry;
	 * strings must stay valid until the call returns: they are copied)
	 * and return 0 to accept, or a StopCCN Result Code (> 0, e.g. 4 "not
	 * authorized") to refuse. NULL refuses every request.
	 */
	int (*tunnel_request)(void *user, const struct l2tp_tunnel_req *req,
			      struct l2tp_tunnel_cfg *cfg);
	/* Tunnel UP or DOWN. */
	void (*tunnel_event)(void *user, struct l2tp_tunnel *t, const struct l2tp_event *ev);
	/*
	 * Optional: a connection accepted by tunnel_request never came up
	 * (the peer refused our Challenge Response, stopped answering, ...).
	 * |tunnel_user| is the cfg->user tunnel_request gave; the tunnel is
	 * gone (no handle, no DOWN event). May be NULL.
	 */
	void (*tunnel_setup_failed)(void *user, void *tunnel_user,
				    const struct l2tp_down_reason *why);
	/*
	 * The peer opens a session. Fill |cfg| and return 0 to accept, or a CDN
	 * Result Code (> 0) to refuse. NULL refuses with 24 (RFC 4667,
	 * non-existent forwarder).
	 */
	int (*session_request)(void *user, struct l2tp_tunnel *t,
			       const struct l2tp_session_req *req, struct l2tp_session_cfg *cfg);
	/* Session UP, DOWN or CIRCUIT. */
	void (*session_event)(void *user, struct l2tp_session *s, const struct l2tp_event *ev);
};

struct l2tp_ctx_settings {
	const char *hostname; /* Host Name AVP; NULL = "l2tpkit" */
	const char *vendor_name; /* NULL = "l2tpkit" */
	uint32_t router_id; /* Router ID AVP (RFC 3931 §5.4.3): 0 = random */
	uint16_t firmware_rev;
	size_t max_tunnels; /* 0 = no limit */
	size_t max_sessions; /* 0 = no limit */
};

/* Counters of the context itself (datagrams no tunnel took). */
struct l2tp_ctx_stats {
	uint64_t rx_malformed; /* header or body would not decode */
	uint64_t rx_unknown_tunnel; /* Control Connection ID we do not have */
	uint64_t rx_wrong_peer; /* from an address that is not the tunnel's peer */
	uint64_t rx_refused; /* SCCRQs refused */
	uint64_t rx_bad_version; /* L2F, versions other than 2 and 3, v2 over IP */
	uint64_t rx_digest_failures; /* SCCRQs whose digest did not verify */
	uint64_t tx_stateless; /* StopCCN/CDN replies sent without a connection */
};

/* Per control connection: the xport's counters plus messages by type. */
struct l2tp_tunnel_stats {
	struct l2tp_xport_stats xport;
	uint64_t tx_by_type[L2TP_MSG_TYPE_MAX + 1];
	uint64_t rx_by_type[L2TP_MSG_TYPE_MAX + 1];
	uint64_t rx_digest_failures; /* wrong or missing Message Digest: dropped */
	uint64_t rx_unknown_session;
	uint16_t cwnd, peer_rwnd;
	l2tp_time_t srtt, rttvar;
};

enum l2tp_tunnel_state {
	L2TP_TUNNEL_IDLE = 0,
	L2TP_TUNNEL_WAIT_CTL_REPLY = 1, /* SCCRQ sent */
	L2TP_TUNNEL_WAIT_CTL_CONN = 2, /* SCCRP sent */
	L2TP_TUNNEL_ESTABLISHED = 3,
	L2TP_TUNNEL_CLOSING = 4, /* StopCCN sent, waiting for its acknowledgement */
	L2TP_TUNNEL_LINGER = 5, /* closed; kept to acknowledge retransmissions */
};

enum l2tp_session_state {
	L2TP_SESSION_IDLE = 0, /* waiting for the tunnel */
	L2TP_SESSION_WAIT_REPLY = 1, /* ICRQ/OCRQ sent */
	L2TP_SESSION_WAIT_CONNECT = 2, /* ICRP/OCRP sent, or OCRP received */
	L2TP_SESSION_ESTABLISHED = 3,
	L2TP_SESSION_CLOSED = 4,
};

/* ---- the context ------------------------------------------------------------ */

/*
 * Make a context. |cb|, |set| are copied (|set| may be NULL); |mem| may be
 * NULL (calloc/free) and must outlive the context. Returns 0, -EINVAL
 * (no rand callback), -ENOMEM, or the rand callback's error.
 */
int l2tp_ctx_new(struct l2tp_ctx **out, const struct l2tp_callbacks *cb,
		 const struct l2tp_ctx_settings *set, const struct l2tp_mem *mem, void *user);

/* Free the context and everything in it, without events or messages. */
void l2tp_ctx_free(struct l2tp_ctx *ctx);

/*
 * One received control datagram (UDP payload, or IP payload after the IP
 * header) on |path| (local: the socket's address, peer: the sender).
 * Returns 0 when it was taken or dropped on purpose (counted); negative
 * only for bad arguments (-EINVAL) or a callback's failure.
 */
int l2tp_ctx_handle_ctrl_pkt(struct l2tp_ctx *ctx, const struct l2tp_path *path, const uint8_t *pkt,
			     size_t len, l2tp_time_t now);

/*
 * The next datagram to send, into |out|/|cap| (1500 is enough for every
 * message this library builds; 65535 always is), with where it goes in
 * *|path|. Returns its length, 0 when nothing is left to send at |now|,
 * -ENOSPC when |cap| is too small.
 */
ssize_t l2tp_ctx_write_pkt(struct l2tp_ctx *ctx, struct l2tp_path *path, uint8_t *out, size_t cap,
			   l2tp_time_t now);

/* When l2tp_ctx_on_timeout() must next run; L2TP_TIME_NEVER if never. */
l2tp_time_t l2tp_ctx_next_deadline(struct l2tp_ctx *ctx, l2tp_time_t now);

/* Run every timer due at |now| (retransmissions, Hello, linger, setup limits). */
void l2tp_ctx_on_timeout(struct l2tp_ctx *ctx, l2tp_time_t now);

const struct l2tp_ctx_stats *l2tp_ctx_stats(const struct l2tp_ctx *ctx);
void *l2tp_ctx_user(const struct l2tp_ctx *ctx);
size_t l2tp_ctx_tunnel_count(const struct l2tp_ctx *ctx); /* caller-visible ones */
size_t l2tp_ctx_session_count(const struct l2tp_ctx *ctx);

/* ---- tunnels ------------------------------------------------------------------ */

/*
 * Open a control connection to |path|'s peer as initiator: the SCCRQ is
 * queued at once. Returns 0 and *|out|; -EINVAL (bad config: version,
 * encap (v2 is UDP only), digest, id 0 after random or over 65535 in v2,
 * secret too long, fallback_v2 with version 2), -EEXIST (|cfg|->ccid
 * in use), -ENOSPC (max_tunnels), -ENOMEM, -EAGAIN (no free random id).
 */
int l2tp_tunnel_open(struct l2tp_ctx *ctx, const struct l2tp_path *path,
		     const struct l2tp_tunnel_cfg *cfg, l2tp_time_t now, struct l2tp_tunnel **out);

/*
 * Close: StopCCN with |result| (1 = general request to clear, 0 means 1),
 * |error| and |msg| (may be NULL). The StopCCN clears every session of the
 * connection at both ends (RFC 3931 §3.3; RFC 2661 §5.7: sessions need not
 * be cleared one by one), so no CDNs are sent. The DOWN events, sessions
 * first, come before this returns; the connection then waits internally
 * for the StopCCN's acknowledgement. Returns 0, or -ENOENT if the tunnel
 * is already going down.
 */
int l2tp_tunnel_close(struct l2tp_tunnel *t, uint16_t result, uint16_t error, const char *msg,
		      l2tp_time_t now);

/* The tunnel with local Control Connection ID |ccid| the caller may use, or NULL. */
struct l2tp_tunnel *l2tp_tunnel_find(struct l2tp_ctx *ctx, uint32_t ccid);

enum l2tp_tunnel_state l2tp_tunnel_state(const struct l2tp_tunnel *t);
uint32_t l2tp_tunnel_id(const struct l2tp_tunnel *t);
uint32_t l2tp_tunnel_peer_id(const struct l2tp_tunnel *t);
const struct l2tp_path *l2tp_tunnel_path(const struct l2tp_tunnel *t);
void *l2tp_tunnel_user(const struct l2tp_tunnel *t);
void l2tp_tunnel_set_user(struct l2tp_tunnel *t, void *user);
bool l2tp_tunnel_initiator(const struct l2tp_tunnel *t);
/* 2 or 3: the version the connection speaks now (may change once, by fallback). */
int l2tp_tunnel_version(const struct l2tp_tunnel *t);
/* v2: the peer's Framing and Bearer Capabilities (0 until known). */
uint32_t l2tp_tunnel_peer_framing_caps(const struct l2tp_tunnel *t);
uint32_t l2tp_tunnel_peer_bearer_caps(const struct l2tp_tunnel *t);
const char *l2tp_tunnel_peer_hostname(const struct l2tp_tunnel *t); /* "" until known */
uint32_t l2tp_tunnel_peer_router_id(const struct l2tp_tunnel *t); /* 0 until known */
const char *l2tp_tunnel_peer_vendor(const struct l2tp_tunnel *t); /* "" if not sent */
const uint16_t *l2tp_tunnel_peer_pw_caps(const struct l2tp_tunnel *t, size_t *n);
/* Fill |st| (counters summed at this moment). */
void l2tp_tunnel_get_stats(const struct l2tp_tunnel *t, struct l2tp_tunnel_stats *st);
/* Sessions the caller may use, in opening order; |it| starts NULL. */
struct l2tp_session *l2tp_tunnel_next_session(struct l2tp_tunnel *t, struct l2tp_session *it);
/* Queue a Hello now (liveness probe), unless one is outstanding. */
int l2tp_tunnel_probe(struct l2tp_tunnel *t, l2tp_time_t now);

/* ---- sessions ----------------------------------------------------------------- */

/*
 * Open a session in |t| (RFC 3931 §3.4): ICRQ (or OCRQ) at once if the
 * tunnel is established, else when it is. Returns 0 and *|out|; -EINVAL
 * (cookie length, l2spec, pw type 0 after default, remote end id too long),
 * -EEXIST (session id in use), -ENOSPC (max_sessions), -ENOTCONN (tunnel
 * going down), -ENOMEM, -EAGAIN.
 */
int l2tp_session_open(struct l2tp_tunnel *t, const struct l2tp_session_cfg *cfg, l2tp_time_t now,
		      struct l2tp_session **out);

/* CDN with |result| (0 means 3, administrative), |error|, |msg|; DOWN event before return. */
int l2tp_session_close(struct l2tp_session *s, uint16_t result, uint16_t error, const char *msg,
		       l2tp_time_t now);

/*
 * l2tp_session_close() with a Q.931 Cause Code AVP (|cause|, |msg_type|) in
 * the CDN (RFC 2661 §4.4.2, for calls that a telephone network cleared).
 */
int l2tp_session_close_q931(struct l2tp_session *s, uint16_t result, uint16_t error,
			    const char *msg, uint16_t cause, uint8_t msg_type, l2tp_time_t now);

/*
 * Our attachment circuit went up or down: SLI with Circuit Status (RFC 3931
 * §5.4.5). v3 only: -EPROTO on a v2 session.
 */
int l2tp_session_set_circuit(struct l2tp_session *s, bool up, l2tp_time_t now);

/*
 * v2, LNS to LAC: SLI with the ACCM the PPP peer negotiated (RFC 2661
 * §6.14). Returns 0, -EPROTO (v3 session), -ENOTCONN (not established),
 * -ENOMEM.
 */
int l2tp_session_set_accm(struct l2tp_session *s, uint32_t send_accm, uint32_t recv_accm,
			  l2tp_time_t now);

/*
 * WAN-Error-Notify with |errors| (v2 Call Errors, RFC 2661 §6.13, LAC to
 * LNS; v3 Circuit Errors, whose crc and framing must be 0). Returns 0,
 * -ENOTCONN (not established), -EINVAL, -ENOMEM.
 */
int l2tp_session_send_wen(struct l2tp_session *s, const struct l2tp_call_errors *errors,
			  l2tp_time_t now);

/* The session with Local Session ID |sid|, or NULL. */
struct l2tp_session *l2tp_session_find(struct l2tp_ctx *ctx, uint32_t sid);

enum l2tp_session_state l2tp_session_state(const struct l2tp_session *s);
uint32_t l2tp_session_id(const struct l2tp_session *s);
uint32_t l2tp_session_peer_id(const struct l2tp_session *s);
struct l2tp_tunnel *l2tp_session_tunnel(const struct l2tp_session *s);
void *l2tp_session_user(const struct l2tp_session *s);
void l2tp_session_set_user(struct l2tp_session *s, void *user);
/* The datapath parameters (valid once established). */
const struct l2tp_session_dp *l2tp_session_dp(const struct l2tp_session *s);
struct l2tp_view l2tp_session_remote_end_id(const struct l2tp_session *s);

/* Names for logs and the CLI. */
const char *l2tp_tunnel_state_name(enum l2tp_tunnel_state st);
const char *l2tp_session_state_name(enum l2tp_session_state st);

/* Bytes the context holds for one established session (for the benchmark). */
size_t l2tp_session_mem_size(const struct l2tp_session *s);

#endif /* L2TP_CTX_H */
