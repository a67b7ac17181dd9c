// SPDX-License-Identifier: MIT
/*
 * fuzz_hidden.c - hidden AVP values (RFC 2661 §4.3).
 * Input: [secret len][secret][rv len][rv][type u16][hidden value...].
 * Unhides the value; then hides it again with the same key and checks that
 * unhiding gives the value back.
 */
#include <stdlib.h>

#include <l2tp/avp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[1100], buf[1100], back[1100];
	struct l2tp_cursor in;
	struct l2tp_hide_key key = {0};
	const uint8_t *hidden;
	uint8_t slen, rvlen;
	uint16_t type;
	size_t hlen;
	int n;

	l2tp_cur_init(&in, data, size);
	if (l2tp_cur_get_u8(&in, &slen) || l2tp_cur_get_view(&in, &key.secret, slen) ||
	    l2tp_cur_get_u8(&in, &rvlen) || l2tp_cur_get_view(&in, &key.rv, rvlen) ||
	    l2tp_cur_get_u16(&in, &type))
		return 0;
	key.secret_len = slen;
	key.rv_len = rvlen;
	hlen = l2tp_cur_left(&in);
	hidden = l2tp_cur_ptr(&in);

	n = l2tp_avp_unhide(type, hidden, hlen, &key, out, sizeof(out));
	if (n < 0)
		return 0;
	if ((size_t)n > hlen - 2)
		abort();
	/* hide again without padding, then unhide: the value comes back */
	struct l2tp_cursor c;
	struct l2tp_avp_iter it;
	struct l2tp_avp a;

	l2tp_cur_init(&c, buf, sizeof(buf));
	if (l2tp_avp_put_hidden(&c, true, 0, type, out, (size_t)n, &key, NULL, 0) != 0)
		abort();
	l2tp_avp_iter_init(&it, buf, c.pos);
	if (l2tp_avp_next(&it, &a, NULL) != 1 || !a.hidden || a.len != n + 2)
		abort();
	if (l2tp_avp_unhide(type, a.value, a.len, &key, back, sizeof(back)) != n)
		abort();
	if (n && memcmp(back, out, (size_t)n) != 0)
		abort();
	/* the hidden value without padding is the input's prefix */
	if (memcmp(a.value, hidden, (size_t)n + 2) != 0)
		abort();
	return 0;
}
