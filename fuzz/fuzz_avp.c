// SPDX-License-Identifier: MIT
/*
 * fuzz_avp.c - the AVP iterator on arbitrary bytes: every AVP it yields lies
 * inside the input, and writing it back gives the same bytes.
 */
#include <stdlib.h>

#include <l2tp/avp.h>
#include <l2tp/catalog.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[2048];
	struct l2tp_avp_iter it;
	struct l2tp_avp a;
	struct l2tp_diag d = {0};
	size_t end = 0;
	int rc;

	l2tp_avp_iter_init(&it, data, size);
	while ((rc = l2tp_avp_next(&it, &a, &d)) == 1) {
		struct l2tp_cursor c;
		uint16_t v16;
		uint32_t v32;
		uint64_t v64;
		uint16_t fl;

		if (a.offset != end || a.value != data + a.offset + 6 ||
		    a.offset + 6 + a.len > size)
			abort();
		end = a.offset + 6 + a.len;
		(void)l2tp_avp_u16(&a, &v16);
		(void)l2tp_avp_u32(&a, &v32);
		(void)l2tp_avp_u64(&a, &v64);
		(void)l2tp_catalog_avp_name(a.vendor, a.type);
		fl = (uint16_t)((a.mandatory ? L2TP_AVP_F_M : 0) | (a.hidden ? L2TP_AVP_F_H : 0) |
				(a.rsvd << 10));
		l2tp_cur_init(&c, out, sizeof(out));
		if (l2tp_avp_put(&c, fl, a.vendor, a.type, a.value, a.len) != 0)
			abort();
		if (c.pos != 6u + a.len || memcmp(out, data + a.offset, c.pos) != 0)
			abort();
	}
	if (rc == 0 && end != size)
		abort();
	if (rc < 0 && (!d.reason || d.offset != end))
		abort();
	return 0;
}
