// SPDX-License-Identifier: MIT
/*
 * transport.c - talk generic netlink to l2tpd's Unix socket, or to the
 * kernel's NETLINK_GENERIC "l2tp" family when no l2tpd socket exists (the
 * shape of wireguard-tools' ipc.c: one data model, two backends chosen at
 * run time). Both speak the same messages (include/l2tp/api.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "cli.h"

/* Kernel dumps may fill a datagram as large as our receive buffer. */
#define CLI_RX_BUF 32768
/* Bound every wait: a daemon that does not answer is an error, not a hang. */
#define CLI_TIMEOUT_MS 10000

struct talk_ctx {
	cli_msg_fn fn;
	void *arg;
	int rc;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *t = data;
	int rc;

	if (!t->fn)
		return MNL_CB_OK;
	rc = t->fn(nlh, t->arg);
	if (rc < 0) {
		t->rc = rc;
		errno = -rc;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int cli_talk(struct cli_conn *c, struct nlmsghdr *nlh, cli_msg_fn fn, void *arg)
{
	static union {
		uint64_t align;
		uint8_t b[CLI_RX_BUF];
	} rx;
	struct talk_ctx t = {.fn = fn, .arg = arg};
	struct sockaddr_nl snl = {.nl_family = AF_NETLINK};
	uint32_t seq = ++c->seq;
	ssize_t n;
	int rc;

	nlh->nlmsg_seq = seq;
	c->errmsg[0] = '\0';
	if (c->kernel)
		n = sendto(c->fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&snl, sizeof(snl));
	else
		n = send(c->fd, nlh, nlh->nlmsg_len, MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	if ((size_t)n != nlh->nlmsg_len)
		return -EMSGSIZE;

	for (;;) {
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN};

		rc = poll(&pfd, 1, CLI_TIMEOUT_MS);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (rc == 0)
			return -ETIMEDOUT;
		n = recv(c->fd, rx.b, sizeof(rx.b), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ECONNRESET; /* l2tpd closed the connection */
		/* libmnl's mnl_nlmsg_ok() trusts nlmsg_len >= 2^31: check first */
		for (size_t off = 0; off < (size_t)n;) {
			const struct nlmsghdr *m = (const struct nlmsghdr *)(rx.b + off);

			const char *why;
			int e;

			if (!l2tp_api_msg_ok(m, (size_t)n - off))
				return -EPROTO;
			if (m->nlmsg_seq == seq && l2tp_api_parse_error_msg(m, &e, &why) == 0 &&
			    why)
				snprintf(c->errmsg, sizeof(c->errmsg), "%s", why);
			off += NLMSG_ALIGN(m->nlmsg_len);
		}
		errno = 0;
		rc = mnl_cb_run(rx.b, (size_t)n, seq, c->portid, data_cb, &t);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc == MNL_CB_ERROR) {
			if (t.rc < 0)
				return t.rc;
			return errno ? -errno : -EPROTO;
		}
	}
}

struct family_ctx {
	uint16_t id;
	bool found;
};

static int family_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct family_ctx *f = arg;

	if (l2tp_api_parse_family_reply(nlh, &f->id, NULL, NULL) < 0)
		return -EPROTO;
	f->found = true;
	return 0;
}

static int lookup_family_name(struct cli_conn *c, const char *name, uint16_t *id)
{
	union {
		uint64_t align;
		uint8_t b[256];
	} buf;
	struct family_ctx f = {0};
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf.b;
	int rc = l2tp_api_build_getfamily(buf.b, sizeof(buf.b), name, 0);

	if (rc < 0)
		return rc;
	/* ask for an ack too, so the exchange ends the same way on both backends */
	nlh->nlmsg_flags |= NLM_F_ACK;
	rc = cli_talk(c, nlh, family_cb, &f);
	if (rc < 0)
		return rc;
	if (!f.found)
		return -EPROTO;
	*id = f.id;
	return 0;
}

static int lookup_family(struct cli_conn *c)
{
	return lookup_family_name(c, L2TP_GENL_NAME, &c->family);
}

static int connect_kernel(struct cli_conn *c)
{
	struct sockaddr_nl snl = {.nl_family = AF_NETLINK};
	socklen_t len = sizeof(snl);
	int one = 1;

	c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (c->fd < 0)
		return -errno;
	if (bind(c->fd, (struct sockaddr *)&snl, sizeof(snl)) < 0 ||
	    getsockname(c->fd, (struct sockaddr *)&snl, &len) < 0) {
		int e = errno;

		close(c->fd);
		c->fd = -1;
		return -e;
	}
	/* small acks: the header of the request only */
	setsockopt(c->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	c->portid = snl.nl_pid;
	c->kernel = true;
	return 0;
}

int cli_connect(struct cli_conn *c, const char *path, const char *netns, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	const char *env = getenv(L2TP_API_SOCKET_ENV);
	bool named = path || (env && *env);
	char nspath[sizeof(sun.sun_path) + 1];
	int rc, e;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!path && env && *env) {
		path = env;
	} else if (!path && netns) {
		if (cli_netns_runpath(nspath, sizeof(nspath), netns, ".sock") < 0) {
			snprintf(err, errlen,
				 "cannot talk to l2tpd: socket path too long: %s/%s.sock",
				 CLI_RUN_DIR, netns);
			return -ENAMETOOLONG;
		}
		path = nspath;
	} else if (!path) {
		path = L2TP_API_DEFAULT_SOCKET;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "cannot talk to l2tpd: socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot talk to l2tpd: socket: %s", strerror(e));
		return -e;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		rc = lookup_family(c);
		if (rc < 0) {
			snprintf(err, errlen, "cannot talk to l2tpd at %s: family \"%s\": %s", path,
				 L2TP_GENL_NAME, strerror(-rc));
			cli_close(c);
			return rc;
		}
		/* l2tpd's own family (managed tunnels); an older l2tpd lacks it */
		if (lookup_family_name(c, L2TPD_GENL_NAME, &c->l2tpd_family) < 0)
			c->l2tpd_family = 0;
		return 0;
	}
	e = errno;
	close(c->fd);
	c->fd = -1;

	if ((e == ENOENT || e == ECONNREFUSED) && !named) {
		/* no l2tpd: the kernel's own l2tp family, when it has one */
		if (connect_kernel(c) == 0) {
			if (lookup_family(c) == 0)
				return 0;
			cli_close(c);
		}
	}
	if (e == ENOENT)
		snprintf(err, errlen, "cannot talk to l2tpd: no socket at %s (is l2tpd running?)",
			 path);
	else if (e == ECONNREFUSED)
		snprintf(err, errlen,
			 "cannot talk to l2tpd: connection refused at %s (is l2tpd running?)",
			 path);
	else
		snprintf(err, errlen, "cannot talk to l2tpd at %s: %s", path, strerror(e));
	return -e;
}

void cli_close(struct cli_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
