/* SPDX-License-Identifier: MIT */
/*
 * l2tp/msg.h - typed control messages: the AVP list (the "body") that
 * follows the control header, parsed into struct l2tp_msg and built back.
 * The header itself is l2tp/wire.h's job. Parsing never allocates: strings
 * and bytes are views into the body, or into the caller's scratch buffer
 * for values that were hidden.
 */
#ifndef L2TP_MSG_H
#define L2TP_MSG_H

#include <assert.h>

#include <l2tp/avp.h>
#include <l2tp/catalog.h>

/*
 * Parse results. 0 is a message; L2TP_MSG_ZLB an empty body (a ZLB ack,
 * RFC 2661 §5.8). Negative codes, with the diag saying which AVP and byte:
 */
#define L2TP_MSG_ZLB 1
#define L2TP_EMALFORMED (-EPROTO) /* AVP framing: truncated, length < 6 or too long */
#define L2TP_EBADLEN (-EMSGSIZE) /* value length wrong for its AVP (error code 2) */
#define L2TP_EBADMSG                                                                               \
	(-EBADMSG) /* first AVP not Message Type, duplicate, empty string,                         \
			      bad value */
#define L2TP_EMISSING (-ENOMSG) /* a required AVP is missing */
#define L2TP_EUNKNOWN_M (-ENOPROTOOPT) /* unknown AVP with M=1 (error code 8): tear down */
#define L2TP_EUNKNOWN_MSG                                                                          \
	(-EOPNOTSUPP) /* message type not in the base protocol of this                             \
			 version; msg->type is set */
#define L2TP_EHIDDEN (-EACCES) /* hidden AVP without secret or Random Vector before it */
#define L2TP_ETOOMANY (-E2BIG) /* too many AVPs of one kind */
/* -ENOBUFS: scratch too small for unhidden values */

#define L2TP_MSG_MAX_RAW 16
#define L2TP_MSG_MAX_PW_CAPS 16

/* A borrowed run of bytes (not NUL terminated). */
struct l2tp_view {
	const uint8_t *p;
	size_t len;
};

struct l2tp_result {
	uint16_t result;
	uint16_t error; /* valid when has_error */
	bool has_error;
	struct l2tp_view message; /* optional error message */
};

struct l2tp_q931 {
	uint16_t cause;
	uint8_t msg;
	struct l2tp_view advisory;
};

/*
 * Call Errors (v2, RFC 2661 §4.4.6: all six counters) / Circuit Errors (v3,
 * RFC 3931 §5.4.5: no CRC and framing counters). A v3 peer sending the
 * 26-byte v2 layout is accepted; v3 builds send 18 bytes unless crc or
 * framing is non-zero.
 */
struct l2tp_call_errors {
	uint32_t crc, framing, hw_overruns, buf_overruns, timeouts, alignment;
};

struct l2tp_accm {
	uint32_t send, recv;
};

/*
 * A control message. |present| has bit N set when IETF AVP N is present
 * (l2tp_msg_has/l2tp_msg_set); its typed field is then valid. |hide| marks
 * AVPs l2tp_msg_build() should hide (when given a secret); the parser sets
 * it for AVPs that came hidden. Unrecognized M=0 AVPs, vendor AVPs and IETF
 * AVPs without a typed field land in |raw| (values hidden as received).
 */
struct l2tp_msg {
	uint16_t type; /* enum l2tp_msg_type */
	uint64_t present[2]; /* IETF attribute types 0..127 */
	uint64_t hide[2];

	struct l2tp_result result; /* 1 */
	uint16_t protocol_version; /* 2: version << 8 | revision (0x0100) */
	uint32_t framing_caps; /* 3 */
	uint32_t bearer_caps; /* 4 */
	struct l2tp_view tie_breaker; /* 5: 8 bytes */
	uint16_t firmware_rev; /* 6 */
	struct l2tp_view host_name; /* 7 */
	struct l2tp_view vendor_name; /* 8 */
	uint16_t tunnel_id; /* 9 */
	uint16_t rwnd; /* 10 */
	struct l2tp_view challenge; /* 11 */
	struct l2tp_q931 q931; /* 12 */
	struct l2tp_view challenge_resp; /* 13: 16 bytes */
	uint16_t session_id; /* 14 */
	uint32_t call_serial; /* 15 */
	uint32_t min_bps; /* 16 */
	uint32_t max_bps; /* 17 */
	uint32_t bearer_type; /* 18 */
	uint32_t framing_type; /* 19 */
	struct l2tp_view called_number; /* 21 */
	struct l2tp_view calling_number; /* 22 */
	struct l2tp_view sub_address; /* 23 */
	uint32_t tx_connect_speed; /* 24 */
	uint32_t phys_channel_id; /* 25 */
	struct l2tp_view init_rcvd_lcp; /* 26 */
	struct l2tp_view last_sent_lcp; /* 27 */
	struct l2tp_view last_rcvd_lcp; /* 28 */
	uint16_t proxy_auth_type; /* 29 */
	struct l2tp_view proxy_auth_name; /* 30 */
	struct l2tp_view proxy_auth_chal; /* 31 */
	uint16_t proxy_auth_id; /* 32 */
	struct l2tp_view proxy_auth_resp; /* 33 */
	struct l2tp_call_errors call_errors; /* 34 */
	struct l2tp_accm accm; /* 35 */
	struct l2tp_view random_vector; /* 36 */
	struct l2tp_view private_group_id; /* 37 */
	uint32_t rx_connect_speed; /* 38 */
	/* 39 Sequencing Required: presence only */
	struct l2tp_view message_digest; /* 59: type byte + digest */
	uint32_t router_id; /* 60 */
	uint32_t ccid; /* 61 */
	uint16_t pw_caps[L2TP_MSG_MAX_PW_CAPS]; /* 62 */
	uint8_t n_pw_caps;
	uint32_t local_session_id; /* 63 */
	uint32_t remote_session_id; /* 64 */
	uint8_t cookie[8]; /* 65 */
	uint8_t cookie_len; /* 4 or 8 */
	struct l2tp_view remote_end_id; /* 66 */
	uint16_t pw_type; /* 68 */
	uint16_t l2_sublayer; /* 69 */
	uint16_t data_seq; /* 70 */
	uint16_t circuit_status; /* 71 */
	struct l2tp_view preferred_lang; /* 72 */
	struct l2tp_view auth_nonce; /* 73 */
	uint64_t tx_speed64; /* 74 */
	uint64_t rx_speed64; /* 75 */
	uint16_t interface_mtu; /* 91 */

	struct l2tp_avp raw[L2TP_MSG_MAX_RAW];
	size_t n_raw;
	size_t n_raw_dropped; /* unrecognized M=0 AVPs past L2TP_MSG_MAX_RAW, ignored */
};

static_assert(L2TP_AVP_TYPE_MAX < 128, "present[] covers IETF AVP types 0..127");
static_assert(L2TP_MSG_MAX_RAW >= 8 && L2TP_MSG_MAX_RAW <= 64, "raw AVP array bounds");

static inline bool l2tp_msg_has(const struct l2tp_msg *m, uint16_t attr)
{
	return attr < 128 && (m->present[attr / 64] >> (attr % 64) & 1);
}

static inline void l2tp_msg_set(struct l2tp_msg *m, uint16_t attr)
{
	if (attr < 128)
		m->present[attr / 64] |= 1ULL << (attr % 64);
}

static inline void l2tp_msg_clear(struct l2tp_msg *m, uint16_t attr)
{
	if (attr < 128)
		m->present[attr / 64] &= ~(1ULL << (attr % 64));
}

static inline void l2tp_msg_set_hide(struct l2tp_msg *m, uint16_t attr)
{
	if (attr < 128)
		m->hide[attr / 64] |= 1ULL << (attr % 64);
}

static inline bool l2tp_msg_hidden(const struct l2tp_msg *m, uint16_t attr)
{
	return attr < 128 && (m->hide[attr / 64] >> (attr % 64) & 1);
}

/* A view of a C string, for filling messages by hand. */
static inline struct l2tp_view l2tp_view_str(const char *s)
{
	return (struct l2tp_view){(const uint8_t *)s, strlen(s)};
}

/* Start a message of |type| with only Message Type present. */
void l2tp_msg_init(struct l2tp_msg *m, uint16_t type);

/*
 * Parse the AVPs of a control message body |body|/|len| of protocol
 * |version| (2 or 3) into *|m|. Hidden AVPs are unhidden with |secret|
 * (may be NULL when none is configured) and the preceding Random Vector
 * into |scratch|/|scratch_len| (may be NULL/0), which the views then point
 * into. Checks, in order of the bytes: AVP framing, first AVP is Message
 * Type with M=1, each typed AVP's value length (catalog), no zero-length
 * strings where the RFC forbids them, no duplicate typed AVPs, unknown
 * AVPs with M=1; then the required AVPs of the message for |version|.
 * Returns 0, L2TP_MSG_ZLB for an empty body, or a negative L2TP_E* code
 * (see above), -ENOBUFS (scratch full) or -EINVAL (bad version); *|diag|
 * (may be NULL) then says where and why. On L2TP_EUNKNOWN_M,
 * L2TP_EUNKNOWN_MSG and L2TP_EMISSING, m->type is valid so the caller can
 * answer (StopCCN/CDN with error code 8, RFC 2661 §4.1, RFC 3931 §5.2).
 */
int l2tp_msg_parse(const uint8_t *body, size_t len, int version, const uint8_t *secret,
		   size_t secret_len, uint8_t *scratch, size_t scratch_len, struct l2tp_msg *m,
		   struct l2tp_diag *diag);

/* What l2tp_msg_build() needs to hide AVPs (all optional). */
struct l2tp_msg_build_opts {
	const uint8_t *secret;
	size_t secret_len;
	/* random bytes for hiding padding and, when m has no Random Vector,
	 * a 16-byte Random Vector */
	l2tp_rand_fn rand;
	void *rand_user;
	uint8_t pad_max; /* up to this many padding bytes per hidden AVP (0: none) */
};

/*
 * Build the body of |m| into |buf|/|cap| for |version|: Message Type first,
 * then Message Digest (when present), Random Vector, every other
 * present typed AVP by ascending type with the catalog's M bit, then the
 * raw AVPs as they are. AVPs marked in m->hide are hidden when |opts| has a
 * secret (a Random Vector is made with opts->rand when m has none).
 * Returns the length, -ENOSPC, -EMSGSIZE (a value over 1017 bytes),
 * -EINVAL (bad version, hiding without rand for a needed RV, or a field
 * out of its catalog bounds), or -EIO from the digest.
 */
int l2tp_msg_build(const struct l2tp_msg *m, int version, const struct l2tp_msg_build_opts *opts,
		   uint8_t *buf, size_t cap);

/* Field-by-field comparison of two parsed/built messages (views by content). */
bool l2tp_msg_equal(const struct l2tp_msg *a, const struct l2tp_msg *b);

/*
 * Fill *|out| with one valid example of base message |type| for |version|
 * (every required AVP, a few optional ones; strings point to static
 * storage). For tests, the tshark interop suite and the CLI's self-test.
 * Returns 0 or -EINVAL when |type| is not a base message of |version|.
 */
int l2tp_msg_example(uint16_t type, int version, struct l2tp_msg *out);

#endif /* L2TP_MSG_H */
