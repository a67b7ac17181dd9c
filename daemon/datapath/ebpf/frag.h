/* SPDX-License-Identifier: MIT */
/* daemon/datapath/ebpf/frag.h - outer IP fragments on the eBPF datapath: see frag.c. */
#ifndef L2TPD_EBPF_FRAG_H
#define L2TPD_EBPF_FRAG_H

#include <stddef.h>

struct l2tpd_loop;
struct l2tpd_tunnel;
struct eb_frag;
struct eb_frag_tunnel;

/*
 * The fragment device (a TAP "l2tpdfragN" of no offloads, up, no address)
 * with the program |reasm_fd| (l2tp_reasm) on its tcx ingress, read on
 * |loop|. NULL with a sentence in |why| on failure.
 */
struct eb_frag *eb_frag_new(struct l2tpd_loop *loop, int reasm_fd, char *why, size_t whylen);
/* Its ifindex (l2tp.bpf.c's frag_ifindex). */
int eb_frag_ifindex(const struct eb_frag *f);
/* Closes the device (the kernel removes it) and every socket; NULL is ignored. */
void eb_frag_free(struct eb_frag *f);

/*
 * The sockets of tunnel |t| through which its fragments leave and its
 * reassembled packets come back: a static UDP tunnel's own, bound and
 * connected; over IP, and for managed UDP tunnels, a raw socket per family
 * and protocol (frag.c says why). NULL with errno set.
 */
struct eb_frag_tunnel *eb_frag_tunnel_add(struct eb_frag *f, struct l2tpd_tunnel *t);
/* The tunnel's checksum options again (TUNNEL_MODIFY). 0 or -errno. */
int eb_frag_tunnel_modify(struct eb_frag_tunnel *ft);
/* NULL is ignored. */
void eb_frag_tunnel_del(struct eb_frag_tunnel *ft);

#endif
