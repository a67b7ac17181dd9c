/* SPDX-License-Identifier: MIT */
/*
 * testlib.h - helpers shared by the unit tests: hex vectors, a seeded PRNG
 * and a deterministic l2tp_rand_fn. Test code only.
 */
#ifndef L2TP_TESTLIB_H
#define L2TP_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode hex text into |out|/|cap|. Whitespace, '|', ':' and '-' separate
 * nothing and are skipped; "#" starts a comment to the end of the line.
 * Returns the byte count; fails the running cmocka test on bad input.
 */
size_t tl_hex(const char *hex, uint8_t *out, size_t cap);

/* xorshift64* PRNG; a seed of 0 is replaced by a fixed constant. */
struct tl_rng {
	uint64_t s;
};
void tl_rng_seed(struct tl_rng *r, uint64_t seed);
uint64_t tl_rng_next(struct tl_rng *r);
uint32_t tl_rng_below(struct tl_rng *r, uint32_t n); /* 0..n-1, n > 0 */
void tl_rng_fill(struct tl_rng *r, uint8_t *buf, size_t len);

/* An l2tp_rand_fn whose |user| is a struct tl_rng *. */
int tl_rand_fn(void *user, uint8_t *buf, size_t len);

/* Print |buf| as hex to stderr with a label (for debugging failures). */
void tl_dump(const char *label, const uint8_t *buf, size_t len);

#endif /* L2TP_TESTLIB_H */
