// SPDX-License-Identifier: MIT
/*
 * fuzz_msg.c - l2tp_msg_parse() on arbitrary bodies, v2 and v3, with and
 * without a shared secret. Views must stay inside the input or scratch.
 */
#include <stdlib.h>

#include <l2tp/msg.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t scratch[4096];

static void check_view(struct l2tp_view v, const uint8_t *data, size_t size)
{
	const uint8_t *lo, *hi;

	if (!v.len)
		return;
	lo = v.p;
	hi = v.p + v.len;
	if (lo >= data && hi <= data + size)
		return;
	if (lo >= scratch && hi <= scratch + sizeof(scratch))
		return;
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t secret[] = "secret"; /* the corpus vectors use it */

	for (int v = 2; v <= 3; v++) {
		for (int s = 0; s < 2; s++) {
			struct l2tp_msg m;
			struct l2tp_diag d = {0};
			int rc = l2tp_msg_parse(data, size, v, s ? secret : NULL,
						s ? sizeof(secret) - 1 : 0, scratch,
						sizeof(scratch), &m, &d);

			if (rc < 0) {
				if (!d.reason || d.offset > size)
					abort();
				continue;
			}
			if (rc == L2TP_MSG_ZLB) {
				if (size != 0)
					abort();
				continue;
			}
			(void)l2tp_catalog_msg_name(m.type);
			check_view(m.host_name, data, size);
			check_view(m.vendor_name, data, size);
			check_view(m.result.message, data, size);
			check_view(m.remote_end_id, data, size);
			check_view(m.random_vector, data, size);
			if (m.n_raw > L2TP_MSG_MAX_RAW || m.n_pw_caps > L2TP_MSG_MAX_PW_CAPS)
				abort();
			for (size_t i = 0; i < m.n_raw; i++)
				check_view((struct l2tp_view){m.raw[i].value, m.raw[i].len}, data,
					   size);
		}
	}
	return 0;
}
