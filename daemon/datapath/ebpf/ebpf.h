/* SPDX-License-Identifier: MIT */
/* daemon/datapath/ebpf/ebpf.h - see ebpf.c. */
#ifndef L2TPD_EBPF_H
#define L2TPD_EBPF_H

#include <stddef.h>

struct l2tpd_loop;
struct l2tpd_registry;
struct l2tpd_datapath;

/*
 * The eBPF datapath: loads l2tp.bpf.c's programs; watches their events,
 * and runs its path for outer fragments (frag.c), on |loop|. NULL with
 * errno set and a sentence in |why| when the kernel or our privileges
 * refuse BPF.
 */
struct l2tpd_datapath *l2tpd_datapath_ebpf_new(struct l2tpd_loop *loop, struct l2tpd_registry *reg,
					       char *why, size_t whylen);

/*
 * `auto` without the kernel's L2TP (mux.c): tunnels that |eb| (the ebpf
 * datapath) takes are its, the others |us|'s (the user datapath). Owns
 * both. NULL if out of memory (neither is freed then).
 */
struct l2tpd_datapath *l2tpd_datapath_mux_new(struct l2tpd_datapath *eb, struct l2tpd_datapath *us);

#endif
