// SPDX-License-Identifier: MIT
/*
 * testlib.c - helpers shared by the unit tests (hex vectors, PRNG).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testlib.h"

static int nibble(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

size_t tl_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (const char *p = hex; *p; p++) {
		int v;

		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			if (!*p)
				break;
			continue;
		}
		if (strchr(" \t\r\n|:-", *p))
			continue;
		v = nibble(*p);
		if (v < 0)
			fail_msg("bad hex character '%c'", *p);
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			fail_msg("hex vector longer than %zu bytes", cap);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		fail_msg("odd number of hex digits");
	return n;
}

void tl_rng_seed(struct tl_rng *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

uint64_t tl_rng_next(struct tl_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

uint32_t tl_rng_below(struct tl_rng *r, uint32_t n)
{
	return (uint32_t)(tl_rng_next(r) % n);
}

void tl_rng_fill(struct tl_rng *r, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(tl_rng_next(r) >> 32);
}

int tl_rand_fn(void *user, uint8_t *buf, size_t len)
{
	tl_rng_fill(user, buf, len);
	return 0;
}

void tl_dump(const char *label, const uint8_t *buf, size_t len)
{
	fprintf(stderr, "%s (%zu):", label, len);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", buf[i]);
	fprintf(stderr, "\n");
}
