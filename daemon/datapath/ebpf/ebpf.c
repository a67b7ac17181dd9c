// SPDX-License-Identifier: MIT
/*
 * daemon/datapath/ebpf/ebpf.c - the eBPF datapath's loader: the ops of
 * daemon/datapath.h over the tc programs of l2tp.bpf.c (its skeleton).
 *
 * A session is a veth pair: l2tpethN (the user's device) and a peer
 * "l2tpdpN" of ours: its carrier, the start of l2tp_encap's FIB lookups,
 * and the way decapsulated frames come in (l2tp_decap sends them out of
 * l2tpdpN). l2tp_encap sits on l2tpethN's tcx egress (UDP) or l2tpdpN's
 * tcx ingress (IP, and UDP with checksums: after software segmentation;
 * tx_segmented() says why), l2tp_decap on the tcx
 * ingress of the underlay device (the one holding the tunnel's local
 * address; one link per device, shared by its tunnels).
 *
 * Managed tunnels (t->mt, L2TPv3 with Ethernet sessions): the control
 * plane (mgr.c) gives their sessions the negotiated ids, cookies, sublayer
 * and sequencing through session_create like any other. No socket of ours
 * stands in the control messages' way, so this datapath reads no packets
 * on the loop (its one fd there is the programs' event ring, follow_update()):
 * l2tp_decap lets them pass (RFC 3931 §4.1.2.1: T bit over UDP; §4.1.1.2:
 * Session ID 0 over IP) and the stack hands them to the control plane's
 * own socket, the only one bound to the tunnel's port over UDP (the user
 * and kernel datapaths connect a data socket, which then takes them and
 * passes them to dp->ctrl_rx) or its raw IP/115 socket, whose filter keeps
 * Session ID 0. That holds as long as that socket lives, also after the
 * tunnel was deleted (t->dying): the StopCCN's acknowledgement reaches it.
 * (frag.c's sockets for outer fragments of managed tunnels are raw ones.)
 * Fallback tunnels (they may turn L2TPv2) and PPP sessions are refused.
 *
 * Cleanup after SIGKILL: tcx links are bpf_links held only by
 * our fds, so the kernel detaches them, and frees the programs and maps,
 * when the process dies; nothing is pinned. The veth pairs would stay:
 * they carry the alias "l2tpd-ebpf <pid>", and the next start removes those
 * whose pid is gone (stale_links_remove()).
 */
#include <errno.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <l2tp/dp.h>

#include "../../datapath.h"
#include "../../log.h"
#include "../../loop.h"
#include "../../mtu.h"
#include "../../registry.h"
#include "../../sock.h"
#include "../../tap.h"
#include "ebpf.h"
#include "frag.h"
#include "l2tp_bpf.h"
#include "l2tp.skel.h"

/* linux/bpf.h of Debian 12 predates tcx (6.6): the kernel's numbers */
#define L2TPD_BPF_TCX_INGRESS 46
#define L2TPD_BPF_TCX_EGRESS 47
#define ALIAS_PREFIX "l2tpd-ebpf "

struct eb_dev { /* an underlay device with l2tp_decap attached */
	int ifindex;
	int link_fd;
	unsigned int refs;
	struct eb_dev *next;
};

struct eb_dp {
	struct l2tpd_datapath base;
	struct l2tpd_registry *reg;
	struct l2tp_bpf *skel;
	struct eb_dev *devs;
	/* the session of each stats/seq index, NULL for a free one */
	struct l2tpd_session *sess[L2TP_BPF_MAX_SESSIONS];
	struct l2tpd_loop *loop;
	struct ring_buffer *events; /* l2tp_decap's (struct l2tp_bpf_event) */
	struct l2tpd_watch *events_w;
	unsigned int peer_seq;
	uint32_t gen; /* the last struct l2tp_bpf_sess gen given out */
	struct eb_frag *frag; /* outer fragments (frag.c), or NULL */
};

struct eb_tunnel {
	struct eb_dev *dev;
	union l2tpd_addr nh; /* the managed neighbour entry we made, if nh_oif */
	int nh_oif;
	struct eb_frag_tunnel *ft; /* its sockets for fragments, or NULL */
};

struct eb_session {
	struct l2tp_bpf_sess m;
	int in_fd; /* l2tp_encap's tcx link on l2tpdpN's ingress: always there */
	int out_fd; /* its link on l2tpethN's egress (UDP, not segmented) or -1 */
	bool gone; /* the veth pair is deleted (sessions_predelete) */
	bool follow; /* numbering as the peer does, not configured (L2TP_BPF_FOLLOW) */
	char peer[IFNAMSIZ];
};

/* ---- rtnetlink: veth pairs -------------------------------------------------- */

static int rtnl_do(struct nlmsghdr *nlh)
{
	uint8_t rx[8192];
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	int rc = -errno;

	if (!nl)
		return rc;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	rc = 0;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
	} else {
		ssize_t n = mnl_socket_recvfrom(nl, rx, sizeof(rx));

		if (n < 0)
			rc = -errno;
		else if (mnl_cb_run(rx, (size_t)n, 1, mnl_socket_get_portid(nl), NULL, NULL) < 0)
			rc = -errno;
	}
	mnl_socket_close(nl);
	return rc;
}

static int link_delete(const char *name);
static int alias_set(const char *name, const char *alias);
static int addrgen_none(const char *name);

/* An RTM_*LINK request for interface |name| in |buf|: header, ifinfomsg, IFLA_IFNAME. */
static struct nlmsghdr *link_msg(uint8_t *buf, uint16_t type, uint16_t flags, const char *name)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

static int veth_create(const char *name, const char *peer, const char *alias)
{
	uint8_t buf[1024];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, name);
	struct ifinfomsg *pi;
	struct nlattr *li, *data, *pe;
	int rc;

	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pe = mnl_attr_nest_start(nlh, 1 /* VETH_INFO_PEER */);
	pi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pi));
	pi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_nest_end(nlh, pe);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	rc = rtnl_do(nlh);
	if (rc < 0)
		return rc; /* nothing made (EEXIST: the name is someone else's, leave it) */
	rc = alias_set(peer, alias);
	if (rc == 0)
		addrgen_none(peer); /* best effort: a kernel without IPv6 refuses it */
	else
		link_delete(name);
	return rc;
}

/*
 * The kernel takes IFLA_IFALIAS only when it changes an existing link
 * (do_setlink), not in the RTM_NEWLINK that creates one: set it afterwards.
 */
static int alias_set(const char *name, const char *alias)
{
	uint8_t buf[512];
	struct nlmsghdr *nlh = link_msg(buf, RTM_SETLINK, 0, name);

	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	return rtnl_do(nlh);
}

/*
 * No IPv6 link-local address on |name| (IN6_ADDR_GEN_MODE_NONE): the veth
 * peer l2tpdpN would otherwise send router solicitations and MLD reports
 * into the session, frames no other datapath's interface receives.
 */
static int addrgen_none(const char *name)
{
	uint8_t buf[512];
	struct nlmsghdr *nlh = link_msg(buf, RTM_SETLINK, 0, name);
	struct nlattr *af, *in6;

	af = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	in6 = mnl_attr_nest_start(nlh, AF_INET6);
	mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(nlh, in6);
	mnl_attr_nest_end(nlh, af);
	return rtnl_do(nlh);
}

static int link_delete(const char *name)
{
	uint8_t buf[256];

	return rtnl_do(link_msg(buf, RTM_DELLINK, 0, name));
}

/*
 * Whether |pid| is a running l2tpd: not gone, not a zombie nobody has
 * reaped yet, and not a process that got the number since.
 */
static bool l2tpd_alive(pid_t pid)
{
	char path[64], buf[512];
	const char *st;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "re");
	if (!f)
		return errno != ENOENT; /* unsure: keep its links */
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* "pid (comm) S ...": comm may hold anything, the state follows the last ')' */
	st = strrchr(buf, ')');
	if (!st || st[1] != ' ' || st[2] == 'Z' || st[2] == 'X')
		return false;
	return strstr(buf, "(l2tpd") != NULL;
}

/* Veth ends an l2tpd killed earlier left: alias "l2tpd-ebpf <pid>", pid gone. */
static void stale_links_remove(void)
{
	struct if_nameindex *v = if_nameindex(), *p;

	if (!v)
		return;
	for (p = v; p->if_index; p++) {
		char path[64 + IFNAMSIZ], alias[128] = "";
		FILE *f;
		long pid;

		snprintf(path, sizeof(path), "/sys/class/net/%s/ifalias", p->if_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(alias, sizeof(alias), f))
			alias[0] = 0;
		fclose(f);
		if (strncmp(alias, ALIAS_PREFIX, strlen(ALIAS_PREFIX)) != 0)
			continue;
		pid = strtol(alias + strlen(ALIAS_PREFIX), NULL, 10);
		if (pid <= 0 || pid == getpid() || l2tpd_alive((pid_t)pid))
			continue;
		/* deleting one end removes the pair; the other then fails: fine */
		if (link_delete(p->if_name) == 0)
			log_info("datapath ebpf: removed %s left by l2tpd %ld", p->if_name, pid);
	}
	if_freenameindex(v);
}

/*
 * l2tp_encap takes the next hop's MAC from the neighbour table
 * (bpf_fib_lookup) and cannot resolve one itself for a non-IP inner frame:
 * a "managed" entry (NTF_MANAGED, Linux 5.16) makes the kernel keep the
 * next hop toward the peer resolved. Returns 1 if we made the entry (and
 * remove it with the tunnel), 0 if one was there, or -errno.
 */
static int nexthop(const union l2tpd_addr *peer, union l2tpd_addr *nh, int *oif)
{
	uint8_t buf[512], rx[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf), *r;
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	struct rtmsg *rtm;
	struct nlattr *a;
	bool v6 = peer->sa.sa_family == AF_INET6;
	ssize_t n;
	int rc = -ENETUNREACH;

	if (!nl)
		return -errno;
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)peer->sa.sa_family;
	rtm->rtm_dst_len = v6 ? 128 : 32;
	if (v6)
		mnl_attr_put(nlh, RTA_DST, 16, &peer->in6.sin6_addr);
	else
		mnl_attr_put(nlh, RTA_DST, 4, &peer->in.sin_addr);
	*nh = *peer;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ||
	    (n = mnl_socket_recvfrom(nl, rx, sizeof(rx))) <= 0) {
		rc = -errno;
		goto out;
	}
	r = (struct nlmsghdr *)rx;
	if (!mnl_nlmsg_ok(r, (int)n) || r->nlmsg_type != RTM_NEWROUTE)
		goto out;
	mnl_attr_for_each(a, r, sizeof(struct rtmsg)) {
		if (mnl_attr_get_type(a) == RTA_OIF) {
			*oif = (int)mnl_attr_get_u32(a);
			rc = 0;
		} else if (mnl_attr_get_type(a) == RTA_GATEWAY &&
			   mnl_attr_get_payload_len(a) == (v6 ? 16u : 4u)) {
			if (v6)
				memcpy(&nh->in6.sin6_addr, mnl_attr_get_payload(a), 16);
			else
				memcpy(&nh->in.sin_addr, mnl_attr_get_payload(a), 4);
		}
	}
out:
	mnl_socket_close(nl);
	return rc;
}

static int neigh_msg(int type, uint16_t flags, const union l2tpd_addr *nh, int oif)
{
	uint8_t buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *nd;
	bool v6 = nh->sa.sa_family == AF_INET6;

	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = flags;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = (uint8_t)nh->sa.sa_family;
	nd->ndm_ifindex = oif;
	nd->ndm_state = NUD_NONE;
	if (v6)
		mnl_attr_put(nlh, NDA_DST, 16, &nh->in6.sin6_addr);
	else
		mnl_attr_put(nlh, NDA_DST, 4, &nh->in.sin_addr);
	if (type == RTM_NEWNEIGH)
		mnl_attr_put_u32(nlh, NDA_FLAGS_EXT, NTF_EXT_MANAGED);
	return rtnl_do(nlh);
}

/* An offload of |dev| on or off: |cmd| ETHTOOL_STSO, ETHTOOL_STXCSUM (legacy ioctls). */
static int offload_set(const char *dev, uint32_t cmd, bool on)
{
	struct ethtool_value ev = {.cmd = cmd, .data = on};
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_data = (void *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/*
 * The offload feature |name| (ethtool -k's names) of |dev| on or off, by
 * ETHTOOL_SFEATURES; 0 also when this kernel has no such feature. For
 * what the legacy ioctls leave: ETHTOOL_STSO clears NETIF_F_ALL_TSO,
 * which in Linux 6.18 does not hold tx-tcp-accecn-segmentation, so a veth
 * keeps taking AccECN TCP frames whole (a session's frames must be cut).
 */
static int feature_set(const char *dev, const char *name, bool on)
{
	struct ethtool_sset_info *si = NULL;
	struct ethtool_gstrings *gs = NULL;
	struct ethtool_sfeatures *sf = NULL;
	struct ifreq ifr = {0};
	uint32_t n, i, blocks;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	si = calloc(1, sizeof(*si) + sizeof(uint32_t));
	if (!si) {
		rc = -ENOMEM;
		goto out;
	}
	si->cmd = ETHTOOL_GSSET_INFO;
	si->sset_mask = 1ull << ETH_SS_FEATURES;
	ifr.ifr_data = (void *)si;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		rc = -errno;
		goto out;
	}
	n = si->sset_mask ? si->data[0] : 0;
	if (n == 0 || n > 4096)
		goto out;
	gs = calloc(1, sizeof(*gs) + (size_t)n * ETH_GSTRING_LEN);
	if (!gs) {
		rc = -ENOMEM;
		goto out;
	}
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_FEATURES;
	gs->len = n;
	ifr.ifr_data = (void *)gs;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		rc = -errno;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!strncmp((const char *)gs->data + (size_t)i * ETH_GSTRING_LEN, name,
			     ETH_GSTRING_LEN))
			break;
	if (i == n)
		goto out; /* not in this kernel */
	blocks = (n + 31) / 32;
	sf = calloc(1, sizeof(*sf) + blocks * sizeof(sf->features[0]));
	if (!sf) {
		rc = -ENOMEM;
		goto out;
	}
	sf->cmd = ETHTOOL_SFEATURES;
	sf->size = blocks;
	sf->features[i / 32].valid = 1u << (i % 32);
	sf->features[i / 32].requested = on ? 1u << (i % 32) : 0;
	ifr.ifr_data = (void *)sf;
	/* > 0: ETHTOOL_F_* flags (a feature the device would not change); fine */
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		rc = -errno;
out:
	free(si);
	free(gs);
	free(sf);
	close(fd);
	return rc;
}

/* forwarding on the veth peer: bpf_fib_lookup refuses devices without */
static int fwd_on(const char *dev, bool v6)
{
	char path[96];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/forwarding", v6 ? "ipv6" : "ipv4",
		 dev);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	if (fputs("1\n", f) < 0)
		rc = -EIO;
	if (fclose(f) != 0 && !rc)
		rc = -errno;
	return rc;
}

/* ---- underlay devices ------------------------------------------------------- */

/* The interface holding the local address |a| (where its packets arrive). */
static int addr_ifindex(const union l2tpd_addr *a)
{
	struct ifaddrs *ifa, *i;
	int idx = -ENODEV;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != a->sa.sa_family)
			continue;
		if (a->sa.sa_family == AF_INET
			    ? ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr ==
				      a->in.sin_addr.s_addr
			    : !memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
				      &a->in6.sin6_addr, 16)) {
			idx = (int)if_nametoindex(i->ifa_name);
			break;
		}
	}
	freeifaddrs(ifa);
	return idx;
}

static int tcx_attach(int prog_fd, int ifindex, int type)
{
	int fd = bpf_link_create(prog_fd, ifindex, (enum bpf_attach_type)type, NULL);

	return fd < 0 ? -errno : fd;
}

static struct eb_dev *dev_get(struct eb_dp *e, int ifindex)
{
	struct eb_dev *d;

	for (d = e->devs; d; d = d->next)
		if (d->ifindex == ifindex) {
			d->refs++;
			return d;
		}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->link_fd = tcx_attach(bpf_program__fd(e->skel->progs.l2tp_decap), ifindex,
				L2TPD_BPF_TCX_INGRESS);
	if (d->link_fd < 0) {
		errno = -d->link_fd;
		free(d);
		return NULL;
	}
	d->ifindex = ifindex;
	d->refs = 1;
	d->next = e->devs;
	e->devs = d;
	return d;
}

static void dev_put(struct eb_dp *e, struct eb_dev *d)
{
	struct eb_dev **pp;

	if (--d->refs)
		return;
	for (pp = &e->devs; *pp != d; pp = &(*pp)->next)
		;
	*pp = d->next;
	close(d->link_fd);
	free(d);
}

/* ---- tunnels ---------------------------------------------------------------- */

static bool tunnel_v6(const struct l2tpd_tunnel *t)
{
	return l2tp_api_has(t->cfg.present, L2TP_ATTR_IP6_SADDR) ||
	       l2tp_api_has(t->cfg.present, L2TP_ATTR_IP6_DADDR);
}

static void tunnel_addrs(const struct l2tpd_tunnel *t, union l2tpd_addr *local,
			 union l2tpd_addr *peer)
{
	memset(local, 0, sizeof(*local));
	memset(peer, 0, sizeof(*peer));
	if (tunnel_v6(t)) {
		local->in6.sin6_family = peer->in6.sin6_family = AF_INET6;
		local->in6.sin6_addr = t->cfg.local_ip6;
		peer->in6.sin6_addr = t->cfg.peer_ip6;
	} else {
		local->in.sin_family = peer->in.sin_family = AF_INET;
		local->in.sin_addr = t->cfg.local_ip;
		peer->in.sin_addr = t->cfg.peer_ip;
	}
}

static int eb_tunnel_create(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct eb_dp *e = (struct eb_dp *)dp;
	union l2tpd_addr local, peer;
	struct eb_tunnel *et;
	int idx;

	if (t->cfg.proto_version != 3) {
		snprintf(dp->err, sizeof(dp->err),
			 "the ebpf datapath carries L2TPv3 only (use --datapath user)");
		return -EPROTONOSUPPORT;
	}
	if (t->fallback) {
		/* it may turn L2TPv2 when it comes up, with PPP sessions only */
		snprintf(dp->err, sizeof(dp->err),
			 "the ebpf datapath carries L2TPv3 only, and a tunnel with fallback on "
			 "may become L2TPv2 (use --datapath user or auto)");
		return -EPROTONOSUPPORT;
	}
	/*
	 * A managed tunnel (t->mt) gets no socket here: its control messages
	 * go past l2tp_decap to the control plane's own socket (see above).
	 */
	tunnel_addrs(t, &local, &peer);
	idx = addr_ifindex(&local);
	if (idx < 0) {
		snprintf(dp->err, sizeof(dp->err),
			 "the ebpf datapath needs a local address held by an interface");
		return -EADDRNOTAVAIL;
	}
	et = calloc(1, sizeof(*et));
	if (!et)
		return -ENOMEM;
	et->dev = dev_get(e, idx);
	if (!et->dev) {
		int rc = -errno;

		snprintf(dp->err, sizeof(dp->err), "attaching l2tp_decap (tcx ingress): %s",
			 strerror(-rc));
		free(et);
		return rc;
	}
	{
		union l2tpd_addr nh;
		int oif = 0;

		if (nexthop(&peer, &nh, &oif) == 0 && oif > 0) {
			if (neigh_msg(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, &nh, oif) == 0) {
				et->nh = nh;
				et->nh_oif = oif;
			}
			/* EEXIST: someone's entry; l2tp_encap's fallbacks cover it */
		}
	}
	if (e->frag) {
		et->ft = eb_frag_tunnel_add(e->frag, t);
		if (!et->ft)
			log_warnx("datapath ebpf: tunnel %u: no socket for outer fragments (%s): "
				  "packets larger than the underlay's MTU are lost",
				  t->cfg.conn_id, strerror(errno));
	}
	t->dp = et;
	return 0;
}

static int sess_apply(struct eb_dp *e, struct l2tpd_session *s);

/* The tunnel's checksum options live in its sessions' map entries. */
static int eb_tunnel_modify(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct eb_tunnel *et = t->dp;
	int rc = et ? eb_frag_tunnel_modify(et->ft) : 0;

	for (struct l2tpd_session *s = t->sessions; s; s = s->next)
		if (s->dp) {
			int r = sess_apply((struct eb_dp *)dp, s);

			if (r < 0 && !rc)
				rc = r;
		}
	return rc;
}

static void eb_tunnel_delete(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct eb_tunnel *et = t->dp;

	if (!et)
		return;
	eb_frag_tunnel_del(et->ft);
	dev_put((struct eb_dp *)dp, et->dev);
	if (et->nh_oif)
		neigh_msg(RTM_DELNEIGH, 0, &et->nh, et->nh_oif);
	free(et);
	t->dp = NULL;
}

/* ---- sessions --------------------------------------------------------------- */

static void stats_read(struct eb_dp *e, uint32_t idx, struct l2tp_api_stats *st)
{
	int n = libbpf_num_possible_cpus();
	struct l2tp_bpf_stats *v;

	if (n <= 0)
		return;
	v = calloc((size_t)n, sizeof(*v));
	if (!v)
		return;
	if (bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.stats), &idx, v) == 0) {
		for (int i = 0; i < n; i++) {
			st->tx_packets += v[i].tx_packets;
			st->tx_bytes += v[i].tx_bytes;
			st->tx_errors += v[i].tx_errors;
			st->rx_packets += v[i].rx_packets;
			st->rx_bytes += v[i].rx_bytes;
			st->rx_seq_discards += v[i].rx_seq_discards;
			st->rx_oos_packets += v[i].rx_oos_packets;
			st->rx_errors += v[i].rx_errors;
			st->rx_cookie_discards += v[i].rx_cookie_discards;
			st->rx_invalid += v[i].rx_invalid;
		}
	}
	free(v);
}

static int sess_fill(const struct l2tpd_session *s, struct l2tp_bpf_sess *m)
{
	const struct l2tpd_tunnel *t = s->tunnel;

	if ((s->cfg.cookie_len != 0 && s->cfg.cookie_len != 4 && s->cfg.cookie_len != 8) ||
	    (s->cfg.peer_cookie_len != 0 && s->cfg.peer_cookie_len != 4 &&
	     s->cfg.peer_cookie_len != 8))
		return -EINVAL; /* RFC 3931 §5.4.4: 0, 4 or 8 */
	m->flags = 0;
	if (tunnel_v6(t)) {
		m->flags |= L2TP_BPF_V6;
		memcpy(m->local6, &t->cfg.local_ip6, 16);
		memcpy(m->peer6, &t->cfg.peer_ip6, 16);
	} else {
		m->local4 = t->cfg.local_ip.s_addr;
		m->peer4 = t->cfg.peer_ip.s_addr;
	}
	if (t->cfg.encap_type == L2TP_ENCAPTYPE_UDP) {
		m->flags |= L2TP_BPF_UDP;
		m->sport = htons(t->cfg.udp_sport);
		m->dport = htons(t->cfg.udp_dport);
		/* as the kernel's sockets: SO_NO_CHECK, UDP_NO_CHECK6_TX/RX */
		if (tunnel_v6(t) ? !t->cfg.udp_zero_csum6_tx : t->cfg.udp_csum)
			m->flags |= L2TP_BPF_CSUM;
		if (!tunnel_v6(t) || t->cfg.udp_zero_csum6_rx)
			m->flags |= L2TP_BPF_CSUM0_RX;
	}
	if (s->cfg.l2spec_type != L2TP_L2SPECTYPE_NONE)
		m->flags |= L2TP_BPF_L2SPEC;
	if (s->cfg.send_seq || s->cfg.recv_seq) {
		if (!(m->flags & L2TP_BPF_L2SPEC))
			return -EINVAL; /* v3 numbers live in the sublayer (§4.6) */
	}
	if (s->cfg.send_seq)
		m->flags |= L2TP_BPF_SEQ;
	if (s->cfg.recv_seq)
		m->flags |= L2TP_BPF_RECV_SEQ;
	if (s->cfg.lns_mode)
		m->flags |= L2TP_BPF_LNS;
	m->session_id = htonl(s->cfg.session_id);
	m->peer_session_id = htonl(s->cfg.peer_session_id);
	m->cookie_len = s->cfg.cookie_len;
	memcpy(m->cookie, s->cfg.cookie, sizeof(m->cookie));
	m->peer_cookie_len = s->cfg.peer_cookie_len;
	memcpy(m->peer_cookie, s->cfg.peer_cookie, sizeof(m->peer_cookie));
	return 0;
}

/*
 * tx_sessions holds a session under both its ifindexes: l2tp_encap runs on
 * l2tpdpN's ingress for every session (segmented ones, and frames of a
 * l2tpethN moved to another namespace: l2tp.bpf.c, our_netns) and on
 * l2tpethN's egress for the others (tx_segmented()).
 */
static int maps_put(struct eb_dp *e, struct eb_session *es)
{
	uint32_t ifi = es->m.ifindex, pi = es->m.fib_ifindex, sid = es->m.session_id;

	/* a new generation: every CPU's cached FIB result for idx is stale */
	if (++e->gen == 0)
		e->gen = 1;
	es->m.gen = e->gen;

	if (bpf_map_update_elem(bpf_map__fd(e->skel->maps.rx_sessions), &sid, &es->m, BPF_ANY) <
		    0 ||
	    bpf_map_update_elem(bpf_map__fd(e->skel->maps.tx_sessions), &ifi, &es->m, BPF_ANY) <
		    0 ||
	    bpf_map_update_elem(bpf_map__fd(e->skel->maps.tx_sessions), &pi, &es->m, BPF_ANY) < 0)
		return -errno;
	return 0;
}

static void maps_del(struct eb_dp *e, const struct eb_session *es)
{
	uint32_t ifi = es->m.ifindex, pi = es->m.fib_ifindex, sid = es->m.session_id;

	bpf_map_delete_elem(bpf_map__fd(e->skel->maps.rx_sessions), &sid);
	bpf_map_delete_elem(bpf_map__fd(e->skel->maps.tx_sessions), &ifi);
	bpf_map_delete_elem(bpf_map__fd(e->skel->maps.tx_sessions), &pi);
}

/* Zeroes the counters and sequence state of a fresh index. */
static void idx_reset(struct eb_dp *e, uint32_t idx)
{
	int n = libbpf_num_possible_cpus();
	struct l2tp_bpf_seq q = {0};
	void *z = calloc(n > 0 ? (size_t)n : 1, sizeof(struct l2tp_bpf_stats));

	if (z)
		bpf_map_update_elem(bpf_map__fd(e->skel->maps.stats), &idx, z, BPF_ANY);
	free(z);
	bpf_map_update_elem(bpf_map__fd(e->skel->maps.seqs), &idx, &q, BPF_ANY);
}

/*
 * Where l2tp_encap runs. UDP with zero checksums: on l2tpethN's egress,
 * where a TCP frame of up to 64 KiB is still whole; it becomes UDP tunnel
 * GSO, segmented where it leaves the host, each segment with a copy of our
 * headers. That will not do when the segments need headers of their own:
 *  - IP: the kernel has no segmentation for what follows protocol 115;
 *  - UDP with checksums: bpf_skb_adjust_room makes SKB_GSO_UDP_TUNNEL,
 *    never ..._CSUM, so every segment would carry the one checksum
 *    written before it was cut;
 *  - `seq send`: every segment needs its own sequence number (RFC 3931
 *    §4.6), or the peer takes all but one for duplicates; so does a
 *    session that numbers because its peer does (L2TP_BPF_FOLLOW: moved
 *    here and back as that changes, follow_update()).
 * For those, l2tpethN gets no TSO (the kernel cuts TCP frames in software
 * when l2tpethN sends them) and l2tp_encap runs on the ingress of the peer
 * l2tpdpN, which sees the segments; with checksums l2tpethN also loses tx
 * checksumming, so the kernel fills in the inner checksums
 * (skb_checksum_help) before the frame leaves: its bytes are final when
 * l2tp_encap sums them (RFC 768).
 */
static bool tx_segmented(const struct l2tp_bpf_sess *m)
{
	return !(m->flags & L2TP_BPF_UDP) ||
	       (m->flags & (L2TP_BPF_CSUM | L2TP_BPF_SEQ | L2TP_BPF_FOLLOW));
}

/*
 * `seq send`: the numbers must reach the wire in the order l2tp_encap
 * gives them, but frames sent on several CPUs (a TCP sender and the ACKs
 * that clock it) each cross the veth into their CPU's backlog, and one
 * CPU's backlog may run before another's: the peer, which has no reorder
 * queue (the kernel's default reorder_timeout 0, or ours), then drops the
 * later number. RPS on l2tpdpN's receive queues steers all of them to one
 * CPU: the |n|-th of those allowed to us, modulo their number (to spread
 * sessions). 0 or -errno.
 */
static int rps_pin(const char *peer, int n)
{
	char path[96], mask[8 * (CPU_SETSIZE / 32) + CPU_SETSIZE / 32 + 2], *p = mask;
	uint32_t w[CPU_SETSIZE / 32] = {0};
	cpu_set_t set;
	int cpu, k, rc = 0, hi;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	if (CPU_COUNT(&set) == 0)
		return -EINVAL;
	n %= CPU_COUNT(&set);
	for (cpu = 0; cpu < CPU_SETSIZE - 1; cpu++)
		if (CPU_ISSET(cpu, &set) && n-- == 0)
			break;
	w[cpu / 32] = 1u << (cpu % 32);
	hi = cpu / 32;
	/* the sysfs form: 32-bit hex groups, the highest first, commas between */
	for (k = hi; k >= 0; k--)
		p += sprintf(p, k == hi ? "%x" : ",%08x", w[k]);
	for (k = 0; rc == 0; k++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/net/%s/queues/rx-%d/rps_cpus", peer, k);
		f = fopen(path, "we");
		if (!f)
			return k > 0 ? 0 : -errno;
		if (fputs(mask, f) < 0)
			rc = -EIO;
		if (fclose(f) != 0 && !rc)
			rc = -errno;
	}
	return rc;
}

/* A numbering session's RPS (rps_pin), with a warning when there is none. */
static void tx_rps(const char *ifname, const char *peer, const struct l2tp_bpf_sess *m)
{
	if ((m->flags & (L2TP_BPF_SEQ | L2TP_BPF_FOLLOW)) && rps_pin(peer, (int)m->idx) < 0)
		log_warnx("datapath ebpf: %s: no RPS (/sys/class/net/%s/queues): numbered packets "
			  "sent from several CPUs may leave out of order",
			  ifname, peer);
}

/* The offloads (and for `seq send` the RPS) of session |m|'s l2tpethN |ifname|, peer |peer|. */
static int tx_offloads(const char *ifname, const char *peer, const struct l2tp_bpf_sess *m)
{
	int rc = 0;

	tx_rps(ifname, peer, m);
	/*
	 * Segmented: tx checksumming off too, also without UDP checksums, so
	 * that the kernel fills the inner checksums as it cuts. Left to
	 * offload, an underlay that hands packets on to another kernel as
	 * they are (a TAP to a VM, a veth) passes them unfilled
	 * (CHECKSUM_PARTIAL), which the kernel's l2tp_eth drops:
	 * TcpInCsumErrors (tests/interop/kernel/static_matrix.sh).
	 */
	bool seg = tx_segmented(m);

	if (seg)
		rc = offload_set(ifname, ETHTOOL_STXCSUM, false);
	else
		rc = offload_set(ifname, ETHTOOL_STXCSUM, true); /* back: the veth's defaults */
	if (rc == 0)
		rc = offload_set(ifname, ETHTOOL_STSO, !seg);
	if (rc == 0)
		rc = feature_set(ifname, "tx-tcp-accecn-segmentation", !seg);
	return rc;
}

/* l2tp_encap's tcx link on l2tpdpN's ingress (|in|) or l2tpethN's egress: an fd or -errno. */
static int tx_attach(struct eb_dp *e, const struct l2tp_bpf_sess *m, bool in)
{
	return tcx_attach(bpf_program__fd(e->skel->progs.l2tp_encap),
			  (int)(in ? m->fib_ifindex : m->ifindex),
			  in ? L2TPD_BPF_TCX_INGRESS : L2TPD_BPF_TCX_EGRESS);
}

static unsigned int l2tp_hdr_len(const struct l2tp_bpf_sess *m)
{
	return ((m->flags & L2TP_BPF_UDP) ? 8u : 4u) + m->cookie_len +
	       ((m->flags & L2TP_BPF_L2SPEC) ? 4u : 0u);
}



/*
 * An automatic name: one of our sessions', or any interface's (a managed
 * session's netdev comes up beside interfaces the admin made).
 */
static bool name_taken(const char *name, void *reg)
{
	return l2tpd_registry_ifname_used(name, reg) || if_nametoindex(name) != 0;
}

static int eb_session_create(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct eb_dp *e = (struct eb_dp *)dp;
	struct eb_session *es;
	char ifname[IFNAMSIZ], alias[64];
	union l2tpd_addr local, peer;
	int rc, underlay;
	unsigned int i, k;

	if (s->cfg.pw_type != L2TP_PWTYPE_ETH) {
		snprintf(dp->err, sizeof(dp->err),
			 "the ebpf datapath carries Ethernet pseudowires only (pw_type %u needs "
			 "--datapath user, kernel or auto)",
			 s->cfg.pw_type);
		return -EPROTONOSUPPORT;
	}
	es = calloc(1, sizeof(*es));
	if (!es)
		return -ENOMEM;
	es->in_fd = es->out_fd = -1;
	rc = sess_fill(s, &es->m);
	if (rc < 0) {
		/* a managed session's values come from the peer: say which is wrong */
		snprintf(dp->err, sizeof(dp->err),
			 "the ebpf datapath takes cookies of 0, 4 or 8 bytes and sequence "
			 "numbers in the default L2-specific sublayer only (RFC 3931 §4.6)");
		goto fail;
	}
	{
		/* l2tp_decap finds a session by its id alone (then checks the tunnel) */
		struct l2tp_bpf_sess other;
		uint32_t sid = es->m.session_id;

		if (bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.rx_sessions), &sid, &other) ==
		    0) {
			snprintf(dp->err, sizeof(dp->err),
				 "session id %u is taken by another tunnel (the ebpf datapath "
				 "keys sessions by id alone)",
				 s->cfg.session_id);
			rc = -EEXIST;
			goto fail;
		}
	}
	for (i = 0; i < L2TP_BPF_MAX_SESSIONS && e->sess[i]; i++)
		;
	rc = -ENOSPC;
	if (i == L2TP_BPF_MAX_SESSIONS)
		goto fail;
	es->m.idx = i;
	if (s->cfg.ifname[0]) {
		snprintf(ifname, sizeof(ifname), "%s", s->cfg.ifname);
	} else {
		rc = l2tpd_tap_first_free(L2TPD_TAP_PREFIX, name_taken, e->reg, ifname);
		if (rc < 0)
			goto fail;
	}
	snprintf(alias, sizeof(alias), ALIAS_PREFIX "%ld", (long)getpid());
	rc = -EEXIST;
	for (k = 0; k < 64 && rc == -EEXIST; k++) { /* a peer name nobody uses */
		snprintf(es->peer, sizeof(es->peer), "l2tpdp%u", e->peer_seq++ % 100000000u);
		if (if_nametoindex(es->peer))
			continue;
		rc = veth_create(ifname, es->peer, alias);
		if (rc == -EEXIST && if_nametoindex(ifname))
			break; /* the session's name itself is taken */
	}
	if (rc < 0)
		goto fail;
	es->m.ifindex = if_nametoindex(ifname);
	tunnel_addrs(s->tunnel, &local, &peer);
	underlay = l2tpd_sock_route_mtu(&local, &peer);
	/* l2tp_eth's MTU; l2tpethN is left down as the kernel does */
	rc = l2tpd_tap_set_mtu(ifname, l2tpd_mtu_session(underlay > 0 ? (unsigned int)underlay : 0,
							 es->m.flags & L2TP_BPF_V6,
							 es->m.flags & L2TP_BPF_UDP,
							 l2tp_hdr_len(&es->m)));
	if (rc == 0)
		rc = l2tpd_tap_set_mtu(es->peer, L2TPD_TAP_MAX_MTU);
	if (rc == 0)
		rc = fwd_on(es->peer, es->m.flags & L2TP_BPF_V6);
	if (rc == 0)
		rc = l2tpd_tap_set_up(es->peer); /* the carrier of l2tpethN */
	es->m.fib_ifindex = if_nametoindex(es->peer);
	if (rc == 0 && tx_segmented(&es->m))
		rc = tx_offloads(ifname, es->peer, &es->m);
	if (rc < 0 || !es->m.ifindex || !es->m.fib_ifindex)
		goto fail_link;
	idx_reset(e, i);
	rc = maps_put(e, es);
	if (rc < 0)
		goto fail_link;
	rc = es->in_fd = tx_attach(e, &es->m, true);
	if (rc >= 0 && !tx_segmented(&es->m))
		rc = es->out_fd = tx_attach(e, &es->m, false);
	if (rc < 0) {
		snprintf(dp->err, sizeof(dp->err), "attaching l2tp_encap (tcx): %s",
			 strerror(-rc));
		if (es->in_fd >= 0)
			close(es->in_fd);
		maps_del(e, es);
		goto fail_link;
	}
	e->sess[i] = s;
	memcpy(s->cfg.ifname, ifname, IFNAMSIZ);
	s->dp = es;
	return 0;
fail_link:
	link_delete(ifname);
fail:
	free(es);
	return rc < 0 ? rc : -EIO;
}

/*
 * |s|'s map entries from its (and its tunnel's) configuration now. A change
 * between segmented and not (checksums, numbering) adds or removes the
 * link on l2tpethN's egress; the one on l2tpdpN's ingress stays, so a
 * frame always meets one: going segmented, the egress link goes first
 * (frames then reach l2tpdpN whole, which the old entry still takes),
 * then the offloads, then the entry; going back, the other way round.
 */
static int sess_apply(struct eb_dp *e, struct l2tpd_session *s)
{
	struct eb_session *es = s->dp;
	struct l2tp_bpf_sess m = es->m;
	int rc = sess_fill(s, &m), fd;

	if (rc < 0)
		return rc;
	if (es->follow)
		m.flags |= L2TP_BPF_FOLLOW;
	if (tx_segmented(&m) == tx_segmented(&es->m)) {
		/* numbering from now on where frames were cut already (IP) */
		if ((m.flags & ~es->m.flags) & (L2TP_BPF_SEQ | L2TP_BPF_FOLLOW))
			tx_rps(s->cfg.ifname, es->peer, &m);
		es->m = m;
		return maps_put(e, es);
	}
	if (tx_segmented(&m)) {
		if (es->out_fd >= 0)
			close(es->out_fd);
		es->out_fd = -1;
		rc = tx_offloads(s->cfg.ifname, es->peer, &m);
		if (rc < 0)
			return rc;
		es->m = m;
		return maps_put(e, es);
	}
	es->m = m;
	rc = maps_put(e, es);
	if (rc == 0)
		rc = tx_offloads(s->cfg.ifname, es->peer, &m);
	if (rc < 0)
		return rc;
	fd = tx_attach(e, &m, false);
	if (fd < 0)
		return fd;
	es->out_fd = fd;
	return 0;
}

/*
 * An event of l2tp_decap (struct l2tp_bpf_event): a session that follows
 * its peer's numbering (no `seq send`, no lns_mode; RFC 2661 §5.4) started
 * or stopped numbering. On l2tpethN's egress a GSO frame cannot be
 * numbered (its segments would share one number) and goes out without,
 * which a peer requiring numbers (`seq recv`: the kernel's l2tp_eth, our
 * user datapath) drops: so a numbering session moves where frames are cut
 * before they are encapsulated, as a `seq send` one is (tx_segmented(),
 * sess_apply: TSO and tx checksumming off, l2tp_encap on l2tpdpN's
 * ingress, RPS), and back when the peer stops. The state is read from the
 * map, not from the event: a late event of an index that has since been
 * given to a new session, or several events for one change, do nothing.
 *
 * The window: until the move (l2tpd's next turn of its loop after the
 * event, well under a millisecond when it is idle), GSO frames still leave
 * unnumbered and the peer drops them (its rx_seq_discards); TCP sends them
 * again, as single segments, which are numbered. The move itself loses
 * nothing and keeps the numbers in order: sess_apply detaches the old
 * link before it removes the old entry, and what the old link numbered
 * has left before the new one numbers the next frame.
 */
static void follow_update(struct eb_dp *e, struct l2tpd_session *s)
{
	struct eb_session *es = s->dp;
	struct l2tp_bpf_seq q;
	bool follow;
	int rc;

	if (!es || bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.seqs), &es->m.idx, &q) < 0)
		return;
	follow = q.send_live == 1 && !(es->m.flags & (L2TP_BPF_SEQ | L2TP_BPF_LNS));
	if (follow == es->follow)
		return;
	es->follow = follow;
	rc = sess_apply(e, s);
	if (rc < 0) {
		es->follow = !follow;
		log_warnx("datapath ebpf: %s: the peer %s sequence numbers, moving the session: %s",
			  s->cfg.ifname, follow ? "sends" : "stopped sending", strerror(-rc));
		return;
	}
	log_info("datapath ebpf: %s: the peer %s sequence numbers: so %s", s->cfg.ifname,
		 follow ? "sends" : "stopped sending",
		 follow ? "do we, every segment of a large frame"
			: "do we not, large frames whole");
}

static int follow_rx(void *arg, void *data, size_t len)
{
	struct eb_dp *e = arg;
	const struct l2tp_bpf_event *ev = data;

	if (len >= sizeof(*ev) && ev->idx < L2TP_BPF_MAX_SESSIONS && e->sess[ev->idx])
		follow_update(e, e->sess[ev->idx]);
	return 0;
}

static void events_ready(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct eb_dp *e = arg;

	(void)w;
	(void)events;
	ring_buffer__consume(e->events);
}

static int eb_session_modify(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	return sess_apply((struct eb_dp *)dp, s);
}

static void eb_session_delete(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct eb_dp *e = (struct eb_dp *)dp;
	struct eb_session *es = s->dp;

	if (!es)
		return;
	maps_del(e, es);
	e->sess[es->m.idx] = NULL;
	/*
	 * The pair first (by l2tpdpN: eb_batch_link), then the links: closing a
	 * link on a live device waits for an RCU grace period under the RTNL
	 * (tcx), on a deleted one it does not.
	 */
	if (!es->gone)
		link_delete(es->peer);
	if (es->out_fd >= 0)
		close(es->out_fd);
	close(es->in_fd);
	if (!strncmp(s->cfg.ifname, L2TPD_TAP_PREFIX, strlen(L2TPD_TAP_PREFIX)))
		l2tpd_tap_released(s->cfg.ifname);
	free(es);
	s->dp = NULL;
}

/*
 * Many sessions at once (a tunnel's, or all at shutdown): their veth pairs
 * in one batch (l2tpd_links_delete: one RCU wait, not two per pair).
 * Deleting l2tpdpN takes l2tpethN with it, wherever that is (another
 * namespace: ebpf_netns.sh; a device of the same name here is not ours),
 * and the tcx links on either.
 */
static const char *eb_batch_link(const struct l2tpd_session *s)
{
	const struct eb_session *es = s->dp;

	return es && !es->gone ? es->peer : NULL;
}

static void eb_sessions_predelete(struct l2tpd_datapath *dp, struct l2tpd_session *const *v,
				  size_t n)
{
	(void)dp;
	if (l2tpd_sessions_links_delete(v, n, eb_batch_link) < 0)
		return; /* session_delete removes what is left one by one */
	for (size_t i = 0; i < n; i++)
		if (v[i]->dp)
			((struct eb_session *)v[i]->dp)->gone = true;
}

static void eb_session_stats(struct l2tpd_datapath *dp, struct l2tpd_session *s,
			     struct l2tp_api_stats *st)
{
	struct eb_session *es = s->dp;

	if (es)
		stats_read((struct eb_dp *)dp, es->m.idx, st);
}

/* The programs' live choice (struct l2tp_bpf_seq's send_live). */
static int eb_session_send_seq(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct eb_dp *e = (struct eb_dp *)dp;
	struct eb_session *es = s->dp;
	struct l2tp_bpf_seq q;

	if (!es || !(es->m.flags & L2TP_BPF_L2SPEC))
		return s->cfg.send_seq;
	if (bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.seqs), &es->m.idx, &q) < 0)
		return -1;
	return q.send_live ? q.send_live == 1 : !!(es->m.flags & L2TP_BPF_SEQ);
}

static void eb_tunnel_stats(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t,
			    struct l2tp_api_stats *st)
{
	for (struct l2tpd_session *s = t->sessions; s; s = s->next)
		eb_session_stats(dp, s, st);
}

static void eb_free(struct l2tpd_datapath *dp)
{
	struct eb_dp *e = (struct eb_dp *)dp;

	while (e->devs) {
		e->devs->refs = 1;
		dev_put(e, e->devs);
	}
	l2tpd_loop_del(e->loop, e->events_w);
	ring_buffer__free(e->events);
	eb_frag_free(e->frag);
	l2tp_bpf__destroy(e->skel);
	free(e);
}

static const struct l2tpd_datapath_ops eb_ops = {
	.name = "ebpf",
	.tunnel_create = eb_tunnel_create,
	.tunnel_modify = eb_tunnel_modify,
	.tunnel_delete = eb_tunnel_delete,
	.tunnel_stats = eb_tunnel_stats,
	.session_create = eb_session_create,
	.session_modify = eb_session_modify,
	.session_delete = eb_session_delete,
	.sessions_predelete = eb_sessions_predelete,
	.session_stats = eb_session_stats,
	.session_send_seq = eb_session_send_seq,
	.free = eb_free,
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* L2TPD_BPF_DEBUG: all of libbpf's messages, the verifier's log with them */
static int loud(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

/* Our network namespace's cookie (l2tp.bpf.c's our_netns), 0 if unknown. */
static uint64_t netns_cookie(void)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &c, &len) < 0)
		c = 0;
	if (fd >= 0)
		close(fd);
	if (!c)
		log_warnx("datapath ebpf: no SO_NETNS_COOKIE (Linux 5.14): a session's "
			  "interface moved to another network namespace is not told apart");
	return c;
}

struct l2tpd_datapath *l2tpd_datapath_ebpf_new(struct l2tpd_loop *loop, struct l2tpd_registry *reg,
					       char *why, size_t whylen)
{
	struct eb_dp *e = calloc(1, sizeof(*e));
	char fwhy[160];
	int rc;

	if (!e) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	libbpf_set_print(getenv("L2TPD_BPF_DEBUG") ? loud : quiet);
	e->skel = l2tp_bpf__open();
	rc = e->skel ? l2tp_bpf__load(e->skel) : -errno;
	if (rc < 0) {
		snprintf(why, whylen, "loading the BPF programs: %s%s", strerror(rc < 0 ? -rc : rc),
			 (rc == -EPERM || rc == -EACCES) ? " (needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)" : "");
		l2tp_bpf__destroy(e->skel);
		free(e);
		errno = rc < 0 ? -rc : EIO;
		return NULL;
	}
	e->skel->bss->our_netns = netns_cookie();
	/* tcx (Linux 6.6) is what lets SIGKILL detach us: probe it now */
	rc = tcx_attach(bpf_program__fd(e->skel->progs.l2tp_decap), 1, L2TPD_BPF_TCX_INGRESS);
	if (rc < 0) {
		snprintf(why, whylen, "attaching a tcx program: %s (the ebpf datapath needs Linux 6.6+)",
			 strerror(-rc));
		goto fail;
	}
	close(rc); /* lo: nothing of ours passes there, and it is gone again */
	e->events = ring_buffer__new(bpf_map__fd(e->skel->maps.events), follow_rx, e, NULL);
	e->events_w = e->events ? l2tpd_loop_add(loop, ring_buffer__epoll_fd(e->events), EPOLLIN,
						 events_ready, e)
				: NULL;
	if (!e->events_w) {
		rc = errno ? -errno : -ENOMEM;
		snprintf(why, whylen, "the programs' event ring: %s", strerror(-rc));
		ring_buffer__free(e->events);
		goto fail;
	}
	e->loop = loop;
	e->frag = eb_frag_new(loop, bpf_program__fd(e->skel->progs.l2tp_reasm), fwhy, sizeof(fwhy));
	if (e->frag)
		e->skel->bss->frag_ifindex = (__u32)eb_frag_ifindex(e->frag);
	else
		log_warnx("datapath ebpf: outer fragments: %s (packets larger than the underlay's "
			  "MTU are dropped)",
			  fwhy);
	e->base.ops = &eb_ops;
	e->base.priv = e;
	e->reg = reg;
	stale_links_remove();
	return &e->base;
fail:
	l2tp_bpf__destroy(e->skel);
	free(e);
	errno = -rc;
	return NULL;
}
