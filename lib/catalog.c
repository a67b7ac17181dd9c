// SPDX-License-Identifier: MIT
/*
 * catalog.c - static tables of message types and AVPs (registry.md, RFC 2661
 * §4.4 and §6, RFC 3931 §5.4 and §6, RFC 4719, RFC 4667).
 */
#include <l2tp/catalog.h>

#define M L2TP_AVPF_M
#define H L2TP_AVPF_HIDE_OK
#define V2 L2TP_AVPF_V2
#define V3 L2TP_AVPF_V3
#define E0 L2TP_AVPF_EMPTY_OK
/* the largest value an AVP can carry: 10-bit length minus the 6-byte header */
#define VMAX 1017

#define AVP(n, vt, fl, lo, hi)                                                                     \
	{                                                                                          \
		.name = (n), .vtype = (vt), .flags = (fl), .min_len = (lo), .max_len = (hi)        \
	}
#define A_U16(n, fl) AVP(n, L2TP_VT_U16, fl, 2, 2)
#define A_U32(n, fl) AVP(n, L2TP_VT_U32, fl, 4, 4)
#define A_U64(n, fl) AVP(n, L2TP_VT_U64, fl, 8, 8)
#define A_STR(n, fl, lo) AVP(n, L2TP_VT_STRING, fl, lo, VMAX)
#define A_BYTES(n, fl, lo) AVP(n, L2TP_VT_BYTES, fl, lo, VMAX)
/* extension AVPs we know by name only: carried as raw, sent without M */
#define A_EXT(n, fl) AVP(n, L2TP_VT_BYTES, (fl) | H | E0, 0, VMAX)

/*
 * The M bits are the ones the RFCs ask senders to use; RFC 2661 §4.4 and
 * RFC 3931 §5.4 mark informational AVPs (Tie Breaker, Firmware Revision,
 * Vendor Name, proxy LCP/auth data, Rx speeds, Preferred Language) M=0.
 * Message Type, Random Vector and Message Digest are never hidden (the
 * first two are needed to unhide anything, the digest covers the message).
 */
static const struct l2tp_avp_info avps[L2TP_AVP_TYPE_MAX + 1] = {
    [0] = A_U16("Message Type", M | V2 | V3),
    [1] = AVP("Result Code", L2TP_VT_RESULT, M | H | V2 | V3, 2, VMAX),
    [2] = A_U16("Protocol Version", M | V2),
    [3] = A_U32("Framing Capabilities", M | H | V2),
    [4] = A_U32("Bearer Capabilities", M | H | V2),
    [5] = AVP("Tie Breaker", L2TP_VT_BYTES, V2 | V3, 8, 8),
    [6] = A_U16("Firmware Revision", H | V2 | V3),
    [7] = A_STR("Host Name", M | V2 | V3, 1),
    [8] = A_STR("Vendor Name", H | V2 | V3 | E0, 0),
    [9] = A_U16("Assigned Tunnel ID", M | H | V2),
    [10] = A_U16("Receive Window Size", M | V2 | V3),
    [11] = A_BYTES("Challenge", M | H | V2 | V3, 1),
    [12] = AVP("Q.931 Cause Code", L2TP_VT_Q931, M | V2 | V3, 3, VMAX),
    [13] = AVP("Challenge Response", L2TP_VT_BYTES, M | H | V2 | V3, 16, 16),
    [14] = A_U16("Assigned Session ID", M | H | V2),
    [15] = A_U32("Call Serial Number", M | H | V2 | V3),
    [16] = A_U32("Minimum BPS", M | H | V2),
    [17] = A_U32("Maximum BPS", M | H | V2),
    [18] = A_U32("Bearer Type", M | H | V2),
    [19] = A_U32("Framing Type", M | H | V2),
    [21] = A_STR("Called Number", M | H | V2 | E0, 0),
    [22] = A_STR("Calling Number", M | H | V2 | E0, 0),
    [23] = A_STR("Sub-Address", M | H | V2 | E0, 0),
    [24] = A_U32("Tx Connect Speed", M | H | V2),
    [25] = A_U32("Physical Channel ID", H | V2 | V3),
    [26] = A_BYTES("Initial Received LCP CONFREQ", H | V2 | E0, 0),
    [27] = A_BYTES("Last Sent LCP CONFREQ", H | V2 | E0, 0),
    [28] = A_BYTES("Last Received LCP CONFREQ", H | V2 | E0, 0),
    [29] = A_U16("Proxy Authen Type", H | V2),
    [30] = A_STR("Proxy Authen Name", H | V2 | E0, 0),
    [31] = A_BYTES("Proxy Authen Challenge", H | V2, 1),
    [32] = A_U16("Proxy Authen ID", H | V2),
    [33] = A_BYTES("Proxy Authen Response", H | V2 | E0, 0),
    /* 26 bytes in v2 (RFC 2661 §4.4.6), 18 as v3 Circuit Errors (RFC 3931 §5.4.5) */
    /*
     * v2 (RFC 2661 §4.4.6): 2 reserved + 6 counters = 26 octets. v3 Circuit
     * Errors (RFC 3931 §5.4.5): 2 reserved + 4 counters = 18 octets per its
     * figure (its "Length ... is 32" is the v2 number). lib/msg.c checks the
     * exact length per version; this is the union.
     */
    [34] = AVP("Call Errors", L2TP_VT_ERRORS, M | H | V2 | V3, 18, 26),
    [35] = AVP("ACCM", L2TP_VT_ACCM, M | H | V2, 10, 10),
    [36] = A_BYTES("Random Vector", M | V2 | V3, 1),
    [37] = A_BYTES("Private Group ID", H | V2 | E0, 0),
    [38] = A_U32("Rx Connect Speed", H | V2),
    [39] = AVP("Sequencing Required", L2TP_VT_EMPTY, M | V2, 0, 0),
    [40] = A_EXT("Rx Minimum BPS", 0),
    [41] = A_EXT("Rx Maximum BPS", 0),
    [42] = A_EXT("Service Category", 0),
    [43] = A_EXT("Service Name", 0),
    [44] = A_EXT("Calling Sub-Address", 0),
    [45] = A_EXT("VPI/VCI Identifier", 0),
    [46] = A_EXT("PPP Disconnect Cause Code", V2 | V3),
    [47] = A_EXT("CCDS", 0),
    [48] = A_EXT("SDS", 0),
    [49] = A_EXT("LCP Want Options", 0),
    [50] = A_EXT("LCP Allow Options", 0),
    [51] = A_EXT("LNS Last Sent LCP Confreq", 0),
    [52] = A_EXT("LNS Last Received LCP Confreq", 0),
    [53] = A_EXT("Modem On-Hold Capable", 0),
    [54] = A_EXT("Modem On-Hold Status", 0),
    [55] = A_EXT("PPPoE Relay", 0),
    [56] = A_EXT("PPPoE Relay Response Capability", 0),
    [57] = A_EXT("PPPoE Relay Forward Capability", 0),
    [58] = A_EXT("Extended Vendor ID", V3),
    /*
     * digest type (1) + 16 (MD5) or 20 (SHA-1) octets, RFC 3931 §5.4.1. The
     * RFC says M SHOULD be 1 (MAY vary); sent as 0 for now, which
     * tests/unit/test_msg.c pins.
     */
    [59] = AVP("Message Digest", L2TP_VT_BYTES, M | V3, 17, 21),
    [60] = A_U32("Router ID", M | H | V3),
    [61] = A_U32("Assigned Control Connection ID", M | H | V3),
    [62] = AVP("Pseudowire Capabilities List", L2TP_VT_PW_CAPS, M | H | V3, 2, VMAX - 1),
    [63] = A_U32("Local Session ID", M | H | V3),
    [64] = A_U32("Remote Session ID", M | H | V3),
    [65] = AVP("Assigned Cookie", L2TP_VT_COOKIE, M | H | V3, 4, 8),
    [66] = A_BYTES("Remote End ID", M | H | V3, 1),
    [67] = A_EXT("Application Code", 0),
    [68] = A_U16("Pseudowire Type", M | H | V3),
    [69] = A_U16("L2-Specific Sublayer", M | H | V3),
    [70] = A_U16("Data Sequencing", M | H | V3),
    [71] = A_U16("Circuit Status", M | H | V3),
    [72] = A_STR("Preferred Language", H | V3, 1),
    /* RFC 3931 §5.4.1: "of arbitrary length, though at least 16 octets is recommended" */
    [73] = AVP("Control Message Authentication Nonce", L2TP_VT_BYTES, M | V3, 1, VMAX),
    [74] = A_U64("Tx Connect Speed", H | V3),
    [75] = A_U64("Rx Connect Speed", H | V3),
    [76] = A_EXT("Failover Capability", V2 | V3),
    [77] = A_EXT("Tunnel Recovery", V2 | V3),
    [78] = A_EXT("Suggested Control Sequence", V2 | V3),
    [79] = A_EXT("Failover Session State", V2 | V3),
    [80] = A_EXT("Multicast Capability", 0),
    [81] = A_EXT("New Outgoing Sessions", 0),
    [82] = A_EXT("New Outgoing Sessions Acknowledgement", 0),
    [83] = A_EXT("Withdraw Outgoing Sessions", 0),
    [84] = A_EXT("Multicast Packets Priority", 0),
    [85] = A_EXT("Frame-Relay Header Length", V3),
    [86] = A_EXT("ATM Maximum Concatenated Cells", V3),
    [87] = A_EXT("OAM Emulation Required", V3),
    [88] = A_EXT("ATM Alarm Status", V3),
    [89] = A_EXT("Attachment Group Identifier", V3),
    [90] = A_EXT("Local End Identifier", V3),
    /* RFC 4667 §7: Interface MTU, u16, informational */
    [91] = A_U16("Interface Maximum Transmission Unit", H | V3),
    [92] = A_EXT("FCS Retention", V3),
    [93] = A_EXT("Tunnel Switching Aggregator ID", V2),
    [94] = A_EXT("Maximum Receive Unit (MRU)", V3),
    [95] = A_EXT("Maximum Reassembled Receive Unit (MRRU)", V3),
    [96] = A_EXT("VCCV Capability", V3),
    [97] = A_EXT("Connect Speed Update", V2 | V3),
    [98] = A_EXT("Connect Speed Update Enable", V2 | V3),
    [99] = A_EXT("TDM Pseudowire", V3),
    [100] = A_EXT("RTP", V3),
    [101] = A_EXT("PW Switching Point", V3),
    [102] = A_EXT("S-BFD Target Discriminator ID", V3),
    [103] = A_EXT("ECN Capability", V3),
};

#define MB(v2, v3) ((v2 ? L2TP_MSGF_V2 : 0) | (v3 ? L2TP_MSGF_V3 : 0))
static const struct l2tp_msg_info msgs[L2TP_MSG_TYPE_MAX + 1] = {
    [1] = {"Start-Control-Connection-Request", "SCCRQ", MB(1, 1)},
    [2] = {"Start-Control-Connection-Reply", "SCCRP", MB(1, 1)},
    [3] = {"Start-Control-Connection-Connected", "SCCCN", MB(1, 1)},
    [4] = {"Stop-Control-Connection-Notification", "StopCCN", MB(1, 1)},
    [6] = {"Hello", "HELLO", MB(1, 1)},
    [7] = {"Outgoing-Call-Request", "OCRQ", MB(1, 1)},
    [8] = {"Outgoing-Call-Reply", "OCRP", MB(1, 1)},
    [9] = {"Outgoing-Call-Connected", "OCCN", MB(1, 1)},
    [10] = {"Incoming-Call-Request", "ICRQ", MB(1, 1)},
    [11] = {"Incoming-Call-Reply", "ICRP", MB(1, 1)},
    [12] = {"Incoming-Call-Connected", "ICCN", MB(1, 1)},
    [14] = {"Call-Disconnect-Notify", "CDN", MB(1, 1)},
    [15] = {"WAN-Error-Notify", "WEN", MB(1, 1)},
    [16] = {"Set-Link-Info", "SLI", MB(1, 1)},
    [17] = {"Modem-Status", "MDMST", 0},
    [18] = {"Service-Relay-Request", "SRRQ", 0},
    [19] = {"Service-Relay-Reply", "SRRP", 0},
    [20] = {"Explicit-Acknowledgement", "ACK", MB(0, 1)},
    [21] = {"Failover-Session-Query", "FSQ", 0},
    [22] = {"Failover-Session-Response", "FSR", 0},
    [23] = {"Multicast-Session-Request", "MSRQ", 0},
    [24] = {"Multicast-Session-Response", "MSRP", 0},
    [25] = {"Multicast-Session-Establishment", "MSE", 0},
    [26] = {"Multicast-Session-Information", "MSI", 0},
    [27] = {"Multicast-Session-End-Notify", "MSEN", 0},
    [28] = {"Connect-Speed-Update-Notification", "CSUN", 0},
    [29] = {"Connect-Speed-Update-Request", "CSURQ", 0},
};

/*
 * Per message and version: the AVPs that MUST and MAY be present, as lists
 * ended by END. v2 from RFC 2661 §6.1-§6.14 (Random Vector may accompany
 * any message that hides AVPs, §4.3); v3 from RFC 3931 §6.1-§6.15, where
 * every message may also carry Random Vector and Message Digest, plus the
 * Interface MTU of RFC 4667 on the session setup messages. RFC 4719 adds
 * no new required AVP for Ethernet pseudowires: it uses PW Type 4/5 and
 * Circuit Status in ICRQ/ICRP/SLI as RFC 3931 already asks.
 */
#define END 0xffff
#define MAXR 24
struct rules {
	uint16_t must[10];
	uint16_t may[MAXR];
};

static const struct rules v2_rules[L2TP_MSG_TYPE_MAX + 1] = {
    [L2TP_MSG_SCCRQ] = {{0, 2, 3, 7, 9, END}, {4, 5, 6, 8, 10, 11, 36, END}},
    [L2TP_MSG_SCCRP] = {{0, 2, 3, 7, 9, END}, {4, 6, 8, 10, 11, 13, 36, END}},
    [L2TP_MSG_SCCCN] = {{0, END}, {13, 36, END}},
    [L2TP_MSG_STOPCCN] = {{0, 1, 9, END}, {36, END}},
    [L2TP_MSG_HELLO] = {{0, END}, {36, END}},
    [L2TP_MSG_OCRQ] = {{0, 14, 15, 16, 17, 18, 19, 21, END}, {23, 36, END}},
    [L2TP_MSG_OCRP] = {{0, 14, END}, {25, 36, END}},
    [L2TP_MSG_OCCN] = {{0, 19, 24, END}, {38, 39, 36, END}},
    [L2TP_MSG_ICRQ] = {{0, 14, 15, END}, {18, 21, 22, 23, 25, 36, END}},
    [L2TP_MSG_ICRP] = {{0, 14, END}, {36, END}},
    [L2TP_MSG_ICCN] = {{0, 19, 24, END}, {26, 27, 28, 29, 30, 31, 32, 33, 37, 38, 39, 36, END}},
    [L2TP_MSG_CDN] = {{0, 1, 14, END}, {12, 36, END}},
    [L2TP_MSG_WEN] = {{0, 34, END}, {36, END}},
    [L2TP_MSG_SLI] = {{0, 35, END}, {36, END}},
};

static const struct rules v3_rules[L2TP_MSG_TYPE_MAX + 1] = {
    [L2TP_MSG_SCCRQ] = {{0, 7, 60, 61, 62, END}, {5, 6, 8, 10, 72, 73, 36, 59, END}},
    [L2TP_MSG_SCCRP] = {{0, 7, 60, 61, 62, END}, {6, 8, 10, 72, 73, 36, 59, END}},
    [L2TP_MSG_SCCCN] = {{0, END}, {36, 59, END}},
    [L2TP_MSG_STOPCCN] = {{0, 1, END}, {61, 36, 59, END}},
    [L2TP_MSG_HELLO] = {{0, END}, {36, 59, END}},
    [L2TP_MSG_ACK] = {{0, END}, {36, 59, END}},
    [L2TP_MSG_ICRQ] = {{0, 63, 64, 15, 68, 66, 71, END},
		       {65, 5, 69, 70, 74, 75, 25, 91, 36, 59, END}},
    [L2TP_MSG_ICRP] = {{0, 63, 64, 71, END}, {65, 69, 70, 74, 75, 25, 91, 36, 59, END}},
    [L2TP_MSG_ICCN] = {{0, 63, 64, END}, {69, 70, 74, 75, 36, 59, END}},
    [L2TP_MSG_OCRQ] = {{0, 63, 64, 15, 68, 66, END}, {65, 5, 69, 70, 74, 75, 91, 36, 59, END}},
    [L2TP_MSG_OCRP] = {{0, 63, 64, 71, END}, {65, 69, 70, 74, 75, 25, 91, 36, 59, END}},
    [L2TP_MSG_OCCN] = {{0, 63, 64, END}, {69, 70, 74, 75, 36, 59, END}},
    [L2TP_MSG_CDN] = {{0, 1, 63, 64, END}, {12, 36, 59, END}},
    [L2TP_MSG_WEN] = {{0, 63, 64, 34, END}, {36, 59, END}},
    [L2TP_MSG_SLI] = {{0, 63, 64, END}, {71, 36, 59, END}},
};

const struct l2tp_avp_info *l2tp_catalog_avp(uint16_t vendor, uint16_t type)
{
	if (vendor != 0 || type > L2TP_AVP_TYPE_MAX || !avps[type].name)
		return NULL;
	return &avps[type];
}

const struct l2tp_msg_info *l2tp_catalog_msg(uint16_t type)
{
	if (type > L2TP_MSG_TYPE_MAX || !msgs[type].name)
		return NULL;
	return &msgs[type];
}

bool l2tp_catalog_msg_valid(uint16_t type, int version)
{
	const struct l2tp_msg_info *mi = l2tp_catalog_msg(type);

	if (!mi)
		return false;
	if (version == 2)
		return mi->flags & L2TP_MSGF_V2;
	if (version == 3)
		return mi->flags & L2TP_MSGF_V3;
	return false;
}

static const struct rules *rules_of(uint16_t type, int version)
{
	const struct rules *r;

	if (type > L2TP_MSG_TYPE_MAX || (version != 2 && version != 3))
		return NULL;
	r = version == 2 ? &v2_rules[type] : &v3_rules[type];
	/* an unset entry has must[0] == 0 too, so tell it by its END marker */
	return r->must[1] == 0 ? NULL : r;
}

static bool in_list(const uint16_t *l, size_t n, uint16_t avp)
{
	for (size_t i = 0; i < n && l[i] != END; i++)
		if (l[i] == avp)
			return true;
	return false;
}

enum l2tp_avp_rule l2tp_catalog_rule(uint16_t type, int version, uint16_t avp)
{
	const struct rules *r = rules_of(type, version);

	if (!r)
		return L2TP_RULE_NONE;
	if (in_list(r->must, L2TP_ARRAY_SIZE(r->must), avp))
		return L2TP_RULE_MUST;
	if (in_list(r->may, L2TP_ARRAY_SIZE(r->may), avp))
		return L2TP_RULE_MAY;
	return L2TP_RULE_NONE;
}

size_t l2tp_catalog_required(uint16_t type, int version, const uint16_t **list)
{
	const struct rules *r = rules_of(type, version);
	size_t n = 0;

	*list = NULL;
	if (!r)
		return 0;
	while (n < L2TP_ARRAY_SIZE(r->must) && r->must[n] != END)
		n++;
	*list = r->must;
	return n;
}

const char *l2tp_catalog_msg_name(uint16_t type)
{
	const struct l2tp_msg_info *mi = l2tp_catalog_msg(type);

	return mi ? mi->name : "unknown";
}

const char *l2tp_catalog_msg_short(uint16_t type)
{
	const struct l2tp_msg_info *mi = l2tp_catalog_msg(type);

	return mi ? mi->short_name : "unknown";
}

const char *l2tp_catalog_avp_name(uint16_t vendor, uint16_t type)
{
	const struct l2tp_avp_info *ai = l2tp_catalog_avp(vendor, type);

	if (ai)
		return ai->name;
	if (vendor == 0 && type == 20)
		return "Reserved";
	return vendor ? "vendor-specific" : "unknown";
}

static const char *const stopccn_results[] = {
    [0] = "Reserved",
    [1] = "General request to clear control connection",
    [2] = "General error, Error Code indicates the problem",
    [3] = "Control connection already exists",
    [4] = "Requester is not authorized to establish a control connection",
    [5] = "The protocol version of the requester is not supported",
    [6] = "Requester is being shut down",
    [7] = "Finite state machine error or timeout",
    [8] = "Control connection due to mismatching CCDS value",
};

static const char *const cdn_results[] = {
    [0] = "Reserved",
    [1] = "Call disconnected due to loss of carrier or circuit disconnect",
    [2] = "Call disconnected for the reason indicated in error code",
    [3] = "Call disconnected for administrative reasons",
    [4] = "Call failed due to lack of appropriate facilities being available (temporary)",
    [5] = "Call failed due to lack of appropriate facilities being available (permanent)",
    [6] = "Invalid destination",
    [7] = "Call failed due to no carrier detected",
    [8] = "Call failed due to detection of a busy signal",
    [9] = "Call failed due to lack of a dial tone",
    [10] = "Call was not established within time allotted by LAC",
    [11] = "Call was connected but no appropriate framing was detected",
    [12] = "Disconnecting call due to mismatching SDS value",
    [13] = "Session not established due to losing tie breaker",
    [14] = "Session not established due to unsupported PW type",
    [15] = "Session not established, sequencing required without valid L2-Specific Sublayer",
    [16] = "Finite state machine error or timeout",
    [17] = "FR PVC was deleted permanently",
    [18] = "FR PVC has been INACTIVE for an extended period of time",
    [19] = "Mismatched FR Header Length",
    [20] = "HDLC Link was deleted permanently",
    [21] = "HDLC Link has been INACTIVE for an extended period of time",
    [22] = "Session not established due to other LCCE can not support the OAM Cell Emulation",
    [23] = "Mismatching interface MTU",
    [24] = "Attempt to connect to non-existent forwarder",
    [25] = "Attempt to connect to unauthorized forwarder",
    [26] = "Loop Detected",
    [27] = "Attachment Circuit bound to different PE",
    [28] = "Attachment Circuit bound to different remote Attachment Circuit",
    [30] = "Mismatched TDM PW parameters",
    [31] = "Sequencing not supported",
};

static const char *const error_codes[] = {
    [0] = "No general error",
    [1] = "No control connection exists yet for this pair of LCCEs",
    [2] = "Length is wrong",
    [3] = "One of the field values was out of range",
    [4] = "Insufficient resources to handle this operation now",
    [5] = "Invalid Session ID",
    [6] = "A generic vendor-specific error occurred",
    [7] = "Try another",
    [8] = "Receipt of an unknown AVP with the M bit set",
    [9] = "Try another directed",
    [10] = "Next hop unreachable",
    [11] = "Next hop busy",
    [12] = "TSA busy",
};

static const char *pick(const char *const *tab, size_t n, uint16_t i)
{
	if (i < n && tab[i])
		return tab[i];
	return "unknown";
}

const char *l2tp_catalog_result_name(uint16_t msg_type, uint16_t result)
{
	if (msg_type == L2TP_MSG_STOPCCN)
		return pick(stopccn_results, L2TP_ARRAY_SIZE(stopccn_results), result);
	if (msg_type == L2TP_MSG_CDN)
		return pick(cdn_results, L2TP_ARRAY_SIZE(cdn_results), result);
	return "unknown";
}

const char *l2tp_catalog_error_name(uint16_t error)
{
	return pick(error_codes, L2TP_ARRAY_SIZE(error_codes), error);
}

static const char *const pw_types[] = {
    [0x0001] = "Frame Relay DLCI",
    [0x0002] = "ATM AAL5 SDU VCC transport",
    [0x0003] = "ATM Cell transparent Port Mode",
    [0x0004] = "Ethernet VLAN",
    [0x0005] = "Ethernet",
    [0x0006] = "HDLC",
    [0x0007] = "PPP",
    [0x0008] = "PPP AC", /* Linux-private value */
    [0x0009] = "ATM Cell transport VCC Mode",
    [0x000a] = "ATM Cell transport VPC Mode",
    [0x000b] = "IP",
    [0x000c] = "MPEG-TS Payload Type (MPT)",
    [0x000d] = "Packet Streaming Protocol (PSP)",
    [0x0011] = "Structure-agnostic E1 circuit",
    [0x0012] = "Structure-agnostic T1 (DS1) circuit",
    [0x0013] = "Structure-agnostic E3 circuit",
    [0x0014] = "Structure-agnostic T3 (DS3) circuit",
    [0x0015] = "CESoPSN basic mode",
    [0x0017] = "CESoPSN TDM with CAS",
};

const char *l2tp_catalog_pw_type_name(uint16_t pw_type)
{
	return pick(pw_types, L2TP_ARRAY_SIZE(pw_types), pw_type);
}
