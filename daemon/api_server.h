/* SPDX-License-Identifier: MIT */
/*
 * daemon/api_server.h - the management API on a Unix SOCK_SEQPACKET socket:
 * generic-netlink requests of the kernel's "l2tp" family (include/l2tp/api.h)
 * answered as the kernel would, plus the genl controller's family lookup.
 */
#ifndef L2TPD_API_SERVER_H
#define L2TPD_API_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct l2tpd_api;
struct l2tpd_loop;
struct l2tpd_registry;
struct l2tpd_datapath;

/* Where one answer datagram goes; returns 0 or -errno (the client is then dropped). */
typedef int (*l2tpd_api_send_fn)(void *arg, const void *buf, size_t len);

/* |loop| may be NULL for in-memory use (tests): no socket is opened then. */
struct l2tpd_api *l2tpd_api_new(struct l2tpd_loop *loop, struct l2tpd_registry *reg,
				struct l2tpd_datapath *dp);

/*
 * Creates the listening socket at |path| with permissions |mode| and group
 * |gid| ((gid_t)-1: unchanged). A stale socket file (nobody listening) is
 * replaced; a live one gives -EADDRINUSE; a path that is not a socket gives
 * -EEXIST (never removed: it is not ours). The parent directory is created
 * (0755) when missing. Returns 0 or -errno.
 */
int l2tpd_api_listen(struct l2tpd_api *api, const char *path, mode_t mode, gid_t gid);

/*
 * When |delegated| is true, every client that can connect may change the
 * configuration (the socket's group was chosen by the administrator);
 * otherwise only root or CAP_NET_ADMIN peers may (the kernel's rule).
 * Reading (GET) is open to any client that can connect.
 */
void l2tpd_api_set_delegated(struct l2tpd_api *api, bool delegated);

/*
 * Handle one request datagram |req| of |len| bytes from a client that is
 * |privileged| or not; every answer datagram goes to |send|. Never fails on
 * bad input: malformed requests are answered with -EINVAL (or ignored when
 * there is no header to answer, like the kernel). Returns 0, or the first
 * error of |send|.
 */
int l2tpd_api_handle(struct l2tpd_api *api, const void *req, size_t len, bool privileged,
		     l2tpd_api_send_fn send, void *arg);

struct l2tpd_mgr;
struct l2tpd_config_env;
struct nlmsghdr;

/*
 * Serve the "l2tpd" family with |mgr| (managed tunnels) and |env| (for
 * "show config"); also subscribes the API's monitors to |mgr|'s events.
 */
void l2tpd_api_set_mgr(struct l2tpd_api *api, struct l2tpd_mgr *mgr,
		       const struct l2tpd_config_env *env);

/* Send the complete EVENT message |msg| to every monitoring client. */
void l2tpd_api_event(void *arg, const struct nlmsghdr *msg);

/* Closes every client and the listening socket, and unlinks the socket file. */
void l2tpd_api_free(struct l2tpd_api *api);

#endif /* L2TPD_API_SERVER_H */
