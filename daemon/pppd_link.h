/* SPDX-License-Identifier: MIT */
/*
 * daemon/pppd_link.h - the PPPoL2TP hand-off: on the kernel datapath, a PPP
 * session's PPP is pppd's, as with xl2tpd and OpenL2TP. The datapath gives
 * a PPPoX socket connected to the kernel's session (session_pppox); this
 * runs "pppd plugin pppol2tp.so pppol2tp FD ..." on it, with the session's
 * ppp options turned into pppd's, and watches it:
 *
 *   pppd exits            -> the |down| callback, with the reason its exit
 *                            status gives (the caller closes the session)
 *   the session goes down -> l2tpd_pppd_free(): SIGTERM, SIGKILL after 5 s
 *
 * pppd checks the peer against its own /etc/ppp/pap-secrets and
 * chap-secrets (it has no option to read another file).
 */
#ifndef L2TPD_PPPD_LINK_H
#define L2TPD_PPPD_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "../cli/cli.h"
#include "loop.h"

struct l2tpd_pppd;
struct nlmsghdr;

struct l2tpd_pppd_cfg {
	const struct cli_ppp *ppp;
	const char *ifname; /* "" or NULL: the first free pppN */
	const char *label; /* for logs, e.g. "tunnel 1 session 5" */
	const char *path; /* pppd; NULL: L2TPD_PPPD from the environment, else /usr/sbin/pppd */
	int fd; /* the PPPoX socket; pppd gets it, the caller still closes its copy */
	bool lns; /* pppol2tp_lns_mode: the LNS side (RFC 2661 §5.4) */
	void (*down)(void *arg, const char *why);
	void *arg;
};

/* Start pppd. 0 and *|out|, or -errno with a reason in |why|. */
int l2tpd_pppd_new(struct l2tpd_loop *loop, const struct l2tpd_pppd_cfg *cfg,
		   struct l2tpd_pppd **out, char *why, size_t whylen);
/* Stop pppd (SIGTERM; SIGKILL after 5 s); it is reaped in the background. */
void l2tpd_pppd_free(struct l2tpd_pppd *p);
/* At exit: SIGKILL and reap every pppd still stopping. */
void l2tpd_pppd_reap_all(void);
const char *l2tpd_pppd_ifname(const struct l2tpd_pppd *p);
/* Append L2TPD_ATTR_PPP_PHASE ("pppd") and what is known (SESSION_GET). */
int l2tpd_pppd_put(const struct l2tpd_pppd *p, struct nlmsghdr *nlh, size_t cap);
/* The argument vector for |cfg| (exposed for the unit tests); argv[] of |max| entries,
 * strings in |buf|. Returns argc, or -ENOSPC. */
int l2tpd_pppd_argv(const struct l2tpd_pppd_cfg *cfg, const char *ifname, char **argv, int max,
		    char *buf, size_t cap);

#endif /* L2TPD_PPPD_LINK_H */
