// SPDX-License-Identifier: MIT
/*
 * simnet.c - the simulated network of simnet.h: a binary min-heap of
 * deliveries keyed by (time, sequence), so equal times keep their order
 * and a seed gives the same run every time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../interop/pcap.h"
#include "simnet.h"

struct ev {
	l2tp_time_t at;
	uint64_t seq;
	struct sim_dgram d;
};

struct simnet {
	struct sim_rng r;
	char names[SIM_MAX_NODES][SIM_NAME_MAX + 1];
	bool ipv6, udp;
	int n_nodes;
	struct sim_link link[SIM_MAX_NODES][SIM_MAX_NODES];
	struct sim_link_stats st[SIM_MAX_NODES][SIM_MAX_NODES];
	struct ev *heap;
	size_t len, cap;
	uint64_t seq;
	struct pcap_w cap_w;
	bool capturing, cap_err;
};

uint64_t sim_seed(uint64_t fallback)
{
	const char *s = getenv("SIM_SEED");
	uint64_t v = s && *s ? strtoull(s, NULL, 0) : fallback;

	fprintf(stderr, "sim: seed=%llu (replay with SIM_SEED=%llu)\n", (unsigned long long)v,
		(unsigned long long)v);
	return v;
}

void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	r->s = seed * 0x9e3779b97f4a7c15ull ^ 0x2545f4914f6cdd1dull;
	if (!r->s)
		r->s = 0x2545f4914f6cdd1dull;
}

uint64_t sim_rng_next(struct sim_rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ull;
}

uint64_t sim_rng_below(struct sim_rng *r, uint64_t n)
{
	return n ? sim_rng_next(r) % n : 0;
}

double sim_rng_unit(struct sim_rng *r)
{
	return (double)(sim_rng_next(r) >> 11) / 9007199254740992.0;
}

struct sim_rng *sim_rng(struct simnet *n)
{
	return &n->r;
}

static uint64_t rnd(struct simnet *n)
{
	return sim_rng_next(&n->r);
}

static double unit(struct simnet *n)
{
	return sim_rng_unit(&n->r);
}

static l2tp_time_t upto(struct simnet *n, l2tp_time_t max)
{
	return max ? rnd(n) % (max + 1) : 0;
}

struct simnet *sim_new(uint64_t seed)
{
	struct simnet *n = calloc(1, sizeof(*n));

	if (!n)
		abort();
	sim_rng_seed(&n->r, seed);
	for (int i = 0; i < SIM_MAX_NODES; i++)
		for (int j = 0; j < SIM_MAX_NODES; j++)
			n->link[i][j].delay = L2TP_MSEC;
	return n;
}

void sim_free(struct simnet *n)
{
	for (size_t i = 0; i < n->len; i++)
		free(n->heap[i].d.data);
	free(n->heap);
	sim_capture_close(n);
	free(n);
}

int sim_add_node(struct simnet *n, const char *name)
{
	if (n->n_nodes >= SIM_MAX_NODES)
		return -ENOSPC;
	snprintf(n->names[n->n_nodes], sizeof(n->names[0]), "%s", name ? name : "");
	return n->n_nodes++;
}

const char *sim_node_name(const struct simnet *n, int node)
{
	return node >= 0 && node < n->n_nodes ? n->names[node] : "?";
}

void sim_link_set(struct simnet *n, int from, int to, const struct sim_link *l)
{
	static const struct sim_link def = {.delay = L2TP_MSEC};

	n->link[from][to] = l ? *l : def;
}

const struct sim_link_stats *sim_link_stats(const struct simnet *n, int from, int to)
{
	return &n->st[from][to];
}

static bool before(const struct ev *a, const struct ev *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void push(struct simnet *n, int from, int to, const uint8_t *pkt, size_t len, l2tp_time_t at)
{
	struct ev e = {.at = at, .seq = n->seq++, .d = {from, to, at, malloc(len ? len : 1), len}};
	size_t i;

	if (!e.d.data)
		abort();
	memcpy(e.d.data, pkt, len);
	if (n->len == n->cap) {
		n->cap = n->cap ? n->cap * 2 : 256;
		n->heap = realloc(n->heap, n->cap * sizeof(*n->heap));
		if (!n->heap)
			abort();
	}
	i = n->len++;
	while (i && before(&e, &n->heap[(i - 1) / 2])) {
		n->heap[i] = n->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	n->heap[i] = e;
}

int sim_send(struct simnet *n, int from, int to, const uint8_t *pkt, size_t len, l2tp_time_t now)
{
	const struct sim_link *l = &n->link[from][to];
	struct sim_link_stats *st = &n->st[from][to];
	l2tp_time_t at = now + l->delay + upto(n, l->jitter);

	int queued = 1;

	if (from < 0 || to < 0 || from >= n->n_nodes || to >= n->n_nodes || (!pkt && len))
		return -EINVAL;
	if (len > SIM_MAX_DGRAM)
		return -EMSGSIZE;
	if (n->len >= SIM_MAX_PENDING)
		return -ENOBUFS;
	st->sent++;
	if (n->capturing && from < 2 && to < 2) {
		struct pcap_flow fl = {.ipver = n->ipv6 ? 6 : 4, .udp = n->udp, .reverse = from == 1};

		if (pcap_write_l2tp(&n->cap_w, &fl, pkt, len) < 0)
			n->cap_err = true;
	}
	if (l->mtu && len > l->mtu) {
		st->dropped_mtu++;
		return 0;
	}
	if (l->loss > 0 && unit(n) < l->loss) {
		st->dropped_loss++;
		return 0;
	}
	if (l->reorder > 0 && unit(n) < l->reorder) {
		st->reordered++;
		at += upto(n, 3 * l->delay + l->jitter);
	}
	push(n, from, to, pkt, len, at);
	if (l->dup > 0 && unit(n) < l->dup) {
		st->duplicated++;
		push(n, from, to, pkt, len, at + upto(n, l->delay + l->jitter));
		queued++;
	}
	return queued;
}

l2tp_time_t sim_next_time(const struct simnet *n)
{
	return n->len ? n->heap[0].at : L2TP_TIME_NEVER;
}

bool sim_pop(struct simnet *n, l2tp_time_t until, struct sim_dgram *out)
{
	struct ev last;
	size_t i = 0;

	if (!n->len || n->heap[0].at > until)
		return false;
	if (out)
		*out = n->heap[0].d;
	else
		free(n->heap[0].d.data);
	n->st[n->heap[0].d.from][n->heap[0].d.to].delivered++;
	last = n->heap[--n->len];
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n->len)
			break;
		if (c + 1 < n->len && before(&n->heap[c + 1], &n->heap[c]))
			c++;
		if (!before(&n->heap[c], &last))
			break;
		n->heap[i] = n->heap[c];
		i = c;
	}
	if (n->len)
		n->heap[i] = last;
	return true;
}

size_t sim_pending(const struct simnet *n)
{
	return n->len;
}

void sim_dgram_free(struct sim_dgram *d)
{
	free(d->data);
	d->data = NULL;
}

void sim_clear(struct simnet *n)
{
	for (size_t i = 0; i < n->len; i++) {
		n->st[n->heap[i].d.from][n->heap[i].d.to].cleared++;
		free(n->heap[i].d.data);
	}
	n->len = 0;
}

/*
 * Node 0 is 192.0.2.1 (2001:db8::1), node 1 198.51.100.1 (2001:db8::2):
 * the addresses of tests/interop/pcap.h. Only those two are captured.
 */
int sim_capture_open(struct simnet *n, const char *path, bool ipv6, bool udp)
{
	sim_capture_close(n);
	if (pcap_open(&n->cap_w, path) < 0)
		return -errno;
	n->capturing = true;
	n->cap_err = false;
	n->ipv6 = ipv6;
	n->udp = udp;
	return 0;
}

int sim_capture_close(struct simnet *n)
{
	int rc;

	if (!n->capturing)
		return 0;
	n->capturing = false;
	rc = pcap_close(&n->cap_w);
	return rc < 0 || n->cap_err ? -EIO : 0;
}

uint64_t sim_capture_count(const struct simnet *n)
{
	return n->cap_w.count;
}
