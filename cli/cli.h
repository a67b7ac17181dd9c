/* SPDX-License-Identifier: MIT */
/*
 * cli.h - l2tp(8), the command-line client: the ip-l2tp(8) grammar
 * (grammar.c), one printer for text and JSON (print.c), the transport to
 * l2tpd or the kernel (transport.c) and the commands that glue them (cmd.c).
 * Nothing below main() exits: every function returns 0 or a negative errno
 * and writes its one-line message into a caller's buffer.
 */
#ifndef L2TP_CLI_H
#define L2TP_CLI_H

#include <stdio.h>

#include "l2tp/api.h"

struct nlattr;
struct cli_conn;
struct cli_printer;
struct cli_opts;

#ifndef L2TP_VERSION_STRING
#define L2TP_VERSION_STRING "0.1"
#endif

#define CLI_ERRLEN 256

/* ---- grammar ----------------------------------------------------------- */

enum cli_verb {
	CLI_VERB_NONE = 0,
	CLI_VERB_ADD,
	CLI_VERB_DEL,
	CLI_VERB_SHOW,
	CLI_VERB_HELP,
	CLI_VERB_MONITOR, /* "monitor": print l2tpd's events as they happen */
};

/* Warnings the parser raises; main prints them on stderr. */
#define CLI_WARN_OFFSET (1u << 0) /* Ignoring option "offset" */
#define CLI_WARN_PEER_OFFSET (1u << 1) /* Ignoring option "peer_offset" */

#define CLI_SECRET_MAX 128
#define CLI_NAME_MAX 64 /* host names and remote end ids (RFC 3931, RFC 4667) */
#define CLI_PORT_L2TP 1701
#define CLI_HELLO_DEFAULT 60

/*
 * What "control on" (a managed tunnel) and "remote_end_id" (a managed
 * session) add to the ip-l2tp(8) grammar. l2tpd parses these itself: the
 * CLI only decides that the command goes to l2tpd's own family.
 */
/*
 * A PPP session's link (pw_type ppp): what l2tpd's PPP endpoint
 * (include/l2tp/ppp.h) negotiates, l2tpd.conf(5) "PPP SESSIONS".
 */
#define CLI_PATH_MAX 256
struct cli_ppp {
	uint8_t require_auth; /* auth: L2TP_PPP_AUTH_* mask the peer must use; 0 = none */
	char user[CLI_NAME_MAX + 1]; /* our PAP Peer-ID / CHAP Name */
	char password[CLI_SECRET_MAX + 1]; /* ours; "" = we do not authenticate */
	char secrets[CLI_PATH_MAX]; /* the peers' names and secrets (pppd's format) */
	uint8_t local_ip[4], peer_ip[4]; /* ppp_local, ppp_remote; 0.0.0.0 = negotiate */
	uint16_t lcp_echo; /* seconds between LCP Echo-Requests; 0 = off */
	uint16_t mru; /* 0 = 1500 */
};

struct cli_managed {
	bool tunnel; /* add tunnel ... control on */
	bool session; /* add/del session ... remote_end_id ID */
	bool accept; /* role accept (default initiate) */
	uint8_t digest; /* enum l2tp_digest_type: md5 (default) or sha1 */
	char secret[CLI_SECRET_MAX + 1]; /* "" = no digests */
	char hostname[CLI_NAME_MAX + 1]; /* our Host Name AVP here; "" = l2tpd's */
	char peer_hostname[CLI_NAME_MAX + 1]; /* the peer must present this name */
	uint32_t hello; /* seconds without a message before a Hello; 0 = off */
	uint16_t retries; /* retransmissions before the peer is given up; 0 = default */
	uint16_t window; /* our Receive Window Size; 0 = default */
	char remote_end_id[CLI_NAME_MAX + 1];
	uint16_t pw_type; /* L2TP_PWTYPE_ETH (default), L2TP_PWTYPE_ETH_VLAN or L2TP_PWTYPE_PPP */
	bool cookie_none; /* cookie none (default auto: an 8-byte random cookie) */
	bool l2spec_set; /* l2spec_type given (else: default; the peer's when accepting) */
	bool send_seq, recv_seq;
	uint8_t version; /* tunnel: 2 or 3 (the default) */
	bool fallback; /* tunnel, v3: retry as L2TPv2 if the peer refuses v3 or is silent */
	uint16_t fallback_timeout; /* seconds; 0 = 10 */
	struct cli_ppp ppp; /* session, pw_type ppp */
};

/*
 * One parsed command line. |tunnel| and |session| hold the attributes of
 * the requests to send, with their presence bits, exactly as iproute2
 * builds them.
 */
struct cli_cmd {
	enum cli_verb verb;
	bool obj_tunnel; /* "tunnel" keyword seen */
	bool obj_session; /* "session" keyword seen */
	uint32_t tunnel_id; /* 0 = not given (ids are 1..2^32-1) */
	uint32_t session_id;
	struct l2tp_api_tunnel tunnel; /* TUNNEL_CREATE / DELETE request */
	struct l2tp_api_session session; /* SESSION_CREATE / DELETE request */
	struct cli_managed m; /* managed tunnel or session (then |tunnel|/|session| hold the rest) */
	bool obj_config; /* "show config" */
	int argc; /* the words parsed (l2tpd re-parses managed commands itself) */
	char *const *argv;
	unsigned int warnings; /* CLI_WARN_* */
};

/*
 * Parse argv (without the program name and global options) with the
 * ip-l2tp(8) grammar: "add tunnel ...", "del session ...", "show ...",
 * "help". Returns 0 with |cmd| filled; 1 (CLI_VERB_HELP in cmd->verb) when
 * usage was asked for; -EINVAL with a one-line message in |err| (no
 * newline) for any bad input.
 */
int cli_parse(int argc, char *const *argv, struct cli_cmd *cmd, char *err, size_t errlen);

/*
 * Split one configuration line into words (at most |max|, pointing into
 * |line|, which is modified): blanks separate words, "double quotes" keep
 * blanks in a word (backslash escapes a quote or a backslash inside), '#'
 * outside quotes starts a comment. Returns the word count, or -EINVAL
 * (unterminated quote) / -E2BIG (too many words) with a message in |err|.
 */
int cli_split_line(char *line, char **words, int max, char *err, size_t errlen);

/* ---- configuration lines (format.c) ----------------------------------- */

struct cli_sbuf {
	char *p;
	size_t cap, len; /* output stops (truncated) at cap - 1 */
};

/*
 * Append one object as a line of the grammar ("add tunnel ..."): |m| the
 * managed settings or NULL (static); |secrets| false writes "secret
 * ********" instead of the secret. cli_fmt_cmd formats a parsed "add".
 */
void cli_fmt_tunnel(struct cli_sbuf *b, const struct l2tp_api_tunnel *t, const struct cli_managed *m,
		    bool secrets);
void cli_fmt_session(struct cli_sbuf *b, const struct l2tp_api_session *s,
		     const struct cli_managed *m, bool secrets);
void cli_fmt_cmd(struct cli_sbuf *b, const struct cli_cmd *c, bool secrets);

/* Print the iproute2-style usage() text to |f|. */
void cli_usage(FILE *f);

/* iproute2's matches(): true when |arg| is a non-empty prefix of |word|. */
bool cli_matches(const char *arg, const char *word);

/* ---- managed tunnels and sessions (l2tpd's own family) ------------------ */

/* One managed tunnel or session as l2tpd reports it: its attributes. */
struct cli_minfo {
	uint32_t conn_id, session_id;
	bool printed;
	const struct nlattr *tb[L2TPD_ATTR_MAX + 1];
	const struct nlattr *st[L2TPD_CSTAT_MAX + 1]; /* inside CTRL_STATS */
	void *msg; /* the message the attributes point into (owned) */
};

struct cli_mlist {
	struct cli_minfo *v;
	size_t n, cap;
};

/* Dump L2TPD_CMD_TUNNEL_GET or _SESSION_GET into |l| (empty without l2tpd's family). */
int cli_mlist_fetch(struct cli_conn *c, uint8_t cmd, struct cli_mlist *l);
void cli_mlist_free(struct cli_mlist *l);
struct cli_minfo *cli_mlist_find(struct cli_mlist *l, uint32_t conn_id, uint32_t session_id);

/* A managed session that has no datapath session (not established): its own block. */
void cli_print_msession(struct cli_printer *p, const struct cli_minfo *mi);
/* One EVENT message as a line (text) or a JSON object per line (monitor). */
void cli_print_event(struct cli_printer *p, const struct cli_minfo *ev);

/* ---- printing ---------------------------------------------------------- */

struct cli_printer {
	FILE *out;
	bool json;
	bool pretty;
	int stats; /* -s count: > 0 prints the counters */
	const struct cli_minfo *mi; /* managed state to add to the next object, or NULL */
	/* JSON writer state, the shape of iproute2's json_writer */
	unsigned int depth;
	char sep;
};

void cli_print_init(struct cli_printer *p, FILE *out, bool json, bool pretty, int stats);
/* Opens the JSON array (JSON only). */
void cli_print_begin(struct cli_printer *p);
/* Closes the JSON array and ends the line (JSON only). */
void cli_print_end(struct cli_printer *p);
/* One tunnel / session in iproute2's `ip l2tp show` text or JSON form. */
void cli_print_tunnel(struct cli_printer *p, const struct l2tp_api_tunnel *t);
void cli_print_session(struct cli_printer *p, const struct l2tp_api_session *s);

/* ---- transport --------------------------------------------------------- */

struct cli_conn {
	int fd;
	bool kernel; /* talking to the kernel's NETLINK_GENERIC */
	uint16_t family; /* id of "l2tp", looked up */
	uint16_t l2tpd_family; /* id of "l2tpd" (managed tunnels), 0 when absent */
	uint32_t seq;
	uint32_t portid;
	char errmsg[160]; /* extended-ack reason of the last refusal, or "" */
};

/* Called for each reply message (not ACK/DONE); return 0 or -errno. */
typedef int (*cli_msg_fn)(const struct nlmsghdr *nlh, void *arg);

/*
 * Connect to l2tpd at |path| (NULL: $L2TP_SOCKET, else the default: that of
 * network namespace |netns| when not NULL, see cli_netns_runpath()). When
 * no socket exists at the default path (and none was named explicitly), try
 * the kernel's genl family "l2tp" (of the namespace the caller is in).
 * Looks the family id up either way.
 * Returns 0, or a negative errno with a one-line message in |err|.
 */
int cli_connect(struct cli_conn *c, const char *path, const char *netns, char *err,
		size_t errlen);
void cli_close(struct cli_conn *c);

/*
 * Send the request |nlh| (seq is set here) and read answers until the ack,
 * the error or NLMSG_DONE, calling |fn| for each reply message.
 * Returns 0, the negative errno the server answered, or a negative errno of
 * the transport (-EPROTO for a malformed answer, -ETIMEDOUT).
 */
int cli_talk(struct cli_conn *c, struct nlmsghdr *nlh, cli_msg_fn fn, void *arg);

/* ---- network namespaces (netns.c) -------------------------------------- */

#define CLI_NETNS_RUN_DIR "/run/netns" /* where ip-netns(8) keeps them */
#define CLI_NETNS_NAME_MAX 64
#define CLI_RUN_DIR "/run/l2tpd" /* l2tpd's sockets and PID files */

/*
 * Move the calling thread into the network namespace |name|
 * (/run/netns/NAME, setns(CLONE_NEWNET)), as "ip -n NAME" does. Threads
 * and sockets made afterwards live there. Returns 0, -EINVAL for a name
 * that is not one path component, or the negative errno of open() or
 * setns() (-ENOENT: no such namespace; -EPERM: no CAP_SYS_ADMIN), with a
 * one-line message in |err|.
 */
int cli_netns_enter(const char *name, char *err, size_t errlen);

/*
 * The default path of the l2tpd of namespace |name| with |suffix| (".sock",
 * ".pid"): /run/l2tpd/NAME.sock. 0 or -ENAMETOOLONG.
 */
int cli_netns_runpath(char *buf, size_t len, const char *name, const char *suffix);

/* ---- commands ---------------------------------------------------------- */

struct cli_opts {
	bool json;
	bool pretty;
	int stats;
	const char *socket_path; /* NULL: $L2TP_SOCKET or default */
	const char *netns; /* -n NAME: entered before connecting; NULL: ours */
};

/*
 * Run one parsed command over |c|: send its requests, print the answers on
 * |out|. Returns 0, or a negative errno with a one-line message in |err|
 * ("tunnel 3000 already exists").
 */
int cli_run(struct cli_conn *c, const struct cli_opts *o, const struct cli_cmd *cmd, FILE *out,
	    char *err, size_t errlen);

/* Managed commands: the words typed, to l2tpd (L2TPD_CMD_EXEC). */
int cli_exec(struct cli_conn *c, const struct cli_cmd *cmd, char *err, size_t errlen);
/* "show config": l2tpd's running state as configuration lines. */
int cli_show_config(struct cli_conn *c, FILE *out, char *err, size_t errlen);
/* "monitor": print events until l2tpd closes the connection. */
int cli_monitor(struct cli_conn *c, const struct cli_opts *o, FILE *out, char *err,
		size_t errlen);
/* An integer attribute of 1, 2, 4 or 8 bytes (0 for NULL). */
uint64_t cli_attr_uint(const struct nlattr *a);

/* Fill |mi| from the l2tpd-family message |nlh| (copied). 0, -ENOMEM or -EPROTO. */
int cli_minfo_parse(struct cli_minfo *mi, const struct nlmsghdr *nlh);

/*
 * Turn an errno the server answered for |cmd| into the one-line message
 * written to |err|.
 */
void cli_explain(int rc, uint8_t genl_cmd, const struct cli_cmd *cmd, char *err, size_t errlen);

#endif /* L2TP_CLI_H */
