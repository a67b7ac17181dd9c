/* SPDX-License-Identifier: MIT */
/*
 * l2tp/catalog.h - static tables of L2TP control message types and AVPs:
 * names, value types, length limits, hiding and M-bit policy, and which
 * AVPs each base-protocol message must or may carry (RFC 2661 §6,
 * RFC 3931 §6, RFC 4719). Code->name functions for logs and the CLI.
 */
#ifndef L2TP_CATALOG_H
#define L2TP_CATALOG_H

#include <l2tp/types.h>

/* Message types: the value of the Message Type AVP (registry.md §2a). */
enum l2tp_msg_type {
	L2TP_MSG_SCCRQ = 1,
	L2TP_MSG_SCCRP = 2,
	L2TP_MSG_SCCCN = 3,
	L2TP_MSG_STOPCCN = 4,
	L2TP_MSG_HELLO = 6,
	L2TP_MSG_OCRQ = 7,
	L2TP_MSG_OCRP = 8,
	L2TP_MSG_OCCN = 9,
	L2TP_MSG_ICRQ = 10,
	L2TP_MSG_ICRP = 11,
	L2TP_MSG_ICCN = 12,
	L2TP_MSG_CDN = 14,
	L2TP_MSG_WEN = 15,
	L2TP_MSG_SLI = 16,
	L2TP_MSG_MDMST = 17,
	L2TP_MSG_SRRQ = 18,
	L2TP_MSG_SRRP = 19,
	L2TP_MSG_ACK = 20,
	L2TP_MSG_FSQ = 21,
	L2TP_MSG_FSR = 22,
	L2TP_MSG_MSRQ = 23,
	L2TP_MSG_MSRP = 24,
	L2TP_MSG_MSE = 25,
	L2TP_MSG_MSI = 26,
	L2TP_MSG_MSEN = 27,
	L2TP_MSG_CSUN = 28,
	L2TP_MSG_CSURQ = 29,
};
#define L2TP_MSG_TYPE_MAX 29

/* IETF attribute types (vendor id 0), registry.md §2b. */
enum l2tp_avp_type {
	L2TP_AVP_MSG_TYPE = 0,
	L2TP_AVP_RESULT_CODE = 1,
	L2TP_AVP_PROTO_VERSION = 2,
	L2TP_AVP_FRAMING_CAPS = 3,
	L2TP_AVP_BEARER_CAPS = 4,
	L2TP_AVP_TIE_BREAKER = 5,
	L2TP_AVP_FIRMWARE_REV = 6,
	L2TP_AVP_HOST_NAME = 7,
	L2TP_AVP_VENDOR_NAME = 8,
	L2TP_AVP_TUNNEL_ID = 9,
	L2TP_AVP_RWS = 10,
	L2TP_AVP_CHALLENGE = 11,
	L2TP_AVP_Q931_CAUSE = 12,
	L2TP_AVP_CHALLENGE_RESP = 13,
	L2TP_AVP_SESSION_ID = 14,
	L2TP_AVP_CALL_SERIAL = 15,
	L2TP_AVP_MIN_BPS = 16,
	L2TP_AVP_MAX_BPS = 17,
	L2TP_AVP_BEARER_TYPE = 18,
	L2TP_AVP_FRAMING_TYPE = 19,
	L2TP_AVP_CALLED_NUMBER = 21,
	L2TP_AVP_CALLING_NUMBER = 22,
	L2TP_AVP_SUB_ADDRESS = 23,
	L2TP_AVP_TX_CONNECT_SPEED = 24,
	L2TP_AVP_PHYS_CHANNEL_ID = 25,
	L2TP_AVP_INIT_RCVD_LCP = 26,
	L2TP_AVP_LAST_SENT_LCP = 27,
	L2TP_AVP_LAST_RCVD_LCP = 28,
	L2TP_AVP_PROXY_AUTH_TYPE = 29,
	L2TP_AVP_PROXY_AUTH_NAME = 30,
	L2TP_AVP_PROXY_AUTH_CHAL = 31,
	L2TP_AVP_PROXY_AUTH_ID = 32,
	L2TP_AVP_PROXY_AUTH_RESP = 33,
	L2TP_AVP_CALL_ERRORS = 34, /* v3: Circuit Errors */
	L2TP_AVP_ACCM = 35,
	L2TP_AVP_RANDOM_VECTOR = 36,
	L2TP_AVP_PRIVATE_GROUP_ID = 37,
	L2TP_AVP_RX_CONNECT_SPEED = 38,
	L2TP_AVP_SEQ_REQUIRED = 39,
	L2TP_AVP_PPP_DISCONNECT_CAUSE = 46,
	L2TP_AVP_EXT_VENDOR_ID = 58,
	L2TP_AVP_MSG_DIGEST = 59,
	L2TP_AVP_ROUTER_ID = 60,
	L2TP_AVP_CCID = 61, /* Assigned Control Connection ID */
	L2TP_AVP_PW_CAPS = 62,
	L2TP_AVP_LOCAL_SESSION_ID = 63,
	L2TP_AVP_REMOTE_SESSION_ID = 64,
	L2TP_AVP_ASSIGNED_COOKIE = 65,
	L2TP_AVP_REMOTE_END_ID = 66,
	L2TP_AVP_PW_TYPE = 68,
	L2TP_AVP_L2_SUBLAYER = 69,
	L2TP_AVP_DATA_SEQUENCING = 70,
	L2TP_AVP_CIRCUIT_STATUS = 71,
	L2TP_AVP_PREFERRED_LANG = 72,
	L2TP_AVP_AUTH_NONCE = 73,
	L2TP_AVP_TX_SPEED64 = 74,
	L2TP_AVP_RX_SPEED64 = 75,
	L2TP_AVP_INTERFACE_MTU = 91,
	L2TP_AVP_ECN_CAPABILITY = 103,
};
#define L2TP_AVP_TYPE_MAX 103

/* Cisco's pre-standard L2TPv3 AVPs: vendor 9, types 0..14 (registry.md §2a). */
#define L2TP_VENDOR_CISCO 9
#define L2TP_CISCO_AVP_MAX 14

/* How an AVP value is laid out; drives length checks and typed decoding. */
enum l2tp_vtype {
	L2TP_VT_EMPTY, /* no value (Sequencing Required) */
	L2TP_VT_U16,
	L2TP_VT_U32,
	L2TP_VT_U64,
	L2TP_VT_STRING, /* text, not NUL terminated */
	L2TP_VT_BYTES, /* opaque octets */
	L2TP_VT_RESULT, /* result u16, [error u16, [message]] */
	L2TP_VT_Q931, /* cause u16, msg u8, [advisory] */
	L2TP_VT_ERRORS, /* reserved u16 + 6 (v2) or 4 (v3) u32 counters */
	L2TP_VT_ACCM, /* reserved u16 + send u32 + recv u32 */
	L2TP_VT_PW_CAPS, /* list of u16 pseudowire types */
	L2TP_VT_COOKIE, /* 4 or 8 octets */
};

/* AVP flags in struct l2tp_avp_info.flags */
#define L2TP_AVPF_M 0x01 /* sent with the M bit set */
#define L2TP_AVPF_HIDE_OK 0x02 /* may be hidden (H bit) */
#define L2TP_AVPF_V2 0x04 /* used by L2TPv2 */
#define L2TP_AVPF_V3 0x08 /* used by L2TPv3 */
#define L2TP_AVPF_EMPTY_OK 0x10 /* a zero-length string/bytes value is valid */

struct l2tp_avp_info {
	const char *name;
	uint8_t vtype; /* enum l2tp_vtype */
	uint8_t flags; /* L2TP_AVPF_* */
	uint16_t min_len; /* value length, header excluded */
	uint16_t max_len;
};

/* Message flags in struct l2tp_msg_info.flags */
#define L2TP_MSGF_V2 0x01 /* part of the L2TPv2 base protocol (RFC 2661) */
#define L2TP_MSGF_V3 0x02 /* part of the L2TPv3 base protocol (RFC 3931) */

struct l2tp_msg_info {
	const char *name; /* "Start-Control-Connection-Request" */
	const char *short_name; /* "SCCRQ" */
	uint8_t flags; /* L2TP_MSGF_* */
};

/* Rule of an AVP in a message, from l2tp_catalog_rule(). */
enum l2tp_avp_rule {
	L2TP_RULE_NONE = 0, /* not listed by the base protocol for this message */
	L2TP_RULE_MAY = 1,
	L2TP_RULE_MUST = 2,
};

/* Info for an AVP; NULL when vendor != 0 or the type is unknown/reserved. */
const struct l2tp_avp_info *l2tp_catalog_avp(uint16_t vendor, uint16_t type);

/* Info for a message type; NULL when reserved (0, 5, 13) or > 29. */
const struct l2tp_msg_info *l2tp_catalog_msg(uint16_t type);

/* True when |type| is a base-protocol message of |version| (2 or 3). */
bool l2tp_catalog_msg_valid(uint16_t type, int version);

/* Rule for IETF AVP |avp| in message |type| of |version|. */
enum l2tp_avp_rule l2tp_catalog_rule(uint16_t type, int version, uint16_t avp);

/*
 * The AVPs that message |type| of |version| must carry, Message Type
 * included. Returns the count and sets *|list| (static); 0 when the message
 * has no base-protocol rules.
 */
size_t l2tp_catalog_required(uint16_t type, int version, const uint16_t **list);

/* Names for logs and the CLI: never NULL ("unknown" when unknown). */
const char *l2tp_catalog_msg_name(uint16_t type);
const char *l2tp_catalog_msg_short(uint16_t type);
const char *l2tp_catalog_avp_name(uint16_t vendor, uint16_t type);
/* Result code names differ for StopCCN and CDN (RFC 2661 §4.4.2). */
const char *l2tp_catalog_result_name(uint16_t msg_type, uint16_t result);
const char *l2tp_catalog_error_name(uint16_t error);
const char *l2tp_catalog_pw_type_name(uint16_t pw_type);

/* General error codes (RFC 2661 §4.4.2, RFC 3931 §5.4.2). */
enum l2tp_error_code {
	L2TP_ERR_NONE = 0,
	L2TP_ERR_NO_CONTROL = 1,
	L2TP_ERR_LENGTH = 2,
	L2TP_ERR_RANGE = 3,
	L2TP_ERR_RESOURCES = 4,
	L2TP_ERR_SESSION_ID = 5,
	L2TP_ERR_VENDOR = 6,
	L2TP_ERR_TRY_ANOTHER = 7,
	L2TP_ERR_UNKNOWN_M = 8,
};

#endif /* L2TP_CATALOG_H */
