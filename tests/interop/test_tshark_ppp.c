// SPDX-License-Identifier: MIT
/*
 * test_tshark_ppp.c - the PPP frames our endpoint (lib/ppp*.c) sends,
 * decoded by tshark (Wireshark's PPP, LCP, PAP, CHAP, IPCP and IPV6CP
 * dissectors, written by nobody here).
 *
 * Two endpoints negotiate back to back (CHAP in one run, PAP in another,
 * with a wrong address request, DNS, PFC/ACFC, IP packets, Echo, a
 * Protocol-Reject and a Terminate); every frame either end writes goes to
 * a capture of link type 9 (PPP), and tshark must find for each one: no
 * malformed packet, the Protocol we put in (compressed or not), and for
 * control packets the Code, Identifier and Length we built. A few values
 * are then checked by name: the CHAP Name and value size, the PAP Peer-ID,
 * the IPCP address given, the Magic-Numbers. Without tshark every test is
 * skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <l2tp/ppp.h>

#include "pcap.h"

#define MAXF 2048
#define MAXFRAMES 256

struct cap {
	uint8_t f[MAXFRAMES][MAXF];
	size_t len[MAXFRAMES];
	int n;
};

static uint64_t rs = 42;

static int rnd(void *user, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		rs ^= rs << 13;
		rs ^= rs >> 7;
		rs ^= rs << 17;
		buf[i] = (uint8_t)(rs >> 24);
	}
	return 0;
}

static int secret(void *user, struct l2tp_ppp *p, uint16_t proto, const uint8_t *name, size_t n,
		  uint8_t *out, size_t cap)
{
	memcpy(out, "pw", 2);
	return 2;
}

static void pump(struct l2tp_ppp *a, struct l2tp_ppp *b, struct cap *c, l2tp_time_t now)
{
	bool moved = true;

	while (moved) {
		moved = false;
		for (int dir = 0; dir < 2; dir++) {
			struct l2tp_ppp *from = dir ? b : a, *to = dir ? a : b;
			uint8_t buf[MAXF];
			ssize_t n = l2tp_ppp_write_frame(from, buf, sizeof(buf), now);

			if (n <= 0)
				continue;
			moved = true;
			assert_true(c->n < MAXFRAMES);
			memcpy(c->f[c->n], buf, (size_t)n);
			c->len[c->n++] = (size_t)n;
			l2tp_ppp_handle_frame(to, buf, (size_t)n, now);
		}
	}
}

/* A session's frames: |auth| as the authenticator requires. */
static void session(struct cap *c, uint8_t auth)
{
	struct l2tp_ppp_callbacks cb = {.rand = rnd, .get_secret = secret};
	struct l2tp_ppp_cfg ca = {.name = "lns",
				  .require_auth = auth,
				  .local_ip = {192, 0, 2, 1},
				  .peer_ip = {192, 0, 2, 2},
				  .dns = {{192, 0, 2, 53}},
				  .mru = 1400};
	struct l2tp_ppp_cfg cc = {.name = "alice",
				  .secret = (const uint8_t *)"pw",
				  .secret_len = 2,
				  .request_dns = true,
				  .request_pfc = true,
				  .request_acfc = true};
	uint8_t v4[20] = {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2};
	struct l2tp_ppp *a, *b;
	l2tp_time_t now = L2TP_SEC;

	c->n = 0;
	assert_int_equal(l2tp_ppp_new(&a, &cb, &ca, NULL, NULL), 0);
	assert_int_equal(l2tp_ppp_new(&b, &cb, &cc, NULL, NULL), 0);
	l2tp_ppp_open(a, now);
	l2tp_ppp_open(b, now);
	l2tp_ppp_lower_up(a, now);
	l2tp_ppp_lower_up(b, now);
	pump(a, b, c, now);
	assert_int_equal(l2tp_ppp_phase(a), L2TP_PPP_NETWORK);
	/* IPv4 both ways (a compresses: b asked for PFC/ACFC), Echo, a Protocol-Reject */
	assert_int_equal(l2tp_ppp_send_ip(a, v4, sizeof(v4)), 0);
	assert_int_equal(l2tp_ppp_send_ip(b, v4, sizeof(v4)), 0);
	l2tp_ppp_handle_frame(a, (const uint8_t *)"\xc0\x21\x09\x44\x00\x08\x00\x00\x00\x00", 10,
			      now);
	l2tp_ppp_handle_frame(a, (const uint8_t *)"\x40\x21\x01\x02", 4, now);
	pump(a, b, c, now);
	l2tp_ppp_close(b, now);
	pump(a, b, c, now);
	l2tp_ppp_free(a);
	l2tp_ppp_free(b);
}

static bool have_tshark(void)
{
	return system("tshark -v >/dev/null 2>&1") == 0;
}

/* Run tshark over |c|; one line per frame into |lines|. Returns the line count. */
static int decode(const struct cap *c, const char *fields, char lines[][512])
{
	char dir[] = "/tmp/l2tp-ppp-XXXXXX", path[64], cmd[1024];
	struct pcap_w w;
	FILE *p;
	int n = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ppp.pcap", dir);
	assert_int_equal(pcap_open_linktype(&w, path, PCAP_LINKTYPE_PPP), 0);
	for (int i = 0; i < c->n; i++)
		assert_int_equal(pcap_write_ip(&w, c->f[i], c->len[i]), 0);
	assert_int_equal(pcap_close(&w), 0);
	snprintf(cmd, sizeof(cmd), "tshark -n -r %s -T fields -E separator='|' %s 2>/dev/null",
		 path, fields);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n < MAXFRAMES && fgets(lines[n], 512, p)) {
		lines[n][strcspn(lines[n], "\n")] = 0;
		n++;
	}
	pclose(p);
	unlink(path);
	rmdir(dir);
	return n;
}

static uint16_t frame_proto(const uint8_t *f, size_t len, size_t *off)
{
	size_t o = (len >= 2 && f[0] == 0xff && f[1] == 0x03) ? 2 : 0;
	uint16_t pr = f[o];

	if (!(pr & 1))
		pr = (uint16_t)(pr << 8 | f[++o]);
	*off = o + 1;
	return pr;
}

static char lines[MAXFRAMES][512];

static void check_every_frame(const struct cap *c)
{
	int n = decode(c,
		       "-e ppp.protocol -e _ws.malformed -e ppp.code -e ppp.identifier "
		       "-e ppp.length -e chap.code -e chap.identifier -e chap.length -e pap.code "
		       "-e pap.identifier -e pap.length",
		       lines);

	if (n != c->n) {
		for (int i = 0; i < n; i++)
			fprintf(stderr, "%d: %s\n", i + 1, lines[i]);
		fail_msg("tshark decoded %d frames, we wrote %d", n, c->n);
	}
	for (int i = 0; i < n; i++) {
		char want[128];
		size_t off;
		uint16_t pr = frame_proto(c->f[i], c->len[i], &off);
		const uint8_t *h = c->f[i] + off;
		unsigned code, id, len, got;

		/* protocol first, then no malformed marker */
		assert_int_equal(sscanf(lines[i], "0x%x", &got), 1);
		assert_int_equal(got, pr);
		snprintf(want, sizeof(want), "0x%04x||", pr);
		if (pr == L2TP_PPP_IP || pr == 0x4021) {
			assert_memory_equal(lines[i], want, strlen(want));
			continue;
		}
		code = h[0];
		id = h[1];
		len = (unsigned)(h[2] << 8 | h[3]);
		if (pr == L2TP_PPP_CHAP) /* their own fields */
			snprintf(want, sizeof(want), "0x%04x|||||%u|%u|%u", pr, code, id, len);
		else if (pr == L2TP_PPP_PAP)
			snprintf(want, sizeof(want), "0x%04x||||||||%u|%u|%u", pr, code, id, len);
		else
			snprintf(want, sizeof(want), "0x%04x||%u|%u|%u", pr, code, id, len);
		if (strncmp(lines[i], want, strlen(want)))
			fail_msg("frame %d: tshark says \"%s\", we built \"%s\"", i + 1, lines[i],
				 want);
	}
	printf("  tshark: %d PPP frames decoded as built\n", n);
}

static void test_tshark_ppp_chap_session(void **state)
{
	static struct cap c;
	bool name = false, given = false, magic = false;
	int n;

	if (!have_tshark())
		skip();
	session(&c, L2TP_PPP_AUTH_CHAP);
	check_every_frame(&c);
	n = decode(&c,
		   "-e chap.name -e chap.value_size -e ipcp.opt.ip_address -e lcp.opt.mru "
		   "-e lcp.opt.magic_number -e lcp.opt.auth_protocol",
		   lines);
	for (int i = 0; i < n; i++) {
		if (strstr(lines[i], "alice|16|"))
			name = true;
		if (strstr(lines[i], "|192.0.2.2|"))
			given = true;
		if (strstr(lines[i], "|1400|0x") && strstr(lines[i], "0xc223"))
			magic = true;
	}
	assert_true(name);
	assert_true(given);
	assert_true(magic);
}

static void test_tshark_ppp_pap_session(void **state)
{
	static struct cap c;
	bool peer = false;
	int n;

	if (!have_tshark())
		skip();
	session(&c, L2TP_PPP_AUTH_PAP);
	check_every_frame(&c);
	n = decode(&c, "-e pap.peer_id -e pap.password", lines);
	for (int i = 0; i < n; i++)
		if (!strcmp(lines[i], "alice|pw"))
			peer = true;
	assert_true(peer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tshark_ppp_chap_session),
	    cmocka_unit_test(test_tshark_ppp_pap_session),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
