// SPDX-License-Identifier: MIT
/*
 * daemon/registry.c - tunnel and session lists.
 *
 * Plain linked lists: a static configuration has few objects, and the
 * datapath keeps its own per-socket lookup for the packet path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "registry.h"
#include "sock.h"
#include "tap.h"

void l2tpd_registry_init(struct l2tpd_registry *reg)
{
	memset(reg, 0, sizeof(*reg));
}

struct l2tpd_tunnel *l2tpd_tunnel_find(struct l2tpd_registry *reg, uint32_t conn_id)
{
	for (struct l2tpd_tunnel *t = reg->tunnels; t; t = t->next)
		if (t->cfg.conn_id == conn_id)
			return t;
	return NULL;
}

struct l2tpd_session *l2tpd_session_find(struct l2tpd_tunnel *t, uint32_t session_id)
{
	for (struct l2tpd_session *s = t->sessions; s; s = s->next)
		if (s->cfg.session_id == session_id)
			return s;
	return NULL;
}

struct l2tpd_session *l2tpd_session_find_ifname(struct l2tpd_registry *reg, const char *ifname)
{
	for (struct l2tpd_tunnel *t = reg->tunnels; t; t = t->next)
		for (struct l2tpd_session *s = t->sessions; s; s = s->next)
			if (s->cfg.ifname[0] && !strncmp(s->cfg.ifname, ifname, IFNAMSIZ))
				return s;
	return NULL;
}

int l2tpd_tunnel_family(const struct l2tpd_tunnel *t)
{
	if (l2tp_api_has(t->cfg.present, L2TP_ATTR_IP6_DADDR))
		return AF_INET6;
	return AF_INET;
}

struct l2tpd_session *l2tpd_session_find_ip(struct l2tpd_registry *reg, int family,
					    uint32_t session_id)
{
	for (struct l2tpd_tunnel *t = reg->tunnels; t; t = t->next) {
		if (t->cfg.encap_type != L2TP_ENCAPTYPE_IP || l2tpd_tunnel_family(t) != family)
			continue;
		struct l2tpd_session *s = l2tpd_session_find(t, session_id);

		if (s)
			return s;
	}
	return NULL;
}

struct l2tpd_tunnel *l2tpd_tunnel_add(struct l2tpd_registry *reg, struct l2tpd_datapath *dp,
				      const struct l2tp_api_tunnel *cfg, int *err)
{
	return l2tpd_tunnel_add_managed(reg, dp, cfg, NULL, false, err);
}

struct l2tpd_tunnel *l2tpd_tunnel_add_managed(struct l2tpd_registry *reg, struct l2tpd_datapath *dp,
					      const struct l2tp_api_tunnel *cfg,
					      struct l2tpd_mtunnel *mt, bool fallback, int *err)
{
	struct l2tpd_tunnel *t;

	if (l2tpd_tunnel_find(reg, cfg->conn_id)) {
		*err = -EEXIST;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	t->cfg = *cfg;
	t->mt = mt;
	t->fallback = fallback;
	t->cfg.present &= ~L2TP_API_BIT(L2TP_ATTR_STATS);
	memset(&t->cfg.stats, 0, sizeof(t->cfg.stats));
	*err = dp->ops->tunnel_create(dp, t);
	if (*err < 0) {
		free(t);
		return NULL;
	}
	t->next = reg->tunnels;
	reg->tunnels = t;
	reg->n_tunnels++;
	return t;
}

void l2tpd_sessions_del(struct l2tpd_registry *reg, struct l2tpd_datapath *dp,
			struct l2tpd_session *const *v, size_t n)
{
	if (n > 1 && dp->ops->sessions_predelete)
		dp->ops->sessions_predelete(dp, v, n);
	for (size_t i = 0; i < n; i++)
		l2tpd_session_del(reg, dp, v[i]);
}

void l2tpd_tunnel_del(struct l2tpd_registry *reg, struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	size_t n = 0, i = 0;
	struct l2tpd_session **v;

	for (struct l2tpd_session *s = t->sessions; s; s = s->next)
		n++;
	v = n > 1 ? malloc(n * sizeof(*v)) : NULL;
	if (v) {
		for (struct l2tpd_session *s = t->sessions; s; s = s->next)
			v[i++] = s;
		l2tpd_sessions_del(reg, dp, v, n);
		free(v);
	}
	while (t->sessions)
		l2tpd_session_del(reg, dp, t->sessions);
	dp->ops->tunnel_delete(dp, t);
	for (struct l2tpd_tunnel **pp = &reg->tunnels; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			reg->n_tunnels--;
			break;
		}
	}
	free(t);
}

struct l2tpd_session *l2tpd_session_add(struct l2tpd_registry *reg, struct l2tpd_datapath *dp,
					struct l2tpd_tunnel *t, const struct l2tp_api_session *cfg,
					int *err)
{
	struct l2tpd_session *s;

	if (l2tpd_session_find(t, cfg->session_id) ||
	    (t->cfg.encap_type == L2TP_ENCAPTYPE_IP &&
	     l2tpd_session_find_ip(reg, l2tpd_tunnel_family(t), cfg->session_id))) {
		*err = -EEXIST;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	s->cfg = *cfg;
	s->cfg.present &= ~L2TP_API_BIT(L2TP_ATTR_STATS);
	memset(&s->cfg.stats, 0, sizeof(s->cfg.stats));
	s->tunnel = t;
	*err = dp->ops->session_create(dp, s);
	if (*err < 0) {
		free(s);
		return NULL;
	}
	s->next = t->sessions;
	t->sessions = s;
	reg->n_sessions++;
	return s;
}

void l2tpd_session_del(struct l2tpd_registry *reg, struct l2tpd_datapath *dp,
		       struct l2tpd_session *s)
{
	struct l2tpd_tunnel *t = s->tunnel;

	dp->ops->session_delete(dp, s);
	for (struct l2tpd_session **pp = &t->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			reg->n_sessions--;
			break;
		}
	}
	free(s);
}

int l2tpd_sessions_links_delete(struct l2tpd_session *const *v, size_t n,
				const char *(*link)(const struct l2tpd_session *s))
{
	char(*names)[IFNAMSIZ] = calloc(n ? n : 1, IFNAMSIZ);
	unsigned int k = 0;
	int rc;

	if (!names)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *name = link(v[i]);

		if (name && name[0])
			memcpy(names[k++], name, strnlen(name, IFNAMSIZ - 1)); /* calloc: NUL after */
	}
	rc = l2tpd_links_delete((const char(*)[IFNAMSIZ])names, k);
	if (rc < 0)
		log_debug("datapath: batch delete of %u interfaces: %s", k, strerror(-rc));
	free(names);
	return rc;
}

void l2tpd_registry_clear(struct l2tpd_registry *reg, struct l2tpd_datapath *dp)
{
	size_t n = 0;
	struct l2tpd_session **v;

	/*
	 * All sessions of all tunnels in one batch: the interfaces of many
	 * one-session tunnels go in one unregister too (sessions_predelete).
	 */
	for (struct l2tpd_tunnel *t = reg->tunnels; t; t = t->next)
		for (struct l2tpd_session *s = t->sessions; s; s = s->next)
			n++;
	v = n > 1 ? malloc(n * sizeof(*v)) : NULL;
	if (v) {
		size_t i = 0;

		for (struct l2tpd_tunnel *t = reg->tunnels; t; t = t->next)
			for (struct l2tpd_session *s = t->sessions; s; s = s->next)
				v[i++] = s;
		l2tpd_sessions_del(reg, dp, v, n);
		free(v);
	}
	while (reg->tunnels)
		l2tpd_tunnel_del(reg, dp, reg->tunnels);
}

bool l2tpd_registry_ifname_used(const char *name, void *arg)
{
	return l2tpd_session_find_ifname(arg, name) != NULL;
}

void l2tpd_tunnel_addrs(const struct l2tpd_tunnel *t, union l2tpd_addr *local,
			union l2tpd_addr *peer)
{
	bool udp = t->cfg.encap_type == L2TP_ENCAPTYPE_UDP;

	memset(local, 0, sizeof(*local));
	memset(peer, 0, sizeof(*peer));
	if (l2tpd_tunnel_family(t) == AF_INET6) {
		local->in6.sin6_family = peer->in6.sin6_family = AF_INET6;
		local->in6.sin6_addr = t->cfg.local_ip6;
		peer->in6.sin6_addr = t->cfg.peer_ip6;
		local->in6.sin6_port = udp ? htons(t->cfg.udp_sport) : 0;
		peer->in6.sin6_port = udp ? htons(t->cfg.udp_dport) : 0;
	} else {
		local->in.sin_family = peer->in.sin_family = AF_INET;
		local->in.sin_addr = t->cfg.local_ip;
		peer->in.sin_addr = t->cfg.peer_ip;
		local->in.sin_port = udp ? htons(t->cfg.udp_sport) : 0;
		peer->in.sin_port = udp ? htons(t->cfg.udp_dport) : 0;
	}
}
