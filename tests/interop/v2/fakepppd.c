/* SPDX-License-Identifier: MIT */
/*
 * fakepppd - a stand-in for /usr/sbin/pppd for the L2TPv2 interop tests
 * (tests/interop/v2), on kernels without PPP (no /dev/ppp).
 *
 * What it does:
 *  - Takes pppd's command line as xl2tpd builds it (passive nodetach
 *    LOCAL:REMOTE file FILE ipparam IP name NAME ... and the pty, either on
 *    stdin/stdout or as a /dev/... argument) and reads "file FILE" option
 *    files (words, '#' comments, double quotes).
 *  - Speaks PPP in async HDLC-like framing (RFC 1662 §4) on that tty with
 *    libl2tp's userspace PPP endpoint (l2tp/ppp.h, l2tp/ppp_hdlc.h): LCP with
 *    Echo keepalives, PAP or CHAP-MD5 as authenticator (require-pap,
 *    require-chap) or as peer (user/name + password, or a secrets file),
 *    IPCP, IPV6CP (unless noipv6).
 *  - Once IPCP is up, makes a TUN device (ppp%d, or "ifname NAME") with the
 *    negotiated local and peer addresses (set with ip(8)) and moves IPv4 and
 *    IPv6 packets between it and the PPP link, so pings cross the session.
 *  - Exits 0 when the peer terminates LCP, on SIGHUP/SIGTERM/SIGINT (after
 *    sending a Terminate-Request, at most 3 s) and on EOF/hangup of the tty;
 *    exits 1 when the link failed (authentication, timeouts) and 2 on a bad
 *    command line. Its TUN device goes with it.
 *  - Logs what it negotiated, one "fakepppd[pid]: key=value" line per
 *    event, to stderr or to "logfile FILE" (appended), e.g.
 *      lcp=up auth=pap role=authenticator peer=alice result=ok
 *      ipcp=up local=198.51.100.1 peer=198.51.100.2 ifname=ppp0
 *      exit why=peer msg=...
 *
 * Options understood: name, user, password, secrets FILE (pppd's
 * pap-secrets/chap-secrets format "client server secret [ip]"; a fakepppd
 * option, as real pppd reads fixed /etc/ppp paths), pap-secrets FILE and
 * chap-secrets FILE (same), require-pap, require-chap, refuse-pap,
 * refuse-chap (also refuse-mschap, refuse-mschap-v2, refuse-eap: those are
 * never done anyway), noauth, auth, LOCAL:REMOTE, ipparam, mru, mtu,
 * lcp-echo-interval, lcp-echo-failure, noipv6, +ipv6, ifname, logfile,
 * debug, nodetach, passive, file. Any other word is ignored with a note on
 * the log (an option that takes an argument then mis-parses: add it here).
 *
 * What it does not do: the kernel PPP unit and its ioctls, pppd plugins
 * (pppol2tp.so), ip-up/ip-down scripts, compression (CCP, VJ), MS-CHAP,
 * EAP, multilink, demand dialling, routes or DNS set-up, ACCM negotiation
 * (it always escapes every control character, which every peer accepts),
 * detaching (it always stays in the foreground, as "nodetach").
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <l2tp/ctx.h>
#include <l2tp/ppp.h>
#include <l2tp/ppp_hdlc.h>

#define MAX_ARGS 256
#define MAX_DEPTH 4
#define BUF 4096

static FILE *logfp;

static void logx(const char *fmt, ...)
{
	va_list ap;

	fprintf(logfp, "fakepppd[%d]: ", (int)getpid());
	va_start(ap, fmt);
	vfprintf(logfp, fmt, ap);
	va_end(ap);
	fputc('\n', logfp);
	fflush(logfp);
}

struct opts {
	char *name, *user, *password, *secrets, *ifname, *ipparam, *logfile;
	uint8_t require, refuse;
	uint8_t local[4], peer[4];
	unsigned mru, mtu, echo_interval, echo_failure;
	bool noipv6, debug;
	const char *tty;
	char *words[MAX_ARGS]; /* words read from option files (owned) */
	int nwords;
};

static struct opts o;
static struct l2tp_ppp *ppp;
static int tty_in = 0, tty_out = 1, tun = -1;
static char tun_name[IFNAMSIZ];
static int exit_code = -1; /* set when the program should end */

static l2tp_time_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (l2tp_time_t)ts.tv_sec * 1000000000u + (l2tp_time_t)ts.tv_nsec;
}

/* ---- options ------------------------------------------------------------------ */

static int read_file(const char *path, int depth);

/* The next argument of option |w|, or NULL (and a note) if there is none. */
static const char *arg(char **v, int n, int *i, const char *w)
{
	if (*i + 1 >= n) {
		logx("option %s needs an argument: ignored", w);
		return NULL;
	}
	return v[++*i];
}

static bool parse_ip(const char *s, size_t len, uint8_t out[4])
{
	char buf[64];

	if (len == 0 || len >= sizeof(buf))
		return len == 0;
	memcpy(buf, s, len);
	buf[len] = 0;
	return inet_pton(AF_INET, buf, out) == 1;
}

static int parse_words(char **v, int n, int depth)
{
	for (int i = 0; i < n; i++) {
		const char *w = v[i], *a, *colon;

		if (!strcmp(w, "name")) {
			if ((a = arg(v, n, &i, w)))
				o.name = (char *)a;
		} else if (!strcmp(w, "user")) {
			if ((a = arg(v, n, &i, w)))
				o.user = (char *)a;
		} else if (!strcmp(w, "password")) {
			if ((a = arg(v, n, &i, w)))
				o.password = (char *)a;
		} else if (!strcmp(w, "secrets") || !strcmp(w, "pap-secrets") ||
			   !strcmp(w, "chap-secrets")) {
			if ((a = arg(v, n, &i, w)))
				o.secrets = (char *)a;
		} else if (!strcmp(w, "ipparam")) {
			if ((a = arg(v, n, &i, w)))
				o.ipparam = (char *)a;
		} else if (!strcmp(w, "ifname")) {
			if ((a = arg(v, n, &i, w)))
				o.ifname = (char *)a;
		} else if (!strcmp(w, "logfile")) {
			if ((a = arg(v, n, &i, w)))
				o.logfile = (char *)a;
		} else if (!strcmp(w, "mru")) {
			if ((a = arg(v, n, &i, w)))
				o.mru = (unsigned)strtoul(a, NULL, 10);
		} else if (!strcmp(w, "mtu")) {
			if ((a = arg(v, n, &i, w)))
				o.mtu = (unsigned)strtoul(a, NULL, 10);
		} else if (!strcmp(w, "lcp-echo-interval")) {
			if ((a = arg(v, n, &i, w)))
				o.echo_interval = (unsigned)strtoul(a, NULL, 10);
		} else if (!strcmp(w, "lcp-echo-failure")) {
			if ((a = arg(v, n, &i, w)))
				o.echo_failure = (unsigned)strtoul(a, NULL, 10);
		} else if (!strcmp(w, "file")) {
			if ((a = arg(v, n, &i, w)) && read_file(a, depth + 1) < 0)
				return -1;
		} else if (!strcmp(w, "require-pap")) {
			o.require |= L2TP_PPP_AUTH_PAP;
		} else if (!strcmp(w, "require-chap")) {
			o.require |= L2TP_PPP_AUTH_CHAP;
		} else if (!strcmp(w, "refuse-pap")) {
			o.refuse |= L2TP_PPP_AUTH_PAP;
		} else if (!strcmp(w, "refuse-chap")) {
			o.refuse |= L2TP_PPP_AUTH_CHAP;
		} else if (!strcmp(w, "noipv6")) {
			o.noipv6 = true;
		} else if (!strcmp(w, "+ipv6")) {
			o.noipv6 = false;
		} else if (!strcmp(w, "debug")) {
			o.debug = true;
		} else if (!strcmp(w, "nodetach") || !strcmp(w, "passive") ||
			   !strcmp(w, "noauth") || !strcmp(w, "auth") ||
			   !strcmp(w, "refuse-mschap") || !strcmp(w, "refuse-mschap-v2") ||
			   !strcmp(w, "refuse-eap") || !strcmp(w, "nodefaultroute") ||
			   !strcmp(w, "noccp") || !strcmp(w, "novj") || !strcmp(w, "nobsdcomp") ||
			   !strcmp(w, "nodeflate") || !strcmp(w, "lock") || !strcmp(w, "local")) {
			/* nothing to do: the behaviour is fakepppd's anyway, or moot */
		} else if (!strncmp(w, "/dev/", 5)) {
			o.tty = w;
		} else if ((colon = strchr(w, ':')) && !strchr(colon + 1, ':')) {
			if (!parse_ip(w, (size_t)(colon - w), o.local) ||
			    !parse_ip(colon + 1, strlen(colon + 1), o.peer)) {
				logx("bad address pair %s", w);
				return -1;
			}
		} else {
			logx("option %s not understood: ignored", w);
		}
	}
	return 0;
}

/* Reads words from |path| as pppd does (whitespace, # comments, "quotes"). */
static int read_file(const char *path, int depth)
{
	char *words[MAX_ARGS], word[1024];
	int n = 0, c;
	size_t len = 0;
	bool inword = false, quoted = false, comment = false;
	FILE *f;

	if (depth > MAX_DEPTH) {
		logx("option files nested too deep at %s", path);
		return -1;
	}
	f = fopen(path, "r");
	if (!f) {
		logx("cannot open option file %s: %s", path, strerror(errno));
		return -1;
	}
	while ((c = fgetc(f)) != EOF) {
		if (comment) {
			comment = c != '\n';
			continue;
		}
		if (!quoted && !inword && c == '#') {
			comment = true;
			continue;
		}
		if (c == '"') {
			quoted = !quoted;
			inword = true;
			continue;
		}
		if (!quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
			if (inword && n < MAX_ARGS) {
				word[len] = 0;
				words[n++] = strdup(word);
			}
			inword = false;
			len = 0;
			continue;
		}
		inword = true;
		if (len + 1 < sizeof(word))
			word[len++] = (char)c;
	}
	if (inword && n < MAX_ARGS) {
		word[len] = 0;
		words[n++] = strdup(word);
	}
	fclose(f);
	for (int i = 0; i < n && o.nwords < MAX_ARGS; i++)
		o.words[o.nwords++] = words[i];
	return parse_words(words, n, depth);
}

/*
 * The secret for client |client| (and any server) in the secrets file:
 * lines "client server secret [ip...]", '#' comments, "*" matches anyone.
 */
static int lookup_secret(const char *client, size_t clen, uint8_t *out, size_t cap)
{
	char line[1024], c[256], s[256], sec[256];
	int found = -1;
	FILE *f;

	if (!o.secrets)
		return -1;
	f = fopen(o.secrets, "r");
	if (!f) {
		logx("cannot open secrets file %s: %s", o.secrets, strerror(errno));
		return -1;
	}
	while (found < 0 && fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');

		if (hash)
			*hash = 0;
		if (sscanf(line, " %255s %255s %255s", c, s, sec) != 3)
			continue;
		/* strip the quotes pppd's files often carry */
		for (char *p = c; p; p = NULL)
			if (*p == '"' && strlen(p) >= 2 && p[strlen(p) - 1] == '"') {
				memmove(p, p + 1, strlen(p));
				p[strlen(p) - 1] = 0;
			}
		for (char *p = sec; p; p = NULL)
			if (*p == '"' && strlen(p) >= 2 && p[strlen(p) - 1] == '"') {
				memmove(p, p + 1, strlen(p));
				p[strlen(p) - 1] = 0;
			}
		if ((strlen(c) == clen && !memcmp(c, client, clen)) || !strcmp(c, "*")) {
			size_t l = strlen(sec);

			if (l <= cap) {
				memcpy(out, sec, l);
				found = (int)l;
			}
		}
	}
	fclose(f);
	return found;
}

/* ---- TUN ------------------------------------------------------------------------- */

static int run_ip(char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		execvp("ip", argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int tun_up(const struct l2tp_ppp_ipcp *ip)
{
	struct ifreq ifr = { 0 };
	char la[INET_ADDRSTRLEN], pa[INET_ADDRSTRLEN + 3], mtu[16];

	tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (tun < 0) {
		logx("cannot open /dev/net/tun: %s", strerror(errno));
		return -1;
	}
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", o.ifname ? o.ifname : "ppp%d");
	if (ioctl(tun, TUNSETIFF, &ifr) < 0) {
		logx("TUNSETIFF %s: %s", ifr.ifr_name, strerror(errno));
		close(tun);
		tun = -1;
		return -1;
	}
	snprintf(tun_name, sizeof(tun_name), "%s", ifr.ifr_name);
	inet_ntop(AF_INET, ip->local, la, sizeof(la));
	inet_ntop(AF_INET, ip->peer, pa, sizeof(pa) - 3);
	strcat(pa, "/32");
	snprintf(mtu, sizeof(mtu), "%u",
		 o.mtu ? o.mtu : (l2tp_ppp_peer_mru(ppp) ? l2tp_ppp_peer_mru(ppp) : 1500));
	char *a1[] = { "ip", "addr", "add", la, "peer", pa, "dev", tun_name, NULL };
	char *a2[] = { "ip", "link", "set", tun_name, "mtu", mtu, "up", NULL };
	if (run_ip(a1) < 0 || run_ip(a2) < 0) {
		logx("ip could not configure %s", tun_name);
		return -1;
	}
	return 0;
}

/* ---- PPP callbacks ----------------------------------------------------------------- */

static int rnd(void *user, uint8_t *buf, size_t len)
{
	(void)user;
	return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -EIO;
}

static void cb_log(void *user, int level, const char *line)
{
	(void)user;
	if (o.debug || level <= L2TP_LOG_INFO)
		logx("ppp: %s", line);
}

static void cb_phase(void *user, struct l2tp_ppp *p, enum l2tp_ppp_phase ph)
{
	(void)user;
	(void)p;
	logx("phase=%s", l2tp_ppp_phase_name(ph));
	if (ph == L2TP_PPP_AUTHENTICATE || ph == L2TP_PPP_NETWORK)
		if (l2tp_ppp_state(p, L2TP_PPP_LCP) == L2TP_PPP_OPENED && ph == L2TP_PPP_AUTHENTICATE)
			logx("lcp=up");
}

static void cb_link_down(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_down *why)
{
	static const char *names[] = { "none",	  "admin",	   "peer",	   "lower",
				       "timeout", "echo",	   "auth-failed", "auth-refused",
				       "loopback", "no-ncp",	   "rejected" };
	(void)user;
	(void)p;
	logx("link=down why=%s msg=\"%s\"",
	     (unsigned)why->why < sizeof(names) / sizeof(names[0]) ? names[why->why] : "?",
	     why->msg ? why->msg : "");
	switch (why->why) {
	case L2TP_PPP_DOWN_ADMIN:
	case L2TP_PPP_DOWN_PEER:
	case L2TP_PPP_DOWN_LOWER:
		exit_code = 0;
		break;
	default:
		exit_code = 1;
	}
}

static int cb_get_secret(void *user, struct l2tp_ppp *p, uint16_t proto, const uint8_t *name,
			 size_t name_len, uint8_t *secret, size_t cap)
{
	(void)user;
	(void)p;
	(void)proto;
	return lookup_secret((const char *)name, name_len, secret, cap);
}

static void cb_auth(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_auth_result *r)
{
	(void)user;
	(void)p;
	logx("auth=%s role=%s name=%.*s result=%s msg=\"%s\"",
	     r->proto == L2TP_PPP_PAP ? "pap" : "chap", r->authenticator ? "authenticator" : "peer",
	     (int)r->name_len, r->name ? (const char *)r->name : "", r->ok ? "ok" : "fail",
	     r->msg ? r->msg : "");
}

static void cb_ipcp_up(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_ipcp *ip)
{
	char la[INET_ADDRSTRLEN], pa[INET_ADDRSTRLEN];

	(void)user;
	(void)p;
	inet_ntop(AF_INET, ip->local, la, sizeof(la));
	inet_ntop(AF_INET, ip->peer, pa, sizeof(pa));
	if (tun < 0 && tun_up(ip) < 0) {
		logx("ipcp=up local=%s peer=%s ifname=none (TUN failed)", la, pa);
		return;
	}
	logx("ipcp=up local=%s peer=%s ifname=%s mru=%u ipparam=%s peername=%s", la, pa,
	     tun_name, l2tp_ppp_peer_mru(p), o.ipparam ? o.ipparam : "",
	     l2tp_ppp_peer_name(p));
}

static void cb_ipcp_down(void *user, struct l2tp_ppp *p)
{
	(void)user;
	(void)p;
	logx("ipcp=down");
}

static void cb_ipv6cp_up(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_ipv6cp *ip6)
{
	(void)user;
	(void)p;
	logx("ipv6cp=up local=%02x%02x:%02x%02x:%02x%02x:%02x%02x", ip6->local[0], ip6->local[1],
	     ip6->local[2], ip6->local[3], ip6->local[4], ip6->local[5], ip6->local[6],
	     ip6->local[7]);
}

static void cb_ipv6cp_down(void *user, struct l2tp_ppp *p)
{
	(void)user;
	(void)p;
	logx("ipv6cp=down");
}

static void cb_recv_ip(void *user, struct l2tp_ppp *p, uint16_t proto, const uint8_t *pkt,
		       size_t len)
{
	(void)user;
	(void)p;
	(void)proto;
	if (tun >= 0 && write(tun, pkt, len) < 0 && o.debug)
		logx("write to %s: %s", tun_name, strerror(errno));
}

/* ---- I/O --------------------------------------------------------------------------- */

static int write_all(int fd, const uint8_t *b, size_t n)
{
	int tries = 0;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && (errno == EINTR || errno == EAGAIN) && tries++ < 1000) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };

			poll(&pf, 1, 10);
			continue;
		}
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static void flush_frames(void)
{
	uint8_t frame[BUF], enc[2 * BUF + 8];
	ssize_t n, e;

	while ((n = l2tp_ppp_write_frame(ppp, frame, sizeof(frame), now_ns())) > 0) {
		e = l2tp_hdlc_encode(frame, (size_t)n, L2TP_HDLC_ACCM_DEFAULT, enc, sizeof(enc));
		if (e > 0 && write_all(tty_out, enc, (size_t)e) < 0) {
			logx("tty write failed: %s", strerror(errno));
			exit_code = 0;
			return;
		}
	}
}

static void set_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
}

int main(int argc, char **argv)
{
	static const struct l2tp_ppp_callbacks cb = {
		.rand = rnd,
		.log = cb_log,
		.phase = cb_phase,
		.link_down = cb_link_down,
		.get_secret = cb_get_secret,
		.auth_result = cb_auth,
		.ipcp_up = cb_ipcp_up,
		.ipcp_down = cb_ipcp_down,
		.ipv6cp_up = cb_ipv6cp_up,
		.ipv6cp_down = cb_ipv6cp_down,
		.recv_ip = cb_recv_ip,
	};
	struct l2tp_ppp_cfg cfg = { 0 };
	uint8_t secret[256], rxbuf[BUF], decbuf[BUF + 8], pkt[BUF];
	struct l2tp_hdlc_dec dec;
	l2tp_time_t closing_since = 0;
	sigset_t sigs;
	int sfd, rc;

	logfp = stderr;
	/* the log file option must be known before anything is logged to it */
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "logfile"))
			o.logfile = argv[i + 1];
	if (parse_words(argv + 1, argc - 1, 0) < 0)
		return 2;
	if (o.logfile) {
		FILE *f = fopen(o.logfile, "a");

		if (f)
			logfp = f;
	}
	{
		char line[2048] = "";
		size_t off = 0;

		for (int i = 0; i < argc && off < sizeof(line) - 2; i++)
			off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s", i ? " " : "",
						 argv[i]);
		logx("start argv=\"%s\" stdin-tty=%d", line, isatty(0));
	}
	if (o.tty) {
		tty_in = tty_out = open(o.tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (tty_in < 0) {
			logx("cannot open %s: %s", o.tty, strerror(errno));
			return 1;
		}
	}
	set_raw(tty_in);
	fcntl(tty_in, F_SETFL, fcntl(tty_in, F_GETFL) | O_NONBLOCK);

	cfg.name = o.user ? o.user : o.name;
	if (o.password) {
		cfg.secret = (const uint8_t *)o.password;
		cfg.secret_len = strlen(o.password);
	} else if (cfg.name) {
		rc = lookup_secret(cfg.name, strlen(cfg.name), secret, sizeof(secret));
		if (rc >= 0) {
			cfg.secret = secret;
			cfg.secret_len = (size_t)rc;
		}
	}
	cfg.require_auth = o.require;
	cfg.refuse_auth = o.refuse;
	cfg.mru = (uint16_t)o.mru;
	memcpy(cfg.local_ip, o.local, 4);
	memcpy(cfg.peer_ip, o.peer, 4);
	cfg.echo_interval = (l2tp_time_t)o.echo_interval * 1000000000u;
	cfg.echo_failures = (uint8_t)o.echo_failure;
	cfg.no_ipv6cp = o.noipv6;
	rc = l2tp_ppp_new(&ppp, &cb, &cfg, NULL, NULL);
	if (rc < 0) {
		logx("cannot make the PPP endpoint: %s", strerror(-rc));
		return 2;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);

	l2tp_hdlc_dec_init(&dec, decbuf, sizeof(decbuf), 0);
	l2tp_ppp_open(ppp, now_ns());
	l2tp_ppp_lower_up(ppp, now_ns());
	flush_frames();

	while (exit_code < 0) {
		struct pollfd pf[3] = {
			{ .fd = tty_in, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = tun, .events = POLLIN },
		};
		l2tp_time_t dl = l2tp_ppp_next_deadline(ppp), t = now_ns();
		int timeout = 1000;

		if (dl != L2TP_TIME_NEVER)
			timeout = dl <= t ? 0 : (int)((dl - t) / 1000000u) + 1;
		if (timeout > 1000)
			timeout = 1000;
		if (closing_since && t - closing_since > 3000000000u) {
			logx("exit why=terminate-timeout");
			exit_code = 0;
			break;
		}
		if (poll(pf, tun >= 0 ? 3 : 2, timeout) < 0 && errno != EINTR)
			break;
		t = now_ns();
		if (pf[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				logx("signal=%s: terminating", strsignal((int)si.ssi_signo));
				if (!closing_since) {
					closing_since = t ? t : 1;
					l2tp_ppp_close(ppp, t);
				}
			}
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(tty_in, rxbuf, sizeof(rxbuf));

			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				logx("tty=hangup");
				l2tp_ppp_lower_down(ppp, t);
				if (exit_code < 0)
					exit_code = 0;
			}
			for (size_t off = 0; n > 0 && off < (size_t)n;) {
				const uint8_t *fr;
				size_t used, flen;

				if (l2tp_hdlc_decode(&dec, rxbuf + off, (size_t)n - off, &used, &fr,
						     &flen) == 1) {
					l2tp_ppp_handle_frame(ppp, fr, flen, t);
					off += used;
				} else {
					break;
				}
			}
		}
		if (tun >= 0 && (pf[2].revents & POLLIN)) {
			for (int k = 0; k < 64; k++) {
				ssize_t n = read(tun, pkt, sizeof(pkt));

				if (n <= 0)
					break;
				l2tp_ppp_send_ip(ppp, pkt, (size_t)n);
			}
		}
		if (l2tp_ppp_next_deadline(ppp) <= now_ns())
			l2tp_ppp_on_timeout(ppp, now_ns());
		flush_frames();
	}
	flush_frames();
	{
		const struct l2tp_ppp_stats *st = l2tp_ppp_stats(ppp);

		logx("exit code=%d rx_frames=%llu tx_frames=%llu rx_ip=%llu tx_ip=%llu "
		     "fcs_errors=%llu malformed=%llu",
		     exit_code < 0 ? 1 : exit_code, (unsigned long long)st->rx_frames,
		     (unsigned long long)st->tx_frames, (unsigned long long)st->rx_ip,
		     (unsigned long long)st->tx_ip, (unsigned long long)dec.fcs_errors,
		     (unsigned long long)st->rx_malformed);
	}
	if (tun >= 0)
		close(tun); /* a non-persistent TUN disappears with its last fd */
	l2tp_ppp_free(ppp);
	for (int i = 0; i < o.nwords; i++)
		free(o.words[i]);
	return exit_code < 0 ? 1 : exit_code;
}
