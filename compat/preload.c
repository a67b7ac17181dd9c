// SPDX-License-Identifier: MIT
/*
 * compat/preload.c - libl2tpd-netlink.so, loaded with LD_PRELOAD (see the
 * l2tp-compat wrapper): a program's NETLINK_GENERIC sockets reach l2tpd's
 * API socket instead of the kernel, so tools written for the kernel's L2TP
 * (iproute2's `ip l2tp`, programs of the "l2tp" generic-netlink family)
 * drive l2tpd unchanged on a kernel without L2TP.
 *
 * socket(AF_NETLINK, SOCK_RAW or SOCK_DGRAM, NETLINK_GENERIC) returns an
 * AF_UNIX SOCK_SEQPACKET socket connected to l2tpd (daemon/api_server.c),
 * which answers the controller's family lookup and the "l2tp" family as the
 * kernel does (include/l2tp/api.h). What belongs to netlink rather than to
 * the family is done here, on the program's side:
 *  - addresses: bind/connect take a sockaddr_nl, getsockname gives the
 *    socket's port id (the process id for the first one, as the kernel's
 *    autobind), every message read comes from nl_pid 0 and carries the
 *    port id in nlmsg_pid (iproute2 drops answers that do not);
 *  - acks as the socket's options ask (netlink_ack() in the kernel): without
 *    NETLINK_CAP_ACK an error echoes the whole request; the extended-ack
 *    reason l2tpd adds is dropped (the kernel's l2tp family gives none, and
 *    iproute2 prints it instead of "RTNETLINK answers: ...") unless
 *    $L2TPD_COMPAT_REASONS is 1 and the socket asked for NETLINK_EXT_ACK;
 *  - reads: each datagram is rewritten before the program sees it, also for
 *    MSG_PEEK|MSG_TRUNC probes (iproute2 sizes its buffer that way), so a
 *    peeked length is the length then read.
 * Every other socket, and every call on other descriptors, goes to the C
 * library unchanged (dlsym(RTLD_NEXT)).
 *
 * Built without sanitizers in every variant: it is loaded into programs that
 * are not instrumented (an ASan library would need the ASan runtime first).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <l2tp/api.h>

#define EXPORT __attribute__((visibility("default")))
#define MAX_SOCKS 64

/* One NETLINK_GENERIC socket of the program, carried by a Unix socket. */
struct nlsock {
	int fd; /* -1: free slot */
	int type; /* SOCK_RAW or SOCK_DGRAM, as asked */
	uint32_t portid; /* 0 until bound (explicitly or by the first send) */
	uint32_t groups;
	bool ext_ack; /* NETLINK_EXT_ACK */
	bool cap_ack; /* NETLINK_CAP_ACK */
	uint8_t *req; /* the last datagram sent, for the echo in errors */
	size_t req_len;
};

static struct nlsock socks[MAX_SOCKS];
static int nsocks;
static bool socks_ready;
static uint32_t rover = (uint32_t)-4096; /* the kernel's autobind ids after the pid */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- the C library's own functions ------------------------------------- */

static void *next_sym(const char *name, void **cache)
{
	void *p = __atomic_load_n(cache, __ATOMIC_ACQUIRE);

	if (!p) {
		p = dlsym(RTLD_NEXT, name);
		__atomic_store_n(cache, p, __ATOMIC_RELEASE);
	}
	return p;
}

#define NEXT(fn) ((__typeof__(&fn))next_sym(#fn, &next_##fn))
static void *next_socket, *next_bind, *next_connect, *next_getsockname, *next_getpeername,
    *next_setsockopt, *next_getsockopt, *next_send, *next_sendto, *next_sendmsg, *next_write,
    *next_recv, *next_recvfrom, *next_recvmsg, *next_read, *next_close, *next___recv_chk,
    *next___recvfrom_chk, *next___read_chk;

ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
		       struct sockaddr *addr, socklen_t *alen);
ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);

/* ---- the table of our sockets ------------------------------------------ */

/* The slot of |fd| if it is one of ours. Cheap when there are none. */
static struct nlsock *find(int fd)
{
	struct nlsock *s = NULL;

	if (fd < 0 || !__atomic_load_n(&nsocks, __ATOMIC_ACQUIRE))
		return NULL;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_SOCKS && !s; i++)
		if (socks_ready && socks[i].fd == fd)
			s = &socks[i];
	pthread_mutex_unlock(&lock);
	return s;
}

static bool portid_used(uint32_t id)
{
	for (int i = 0; i < MAX_SOCKS; i++)
		if (socks[i].fd >= 0 && socks[i].portid == id)
			return true;
	return false;
}

/* As netlink_autobind(): the process id first, then ids from -4096 down. */
static void autobind(struct nlsock *s)
{
	uint32_t id = (uint32_t)getpid();

	pthread_mutex_lock(&lock);
	if (!s->portid) {
		while (portid_used(id))
			id = rover--;
		s->portid = id;
	}
	pthread_mutex_unlock(&lock);
}

static const char *api_path(void)
{
	const char *p = getenv("L2TPD_SOCKET");

	if (!p || !*p)
		p = getenv(L2TP_API_SOCKET_ENV); /* what l2tp(8) honours */
	return p && *p ? p : L2TP_API_DEFAULT_SOCKET;
}

static int open_l2tpd(int type)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	const char *path = api_path();
	struct nlsock *s = NULL;
	int fd, e;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = NEXT(socket)(AF_UNIX, SOCK_SEQPACKET | (type & SOCK_CLOEXEC), 0);
	if (fd < 0)
		return -1;
	/* Connect blocking, so a busy daemon's backlog does not fail us. */
	if (NEXT(connect)(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		e = errno;
		fprintf(stderr, "libl2tpd-netlink: cannot reach l2tpd at %s: %s\n", path,
			strerror(e));
		NEXT(close)(fd);
		errno = e;
		return -1;
	}
	if ((type & SOCK_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		goto fail;
	pthread_mutex_lock(&lock);
	if (!socks_ready) {
		for (int i = 0; i < MAX_SOCKS; i++)
			socks[i].fd = -1;
		socks_ready = true;
	}
	for (int i = 0; i < MAX_SOCKS && !s; i++)
		if (socks[i].fd < 0)
			s = &socks[i];
	if (s) {
		*s = (struct nlsock){.fd = fd, .type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)};
		__atomic_add_fetch(&nsocks, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&lock);
	if (s)
		return fd;
	errno = EMFILE;
fail:
	e = errno;
	NEXT(close)(fd);
	errno = e;
	return -1;
}

static void forget(struct nlsock *s)
{
	pthread_mutex_lock(&lock);
	free(s->req);
	s->req = NULL;
	s->fd = -1;
	__atomic_sub_fetch(&nsocks, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&lock);
}

static int set_errno(int e)
{
	errno = e;
	return -1;
}

/* Copy a sockaddr_nl out as getsockname(2) does: truncated, full length in |len|. */
static void put_addr(struct sockaddr *addr, socklen_t *len, uint32_t pid, uint32_t groups)
{
	struct sockaddr_nl snl = {.nl_family = AF_NETLINK, .nl_pid = pid, .nl_groups = groups};

	if (!addr || !len)
		return;
	memcpy(addr, &snl, *len < sizeof(snl) ? *len : sizeof(snl));
	*len = sizeof(snl);
}

static int check_addr(const struct sockaddr *addr, socklen_t len)
{
	if (!addr || len < sizeof(struct sockaddr_nl) || addr->sa_family != AF_NETLINK)
		return -EINVAL;
	return 0;
}

/* ---- what l2tpd answers, as the kernel would put it ----------------------- */

static bool want_reasons(const struct nlsock *s)
{
	const char *r = getenv("L2TPD_COMPAT_REASONS");

	return s->ext_ack && r && !strcmp(r, "1");
}

/* The message of the last datagram sent that an error's echoed header names. */
static const struct nlmsghdr *sent_request(const struct nlsock *s, const struct nlmsghdr *echo)
{
	size_t off = 0;

	while (s->req && off + NLMSG_HDRLEN <= s->req_len) {
		struct nlmsghdr *m = (struct nlmsghdr *)(s->req + off);

		if (m->nlmsg_len < NLMSG_HDRLEN || m->nlmsg_len > s->req_len - off)
			break;
		if (m->nlmsg_seq == echo->nlmsg_seq && m->nlmsg_type == echo->nlmsg_type &&
		    m->nlmsg_len == echo->nlmsg_len)
			return m;
		off += NLMSG_ALIGN(m->nlmsg_len);
	}
	return NULL;
}

/*
 * Rewrite the NLMSG_ERROR at |buf|+|off| (l2tpd sends it capped, with its
 * reason as a TLV) into what netlink_ack() would send this socket, |*len|
 * updated; the caller checked that the message lies within |*len| and that
 * |buf| holds |cap| bytes.
 */
static void fix_error(const struct nlsock *s, uint8_t *buf, size_t *len, size_t cap, size_t off)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
	struct nlmsgerr *e = (struct nlmsgerr *)NLMSG_DATA(h);
	const size_t base = NLMSG_HDRLEN + sizeof(*e);
	size_t old = NLMSG_ALIGN(h->nlmsg_len), tlv = 0, echo = 0, nmsg, rest;
	const struct nlmsghdr *req = NULL;
	ssize_t delta;

	if (h->nlmsg_len < base || !(h->nlmsg_flags & NLM_F_CAPPED))
		return;
	if ((h->nlmsg_flags & NLM_F_ACK_TLVS) && want_reasons(s))
		tlv = h->nlmsg_len - base;
	if (e->error && !s->cap_ack) {
		req = sent_request(s, &e->msg);
		if (req)
			echo = req->nlmsg_len - NLMSG_HDRLEN;
	}
	nmsg = base + echo + (tlv ? NLMSG_ALIGN(echo) - echo + tlv : 0);
	delta = (ssize_t)NLMSG_ALIGN(nmsg) - (ssize_t)old;
	if (*len + delta > cap)
		return; /* no room: leave it as l2tpd sent it */
	rest = *len - off - old;
	/* Move what follows, then the TLVs, then put the echoed request. */
	memmove(buf + off + NLMSG_ALIGN(nmsg), buf + off + old, rest);
	if (tlv)
		memmove(buf + off + base + NLMSG_ALIGN(echo), buf + off + base, tlv);
	if (echo) {
		memcpy(buf + off + base, (const uint8_t *)req + NLMSG_HDRLEN, echo);
		h->nlmsg_flags &= ~NLM_F_CAPPED;
	}
	memset(buf + off + nmsg, 0, NLMSG_ALIGN(nmsg) - nmsg);
	if (!tlv)
		h->nlmsg_flags &= ~NLM_F_ACK_TLVS;
	h->nlmsg_len = (uint32_t)nmsg;
	*len += delta;
}

/* Every message of a datagram from l2tpd, addressed to this socket's port. */
static void rewrite(const struct nlsock *s, uint8_t *buf, size_t *len, size_t cap)
{
	size_t off = 0;

	while (off + NLMSG_HDRLEN <= *len) {
		struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > *len - off)
			break;
		h->nlmsg_pid = s->portid;
		if (h->nlmsg_type == NLMSG_ERROR)
			fix_error(s, buf, len, cap, off);
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
}

/* ---- reading and writing ----------------------------------------------- */

static size_t iov_total(const struct iovec *iov, size_t n)
{
	size_t t = 0;

	for (size_t i = 0; i < n; i++)
		t += iov[i].iov_len;
	return t;
}

/*
 * One datagram, rewritten, into |iov|: the length copied, or the whole
 * length with MSG_TRUNC in |flags| (as netlink_recvmsg()). MSG_PEEK leaves
 * it on the socket, so poll() still sees it.
 */
static ssize_t nl_recv(struct nlsock *s, const struct iovec *iov, size_t iovcnt, int flags,
		       int *msg_flags)
{
	int dw = flags & MSG_DONTWAIT;
	ssize_t full, n;
	size_t len, cap, done = 0;
	uint8_t *buf;

	full = NEXT(recv)(s->fd, NULL, 0, MSG_PEEK | MSG_TRUNC | dw);
	if (full <= 0)
		return full; /* an error, or 0: l2tpd closed the connection */
	cap = (size_t)full + s->req_len + 64;
	buf = malloc(cap);
	if (!buf)
		return set_errno(ENOBUFS);
	n = NEXT(recv)(s->fd, buf, (size_t)full, (flags & MSG_PEEK) | MSG_DONTWAIT);
	if (n < 0) {
		free(buf);
		return -1;
	}
	len = (size_t)n;
	rewrite(s, buf, &len, cap);
	for (size_t i = 0; i < iovcnt && done < len; i++) {
		size_t k = len - done < iov[i].iov_len ? len - done : iov[i].iov_len;

		memcpy(iov[i].iov_base, buf + done, k);
		done += k;
	}
	free(buf);
	if (msg_flags)
		*msg_flags = done < len ? MSG_TRUNC : 0;
	return (ssize_t)((flags & MSG_TRUNC) ? len : done);
}

static ssize_t nl_send(struct nlsock *s, const struct iovec *iov, size_t iovcnt,
		       const struct sockaddr *addr, socklen_t alen, int flags)
{
	size_t len = iov_total(iov, iovcnt), done = 0;
	uint8_t *buf;
	ssize_t n;

	if (addr && alen) {
		const struct sockaddr_nl *snl = (const struct sockaddr_nl *)addr;

		if (check_addr(addr, alen) < 0)
			return set_errno(EINVAL);
		/* Only the kernel's side is here: no other port, no multicast. */
		if (snl->nl_pid || snl->nl_groups)
			return set_errno(ECONNREFUSED);
	}
	autobind(s);
	buf = malloc(len ? len : 1);
	if (!buf)
		return set_errno(ENOBUFS);
	for (size_t i = 0; i < iovcnt; i++) {
		memcpy(buf + done, iov[i].iov_base, iov[i].iov_len);
		done += iov[i].iov_len;
	}
	n = NEXT(send)(s->fd, buf, len, (flags & MSG_DONTWAIT) | MSG_NOSIGNAL);
	if (n < 0) {
		free(buf);
		return -1;
	}
	pthread_mutex_lock(&lock);
	free(s->req);
	s->req = buf;
	s->req_len = len;
	pthread_mutex_unlock(&lock);
	return n;
}

/* ---- the interposed calls ----------------------------------------------- */

EXPORT int socket(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (domain != AF_NETLINK || protocol != NETLINK_GENERIC ||
	    (base != SOCK_RAW && base != SOCK_DGRAM))
		return NEXT(socket)(domain, type, protocol);
	return open_l2tpd(type);
}

EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct nlsock *s = find(fd);
	const struct sockaddr_nl *snl = (const struct sockaddr_nl *)addr;
	int rc = 0;

	if (!s)
		return NEXT(bind)(fd, addr, len);
	if (check_addr(addr, len) < 0)
		return set_errno(EINVAL);
	if (!snl->nl_pid) {
		autobind(s);
	} else {
		pthread_mutex_lock(&lock);
		if (s->portid && s->portid != snl->nl_pid)
			rc = -EINVAL; /* netlink_bind(): bound once */
		else if (!s->portid && portid_used(snl->nl_pid))
			rc = -EADDRINUSE;
		else
			s->portid = snl->nl_pid;
		pthread_mutex_unlock(&lock);
	}
	if (rc < 0)
		return set_errno(-rc);
	/* Groups are kept for getsockname; l2tpd sends no notifications. */
	s->groups = snl->nl_groups;
	return 0;
}

EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct nlsock *s = find(fd);

	if (!s)
		return NEXT(connect)(fd, addr, len);
	if (check_addr(addr, len) < 0)
		return set_errno(EINVAL);
	autobind(s);
	return 0;
}

EXPORT int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct nlsock *s = find(fd);

	if (!s)
		return NEXT(getsockname)(fd, addr, len);
	if (!addr || !len)
		return set_errno(EFAULT);
	put_addr(addr, len, s->portid, s->groups);
	return 0;
}

EXPORT int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	if (!find(fd))
		return NEXT(getpeername)(fd, addr, len);
	if (!addr || !len)
		return set_errno(EFAULT);
	put_addr(addr, len, 0, 0); /* the kernel's port */
	return 0;
}

EXPORT int setsockopt(int fd, int level, int opt, const void *val, socklen_t len)
{
	struct nlsock *s = find(fd);
	int v;

	if (!s || level != SOL_NETLINK)
		return NEXT(setsockopt)(fd, level, opt, val, len);
	if (!val || len < sizeof(int))
		return set_errno(EINVAL);
	memcpy(&v, val, sizeof(v));
	switch (opt) {
	case NETLINK_EXT_ACK:
		s->ext_ack = v != 0;
		return 0;
	case NETLINK_CAP_ACK:
		s->cap_ack = v != 0;
		return 0;
	case NETLINK_ADD_MEMBERSHIP:
	case NETLINK_DROP_MEMBERSHIP:
	case NETLINK_PKTINFO:
	case NETLINK_BROADCAST_ERROR:
	case NETLINK_NO_ENOBUFS:
	case NETLINK_LISTEN_ALL_NSID:
	case NETLINK_GET_STRICT_CHK:
		return 0; /* nothing they change applies to l2tpd's answers */
	default:
		return set_errno(ENOPROTOOPT);
	}
}

EXPORT int getsockopt(int fd, int level, int opt, void *val, socklen_t *len)
{
	struct nlsock *s = find(fd);
	int v;

	if (!s || (level != SOL_NETLINK && level != SOL_SOCKET))
		return NEXT(getsockopt)(fd, level, opt, val, len);
	if (level == SOL_SOCKET) {
		if (opt == SO_TYPE)
			v = s->type;
		else if (opt == SO_DOMAIN)
			v = AF_NETLINK;
		else if (opt == SO_PROTOCOL)
			v = NETLINK_GENERIC;
		else
			return NEXT(getsockopt)(fd, level, opt, val, len);
	} else if (opt == NETLINK_EXT_ACK) {
		v = s->ext_ack;
	} else if (opt == NETLINK_CAP_ACK) {
		v = s->cap_ack;
	} else if (opt == NETLINK_PKTINFO || opt == NETLINK_BROADCAST_ERROR ||
		   opt == NETLINK_NO_ENOBUFS || opt == NETLINK_LISTEN_ALL_NSID ||
		   opt == NETLINK_GET_STRICT_CHK) {
		v = 0;
	} else {
		return set_errno(ENOPROTOOPT);
	}
	if (!val || !len || *len < sizeof(int))
		return set_errno(EINVAL);
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct nlsock *s = find(fd);

	if (!s)
		return NEXT(sendmsg)(fd, msg, flags);
	return nl_send(s, msg->msg_iov, msg->msg_iovlen, msg->msg_name, msg->msg_namelen, flags);
}

EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
		      socklen_t alen)
{
	struct nlsock *s = find(fd);
	struct iovec iov = {(void *)buf, len};

	if (!s)
		return NEXT(sendto)(fd, buf, len, flags, addr, alen);
	return nl_send(s, &iov, 1, addr, alen, flags);
}

EXPORT ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	struct nlsock *s = find(fd);
	struct iovec iov = {(void *)buf, len};

	if (!s)
		return NEXT(send)(fd, buf, len, flags);
	return nl_send(s, &iov, 1, NULL, 0, flags);
}

EXPORT ssize_t write(int fd, const void *buf, size_t len)
{
	struct nlsock *s = find(fd);
	struct iovec iov = {(void *)buf, len};

	if (!s)
		return NEXT(write)(fd, buf, len);
	return nl_send(s, &iov, 1, NULL, 0, 0);
}

EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct nlsock *s = find(fd);
	ssize_t n;

	if (!s)
		return NEXT(recvmsg)(fd, msg, flags);
	n = nl_recv(s, msg->msg_iov, msg->msg_iovlen, flags, &msg->msg_flags);
	if (n >= 0) {
		put_addr(msg->msg_name, &msg->msg_namelen, 0, 0);
		msg->msg_controllen = 0;
	}
	return n;
}

EXPORT ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr,
			socklen_t *alen)
{
	struct nlsock *s = find(fd);
	struct iovec iov = {buf, len};
	ssize_t n;

	if (!s)
		return NEXT(recvfrom)(fd, buf, len, flags, addr, alen);
	n = nl_recv(s, &iov, 1, flags, NULL);
	if (n >= 0)
		put_addr(addr, alen, 0, 0);
	return n;
}

EXPORT ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	struct nlsock *s = find(fd);
	struct iovec iov = {buf, len};

	if (!s)
		return NEXT(recv)(fd, buf, len, flags);
	return nl_recv(s, &iov, 1, flags, NULL);
}

EXPORT ssize_t read(int fd, void *buf, size_t len)
{
	struct nlsock *s = find(fd);
	struct iovec iov = {buf, len};

	if (!s)
		return NEXT(read)(fd, buf, len);
	return nl_recv(s, &iov, 1, 0, NULL);
}

/* The _FORTIFY_SOURCE entry points a program may call instead. */
EXPORT ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	if (!find(fd) || len > buflen)
		return NEXT(__recv_chk)(fd, buf, len, buflen, flags);
	return recv(fd, buf, len, flags);
}

EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
			      struct sockaddr *addr, socklen_t *alen)
{
	if (!find(fd) || len > buflen)
		return NEXT(__recvfrom_chk)(fd, buf, len, buflen, flags, addr, alen);
	return recvfrom(fd, buf, len, flags, addr, alen);
}

EXPORT ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	if (!find(fd) || len > buflen)
		return NEXT(__read_chk)(fd, buf, len, buflen);
	return read(fd, buf, len);
}

EXPORT int close(int fd)
{
	struct nlsock *s = find(fd);

	if (s)
		forget(s);
	return NEXT(close)(fd);
}
