/* SPDX-License-Identifier: MIT */
/*
 * daemon/datapath/ebpf/l2tp_bpf.h - map layouts shared by the tc programs
 * (l2tp.bpf.c) and their loader (ebpf.c). Fixed-width fields only.
 */
#ifndef L2TPD_EBPF_SHARED_H
#define L2TPD_EBPF_SHARED_H

#define L2TP_BPF_MAX_SESSIONS 4096

/* flags */
#define L2TP_BPF_V6 0x01 /* outer IPv6 (else IPv4) */
#define L2TP_BPF_UDP 0x02 /* UDP encapsulation (else IP protocol 115) */
#define L2TP_BPF_L2SPEC 0x04 /* default L2-specific sublayer, RFC 3931 §4.6 */
#define L2TP_BPF_SEQ 0x08 /* send: number packets */
#define L2TP_BPF_RECV_SEQ 0x10 /* recv: drop packets without numbers */
#define L2TP_BPF_LNS 0x20 /* lns_mode: our numbering does not follow the peer's */
#define L2TP_BPF_CSUM 0x40 /* UDP: send checksums (udp_csum on; IPv6 unless udp6_csum_tx off) */
#define L2TP_BPF_CSUM0_RX 0x80 /* UDP: take zero checksums (IPv4; IPv6 with udp6_csum_rx off) */
/*
 * Loader only (the programs ignore it): numbering now without `seq send`,
 * following the peer (send_live 1), so placed as a `seq send` session is
 * (ebpf.c tx_segmented()).
 */
#define L2TP_BPF_FOLLOW 0x100

/*
 * l2tp_encap sums checksummed packets in chunks of this size (bpf_csum_diff
 * takes at most 512 bytes), up to this many: larger frames are tx errors.
 */
#define L2TP_BPF_CSUM_CHUNK 512
#define L2TP_BPF_CSUM_CHUNKS 32

/* One session, both directions. Addresses and ports in network order. */
struct l2tp_bpf_sess {
	__u32 flags;
	__u32 idx; /* index into the stats and sequence maps */
	__u32 ifindex; /* the session's netdev (l2tpethN) */
	__u32 session_id; /* ours: checked on receive (network order) */
	__u32 peer_session_id; /* written in sent headers (network order) */
	__u32 local4, peer4;
	__u8 local6[16], peer6[16];
	__u16 sport, dport; /* UDP: ours, the peer's */
	__u8 cookie_len; /* sent */
	__u8 peer_cookie_len; /* expected */
	__u8 pad[2];
	__u8 cookie[8];
	__u8 peer_cookie[8];
	/*
	 * Where bpf_fib_lookup starts: the veth peer "l2tpdpN", which gets
	 * no packets and has forwarding on (the helper insists on that).
	 */
	__u32 fib_ifindex;
	__u32 gen; /* new on every add or change: l2tp_bpf_fib entries of another are stale */
};

/*
 * One CPU's cached FIB result for a session (per-CPU: no torn entries,
 * no shared cache line), taken while |gen| matches the session's and for
 * L2TP_BPF_FIB_TTL_NS: a route or neighbour change reaches the encap
 * program up to that much later (the kernel's own tunnels see it at once
 * through their dst cache; a BPF program sees no route generation).
 */
#define L2TP_BPF_FIB_TTL_NS 100000000ull
struct l2tp_bpf_fib {
	__u64 expires; /* bpf_ktime_get_coarse_ns() */
	__u32 gen;
	__u32 oif;
	__u32 max_tot; /* the largest IP length the lookup passed (route MTU) */
	__u8 dmac[6], smac[6];
};

/* The kernel's counters (struct l2tp_stats), per CPU, summed on read. */
struct l2tp_bpf_stats {
	__u64 tx_packets, tx_bytes, tx_errors;
	__u64 rx_packets, rx_bytes, rx_seq_discards, rx_oos_packets, rx_errors,
		rx_cookie_discards, rx_invalid;
};

/* Sequence state of one session (RFC 3931 §4.6: 24-bit numbers). */
struct l2tp_bpf_seq {
	__u32 ns; /* next to send */
	__u32 nr; /* next expected */
	__u32 nr_valid;
	/*
	 * Do we number now: 0 as configured (L2TP_BPF_SEQ), 1 on, 2 off.
	 * Without lns_mode a session follows its peer (RFC 2661 §5.4, the
	 * rule lib/dp.c applies to L2TPv3 too): numbered frames turn it on,
	 * unnumbered ones off.
	 */
	__u32 send_live;
};

/*
 * What l2tp_decap tells l2tpd (a ring buffer, BPF_MAP_TYPE_RINGBUF) when
 * following the peer turns a session's numbering on or off: one event per
 * change, none per packet. l2tpd then moves the session to where its
 * frames are numbered one segment at a time, or back (ebpf.c follow_update()).
 */
struct l2tp_bpf_event {
	__u32 idx; /* the session's index (struct l2tp_bpf_sess) */
	__u32 send_live; /* what it became: 1 on, 2 off */
};

/* The ring's size (a power of 2 pages): 8 bytes of header an event, thousands. */
#define L2TP_BPF_EVENTS_BYTES (64 * 1024)

#endif
