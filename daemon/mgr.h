/* SPDX-License-Identifier: MIT */
/*
 * daemon/mgr.h - managed tunnels: l2tpd's side of the control protocol.
 *
 * The manager owns libl2tp's context (include/l2tp/ctx.h) and feeds it:
 * control datagrams from the tunnels' data sockets (datapath ctrl_rx hook)
 * and from its own sockets (one per local address and port: they take the
 * SCCRQs of peers that have no tunnel socket yet, all the control messages
 * of tunnels whose datapath opens none (ebpf), and send every control
 * message), its timers, and the commands of the API and the configuration
 * file. When a session is established it creates the session's datapath
 * with the negotiated values; when it ends the datapath session goes.
 *
 * A managed tunnel's registry tunnel (its data sockets) lives as long as
 * its configuration; the control connection comes and goes: an initiator
 * retries with exponential backoff (1 s doubling to 60 s, with jitter),
 * forever; an acceptor waits for its peer. Sessions are opened by the end
 * that initiated the control connection (after the tie breaker, RFC 3931
 * §5.4.3) and matched by Remote End ID at the other, so symmetric
 * configurations bring up one session per remote_end_id.
 */
#ifndef L2TPD_MGR_H
#define L2TPD_MGR_H

#include <l2tp/api.h>
#include <l2tp/ctx.h>

#include "../cli/cli.h"
#include "loop.h"

struct l2tpd_registry;
struct l2tpd_datapath;
struct l2tpd_ppp_link;
struct l2tpd_mgr;

struct l2tpd_msession {
	struct l2tpd_mtunnel *mt;
	struct l2tpd_msession *next;
	struct cli_cmd cfg; /* the "add session" command (cfg.session, cfg.m) */
	uint32_t session_id; /* local id: configured, or drawn once and kept */
	struct l2tp_session *ls; /* the protocol's session while it exists */
	struct l2tpd_session *ds; /* the datapath session while established */
	char ifname[IFNAMSIZ]; /* the interface name, kept across re-establishment */
	l2tp_time_t up_since; /* 0 when not established */
	struct l2tpd_timer retry;
	unsigned int attempts;
	bool close_pending; /* close at the next turn (not inside a callback) */
	bool from_config;
	bool lns; /* we took the peer's call (v2: we are the LNS) */
	struct l2tpd_ppp_link *ppp; /* pw_type ppp, while established (l2tpd's PPP) */
	struct l2tpd_pppd *pppd; /* or pppd's, on a PPPoL2TP socket (kernel datapath) */
	uint16_t last_result;
	char last_reason[96];
};

struct l2tpd_mtunnel {
	struct l2tpd_mgr *mgr;
	struct l2tpd_mtunnel *next;
	struct cli_cmd cfg; /* the "add tunnel ... control on" command */
	struct l2tp_path path;
	struct l2tpd_tunnel *dt; /* registry tunnel: the data sockets */
	struct l2tp_tunnel *lt; /* the control connection while it exists */
	struct l2tpd_msession *sessions;
	l2tp_time_t up_since;
	struct l2tpd_timer retry;
	unsigned int attempts;
	bool open_sessions; /* initiator: open sessions at the next turn */
	bool close_pending;
	bool from_config;
	uint16_t last_result;
	char last_reason[96];
	/* wrong or missing digests on connections that are gone, or refused at SCCRQ */
	uint64_t digest_failures;
};

/* An event for the monitor and the event hook. */
struct l2tpd_mevent {
	const char *what; /* tunnel-up, tunnel-down, session-up, session-down, refused */
	const struct l2tpd_mtunnel *mt; /* NULL for "refused" */
	const struct l2tpd_msession *ms; /* session events */
	const char *peer; /* "192.0.2.2:1701" */
	const char *peer_hostname;
	uint16_t result, error;
	bool by_peer, timeout;
	const char *reason;
};

typedef void (*l2tpd_mgr_event_fn)(void *arg, const struct nlmsghdr *msg);

struct l2tpd_mgr_settings {
	const char *hostname; /* NULL: gethostname() */
	const char *event_hook; /* program run on each event, or NULL */
};

struct l2tpd_mgr *l2tpd_mgr_new(struct l2tpd_loop *loop, struct l2tpd_registry *reg,
				struct l2tpd_datapath *dp, const struct l2tpd_mgr_settings *set);
/* Sends StopCCN on every connection (best effort), removes everything. */
void l2tpd_mgr_free(struct l2tpd_mgr *m);

/* Each EVENT message (l2tpd family, complete) goes to |fn| (the API's monitors). */
void l2tpd_mgr_set_event_fn(struct l2tpd_mgr *m, l2tpd_mgr_event_fn fn, void *arg);

/*
 * Apply a parsed managed command: add tunnel (cmd->m.tunnel), add session
 * (cmd->m.session), del session by remote end id. Returns 0 or -errno with
 * a one-line reason in |err|.
 */
int l2tpd_mgr_exec(struct l2tpd_mgr *m, const struct cli_cmd *cmd, bool from_config, char *err,
		   size_t errlen);
/*
 * What is wrong with a session |s| on managed tunnel |t| (pw_type against
 * the version, remote_end_id), or NULL. The configuration check uses it too.
 */
const char *l2tpd_mgr_session_problem(const struct cli_managed *t, const struct cli_managed *s);
/* Delete a managed tunnel (StopCCN) or session (CDN) and their configuration. */
void l2tpd_mgr_tunnel_del(struct l2tpd_mgr *m, struct l2tpd_mtunnel *mt);
void l2tpd_mgr_session_del(struct l2tpd_mgr *m, struct l2tpd_msession *ms);

struct l2tpd_mtunnel *l2tpd_mgr_tunnels(struct l2tpd_mgr *m);
struct l2tpd_mtunnel *l2tpd_mgr_tunnel_find(struct l2tpd_mgr *m, uint32_t tunnel_id);

/* Append the state attributes of |mt| / |ms| (TUNNEL_GET / SESSION_GET). 0 or -ENOSPC. */
int l2tpd_mgr_put_tunnel(struct l2tpd_mgr *m, const struct l2tpd_mtunnel *mt,
			 struct nlmsghdr *nlh, size_t cap);
int l2tpd_mgr_put_session(struct l2tpd_mgr *m, const struct l2tpd_msession *ms,
			  struct nlmsghdr *nlh, size_t cap);

#endif /* L2TPD_MGR_H */
