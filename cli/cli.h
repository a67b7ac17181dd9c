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
};

/* Warnings the parser raises; main prints them on stderr. */
#define CLI_WARN_OFFSET (1u << 0) /* Ignoring option "offset" */
#define CLI_WARN_PEER_OFFSET (1u << 1) /* Ignoring option "peer_offset" */

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

/* Print the iproute2-style usage() text to |f|. */
void cli_usage(FILE *f);

/* iproute2's matches(): true when |arg| is a non-empty prefix of |word|. */
bool cli_matches(const char *arg, const char *word);

/* ---- printing ---------------------------------------------------------- */

struct cli_printer {
	FILE *out;
	bool json;
	bool pretty;
	int stats; /* -s count: > 0 prints the counters */
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
	uint32_t seq;
	uint32_t portid;
	char errmsg[160]; /* extended-ack reason of the last refusal, or "" */
};

/* Called for each reply message (not ACK/DONE); return 0 or -errno. */
typedef int (*cli_msg_fn)(const struct nlmsghdr *nlh, void *arg);

/*
 * Connect to l2tpd at |path| (NULL: $L2TP_SOCKET, else the default). When
 * no socket exists at the default path (and none was named explicitly), try
 * the kernel's genl family "l2tp". Looks the family id up either way.
 * Returns 0, or a negative errno with a one-line message in |err|.
 */
int cli_connect(struct cli_conn *c, const char *path, char *err, size_t errlen);
void cli_close(struct cli_conn *c);

/*
 * Send the request |nlh| (seq is set here) and read answers until the ack,
 * the error or NLMSG_DONE, calling |fn| for each reply message.
 * Returns 0, the negative errno the server answered, or a negative errno of
 * the transport (-EPROTO for a malformed answer, -ETIMEDOUT).
 */
int cli_talk(struct cli_conn *c, struct nlmsghdr *nlh, cli_msg_fn fn, void *arg);

/* ---- commands ---------------------------------------------------------- */

struct cli_opts {
	bool json;
	bool pretty;
	int stats;
	const char *socket_path; /* NULL: $L2TP_SOCKET or default */
};

/*
 * Run one parsed command over |c|: send its requests, print the answers on
 * |out|. Returns 0, or a negative errno with a one-line message in |err|
 * ("tunnel 3000 already exists").
 */
int cli_run(struct cli_conn *c, const struct cli_opts *o, const struct cli_cmd *cmd, FILE *out,
	    char *err, size_t errlen);

/*
 * Turn an errno the server answered for |cmd| into the one-line message
 * written to |err|.
 */
void cli_explain(int rc, uint8_t genl_cmd, const struct cli_cmd *cmd, char *err, size_t errlen);

#endif /* L2TP_CLI_H */
