// SPDX-License-Identifier: MIT
/*
 * test_tshark.c - every kind of packet our codec builds, decoded by tshark
 * (Wireshark's L2TP dissector, written by nobody here), field by field.
 *
 * Each test builds packets with the library (l2tp_wire_* headers,
 * l2tp_msg_example()/l2tp_msg_build() bodies, l2tp_dp_encap() data
 * packets, l2tp_auth_v3_sign() digests), writes them to a capture
 * (tests/interop/pcap.h: raw IPv4/IPv6 + UDP 1701 or IP protocol 115), runs
 * tshark once per capture with the matching L2TPv3 preferences and
 * compares what tshark decoded with what was built:
 *   every packet: no malformed packet, no expert info of warning level or
 *     above, IPv4 and UDP checksums "good", l2tp in frame.protocols;
 *   control: l2tp.version, l2tp.type, l2tp.length, Tunnel/Session ID (v2) or
 *     Control Connection ID (v3), Ns, Nr, the IETF AVP types in order (hidden
 *     AVPs, which Wireshark shows without a type, by count of H bits), the
 *     Message Type (or the ZLB marker), Challenge and Challenge Response
 *     bytes, the Message Digest verdict with the shared secret;
 *   v3 data: Session ID, cookie bytes, sublayer S bit and Sequence Number;
 *   v2 data: Tunnel/Session ID, L/S/O bits, Length, Ns/Nr, Offset Size, and
 *     that the PPP payload behind them is found.
 * One line per checked packet kind is printed. Without tshark every test is
 * skipped. Captures go to a temporary directory removed at the end, unless
 * L2TP_TSHARK_KEEP=<dir> names a directory to keep them in (that is how
 * tests/data/ was made: captures plus one raw .bin per packet for fuzz
 * seeds).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <l2tp/auth.h>
#include <l2tp/avp.h>
#include <l2tp/catalog.h>
#include <l2tp/dp.h>
#include <l2tp/msg.h>
#include <l2tp/wire.h>

#include "pcap.h"

#define MAX_PKTS 64
#define MAX_AVPS 48
#define PKT_CAP 2048

struct kind {
	char name[80];
	uint8_t bytes[PKT_CAP]; /* UDP payload, or IP payload for IP encap */
	size_t len;
	struct pcap_flow flow;
	/* what tshark must decode */
	int version;
	bool ctrl;
	uint32_t tunnel; /* v2 Tunnel ID / v3 Control Connection ID */
	uint32_t session; /* v2 Session ID / v3 data Session ID */
	int ns, nr; /* -1: not in the header */
	int msg_type; /* control: Message Type, 0 for a ZLB */
	uint16_t avps[MAX_AVPS];
	size_t n_avps;
	size_t cookie_len;
	uint8_t cookie[8];
	bool l2spec; /* v3 default sublayer present */
	bool sbit;
	uint32_t seq;
	int length; /* v2 data: Length field, -1 if L clear */
	int offset; /* v2 data: Offset Size, -1 if O clear */
	const char *inner; /* protocol tshark must find in the payload, or NULL */
	bool digest; /* carries a Message Digest tshark must find correct */
	const char *allow; /* one expert warning Wireshark raises on valid input */
	size_t n_hidden; /* AVPs with the H bit */
	uint16_t vendors[MAX_AVPS]; /* Vendor ID of every AVP that is not hidden */
	size_t n_vendors;
	int cisco_type; /* type of a Cisco (vendor 9) AVP, -1 if none */
	uint8_t chal[32]; /* v2 Challenge AVP value */
	size_t chal_len;
	uint8_t resp[16]; /* v2 Challenge Response AVP value */
	bool has_resp;
};

struct capture {
	const char *name;
	char prefs[256]; /* extra tshark options */
	struct kind k[MAX_PKTS];
	size_t n;
};

static char tmpdir[256];
static const char *keepdir;
static bool have_tshark;
static struct capture cap; /* one at a time; static: it is big */

/* ---- helpers ------------------------------------------------------------- */

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int group_setup(void **state)
{
	(void)state;
	have_tshark = system("tshark -v >/dev/null 2>&1") == 0;
	keepdir = getenv("L2TP_TSHARK_KEEP");
	if (keepdir && *keepdir) {
		mkdir(keepdir, 0755);
		snprintf(tmpdir, sizeof(tmpdir), "%s", keepdir);
		return 0;
	}
	keepdir = NULL;
	snprintf(tmpdir, sizeof(tmpdir), "%s/l2tp-tshark-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	if (!keepdir && tmpdir[0])
		nftw(tmpdir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void cap_start(const char *name, const char *prefs)
{
	memset(&cap, 0, sizeof(cap));
	cap.name = name;
	snprintf(cap.prefs, sizeof(cap.prefs), "%s", prefs ? prefs : "");
}

static struct kind *kind_new(const char *fmt, ...)
{
	struct kind *k;
	va_list ap;

	assert_true(cap.n < MAX_PKTS);
	k = &cap.k[cap.n++];
	memset(k, 0, sizeof(*k));
	va_start(ap, fmt);
	vsnprintf(k->name, sizeof(k->name), fmt, ap);
	va_end(ap);
	k->ns = k->nr = -1;
	k->length = k->offset = -1;
	k->cisco_type = -1;
	return k;
}

static struct pcap_flow flow(int ipver, enum l2tp_encap encap, bool reverse)
{
	return (struct pcap_flow){
	    .ipver = ipver, .udp = encap == L2TP_ENCAP_UDP, .reverse = reverse};
}

/* The IETF AVP types of a control body, in order, as our own iterator sees them. */
static void expect_avps(struct kind *k, const uint8_t *body, size_t len)
{
	struct l2tp_avp_iter it;
	struct l2tp_avp a;
	int rc;

	l2tp_avp_iter_init(&it, body, len);
	while ((rc = l2tp_avp_next(&it, &a, NULL)) == 1) {
		/* Wireshark gives a hidden AVP its H bit and length but no
		 * l2tp.avp.type field: those are counted, not listed */
		if (a.hidden) {
			k->n_hidden++;
			continue;
		}
		assert_true(k->n_vendors < MAX_AVPS);
		k->vendors[k->n_vendors++] = a.vendor;
		if (a.vendor == 9)
			k->cisco_type = a.type;
		if (a.vendor != 0)
			continue; /* tshark files vendor AVPs under other fields */
		assert_true(k->n_avps < MAX_AVPS);
		k->avps[k->n_avps++] = a.type;
		/*
		 * RFC 3931 §5.4.4 makes the Remote End ID an opaque octet string
		 * (Cisco sends a 4-byte VC ID); Wireshark decodes it as ASCII and
		 * warns about the NUL bytes of a binary one. Not our bug.
		 */
		if (a.type == L2TP_AVP_REMOTE_END_ID && !a.hidden) {
			for (size_t i = 0; i < a.len; i++)
				if (a.value[i] < 0x20 || a.value[i] > 0x7e)
					k->allow = "Trailing stray characters";
		}
	}
	assert_int_equal(rc, 0);
}

/* Offset in |k->bytes| of the value of the first Message Digest AVP. */
static size_t digest_value_off(const struct kind *k, size_t hdr_len)
{
	struct l2tp_avp_iter it;
	struct l2tp_avp a;

	l2tp_avp_iter_init(&it, k->bytes + hdr_len, k->len - hdr_len);
	while (l2tp_avp_next(&it, &a, NULL) == 1)
		if (a.vendor == 0 && a.type == L2TP_AVP_MSG_DIGEST)
			return hdr_len + a.offset + L2TP_AVP_HDR_LEN;
	fail_msg("no Message Digest AVP");
	return 0;
}

/*
 * Build one control message: header from l2tp/wire.h, body from |m| (or no
 * body: a ZLB ACK when |m| is NULL). Returns the header length.
 */
static size_t build_ctrl(struct kind *k, int version, enum l2tp_encap encap,
			 const struct l2tp_msg *m, uint32_t tid, uint16_t sid, uint16_t ns,
			 uint16_t nr)
{
	struct l2tp_ctrl_hdr h = {
	    .version = (uint8_t)version, .tunnel_id = tid, .session_id = sid, .ns = ns, .nr = nr};
	struct l2tp_msg_build_opts opts = {0};
	struct l2tp_cursor c;
	ssize_t hl;
	int bl = 0;

	l2tp_cur_init(&c, k->bytes, sizeof(k->bytes));
	hl = l2tp_wire_ctrl_encode(&c, encap, &h);
	assert_true(hl > 0);
	if (m) {
		bl = l2tp_msg_build(m, version, &opts, k->bytes + c.pos, l2tp_cur_left(&c));
		if (bl < 0)
			fail_msg("l2tp_msg_build(type %u, v%d) = %d", m->type, version, bl);
		c.pos += (size_t)bl;
	}
	assert_int_equal(l2tp_wire_ctrl_finish(&c, 0, encap), 0);
	k->len = c.pos;
	k->version = version;
	k->ctrl = true;
	k->tunnel = tid;
	k->session = sid;
	k->ns = ns;
	k->nr = nr;
	k->msg_type = m ? m->type : 0;
	expect_avps(k, k->bytes + hl, (size_t)bl);
	k->flow = flow(4, encap, false);
	return (size_t)hl;
}

/* ---- running tshark and comparing -------------------------------------- */

enum {
	F_NUM,
	F_PROTOS,
	F_IPCK,
	F_UDPCK,
	F_TYPE,
	F_VER,
	F_LEN,
	F_TUN,
	F_SES,
	F_CCID,
	F_SID,
	F_NS,
	F_NR,
	F_OFF,
	F_AVPT,
	F_MSGT,
	F_ZLB,
	F_COOKIE,
	F_S,
	F_SEQ,
	F_BADDIG,
	F_DIG,
	F_LBIT,
	F_SBIT,
	F_OBIT,
	F_HID,
	F_VEND,
	F_CISCO,
	F_CHAL,
	F_CRESP,
	F_MALF,
	F_SEV,
	F_EXP,
	F_COUNT
};

static const char *const fields[F_COUNT] = {
    "frame.number",
    "frame.protocols",
    "ip.checksum.status",
    "udp.checksum.status",
    "l2tp.type",
    "l2tp.version",
    "l2tp.length",
    "l2tp.tunnel",
    "l2tp.session",
    "l2tp.ccid",
    "l2tp.sid",
    "l2tp.Ns",
    "l2tp.Nr",
    "l2tp.offset",
    "l2tp.avp.type",
    "l2tp.avp.message_type",
    "l2tp.zero_length_body_message",
    "l2tp.cookie",
    "l2tp.l2_spec_s",
    "l2tp.l2_spec_sequence",
    "l2tp.incorrect_digest",
    "l2tp.avp.message_digest",
    "l2tp.length_bit",
    "l2tp.seq_bit",
    "l2tp.offset_bit",
    "l2tp.avp.hidden",
    "l2tp.avp.vendor_id",
    "l2tp.avp.ciscotype",
    "l2tp.avp.chap_challenge",
    "l2tp.avp.chap_challenge_response",
    "_ws.malformed",
    "_ws.expert.severity",
    "_ws.expert.message",
};

#define SEV_WARN 0x600000u

struct row {
	char *f[F_COUNT];
};

static bool num_is(const char *s, unsigned long want)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return false;
	v = strtoul(s, &end, 0);
	return *end == '\0' && v == want;
}

/* tshark prints booleans as 1/0 or True/False depending on version */
static int boolf(const char *s)
{
	if (!s || !*s)
		return -1;
	if (!strcmp(s, "1") || !strcasecmp(s, "true"))
		return 1;
	if (!strcmp(s, "0") || !strcasecmp(s, "false"))
		return 0;
	return -1;
}

static void hex(char *out, size_t cap_, const uint8_t *p, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; i < n && 2 * i + 2 < cap_; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void strip_colons(char *s)
{
	char *w = s;

	for (; *s; s++)
		if (*s != ':')
			*w++ = *s;
	*w = '\0';
}

/* Compare one decoded row with what was built; append problems to |why|. */
static int check_row(const struct kind *k, struct row *r, char *why, size_t wcap)
{
	char buf[512];
	size_t w = 0;
	int bad = 0;

#define BAD(...)                                                                                   \
	do {                                                                                       \
		bad++;                                                                             \
		if (w < wcap)                                                                      \
			w += (size_t)snprintf(why + w, wcap - w, __VA_ARGS__);                     \
	} while (0)

	if (!strstr(r->f[F_PROTOS], "l2tp"))
		BAD(" not-l2tp(%s)", r->f[F_PROTOS]);
	if (*r->f[F_MALF])
		BAD(" MALFORMED");
	if (*r->f[F_SEV]) {
		char *save = NULL, *tok, sev[256];
		int warn = 0, allowed = 0;

		snprintf(sev, sizeof(sev), "%s", r->f[F_SEV]);
		for (tok = strtok_r(sev, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (strtoul(tok, NULL, 0) >= SEV_WARN)
				warn++;
		if (k->allow)
			for (const char *e = r->f[F_EXP]; (e = strstr(e, k->allow)); e++)
				allowed++;
		if (warn > allowed)
			BAD(" expert[%s]=\"%s\"", r->f[F_SEV], r->f[F_EXP]);
	}
	if (k->flow.ipver == 4 && !num_is(r->f[F_IPCK], 1))
		BAD(" ip.checksum.status=%s", r->f[F_IPCK]);
	if (k->flow.udp && !num_is(r->f[F_UDPCK], 1))
		BAD(" udp.checksum.status=%s", r->f[F_UDPCK]);
	/* over IP the data header has no flags word, so no type/version */
	if (k->flow.udp || k->ctrl) {
		if (!num_is(r->f[F_VER], (unsigned long)k->version))
			BAD(" version=%s", r->f[F_VER]);
		if (!num_is(r->f[F_TYPE], k->ctrl ? 1 : 0))
			BAD(" type=%s", r->f[F_TYPE]);
	}
	if (k->ctrl) {
		if (k->version == 2) {
			if (!num_is(r->f[F_TUN], k->tunnel))
				BAD(" tunnel=%s", r->f[F_TUN]);
			if (!num_is(r->f[F_SES], k->session))
				BAD(" session=%s", r->f[F_SES]);
		} else if (!num_is(r->f[F_CCID], k->tunnel)) {
			BAD(" ccid=%s", r->f[F_CCID]);
		}
		if (!num_is(r->f[F_NS], (unsigned long)k->ns))
			BAD(" Ns=%s", r->f[F_NS]);
		if (!num_is(r->f[F_NR], (unsigned long)k->nr))
			BAD(" Nr=%s", r->f[F_NR]);
		if (!num_is(r->f[F_LEN], k->len - (k->flow.udp ? 0 : 4)))
			BAD(" length=%s", r->f[F_LEN]);
		if (k->msg_type == 0) {
			if (!*r->f[F_ZLB])
				BAD(" no-ZLB");
		} else if (!num_is(r->f[F_MSGT], (unsigned long)k->msg_type)) {
			BAD(" message_type=%s", r->f[F_MSGT]);
		}
		buf[0] = '\0';
		for (size_t i = 0, o = 0; i < k->n_avps && o < sizeof(buf) - 8; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%u", i ? "," : "",
					      k->avps[i]);
		if (strcmp(buf, r->f[F_AVPT]))
			BAD(" avps=[%s] built=[%s]", r->f[F_AVPT], buf);
		{
			size_t hid = 0;
			char *save = NULL, *tok;

			snprintf(buf, sizeof(buf), "%s", r->f[F_HID]);
			for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				hid += boolf(tok) == 1;
			if (hid != k->n_hidden)
				BAD(" hidden=%zu built=%zu", hid, k->n_hidden);
		}
		buf[0] = '\0';
		for (size_t i = 0, o = 0; i < k->n_vendors && o < sizeof(buf) - 8; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%u", i ? "," : "",
					      k->vendors[i]);
		if (strcmp(buf, r->f[F_VEND]))
			BAD(" vendor_ids=[%s] built=[%s]", r->f[F_VEND], buf);
		if (k->cisco_type >= 0 && !num_is(r->f[F_CISCO], (unsigned long)k->cisco_type))
			BAD(" cisco_type=%s", r->f[F_CISCO]);
		if (k->chal_len) {
			hex(buf, sizeof(buf), k->chal, k->chal_len);
			strip_colons(r->f[F_CHAL]);
			if (strcmp(buf, r->f[F_CHAL]))
				BAD(" challenge=%s built=%s", r->f[F_CHAL], buf);
		}
		if (k->has_resp) {
			hex(buf, sizeof(buf), k->resp, sizeof(k->resp));
			strip_colons(r->f[F_CRESP]);
			if (strcmp(buf, r->f[F_CRESP]))
				BAD(" response=%s built=%s", r->f[F_CRESP], buf);
		}
		if (k->digest) {
			if (!*r->f[F_DIG])
				BAD(" no-digest-decoded");
			if (*r->f[F_BADDIG])
				BAD(" INCORRECT-DIGEST");
		}
	} else if (k->version == 3) {
		if (!num_is(r->f[F_SID], k->session))
			BAD(" sid=%s", r->f[F_SID]);
		hex(buf, sizeof(buf), k->cookie, k->cookie_len);
		strip_colons(r->f[F_COOKIE]);
		if (strcmp(buf, r->f[F_COOKIE]))
			BAD(" cookie=%s built=%s", r->f[F_COOKIE], buf);
		if (k->l2spec) {
			if (boolf(r->f[F_S]) != (int)k->sbit)
				BAD(" S=%s", r->f[F_S]);
			if (!num_is(r->f[F_SEQ], k->seq))
				BAD(" seq=%s", r->f[F_SEQ]);
		} else if (*r->f[F_S] || *r->f[F_SEQ]) {
			BAD(" unexpected-sublayer");
		}
	} else {
		if (!num_is(r->f[F_TUN], k->tunnel))
			BAD(" tunnel=%s", r->f[F_TUN]);
		if (!num_is(r->f[F_SES], k->session))
			BAD(" session=%s", r->f[F_SES]);
		if (boolf(r->f[F_LBIT]) != (k->length >= 0))
			BAD(" L=%s", r->f[F_LBIT]);
		if (boolf(r->f[F_SBIT]) != (k->ns >= 0))
			BAD(" S=%s", r->f[F_SBIT]);
		if (boolf(r->f[F_OBIT]) != (k->offset >= 0))
			BAD(" O=%s", r->f[F_OBIT]);
		if (k->length >= 0 && !num_is(r->f[F_LEN], (unsigned long)k->length))
			BAD(" length=%s", r->f[F_LEN]);
		if (k->ns >= 0 && (!num_is(r->f[F_NS], (unsigned long)k->ns) ||
				   !num_is(r->f[F_NR], (unsigned long)k->nr)))
			BAD(" Ns=%s Nr=%s", r->f[F_NS], r->f[F_NR]);
		if (k->offset >= 0 && !num_is(r->f[F_OFF], (unsigned long)k->offset))
			BAD(" offset=%s", r->f[F_OFF]);
	}
	if (k->inner && !strstr(r->f[F_PROTOS], k->inner))
		BAD(" payload-not-%s(%s)", k->inner, r->f[F_PROTOS]);
#undef BAD
	return bad;
}

static void describe(const struct kind *k, char *out, size_t n)
{
	if (k->ctrl && k->version == 2)
		snprintf(out, n,
			 "tunnel=%" PRIu32 " session=%" PRIu32 " Ns=%d Nr=%d %zu AVPs%s%s%s",
			 k->tunnel, k->session, k->ns, k->nr, k->n_avps,
			 k->n_hidden ? " (hidden ones)" : "", k->chal_len ? " challenge" : "",
			 k->has_resp ? " response" : "");
	else if (k->ctrl)
		snprintf(out, n, "ccid=%" PRIu32 " Ns=%d Nr=%d %zu AVPs%s", k->tunnel, k->ns, k->nr,
			 k->n_avps, k->digest ? " digest ok" : "");
	else if (k->version == 3)
		snprintf(out, n, "sid=%" PRIu32 " cookie=%zu S=%d seq=%" PRIu32, k->session,
			 k->cookie_len, k->l2spec ? k->sbit : -1, k->seq);
	else
		snprintf(out, n, "tunnel=%" PRIu32 " session=%" PRIu32 " L=%d Ns=%d O=%d",
			 k->tunnel, k->session, k->length, k->ns, k->offset);
}

/*
 * Write |cap| to <tmpdir>/<name>.pcap, decode it with tshark and compare
 * every packet. Returns the number of packets that disagree.
 */
static int run_capture(const char *extra_prefs, bool quiet)
{
	char path[512], cmd[4096], line[16384];
	struct pcap_w w;
	size_t o, row_i = 0;
	int bad = 0;
	FILE *p;

	snprintf(path, sizeof(path), "%s/%s.pcap", tmpdir, cap.name);
	assert_int_equal(pcap_open(&w, path), 0);
	for (size_t i = 0; i < cap.n; i++) {
		assert_int_equal(pcap_write_l2tp(&w, &cap.k[i].flow, cap.k[i].bytes, cap.k[i].len),
				 0);
		if (keepdir && !quiet) {
			char bin[512];
			FILE *f;

			char nm[sizeof(cap.k[i].name)];

			/* file name: the kind's name with [^A-Za-z0-9] as '_' */
			for (size_t j = 0; j < sizeof(nm); j++) {
				char ch = cap.k[i].name[j];

				nm[j] = !ch || isalnum((unsigned char)ch) ? ch : '_';
				if (!ch)
					break;
			}
			snprintf(bin, sizeof(bin), "%s/%s.bin", tmpdir, nm);
			f = fopen(bin, "wb");
			assert_non_null(f);
			assert_int_equal(fwrite(cap.k[i].bytes, 1, cap.k[i].len, f), cap.k[i].len);
			fclose(f);
		}
	}
	assert_int_equal(pcap_close(&w), 0);

	o = (size_t)snprintf(
	    cmd, sizeof(cmd),
	    "tshark -n -r '%s' -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE "
	    "%s %s -T fields -E header=n -E separator=/t -E occurrence=a "
	    "-E aggregator=, -E quote=n",
	    path, cap.prefs, extra_prefs ? extra_prefs : "");
	for (int f = 0; f < F_COUNT; f++)
		o += (size_t)snprintf(cmd + o, sizeof(cmd) - o, " -e %s", fields[f]);
	snprintf(cmd + o, sizeof(cmd) - o, " 2>'%s/%s.stderr'", tmpdir, cap.name);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		struct row r;
		char *s = line, why[1024] = "", desc[160];
		struct kind *k;
		int f;

		line[strcspn(line, "\n")] = '\0';
		for (f = 0; f < F_COUNT; f++) {
			r.f[f] = s ? strsep(&s, "\t") : (char *)"";
			if (!r.f[f])
				r.f[f] = (char *)"";
		}
		if (row_i >= cap.n) {
			printf("FAIL  %s: tshark printed more frames than written\n", cap.name);
			bad++;
			break;
		}
		k = &cap.k[row_i++];
		if (!num_is(r.f[F_NUM], row_i))
			fail_msg("tshark frame number %s, expected %zu", r.f[F_NUM], row_i);
		if (check_row(k, &r, why, sizeof(why))) {
			bad++;
			if (!quiet)
				printf("FAIL  tshark %-42s%s\n", k->name, why);
		} else if (!quiet) {
			describe(k, desc, sizeof(desc));
			printf("ok    tshark %-42s %s%s%s\n", k->name, desc,
			       k->allow ? "; allowed Wireshark warning: " : "",
			       k->allow ? k->allow : "");
		}
	}
	assert_int_equal(pclose(p), 0);
	if (row_i != cap.n) {
		printf("FAIL  %s: tshark decoded %zu of %zu frames\n", cap.name, row_i, cap.n);
		bad++;
	}
	return bad;
}

#define NEED_TSHARK()                                                                              \
	do {                                                                                       \
		if (!have_tshark) {                                                                \
			printf("skip  tshark not installed\n");                                    \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/* ---- control messages ---------------------------------------------------- */

static bool session_msg(uint16_t t)
{
	return t >= L2TP_MSG_OCRQ && t != L2TP_MSG_ACK;
}

static void add_ctrl_all(int version, enum l2tp_encap encap, int ipver)
{
	const char *enc = encap == L2TP_ENCAP_UDP ? "udp" : "ip";
	uint16_t ns = 0;

	for (uint16_t t = 1; t <= L2TP_MSG_TYPE_MAX; t++) {
		struct l2tp_msg m;
		struct kind *k;

		if (l2tp_msg_example(t, version, &m) < 0)
			continue;
		k = kind_new("v%d ctrl %s ipv%d %s", version, enc, ipver, l2tp_catalog_msg_name(t));
		/* session messages carry the peer's Session ID (v2 only) */
		build_ctrl(k, version, encap, &m, version == 2 ? 0x1234 : 0x12345678,
			   version == 2 && session_msg(t) && t != L2TP_MSG_ICRQ &&
				   t != L2TP_MSG_OCRQ
			       ? 0x4321
			       : 0,
			   ns, (uint16_t)(ns + 7));
		k->flow.ipver = ipver;
		ns++;
	}
	/* the ZLB ACK: a header alone */
	build_ctrl(kind_new("v%d ctrl %s ipv%d ZLB ACK", version, enc, ipver), version, encap, NULL,
		   version == 2 ? 0xfffe : 0xfedcba98, 0, ns, 65535);
	cap.k[cap.n - 1].flow.ipver = ipver;
}

static void test_tshark_v2_control_every_message(void **state)
{
	NEED_TSHARK();
	cap_start("v2-ctrl", NULL);
	add_ctrl_all(2, L2TP_ENCAP_UDP, 4);
	add_ctrl_all(2, L2TP_ENCAP_UDP, 6);
	assert_int_equal(run_capture(NULL, false), 0);
}

static void test_tshark_v3_control_udp_every_message(void **state)
{
	NEED_TSHARK();
	cap_start("v3-ctrl-udp", NULL);
	add_ctrl_all(3, L2TP_ENCAP_UDP, 4);
	add_ctrl_all(3, L2TP_ENCAP_UDP, 6);
	assert_int_equal(run_capture(NULL, false), 0);
}

static void test_tshark_v3_control_ip_every_message(void **state)
{
	NEED_TSHARK();
	cap_start("v3-ctrl-ip", NULL);
	add_ctrl_all(3, L2TP_ENCAP_IP, 4);
	add_ctrl_all(3, L2TP_ENCAP_IP, 6);
	assert_int_equal(run_capture(NULL, false), 0);
}

/* ---- control message authentication (RFC 3931 §4.3, §5.4.1) ------------- */

static const uint8_t nonce_a[16] = "nonce-of-LCCE-A";
static const uint8_t nonce_b[20] = "nonce-of-the-LCCE-B";

/*
 * A v3 handshake with Message Digest AVPs: SCCRQ (A->B, no nonces in the
 * digest yet), SCCRP (B->A), SCCCN (A->B), HELLO (B->A), over |encap|,
 * digests MD5 and SHA-1 alternating.
 */
static void add_signed_handshake(enum l2tp_encap encap, const char *secret)
{
	static const uint16_t types[] = {L2TP_MSG_SCCRQ, L2TP_MSG_SCCRP, L2TP_MSG_SCCCN,
					 L2TP_MSG_HELLO};
	const char *enc = encap == L2TP_ENCAP_UDP ? "udp" : "ip";
	struct l2tp_auth_key key;
	uint8_t dig[1 + L2TP_DIGEST_MAX_LEN];

	assert_int_equal(l2tp_auth_v3_key(&key, secret, strlen(secret)), 0);
	for (size_t i = 0; i < L2TP_ARRAY_SIZE(types); i++) {
		bool from_b = i & 1;
		int dtype = (i & 1) ? L2TP_DIGEST_HMAC_SHA1 : L2TP_DIGEST_HMAC_MD5;
		struct l2tp_auth_nonces n = {
		    from_b ? nonce_b : nonce_a,
		    from_b ? sizeof(nonce_b) : sizeof(nonce_a),
		    from_b ? nonce_a : nonce_b,
		    from_b ? sizeof(nonce_a) : sizeof(nonce_b),
		};
		struct l2tp_msg m;
		struct kind *k;
		size_t hl;

		assert_int_equal(l2tp_msg_example(types[i], 3, &m), 0);
		memset(dig, 0, sizeof(dig));
		dig[0] = (uint8_t)dtype;
		m.message_digest = (struct l2tp_view){dig, 1 + (size_t)l2tp_auth_digest_len(dtype)};
		l2tp_msg_set(&m, L2TP_AVP_MSG_DIGEST);
		if (types[i] == L2TP_MSG_SCCRQ || types[i] == L2TP_MSG_SCCRP) {
			m.auth_nonce = from_b ? (struct l2tp_view){nonce_b, sizeof(nonce_b)}
					      : (struct l2tp_view){nonce_a, sizeof(nonce_a)};
			l2tp_msg_set(&m, L2TP_AVP_AUTH_NONCE);
		}
		k = kind_new("v3 ctrl %s %s %s", enc, l2tp_catalog_msg_name(types[i]),
			     dtype == L2TP_DIGEST_HMAC_MD5 ? "HMAC-MD5" : "HMAC-SHA1");
		hl = build_ctrl(k, 3, encap, &m, from_b ? 0xa0a0a0a0 : 0xb0b0b0b0, 0,
				(uint16_t)(i / 2), (uint16_t)((i + 1) / 2));
		k->flow.reverse = from_b;
		k->digest = true;
		/* the digest covers the message from the T bit: over IP skip the
		 * 4 zero bytes of Session ID 0 */
		{
			size_t skip = encap == L2TP_ENCAP_IP ? L2TP_IP_SESSION0_LEN : 0;
			size_t off = digest_value_off(k, hl) - skip;

			assert_int_equal(l2tp_auth_v3_sign(&key,
							   types[i] == L2TP_MSG_SCCRQ ? NULL : &n,
							   k->bytes + skip, k->len - skip, off),
					 0);
			assert_int_equal(
			    l2tp_auth_v3_verify(&key, types[i] == L2TP_MSG_SCCRQ ? NULL : &n,
						k->bytes + skip, k->len - skip, off,
						1 + (size_t)l2tp_auth_digest_len(dtype)),
			    0);
		}
	}
}

static void test_tshark_v3_message_digest(void **state)
{
	int bad;

	NEED_TSHARK();
	cap_start("v3-digest-udp", "-o l2tp.shared_secret:tunnelsecret");
	add_signed_handshake(L2TP_ENCAP_UDP, "tunnelsecret");
	assert_int_equal(run_capture(NULL, false), 0);
	cap_start("v3-digest-ip", "-o l2tp.shared_secret:tunnelsecret");
	add_signed_handshake(L2TP_ENCAP_IP, "tunnelsecret");
	assert_int_equal(run_capture(NULL, false), 0);

	/* The control: with another secret tshark must flag every digest, which
	 * shows it really checked them above. */
	cap_start("v3-digest-wrong", "-o l2tp.shared_secret:notthesecret");
	add_signed_handshake(L2TP_ENCAP_UDP, "tunnelsecret");
	bad = run_capture(NULL, true);
	printf("%s   tshark flags all %zu digests made with another secret (%d/%zu)\n",
	       (size_t)bad == cap.n ? "ok " : "FAIL", cap.n, bad, cap.n);
	assert_int_equal(bad, (int)cap.n);
}

/* ---- v3 data ------------------------------------------------------------- */

/* clang-format off */
static const uint8_t eth_frame[60] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02,	/* destination */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01,	/* source */
	0x88, 0xb5,				/* local experimental EtherType */
	'l', '2', 't', 'p', 'k', 'i', 't', ' ', 'p', 's', 'e', 'u', 'd', 'o', 'w', 'i', 'r', 'e',
};
/* clang-format on */

static void encap_one(struct kind *k, struct l2tp_dp_session *s, const uint8_t *payload,
		      size_t plen)
{
	struct l2tp_dp_buf b = {.data = k->bytes, .cap = sizeof(k->bytes), .off = 64, .len = plen};
	int rc;

	memcpy(k->bytes + 64, payload, plen);
	rc = l2tp_dp_encap(s, &b);
	if (rc)
		fail_msg("l2tp_dp_encap = %d", rc);
	memmove(k->bytes, k->bytes + b.off, b.len);
	k->len = b.len;
}

static void add_v3_data(size_t cookie_len, bool l2spec, bool seq)
{
	static const uint8_t cookie[8] = {0xc0, 0x0c, 0x1e, 0x5a, 0x11, 0x22, 0x33, 0x44};

	for (int e = 0; e < 2; e++) {
		enum l2tp_encap encap = e ? L2TP_ENCAP_IP : L2TP_ENCAP_UDP;

		for (int ipver = 4; ipver <= 6; ipver += 2) {
			struct l2tp_dp_cfg cfg = {
			    .version = 3,
			    .encap = encap,
			    .session_id = 0x1111,
			    .peer_session_id = 0xdeadbeef,
			    .cookie_len = (uint8_t)cookie_len,
			    .l2spec_type = l2spec ? L2TP_L2SPEC_DEFAULT : L2TP_L2SPEC_NONE,
			    .send_seq = seq,
			};
			struct l2tp_dp_session s;

			memcpy(cfg.cookie, cookie, sizeof(cookie));
			assert_int_equal(l2tp_dp_session_init(&s, &cfg), 0);
			/* two packets, so the sequence number is seen to move */
			for (uint32_t i = 0; i < (seq ? 2u : 1u); i++) {
				struct kind *k = kind_new("v3 data %s ipv%d cookie%zu %s #%" PRIu32,
							  e ? "ip" : "udp", ipver, cookie_len,
							  !l2spec ? "no-sublayer"
							  : seq	  ? "sublayer S=1"
								  : "sublayer S=0",
							  i);

				encap_one(k, &s, eth_frame, sizeof(eth_frame));
				k->version = 3;
				k->flow = flow(ipver, encap, false);
				k->session = cfg.peer_session_id;
				k->cookie_len = cookie_len;
				memcpy(k->cookie, cookie, cookie_len);
				k->l2spec = l2spec;
				k->sbit = seq;
				k->seq = seq ? i : 0;
			}
		}
	}
}

static void test_tshark_v3_data_every_encapsulation(void **state)
{
	static const size_t cookies[] = {0, 4, 8};
	int bad = 0;

	NEED_TSHARK();
	for (size_t c = 0; c < L2TP_ARRAY_SIZE(cookies); c++) {
		for (int mode = 0; mode < 3; mode++) {
			static char name[64];
			char prefs[128];

			snprintf(name, sizeof(name), "v3-data-cookie%zu-%s", cookies[c],
				 mode == 0   ? "nosub"
				 : mode == 1 ? "sub-noseq"
					     : "sub-seq");
			snprintf(prefs, sizeof(prefs),
				 "-o l2tp.cookie_size:cookie%zu -o l2tp.l2_specific:%s", cookies[c],
				 mode ? "default" : "none");
			cap_start(name, prefs);
			add_v3_data(cookies[c], mode != 0, mode == 2);
			bad += run_capture(NULL, false);
		}
	}
	assert_int_equal(bad, 0);
}

/* ---- v2 data ------------------------------------------------------------- */

/* PPP in HDLC-like framing (RFC 1662): LCP Echo-Request, id 1, magic 0x01020304. */
static const uint8_t ppp_frame[] = {0xff, 0x03, 0xc0, 0x21, 0x09, 0x01, 0x00, 0x0c,
				    0x01, 0x02, 0x03, 0x04, 'e',  'c',	'h',  'o'};

static void test_tshark_v2_data_every_header(void **state)
{
	int bad;

	NEED_TSHARK();
	cap_start("v2-data", NULL);
	for (int bits = 0; bits < 8; bits++) {
		bool len = bits & 1, seq = bits & 2, off = bits & 4;

		for (uint16_t offsz = 0; offsz <= (off ? 4 : 0); offsz += 4) {
			struct l2tp_dp_cfg cfg = {
			    .version = 2,
			    .encap = L2TP_ENCAP_UDP,
			    .tunnel_id = 11,
			    .peer_tunnel_id = 0xabcd,
			    .session_id = 22,
			    .peer_session_id = 0x4242,
			    .send_seq = seq,
			    .v2_send_length = len,
			    .v2_send_offset = off,
			    .v2_offset = offsz,
			};
			struct l2tp_dp_session s;

			assert_int_equal(l2tp_dp_session_init(&s, &cfg), 0);
			for (uint32_t i = 0; i < (seq ? 2u : 1u); i++) {
				struct kind *k =
				    kind_new("v2 data L=%d S=%d O=%d offset=%u #%" PRIu32, len, seq,
					     off, offsz, i);

				encap_one(k, &s, ppp_frame, sizeof(ppp_frame));
				k->version = 2;
				k->flow = flow(i ? 6 : 4, L2TP_ENCAP_UDP, false);
				k->tunnel = cfg.peer_tunnel_id;
				k->session = cfg.peer_session_id;
				k->length = len ? (int)k->len : -1;
				k->ns = seq ? (int)i : -1;
				k->nr = seq ? 0 : -1;
				k->offset = off ? offsz : -1;
				k->inner = "ppp";
			}
		}
	}
	bad = run_capture(NULL, false);
	assert_int_equal(bad, 0);
}

/* ---- v2 tunnel authentication and hidden AVPs (RFC 2661 §4.2, §4.3) ------ */

static int fake_rand(void *user, uint8_t *buf, size_t len)
{
	uint8_t *ctr = user;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(0x5a ^ (*ctr)++);
	return 0;
}

/*
 * SCCRQ with a Challenge, SCCRP answering it (Challenge Response with CHAP
 * ID 2) and challenging back, SCCCN answering (CHAP ID 3); then an ICRQ and
 * an ICRP with hidden AVPs (Random Vector first).
 */
static void test_tshark_v2_challenge_and_hidden_avps(void **state)
{
	static const char secret[] = "tunnelsecret";
	static const uint8_t chal_lac[16] = "challenge-of-LAC";
	static const uint8_t chal_lns[20] = "the-LNS-challenge!!";
	struct l2tp_msg_build_opts opts = {(const uint8_t *)secret, strlen(secret), fake_rand, NULL,
					   8};
	uint8_t ctr = 0, resp[16];
	struct l2tp_msg m;
	struct kind *k;

	NEED_TSHARK();
	opts.rand_user = &ctr;
	cap_start("v2-auth", NULL);

	assert_int_equal(l2tp_msg_example(L2TP_MSG_SCCRQ, 2, &m), 0);
	m.challenge = (struct l2tp_view){chal_lac, sizeof(chal_lac)};
	l2tp_msg_set(&m, L2TP_AVP_CHALLENGE);
	k = kind_new("v2 ctrl udp SCCRQ with Challenge");
	build_ctrl(k, 2, L2TP_ENCAP_UDP, &m, 0, 0, 0, 0);
	memcpy(k->chal, chal_lac, sizeof(chal_lac));
	k->chal_len = sizeof(chal_lac);

	assert_int_equal(l2tp_msg_example(L2TP_MSG_SCCRP, 2, &m), 0);
	assert_int_equal(l2tp_auth_chap_response(L2TP_MSG_SCCRP, secret, strlen(secret), chal_lac,
						 sizeof(chal_lac), resp),
			 0);
	m.challenge_resp = (struct l2tp_view){resp, sizeof(resp)};
	m.challenge = (struct l2tp_view){chal_lns, sizeof(chal_lns)};
	l2tp_msg_set(&m, L2TP_AVP_CHALLENGE_RESP);
	l2tp_msg_set(&m, L2TP_AVP_CHALLENGE);
	k = kind_new("v2 ctrl udp SCCRP with Challenge+Response");
	build_ctrl(k, 2, L2TP_ENCAP_UDP, &m, 0x1234, 0, 0, 1);
	k->flow.reverse = true;
	memcpy(k->chal, chal_lns, sizeof(chal_lns));
	k->chal_len = sizeof(chal_lns);
	memcpy(k->resp, resp, sizeof(resp));
	k->has_resp = true;

	assert_int_equal(l2tp_msg_example(L2TP_MSG_SCCCN, 2, &m), 0);
	assert_int_equal(l2tp_auth_chap_response(L2TP_MSG_SCCCN, secret, strlen(secret), chal_lns,
						 sizeof(chal_lns), resp),
			 0);
	m.challenge_resp = (struct l2tp_view){resp, sizeof(resp)};
	l2tp_msg_set(&m, L2TP_AVP_CHALLENGE_RESP);
	k = kind_new("v2 ctrl udp SCCCN with Response");
	build_ctrl(k, 2, L2TP_ENCAP_UDP, &m, 0x1234, 0, 1, 1);
	memcpy(k->resp, resp, sizeof(resp));
	k->has_resp = true;

	/* hidden AVPs: the codec adds the Random Vector before them */
	assert_int_equal(l2tp_msg_example(L2TP_MSG_ICRQ, 2, &m), 0);
	l2tp_msg_set_hide(&m, L2TP_AVP_SESSION_ID);
	l2tp_msg_set_hide(&m, L2TP_AVP_CALLING_NUMBER);
	k = kind_new("v2 ctrl udp ICRQ with hidden AVPs");
	{
		struct l2tp_ctrl_hdr h = {.version = 2, .tunnel_id = 0x1234, .ns = 2, .nr = 1};
		struct l2tp_cursor c;
		ssize_t hl;
		int bl;

		l2tp_cur_init(&c, k->bytes, sizeof(k->bytes));
		hl = l2tp_wire_ctrl_encode(&c, L2TP_ENCAP_UDP, &h);
		assert_true(hl > 0);
		bl = l2tp_msg_build(&m, 2, &opts, k->bytes + c.pos, l2tp_cur_left(&c));
		assert_true(bl > 0);
		c.pos += (size_t)bl;
		assert_int_equal(l2tp_wire_ctrl_finish(&c, 0, L2TP_ENCAP_UDP), 0);
		k->len = c.pos;
		k->version = 2;
		k->ctrl = true;
		k->tunnel = 0x1234;
		k->ns = 2;
		k->nr = 1;
		k->msg_type = L2TP_MSG_ICRQ;
		expect_avps(k, k->bytes + hl, (size_t)bl);
		k->flow = flow(4, L2TP_ENCAP_UDP, false);
		assert_int_equal(k->n_hidden, 2);
	}
	assert_int_equal(run_capture(NULL, false), 0);
}

/* ---- UDP ports other than 1701 ------------------------------------------- */

static void test_tshark_udp_other_ports(void **state)
{
	struct l2tp_msg m;
	struct kind *k;

	NEED_TSHARK();
	/* an ephemeral source port towards 1701: tshark still finds L2TP */
	cap_start("udp-ports", "-d udp.port==1702,l2tp");
	assert_int_equal(l2tp_msg_example(L2TP_MSG_SCCRQ, 3, &m), 0);
	k = kind_new("v3 ctrl udp 40000->1701 SCCRQ");
	build_ctrl(k, 3, L2TP_ENCAP_UDP, &m, 0, 0, 0, 0);
	k->flow.sport = 40000;
	assert_int_equal(l2tp_msg_example(L2TP_MSG_SCCRQ, 2, &m), 0);
	k = kind_new("v2 ctrl udp 1702->1702 SCCRQ");
	build_ctrl(k, 2, L2TP_ENCAP_UDP, &m, 0, 0, 0, 0);
	k->flow.sport = k->flow.dport = 1702;
	k->flow.ipver = 6;
	assert_int_equal(run_capture(NULL, false), 0);
}

/* ---- AVPs the codec carries raw: vendor-specific and unknown M=0 -------- */

static void test_tshark_raw_and_vendor_avps(void **state)
{
	/* Cisco (vendor 9) "Draft AVP Version" 1, and an IETF type nobody
	 * assigned yet with M=0 (receivers must ignore it, RFC 3931 §5.1) */
	static const uint8_t ver1[2] = {0, 1}, unknown[3] = {1, 2, 3};
	struct l2tp_msg m;
	struct kind *k;

	NEED_TSHARK();
	cap_start("raw-avps", NULL);
	for (int version = 2; version <= 3; version++) {
		assert_int_equal(l2tp_msg_example(L2TP_MSG_HELLO, version, &m), 0);
		m.raw[0] = (struct l2tp_avp){.vendor = 9, .type = 10, .mandatory = false,
					     .len = sizeof(ver1), .value = ver1};
		m.raw[1] = (struct l2tp_avp){.vendor = 0, .type = 250, .mandatory = false,
					     .len = sizeof(unknown), .value = unknown};
		m.n_raw = 2;
		k = kind_new("v%d ctrl udp Hello + vendor 9 AVP + unknown AVP", version);
		build_ctrl(k, version, L2TP_ENCAP_UDP, &m, 7, 0, 3, 4);
		assert_int_equal(k->cisco_type, 10);
		/* Wireshark's note on the AVP type it does not know (250) */
		k->allow = "Vendor-Specific AVP data";
	}
	assert_int_equal(run_capture(NULL, false), 0);
}

/* ---- the comparison itself must see differences -------------------------- */

/*
 * A capture where every packet disagrees with its expectation in one way:
 * a wrong expected field, or a packet corrupted after it was built. The
 * comparison must flag each one, or the passes above prove nothing.
 */
static void test_tshark_comparator_catches_mismatches(void **state)
{
	struct l2tp_dp_cfg cfg = {.version = 3,
				  .encap = L2TP_ENCAP_UDP,
				  .session_id = 1,
				  .peer_session_id = 0x2222,
				  .cookie_len = 4,
				  .cookie = {1, 2, 3, 4},
				  .l2spec_type = L2TP_L2SPEC_DEFAULT,
				  .send_seq = true};
	struct l2tp_dp_session s;
	struct l2tp_msg m;
	struct kind *k;
	int bad;

	NEED_TSHARK();
	cap_start("mismatch", "-o l2tp.cookie_size:cookie4 -o l2tp.l2_specific:default");
	assert_int_equal(l2tp_msg_example(L2TP_MSG_SCCRQ, 2, &m), 0);

	k = kind_new("expected Ns off by one");
	build_ctrl(k, 2, L2TP_ENCAP_UDP, &m, 1, 0, 5, 6);
	k->ns++;

	k = kind_new("expected AVP list one short");
	build_ctrl(k, 2, L2TP_ENCAP_UDP, &m, 1, 0, 5, 6);
	k->n_avps--;

	k = kind_new("AVP length runs past the end");
	build_ctrl(k, 2, L2TP_ENCAP_UDP, &m, 1, 0, 5, 6);
	k->bytes[L2TP_CTRL_HDR_LEN + 8 + 1] = 0xff; /* second AVP's length */

	k = kind_new("Message Type changed");
	build_ctrl(k, 2, L2TP_ENCAP_UDP, &m, 1, 0, 5, 6);
	k->bytes[L2TP_CTRL_HDR_LEN + 7] = L2TP_MSG_HELLO;

	assert_int_equal(l2tp_dp_session_init(&s, &cfg), 0);
	k = kind_new("cookie byte differs");
	encap_one(k, &s, eth_frame, sizeof(eth_frame));
	k->version = 3;
	k->flow = flow(4, L2TP_ENCAP_UDP, false);
	k->session = 0x2222;
	k->cookie_len = 4;
	memcpy(k->cookie, cfg.cookie, 4);
	k->cookie[3] ^= 1;
	k->l2spec = k->sbit = true;
	k->seq = 0;

	k = kind_new("sequence number differs");
	encap_one(k, &s, eth_frame, sizeof(eth_frame));
	k->version = 3;
	k->flow = flow(6, L2TP_ENCAP_UDP, false);
	k->session = 0x2222;
	k->cookie_len = 4;
	memcpy(k->cookie, cfg.cookie, 4);
	k->l2spec = k->sbit = true;
	k->seq = 0; /* it is 1 */

	bad = run_capture(NULL, true);
	printf("%s   tshark comparison flags %d of %zu deliberately wrong packets\n",
	       (size_t)bad == cap.n ? "ok " : "FAIL", bad, cap.n);
	assert_int_equal(bad, (int)cap.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tshark_v2_control_every_message),
	    cmocka_unit_test(test_tshark_v3_control_udp_every_message),
	    cmocka_unit_test(test_tshark_v3_control_ip_every_message),
	    cmocka_unit_test(test_tshark_v3_message_digest),
	    cmocka_unit_test(test_tshark_v3_data_every_encapsulation),
	    cmocka_unit_test(test_tshark_v2_data_every_header),
	    cmocka_unit_test(test_tshark_v2_challenge_and_hidden_avps),
	    cmocka_unit_test(test_tshark_udp_other_ports),
	    cmocka_unit_test(test_tshark_raw_and_vendor_avps),
	    cmocka_unit_test(test_tshark_comparator_catches_mismatches),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
