// SPDX-License-Identifier: MIT
/*
 * grammar.c - the ip-l2tp(8) grammar: "add|del|show tunnel|session" with
 * iproute2's keywords, aliases (tid, ptid, sid, psid), prefix matching of
 * the verb and of "help", defaults (encap udp, l2spec_type default) and its
 * error wording ("argument "tunnel_id" is required"). Unlike iproute2 it
 * never exits: errors come back as -EINVAL and one line of text.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp/ppp.h"

#include "cli.h"

bool cli_matches(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n > 0 && n <= strlen(word) && strncmp(arg, word, n) == 0;
}

void cli_usage(FILE *f)
{
	fputs("Usage: l2tp add tunnel\n"
	      "          remote ADDR local ADDR\n"
	      "          tunnel_id ID peer_tunnel_id ID\n"
	      "          [ encap { ip | udp } ]\n"
	      "          [ udp_sport PORT ] [ udp_dport PORT ]\n"
	      "          [ udp_csum { on | off } ]\n"
	      "          [ udp6_csum_tx { on | off } ]\n"
	      "          [ udp6_csum_rx { on | off } ]\n"
	      "       l2tp add tunnel tunnel_id ID remote ADDR local ADDR\n"
	      "          [ encap { ip | udp } ] [ udp_sport PORT ] [ udp_dport PORT ]\n"
	      "          control on [ role { initiate | accept } ]\n"
	      "          [ secret SECRET [ digest { md5 | sha1 } ] ]\n"
	      "          [ hostname NAME ] [ peer_hostname NAME ]\n"
	      "          [ hello SECONDS ] [ retries N ] [ window N ]\n"
	      "          [ version { 3 | 2 } ] [ fallback { on | off } [ fallback_timeout SECONDS ] ]\n"
	      "Usage: l2tp add session [ name NAME ]\n"
	      "          tunnel_id ID\n"
	      "          session_id ID peer_session_id ID\n"
	      "          [ cookie HEXSTR ] [ peer_cookie HEXSTR ]\n"
	      "          [ seq { none | send | recv | both } ]\n"
	      "          [ l2spec_type L2SPEC ]\n"
	      "       l2tp add session tunnel_id ID [ session_id ID ]\n"
	      "          [ pw_type { eth | eth_vlan } ] remote_end_id STRING\n"
	      "          [ name NAME ] [ cookie { auto | none } ]\n"
	      "          [ l2spec_type L2SPEC ] [ seq { none | send | recv | both } ]\n"
	      "       l2tp add session tunnel_id ID pw_type ppp [ session_id ID ]\n"
	      "          [ remote_end_id STRING ] [ name NAME ] [ seq { none | recv } ]\n"
	      "          [ auth { none | pap | chap | any } ] [ secrets FILE ]\n"
	      "          [ user NAME [ password SECRET ] ] [ ppp_local IPV4 ] [ ppp_remote IPV4 ]\n"
	      "          [ lcp_echo SECONDS ] [ mru N ]\n"
	      "       l2tp del tunnel tunnel_id ID\n"
	      "       l2tp del session tunnel_id ID { session_id ID | remote_end_id STRING }\n"
	      "       l2tp show tunnel [ tunnel_id ID ]\n"
	      "       l2tp show session [ tunnel_id ID ] [ session_id ID ]\n"
	      "       l2tp show config\n"
	      "       l2tp monitor\n"
	      "       l2tp [ OPTIONS ] help\n"
	      "\n"
	      "Where: NAME   := STRING\n"
	      "       ADDR   := { IP_ADDRESS | any }\n"
	      "       PORT   := { 0..65535 }\n"
	      "       ID     := { 1..4294967295 }\n"
	      "       HEXSTR := { 8 or 16 hex digits (4 / 8 bytes) }\n"
	      "       L2SPEC := { none | default }\n"
	      "       SECONDS := { 0..3600 } (hello 0: no keepalives)\n"
	      "       OPTIONS := { -j[son] | -p[retty] | -s[tatistics] | -S[ocket] PATH |\n"
	      "                    -n[etns] NAME | -b[atch] FILE | -force | -V[ersion] |\n"
	      "                    -h[elp] }\n"
	      "       -n NAME: in network namespace NAME (/run/netns/NAME), talk to its\n"
	      "                l2tpd at /run/l2tpd/NAME.sock (or its kernel)\n",
	      f);
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...);

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int cli_split_line(char *line, char **words, int max, char *err, size_t errlen)
{
	char *r = line;
	int n = 0;

	for (;;) {
		char *o;

		while (blank(*r))
			r++;
		if (!*r || *r == '#')
			return n;
		if (n == max) {
			fail(err, errlen, "too many words (at most %d)", max);
			return -E2BIG;
		}
		/* Unquoting only ever shortens a word: rewrite it in place. */
		o = words[n++] = r;
		while (*r && !blank(*r)) {
			if (*r != '"') {
				*o++ = *r++;
				continue;
			}
			for (r++; *r != '"'; r++) {
				if (!*r)
					return fail(err, errlen, "unterminated quote");
				if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
					r++;
				*o++ = *r;
			}
			r++;
		}
		if (*r)
			r++;
		*o = '\0';
	}
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

#define INVARG(msg, arg) fail(err, errlen, "Error: argument \"%s\" is wrong: %s", (arg), (msg))
#define MISSARG(what) fail(err, errlen, "Error: argument \"%s\" is required", (what))
#define INCOMPLETE() fail(err, errlen, "Command line is not complete. Try option \"help\"")

/* iproute2's get_u32(…, 0): decimal, 0x hex or 0 octal, whole string. */
static int get_uint(unsigned long *out, const char *arg, unsigned long max)
{
	char *end;
	unsigned long v;

	if (!*arg || *arg == '-' || *arg == '+' || isspace((unsigned char)*arg))
		return -1;
	errno = 0;
	v = strtoul(arg, &end, 0);
	if (end == arg || *end || errno == ERANGE || v > max)
		return -1;
	*out = v;
	return 0;
}

static int get_id(uint32_t *id, const char *arg)
{
	unsigned long v;

	/* ID := 1..4294967295; iproute2 reads 0 as "not given" */
	if (get_uint(&v, arg, 0xffffffffUL) < 0 || v == 0)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* HEXSTR := 8 or 16 hex digits. Returns the byte count or a message. */
static int get_cookie(uint8_t *mem, const char *arg, const char **why)
{
	size_t n = strlen(arg);

	if (n != 8 && n != 16) {
		*why = "cookie must be either 8 or 16 hex digits";
		return -1;
	}
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(arg[2 * i]), lo = hexval(arg[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			*why = "cookie must be a hex string";
			return -1;
		}
		mem[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

/* The kernel's dev_valid_name(): 1..15 chars, no '/', ':' or space. */
static bool valid_ifname(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (; *name; name++)
		if (*name == '/' || *name == ':' || isspace((unsigned char)*name))
			return false;
	return true;
}

struct addr {
	int family; /* AF_INET, AF_INET6, or AF_UNSPEC for "any" */
	bool set;
	uint8_t bytes[16];
};

static int get_addr(struct addr *a, const char *arg)
{
	memset(a, 0, sizeof(*a));
	a->set = true;
	if (!strcmp(arg, "any")) {
		a->family = AF_UNSPEC;
		return 0;
	}
	if (inet_pton(AF_INET, arg, a->bytes) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, arg, a->bytes) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -1;
}

static int on_off(bool *v, const char *arg)
{
	if (!strcmp(arg, "on"))
		*v = true;
	else if (!strcmp(arg, "off"))
		*v = false;
	else
		return -1;
	return 0;
}

/* Everything the keyword loop collects, before the requests are built. */
struct parm {
	uint32_t tunnel_id, peer_tunnel_id, session_id, peer_session_id;
	uint16_t encap;
	uint16_t sport, dport;
	struct addr local, peer;
	bool udp_csum, udp6_csum_tx, udp6_csum_rx;
	bool recv_seq, send_seq;
	uint8_t l2spec_type, l2spec_len;
	int cookie_len, peer_cookie_len;
	uint8_t cookie[8], peer_cookie[8];
	const char *ifname;
	bool tunnel, session;
	/* the managed grammar */
	int control; /* -1 not given, 0 off, 1 on */
	bool seq_set, cookie_mode, l2spec_set, pw_set, digest_set;
	const char *managed_only; /* first keyword seen that needs control/remote_end_id */
	const char *ppp_only; /* first keyword seen that only a PPP session takes */
	struct cli_managed m;
};

#define BIT L2TP_API_BIT
/* Remember the first keyword that only a managed tunnel takes. */
#define MANAGED_ONLY(k)                                                                            \
	do {                                                                                       \
		if (!p->managed_only)                                                              \
			p->managed_only = (k);                                                     \
	} while (0)
#define PPP_ONLY(k)                                                                                \
	do {                                                                                       \
		if (!p->ppp_only)                                                                  \
			p->ppp_only = (k);                                                         \
	} while (0)
#define NEXT_ARG()                                                                                 \
	do {                                                                                       \
		if (--argc <= 0)                                                                   \
			return INCOMPLETE();                                                       \
		argv++;                                                                            \
	} while (0)

static int parse_args(int argc, char *const *argv, struct parm *p, struct cli_cmd *cmd, char *err,
		      size_t errlen)
{
	const char *why;
	int n;

	memset(p, 0, sizeof(*p));
	/* iproute2's defaults */
	p->encap = L2TP_ENCAPTYPE_UDP;
	p->l2spec_type = L2TP_L2SPECTYPE_DEFAULT;
	p->l2spec_len = 4;
	p->udp6_csum_tx = true;
	p->udp6_csum_rx = true;
	p->control = -1;
	p->m.hello = CLI_HELLO_DEFAULT;
	p->m.pw_type = L2TP_PWTYPE_ETH;
	p->m.version = 3;

	if (argc <= 0)
		return MISSARG("tunnel or session");

	for (; argc > 0; argc--, argv++) {
		const char *k = *argv;

		if (!strcmp(k, "encap")) {
			NEXT_ARG();
			if (!strcmp(*argv, "ip"))
				p->encap = L2TP_ENCAPTYPE_IP;
			else if (!strcmp(*argv, "udp"))
				p->encap = L2TP_ENCAPTYPE_UDP;
			else
				return fail(err, errlen, "Unknown tunnel encapsulation \"%s\"",
					    *argv);
		} else if (!strcmp(k, "name")) {
			NEXT_ARG();
			if (!valid_ifname(*argv))
				return INVARG("\"name\" not a valid ifname", *argv);
			p->ifname = *argv;
		} else if (!strcmp(k, "remote")) {
			NEXT_ARG();
			if (get_addr(&p->peer, *argv) < 0)
				return INVARG("invalid remote address", *argv);
		} else if (!strcmp(k, "local")) {
			NEXT_ARG();
			if (get_addr(&p->local, *argv) < 0)
				return INVARG("invalid local address", *argv);
		} else if (!strcmp(k, "tunnel_id") || !strcmp(k, "tid")) {
			NEXT_ARG();
			if (get_id(&p->tunnel_id, *argv) < 0)
				return INVARG("invalid ID", *argv);
		} else if (!strcmp(k, "peer_tunnel_id") || !strcmp(k, "ptid")) {
			NEXT_ARG();
			if (get_id(&p->peer_tunnel_id, *argv) < 0)
				return INVARG("invalid ID", *argv);
		} else if (!strcmp(k, "session_id") || !strcmp(k, "sid")) {
			NEXT_ARG();
			if (get_id(&p->session_id, *argv) < 0)
				return INVARG("invalid ID", *argv);
		} else if (!strcmp(k, "peer_session_id") || !strcmp(k, "psid")) {
			NEXT_ARG();
			if (get_id(&p->peer_session_id, *argv) < 0)
				return INVARG("invalid ID", *argv);
		} else if (!strcmp(k, "udp_sport") || !strcmp(k, "udp_dport")) {
			unsigned long v;

			NEXT_ARG();
			if (get_uint(&v, *argv, 0xffff) < 0)
				return INVARG("invalid port", *argv);
			if (k[4] == 's')
				p->sport = (uint16_t)v;
			else
				p->dport = (uint16_t)v;
		} else if (!strcmp(k, "udp_csum")) {
			NEXT_ARG();
			if (on_off(&p->udp_csum, *argv) < 0)
				return INVARG("invalid option for udp_csum", *argv);
		} else if (!strcmp(k, "udp6_csum_rx")) {
			NEXT_ARG();
			if (on_off(&p->udp6_csum_rx, *argv) < 0)
				return INVARG("invalid option for udp6_csum_rx", *argv);
		} else if (!strcmp(k, "udp6_csum_tx")) {
			NEXT_ARG();
			if (on_off(&p->udp6_csum_tx, *argv) < 0)
				return INVARG("invalid option for udp6_csum_tx", *argv);
		} else if (!strcmp(k, "offset")) {
			/* not used by the kernel; iproute2 ignores it too */
			cmd->warnings |= CLI_WARN_OFFSET;
			NEXT_ARG();
		} else if (!strcmp(k, "peer_offset")) {
			cmd->warnings |= CLI_WARN_PEER_OFFSET;
			NEXT_ARG();
		} else if (!strcmp(k, "cookie") && argc > 1 &&
			   (!strcmp(argv[1], "auto") || !strcmp(argv[1], "none"))) {
			NEXT_ARG();
			p->cookie_mode = true;
			p->m.cookie_none = !strcmp(*argv, "none");
		} else if (!strcmp(k, "cookie")) {
			NEXT_ARG();
			n = get_cookie(p->cookie, *argv, &why);
			if (n < 0)
				return INVARG(why, *argv);
			p->cookie_len = n;
		} else if (!strcmp(k, "peer_cookie")) {
			NEXT_ARG();
			n = get_cookie(p->peer_cookie, *argv, &why);
			if (n < 0)
				return INVARG(why, *argv);
			p->peer_cookie_len = n;
		} else if (!strcmp(k, "l2spec_type")) {
			NEXT_ARG();
			p->l2spec_set = true;
			if (!strcasecmp(*argv, "default")) {
				p->l2spec_type = L2TP_L2SPECTYPE_DEFAULT;
				p->l2spec_len = 4;
			} else if (!strcasecmp(*argv, "none")) {
				p->l2spec_type = L2TP_L2SPECTYPE_NONE;
				p->l2spec_len = 0;
			} else {
				return fail(err, errlen,
					    "Unknown layer2specific header type \"%s\"", *argv);
			}
		} else if (!strcmp(k, "seq")) {
			NEXT_ARG();
			p->seq_set = true;
			if (!strcasecmp(*argv, "both")) {
				p->recv_seq = p->send_seq = true;
			} else if (!strcasecmp(*argv, "recv")) {
				p->recv_seq = true;
			} else if (!strcasecmp(*argv, "send")) {
				p->send_seq = true;
			} else if (!strcasecmp(*argv, "none")) {
				p->recv_seq = p->send_seq = false;
			} else {
				return fail(err, errlen, "Unknown seq value \"%s\"", *argv);
			}
		} else if (!strcmp(k, "control")) {
			bool on;

			NEXT_ARG();
			if (on_off(&on, *argv) < 0)
				return INVARG("control is on or off", *argv);
			p->control = on;
		} else if (!strcmp(k, "role")) {
			NEXT_ARG();
			if (!strcmp(*argv, "initiate") || !strcmp(*argv, "accept"))
				p->m.accept = (*argv)[0] == 'a';
			else
				return INVARG("role is initiate or accept", *argv);
			MANAGED_ONLY(k);
		} else if (!strcmp(k, "secret")) {
			NEXT_ARG();
			if (!**argv || strlen(*argv) > CLI_SECRET_MAX)
				return INVARG("a secret is 1 to 128 characters", "secret");
			if (strspn(*argv, "*") == strlen(*argv))
				return INVARG("hidden by \"show config\": give the secret itself",
					      "secret");
			strcpy(p->m.secret, *argv);
			MANAGED_ONLY(k);
		} else if (!strcmp(k, "digest")) {
			NEXT_ARG();
			if (!strcmp(*argv, "md5"))
				p->m.digest = 0;
			else if (!strcmp(*argv, "sha1"))
				p->m.digest = 1;
			else
				return INVARG("digest is md5 or sha1", *argv);
			p->digest_set = true;
			MANAGED_ONLY(k);
		} else if (!strcmp(k, "hostname") || !strcmp(k, "peer_hostname")) {
			NEXT_ARG();
			if (!**argv || strlen(*argv) > CLI_NAME_MAX)
				return INVARG("a host name is 1 to 64 characters", k);
			strcpy(k[0] == 'h' ? p->m.hostname : p->m.peer_hostname, *argv);
			MANAGED_ONLY(k);
		} else if (!strcmp(k, "hello")) {
			unsigned long v;

			NEXT_ARG();
			if (get_uint(&v, *argv, 3600) < 0)
				return INVARG("hello is 0 (off) to 3600 seconds", *argv);
			p->m.hello = (uint32_t)v;
			MANAGED_ONLY(k);
		} else if (!strcmp(k, "retries") || !strcmp(k, "window")) {
			unsigned long v;

			NEXT_ARG();
			/* L2TP_XPORT_RWND_MAX: the most messages the channel holds */
			if (get_uint(&v, *argv, k[0] == 'r' ? 100 : 256) < 0 || v == 0)
				return INVARG(k[0] == 'r' ? "retries is 1 to 100"
							  : "window is 1 to 256",
					      *argv);
			if (k[0] == 'r')
				p->m.retries = (uint16_t)v;
			else
				p->m.window = (uint16_t)v;
			MANAGED_ONLY(k);
		} else if (!strcmp(k, "pw_type")) {
			NEXT_ARG();
			if (!strcmp(*argv, "eth"))
				p->m.pw_type = L2TP_PWTYPE_ETH;
			else if (!strcmp(*argv, "eth_vlan"))
				p->m.pw_type = L2TP_PWTYPE_ETH_VLAN;
			else if (!strcmp(*argv, "ppp"))
				p->m.pw_type = L2TP_PWTYPE_PPP;
			else
				return INVARG("pw_type is eth, eth_vlan or ppp", *argv);
			p->pw_set = true;
			/* a PPP session is always managed (l2tpd runs its PPP link) */
			if (p->m.pw_type == L2TP_PWTYPE_PPP)
				p->m.session = true;
		} else if (!strcmp(k, "version")) {
			NEXT_ARG();
			if (strcmp(*argv, "2") && strcmp(*argv, "3"))
				return INVARG("version is 2 (RFC 2661) or 3 (RFC 3931)", *argv);
			p->m.version = (uint8_t)(**argv - '0');
			MANAGED_ONLY(k);
		} else if (!strcmp(k, "fallback")) {
			NEXT_ARG();
			if (on_off(&p->m.fallback, *argv) < 0)
				return INVARG("fallback is on or off", *argv);
			MANAGED_ONLY(k);
		} else if (!strcmp(k, "fallback_timeout")) {
			unsigned long v;

			NEXT_ARG();
			if (get_uint(&v, *argv, 600) < 0 || v == 0)
				return INVARG("fallback_timeout is 1 to 600 seconds", *argv);
			p->m.fallback_timeout = (uint16_t)v;
			MANAGED_ONLY(k);
		} else if (!strcmp(k, "auth")) {
			NEXT_ARG();
			if (!strcmp(*argv, "none"))
				p->m.ppp.require_auth = 0;
			else if (!strcmp(*argv, "pap"))
				p->m.ppp.require_auth = L2TP_PPP_AUTH_PAP;
			else if (!strcmp(*argv, "chap"))
				p->m.ppp.require_auth = L2TP_PPP_AUTH_CHAP;
			else if (!strcmp(*argv, "any"))
				p->m.ppp.require_auth = L2TP_PPP_AUTH_PAP | L2TP_PPP_AUTH_CHAP;
			else
				return INVARG("auth is none, pap, chap or any", *argv);
			PPP_ONLY(k);
		} else if (!strcmp(k, "user")) {
			NEXT_ARG();
			if (!**argv || strlen(*argv) > CLI_NAME_MAX)
				return INVARG("a user name is 1 to 64 characters", k);
			strcpy(p->m.ppp.user, *argv);
			PPP_ONLY(k);
		} else if (!strcmp(k, "password")) {
			NEXT_ARG();
			if (!**argv || strlen(*argv) > CLI_SECRET_MAX)
				return INVARG("a password is 1 to 128 characters", k);
			if (strspn(*argv, "*") == strlen(*argv))
				return INVARG("hidden by \"show config\": give the password itself",
					      k);
			strcpy(p->m.ppp.password, *argv);
			PPP_ONLY(k);
		} else if (!strcmp(k, "secrets")) {
			NEXT_ARG();
			if (**argv != '/' || strlen(*argv) >= CLI_PATH_MAX)
				return INVARG("secrets is an absolute path of a file", *argv);
			strcpy(p->m.ppp.secrets, *argv);
			PPP_ONLY(k);
		} else if (!strcmp(k, "ppp_local") || !strcmp(k, "ppp_remote")) {
			struct in_addr a;

			NEXT_ARG();
			if (inet_pton(AF_INET, *argv, &a) != 1)
				return INVARG("an IPv4 address", *argv);
			memcpy(k[4] == 'l' ? p->m.ppp.local_ip : p->m.ppp.peer_ip, &a, 4);
			PPP_ONLY(k);
		} else if (!strcmp(k, "lcp_echo")) {
			unsigned long v;

			NEXT_ARG();
			if (get_uint(&v, *argv, 3600) < 0)
				return INVARG("lcp_echo is 0 (off) to 3600 seconds", *argv);
			p->m.ppp.lcp_echo = (uint16_t)v;
			PPP_ONLY(k);
		} else if (!strcmp(k, "mru")) {
			unsigned long v;

			NEXT_ARG();
			if (get_uint(&v, *argv, 16384) < 0 || v < 128)
				return INVARG("mru is 128 to 16384", *argv);
			p->m.ppp.mru = (uint16_t)v;
			PPP_ONLY(k);
		} else if (!strcmp(k, "remote_end_id")) {
			NEXT_ARG();
			if (!**argv || strlen(*argv) > CLI_NAME_MAX)
				return INVARG("a remote end id is 1 to 64 characters", k);
			strcpy(p->m.remote_end_id, *argv);
			p->m.session = true;
		} else if (!strcmp(k, "tunnel")) {
			p->tunnel = true;
		} else if (!strcmp(k, "session")) {
			p->session = true;
		} else if (cli_matches(k, "help")) {
			return 1;
		} else {
			return fail(err, errlen, "Unknown keyword \"%s\", try \"l2tp help\"", k);
		}
	}
	return 0;
}

static void put_addr(struct l2tp_api_tunnel *t, const struct addr *a, int family, bool local)
{
	if (family == AF_INET6) {
		t->present |= BIT(local ? L2TP_ATTR_IP6_SADDR : L2TP_ATTR_IP6_DADDR);
		memcpy(local ? t->local_ip6.s6_addr : t->peer_ip6.s6_addr, a->bytes, 16);
	} else {
		t->present |= BIT(local ? L2TP_ATTR_IP_SADDR : L2TP_ATTR_IP_DADDR);
		memcpy(local ? &t->local_ip : &t->peer_ip, a->bytes, 4);
	}
}

static int build_tunnel_create(const struct parm *p, struct cli_cmd *cmd, char *err, size_t errlen)
{
	struct l2tp_api_tunnel *t = &cmd->tunnel;
	int family;

	if (!p->local.set)
		return MISSARG("local");
	if (!p->peer.set)
		return MISSARG("remote");
	if (p->local.family != AF_UNSPEC && p->peer.family != AF_UNSPEC &&
	    p->local.family != p->peer.family)
		return fail(err, errlen,
			    "Error: local and remote addresses must be of the same family");
	/* "any" takes the family of the other end; both "any" is IPv4 */
	family = p->local.family != AF_UNSPEC ? p->local.family : p->peer.family;
	if (family == AF_UNSPEC)
		family = AF_INET;
	if (p->encap == L2TP_ENCAPTYPE_UDP) {
		if (p->sport == 0)
			return MISSARG("udp_sport");
		if (p->dport == 0)
			return MISSARG("udp_dport");
	}

	t->present = BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_PEER_CONN_ID) |
		     BIT(L2TP_ATTR_PROTO_VERSION) | BIT(L2TP_ATTR_ENCAP_TYPE);
	t->conn_id = p->tunnel_id;
	t->peer_conn_id = p->peer_tunnel_id;
	t->proto_version = 3;
	t->encap_type = p->encap;
	put_addr(t, &p->local, family, true);
	put_addr(t, &p->peer, family, false);
	if (p->encap == L2TP_ENCAPTYPE_UDP) {
		t->present |= BIT(L2TP_ATTR_UDP_SPORT) | BIT(L2TP_ATTR_UDP_DPORT);
		t->udp_sport = p->sport;
		t->udp_dport = p->dport;
		/* the kernel enables checksums when UDP_CSUM is present at all */
		if (p->udp_csum) {
			t->present |= BIT(L2TP_ATTR_UDP_CSUM);
			t->udp_csum = 1;
		}
		if (!p->udp6_csum_tx) {
			t->present |= BIT(L2TP_ATTR_UDP_ZERO_CSUM6_TX);
			t->udp_zero_csum6_tx = true;
		}
		if (!p->udp6_csum_rx) {
			t->present |= BIT(L2TP_ATTR_UDP_ZERO_CSUM6_RX);
			t->udp_zero_csum6_rx = true;
		}
	}
	return 0;
}

static void build_session_create(const struct parm *p, struct cli_cmd *cmd)
{
	struct l2tp_api_session *s = &cmd->session;

	s->present = BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_PEER_CONN_ID) |
		     BIT(L2TP_ATTR_SESSION_ID) | BIT(L2TP_ATTR_PEER_SESSION_ID) |
		     BIT(L2TP_ATTR_PW_TYPE) | BIT(L2TP_ATTR_L2SPEC_TYPE) |
		     BIT(L2TP_ATTR_L2SPEC_LEN);
	s->conn_id = p->tunnel_id;
	s->peer_conn_id = p->peer_tunnel_id;
	s->session_id = p->session_id;
	s->peer_session_id = p->peer_session_id;
	s->pw_type = L2TP_PWTYPE_ETH; /* ip l2tp creates Ethernet pseudowires only */
	s->l2spec_type = p->l2spec_type;
	s->l2spec_len = p->l2spec_len;
	if (p->recv_seq) {
		s->present |= BIT(L2TP_ATTR_RECV_SEQ);
		s->recv_seq = 1;
	}
	if (p->send_seq) {
		s->present |= BIT(L2TP_ATTR_SEND_SEQ);
		s->send_seq = 1;
	}
	if (p->cookie_len) {
		s->present |= BIT(L2TP_ATTR_COOKIE);
		s->cookie_len = (uint8_t)p->cookie_len;
		memcpy(s->cookie, p->cookie, sizeof(s->cookie));
	}
	if (p->peer_cookie_len) {
		s->present |= BIT(L2TP_ATTR_PEER_COOKIE);
		s->peer_cookie_len = (uint8_t)p->peer_cookie_len;
		memcpy(s->peer_cookie, p->peer_cookie, sizeof(s->peer_cookie));
	}
	if (p->ifname) {
		s->present |= BIT(L2TP_ATTR_IFNAME);
		strncpy(s->ifname, p->ifname, IFNAMSIZ - 1);
	}
}

/* add tunnel ... control on: the ids of the peer and the ports have defaults. */
static int do_add_managed_tunnel(struct parm *p, struct cli_cmd *cmd, char *err, size_t errlen)
{
	if (p->session || p->m.session)
		return fail(err, errlen,
			    "Error: add a managed tunnel first, then its sessions one by one");
	if (p->peer_tunnel_id)
		return fail(err, errlen,
			    "Error: peer_tunnel_id is learned from the peer with \"control on\"");
	if (p->digest_set && !p->m.secret[0])
		return fail(err, errlen, "Error: \"digest\" needs a \"secret\"");
	if (p->ppp_only)
		return fail(err, errlen, "Error: \"%s\" is a setting of a PPP session", p->ppp_only);
	if (p->m.version == 2 && (p->m.fallback || p->m.fallback_timeout))
		return fail(err, errlen,
			    "Error: \"fallback\" is for an L2TPv3 tunnel (to fall back to version 2)");
	if (p->m.fallback_timeout && !p->m.fallback)
		return fail(err, errlen, "Error: \"fallback_timeout\" needs \"fallback on\"");
	if (p->m.version == 2 && p->encap == L2TP_ENCAPTYPE_IP)
		return fail(err, errlen, "Error: L2TPv2 runs over UDP only (RFC 2661 §8.1)");
	if (p->encap == L2TP_ENCAPTYPE_UDP) {
		if (p->sport == 0)
			p->sport = CLI_PORT_L2TP;
		if (p->dport == 0)
			p->dport = CLI_PORT_L2TP;
	}
	L2TP_TRY(build_tunnel_create(p, cmd, err, errlen));
	if (p->local.family == AF_UNSPEC || p->peer.family == AF_UNSPEC)
		return fail(err, errlen,
			    "Error: a managed tunnel needs real local and remote addresses");
	cmd->m = p->m;
	cmd->m.tunnel = true;
	return 0;
}

/* add session ... remote_end_id X: the peer's id and the cookies are negotiated. */
static int do_add_managed_session(struct parm *p, struct cli_cmd *cmd, char *err, size_t errlen)
{
	if (p->tunnel)
		return fail(err, errlen,
			    "Error: add a managed tunnel first, then its sessions one by one");
	if (p->managed_only)
		return fail(err, errlen, "Error: \"%s\" is a setting of the tunnel",
			    p->managed_only);
	if (p->ppp_only && p->m.pw_type != L2TP_PWTYPE_PPP)
		return fail(err, errlen, "Error: \"%s\" is a setting of a PPP session (pw_type ppp)",
			    p->ppp_only);
	if (p->m.ppp.password[0] && !p->m.ppp.user[0])
		return MISSARG("user");
	if (p->peer_session_id)
		return fail(
		    err, errlen,
		    "Error: peer_session_id is learned from the peer with \"remote_end_id\"");
	if (p->cookie_len || p->peer_cookie_len)
		return fail(err, errlen,
			    "Error: cookies are negotiated: use \"cookie auto\" "
			    "or \"cookie none\"");
	/* RFC 3931 §5.4.4: sequencing needs a sublayer that carries the numbers */
	if ((p->send_seq || p->recv_seq) && p->l2spec_set &&
	    p->l2spec_type == L2TP_L2SPECTYPE_NONE)
		return fail(err, errlen, "Error: \"seq\" needs \"l2spec_type default\" (the "
					 "sequence numbers travel in the L2-Specific Sublayer)");
	build_session_create(p, cmd);
	cmd->session.pw_type = p->m.pw_type;
	cmd->m = p->m;
	cmd->m.session = true;
	cmd->m.l2spec_set = p->l2spec_set;
	cmd->m.send_seq = p->send_seq;
	cmd->m.recv_seq = p->recv_seq;
	return 0;
}

static int do_add(struct parm *p, struct cli_cmd *cmd, char *err, size_t errlen)
{
	if (!p->tunnel && !p->session)
		return MISSARG("tunnel or session");
	if (p->tunnel_id == 0)
		return MISSARG("tunnel_id");
	if (p->tunnel && p->control == 1)
		return do_add_managed_tunnel(p, cmd, err, errlen);
	if (p->session && p->m.session)
		return do_add_managed_session(p, cmd, err, errlen);
	if (p->managed_only)
		return fail(err, errlen, "Error: \"%s\" needs \"control on\"", p->managed_only);
	if (p->ppp_only)
		return fail(err, errlen, "Error: \"%s\" is a setting of a PPP session (pw_type ppp)",
			    p->ppp_only);
	/* pw_type or cookie auto|none: a managed session missing its remote end id */
	if (p->session && !p->peer_session_id && (p->pw_set || p->cookie_mode))
		return MISSARG("remote_end_id");
	if (p->cookie_mode)
		return fail(
		    err, errlen,
		    "Error: \"cookie auto|none\" needs \"remote_end_id\" (a managed session)");
	if (p->m.pw_type != L2TP_PWTYPE_ETH)
		return fail(err, errlen,
			    "Error: a static session is an Ethernet pseudowire "
			    "(pw_type eth_vlan needs \"remote_end_id\")");
	if (p->m.session)
		return fail(err, errlen, "Error: \"remote_end_id\" is for a session");
	if (p->session && p->peer_session_id == 0)
		return MISSARG("peer_session_id");
	if (p->session && p->session_id == 0)
		return MISSARG("session_id");
	if (p->tunnel && p->peer_tunnel_id == 0)
		return MISSARG("peer_tunnel_id");
	if (p->tunnel)
		L2TP_TRY(build_tunnel_create(p, cmd, err, errlen));
	if (p->session)
		build_session_create(p, cmd);
	return 0;
}

static int do_del(const struct parm *p, struct cli_cmd *cmd, char *err, size_t errlen)
{
	if (!p->tunnel && !p->session)
		return MISSARG("tunnel or session");
	if (p->session && p->m.session && !p->session_id) {
		/* a managed session may be named by its remote end id */
		if (p->tunnel_id == 0)
			return MISSARG("tunnel_id");
		cmd->obj_session = true;
		cmd->obj_tunnel = false;
		cmd->m.session = true;
		strcpy(cmd->m.remote_end_id, p->m.remote_end_id);
		cmd->session.present = BIT(L2TP_ATTR_CONN_ID);
		cmd->session.conn_id = p->tunnel_id;
		return 0;
	}
	if (p->tunnel && p->tunnel_id == 0)
		return MISSARG("tunnel_id");
	if (p->session && p->session_id == 0)
		return MISSARG("session_id");
	/* a session is named by its tunnel and its id (SESSION_DELETE) */
	if (p->tunnel_id == 0)
		return MISSARG("tunnel_id");
	if (p->session_id) {
		/* as iproute2: a session_id means the session, whatever the object */
		cmd->obj_session = true;
		cmd->obj_tunnel = false;
		cmd->session.present = BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_SESSION_ID);
		cmd->session.conn_id = p->tunnel_id;
		cmd->session.session_id = p->session_id;
	} else {
		cmd->obj_tunnel = true;
		cmd->obj_session = false;
		cmd->tunnel.present = BIT(L2TP_ATTR_CONN_ID);
		cmd->tunnel.conn_id = p->tunnel_id;
	}
	return 0;
}

int cli_parse(int argc, char *const *argv, struct cli_cmd *cmd, char *err, size_t errlen)
{
	struct parm p;
	int rc;

	memset(cmd, 0, sizeof(*cmd));
	cmd->argc = argc;
	cmd->argv = argv;
	if (err && errlen)
		err[0] = '\0';
	if (argc < 1)
		return INCOMPLETE();
	if (cli_matches(argv[0], "help")) {
		cmd->verb = CLI_VERB_HELP;
		return 1;
	}
	if (cli_matches(argv[0], "add"))
		cmd->verb = CLI_VERB_ADD;
	else if (cli_matches(argv[0], "delete"))
		cmd->verb = CLI_VERB_DEL;
	else if (cli_matches(argv[0], "show") || cli_matches(argv[0], "lst") ||
		 cli_matches(argv[0], "list"))
		cmd->verb = CLI_VERB_SHOW;
	else if (cli_matches(argv[0], "monitor"))
		cmd->verb = CLI_VERB_MONITOR;
	else
		return fail(err, errlen, "Command \"%s\" is unknown, try \"l2tp help\".", argv[0]);

	if (cmd->verb == CLI_VERB_MONITOR) {
		if (argc > 1)
			return fail(err, errlen, "Error: \"monitor\" takes no arguments");
		return 0;
	}
	if (cmd->verb == CLI_VERB_SHOW && argc >= 2 && cli_matches(argv[1], "config") &&
	    strlen(argv[1]) >= 2) {
		if (argc > 2)
			return fail(err, errlen, "Error: \"show config\" takes no arguments");
		cmd->obj_config = true;
		return 0;
	}
	rc = parse_args(argc - 1, argv + 1, &p, cmd, err, errlen);
	if (rc == 1) {
		cmd->verb = CLI_VERB_HELP;
		return 1;
	}
	if (rc < 0)
		return rc;
	cmd->obj_tunnel = p.tunnel;
	cmd->obj_session = p.session;
	cmd->tunnel_id = p.tunnel_id;
	cmd->session_id = p.session_id;

	switch (cmd->verb) {
	case CLI_VERB_ADD:
		return do_add(&p, cmd, err, errlen);
	case CLI_VERB_DEL:
		return do_del(&p, cmd, err, errlen);
	default:
		if (!p.tunnel && !p.session)
			return MISSARG("tunnel or session");
		/* show: "session" wins, as in iproute2 */
		if (p.session)
			cmd->obj_tunnel = false;
		return 0;
	}
}
