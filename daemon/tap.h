/* SPDX-License-Identifier: MIT */
/*
 * daemon/tap.h - TAP devices for Ethernet pseudowire sessions.
 *
 * Devices are never made persistent: the kernel removes a TAP device when
 * its last fd closes, so a daemon killed with SIGKILL leaves nothing behind.
 * A device is always created new (IFF_TUN_EXCL): l2tpd never attaches to an
 * existing interface, so it can never take over or remove one not its own.
 */
#ifndef L2TPD_TAP_H
#define L2TPD_TAP_H

#include <linux/if_tun.h>
#include <net/if.h>
#include <stdbool.h>

#define L2TPD_TAP_PREFIX "l2tpeth"

/*
 * Every read from and write to a TAP fd starts with a struct virtio_net_hdr
 * (10 bytes; TUNSETVNETHDRSZ). 10 rather than 12 (the mergeable-buffers
 * header) because nothing here uses num_buffers, and 10 + 14 (Ethernet)
 * puts the IP header of a frame read at an aligned buffer + 10 on a 4-byte
 * boundary.
 */
#define L2TPD_TAP_VNET_HDR_LEN 10
/*
 * TUNSETOFFLOAD: the kernel may hand us frames with a partial checksum and
 * TCP frames of up to 64 KiB to segment (TSO); and accepts the same from us.
 */
#define L2TPD_TAP_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)

/*
 * Is |name| acceptable as an interface name? (1..IFNAMSIZ-1 bytes, not "."
 * or "..", no '/', ':', '%' or whitespace: the kernel's dev_valid_name()
 * rules plus '%' which would make TUNSETIFF pick a name itself.)
 */
bool l2tpd_tap_name_valid(const char *name);

/*
 * Writes into |out| the first "<prefix>N" (N = 0, 1, ...) for which
 * |in_use|(name, arg) is false. Returns 0, or -ENFILE if none below 100000
 * is free, -EINVAL if the prefix is too long.
 */
/*
 * An automatic name of ours ("l2tpethN") was given back: the next automatic
 * allocation may reuse it (lowest first).
 */
void l2tpd_tap_released(const char *name);

/*
 * Delete the interfaces |names| (n of them) in one batch: each is put in an
 * interface group of ours, then the group is deleted with one RTM_DELLINK
 * (one unregister_netdevice_many: the kernel's RCU wait once, not once per
 * interface, ~25 ms each here). Names already gone are skipped. Returns 0
 * or -errno (then some may remain: delete them one by one).
 */
int l2tpd_links_delete(const char (*names)[IFNAMSIZ], unsigned int n);

int l2tpd_tap_first_free(const char *prefix, bool (*in_use)(const char *name, void *arg), void *arg,
			 char out[IFNAMSIZ]);

/*
 * Creates a new TAP device (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR with a
 * L2TPD_TAP_VNET_HDR_LEN header and L2TPD_TAP_OFFLOADS, not persistent). With
 * |name| NULL or empty, the first free l2tpethN is used (skipping names for
 * which |in_use| returns true, if given); the name chosen is written to
 * |out|. Returns the nonblocking fd, or -EEXIST if |name| exists, -EINVAL for
 * a bad name, or another -errno from open/ioctl.
 */
int l2tpd_tap_create(const char *name, bool (*in_use)(const char *name, void *arg), void *arg,
		     char out[IFNAMSIZ]);

/*
 * Creates a new TUN device (IFF_TUN | IFF_NO_PI: IP packets as they are),
 * for a PPP session's network layer; with |name| NULL or empty, the first
 * free pppN. Returns the nonblocking fd or -errno as l2tpd_tap_create().
 */
#define L2TPD_TUN_PREFIX "ppp"
int l2tpd_tun_create(const char *name, bool (*in_use)(const char *name, void *arg), void *arg,
		     char out[IFNAMSIZ]);

/*
 * Adds the address |local| (AF_INET: 4 bytes, AF_INET6: 16) with
 * |prefixlen| to |ifname|, with |peer| (may be NULL) as its
 * point-to-point peer. Returns 0 or -errno.
 */
int l2tpd_if_addr_add(const char *ifname, int family, const void *local, const void *peer,
		      unsigned int prefixlen);

/*
 * The same with |nq| queues (IFF_MULTI_QUEUE when |nq| > 1): the kernel
 * spreads the frames it sends out of the device over the queues by flow,
 * and sends a flow out of the queue its last frame came in on. Writes the
 * |nq| fds to |fds|. Returns 0 or -errno as above (nothing left open).
 */
int l2tpd_tap_create_mq(const char *name, bool (*in_use)(const char *name, void *arg), void *arg,
			unsigned int nq, int *fds, char out[IFNAMSIZ]);
/*
 * Attach (|on|) or detach a queue of a multi-queue device (TUNSETQUEUE): a
 * detached queue gets no frames, and reads and writes on it fail (EBADFD).
 * Returns 0 or -errno.
 */
int l2tpd_tap_queue_enable(int fd, bool on);

/* Sets the MTU of |ifname|. Returns 0 or -errno. */
int l2tpd_tap_set_mtu(const char *ifname, unsigned int mtu);
/* Reads the MTU of |ifname|. Returns the MTU or -errno. */
int l2tpd_tap_get_mtu(const char *ifname);
/* Sets IFF_UP on |ifname|. Returns 0 or -errno. */
int l2tpd_tap_set_up(const char *ifname);

#endif /* L2TPD_TAP_H */
