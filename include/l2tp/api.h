/* SPDX-License-Identifier: MIT */
/*
 * l2tp/api.h - the management API: generic-netlink messages of the kernel's
 * "l2tp" family, built and parsed with libmnl, shared by l2tpd and l2tp(8).
 *
 * TRANSPORT
 *   l2tpd listens on an AF_UNIX SOCK_SEQPACKET socket, by default
 *   L2TP_API_DEFAULT_SOCKET (clients also honour $L2TP_SOCKET). One request
 *   per datagram: a single netlink message (nlmsghdr + genlmsghdr + attrs).
 *   l2tpd replies exactly as the kernel's netlink would:
 *     - a "do" request (no NLM_F_DUMP) is answered with the reply message
 *       (for GET: a message with the same cmd carrying the object) and/or an
 *       NLMSG_ERROR: error 0 when the request had NLM_F_ACK, -errno on any
 *       failure (then no reply message). nlmsg_seq and nlmsg_pid of every
 *       answer echo the request.
 *     - a dump (NLM_F_DUMP, i.e. NLM_F_ROOT|NLM_F_MATCH) is answered with
 *       NLM_F_MULTI messages, possibly several per datagram (each datagram at
 *       most L2TP_API_MSG_MAX bytes), then NLMSG_DONE (payload: int 0).
 *     - the generic-netlink controller (nlmsg_type GENL_ID_CTRL,
 *       CTRL_CMD_GETFAMILY with CTRL_ATTR_FAMILY_NAME) is answered with a
 *       CTRL_CMD_NEWFAMILY message carrying CTRL_ATTR_FAMILY_ID, _NAME,
 *       _VERSION, _HDRSIZE and _MAXATTR; an unknown name gets -ENOENT.
 *   l2tpd uses the fixed id L2TP_API_FAMILY_ID for "l2tp" (and
 *   L2TP_API_L2TPD_FAMILY_ID for its own family "l2tpd"), but clients must
 *   look the id up through the controller, so one client code path works
 *   against l2tpd and against the kernel's NETLINK_GENERIC socket.
 *   Receive buffers must hold at least L2TP_API_MSG_MAX bytes.
 *
 * COMMANDS, REQUIRED ATTRIBUTES AND ERRNOS (as net/l2tp/l2tp_netlink.c)
 *   TUNNEL_CREATE  CONN_ID, PEER_CONN_ID, PROTO_VERSION, ENCAP_TYPE, and
 *                  unless FD: (IP6_SADDR and IP6_DADDR) or (IP_SADDR and
 *                  IP_DADDR); missing -> -EINVAL. Optional: UDP_SPORT,
 *                  UDP_DPORT, UDP_CSUM (the kernel enables checksums when the
 *                  attribute is PRESENT, whatever its value; clients send it
 *                  only for "on"), UDP_ZERO_CSUM6_TX/RX (flags), DEBUG.
 *                  Duplicate tunnel id -> -EEXIST.
 *   TUNNEL_DELETE  CONN_ID (-EINVAL); unknown tunnel -> -ENODEV.
 *   TUNNEL_MODIFY  CONN_ID (-EINVAL); unknown tunnel -> -ENODEV. Only DEBUG.
 *   TUNNEL_GET     do: CONN_ID (-EINVAL), unknown -> -ENODEV.
 *                  dump: no attributes; the kernel ignores any filter and
 *                  dumps every tunnel (clients filter themselves).
 *   SESSION_CREATE CONN_ID (-EINVAL), then the tunnel must exist (-ENODEV),
 *                  then SESSION_ID, PEER_SESSION_ID, PW_TYPE (-EINVAL);
 *                  PW_TYPE >= __L2TP_PWTYPE_MAX -> -EINVAL; L2TPv2 tunnel and
 *                  PW_TYPE != PPP -> -EPROTONOSUPPORT; L2SPEC_TYPE other than
 *                  NONE/DEFAULT -> -EINVAL (v3; absent means DEFAULT); cookie
 *                  longer than 8 bytes -> -EINVAL/-ERANGE; a pseudowire type
 *                  with no driver -> -EPROTONOSUPPORT; duplicate session id ->
 *                  -EEXIST. Optional: COOKIE, PEER_COOKIE, IFNAME (v3 only),
 *                  DEBUG, RECV_SEQ, SEND_SEQ, LNS_MODE, RECV_TIMEOUT.
 *   SESSION_DELETE, SESSION_MODIFY, SESSION_GET (do)
 *                  the session is found by IFNAME, else by CONN_ID +
 *                  SESSION_ID; neither given or not found -> -ENODEV.
 *                  MODIFY changes DEBUG, RECV_SEQ, SEND_SEQ, LNS_MODE,
 *                  RECV_TIMEOUT. SESSION_GET dump: every session of every
 *                  tunnel.
 *   Any unknown cmd -> -EOPNOTSUPP. Message shorter than nlmsghdr+genlmsghdr
 *   -> -EINVAL. Privileged commands (all but NOOP) -> -EPERM for callers
 *   without CAP_NET_ADMIN (l2tpd checks SO_PEERCRED).
 *
 * ATTRIBUTE VALIDATION (the kernel's policy, liberal mode as in the kernel's
 * GENL_DONT_VALIDATE_STRICT): an integer attribute shorter than its type ->
 * -ERANGE; longer is accepted (the leading bytes are used); COOKIE,
 * PEER_COOKIE longer than 8 -> -ERANGE; IP6_SADDR/DADDR not 16 bytes ->
 * -ERANGE; IFNAME without a NUL in its first IFNAMSIZ bytes -> -EINVAL;
 * unknown attribute types and trailing bytes that do not form an attribute
 * are ignored; a repeated attribute: the last one wins.
 *
 * OFFSETS: the uAPI's OFFSET attribute is "not used" by the kernel and there
 * is no peer offset attribute; iproute2 today ignores "offset" and
 * "peer_offset" (with a warning) and always prints 0. l2tp(8) does the same;
 * l2tpd accepts OFFSET and ignores it.
 *
 * Include this header before any <linux/in.h>-based header (<linux/l2tp.h>
 * is fine after it): glibc's <netinet/in.h> must come first.
 */
#ifndef L2TP_API_H
#define L2TP_API_H

#include <netinet/in.h> /* before <linux/l2tp.h>: glibc and uapi in.h clash otherwise */
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>
#include <linux/l2tp.h>

/* <net/if.h> has IFNAMSIZ only with _DEFAULT_SOURCE (not under plain -std=c11) */
#ifndef IFNAMSIZ
#define IFNAMSIZ IF_NAMESIZE
#endif

#include "l2tp/types.h"

#define L2TP_API_DEFAULT_SOCKET "/run/l2tpd/l2tpd.sock"
#define L2TP_API_SOCKET_ENV "L2TP_SOCKET"

/* Fixed family ids l2tpd hands out; clients look them up anyway. */
#define L2TP_API_FAMILY_ID (GENL_MIN_ID + 16)
#define L2TP_API_L2TPD_FAMILY_ID (GENL_MIN_ID + 17)
#define L2TPD_GENL_NAME "l2tpd"
#define L2TPD_GENL_VERSION 1

/*
 * The "l2tpd" family: what the kernel has no attribute for (managed tunnels
 * run by the control protocol, their state, the configuration, events).
 *
 *   EXEC        do: ARG attributes, in order, are the words of one command of
 *               the l2tp(8) grammar ("add tunnel ... control on ...", "add
 *               session ... remote_end_id X", "del session ... remote_end_id
 *               X"); l2tpd parses them as it parses its configuration file,
 *               so the CLI, the file and programs share one grammar. Errors:
 *               -EINVAL (the parser's message in the extended ack), -EEXIST,
 *               -ENODEV, -EPERM.
 *   CONFIG_GET  dump: one message per object with LINE, the running state
 *               in that grammar ("l2tp show config"); a secret only for a
 *               privileged caller.
 *   TUNNEL_GET  dump: one message per managed tunnel (CONN_ID, STATE, ...).
 *   SESSION_GET dump: one message per managed session.
 *   MONITOR     do: subscribe this connection; l2tpd then sends EVENT
 *               messages (nlmsg_seq 0) until it closes. Read-only.
 */
enum {
	L2TPD_CMD_UNSPEC,
	L2TPD_CMD_EXEC,
	L2TPD_CMD_CONFIG_GET,
	L2TPD_CMD_TUNNEL_GET,
	L2TPD_CMD_SESSION_GET,
	L2TPD_CMD_MONITOR,
	L2TPD_CMD_EVENT,
	__L2TPD_CMD_MAX,
};
#define L2TPD_CMD_MAX (__L2TPD_CMD_MAX - 1)

enum {
	L2TPD_ATTR_UNSPEC,
	L2TPD_ATTR_ARG, /* string, repeated: one word of an EXEC command */
	L2TPD_ATTR_LINE, /* string: a configuration line */
	L2TPD_ATTR_CONN_ID, /* u32: tunnel_id (local, as configured) */
	L2TPD_ATTR_PEER_CONN_ID, /* u32: the peer's Control Connection ID, learned */
	L2TPD_ATTR_CCID, /* u32: our Control Connection ID on the wire */
	L2TPD_ATTR_SESSION_ID, /* u32 */
	L2TPD_ATTR_PEER_SESSION_ID, /* u32 */
	L2TPD_ATTR_STATE, /* string: idle, wait-ctl-reply, established, ... */
	L2TPD_ATTR_ROLE, /* string: initiate, accept (configured) */
	L2TPD_ATTR_INITIATOR, /* u8: 1 when this end initiated the connection up now */
	L2TPD_ATTR_PEER_HOSTNAME, /* string */
	L2TPD_ATTR_PEER_ROUTER_ID, /* u32 */
	L2TPD_ATTR_PEER_VENDOR, /* string */
	L2TPD_ATTR_UPTIME, /* u64: seconds since established, 0 when not */
	L2TPD_ATTR_DIGEST, /* string: none, md5, sha1 */
	L2TPD_ATTR_HELLO, /* u32: seconds, 0 = off */
	L2TPD_ATTR_REMOTE_END_ID, /* string */
	L2TPD_ATTR_PW_TYPE, /* u16: L2TP_PWTYPE_* */
	L2TPD_ATTR_COOKIE, /* binary 0..8: what we send (the kernel's L2TP_ATTR_COOKIE) */
	L2TPD_ATTR_PEER_COOKIE, /* binary 0..8: what the peer sends us */
	L2TPD_ATTR_L2SPEC_TYPE, /* u8: L2TP_L2SPECTYPE_* */
	L2TPD_ATTR_SEND_SEQ, /* u8 */
	L2TPD_ATTR_RECV_SEQ, /* u8 */
	L2TPD_ATTR_IFNAME, /* string */
	L2TPD_ATTR_CTRL_STATS, /* nested L2TPD_CSTAT_* */
	L2TPD_ATTR_EVENT, /* string: tunnel-up, tunnel-down, session-up, session-down, refused */
	L2TPD_ATTR_RESULT, /* u16: StopCCN/CDN Result Code */
	L2TPD_ATTR_ERROR, /* u16: General Error Code */
	L2TPD_ATTR_REASON, /* string */
	L2TPD_ATTR_BY_PEER, /* u8: the peer ended it */
	L2TPD_ATTR_TIMEOUT, /* u8: the peer stopped answering */
	L2TPD_ATTR_RETRY_IN, /* u32: seconds until the next attempt, initiator down */
	L2TPD_ATTR_ATTEMPTS, /* u32: connection attempts since the last success */
	L2TPD_ATTR_PEER, /* string: the peer's address and port, "192.0.2.2:1701" */
	L2TPD_ATTR_ENCAP, /* string: udp, ip */
	L2TPD_ATTR_DATAPATH, /* string: what carries the tunnel's frames: kernel, user */
	L2TPD_ATTR_VERSION, /* u8: the protocol version the tunnel speaks (2 or 3) */
	L2TPD_ATTR_PPP_PHASE, /* string: dead, establish, authenticate, network, terminate */
	L2TPD_ATTR_PPP_LOCAL, /* string: our IPv4 address from IPCP */
	L2TPD_ATTR_PPP_PEER, /* string: the peer's IPv4 address from IPCP */
	L2TPD_ATTR_PPP_LOCAL6, /* string: our link-local IPv6 address from IPV6CP */
	L2TPD_ATTR_PPP_PEER6, /* string: the peer's */
	L2TPD_ATTR_PPP_PEER_NAME, /* string: the name the peer authenticated with */
	L2TPD_ATTR_PPP_RX_IP, /* u64: IP packets received on the PPP link */
	L2TPD_ATTR_PPP_TX_IP, /* u64: IP packets sent */
	__L2TPD_ATTR_MAX,
};
#define L2TPD_ATTR_MAX (__L2TPD_ATTR_MAX - 1)

/* Inside L2TPD_ATTR_CTRL_STATS: u64 counters, and per-type message counts. */
enum {
	L2TPD_CSTAT_UNSPEC,
	L2TPD_CSTAT_TX_MSGS,
	L2TPD_CSTAT_TX_RETRANSMITS,
	L2TPD_CSTAT_TX_ACKS,
	L2TPD_CSTAT_RX_MSGS,
	L2TPD_CSTAT_RX_ACKS,
	L2TPD_CSTAT_RX_DUPLICATES,
	L2TPD_CSTAT_RX_OUT_OF_ORDER,
	L2TPD_CSTAT_RX_DIGEST_FAILURES,
	L2TPD_CSTAT_RX_UNKNOWN_SESSION,
	L2TPD_CSTAT_CWND,
	L2TPD_CSTAT_PEER_RWND,
	L2TPD_CSTAT_SRTT_US,
	L2TPD_CSTAT_RTTVAR_US,
	L2TPD_CSTAT_TX_BY_TYPE, /* binary: u64[L2TP_MSG_TYPE_MAX + 1], host order */
	L2TPD_CSTAT_RX_BY_TYPE,
	__L2TPD_CSTAT_MAX,
};
#define L2TPD_CSTAT_MAX (__L2TPD_CSTAT_MAX - 1)

/* Largest datagram either side sends; receive buffers must be this big. */
#define L2TP_API_MSG_MAX 8192

/* Presence bits: bit |attr| set means L2TP_ATTR_<attr> was present/is set. */
#define L2TP_API_BIT(attr) ((uint64_t)1 << (attr))

static inline bool l2tp_api_has(uint64_t present, unsigned int attr)
{
	return attr < 64 && (present >> attr) & 1;
}

/*
 * Counters nested in L2TP_ATTR_STATS. |present| has bit L2TP_ATTR_TX_PACKETS
 * etc. set for each counter carried.
 */
struct l2tp_api_stats {
	uint32_t present;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t tx_errors;
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t rx_seq_discards;
	uint64_t rx_oos_packets;
	uint64_t rx_errors;
	uint64_t rx_cookie_discards;
	uint64_t rx_invalid;
};

/*
 * A tunnel as carried by TUNNEL_* messages. A field is meaningful only when
 * its L2TP_API_BIT(L2TP_ATTR_x) is set in |present|; the put function emits
 * exactly the present attributes. Addresses are in network byte order.
 */
struct l2tp_api_tunnel {
	uint64_t present;
	uint32_t conn_id; /* L2TP_ATTR_CONN_ID */
	uint32_t peer_conn_id; /* L2TP_ATTR_PEER_CONN_ID */
	uint8_t proto_version; /* L2TP_ATTR_PROTO_VERSION: 2 or 3 */
	uint16_t encap_type; /* L2TP_ATTR_ENCAP_TYPE: L2TP_ENCAPTYPE_* */
	struct in_addr local_ip; /* L2TP_ATTR_IP_SADDR */
	struct in_addr peer_ip; /* L2TP_ATTR_IP_DADDR */
	struct in6_addr local_ip6; /* L2TP_ATTR_IP6_SADDR */
	struct in6_addr peer_ip6; /* L2TP_ATTR_IP6_DADDR */
	uint16_t udp_sport; /* L2TP_ATTR_UDP_SPORT, host order */
	uint16_t udp_dport; /* L2TP_ATTR_UDP_DPORT, host order */
	uint8_t udp_csum; /* L2TP_ATTR_UDP_CSUM (u8) */
	bool udp_zero_csum6_tx; /* L2TP_ATTR_UDP_ZERO_CSUM6_TX (flag) */
	bool udp_zero_csum6_rx; /* L2TP_ATTR_UDP_ZERO_CSUM6_RX (flag) */
	uint32_t debug; /* L2TP_ATTR_DEBUG */
	uint32_t fd; /* L2TP_ATTR_FD (ignored by l2tpd) */
	uint8_t using_ipsec; /* L2TP_ATTR_USING_IPSEC */
	struct l2tp_api_stats stats; /* L2TP_ATTR_STATS */
};

/* A session as carried by SESSION_* messages; same presence rules. */
struct l2tp_api_session {
	uint64_t present;
	uint32_t conn_id; /* L2TP_ATTR_CONN_ID */
	uint32_t peer_conn_id; /* L2TP_ATTR_PEER_CONN_ID */
	uint32_t session_id; /* L2TP_ATTR_SESSION_ID */
	uint32_t peer_session_id; /* L2TP_ATTR_PEER_SESSION_ID */
	uint16_t pw_type; /* L2TP_ATTR_PW_TYPE: L2TP_PWTYPE_* */
	uint8_t cookie_len; /* L2TP_ATTR_COOKIE: 0..8 bytes */
	uint8_t cookie[8];
	uint8_t peer_cookie_len; /* L2TP_ATTR_PEER_COOKIE: 0..8 bytes */
	uint8_t peer_cookie[8];
	uint8_t l2spec_type; /* L2TP_ATTR_L2SPEC_TYPE */
	uint8_t l2spec_len; /* L2TP_ATTR_L2SPEC_LEN (not used) */
	uint16_t offset; /* L2TP_ATTR_OFFSET (not used) */
	uint8_t data_seq; /* L2TP_ATTR_DATA_SEQ (not used) */
	uint8_t recv_seq; /* L2TP_ATTR_RECV_SEQ */
	uint8_t send_seq; /* L2TP_ATTR_SEND_SEQ */
	uint8_t lns_mode; /* L2TP_ATTR_LNS_MODE */
	uint8_t using_ipsec; /* L2TP_ATTR_USING_IPSEC */
	uint64_t recv_timeout_ms; /* L2TP_ATTR_RECV_TIMEOUT: msecs, u64 */
	char ifname[IFNAMSIZ]; /* L2TP_ATTR_IFNAME, NUL-terminated */
	uint16_t mtu; /* L2TP_ATTR_MTU (not used) */
	uint16_t mru; /* L2TP_ATTR_MRU (not used) */
	uint16_t vlan_id; /* L2TP_ATTR_VLAN_ID (not used) */
	uint32_t debug; /* L2TP_ATTR_DEBUG */
	struct l2tp_api_stats stats; /* L2TP_ATTR_STATS */
};

struct nlmsghdr;
struct nlattr;

/*
 * Start a generic-netlink message in |buf| (|cap| bytes, zeroed header):
 * nlmsg_type |family|, flags NLM_F_REQUEST|... as given in |flags| (nothing
 * is added), |seq|, genl cmd |cmd| and version L2TP_GENL_VERSION.
 * Returns the header, or NULL when |cap| cannot hold both headers.
 */
struct nlmsghdr *l2tp_api_msg_start(void *buf, size_t cap, uint16_t family, uint8_t cmd,
				    uint16_t flags, uint32_t seq);

/*
 * True when |len| bytes at |nlh| hold a whole netlink message:
 * NLMSG_HDRLEN <= nlmsg_len <= |len|. Use it on every received message
 * before any parse function.
 */
bool l2tp_api_msg_ok(const struct nlmsghdr *nlh, size_t len);

/* The genl command of |nlh| (0 when it is too short to carry one). */
uint8_t l2tp_api_msg_cmd(const struct nlmsghdr *nlh);

/*
 * Append the present attributes of |t| (kernel order; STATS nested when
 * present) to |nlh|, a message in a buffer of |cap| bytes.
 * Returns 0, or -ENOSPC (the message then holds some of the attributes and
 * must be discarded).
 */
int l2tp_api_put_tunnel(struct nlmsghdr *nlh, size_t cap, const struct l2tp_api_tunnel *t);

/* As l2tp_api_put_tunnel, for a session. Returns 0 or -ENOSPC. */
int l2tp_api_put_session(struct nlmsghdr *nlh, size_t cap, const struct l2tp_api_session *s);

/* Append L2TP_ATTR_STATS with the present counters. Returns 0 or -ENOSPC. */
int l2tp_api_put_stats(struct nlmsghdr *nlh, size_t cap, const struct l2tp_api_stats *st);

/*
 * Validate the attributes of the genl message |nlh| against the kernel's
 * l2tp policy (see ATTRIBUTE VALIDATION) and index them: tb[type] points at
 * the last attribute of each type (NULL when absent). |tb| has
 * L2TP_ATTR_MAX + 1 entries. Pointers borrow |nlh|.
 * |nlh| must hold nlmsg_len readable bytes: check l2tp_api_msg_ok() against
 * the received length first (not mnl_nlmsg_ok(): libmnl 1.0.4 casts
 * nlmsg_len to int and accepts lengths >= 2^31).
 * Returns 0; -EINVAL if nlmsg_len is shorter than both headers, or for a bad
 * IFNAME; -ERANGE for an attribute of the wrong length. |diag|
 * (may be NULL) gets the byte offset in |nlh| and the attribute type.
 */
int l2tp_api_parse_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb,
			 struct l2tp_diag *diag);

/*
 * Parse a tunnel from |nlh| (request or reply) into |t| (zeroed first).
 * Returns 0, or the negative codes of l2tp_api_parse_attrs.
 */
int l2tp_api_parse_tunnel(const struct nlmsghdr *nlh, struct l2tp_api_tunnel *t,
			  struct l2tp_diag *diag);

/* Parse a session from |nlh| into |s| (zeroed first). Same returns. */
int l2tp_api_parse_session(const struct nlmsghdr *nlh, struct l2tp_api_session *s,
			   struct l2tp_diag *diag);

/*
 * Parse the nested L2TP_ATTR_STATS attribute |nest| into |st| (zeroed
 * first). Returns 0 or -ERANGE (a counter shorter than 8 bytes).
 */
int l2tp_api_parse_stats(const struct nlattr *nest, struct l2tp_api_stats *st,
			 struct l2tp_diag *diag);

/*
 * Check the attributes the kernel requires for |cmd| (see the table above).
 * |present| is the presence bitmask of the request, |dump| whether it had
 * NLM_F_DUMP. Returns 0; -EINVAL naming the first missing attribute in
 * |diag| (TUNNEL_*, SESSION_CREATE); -ENODEV for SESSION_DELETE/MODIFY/GET
 * (do) without IFNAME and without CONN_ID+SESSION_ID (the kernel cannot find
 * a session then); -EOPNOTSUPP for an unknown |cmd|. To match the kernel's
 * order exactly for SESSION_CREATE, a server checks CONN_ID, looks the
 * tunnel up (-ENODEV), then calls this. Value checks (pw type range, v2 and
 * non-PPP, l2spec type) are left to l2tp_api_check_session_create().
 */
int l2tp_api_check_required(uint8_t cmd, uint64_t present, bool dump, struct l2tp_diag *diag);

/*
 * The kernel's value checks of SESSION_CREATE given the tunnel's
 * |proto_version|: PW_TYPE >= __L2TP_PWTYPE_MAX -> -EINVAL; v2 and PW_TYPE
 * not PPP -> -EPROTONOSUPPORT; v3 and L2SPEC_TYPE not NONE/DEFAULT ->
 * -EINVAL; cookie longer than 8 -> -EINVAL. Returns 0 otherwise.
 */
int l2tp_api_check_session_create(const struct l2tp_api_session *s, uint8_t proto_version,
				  struct l2tp_diag *diag);

/*
 * Build a CTRL_CMD_GETFAMILY request for |name| into |buf|.
 * Returns the message length, or -ENOSPC.
 */
int l2tp_api_build_getfamily(void *buf, size_t cap, const char *name, uint32_t seq);

/*
 * Server side: parse a controller request. Returns 0 and sets *|name| (a
 * borrowed NUL-terminated string in |nlh|) for CTRL_CMD_GETFAMILY with a
 * name; -EOPNOTSUPP for another controller command; -EINVAL when the name
 * is missing or malformed.
 */
int l2tp_api_parse_getfamily(const struct nlmsghdr *nlh, const char **name, struct l2tp_diag *diag);

/*
 * Build the controller's CTRL_CMD_NEWFAMILY answer (FAMILY_ID, FAMILY_NAME,
 * VERSION, HDRSIZE 0, MAXATTR) echoing |req|'s seq and pid.
 * Returns the length, or -ENOSPC.
 */
int l2tp_api_build_family_reply(void *buf, size_t cap, const struct nlmsghdr *req, const char *name,
				uint16_t id, uint32_t version, uint32_t maxattr);

/*
 * Client side: parse a CTRL_CMD_NEWFAMILY message; sets *|id| (and
 * *|version| when not NULL). Returns 0, -EINVAL when malformed or without a
 * FAMILY_ID.
 */
int l2tp_api_parse_family_reply(const struct nlmsghdr *nlh, uint16_t *id, uint32_t *version,
				struct l2tp_diag *diag);

/*
 * Build an NLMSG_ERROR answering |req|: |err| is 0 (ack) or a negative
 * errno. Carries a copy of |req|'s header only (NLM_F_CAPPED set, as the
 * kernel does with NETLINK_CAP_ACK). Returns the length, or -ENOSPC.
 */
int l2tp_api_build_error(void *buf, size_t cap, const struct nlmsghdr *req, int err);
/*
 * The same with a human-readable reason for a failure in an extended ack
 * (NLM_F_ACK_TLVS + NLMSGERR_ATTR_MSG), as the kernel's extack. |msg| is
 * ignored when |err| is 0 or it is NULL.
 */
int l2tp_api_build_error_msg(void *buf, size_t cap, const struct nlmsghdr *req, int err,
			     const char *msg);

/* Build NLMSG_DONE (payload int 0) for |req|. Returns the length or -ENOSPC. */
int l2tp_api_build_done(void *buf, size_t cap, const struct nlmsghdr *req);

/*
 * Read the error code of an NLMSG_ERROR message |nlh| into *|err| (0 or a
 * negative errno). Returns 0, or -EINVAL when |nlh| is not a well-formed
 * NLMSG_ERROR.
 */
int l2tp_api_parse_error(const struct nlmsghdr *nlh, int *err);
/*
 * The same, and *|msg| set to the extended ack's NUL-terminated reason
 * inside |nlh| (NULL when there is none). |nlh| must have passed
 * l2tp_api_msg_ok().
 */
int l2tp_api_parse_error_msg(const struct nlmsghdr *nlh, int *err, const char **msg);

/* "CONN_ID", "PW_TYPE", ...: attribute name for messages; "?" if unknown. */
const char *l2tp_api_attr_name(unsigned int attr);

/* "TUNNEL_CREATE", ...: command name; "?" if unknown. */
const char *l2tp_api_cmd_name(unsigned int cmd);

#endif /* L2TP_API_H */
