/* SPDX-License-Identifier: MIT */
/*
 * l2tp/types.h - scalar types, the bounded cursor and parse diagnostics.
 *
 * Every read or write of wire data in libl2tp goes through a struct
 * l2tp_cursor: reads and writes that would cross the end of the buffer fail
 * (return -EPROTO for reads, -ENOSPC for writes) and never touch memory past
 * it. The cursor does not own its buffer.
 */
#ifndef L2TP_TYPES_H
#define L2TP_TYPES_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

/* Monotonic time in nanoseconds, always passed in by the caller. */
typedef uint64_t l2tp_time_t;
#define L2TP_TIME_NEVER UINT64_MAX
#define L2TP_MSEC ((l2tp_time_t)1000000)
#define L2TP_SEC ((l2tp_time_t)1000000000)

/* Randomness comes from the caller too: fill |buf| with |len| random bytes. */
typedef int (*l2tp_rand_fn)(void *user, uint8_t *buf, size_t len);

/*
 * The allocator a context uses for every object it makes (tunnels, sessions,
 * queued control messages, hash tables). |alloc| returns zeroed memory or
 * NULL; NULL members mean calloc() and free(). Tests pass one that fails
 * the Nth call (STYLE.md §3.7, failmalloc).
 */
struct l2tp_mem {
	void *(*alloc)(void *user, size_t size);
	void (*free)(void *user, void *ptr);
	void *user;
};

/*
 * Where and why a parse failed. Parsers fill it (when given one) before
 * returning a negative code, so logs and tests can say exactly which byte
 * and which AVP was at fault.
 */
struct l2tp_diag {
	size_t offset;		/* byte offset into the buffer parsed */
	uint16_t vendor;	/* vendor id of the AVP at fault (0 = IETF) */
	uint16_t attr;		/* attribute type of the AVP at fault */
	bool has_attr;		/* vendor/attr are meaningful */
	const char *reason;	/* static string, never NULL when set */
};

static inline void l2tp_diag_set(struct l2tp_diag *d, size_t off, const char *why)
{
	if (d) {
		d->offset = off;
		d->has_attr = false;
		d->reason = why;
	}
}

static inline void l2tp_diag_set_avp(struct l2tp_diag *d, size_t off, uint16_t vendor,
				     uint16_t attr, const char *why)
{
	if (d) {
		d->offset = off;
		d->vendor = vendor;
		d->attr = attr;
		d->has_attr = true;
		d->reason = why;
	}
}

/*
 * A bounded cursor over caller memory. |pos| only moves forward on success.
 * Reads return -EPROTO when fewer bytes remain than asked for; writes
 * return -ENOSPC. Multi-byte values are big-endian (network order).
 */
struct l2tp_cursor {
	uint8_t *buf;
	size_t len;
	size_t pos;
};

static inline void l2tp_cur_init(struct l2tp_cursor *c, const void *buf, size_t len)
{
	c->buf = (uint8_t *)buf; /* writers pass writable memory; readers never write */
	c->len = len;
	c->pos = 0;
}

static inline size_t l2tp_cur_left(const struct l2tp_cursor *c)
{
	return c->len - c->pos;
}

static inline const uint8_t *l2tp_cur_ptr(const struct l2tp_cursor *c)
{
	return c->buf + c->pos;
}

static inline int l2tp_cur_skip(struct l2tp_cursor *c, size_t n)
{
	if (l2tp_cur_left(c) < n)
		return -EPROTO;
	c->pos += n;
	return 0;
}

static inline int l2tp_cur_get_u8(struct l2tp_cursor *c, uint8_t *v)
{
	if (l2tp_cur_left(c) < 1)
		return -EPROTO;
	*v = c->buf[c->pos++];
	return 0;
}

static inline int l2tp_cur_get_u16(struct l2tp_cursor *c, uint16_t *v)
{
	if (l2tp_cur_left(c) < 2)
		return -EPROTO;
	*v = (uint16_t)(c->buf[c->pos] << 8 | c->buf[c->pos + 1]);
	c->pos += 2;
	return 0;
}

static inline int l2tp_cur_get_u32(struct l2tp_cursor *c, uint32_t *v)
{
	const uint8_t *p = c->buf + c->pos;

	if (l2tp_cur_left(c) < 4)
		return -EPROTO;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	c->pos += 4;
	return 0;
}

static inline int l2tp_cur_get_u64(struct l2tp_cursor *c, uint64_t *v)
{
	uint32_t hi, lo;

	if (l2tp_cur_left(c) < 8)
		return -EPROTO;
	l2tp_cur_get_u32(c, &hi);
	l2tp_cur_get_u32(c, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static inline int l2tp_cur_get_bytes(struct l2tp_cursor *c, void *dst, size_t n)
{
	if (l2tp_cur_left(c) < n)
		return -EPROTO;
	if (n)
		memcpy(dst, c->buf + c->pos, n);
	c->pos += n;
	return 0;
}

/* Borrow |n| bytes in place: *|p| points into the cursor's buffer. */
static inline int l2tp_cur_get_view(struct l2tp_cursor *c, const uint8_t **p, size_t n)
{
	if (l2tp_cur_left(c) < n)
		return -EPROTO;
	*p = c->buf + c->pos;
	c->pos += n;
	return 0;
}

static inline int l2tp_cur_put_u8(struct l2tp_cursor *c, uint8_t v)
{
	if (l2tp_cur_left(c) < 1)
		return -ENOSPC;
	c->buf[c->pos++] = v;
	return 0;
}

static inline int l2tp_cur_put_u16(struct l2tp_cursor *c, uint16_t v)
{
	if (l2tp_cur_left(c) < 2)
		return -ENOSPC;
	c->buf[c->pos] = (uint8_t)(v >> 8);
	c->buf[c->pos + 1] = (uint8_t)v;
	c->pos += 2;
	return 0;
}

static inline int l2tp_cur_put_u32(struct l2tp_cursor *c, uint32_t v)
{
	uint8_t *p = c->buf + c->pos;

	if (l2tp_cur_left(c) < 4)
		return -ENOSPC;
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	c->pos += 4;
	return 0;
}

static inline int l2tp_cur_put_u64(struct l2tp_cursor *c, uint64_t v)
{
	if (l2tp_cur_left(c) < 8)
		return -ENOSPC;
	l2tp_cur_put_u32(c, (uint32_t)(v >> 32));
	l2tp_cur_put_u32(c, (uint32_t)v);
	return 0;
}

static inline int l2tp_cur_put_bytes(struct l2tp_cursor *c, const void *src, size_t n)
{
	if (l2tp_cur_left(c) < n)
		return -ENOSPC;
	if (n)
		memcpy(c->buf + c->pos, src, n);
	c->pos += n;
	return 0;
}

/* Overwrite a big-endian u16 at absolute offset |off| (length fields). */
static inline int l2tp_cur_patch_u16(struct l2tp_cursor *c, size_t off, uint16_t v)
{
	if (off > c->len || c->len - off < 2)
		return -ENOSPC;
	c->buf[off] = (uint8_t)(v >> 8);
	c->buf[off + 1] = (uint8_t)v;
	return 0;
}

/* Propagate a negative return: the one flow macro libl2tp uses (STYLE §3.4). */
#define L2TP_TRY(expr)                                                                             \
	do {                                                                                       \
		int try_rc_ = (expr);                                                              \
		if (try_rc_ < 0)                                                                   \
			return try_rc_;                                                            \
	} while (0)

#define L2TP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* L2TP_TYPES_H */
