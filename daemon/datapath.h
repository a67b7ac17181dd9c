/* SPDX-License-Identifier: MIT */
/*
 * daemon/datapath.h - the small interface between the daemon's object model
 * and a datapath that moves frames: "user" (TAP + sockets, datapath/user/)
 * today, "kernel" (the kernel's l2tp family) later (DESIGN.md).
 *
 * The model (struct l2tpd_tunnel / l2tpd_session, daemon/registry.h) owns
 * the configuration; a datapath owns the fds and counters and hangs its
 * state off the |dp| pointers. Create callbacks either fully succeed or
 * leave nothing behind and return a negative errno the API passes on.
 */
#ifndef L2TPD_DATAPATH_H
#define L2TPD_DATAPATH_H

#include <l2tp/api.h>

struct l2tpd_tunnel;
struct l2tpd_session;
struct l2tpd_datapath;

struct l2tpd_datapath_ops {
	const char *name;
	/* Opens the tunnel's sockets. 0 or -errno (-EADDRINUSE, -EPROTONOSUPPORT, ...). */
	int (*tunnel_create)(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t);
	/* Applies the already-updated t->cfg (checksum options). 0 or -errno. */
	int (*tunnel_modify)(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t);
	/* Closes what tunnel_create opened. Sessions are deleted before. */
	void (*tunnel_delete)(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t);
	/*
	 * Optional: the name of the datapath that carries |t| (static or
	 * managed; NULL: the one a tunnel goes to when no other takes it),
	 * where one datapath hands tunnels to others (datapath/ebpf/mux.c).
	 * NULL: ops->name.
	 */
	const char *(*tunnel_dp_name)(struct l2tpd_datapath *dp, const struct l2tpd_tunnel *t);
	/* Fills the kernel's tunnel counters. */
	void (*tunnel_stats)(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t,
			     struct l2tp_api_stats *st);
	/*
	 * Creates the session's interface; sets s->cfg.ifname to the name
	 * chosen. 0 or -errno (-EEXIST for a name in use, -EPROTONOSUPPORT for
	 * a pseudowire type it cannot carry).
	 */
	int (*session_create)(struct l2tpd_datapath *dp, struct l2tpd_session *s);
	/* Applies the already-updated s->cfg (sequencing, reorder timeout). */
	int (*session_modify)(struct l2tpd_datapath *dp, struct l2tpd_session *s);
	/* Removes the session's interface and frees its state. */
	void (*session_delete)(struct l2tpd_datapath *dp, struct l2tpd_session *s);
	/*
	 * Optional speed-up before session_delete() of each of |v| (n): remove
	 * their interfaces in one batch. NULL: session_delete does it all.
	 */
	void (*sessions_predelete)(struct l2tpd_datapath *dp, struct l2tpd_session *const *v,
				   size_t n);
	void (*session_stats)(struct l2tpd_datapath *dp, struct l2tpd_session *s,
			      struct l2tp_api_stats *st);
	/*
	 * Optional: does the session send sequence numbers now? It can differ
	 * from s->cfg.send_seq: without lns_mode a session follows its peer
	 * (RFC 2661 §5.4, lib/dp.c). 1, 0, or -1 when it cannot tell; NULL:
	 * as configured.
	 */
	int (*session_send_seq)(struct l2tpd_datapath *dp, struct l2tpd_session *s);
	/*
	 * Optional: send one payload of a PPP session (pw_type
	 * L2TP_PWTYPE_PPP: a PPP frame, RFC 2661 §5.1), from the control
	 * plane's loop. 0 or -errno.
	 */
	int (*session_send)(struct l2tpd_datapath *dp, struct l2tpd_session *s,
			    const uint8_t *frame, size_t len);
	/*
	 * Optional: a PPPoL2TP socket (AF_PPPOX, PX_PROTO_OL2TP) connected to
	 * the kernel's session of a PPP session, to hand to pppd's pppol2tp
	 * plugin: the kernel then carries the PPP frames and pppd speaks PPP.
	 * A datapath with this op has no session_send. The fd (close-on-exec)
	 * is the caller's, or -errno.
	 */
	int (*session_pppox)(struct l2tpd_datapath *dp, struct l2tpd_session *s);
	/* Frees the datapath (all tunnels were deleted before). */
	void (*free)(struct l2tpd_datapath *dp);
};

/*
 * A control message (RFC 3931 §4.1: T bit set; over IP, Session ID 0) that
 * arrived on the data socket of managed tunnel |t| (t->mt set): |pkt| is
 * the UDP payload, valid during the call, which runs on the control
 * plane's loop.
 */
typedef void (*l2tpd_ctrl_rx_fn)(void *arg, struct l2tpd_tunnel *t, const uint8_t *pkt,
				 size_t len);

/*
 * A received payload of PPP session |s| (its PPP frame), valid during the
 * call, on the control plane's loop. A datapath creates PPP sessions only
 * when this is set; they have no interface of the datapath's own (the
 * control plane's PPP link makes one).
 */
typedef void (*l2tpd_ppp_rx_fn)(void *arg, struct l2tpd_session *s, const uint8_t *frame,
				size_t len);

struct l2tpd_datapath {
	const struct l2tpd_datapath_ops *ops;
	void *priv;
	l2tpd_ctrl_rx_fn ctrl_rx; /* set by the control plane; NULL drops them */
	void *ctrl_arg;
	l2tpd_ppp_rx_fn ppp_rx; /* set by the control plane; NULL: no PPP sessions */
	void *ppp_arg;
	/*
	 * Why the last create failed, when the errno alone does not say
	 * (e.g. the kernel module it needs), or "". The caller clears it.
	 */
	char err[160];
};

struct l2tpd_loop;
struct l2tpd_registry;

/* Workers (threads) the userspace datapath may run. */
#define L2TPD_MAX_WORKERS 16

/*
 * The userspace datapath with |workers| workers (1..L2TPD_MAX_WORKERS):
 * one runs on |loop|; more each run a thread of their own and |loop| keeps
 * only the control plane (datapath/user/). Sessions are looked up in
 * |reg|. Returns NULL with errno set on failure.
 */
struct l2tpd_datapath *l2tpd_datapath_user_new(struct l2tpd_loop *loop, struct l2tpd_registry *reg,
					       unsigned int workers);

/*
 * The kernel datapath (datapath/kernel/): tunnels and sessions in the
 * kernel's L2TP stack through its "l2tp" generic-netlink family. With
 * |may_load| the family is looked up directly, which lets the kernel load
 * l2tp_netlink; without, only a family already registered is used.
 * |journal| (may be NULL) records the tunnels whose kernel sockets outlive
 * l2tpd, and those an earlier l2tpd left are removed here. Returns NULL
 * with *|err| = -ENOENT (no l2tp family) or another -errno.
 */
struct l2tpd_datapath *l2tpd_datapath_kernel_new(struct l2tpd_loop *loop, const char *journal,
						 bool may_load, int *err);

#endif /* L2TPD_DATAPATH_H */
