// SPDX-License-Identifier: MIT
/*
 * daemon/datapath/ebpf/l2tp.bpf.c - L2TPv3 pseudowires in tc programs.
 *
 * l2tp_encap runs on the tcx egress of a session's netdev (l2tpethN, a veth
 * end), or for IP encapsulation and for UDP with checksums on the ingress
 * of its veth peer (after the kernel has cut TCP frames into segments:
 * ebpf.c tx_segmented() says why): it puts outer IPv4/IPv6, UDP (with its
 * checksum, RFC 768) or IP protocol 115, the session header
 * (RFC 3931 §4.1.2.2 / §4.1.2.1), the cookie and the default sublayer
 * (§4.6) in front of the frame and redirects it to the underlay device that
 * a FIB lookup names. l2tp_decap runs on the underlay's tcx ingress: a data
 * packet of a known session with the right addresses and cookie is stripped
 * and redirected into the session netdev's ingress; everything else
 * (control messages, unknown sessions, other traffic) goes on to the stack
 * untouched, so l2tpd's sockets still see it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "l2tp_bpf.h"

#define IPPROTO_L2TP_ 115
#define AF_INET_ 2
#define AF_INET6_ 10

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, L2TP_BPF_MAX_SESSIONS);
	__type(key, __u32); /* the session netdev's ifindex */
	__type(value, struct l2tp_bpf_sess);
} tx_sessions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, L2TP_BPF_MAX_SESSIONS);
	__type(key, __u32); /* our session id, network order */
	__type(value, struct l2tp_bpf_sess);
} rx_sessions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, L2TP_BPF_MAX_SESSIONS);
	__type(key, __u32);
	__type(value, struct l2tp_bpf_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, L2TP_BPF_MAX_SESSIONS);
	__type(key, __u32);
	__type(value, struct l2tp_bpf_seq);
} seqs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, L2TP_BPF_EVENTS_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, L2TP_BPF_MAX_SESSIONS);
	__type(key, __u32);
	__type(value, struct l2tp_bpf_fib);
} fibs SEC(".maps");

/* Where udp_sum copies packet bytes to (bpf_csum_diff wants memory). */
struct csum_scratch {
	__u8 b[L2TP_BPF_CSUM_CHUNK + 4];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct csum_scratch);
} scratch SEC(".maps");

/*
 * skb->ip_summed, which struct __sk_buff does not show: the kernel's
 * sk_buff through bpf_cast_to_kern_ctx (Linux 6.3), the field found by
 * CO-RE in the running kernel's BTF.
 */
struct sk_buff___l2tp {
	__u8 ip_summed : 2;
	unsigned char *head;
	unsigned int end; /* the offset of struct skb_shared_info from head */
} __attribute__((preserve_access_index));

struct skb_shared_info___l2tp {
	unsigned int gso_type;
} __attribute__((preserve_access_index));

/* include/linux/skbuff.h (an enum without a name: CO-RE cannot look it up) */
#define SKB_GSO_UDP_L4_ (1u << 17)
#define SKB_GSO_FRAGLIST_ (1u << 18)

extern void *bpf_cast_to_kern_ctx(void *) __ksym;

#define CHECKSUM_UNNECESSARY_ 1
#define CHECKSUM_PARTIAL_ 3

/*
 * The ones' complement sum (RFC 768; the caller folds it) of |len| bytes of
 * |skb| from |off|, added to |sum|; -1 if the packet is shorter or |len|
 * is more than the chunks cover. A chunk of 512 (a multiple of 4) keeps
 * every chunk but the last 16-bit aligned; the last is padded with zeros.
 */
static __always_inline int udp_sum(struct __sk_buff *skb, __u32 off, __u32 len, __u32 *sum)
{
	__u32 k = 0;
	struct csum_scratch *c = bpf_map_lookup_elem(&scratch, &k);
	__s64 r = *sum;

	if (!c || len > L2TP_BPF_CSUM_CHUNK * L2TP_BPF_CSUM_CHUNKS)
		return -1;
	for (int i = 0; i < L2TP_BPF_CSUM_CHUNKS; i++) {
		__u32 done = (__u32)i * L2TP_BPF_CSUM_CHUNK, n;

		if (done >= len)
			break;
		n = len - done;
		if (n > L2TP_BPF_CSUM_CHUNK)
			n = L2TP_BPF_CSUM_CHUNK;
		if (n < 1)
			return -1;
		/* the word the last bytes end in: zero first, then load */
		*(__u32 *)&c->b[n & ~3u] = 0;
		if (bpf_skb_load_bytes(skb, off + done, c->b, n) < 0)
			return -1;
		r = bpf_csum_diff(NULL, 0, (__be32 *)c->b, (n + 3) & ~3u, (__u32)r);
		if (r < 0)
			return -1;
	}
	*sum = (__u32)r;
	return 0;
}

/*
 * The pseudo header's sum (RFC 768; RFC 8200 §8.1): addresses, the UDP
 * length and protocol 17, the same sum as 32-bit words in either family.
 */
static __always_inline __u32 pseudo_sum(int v6, const void *saddr, const void *daddr,
					__u32 ulen)
{
	__u32 ph[10] = {};
	__s64 r;

	if (v6) {
		__builtin_memcpy(&ph[0], saddr, 16);
		__builtin_memcpy(&ph[4], daddr, 16);
		ph[8] = bpf_htonl(ulen);
		ph[9] = bpf_htonl(IPPROTO_UDP);
		r = bpf_csum_diff(NULL, 0, ph, 40, 0);
	} else {
		__builtin_memcpy(&ph[0], saddr, 4);
		__builtin_memcpy(&ph[1], daddr, 4);
		ph[2] = bpf_htonl(ulen);
		ph[3] = bpf_htonl(IPPROTO_UDP);
		r = bpf_csum_diff(NULL, 0, ph, 16, 0);
	}
	return r < 0 ? 0 : (__u32)r;
}

/* Does |s| number its frames now (struct l2tp_bpf_seq's send_live)? */
static __always_inline int numbering(const struct l2tp_bpf_sess *s, const struct l2tp_bpf_seq *q)
{
	return q->send_live ? q->send_live == 1 : !!(s->flags & L2TP_BPF_SEQ);
}

/*
 * The peer made |s| (no lns_mode) number (|to| 1) or stop (2): send_live
 * set, and when that changes whether we number, l2tpd told (struct
 * l2tp_bpf_event) so that it moves the session where frames are numbered
 * one segment at a time, or back. One event per change, not per packet:
 * of several CPUs that see the change at once, the one whose compare-and-
 * swap wins sends it. A full ring (l2tpd not reading) leaves send_live as
 * it was: the next frame tries again, and l2tpd never misses a change.
 */
static __always_inline void live_set(const struct l2tp_bpf_sess *s, struct l2tp_bpf_seq *q,
				     __u32 to)
{
	__u32 was = q->send_live;
	struct l2tp_bpf_event *ev = NULL;
	int before = was ? was == 1 : !!(s->flags & L2TP_BPF_SEQ);

	if (before != (to == 1)) {
		ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
		if (!ev)
			return;
	}
	if (__sync_val_compare_and_swap(&q->send_live, was, to) != was) {
		if (ev)
			bpf_ringbuf_discard(ev, 0);
		return;
	}
	if (ev) {
		ev->idx = s->idx;
		ev->send_live = to;
		bpf_ringbuf_submit(ev, 0);
	}
}

/*
 * Set by tests (BPF_PROG_TEST_RUN): no FIB lookup and no redirect. A
 * constant, so that the verifier removes the test-only code from the
 * programs l2tpd loads.
 */
volatile const __u32 test_mode = 0;

/*
 * Tests only (test_mode): the route's MTU that stands in for the FIB
 * lookup's answer (0: any size fits; the lookup's device is the one it
 * starts from), and where the packet would have been redirected, so that
 * what follows the lookup (the cache, the choice of fragments, the
 * counters, the redirect target) is the code that runs for real.
 */
__u32 test_mtu = 0;
__u32 test_redirect = 0;

/*
 * l2tpd's fragment device (ebpf.c, frag_open()): a TAP that l2tpd reads and
 * writes, 0 when there is none. Packets larger than the underlay's MTU
 * leave through it to l2tpd, which sends them on a socket of the tunnel's,
 * so that the stack cuts them into fragments (a redirect never does);
 * packets the stack reassembled come back in through it (l2tp_reasm).
 */
__u32 frag_ifindex = 0;

/*
 * The cookie of l2tpd's network namespace (SO_NETNS_COOKIE), 0 if unknown.
 * A session's l2tpethN may be moved to another namespace (`ip link set
 * l2tpeth0 netns NAME`, a container's): l2tp_encap on its egress then runs
 * there, where ifindexes, routes and FIB results are not l2tpd's. It must
 * neither look up tx_sessions by an ifindex of that namespace (it may be
 * another session's key here) nor use the FIB or the cached oif; the frame
 * goes down the veth instead, to l2tp_encap on l2tpdpN's ingress, here.
 */
__u64 our_netns = 0;

struct net___l2tp {
	__u64 net_cookie;
} __attribute__((preserve_access_index));

struct possible_net_t___l2tp {
	struct net___l2tp *net;
} __attribute__((preserve_access_index));

struct net_device___l2tp {
	struct possible_net_t___l2tp nd_net;
} __attribute__((preserve_access_index));

struct sk_buff___l2tp_dev {
	struct net_device___l2tp *dev;
} __attribute__((preserve_access_index));

/* Whether |skb|'s device is in another namespace than l2tpd. */
static __always_inline int elsewhere(struct __sk_buff *skb)
{
	struct sk_buff___l2tp_dev *k;
	struct net_device___l2tp *dev;
	struct net___l2tp *net;

	if (!our_netns)
		return 0;
	/* loads through BTF pointers (the verifier makes them fault-safe) */
	k = bpf_cast_to_kern_ctx(skb);
	dev = k->dev;
	net = dev ? dev->nd_net.net : 0;
	return !net || net->net_cookie != our_netns;
}

static __always_inline struct l2tp_bpf_stats *st_of(__u32 idx)
{
	return bpf_map_lookup_elem(&stats, &idx);
}

static __always_inline __u16 csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

struct outer {
	struct ethhdr eth;
	union {
		struct iphdr ip4;
		struct ipv6hdr ip6;
	};
};

/* Headers after the outer IP header: UDP (8, optional), the v3 data header. */
struct l2tp_hdrs {
	__u8 b[8 + 8 + 8 + 4 + ETH_HLEN];
};

SEC("tc")
int l2tp_encap(struct __sk_buff *skb)
{
	__u32 key = skb->ifindex;
	struct l2tp_bpf_sess *s = bpf_map_lookup_elem(&tx_sessions, &key);
	struct l2tp_bpf_stats *st;
	struct ethhdr inner;
	struct l2tp_hdrs h = {};
	__u32 iplen, l4len, hl = 0, l2tplen, room, plen = skb->len;
	__u32 segs = skb->gso_segs > 1 ? skb->gso_segs : 1;
	__u64 flags;
	int rc;

	/* on an ingress (l2tpdpN's: skb_iif is the device) we are at home */
	if (skb->ingress_ifindex != skb->ifindex && elsewhere(skb))
		return TC_ACT_OK; /* down the veth: our_netns */
	/*
	 * No entry: on l2tpdpN's ingress (skb_iif is the device there) the
	 * session is going. On l2tpethN's egress its ifindex is not the one
	 * ebpf.c keyed: it came back from another namespace whose ifindex
	 * it had to keep, or had taken one here meanwhile; the entry under
	 * l2tpdpN's ifindex still serves it, down the veth.
	 */
	if (!s)
		return skb->ingress_ifindex == skb->ifindex ? TC_ACT_SHOT : TC_ACT_OK;
	st = st_of(s->idx);
	if (!st)
		return TC_ACT_SHOT;
	if (bpf_skb_load_bytes(skb, 0, &inner, sizeof(inner)) < 0)
		goto err;
	iplen = (s->flags & L2TP_BPF_V6) ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	l4len = (s->flags & L2TP_BPF_UDP) ? sizeof(struct udphdr) : 0;

	/* RFC 3931 §4.1.2.1: over UDP, flags/version 0x0003 and 2 reserved */
	if (s->flags & L2TP_BPF_UDP) {
		h.b[8 + 1] = 3;
		hl = 4;
	}
	__builtin_memcpy(&h.b[8 + hl], &s->peer_session_id, 4);
	hl += 4;
	if (s->cookie_len == 4) {
		__builtin_memcpy(&h.b[8 + hl], s->cookie, 4);
		hl += 4;
	} else if (s->cookie_len == 8) {
		__builtin_memcpy(&h.b[8 + hl], s->cookie, 8);
		hl += 8;
	}
	if (s->flags & L2TP_BPF_L2SPEC) {
		struct l2tp_bpf_seq *q = bpf_map_lookup_elem(&seqs, &s->idx);
		__u32 sub = 0;

		if (!q)
			goto err;
		/*
		 * A GSO frame here (UDP, no `seq send` configured: ebpf.c,
		 * tx_segmented()) would give all its segments one number;
		 * it goes unnumbered (the S bit is per packet, RFC 3931
		 * §4.6). A session following a numbering peer gets here only
		 * until l2tpd has moved it (live_set(), ebpf.c follow_update()).
		 */
		if (numbering(s, q) && skb->gso_segs <= 1) {
			__u32 ns;

			ns = __sync_fetch_and_add(&q->ns, 1) & 0xffffff;
			/* §4.6: S bit, then the 24-bit sequence number */
			sub = bpf_htonl(0x40000000 | ns);
		}
		__builtin_memcpy(&h.b[8 + hl], &sub, 4);
		hl += 4;
	}
	l2tplen = hl;
	if (hl > 20)
		goto err;
	room = iplen + l4len + l2tplen + ETH_HLEN;

	flags = BPF_F_ADJ_ROOM_ENCAP_L2(ETH_HLEN) | BPF_F_ADJ_ROOM_ENCAP_L2_ETH |
		((s->flags & L2TP_BPF_V6) ? BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 :
					    BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
	if (s->flags & L2TP_BPF_UDP)
		flags |= BPF_F_ADJ_ROOM_ENCAP_L4_UDP;
	if (skb->protocol == bpf_htons(ETH_P_IP) || skb->protocol == bpf_htons(ETH_P_IPV6)) {
		/* room after the MAC header; GSO frames get segmented after us */
		rc = bpf_skb_adjust_room(skb, room, BPF_ADJ_ROOM_MAC, flags);
	} else {
		/* ARP and others: adjust_room wants IP; these are never GSO */
		rc = bpf_skb_change_head(skb, room, 0);
	}
	if (rc < 0)
		goto err;

	/* outer IP */
	struct outer o = {};
	__u32 tot = plen + iplen + l4len + l2tplen;

	o.eth.h_proto = bpf_htons((s->flags & L2TP_BPF_V6) ? ETH_P_IPV6 : ETH_P_IP);
	if (s->flags & L2TP_BPF_V6) {
		o.ip6.version = 6;
		o.ip6.payload_len = bpf_htons(tot - iplen);
		o.ip6.nexthdr = (s->flags & L2TP_BPF_UDP) ? IPPROTO_UDP : IPPROTO_L2TP_;
		o.ip6.hop_limit = 64;
		__builtin_memcpy(&o.ip6.saddr, s->local6, 16);
		__builtin_memcpy(&o.ip6.daddr, s->peer6, 16);
	} else {
		__u32 sum = 0;
		__u16 *w = (__u16 *)&o.ip4;

		o.ip4.version = 4;
		o.ip4.ihl = 5;
		o.ip4.tot_len = bpf_htons(tot);
		o.ip4.frag_off = bpf_htons(0x4000); /* DF */
		o.ip4.ttl = 64;
		o.ip4.protocol = (s->flags & L2TP_BPF_UDP) ? IPPROTO_UDP : IPPROTO_L2TP_;
		o.ip4.saddr = s->local4;
		o.ip4.daddr = s->peer4;
		for (int i = 0; i < 10; i++)
			sum += w[i];
		o.ip4.check = csum_fold(sum);
	}
	if (s->flags & L2TP_BPF_UDP) {
		struct udphdr *u = (struct udphdr *)h.b;

		u->source = s->sport;
		u->dest = s->dport;
		u->len = bpf_htons(tot - iplen);
		u->check = 0; /* zero checksum: RFC 768 (IPv4), RFC 6935 (IPv6) */
	}
	__builtin_memcpy(&h.b[8 + l2tplen], &inner, ETH_HLEN);

	/*
	 * FIB: the egress device and the next hop's MAC, from this CPU's
	 * cache while it is fresh (a lookup costs a third of the program in
	 * a 64-byte run); ebpf.c gives a session a new |gen| on every change.
	 * The lookup also checks the route's MTU when given tot_len; the
	 * cache remembers the largest packet that passed (max_tot) and looks
	 * up again for a larger one, which is either fine (max_tot grows) or
	 * too large: then it goes out as fragments (frag_ifindex). A GSO
	 * frame's segments are checked against the device's MTU below.
	 */
	struct l2tp_bpf_fib *fc = bpf_map_lookup_elem(&fibs, &s->idx);
	__u32 oif = 0;
	int neigh = 0, frag = 0;

	__u64 now = fc ? bpf_ktime_get_coarse_ns() : 0; /* only fc needs the clock */
	int gso = skb->gso_size != 0;
	int fresh = fc && fc->gen == s->gen && now < fc->expires;

	if (fresh && (gso || tot <= fc->max_tot)) {
		__builtin_memcpy(o.eth.h_dest, fc->dmac, ETH_ALEN);
		__builtin_memcpy(o.eth.h_source, fc->smac, ETH_ALEN);
		oif = fc->oif;
	} else {
		struct bpf_fib_lookup fib = {};

		if (s->flags & L2TP_BPF_V6) {
			fib.family = AF_INET6_;
			__builtin_memcpy(fib.ipv6_src, s->local6, 16);
			__builtin_memcpy(fib.ipv6_dst, s->peer6, 16);
		} else {
			fib.family = AF_INET_;
			fib.ipv4_src = s->local4;
			fib.ipv4_dst = s->peer4;
		}
		fib.ifindex = s->fib_ifindex;
		if (!gso)
			fib.tot_len = tot;
		if (test_mode) /* as bpf_fib_lookup checks tot_len against the route's MTU */
			rc = test_mtu && fib.tot_len > test_mtu ? BPF_FIB_LKUP_RET_FRAG_NEEDED
								: BPF_FIB_LKUP_RET_SUCCESS;
		else /* an input lookup from l2tpdpN */
			rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
		if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED && frag_ifindex) {
			frag = 1; /* larger than the underlay's MTU: fragments */
		} else if (rc == BPF_FIB_LKUP_RET_NO_NEIGH && skb->protocol == o.eth.h_proto) {
			/* redirect_neigh resolves it (it needs skb->protocol = outer) */
			neigh = 1;
		} else if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
			goto err;
		}
		__builtin_memcpy(o.eth.h_dest, fib.dmac, ETH_ALEN);
		__builtin_memcpy(o.eth.h_source, fib.smac, ETH_ALEN);
		oif = fib.ifindex;
		if (fc && rc == BPF_FIB_LKUP_RET_SUCCESS) {
			if (!fresh) {
				fc->gen = s->gen;
				fc->expires = now + L2TP_BPF_FIB_TTL_NS;
				fc->max_tot = 0;
			}
			__builtin_memcpy(fc->dmac, fib.dmac, ETH_ALEN);
			__builtin_memcpy(fc->smac, fib.smac, ETH_ALEN);
			fc->oif = oif;
			if (!gso && tot > fc->max_tot)
				fc->max_tot = tot;
		}
	}
	if (!frag && gso && frag_ifindex && !test_mode) {
		/*
		 * A GSO frame whose segments, headers included, exceed
		 * the MTU: the fragment device has no offloads, so the
		 * kernel cuts it into packets there, which l2tpd sends
		 * as fragments.
		 */
		__u32 mtu = 0;

		if (bpf_check_mtu(skb, oif, &mtu, 0, BPF_MTU_CHK_SEGS) ==
		    BPF_MTU_CHK_RET_SEGS_TOOBIG)
			frag = 1;
	}

	/*
	 * The headers, written in place: after bpf_skb_adjust_room they are
	 * in the linear part (else pulled there). In struct outer the IP
	 * header is 4-byte aligned, two bytes after the 14-byte MAC header.
	 */
	__u32 off = ETH_HLEN + iplen;
	__u32 n = l4len + l2tplen + ETH_HLEN;
	__u32 src = (s->flags & L2TP_BPF_UDP) ? 0 : 8;
	void *d = (void *)(long)skb->data, *de = (void *)(long)skb->data_end;

	if (n > sizeof(h.b) || src + n > sizeof(h.b))
		goto err;
	if (d + off + n > de) {
		if (bpf_skb_pull_data(skb, off + n) < 0)
			goto err;
		d = (void *)(long)skb->data;
		de = (void *)(long)skb->data_end;
	}
	if (d + ETH_HLEN > de)
		goto err;
	__builtin_memcpy(d, &o.eth, ETH_HLEN);
	if (s->flags & L2TP_BPF_V6) {
		if (d + ETH_HLEN + sizeof(struct ipv6hdr) > de)
			goto err;
		__builtin_memcpy(d + ETH_HLEN, &o.ip6, sizeof(struct ipv6hdr));
	} else {
		if (d + ETH_HLEN + sizeof(struct iphdr) > de)
			goto err;
		__builtin_memcpy(d + ETH_HLEN, &o.ip4, sizeof(struct iphdr));
	}
	/* n is one of 14 + {4,8,12,16,20} + {0,8}: copy byte-exactly */
	__u8 *p = d + off;

	for (int i = 0; i < (int)sizeof(h.b); i += 2) {
		if (i >= n)
			break;
		if (src + i + 2 > sizeof(h.b))
			break;
		if ((void *)(p + i + 2) > de)
			goto err;
		__builtin_memcpy(p + i, &h.b[src + i], 2);
	}
	if ((s->flags & (L2TP_BPF_UDP | L2TP_BPF_CSUM)) == (L2TP_BPF_UDP | L2TP_BPF_CSUM)) {
		/*
		 * The UDP checksum over the packet as it now is. ebpf.c puts
		 * checksummed sessions where frames are already segmented,
		 * their own checksums complete (l2tpdpN's ingress): a GSO
		 * frame here would go out with one sum for all its segments.
		 */
		__u32 ulen = tot - iplen, sum;
		__u16 check;

		if (skb->gso_segs > 1)
			goto err;
		if (s->flags & L2TP_BPF_V6)
			sum = pseudo_sum(1, s->local6, s->peer6, ulen);
		else
			sum = pseudo_sum(0, &s->local4, &s->peer4, ulen);
		if (udp_sum(skb, off, ulen, &sum) < 0)
			goto err;
		check = csum_fold(sum);
		if (!check)
			check = 0xffff; /* RFC 768: a sum of zero is sent as all ones */
		if (bpf_skb_store_bytes(skb, off + 6, &check, 2, 0) < 0)
			goto err;
	}
	/* a GSO frame: the packets on the wire (their inner headers aside) */
	__sync_fetch_and_add(&st->tx_packets, segs);
	__sync_fetch_and_add(&st->tx_bytes, plen + segs * l2tplen);
	if (frag) {
		oif = frag_ifindex;
		neigh = 0; /* l2tpd's TAP: no neighbour to resolve */
	}
	if (test_mode) {
		test_redirect = oif;
		return TC_ACT_OK;
	}
	if (neigh)
		return bpf_redirect_neigh(oif, NULL, 0, 0);
	return bpf_redirect(oif, 0);
err:
	__sync_fetch_and_add(&st->tx_errors, 1);
	return TC_ACT_SHOT;
}

static __always_inline int memeq(const void *a, const void *b, int n)
{
	const __u8 *x = a, *y = b;
	__u8 d = 0;

	for (int i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return !d;
}

static __always_inline int addr_match(struct l2tp_bpf_sess *s, int v6, const void *ip)
{
	if (v6 != !!(s->flags & L2TP_BPF_V6))
		return 0;
	if (v6) {
		const struct ipv6hdr *h = ip;

		return memeq(&h->saddr, s->peer6, 16) && memeq(&h->daddr, s->local6, 16);
	}
	const struct iphdr *h = ip;

	return h->saddr == s->peer4 && h->daddr == s->local4;
}

/*
 * A packet that is not one of our sessions' goes on to the next tcx
 * program of the device (another l2tpd's, another tool's), and after the
 * last one to the stack: TC_ACT_UNSPEC is tcx's "next". TC_ACT_OK would
 * end the chain, and a second l2tpd on the same device would see nothing.
 */
#define NOT_OURS TC_ACT_UNSPEC

/*
 * Whether |skb| holds several UDP datagrams: a sender's UDP GSO
 * (UDP_SEGMENT), which a veth hands on unsegmented, or a fraglist. Only
 * the stack's UDP can cut it (udp_unexpected_gso); the programs cannot.
 */
static __always_inline int udp_datagrams(struct __sk_buff *skb)
{
	struct sk_buff___l2tp *k;
	unsigned int t = 0;
	unsigned char *head;

	if (skb->gso_segs <= 1)
		return 0;
	k = bpf_cast_to_kern_ctx(skb);
	head = BPF_CORE_READ(k, head);
	if (bpf_probe_read_kernel(&t, sizeof(t),
				  head + BPF_CORE_READ(k, end) +
					  bpf_core_field_offset(struct skb_shared_info___l2tp,
								gso_type)) < 0)
		return 1;
	return !!(t & (SKB_GSO_UDP_L4_ | SKB_GSO_FRAGLIST_));
}

/*
 * Whether the UDP checksum of a packet of session |s| (IP header at |l3|,
 * UDP at |l4|) is one the kernel's UDP would refuse. Zero: no checksum,
 * fine over IPv4 (RFC 768), over IPv6 only with udp6_csum_rx off (RFC 8200
 * §8.1, RFC 6935 §5, RFC 6936). Otherwise it must sum right, unless the
 * kernel vouches for it: CHECKSUM_UNNECESSARY (verified by a NIC, or a
 * veth's GRO), CHECKSUM_PARTIAL (a local sender's, over a veth, not filled
 * in: the field holds the pseudo header's sum only), as udp_lib_checksum_
 * complete() trusts both.
 */
static __always_inline int udp_check_bad(struct __sk_buff *skb, const struct l2tp_bpf_sess *s,
					 int v6, __u32 l3, __u32 l4)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct sk_buff___l2tp *k;
	struct udphdr *u = data + l4;
	__u32 ulen, sum;
	__u8 summed;

	if ((void *)(u + 1) > end)
		return 1;
	if (!u->check)
		return v6 && !(s->flags & L2TP_BPF_CSUM0_RX);
	ulen = bpf_ntohs(u->len);
	k = bpf_cast_to_kern_ctx(skb);
	summed = BPF_CORE_READ_BITFIELD(k, ip_summed);
	if (summed == CHECKSUM_UNNECESSARY_ || summed == CHECKSUM_PARTIAL_)
		return 0;
	if (ulen < sizeof(*u) || l4 + ulen > skb->len)
		return 1;
	if (v6) {
		struct ipv6hdr *ip6 = data + l3;

		if ((void *)(ip6 + 1) > end)
			return 1;
		sum = pseudo_sum(1, &ip6->saddr, &ip6->daddr, ulen);
	} else {
		struct iphdr *ip = data + l3;

		if ((void *)(ip + 1) > end)
			return 1;
		sum = pseudo_sum(0, &ip->saddr, &ip->daddr, ulen);
	}
	if (udp_sum(skb, l4, ulen, &sum) < 0)
		return 1;
	return csum_fold(sum) != 0; /* a right sum folds to all ones */
}

/* l2tp_decap and l2tp_reasm: TC_ACT_REDIRECT (or OK in tests), SHOT or NOT_OURS */
static __always_inline int decap(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	__u32 l3 = ETH_HLEN, l4, hoff, hl, sid, iplen;
	int v6, udp;
	__u8 proto;
	__u8 hb[20];

	if ((void *)(eth + 1) > end)
		return NOT_OURS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + l3;

		if ((void *)(ip + 1) > end || ip->ihl != 5)
			return NOT_OURS;
		if (ip->frag_off & bpf_htons(0x3fff))
			return NOT_OURS; /* fragments: the stack reassembles */
		proto = ip->protocol;
		v6 = 0;
		iplen = 20;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + l3;

		if ((void *)(ip6 + 1) > end)
			return NOT_OURS;
		proto = ip6->nexthdr;
		v6 = 1;
		iplen = 40;
	} else {
		return NOT_OURS;
	}
	l4 = l3 + iplen;
	if (proto == IPPROTO_UDP) {
		udp = 1;
		hoff = l4 + 8;
	} else if (proto == IPPROTO_L2TP_) {
		udp = 0;
		hoff = l4;
	} else {
		return NOT_OURS;
	}
	if (bpf_skb_load_bytes(skb, hoff, hb, 8) < 0)
		return NOT_OURS;
	if (udp) {
		/* RFC 3931 §4.1.2.1: T bit = control; version must be 3 */
		if ((hb[0] & 0x80) || (hb[1] & 0x0f) != 3)
			return NOT_OURS;
		__builtin_memcpy(&sid, &hb[4], 4);
		hl = 8;
	} else {
		/* §4.1.1.1: session id 0 = control */
		__builtin_memcpy(&sid, hb, 4);
		hl = 4;
	}
	if (!sid)
		return NOT_OURS;
	struct l2tp_bpf_sess *s = bpf_map_lookup_elem(&rx_sessions, &sid);

	if (!s || !!(s->flags & L2TP_BPF_UDP) != udp)
		return NOT_OURS; /* not ours: l2tpd's sockets or the stack decide */
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (data + l3 + 48 > end && skb->len > end - data) {
		/* a GSO skb may keep little more than the headers linear */
		if (bpf_skb_pull_data(skb, skb->len < l3 + 48 ? skb->len : l3 + 48) < 0)
			return NOT_OURS;
		data = (void *)(long)skb->data;
		end = (void *)(long)skb->data_end;
	}
	if (data + l3 + 40 > end)
		return NOT_OURS;
	if (!addr_match(s, v6, data + l3))
		return NOT_OURS;
	if (udp) {
		struct udphdr *u = data + l4;

		if ((void *)(u + 1) > end || u->dest != s->sport || u->source != s->dport)
			return NOT_OURS;
	}
	struct l2tp_bpf_stats *st = st_of(s->idx);

	if (!st)
		return NOT_OURS;
	/*
	 * A UDP checksum the kernel's UDP would refuse, and several datagrams
	 * in one skb (a peer on a veth with UDP GSO, such as l2tpd's user
	 * datapath with checksums on: taking them as one would deliver
	 * garbage; l2tpd(8) says what to turn off at that peer): dropped and
	 * counted.
	 */
	if (udp && (udp_datagrams(skb) || udp_check_bad(skb, s, v6, l3, l4))) {
		__sync_fetch_and_add(&st->rx_errors, 1);
		return TC_ACT_SHOT;
	}
	__u32 rest = hl + s->peer_cookie_len + ((s->flags & L2TP_BPF_L2SPEC) ? 4 : 0);

	/*
	 * hb: the session header, cookie and sublayer (at most 8 + 8 + 4).
	 * A packet of ours also holds an inner MAC header after them, so one
	 * that is not 20 bytes long here is too short whatever its shape.
	 */
	if (rest > sizeof(hb) || bpf_skb_load_bytes(skb, hoff, hb, sizeof(hb)) < 0) {
		__sync_fetch_and_add(&st->rx_invalid, 1);
		return TC_ACT_SHOT;
	}
	__u32 strip = iplen + (udp ? 8 : 0) + rest, ilen, pad = 0;

	/* a runt is invalid before its cookie or sequence number counts */
	if (skb->len < ETH_HLEN + strip + ETH_HLEN) {
		__sync_fetch_and_add(&st->rx_invalid, 1);
		return TC_ACT_SHOT;
	}
	/* the cookie follows the session id: at 8 over UDP, at 4 over IP */
	const __u8 *ck = udp ? &hb[8] : &hb[4];

	if (s->peer_cookie_len == 4) {
		if (!memeq(ck, s->peer_cookie, 4))
			goto cookie;
	} else if (s->peer_cookie_len == 8) {
		if (!memeq(ck, s->peer_cookie, 8))
			goto cookie;
	}
	if (s->flags & L2TP_BPF_L2SPEC) {
		__u32 sub, o = hl + s->peer_cookie_len;
		struct l2tp_bpf_seq *q = bpf_map_lookup_elem(&seqs, &s->idx);

		if (o > sizeof(hb) - 4 || !q)
			return TC_ACT_SHOT;
		__builtin_memcpy(&sub, &hb[o], 4);
		sub = bpf_ntohl(sub);
		if (sub & 0x40000000) {
			__u32 ns = sub & 0xffffff;

			/*
			 * §4.6: out of order = behind the next expected in
			 * the 24-bit space; no reorder queue here (drop)
			 */
			if (q->nr_valid && ((ns - q->nr) & 0xffffff) >= 0x800000) {
				__sync_fetch_and_add(&st->rx_seq_discards, 1);
				__sync_fetch_and_add(&st->rx_errors, 1);
				return TC_ACT_SHOT;
			}
			q->nr = (ns + 1) & 0xffffff;
			q->nr_valid = 1;
			if (!(s->flags & L2TP_BPF_LNS) && q->send_live != 1)
				live_set(s, q, 1); /* the peer numbers: so do we */
		} else if ((s->flags & L2TP_BPF_RECV_SEQ) ||
			   ((s->flags & L2TP_BPF_LNS) && numbering(s, q))) {
			/* recv_seq, or an LNS whose LAC stopped numbering */
			__sync_fetch_and_add(&st->rx_seq_discards, 1);
			__sync_fetch_and_add(&st->rx_errors, 1);
			return TC_ACT_SHOT;
		} else if (!(s->flags & L2TP_BPF_LNS) && numbering(s, q)) {
			live_set(s, q, 2); /* the peer stopped: so do we */
		}
	}
	ilen = skb->len - ETH_HLEN - strip; /* the inner frame, MAC header included */
	/*
	 * bpf_skb_adjust_room leaves at least an outer IP header's worth of
	 * bytes after the MAC header (-ENOTSUPP otherwise): an inner ARP
	 * frame (28 bytes after its MAC header) under IPv6 is shorter. Grow
	 * such frames first and trim them back afterwards.
	 */
	if (ilen < ETH_HLEN + iplen)
		pad = iplen;
	/* the inner Ethernet header over the outer one, then the rest removed */
	struct ethhdr in;

	if (bpf_skb_load_bytes(skb, ETH_HLEN + strip, &in, ETH_HLEN) < 0 ||
	    bpf_skb_store_bytes(skb, 0, &in, ETH_HLEN, 0) < 0 ||
	    (pad && bpf_skb_change_tail(skb, skb->len + pad, 0) < 0) ||
	    bpf_skb_adjust_room(skb, -(__s32)(strip + ETH_HLEN), BPF_ADJ_ROOM_MAC, 0) < 0 ||
	    (pad && bpf_skb_change_tail(skb, ilen, 0) < 0)) {
		__sync_fetch_and_add(&st->rx_errors, 1);
		return TC_ACT_SHOT;
	}
	__sync_fetch_and_add(&st->rx_packets, 1);
	/* as lib/dp.c and the kernel count: the L2TP header and the frame */
	__sync_fetch_and_add(&st->rx_bytes, rest + ilen);
	if (test_mode)
		return TC_ACT_OK;
	/*
	 * Out of the veth peer l2tpdpN, not into l2tpethN's ingress: the frame
	 * then arrives as a veth frame does, counted in l2tpethN's rx
	 * statistics (a veth counts rx as its peer's tx) and through its XDP.
	 */
	return bpf_redirect(s->fib_ifindex, 0);
cookie:
	/* RFC 3931 §4.1: a cookie that does not match is discarded */
	__sync_fetch_and_add(&st->rx_cookie_discards, 1);
	__sync_fetch_and_add(&st->rx_errors, 1);
	return TC_ACT_SHOT;
}

SEC("tc")
int l2tp_decap(struct __sk_buff *skb)
{
	return decap(skb);
}

/*
 * The ingress of the fragment device: what l2tpd writes there is a packet
 * the stack reassembled from outer fragments (which l2tp_decap left to
 * it), rebuilt with the outer headers it had, for one of our sockets.
 * What is not ours goes nowhere: the stack had it already.
 */
SEC("tc")
int l2tp_reasm(struct __sk_buff *skb)
{
	int rc = decap(skb);

	return rc == NOT_OURS ? TC_ACT_SHOT : rc;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
