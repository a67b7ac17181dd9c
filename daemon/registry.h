/* SPDX-License-Identifier: MIT */
/*
 * daemon/registry.h - the daemon's tunnels and sessions (static, unmanaged)
 * and their configuration, independent of the datapath that carries them.
 */
#ifndef L2TPD_REGISTRY_H
#define L2TPD_REGISTRY_H

#include <l2tp/api.h>

#include "datapath.h"

struct l2tpd_msession;
struct l2tpd_mtunnel;

struct l2tpd_session {
	struct l2tp_api_session cfg; /* as created/modified; ifname set by the datapath */
	struct l2tpd_tunnel *tunnel;
	struct l2tpd_session *next; /* in tunnel->sessions */
	void *dp; /* datapath state */
	struct l2tpd_msession *ms; /* the managed session it carries (mgr.c), or NULL */
	bool from_config; /* made by the configuration file (SIGHUP diffs these) */
	bool dying; /* its managed session ended: mgr.c deletes it a few per turn */
};

struct l2tpd_tunnel {
	struct l2tp_api_tunnel cfg; /* as created/modified, without stats */
	struct l2tpd_session *sessions;
	struct l2tpd_tunnel *next;
	void *dp;
	/* which datapath of a mux carries it (datapath/ebpf/mux.c), else NULL */
	struct l2tpd_datapath *dp_owner;
	/*
	 * A managed tunnel's data sockets (mgr.c): control messages arriving
	 * on them go to dp->ctrl_rx, and the UDP port is shared with the
	 * control plane's own socket (SO_REUSEADDR).
	 */
	struct l2tpd_mtunnel *mt;
	/*
	 * Managed with "fallback on": L2TPv3 now, L2TPv2 if the peer refuses
	 * v3 (t->cfg.proto_version changes when the tunnel comes up), so
	 * only a datapath that carries both may take it.
	 */
	bool fallback;
	bool from_config;
	bool dying; /* a deleted managed tunnel whose sessions mgr.c is still removing */
	/* managed: our Control Connection ID while up (v2 data headers carry it); else 0 */
	uint32_t ccid;
};

struct l2tpd_registry {
	struct l2tpd_tunnel *tunnels;
	unsigned int n_tunnels;
	unsigned int n_sessions;
};

void l2tpd_registry_init(struct l2tpd_registry *reg);

/* Borrowed pointers; NULL when not found. */
struct l2tpd_tunnel *l2tpd_tunnel_find(struct l2tpd_registry *reg, uint32_t conn_id);
struct l2tpd_session *l2tpd_session_find(struct l2tpd_tunnel *t, uint32_t session_id);
struct l2tpd_session *l2tpd_session_find_ifname(struct l2tpd_registry *reg, const char *ifname);
/*
 * An L2TPv3 session received over IP encapsulation is identified by its
 * session id alone (RFC 3931 §4.1.1.1): the session with |session_id| in
 * an IP-encap tunnel of address family |family|, or NULL.
 */
struct l2tpd_session *l2tpd_session_find_ip(struct l2tpd_registry *reg, int family,
					    uint32_t session_id);

/* Address family (AF_INET/AF_INET6) of a tunnel's configured addresses. */
int l2tpd_tunnel_family(const struct l2tpd_tunnel *t);

union l2tpd_addr;
/* The tunnel's two ends as socket addresses (ports over UDP only). */
void l2tpd_tunnel_addrs(const struct l2tpd_tunnel *t, union l2tpd_addr *local,
			union l2tpd_addr *peer);

/*
 * Adds a tunnel built from |cfg| (copied, stats dropped) and asks |dp| to
 * create it. Returns the tunnel, or NULL with *|err| = -EEXIST (duplicate
 * conn id), -ENOMEM, or the datapath's error.
 */
struct l2tpd_tunnel *l2tpd_tunnel_add(struct l2tpd_registry *reg, struct l2tpd_datapath *dp,
				      const struct l2tp_api_tunnel *cfg, int *err);
/*
 * The same for the data sockets of managed tunnel |mt| (t->mt and
 * t->fallback = |fallback| set before the datapath runs).
 */
struct l2tpd_tunnel *l2tpd_tunnel_add_managed(struct l2tpd_registry *reg, struct l2tpd_datapath *dp,
					      const struct l2tp_api_tunnel *cfg,
					      struct l2tpd_mtunnel *mt, bool fallback, int *err);
/* Deletes the sessions of |t|, then |t| (datapath first, then memory). */
void l2tpd_tunnel_del(struct l2tpd_registry *reg, struct l2tpd_datapath *dp,
		      struct l2tpd_tunnel *t);

/*
 * Adds a session to |t| and asks |dp| to create it. Returns the session or
 * NULL with *|err| = -EEXIST (session id taken in the tunnel, or by another
 * IP-encap tunnel of the same family), -ENOMEM or the datapath's error.
 */
struct l2tpd_session *l2tpd_session_add(struct l2tpd_registry *reg, struct l2tpd_datapath *dp,
					struct l2tpd_tunnel *t, const struct l2tp_api_session *cfg,
					int *err);
void l2tpd_session_del(struct l2tpd_registry *reg, struct l2tpd_datapath *dp,
		       struct l2tpd_session *s);
/* Deletes the |n| sessions of |v|, their interfaces in one batch where the datapath can. */
void l2tpd_sessions_del(struct l2tpd_registry *reg, struct l2tpd_datapath *dp,
			struct l2tpd_session *const *v, size_t n);

/*
 * For a datapath's sessions_predelete: for each of |v| (n) the interface
 * |link| names (NULL: none to delete), all in one batch
 * (l2tpd_links_delete). 0 or -errno (then some may remain).
 */
int l2tpd_sessions_links_delete(struct l2tpd_session *const *v, size_t n,
				const char *(*link)(const struct l2tpd_session *s));

/* Deletes everything (shutdown). */
void l2tpd_registry_clear(struct l2tpd_registry *reg, struct l2tpd_datapath *dp);

/* Is |name| the interface of one of our sessions? (for name allocation) */
bool l2tpd_registry_ifname_used(const char *name, void *reg);

#endif /* L2TPD_REGISTRY_H */
