/* SPDX-License-Identifier: MIT */
/*
 * fakeradius - a minimal RADIUS server for the L2TPv2 interop tests
 * (tests/interop/v2), where l2tpns, which authenticates PPP users only
 * through RADIUS, is the LNS.
 *
 *   fakeradius -s SECRET -u USER:PASSWORD[:FRAMED-IP] [-u ...]
 *              [-a ADDRESS] [-p AUTH-PORT] [-l LOGFILE]
 *
 * What it does:
 *  - Listens on UDP ADDRESS (default 127.0.0.1) port AUTH-PORT (default
 *    1812) for authentication and AUTH-PORT+1 for accounting, the pair
 *    l2tpns uses (its accounting port is its authentication port plus one).
 *  - Access-Request (RFC 2865 §4.1): with User-Name of a configured user
 *    and either a User-Password (PAP, decrypted with the shared secret and
 *    the Request Authenticator, RFC 2865 §5.2) or a CHAP-Password (CHAP-MD5,
 *    RFC 2865 §5.3 / RFC 1994: MD5(CHAP ID || password || challenge), the
 *    challenge being the CHAP-Challenge attribute, else the Request
 *    Authenticator) that matches: Access-Accept with Service-Type Framed,
 *    Framed-Protocol PPP and, when the user has one, Framed-IP-Address.
 *    Anything else (unknown user, wrong password, neither or both of
 *    User-Password and CHAP-Password): Access-Reject with a Reply-Message.
 *  - Accounting-Request (RFC 2866 §4.1) whose Request Authenticator is
 *    right (MD5 over the packet with 16 zero octets in its place, then the
 *    secret, RFC 2866 §3): Accounting-Response. A wrong one is dropped
 *    (RFC 2866 §3: "silently discarded"), with a line on the log.
 *  - Every reply carries the Response Authenticator of RFC 2865 §3:
 *    MD5(Code || ID || Length || Request Authenticator || Attributes ||
 *    Secret).
 *  - Logs every decision, one "fakeradius[pid]: key=value ..." line, to
 *    stderr or LOGFILE (appended), so tests can assert on them, e.g.
 *      listening auth=127.0.0.1:1812 acct=127.0.0.1:1813
 *      access id=7 user=alice auth=chap result=accept framed_ip=198.51.100.2
 *      access id=8 user=alice auth=pap result=reject reason=bad-password
 *      accounting id=9 user=alice status=start result=response
 *      drop from=127.0.0.1:40000 reason=length-mismatch
 *  - Parses every packet with bounds checks (fr_parse(): header, length
 *    field, each attribute's length); malformed packets are dropped and
 *    logged. fuzz/fuzz_radius.c runs fr_handle() on arbitrary input.
 *  - Exits 0 on SIGTERM or SIGINT, 1 on a socket error, 2 on a bad
 *    command line.
 *
 * What it does not do: Message-Authenticator (RFC 2869 §5.14; neither
 * checked nor sent - l2tpns does not send it), EAP, MS-CHAP, Status-Server,
 * CoA/Disconnect (RFC 5176), proxying, duplicate-request detection (every
 * request is answered anew), per-client secrets (one secret for every
 * client), IPv6, and any policy beyond one password per user.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <l2tp/auth.h>

/* RFC 2865 §3: Length is 20..4096 octets. */
#define FR_HDR_LEN 20
#define FR_MAX_LEN 4096
#define FR_AUTH_LEN 16
/* RFC 2865 §5.2: the encrypted User-Password is 16..128 octets. */
#define FR_PASS_MAX 128
#define FR_MAX_USERS 16

enum {
	FR_ACCESS_REQUEST = 1,
	FR_ACCESS_ACCEPT = 2,
	FR_ACCESS_REJECT = 3,
	FR_ACCOUNTING_REQUEST = 4,
	FR_ACCOUNTING_RESPONSE = 5,
};

enum {
	FR_A_USER_NAME = 1,
	FR_A_USER_PASSWORD = 2,
	FR_A_CHAP_PASSWORD = 3,
	FR_A_SERVICE_TYPE = 6,
	FR_A_FRAMED_PROTOCOL = 7,
	FR_A_FRAMED_IP_ADDRESS = 8,
	FR_A_REPLY_MESSAGE = 18,
	FR_A_ACCT_STATUS_TYPE = 40,
	FR_A_CHAP_CHALLENGE = 60,
};

struct fr_user {
	const char *name;
	const char *pass;
	uint8_t ip[4];
	bool has_ip;
};

struct fr_conf {
	const uint8_t *secret;
	size_t secret_len;
	struct fr_user users[FR_MAX_USERS];
	size_t n_users;
};

/* A view into the packet: borrowed, valid as long as the packet buffer. */
struct fr_view {
	const uint8_t *p;
	size_t len;
	bool set;
};

struct fr_req {
	uint8_t code;
	uint8_t id;
	size_t len; /* the Length field: octets that belong to the packet */
	const uint8_t *auth; /* Request Authenticator, 16 octets */
	const uint8_t *attrs;
	size_t attrs_len;
	unsigned n_attrs;
	/* first occurrence of the attributes we look at */
	struct fr_view user_name, user_password, chap_password, chap_challenge, acct_status;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * Parses |n| octets at |p| into |r| (views into |p|). Returns 0, or -EBADMSG
 * with *|why| saying what is wrong. Bounds: the header must be there, the
 * Length field within 20..4096 and no more than |n| (octets past Length are
 * padding, RFC 2865 §3), every attribute at least 2 octets and inside
 * Length.
 */
static int fr_parse(const uint8_t *p, size_t n, struct fr_req *r, const char **why)
{
	size_t off;

	memset(r, 0, sizeof(*r));
	if (n < FR_HDR_LEN) {
		*why = "short-packet";
		return -EBADMSG;
	}
	r->code = p[0];
	r->id = p[1];
	r->len = get16(p + 2);
	if (r->len < FR_HDR_LEN || r->len > FR_MAX_LEN) {
		*why = "bad-length-field";
		return -EBADMSG;
	}
	if (r->len > n) {
		*why = "length-mismatch";
		return -EBADMSG;
	}
	r->auth = p + 4;
	r->attrs = p + FR_HDR_LEN;
	r->attrs_len = r->len - FR_HDR_LEN;
	for (off = 0; off < r->attrs_len;) {
		uint8_t type, alen;
		struct fr_view *v = NULL;

		if (r->attrs_len - off < 2) {
			*why = "truncated-attribute";
			return -EBADMSG;
		}
		type = r->attrs[off];
		alen = r->attrs[off + 1];
		if (alen < 2 || alen > r->attrs_len - off) {
			*why = "bad-attribute-length";
			return -EBADMSG;
		}
		switch (type) {
		case FR_A_USER_NAME:
			v = &r->user_name;
			break;
		case FR_A_USER_PASSWORD:
			v = &r->user_password;
			break;
		case FR_A_CHAP_PASSWORD:
			v = &r->chap_password;
			break;
		case FR_A_CHAP_CHALLENGE:
			v = &r->chap_challenge;
			break;
		case FR_A_ACCT_STATUS_TYPE:
			v = &r->acct_status;
			break;
		}
		if (v && !v->set) {
			v->p = r->attrs + off + 2;
			v->len = alen - 2u;
			v->set = true;
		}
		r->n_attrs++;
		off += alen;
	}
	return 0;
}

static int md5(const struct l2tp_iov *iov, size_t n, uint8_t out[L2TP_MD5_LEN])
{
	return l2tp_auth_md5(iov, n, out);
}

/* a printable copy of |v| for the log (at most 64 characters) */
static void printable(const struct fr_view *v, char *out, size_t cap)
{
	size_t i, k = 0;

	if (!v->set) {
		snprintf(out, cap, "-");
		return;
	}
	for (i = 0; i < v->len && k + 1 < cap && k < 64; i++) {
		uint8_t c = v->p[i];

		out[k++] = (c > 0x20 && c < 0x7f && c != '=') ? (char)c : '?';
	}
	out[k] = 0;
	if (k == 0)
		snprintf(out, cap, "\"\"");
}

static const struct fr_user *find_user(const struct fr_conf *c, const struct fr_view *name)
{
	size_t i;

	if (!name->set)
		return NULL;
	for (i = 0; i < c->n_users; i++) {
		if (strlen(c->users[i].name) == name->len &&
		    memcmp(c->users[i].name, name->p, name->len) == 0)
			return &c->users[i];
	}
	return NULL;
}

/* RFC 2865 §5.2: 1 if the hidden User-Password is |pass|, 0 if not, <0 on error */
static int pap_check(const struct fr_conf *c, const struct fr_req *r, const char *pass,
		     const char **why)
{
	uint8_t plain[FR_PASS_MAX], b[L2TP_MD5_LEN];
	const uint8_t *prev = r->auth;
	size_t len = r->user_password.len, i, j, plen = strlen(pass);
	int rc;

	if (len < 16 || len > FR_PASS_MAX || len % 16) {
		*why = "bad-user-password-length";
		return 0;
	}
	for (i = 0; i < len; i += 16) {
		/* b(i) = MD5(S + c(i-1)), c(0) = Request Authenticator */
		struct l2tp_iov iov[] = {{c->secret, c->secret_len}, {prev, 16}};

		rc = md5(iov, 2, b);
		if (rc < 0)
			return rc;
		for (j = 0; j < 16; j++)
			plain[i + j] = r->user_password.p[i + j] ^ b[j];
		prev = r->user_password.p + i;
	}
	/* the password is padded with NULs to a multiple of 16 */
	while (len > 0 && plain[len - 1] == 0)
		len--;
	if (len != plen || !l2tp_auth_equal(plain, pass, plen)) {
		*why = "bad-password";
		return 0;
	}
	return 1;
}

/* RFC 2865 §5.3, RFC 1994 §4.1: 1 if the CHAP response is right for |pass| */
static int chap_check(const struct fr_req *r, const char *pass, const char **why)
{
	uint8_t want[L2TP_MD5_LEN];
	const struct fr_view *ch = &r->chap_challenge;
	int rc;

	if (r->chap_password.len != 1 + L2TP_MD5_LEN) {
		*why = "bad-chap-password-length";
		return 0;
	}
	if (ch->set && ch->len == 0) {
		*why = "empty-chap-challenge";
		return 0;
	}
	{
		struct l2tp_iov iov[] = {
		    {r->chap_password.p, 1},
		    {pass, strlen(pass)},
		    {ch->set ? ch->p : r->auth, ch->set ? ch->len : FR_AUTH_LEN},
		};

		rc = md5(iov, 3, want);
		if (rc < 0)
			return rc;
	}
	if (!l2tp_auth_equal(want, r->chap_password.p + 1, L2TP_MD5_LEN)) {
		*why = "bad-password";
		return 0;
	}
	return 1;
}

/* appends attribute |type| with |len| octets of |v| at |*off| of |out| */
static int put_attr(uint8_t *out, size_t cap, size_t *off, uint8_t type, const void *v, size_t len)
{
	if (len > 253 || cap < *off || cap - *off < len + 2)
		return -ENOSPC;
	out[*off] = type;
	out[*off + 1] = (uint8_t)(len + 2);
	memcpy(out + *off + 2, v, len);
	*off += len + 2;
	return 0;
}

/*
 * Writes the header of reply |code| to |r| and its Response Authenticator
 * (RFC 2865 §3) over the attributes already at out[20..|len|).
 */
static int finish_reply(const struct fr_conf *c, const struct fr_req *r, uint8_t code, uint8_t *out,
			size_t len)
{
	out[0] = code;
	out[1] = r->id;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	{
		struct l2tp_iov iov[] = {
		    {out, 4},
		    {r->auth, FR_AUTH_LEN},
		    {out + FR_HDR_LEN, len - FR_HDR_LEN},
		    {c->secret, c->secret_len},
		};

		return md5(iov, 4, out + 4);
	}
}

static ssize_t handle_access(const struct fr_conf *c, const struct fr_req *r, uint8_t *out,
			     size_t cap, char *log, size_t logcap)
{
	const struct fr_user *u = find_user(c, &r->user_name);
	const char *why = "unknown-user", *method = "none";
	char name[80], ipbuf[INET_ADDRSTRLEN] = "-";
	size_t off = FR_HDR_LEN;
	int ok = 0, rc;

	if (r->user_password.set && r->chap_password.set) {
		method = "both";
		why = "pap-and-chap";
	} else if (r->user_password.set) {
		method = "pap";
		if (u)
			ok = pap_check(c, r, u->pass, &why);
	} else if (r->chap_password.set) {
		method = "chap";
		if (u)
			ok = chap_check(r, u->pass, &why);
	} else if (u) {
		why = "no-password";
	}
	if (ok < 0)
		return ok;
	printable(&r->user_name, name, sizeof(name));
	if (ok) {
		static const uint8_t framed[4] = {0, 0, 0, 2}, ppp[4] = {0, 0, 0, 1};

		if ((rc = put_attr(out, cap, &off, FR_A_SERVICE_TYPE, framed, 4)) < 0 ||
		    (rc = put_attr(out, cap, &off, FR_A_FRAMED_PROTOCOL, ppp, 4)) < 0)
			return rc;
		if (u->has_ip) {
			if ((rc = put_attr(out, cap, &off, FR_A_FRAMED_IP_ADDRESS, u->ip, 4)) < 0)
				return rc;
			inet_ntop(AF_INET, u->ip, ipbuf, sizeof(ipbuf));
		}
		rc = finish_reply(c, r, FR_ACCESS_ACCEPT, out, off);
		snprintf(log, logcap, "access id=%u user=%s auth=%s result=accept framed_ip=%s",
			 r->id, name, method, ipbuf);
	} else {
		rc = put_attr(out, cap, &off, FR_A_REPLY_MESSAGE, why, strlen(why));
		if (rc == 0)
			rc = finish_reply(c, r, FR_ACCESS_REJECT, out, off);
		snprintf(log, logcap, "access id=%u user=%s auth=%s result=reject reason=%s", r->id,
			 name, method, why);
	}
	return rc < 0 ? rc : (ssize_t)off;
}

static const char *acct_status_name(const struct fr_view *v)
{
	uint32_t s;

	if (!v->set || v->len != 4)
		return "-";
	s = (uint32_t)v->p[0] << 24 | (uint32_t)v->p[1] << 16 | (uint32_t)v->p[2] << 8 | v->p[3];
	switch (s) { /* RFC 2866 §5.1 */
	case 1:
		return "start";
	case 2:
		return "stop";
	case 3:
		return "interim-update";
	case 7:
		return "accounting-on";
	case 8:
		return "accounting-off";
	default:
		return "other";
	}
}

static ssize_t handle_accounting(const struct fr_conf *c, const struct fr_req *r, const uint8_t *in,
				 uint8_t *out, size_t cap, char *log, size_t logcap)
{
	static const uint8_t zero[FR_AUTH_LEN];
	uint8_t want[L2TP_MD5_LEN];
	char name[80];
	int rc;

	printable(&r->user_name, name, sizeof(name));
	{
		/* RFC 2866 §3: MD5(Code+ID+Length+16 zero octets+Attributes+Secret) */
		struct l2tp_iov iov[] = {
		    {in, 4},
		    {zero, FR_AUTH_LEN},
		    {r->attrs, r->attrs_len},
		    {c->secret, c->secret_len},
		};

		rc = md5(iov, 4, want);
		if (rc < 0)
			return rc;
	}
	if (!l2tp_auth_equal(want, r->auth, FR_AUTH_LEN)) {
		snprintf(log, logcap,
			 "accounting id=%u user=%s status=%s result=drop reason=bad-authenticator",
			 r->id, name, acct_status_name(&r->acct_status));
		return 0;
	}
	if (cap < FR_HDR_LEN)
		return -ENOSPC;
	rc = finish_reply(c, r, FR_ACCOUNTING_RESPONSE, out, FR_HDR_LEN);
	if (rc < 0)
		return rc;
	snprintf(log, logcap, "accounting id=%u user=%s status=%s result=response", r->id, name,
		 acct_status_name(&r->acct_status));
	return FR_HDR_LEN;
}

/*
 * One request of |n| octets at |in|: writes the reply into |out| (|cap|
 * octets, at least FR_MAX_LEN to fit any reply) and a line for the log into
 * |log|. Returns the reply's length, 0 when the request gets no reply (the
 * log says why), or a negative errno (-ENOSPC, or libcrypto's -EIO/-ENOMEM).
 */
static ssize_t fr_handle(const struct fr_conf *c, const uint8_t *in, size_t n, uint8_t *out,
			 size_t cap, char *log, size_t logcap)
{
	struct fr_req r;
	const char *why = "";

	log[0] = 0;
	if (fr_parse(in, n, &r, &why) < 0) {
		snprintf(log, logcap, "drop reason=%s", why);
		return 0;
	}
	if (cap < FR_HDR_LEN)
		return -ENOSPC;
	switch (r.code) {
	case FR_ACCESS_REQUEST:
		return handle_access(c, &r, out, cap, log, logcap);
	case FR_ACCOUNTING_REQUEST:
		return handle_accounting(c, &r, in, out, cap, log, logcap);
	default:
		snprintf(log, logcap, "drop id=%u code=%u reason=unexpected-code", r.id, r.code);
		return 0;
	}
}

#ifndef FAKERADIUS_NO_MAIN
/* "USER:PASSWORD[:A.B.C.D]" into |u| (pointers into |arg|, which it modifies) */
static int parse_user(char *arg, struct fr_user *u)
{
	char *pass = strchr(arg, ':'), *ip;

	if (!pass || pass == arg)
		return -EINVAL;
	*pass++ = 0;
	ip = strchr(pass, ':');
	if (ip) {
		*ip++ = 0;
		if (inet_pton(AF_INET, ip, u->ip) != 1)
			return -EINVAL;
		u->has_ip = true;
	}
	if (strlen(pass) > FR_PASS_MAX)
		return -EINVAL;
	u->name = arg;
	u->pass = pass;
	return 0;
}

static FILE *logfp;
static volatile sig_atomic_t stop;

static void logx(const char *fmt, ...)
{
	va_list ap;

	fprintf(logfp, "fakeradius[%ld]: ", (long)getpid());
	va_start(ap, fmt);
	vfprintf(logfp, fmt, ap);
	va_end(ap);
	fputc('\n', logfp);
	fflush(logfp);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int udp_bind(const char *addr, unsigned port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd;

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: fakeradius -s SECRET -u USER:PASSWORD[:FRAMED-IP] [-u ...] "
			"[-a ADDRESS] [-p AUTH-PORT] [-l LOGFILE]\n");
}

int main(int argc, char **argv)
{
	static struct fr_conf conf;
	const char *addr = "127.0.0.1", *logfile = NULL;
	unsigned long port = 1812;
	struct sigaction sa = {.sa_handler = on_signal};
	struct pollfd pfd[2];
	int opt, i;

	logfp = stderr;
	while ((opt = getopt(argc, argv, "s:u:a:p:l:")) != -1) {
		switch (opt) {
		case 's':
			conf.secret = (const uint8_t *)optarg;
			conf.secret_len = strlen(optarg);
			break;
		case 'u':
			if (conf.n_users == FR_MAX_USERS ||
			    parse_user(optarg, &conf.users[conf.n_users]) < 0) {
				usage();
				return 2;
			}
			conf.n_users++;
			break;
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = strtoul(optarg, NULL, 10);
			if (port == 0 || port > 65534) {
				usage();
				return 2;
			}
			break;
		case 'l':
			logfile = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!conf.secret || conf.secret_len == 0 || optind != argc) {
		usage();
		return 2;
	}
	if (logfile && !(logfp = fopen(logfile, "a"))) {
		fprintf(stderr, "fakeradius: %s: %s\n", logfile, strerror(errno));
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < 2; i++) {
		int fd = udp_bind(addr, (unsigned)port + (unsigned)i);

		if (fd < 0) {
			logx("error bind=%s:%lu reason=%s", addr, port + (unsigned)i,
			     strerror(-fd));
			return 1;
		}
		pfd[i] = (struct pollfd){.fd = fd, .events = POLLIN};
	}
	logx("listening auth=%s:%lu acct=%s:%lu users=%zu", addr, port, addr, port + 1,
	     conf.n_users);
	while (!stop) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			logx("error poll reason=%s", strerror(errno));
			return 1;
		}
		for (i = 0; i < 2; i++) {
			uint8_t in[FR_MAX_LEN + 1], out[FR_MAX_LEN];
			char line[256], from[INET_ADDRSTRLEN + 8];
			struct sockaddr_in peer;
			socklen_t plen = sizeof(peer);
			ssize_t n, rlen;

			if (!(pfd[i].revents & POLLIN))
				continue;
			n = recvfrom(pfd[i].fd, in, sizeof(in), 0, (struct sockaddr *)&peer, &plen);
			if (n < 0)
				continue;
			inet_ntop(AF_INET, &peer.sin_addr, from, INET_ADDRSTRLEN);
			snprintf(from + strlen(from), 8, ":%u", ntohs(peer.sin_port));
			rlen =
			    fr_handle(&conf, in, (size_t)n, out, sizeof(out), line, sizeof(line));
			if (rlen < 0) {
				logx("error from=%s reason=%s", from, strerror((int)-rlen));
				continue;
			}
			logx("%s from=%s port=%s", line, from, i ? "acct" : "auth");
			if (rlen > 0 && sendto(pfd[i].fd, out, (size_t)rlen, 0,
					       (struct sockaddr *)&peer, plen) < 0)
				logx("error sendto=%s reason=%s", from, strerror(errno));
		}
	}
	logx("exit signal");
	return 0;
}
#endif /* FAKERADIUS_NO_MAIN */
