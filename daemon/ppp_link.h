/* SPDX-License-Identifier: MIT */
/*
 * daemon/ppp_link.h - the PPP link of one PPP session (pw_type ppp):
 * libl2tp's PPP endpoint (l2tp/ppp.h) driven by the event loop, with a TUN
 * device for its network layer.
 *
 *   L2TP session payload  -> l2tpd_ppp_link_input() -> the endpoint
 *   endpoint's frames     -> the |send| callback (the datapath's session_send)
 *   IPCP/IPV6CP opened    -> addresses on the TUN (point to point), link up
 *   TUN readable          -> IP packets into the endpoint
 *   received IP packets   -> written to the TUN
 *   the link went down    -> the |down| callback (the session is closed)
 *
 * Secrets for checking the peer come from a file in pppd's
 * pap-secrets/chap-secrets format ("client server secret [addresses]"),
 * read at each authentication, so edits apply to the next one.
 */
#ifndef L2TPD_PPP_LINK_H
#define L2TPD_PPP_LINK_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include <l2tp/ppp.h>

#include "../cli/cli.h"
#include "loop.h"

struct l2tpd_ppp_link;
struct nlmsghdr;

struct l2tpd_ppp_link_cfg {
	const struct cli_ppp *ppp;
	const char *ifname; /* "" or NULL: the first free pppN */
	const char *label; /* for logs, e.g. "tunnel 1 session 5" */
	/* Send one PPP frame on the L2TP session. 0 or -errno. */
	int (*send)(void *arg, const uint8_t *frame, size_t len);
	/* The link went down (why: static text); the caller closes the session. */
	void (*down)(void *arg, const char *why);
	void *arg;
};

/*
 * Make the TUN and start LCP (the session is up). Returns 0 and *|out|, or
 * -errno with a reason in |why|.
 */
int l2tpd_ppp_link_new(struct l2tpd_loop *loop, const struct l2tpd_ppp_link_cfg *cfg,
		       struct l2tpd_ppp_link **out, char *why, size_t whylen);
/* One payload received on the session. */
void l2tpd_ppp_link_input(struct l2tpd_ppp_link *l, const uint8_t *frame, size_t len);
/* LCP Terminate-Request (best effort: the session ends right after), TUN removed, freed. */
void l2tpd_ppp_link_free(struct l2tpd_ppp_link *l);
const char *l2tpd_ppp_link_ifname(const struct l2tpd_ppp_link *l);
/* Append L2TPD_ATTR_PPP_* (SESSION_GET): phase, addresses, peer name, counters. */
int l2tpd_ppp_link_put(const struct l2tpd_ppp_link *l, struct nlmsghdr *nlh, size_t cap);

/*
 * Look |client| (the name the peer gave) up in a pppd secrets file for
 * server |server| (our name): the secret into |out| (NUL-terminated) and,
 * when |addr| is not NULL, the line's first address (the peer's IPv4
 * address; "" when there is none or it is "*"). Returns the secret's
 * length, -ENOENT when no line matches, or -errno. A "*" in either name
 * column matches any name. Exposed for the unit tests.
 */
int l2tpd_ppp_secret_lookup(const char *path, const char *client, size_t client_len,
			    const char *server, char *out, size_t cap, char *addr, size_t addrcap);

#endif /* L2TPD_PPP_LINK_H */
