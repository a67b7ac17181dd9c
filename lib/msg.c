// SPDX-License-Identifier: MIT
/*
 * msg.c - typed control messages: parse a body of AVPs into struct l2tp_msg
 * and build it back (RFC 2661 §4 and §6, RFC 3931 §5 and §6).
 */
#include <stddef.h>

#include <l2tp/auth.h>
#include <l2tp/msg.h>

/*
 * Where each typed AVP lives in struct l2tp_msg; the catalog's value type
 * says how to read it. Stored +1 so that 0 means "no typed field": such
 * AVPs (extensions) are kept raw.
 */
#define OFF(member) (offsetof(struct l2tp_msg, member) + 1)
static const uint16_t field_off[L2TP_AVP_TYPE_MAX + 1] = {
    [L2TP_AVP_RESULT_CODE] = OFF(result),
    [L2TP_AVP_PROTO_VERSION] = OFF(protocol_version),
    [L2TP_AVP_FRAMING_CAPS] = OFF(framing_caps),
    [L2TP_AVP_BEARER_CAPS] = OFF(bearer_caps),
    [L2TP_AVP_TIE_BREAKER] = OFF(tie_breaker),
    [L2TP_AVP_FIRMWARE_REV] = OFF(firmware_rev),
    [L2TP_AVP_HOST_NAME] = OFF(host_name),
    [L2TP_AVP_VENDOR_NAME] = OFF(vendor_name),
    [L2TP_AVP_TUNNEL_ID] = OFF(tunnel_id),
    [L2TP_AVP_RWS] = OFF(rwnd),
    [L2TP_AVP_CHALLENGE] = OFF(challenge),
    [L2TP_AVP_Q931_CAUSE] = OFF(q931),
    [L2TP_AVP_CHALLENGE_RESP] = OFF(challenge_resp),
    [L2TP_AVP_SESSION_ID] = OFF(session_id),
    [L2TP_AVP_CALL_SERIAL] = OFF(call_serial),
    [L2TP_AVP_MIN_BPS] = OFF(min_bps),
    [L2TP_AVP_MAX_BPS] = OFF(max_bps),
    [L2TP_AVP_BEARER_TYPE] = OFF(bearer_type),
    [L2TP_AVP_FRAMING_TYPE] = OFF(framing_type),
    [L2TP_AVP_CALLED_NUMBER] = OFF(called_number),
    [L2TP_AVP_CALLING_NUMBER] = OFF(calling_number),
    [L2TP_AVP_SUB_ADDRESS] = OFF(sub_address),
    [L2TP_AVP_TX_CONNECT_SPEED] = OFF(tx_connect_speed),
    [L2TP_AVP_PHYS_CHANNEL_ID] = OFF(phys_channel_id),
    [L2TP_AVP_INIT_RCVD_LCP] = OFF(init_rcvd_lcp),
    [L2TP_AVP_LAST_SENT_LCP] = OFF(last_sent_lcp),
    [L2TP_AVP_LAST_RCVD_LCP] = OFF(last_rcvd_lcp),
    [L2TP_AVP_PROXY_AUTH_TYPE] = OFF(proxy_auth_type),
    [L2TP_AVP_PROXY_AUTH_NAME] = OFF(proxy_auth_name),
    [L2TP_AVP_PROXY_AUTH_CHAL] = OFF(proxy_auth_chal),
    [L2TP_AVP_PROXY_AUTH_ID] = OFF(proxy_auth_id),
    [L2TP_AVP_PROXY_AUTH_RESP] = OFF(proxy_auth_resp),
    [L2TP_AVP_CALL_ERRORS] = OFF(call_errors),
    [L2TP_AVP_ACCM] = OFF(accm),
    [L2TP_AVP_RANDOM_VECTOR] = OFF(random_vector),
    [L2TP_AVP_PRIVATE_GROUP_ID] = OFF(private_group_id),
    [L2TP_AVP_RX_CONNECT_SPEED] = OFF(rx_connect_speed),
    [L2TP_AVP_SEQ_REQUIRED] = 1, /* presence only: offset of |type|, never written */
    [L2TP_AVP_MSG_DIGEST] = OFF(message_digest),
    [L2TP_AVP_ROUTER_ID] = OFF(router_id),
    [L2TP_AVP_CCID] = OFF(ccid),
    [L2TP_AVP_PW_CAPS] = OFF(pw_caps),
    [L2TP_AVP_LOCAL_SESSION_ID] = OFF(local_session_id),
    [L2TP_AVP_REMOTE_SESSION_ID] = OFF(remote_session_id),
    [L2TP_AVP_ASSIGNED_COOKIE] = OFF(cookie),
    [L2TP_AVP_REMOTE_END_ID] = OFF(remote_end_id),
    [L2TP_AVP_PW_TYPE] = OFF(pw_type),
    [L2TP_AVP_L2_SUBLAYER] = OFF(l2_sublayer),
    [L2TP_AVP_DATA_SEQUENCING] = OFF(data_seq),
    [L2TP_AVP_CIRCUIT_STATUS] = OFF(circuit_status),
    [L2TP_AVP_PREFERRED_LANG] = OFF(preferred_lang),
    [L2TP_AVP_AUTH_NONCE] = OFF(auth_nonce),
    [L2TP_AVP_TX_SPEED64] = OFF(tx_speed64),
    [L2TP_AVP_RX_SPEED64] = OFF(rx_speed64),
    [L2TP_AVP_INTERFACE_MTU] = OFF(interface_mtu),
};

static void *field_of(struct l2tp_msg *m, uint16_t attr)
{
	if (attr == 0 || attr > L2TP_AVP_TYPE_MAX || !field_off[attr])
		return NULL;
	return (uint8_t *)m + field_off[attr] - 1;
}

static const void *cfield_of(const struct l2tp_msg *m, uint16_t attr)
{
	return field_of((struct l2tp_msg *)m, attr);
}

void l2tp_msg_init(struct l2tp_msg *m, uint16_t type)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	l2tp_msg_set(m, L2TP_AVP_MSG_TYPE);
}

static int fail(struct l2tp_diag *diag, const struct l2tp_avp *a, int rc, const char *why)
{
	l2tp_diag_set_avp(diag, a->offset, a->vendor, a->type, why);
	return rc;
}

/* Decode value |v|/|n| of typed AVP |attr| (length already checked). */
static int decode(struct l2tp_msg *m, const struct l2tp_avp_info *ai, uint16_t attr,
		  const uint8_t *v, size_t n, int version, const char **why)
{
	void *f = field_of(m, attr);
	struct l2tp_cursor c;

	l2tp_cur_init(&c, v, n);
	switch (ai->vtype) {
	case L2TP_VT_EMPTY:
		return 0;
	case L2TP_VT_U16:
		return l2tp_cur_get_u16(&c, f);
	case L2TP_VT_U32:
		return l2tp_cur_get_u32(&c, f);
	case L2TP_VT_U64:
		return l2tp_cur_get_u64(&c, f);
	case L2TP_VT_STRING:
	case L2TP_VT_BYTES:
		*(struct l2tp_view *)f = (struct l2tp_view){v, n};
		return 0;
	case L2TP_VT_RESULT: {
		struct l2tp_result *r = f;

		/* RFC 2661 §4.4.2: result, then optional error, then optional message */
		if (n == 3) {
			*why = "Result Code AVP with a partial error code";
			return L2TP_EBADLEN;
		}
		l2tp_cur_get_u16(&c, &r->result);
		r->has_error = n >= 4;
		if (r->has_error)
			l2tp_cur_get_u16(&c, &r->error);
		r->message = (struct l2tp_view){l2tp_cur_ptr(&c), l2tp_cur_left(&c)};
		return 0;
	}
	case L2TP_VT_Q931: {
		struct l2tp_q931 *q = f;

		l2tp_cur_get_u16(&c, &q->cause);
		l2tp_cur_get_u8(&c, &q->msg);
		q->advisory = (struct l2tp_view){l2tp_cur_ptr(&c), l2tp_cur_left(&c)};
		return 0;
	}
	case L2TP_VT_ERRORS: {
		struct l2tp_call_errors *e = f;

		if (n != 26 && (n != 18 || version == 2)) {
			*why = version == 2 ? "Call Errors not 26 bytes"
					    : "Circuit Errors neither 18 nor 26 bytes";
			return L2TP_EBADLEN;
		}
		l2tp_cur_skip(&c, 2);
		if (n == 26) {
			l2tp_cur_get_u32(&c, &e->crc);
			l2tp_cur_get_u32(&c, &e->framing);
		}
		l2tp_cur_get_u32(&c, &e->hw_overruns);
		l2tp_cur_get_u32(&c, &e->buf_overruns);
		l2tp_cur_get_u32(&c, &e->timeouts);
		return l2tp_cur_get_u32(&c, &e->alignment);
	}
	case L2TP_VT_ACCM: {
		struct l2tp_accm *a = f;

		l2tp_cur_skip(&c, 2);
		l2tp_cur_get_u32(&c, &a->send);
		return l2tp_cur_get_u32(&c, &a->recv);
	}
	case L2TP_VT_PW_CAPS:
		if (n % 2) {
			*why = "Pseudowire Capabilities List of odd length";
			return L2TP_EBADLEN;
		}
		if (n / 2 > L2TP_MSG_MAX_PW_CAPS) {
			*why = "more pseudowire types than L2TP_MSG_MAX_PW_CAPS";
			return L2TP_ETOOMANY;
		}
		m->n_pw_caps = (uint8_t)(n / 2);
		for (size_t i = 0; i < n / 2; i++)
			l2tp_cur_get_u16(&c, &m->pw_caps[i]);
		return 0;
	case L2TP_VT_COOKIE:
		/* RFC 3931 §5.4.4: a 32- or 64-bit cookie */
		if (n != 4 && n != 8) {
			*why = "Assigned Cookie neither 4 nor 8 bytes";
			return L2TP_EBADLEN;
		}
		memcpy(m->cookie, v, n);
		m->cookie_len = (uint8_t)n;
		return 0;
	}
	*why = "AVP of an unknown value type";
	return L2TP_EBADMSG;
}

static int push_raw(struct l2tp_msg *m, const struct l2tp_avp *a, struct l2tp_diag *diag)
{
	/*
	 * RFC 3931 §5.2 / RFC 2661 §4.1: an unrecognized AVP without the M
	 * bit is ignored; those beyond the array are counted, not kept.
	 */
	if (m->n_raw >= L2TP_MSG_MAX_RAW) {
		m->n_raw_dropped++;
		return 0;
	}
	m->raw[m->n_raw++] = *a;
	return 0;
}

int l2tp_msg_parse(const uint8_t *body, size_t len, int version, const uint8_t *secret,
		   size_t secret_len, uint8_t *scratch, size_t scratch_len, struct l2tp_msg *m,
		   struct l2tp_diag *diag)
{
	struct l2tp_avp_iter it;
	struct l2tp_avp a;
	const uint8_t *rv = NULL;
	size_t rv_len = 0, used = 0;
	const uint16_t *req;
	size_t nreq;
	uint8_t hk[L2TP_MD5_LEN];
	bool have_hk = false;
	int rc;

	memset(m, 0, sizeof(*m));
	if (version != 2 && version != 3) {
		l2tp_diag_set(diag, 0, "protocol version neither 2 nor 3");
		return -EINVAL;
	}
	if (len == 0)
		return L2TP_MSG_ZLB;
	l2tp_avp_iter_init(&it, body, len);

	/* RFC 2661 §4.1 / RFC 3931 §5.1: the Message Type AVP comes first */
	rc = l2tp_avp_next(&it, &a, diag);
	if (rc < 0)
		return rc;
	if (a.vendor != 0 || a.type != L2TP_AVP_MSG_TYPE)
		return fail(diag, &a, L2TP_EBADMSG, "first AVP is not Message Type");
	if (a.hidden)
		return fail(diag, &a, L2TP_EBADMSG, "Message Type AVP is hidden");
	if (!a.mandatory)
		return fail(diag, &a, L2TP_EBADMSG, "Message Type AVP without the M bit");
	if (l2tp_avp_u16(&a, &m->type) < 0)
		return fail(diag, &a, L2TP_EBADLEN, "Message Type value not 2 bytes");
	l2tp_msg_set(m, L2TP_AVP_MSG_TYPE);
	if (!l2tp_catalog_msg_valid(m->type, version))
		return fail(diag, &a, L2TP_EUNKNOWN_MSG,
			    "message type not defined for this protocol version");

	while ((rc = l2tp_avp_next(&it, &a, diag)) > 0) {
		const struct l2tp_avp_info *ai = l2tp_catalog_avp(a.vendor, a.type);
		const uint8_t *v = a.value;
		const char *why = NULL;
		size_t n = a.len;

		/* RFC 2661 §4.1: a v2 AVP with a reserved bit set is unrecognized */
		if (!ai || (version == 2 && a.rsvd)) {
			/*
			 * Cisco's pre-RFC L2TPv3 AVPs (vendor 9, types 0-14) are
			 * known to us by name: tolerated, carried raw, even with M.
			 */
			if (a.mandatory && !(version == 3 && a.vendor == L2TP_VENDOR_CISCO &&
					     a.type <= L2TP_CISCO_AVP_MAX))
				return fail(diag, &a, L2TP_EUNKNOWN_M,
					    "unrecognized AVP with the M bit set");
			L2TP_TRY(push_raw(m, &a, diag));
			continue;
		}
		if (a.type == L2TP_AVP_MSG_TYPE)
			return fail(diag, &a, L2TP_EBADMSG, "duplicate Message Type AVP");
		if (a.type != L2TP_AVP_SEQ_REQUIRED && !field_off[a.type]) {
			/* known by name only (extensions): carried raw, length unchecked */
			L2TP_TRY(push_raw(m, &a, diag));
			continue;
		}
		if (a.hidden) {
			struct l2tp_hide_key key = {secret, secret_len, rv, rv_len};

			/* RFC 3931 §5.3: v3 hides with HMAC_MD5(secret, 1), not the secret */
			if (version == 3 && secret) {
				if (!have_hk && l2tp_auth_v3_hide_key(secret, secret_len, hk) < 0)
					return fail(diag, &a, -EIO, "cannot derive the hiding key");
				have_hk = true;
				key.secret = hk;
				key.secret_len = sizeof(hk);
			}

			if (!(ai->flags & L2TP_AVPF_HIDE_OK))
				return fail(diag, &a, L2TP_EBADMSG, "AVP may not be hidden");
			if (!secret)
				return fail(diag, &a, L2TP_EHIDDEN,
					    "hidden AVP but no shared secret configured");
			/* RFC 2661 §4.3: the Random Vector precedes the hidden AVPs */
			if (!rv)
				return fail(diag, &a, L2TP_EHIDDEN,
					    "hidden AVP without a preceding Random Vector");
			rc = l2tp_avp_unhide(a.type, a.value, a.len, &key,
					     scratch ? scratch + used : NULL,
					     scratch ? scratch_len - used : 0);
			if (rc == -ENOBUFS)
				return fail(diag, &a, rc, "scratch buffer too small to unhide");
			if (rc < 0)
				return fail(diag, &a, rc == -EBADMSG ? L2TP_EBADMSG : rc,
					    "hidden AVP does not unhide (wrong secret or vector)");
			v = scratch ? scratch + used : a.value;
			n = (size_t)rc;
			used += n;
		}
		/* several Random Vectors may appear, each for the AVPs after it */
		if (l2tp_msg_has(m, a.type) && a.type != L2TP_AVP_RANDOM_VECTOR)
			return fail(diag, &a, L2TP_EBADMSG, "duplicate AVP");
		if (n == 0 && ai->min_len > 0 &&
		    (ai->vtype == L2TP_VT_STRING || ai->vtype == L2TP_VT_BYTES))
			return fail(diag, &a, L2TP_EBADMSG, "zero-length value not allowed");
		if (n < ai->min_len || n > ai->max_len)
			return fail(diag, &a, L2TP_EBADLEN, "AVP value length out of range");
		rc = decode(m, ai, a.type, v, n, version, &why);
		if (rc < 0)
			return fail(diag, &a, rc, why ? why : "AVP value does not decode");
		if (a.type == L2TP_AVP_RANDOM_VECTOR) {
			rv = v;
			rv_len = n;
		}
		l2tp_msg_set(m, a.type);
		if (a.hidden)
			l2tp_msg_set_hide(m, a.type);
	}
	if (rc < 0)
		return rc;

	nreq = l2tp_catalog_required(m->type, version, &req);
	for (size_t i = 0; i < nreq; i++) {
		if (!l2tp_msg_has(m, req[i])) {
			l2tp_diag_set_avp(diag, len, 0, req[i], "required AVP missing");
			return L2TP_EMISSING;
		}
	}
	return 0;
}

/* Encode the value of typed AVP |attr| of |m| into |c|. */
static int encode(const struct l2tp_msg *m, const struct l2tp_avp_info *ai, uint16_t attr,
		  int version, struct l2tp_cursor *c)
{
	const void *f = cfield_of(m, attr);

	switch (ai->vtype) {
	case L2TP_VT_EMPTY:
		return 0;
	case L2TP_VT_U16:
		return l2tp_cur_put_u16(c, *(const uint16_t *)f);
	case L2TP_VT_U32:
		return l2tp_cur_put_u32(c, *(const uint32_t *)f);
	case L2TP_VT_U64:
		return l2tp_cur_put_u64(c, *(const uint64_t *)f);
	case L2TP_VT_STRING:
	case L2TP_VT_BYTES: {
		const struct l2tp_view *w = f;

		if (w->len && !w->p)
			return -EINVAL;
		return l2tp_cur_put_bytes(c, w->p, w->len);
	}
	case L2TP_VT_RESULT: {
		const struct l2tp_result *r = f;

		if (!r->has_error && r->message.len)
			return -EINVAL; /* a message needs an error code before it */
		L2TP_TRY(l2tp_cur_put_u16(c, r->result));
		if (r->has_error)
			L2TP_TRY(l2tp_cur_put_u16(c, r->error));
		return l2tp_cur_put_bytes(c, r->message.p, r->message.len);
	}
	case L2TP_VT_Q931: {
		const struct l2tp_q931 *q = f;

		L2TP_TRY(l2tp_cur_put_u16(c, q->cause));
		L2TP_TRY(l2tp_cur_put_u8(c, q->msg));
		return l2tp_cur_put_bytes(c, q->advisory.p, q->advisory.len);
	}
	case L2TP_VT_ERRORS: {
		const struct l2tp_call_errors *e = f;

		/* RFC 3931 §5.4.5: v3 Circuit Errors has no CRC or framing counts */
		if (version == 3 && (e->crc || e->framing))
			return -EINVAL;
		L2TP_TRY(l2tp_cur_put_u16(c, 0));
		if (version == 2) {
			L2TP_TRY(l2tp_cur_put_u32(c, e->crc));
			L2TP_TRY(l2tp_cur_put_u32(c, e->framing));
		}
		L2TP_TRY(l2tp_cur_put_u32(c, e->hw_overruns));
		L2TP_TRY(l2tp_cur_put_u32(c, e->buf_overruns));
		L2TP_TRY(l2tp_cur_put_u32(c, e->timeouts));
		return l2tp_cur_put_u32(c, e->alignment);
	}
	case L2TP_VT_ACCM: {
		const struct l2tp_accm *a = f;

		L2TP_TRY(l2tp_cur_put_u16(c, 0));
		L2TP_TRY(l2tp_cur_put_u32(c, a->send));
		return l2tp_cur_put_u32(c, a->recv);
	}
	case L2TP_VT_PW_CAPS:
		if (m->n_pw_caps > L2TP_MSG_MAX_PW_CAPS)
			return -EINVAL;
		for (size_t i = 0; i < m->n_pw_caps; i++)
			L2TP_TRY(l2tp_cur_put_u16(c, m->pw_caps[i]));
		return 0;
	case L2TP_VT_COOKIE:
		if (m->cookie_len != 4 && m->cookie_len != 8)
			return -EINVAL;
		return l2tp_cur_put_bytes(c, m->cookie, m->cookie_len);
	}
	return -EINVAL;
}

struct builder {
	struct l2tp_cursor c;
	const struct l2tp_msg_build_opts *opts;
	struct l2tp_hide_key key;
	bool hiding;
	int version;
};

static int emit(struct builder *b, const struct l2tp_msg *m, uint16_t attr)
{
	const struct l2tp_avp_info *ai = l2tp_catalog_avp(0, attr);
	uint8_t val[L2TP_AVP_MAX_VALUE];
	uint8_t pad[255];
	size_t npad = 0;
	struct l2tp_cursor vc;
	bool mbit;
	int rc;

	if (!ai)
		return -EINVAL;
	l2tp_cur_init(&vc, val, sizeof(val));
	rc = encode(m, ai, attr, b->version, &vc);
	if (rc == -ENOSPC)
		return -EMSGSIZE;
	if (rc < 0)
		return rc;
	/* never emit what l2tp_msg_parse() would refuse */
	if (vc.pos < ai->min_len || vc.pos > ai->max_len)
		return -EINVAL;
	mbit = ai->flags & L2TP_AVPF_M;
	if (!b->hiding || !l2tp_msg_hidden(m, attr) || !(ai->flags & L2TP_AVPF_HIDE_OK))
		return l2tp_avp_put(&b->c, mbit ? L2TP_AVP_F_M : 0, 0, attr, val, vc.pos);
	if (b->opts->pad_max && b->opts->rand) {
		uint8_t r;

		L2TP_TRY(b->opts->rand(b->opts->rand_user, &r, 1));
		npad = r % ((size_t)b->opts->pad_max + 1);
		if (npad)
			L2TP_TRY(b->opts->rand(b->opts->rand_user, pad, npad));
	}
	return l2tp_avp_put_hidden(&b->c, mbit, 0, attr, val, vc.pos, &b->key, pad, npad);
}

int l2tp_msg_build(const struct l2tp_msg *m, int version, const struct l2tp_msg_build_opts *opts,
		   uint8_t *buf, size_t cap)
{
	struct builder b = {.opts = opts, .version = version};
	uint8_t rvbuf[16], hk[L2TP_MD5_LEN];

	if (version != 2 && version != 3)
		return -EINVAL;
	l2tp_cur_init(&b.c, buf, cap);
	L2TP_TRY(l2tp_avp_put_u16(&b.c, true, 0, L2TP_AVP_MSG_TYPE, m->type));
	if (l2tp_msg_has(m, L2TP_AVP_MSG_DIGEST)) /* RFC 3931 §5.4.1: right after Message Type */
		L2TP_TRY(emit(&b, m, L2TP_AVP_MSG_DIGEST));

	b.hiding =
	    opts && opts->secret && ((m->hide[0] & m->present[0]) || (m->hide[1] & m->present[1]));
	if (l2tp_msg_has(m, L2TP_AVP_RANDOM_VECTOR)) {
		L2TP_TRY(emit(&b, m, L2TP_AVP_RANDOM_VECTOR));
		b.key.rv = m->random_vector.p;
		b.key.rv_len = m->random_vector.len;
	} else if (b.hiding) {
		/* RFC 2661 §4.3: a Random Vector must precede the hidden AVPs */
		if (!opts->rand)
			return -EINVAL;
		L2TP_TRY(opts->rand(opts->rand_user, rvbuf, sizeof(rvbuf)));
		L2TP_TRY(l2tp_avp_put(&b.c, L2TP_AVP_F_M, 0, L2TP_AVP_RANDOM_VECTOR, rvbuf,
				      sizeof(rvbuf)));
		b.key.rv = rvbuf;
		b.key.rv_len = sizeof(rvbuf);
	}
	if (b.hiding && version == 3) {
		/* RFC 3931 §5.3: v3 hides with HMAC_MD5(secret, 1) */
		L2TP_TRY(l2tp_auth_v3_hide_key(opts->secret, opts->secret_len, hk));
		b.key.secret = hk;
		b.key.secret_len = sizeof(hk);
	} else if (b.hiding) {
		b.key.secret = opts->secret;
		b.key.secret_len = opts->secret_len;
	}
	/* walk the set presence bits in ascending order */
	for (unsigned w = 0; w < 2; w++) {
		for (uint64_t bits = m->present[w]; bits; bits &= bits - 1) {
			uint16_t attr = (uint16_t)(w * 64 + (unsigned)__builtin_ctzll(bits));

			if (attr == 0 || attr > L2TP_AVP_TYPE_MAX ||
			    attr == L2TP_AVP_RANDOM_VECTOR || attr == L2TP_AVP_MSG_DIGEST)
				continue;
			if (field_off[attr])
				L2TP_TRY(emit(&b, m, attr));
		}
	}
	if (m->n_raw > L2TP_MSG_MAX_RAW)
		return -EINVAL;
	for (size_t i = 0; i < m->n_raw; i++) {
		const struct l2tp_avp *r = &m->raw[i];
		uint16_t fl = (uint16_t)((r->mandatory ? L2TP_AVP_F_M : 0) |
					 (r->hidden ? L2TP_AVP_F_H : 0) | ((r->rsvd & 0xf) << 10));

		L2TP_TRY(l2tp_avp_put(&b.c, fl, r->vendor, r->type, r->value, r->len));
	}
	return (int)b.c.pos;
}

static bool view_eq(const struct l2tp_view *a, const struct l2tp_view *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

static bool field_eq(const struct l2tp_msg *a, const struct l2tp_msg *b, uint16_t attr)
{
	const struct l2tp_avp_info *ai = l2tp_catalog_avp(0, attr);
	const void *fa = cfield_of(a, attr), *fb = cfield_of(b, attr);

	switch (ai->vtype) {
	case L2TP_VT_EMPTY:
		return true;
	case L2TP_VT_U16:
		return *(const uint16_t *)fa == *(const uint16_t *)fb;
	case L2TP_VT_U32:
		return *(const uint32_t *)fa == *(const uint32_t *)fb;
	case L2TP_VT_U64:
		return *(const uint64_t *)fa == *(const uint64_t *)fb;
	case L2TP_VT_STRING:
	case L2TP_VT_BYTES:
		return view_eq(fa, fb);
	case L2TP_VT_RESULT: {
		const struct l2tp_result *ra = fa, *rb = fb;

		return ra->result == rb->result && ra->has_error == rb->has_error &&
		       (!ra->has_error || ra->error == rb->error) &&
		       view_eq(&ra->message, &rb->message);
	}
	case L2TP_VT_Q931: {
		const struct l2tp_q931 *qa = fa, *qb = fb;

		return qa->cause == qb->cause && qa->msg == qb->msg &&
		       view_eq(&qa->advisory, &qb->advisory);
	}
	case L2TP_VT_ERRORS:
		return memcmp(fa, fb, sizeof(struct l2tp_call_errors)) == 0;
	case L2TP_VT_ACCM:
		return memcmp(fa, fb, sizeof(struct l2tp_accm)) == 0;
	case L2TP_VT_PW_CAPS:
		return a->n_pw_caps == b->n_pw_caps &&
		       memcmp(a->pw_caps, b->pw_caps, a->n_pw_caps * sizeof(a->pw_caps[0])) == 0;
	case L2TP_VT_COOKIE:
		return a->cookie_len == b->cookie_len &&
		       memcmp(a->cookie, b->cookie, a->cookie_len) == 0;
	}
	return false;
}

bool l2tp_msg_equal(const struct l2tp_msg *a, const struct l2tp_msg *b)
{
	if (a->type != b->type || a->n_raw != b->n_raw)
		return false;
	for (int i = 0; i < 2; i++)
		if (a->present[i] != b->present[i] ||
		    (a->hide[i] & a->present[i]) != (b->hide[i] & b->present[i]))
			return false;
	for (uint16_t attr = 1; attr <= L2TP_AVP_TYPE_MAX; attr++)
		if (l2tp_msg_has(a, attr) && field_off[attr] && !field_eq(a, b, attr))
			return false;
	for (size_t i = 0; i < a->n_raw; i++) {
		const struct l2tp_avp *x = &a->raw[i], *y = &b->raw[i];

		if (x->vendor != y->vendor || x->type != y->type || x->mandatory != y->mandatory ||
		    x->hidden != y->hidden || x->rsvd != y->rsvd || x->len != y->len ||
		    (x->len && memcmp(x->value, y->value, x->len) != 0))
			return false;
	}
	return true;
}

/* ---- one example of each base message ---------------------------------- */

static const uint8_t ex_tie[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
static const uint8_t ex_remote_end[4] = {0x00, 0x00, 0x00, 0x2a};

int l2tp_msg_example(uint16_t type, int version, struct l2tp_msg *m)
{
	if (!l2tp_catalog_msg_valid(type, version))
		return -EINVAL;
	l2tp_msg_init(m, type);
#define SET(attr, stmt)                                                                            \
	do {                                                                                       \
		stmt;                                                                              \
		l2tp_msg_set(m, attr);                                                             \
	} while (0)
	if (version == 2) {
		switch (type) {
		case L2TP_MSG_SCCRQ:
		case L2TP_MSG_SCCRP:
			SET(L2TP_AVP_PROTO_VERSION, m->protocol_version = 0x0100);
			SET(L2TP_AVP_FRAMING_CAPS, m->framing_caps = 3);
			SET(L2TP_AVP_BEARER_CAPS, m->bearer_caps = 3);
			SET(L2TP_AVP_FIRMWARE_REV, m->firmware_rev = 0x0102);
			SET(L2TP_AVP_HOST_NAME, m->host_name = l2tp_view_str("lac.example"));
			SET(L2TP_AVP_VENDOR_NAME, m->vendor_name = l2tp_view_str("l2tpkit"));
			SET(L2TP_AVP_TUNNEL_ID, m->tunnel_id = 0x1234);
			SET(L2TP_AVP_RWS, m->rwnd = 8);
			if (type == L2TP_MSG_SCCRQ)
				SET(L2TP_AVP_TIE_BREAKER,
				    m->tie_breaker = ((struct l2tp_view){ex_tie, sizeof(ex_tie)}));
			break;
		case L2TP_MSG_STOPCCN:
			SET(L2TP_AVP_RESULT_CODE, m->result.result = 1);
			SET(L2TP_AVP_TUNNEL_ID, m->tunnel_id = 0x1234);
			break;
		case L2TP_MSG_OCRQ:
			SET(L2TP_AVP_SESSION_ID, m->session_id = 0x0042);
			SET(L2TP_AVP_CALL_SERIAL, m->call_serial = 7);
			SET(L2TP_AVP_MIN_BPS, m->min_bps = 9600);
			SET(L2TP_AVP_MAX_BPS, m->max_bps = 100000000);
			SET(L2TP_AVP_BEARER_TYPE, m->bearer_type = 2);
			SET(L2TP_AVP_FRAMING_TYPE, m->framing_type = 1);
			SET(L2TP_AVP_CALLED_NUMBER, m->called_number = l2tp_view_str("5551234"));
			break;
		case L2TP_MSG_OCRP:
		case L2TP_MSG_ICRP:
			SET(L2TP_AVP_SESSION_ID, m->session_id = 0x0042);
			break;
		case L2TP_MSG_OCCN:
		case L2TP_MSG_ICCN:
			SET(L2TP_AVP_TX_CONNECT_SPEED, m->tx_connect_speed = 100000000);
			SET(L2TP_AVP_FRAMING_TYPE, m->framing_type = 1);
			SET(L2TP_AVP_RX_CONNECT_SPEED, m->rx_connect_speed = 100000000);
			break;
		case L2TP_MSG_ICRQ:
			SET(L2TP_AVP_SESSION_ID, m->session_id = 0x0042);
			SET(L2TP_AVP_CALL_SERIAL, m->call_serial = 7);
			SET(L2TP_AVP_BEARER_TYPE, m->bearer_type = 2);
			SET(L2TP_AVP_CALLING_NUMBER, m->calling_number = l2tp_view_str("5550000"));
			break;
		case L2TP_MSG_CDN:
			SET(L2TP_AVP_RESULT_CODE, m->result.result = 3);
			SET(L2TP_AVP_SESSION_ID, m->session_id = 0x0042);
			break;
		case L2TP_MSG_WEN:
			SET(L2TP_AVP_CALL_ERRORS, m->call_errors.crc = 1);
			break;
		case L2TP_MSG_SLI:
			SET(L2TP_AVP_ACCM, (m->accm.send = 0xffffffff, m->accm.recv = 0xffffffff));
			break;
		default: /* SCCCN, HELLO: Message Type only */
			break;
		}
		return 0;
	}
	switch (type) {
	case L2TP_MSG_SCCRQ:
	case L2TP_MSG_SCCRP:
		SET(L2TP_AVP_HOST_NAME, m->host_name = l2tp_view_str("lcce.example"));
		SET(L2TP_AVP_VENDOR_NAME, m->vendor_name = l2tp_view_str("l2tpkit"));
		SET(L2TP_AVP_RWS, m->rwnd = 16);
		SET(L2TP_AVP_ROUTER_ID, m->router_id = 0xc0000201); /* 192.0.2.1 */
		SET(L2TP_AVP_CCID, m->ccid = 0x11223344);
		SET(L2TP_AVP_PW_CAPS,
		    (m->pw_caps[0] = 0x0005, m->pw_caps[1] = 0x0004, m->n_pw_caps = 2));
		if (type == L2TP_MSG_SCCRQ)
			SET(L2TP_AVP_TIE_BREAKER,
			    m->tie_breaker = ((struct l2tp_view){ex_tie, sizeof(ex_tie)}));
		break;
	case L2TP_MSG_STOPCCN:
		SET(L2TP_AVP_RESULT_CODE, m->result.result = 1);
		SET(L2TP_AVP_CCID, m->ccid = 0x11223344);
		break;
	case L2TP_MSG_ICRQ:
	case L2TP_MSG_OCRQ:
		SET(L2TP_AVP_CALL_SERIAL, m->call_serial = 7);
		SET(L2TP_AVP_LOCAL_SESSION_ID, m->local_session_id = 0xaabbccdd);
		SET(L2TP_AVP_REMOTE_SESSION_ID, m->remote_session_id = 0);
		SET(L2TP_AVP_ASSIGNED_COOKIE, (memcpy(m->cookie, ex_tie, 4), m->cookie_len = 4));
		SET(L2TP_AVP_REMOTE_END_ID,
		    m->remote_end_id = ((struct l2tp_view){ex_remote_end, sizeof(ex_remote_end)}));
		SET(L2TP_AVP_PW_TYPE, m->pw_type = 0x0005);
		SET(L2TP_AVP_L2_SUBLAYER, m->l2_sublayer = 1);
		SET(L2TP_AVP_DATA_SEQUENCING, m->data_seq = 0);
		if (type == L2TP_MSG_ICRQ)
			SET(L2TP_AVP_CIRCUIT_STATUS, m->circuit_status = 0x0001);
		break;
	case L2TP_MSG_ICRP:
	case L2TP_MSG_OCRP:
		SET(L2TP_AVP_LOCAL_SESSION_ID, m->local_session_id = 0x01020304);
		SET(L2TP_AVP_REMOTE_SESSION_ID, m->remote_session_id = 0xaabbccdd);
		SET(L2TP_AVP_ASSIGNED_COOKIE, (memcpy(m->cookie, ex_tie, 8), m->cookie_len = 8));
		SET(L2TP_AVP_L2_SUBLAYER, m->l2_sublayer = 1);
		SET(L2TP_AVP_CIRCUIT_STATUS, m->circuit_status = 0x0001);
		break;
	case L2TP_MSG_ICCN:
	case L2TP_MSG_OCCN:
		SET(L2TP_AVP_LOCAL_SESSION_ID, m->local_session_id = 0xaabbccdd);
		SET(L2TP_AVP_REMOTE_SESSION_ID, m->remote_session_id = 0x01020304);
		SET(L2TP_AVP_TX_SPEED64, m->tx_speed64 = 10000000000ULL);
		SET(L2TP_AVP_RX_SPEED64, m->rx_speed64 = 10000000000ULL);
		break;
	case L2TP_MSG_CDN:
		SET(L2TP_AVP_RESULT_CODE, m->result.result = 3);
		SET(L2TP_AVP_LOCAL_SESSION_ID, m->local_session_id = 0xaabbccdd);
		SET(L2TP_AVP_REMOTE_SESSION_ID, m->remote_session_id = 0x01020304);
		break;
	case L2TP_MSG_WEN:
		SET(L2TP_AVP_LOCAL_SESSION_ID, m->local_session_id = 0xaabbccdd);
		SET(L2TP_AVP_REMOTE_SESSION_ID, m->remote_session_id = 0x01020304);
		SET(L2TP_AVP_CALL_ERRORS, m->call_errors.hw_overruns = 2);
		break;
	case L2TP_MSG_SLI:
		SET(L2TP_AVP_LOCAL_SESSION_ID, m->local_session_id = 0xaabbccdd);
		SET(L2TP_AVP_REMOTE_SESSION_ID, m->remote_session_id = 0x01020304);
		SET(L2TP_AVP_CIRCUIT_STATUS, m->circuit_status = 0x0000);
		break;
	default: /* SCCCN, HELLO, ACK: Message Type only */
		break;
	}
#undef SET
	return 0;
}
