// SPDX-License-Identifier: GPL-2.0
/*
 * Login-time key negotiation (RFC 7143 §6.2, §13). Pure code: no kernel
 * calls, unit-tested and fuzzed in user space.
 *
 * Each key the initiator offers is answered by its negotiation function:
 * a list takes the first offered value the target accepts, a numerical
 * key the smaller (or larger) of the two values, a Boolean key the AND (or
 * OR). Declarative keys are recorded. Keys the target must not negotiate
 * are answered "Reject" or "Irrelevant", unknown ones "NotUnderstood".
 */
#include "kitt/nego.h"

enum kitt_nego_func {
	NF_LIST,	/* first acceptable value of the offered list */
	NF_MIN,		/* numerical, smaller value */
	NF_MAX,		/* numerical, larger value */
	NF_OR,		/* Boolean OR */
	NF_AND,		/* Boolean AND */
	NF_DECL,	/* declarative number: recorded, not answered */
	NF_REJECT,	/* obsolete or unsupported: "Reject" */
	NF_IRRELEVANT,	/* not for the initiator to send here: "Irrelevant" */
};

enum kitt_nego_key_state {
	NKS_NONE,	/* not seen */
	NKS_ANSWERED,	/* offered by the initiator and answered */
	NKS_OFFERED,	/* offered by us, answer pending */
	NKS_AGREED,	/* offered by us and answered */
};

#define NK_SECURITY	BIT(0)	/* security stage only */
#define NK_DISC_IRR	BIT(1)	/* irrelevant in discovery sessions */
#define NK_OFFER	BIT(2)	/* offered by us when not default */

struct kitt_nego_key {
	const char *name;
	enum kitt_nego_func func;
	u32 min, max;		/* legal range of numerical values */
	const char *dflt;	/* RFC 7143 default: the result if unnegotiated */
	int cfg;		/* kitt_key_id of the target's value, or -1 */
	const char *fixed;	/* the target's value when cfg < 0 */
	u32 cap;		/* most the target supports (NF_MIN), 0: no cap */
	unsigned int flags;
};

enum {
	NK_HEADER_DIGEST, NK_DATA_DIGEST, NK_MAX_CONNECTIONS, NK_INITIAL_R2T,
	NK_IMMEDIATE_DATA, NK_MAX_BURST, NK_FIRST_BURST, NK_TIME2WAIT,
	NK_TIME2RETAIN, NK_MAX_R2T, NK_DATA_PDU_IN_ORDER, NK_DATA_SEQ_IN_ORDER,
	NK_ERL, NK_MRDSL, NK_IF_MARKER, NK_OF_MARKER, NK_IF_MARK_INT,
	NK_OF_MARK_INT, NK_AUTH_METHOD, NK_TASK_REPORTING, NK_PROTOCOL_LEVEL,
	NK_RDMA, NK_SEND_TARGETS, NK_TARGET_ADDRESS, NK_TPGT, NK_TARGET_ALIAS,
	NK_COUNT
};

/* §13: the largest data-length value, 2^24 - 1. */
#define LEN_MAX 16777215u

static const struct kitt_nego_key kitt_nego_keys[NK_COUNT] = {
	[NK_HEADER_DIGEST] = { "HeaderDigest", NF_LIST, 0, 0, "None",
			       KITT_KEY_HEADER_DIGEST, NULL, 0, NK_OFFER },
	[NK_DATA_DIGEST] = { "DataDigest", NF_LIST, 0, 0, "None",
			     KITT_KEY_DATA_DIGEST, NULL, 0, NK_OFFER },
	/* One connection per session for now. */
	[NK_MAX_CONNECTIONS] = { "MaxConnections", NF_MIN, 1, 65535, "1",
				 KITT_KEY_MAX_CONNECTIONS, NULL, 1, NK_DISC_IRR },
	[NK_INITIAL_R2T] = { "InitialR2T", NF_OR, 0, 0, "Yes",
			     KITT_KEY_INITIAL_R2T, NULL, 0,
			     NK_OFFER | NK_DISC_IRR },
	[NK_IMMEDIATE_DATA] = { "ImmediateData", NF_AND, 0, 0, "Yes",
				KITT_KEY_IMMEDIATE_DATA, NULL, 0,
				NK_OFFER | NK_DISC_IRR },
	[NK_MAX_BURST] = { "MaxBurstLength", NF_MIN, 512, LEN_MAX, "262144",
			   KITT_KEY_MAX_BURST_LENGTH, NULL, 0,
			   NK_OFFER | NK_DISC_IRR },
	[NK_FIRST_BURST] = { "FirstBurstLength", NF_MIN, 512, LEN_MAX, "65536",
			     KITT_KEY_FIRST_BURST_LENGTH, NULL, 0,
			     NK_OFFER | NK_DISC_IRR },
	[NK_TIME2WAIT] = { "DefaultTime2Wait", NF_MAX, 0, 3600, "2",
			   KITT_KEY_DEFAULT_TIME2WAIT, NULL, 0, NK_OFFER },
	[NK_TIME2RETAIN] = { "DefaultTime2Retain", NF_MIN, 0, 3600, "20",
			     KITT_KEY_DEFAULT_TIME2RETAIN, NULL, 0, NK_OFFER },
	/* kitt keeps at most 4 R2Ts outstanding per command (KITT_MAX_R2T). */
	[NK_MAX_R2T] = { "MaxOutstandingR2T", NF_MIN, 1, 65535, "1",
			 KITT_KEY_MAX_OUTSTANDING_R2T, NULL, 4,
			 NK_OFFER | NK_DISC_IRR },
	/* Data PDUs and sequences always in order (§13.19, §13.20). */
	[NK_DATA_PDU_IN_ORDER] = { "DataPDUInOrder", NF_OR, 0, 0, "Yes", -1,
				   "Yes", 0, NK_DISC_IRR },
	[NK_DATA_SEQ_IN_ORDER] = { "DataSequenceInOrder", NF_OR, 0, 0, "Yes",
				   -1, "Yes", 0, NK_DISC_IRR },
	/* ErrorRecoveryLevel 0 only. */
	[NK_ERL] = { "ErrorRecoveryLevel", NF_MIN, 0, 2, "0",
		     KITT_KEY_ERROR_RECOVERY_LEVEL, NULL, 0, NK_OFFER },
	[NK_MRDSL] = { "MaxRecvDataSegmentLength", NF_DECL, 512, LEN_MAX,
		       "8192", -1, NULL, 0, 0 },
	/* §13.26: markers are obsolete; answer Reject. */
	[NK_IF_MARKER] = { "IFMarker", NF_REJECT, 0, 0, "No", -1, NULL, 0, 0 },
	[NK_OF_MARKER] = { "OFMarker", NF_REJECT, 0, 0, "No", -1, NULL, 0, 0 },
	[NK_IF_MARK_INT] = { "IFMarkInt", NF_REJECT, 0, 0, "", -1, NULL, 0, 0 },
	[NK_OF_MARK_INT] = { "OFMarkInt", NF_REJECT, 0, 0, "", -1, NULL, 0, 0 },
	[NK_AUTH_METHOD] = { "AuthMethod", NF_LIST, 0, 0, "None", -1, NULL, 0,
			     NK_SECURITY },
	[NK_TASK_REPORTING] = { "TaskReporting", NF_LIST, 0, 0, "RFC3720", -1,
				"RFC3720", 0, 0 },
	/* RFC 7144: level 1 is RFC 7143. */
	[NK_PROTOCOL_LEVEL] = { "iSCSIProtocolLevel", NF_MIN, 0, 31, "0", -1,
				"1", 0, 0 },
	[NK_RDMA] = { "RDMAExtensions", NF_AND, 0, 0, "No", -1, "No", 0, 0 },
	[NK_SEND_TARGETS] = { "SendTargets", NF_IRRELEVANT },
	[NK_TARGET_ADDRESS] = { "TargetAddress", NF_IRRELEVANT },
	[NK_TPGT] = { "TargetPortalGroupTag", NF_IRRELEVANT },
	[NK_TARGET_ALIAS] = { "TargetAlias", NF_IRRELEVANT },
};

/* The answers for a value that cannot be accepted. */
static const char kitt_reject[] = "Reject";
static const char kitt_irrelevant[] = "Irrelevant";
static const char kitt_not_understood[] = "NotUnderstood";

/* Unknown keys answered per login before the response counts as abuse. */
#define KITT_NEGO_MAX_UNKNOWN	64

void kitt_nego_init(struct kitt_nego *n, const struct kitt_key_values *cfg,
		    u32 auth_allowed)
{
	memset(n, 0, sizeof(*n));
	if (cfg)
		n->cfg = *cfg;
	else
		kitt_key_values_init(&n->cfg);
	n->auth_allowed = auth_allowed;
	n->session_type = KITT_SESS_NORMAL;
	n->mrdsl_key = KITT_KEY_MAX_RECV_DSL;
}

/* §5.1: decimal-constant or hex-constant ("0x..."), fitting in 32 bits. */
static int kitt_nego_parse_num(const char *s, u32 len, u32 *out)
{
	u64 v = 0;
	u32 i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (i = 2; i < len; i++) {
			char c = s[i];
			u32 d;

			if (c >= '0' && c <= '9')
				d = (u32)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (u32)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				d = (u32)(c - 'A' + 10);
			else
				return -EINVAL;
			v = v << 4 | d;
			if (v > 0xffffffffULL)
				return -ERANGE;
		}
		*out = (u32)v;
		return 0;
	}
	return kitt_parse_u32(s, len, out);
}

static bool kitt_is_word(const char *s, u32 len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

/* The target's own value of key @k, as text. */
static const char *kitt_nego_target_value(const struct kitt_nego *n,
					  const struct kitt_nego_key *k)
{
	return k->cfg >= 0 ? n->cfg.v[k->cfg] : k->fixed;
}

/* Is @item (of @len bytes) in the comma list @list? */
static bool kitt_list_has(const char *list, const char *item, u32 len)
{
	const char *p = list;

	while (*p) {
		const char *comma = strchr(p, ',');
		u32 l = comma ? (u32)(comma - p) : (u32)strlen(p);

		if (l == len && !memcmp(p, item, len))
			return true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}

static bool kitt_auth_name_allowed(const struct kitt_nego *n,
				   const char *s, u32 len, u32 *method)
{
	if (kitt_is_word(s, len, "None") && (n->auth_allowed & KITT_AUTH_NONE)) {
		*method = KITT_AUTH_NONE;
		return true;
	}
	if (kitt_is_word(s, len, "CHAP") && (n->auth_allowed & KITT_AUTH_CHAP)) {
		*method = KITT_AUTH_CHAP;
		return true;
	}
	return false;
}

/*
 * NF_LIST: the first value of the offered list that the target accepts,
 * or NULL (answer Reject). Empty or over-long items make the whole offer
 * unacceptable.
 */
static const char *kitt_nego_list(struct kitt_nego *n, int id,
				  const char *offer, u32 len, u32 *choice_len)
{
	const struct kitt_nego_key *k = &kitt_nego_keys[id];
	const char *tv = kitt_nego_target_value(n, k);
	u32 start = 0, i;

	/* The whole list must be well formed before any item is chosen. */
	for (i = 0; i <= len; i++) {
		if (i < len && offer[i] != ',')
			continue;
		if (i == start || i - start > KITT_TEXT_VALUE_MAX)
			return NULL;
		start = i + 1;
	}
	start = 0;
	for (i = 0; i <= len; i++) {
		const char *item = offer + start;
		u32 l = i - start;
		u32 method;

		if (i < len && offer[i] != ',')
			continue;
		start = i + 1;
		if (id == NK_AUTH_METHOD) {
			if (kitt_auth_name_allowed(n, item, l, &method)) {
				n->auth_method = method;
				*choice_len = l;
				return item;
			}
			continue;
		}
		if (kitt_list_has(tv, item, l)) {
			*choice_len = l;
			return item;
		}
	}
	return NULL;
}

/* The target's numerical value of @k, limited to what kitt supports. */
static u32 kitt_nego_target_num(const struct kitt_nego *n,
				const struct kitt_nego_key *k)
{
	const char *tv = kitt_nego_target_value(n, k);
	u32 v;

	if (!tv || kitt_parse_u32(tv, (u32)strlen(tv), &v))
		v = 0;
	if (k->cap && v > k->cap)
		v = k->cap;
	/* ErrorRecoveryLevel: only 0 is implemented. */
	if (k == &kitt_nego_keys[NK_ERL])
		v = 0;
	return v;
}

static bool kitt_nego_target_bool(const struct kitt_nego *n,
				  const struct kitt_nego_key *k)
{
	const char *tv = kitt_nego_target_value(n, k);

	return tv && !strcmp(tv, "Yes");
}

static void kitt_nego_store(struct kitt_nego *n, int id, const char *v,
			    u32 len)
{
	if (len > KITT_TEXT_VALUE_MAX)
		len = KITT_TEXT_VALUE_MAX;
	memcpy(n->value[id], v, len);
	n->value[id][len] = '\0';
}

/* Answer an offer of key @id; returns the text to answer with. */
static int kitt_nego_answer(struct kitt_nego *n, int id,
			    const struct kitt_text_pair *p,
			    struct kitt_text_buf *resp)
{
	const struct kitt_nego_key *k = &kitt_nego_keys[id];
	const char *ans = kitt_reject;
	u32 ans_len = sizeof(kitt_reject) - 1;
	char num[11];
	u32 v, t;
	bool b;

	switch (k->func) {
	case NF_LIST: {
		const char *c = kitt_nego_list(n, id, p->value, p->value_len,
					       &ans_len);
		if (c) {
			ans = c;
			kitt_nego_store(n, id, c, ans_len);
		} else {
			ans_len = sizeof(kitt_reject) - 1;
		}
		break;
	}
	case NF_MIN:
	case NF_MAX:
		if (kitt_nego_parse_num(p->value, p->value_len, &v) ||
		    v < k->min || v > k->max)
			break;
		t = kitt_nego_target_num(n, k);
		if (k->func == NF_MIN ? t < v : t > v)
			v = t;
		ans_len = kitt_u32_to_str(v, num);
		ans = num;
		kitt_nego_store(n, id, num, ans_len);
		break;
	case NF_OR:
	case NF_AND:
		if (kitt_is_word(p->value, p->value_len, "Yes"))
			b = true;
		else if (kitt_is_word(p->value, p->value_len, "No"))
			b = false;
		else
			break;
		if (k->func == NF_OR)
			b = b || kitt_nego_target_bool(n, k);
		else
			b = b && kitt_nego_target_bool(n, k);
		ans = b ? "Yes" : "No";
		ans_len = (u32)strlen(ans);
		kitt_nego_store(n, id, ans, ans_len);
		break;
	case NF_DECL:
		if (!kitt_nego_parse_num(p->value, p->value_len, &v) &&
		    v >= k->min && v <= k->max)
			kitt_nego_store(n, id, p->value, p->value_len);
		/* Declarations are not answered (ours is sent separately). */
		return 0;
	case NF_REJECT:
		break;
	case NF_IRRELEVANT:
		ans = kitt_irrelevant;
		ans_len = sizeof(kitt_irrelevant) - 1;
		break;
	}
	return kitt_text_add(resp, p->key, p->key_len, ans, ans_len);
}

/* The initiator's answer to a key we offered: legal for its function? */
static enum kitt_nego_error kitt_nego_take_answer(struct kitt_nego *n, int id,
						  const struct kitt_text_pair *p)
{
	const struct kitt_nego_key *k = &kitt_nego_keys[id];
	const char *ours = n->value[id];
	u32 v, o;

	n->state[id] = NKS_AGREED;
	/* The initiator may decline; the RFC default then holds. */
	if (kitt_is_word(p->value, p->value_len, kitt_reject) ||
	    kitt_is_word(p->value, p->value_len, kitt_irrelevant) ||
	    kitt_is_word(p->value, p->value_len, kitt_not_understood)) {
		n->value[id][0] = '\0';
		return KITT_NEGO_OK;
	}
	switch (k->func) {
	case NF_LIST:
		if (p->value_len > KITT_TEXT_VALUE_MAX ||
		    memchr(p->value, ',', p->value_len) ||
		    !kitt_list_has(ours, p->value, p->value_len))
			return KITT_NEGO_INITIATOR_ERROR;
		break;
	case NF_MIN:
	case NF_MAX:
		if (kitt_nego_parse_num(p->value, p->value_len, &v) ||
		    kitt_parse_u32(ours, (u32)strlen(ours), &o))
			return KITT_NEGO_INITIATOR_ERROR;
		if (v < k->min || (k->func == NF_MIN ? v > o : v < o))
			return KITT_NEGO_INITIATOR_ERROR;
		break;
	case NF_OR:
	case NF_AND:
		if (!kitt_is_word(p->value, p->value_len, "Yes") &&
		    !kitt_is_word(p->value, p->value_len, "No"))
			return KITT_NEGO_INITIATOR_ERROR;
		break;
	default:
		return KITT_NEGO_INITIATOR_ERROR;
	}
	kitt_nego_store(n, id, p->value, p->value_len);
	return KITT_NEGO_OK;
}

static int kitt_nego_find(const struct kitt_text_pair *p)
{
	int i;

	for (i = 0; i < NK_COUNT; i++)
		if (kitt_text_key_is(p, kitt_nego_keys[i].name))
			return i;
	return -1;
}

static bool kitt_is_chap_key(const struct kitt_text_pair *p)
{
	return p->key_len > 5 && !memcmp(p->key, "CHAP_", 5);
}

enum kitt_ffp_key kitt_nego_ffp_key(const struct kitt_text_pair *p,
				    u32 *mrdsl)
{
	int id = kitt_nego_find(p);

	if (id == NK_SEND_TARGETS)
		return KITT_FFP_SEND_TARGETS;
	if (id == NK_MRDSL) {
		if (kitt_parse_u32(p->value, p->value_len, mrdsl) ||
		    *mrdsl < kitt_nego_keys[id].min ||
		    *mrdsl > kitt_nego_keys[id].max)
			return KITT_FFP_REJECT;
		return KITT_FFP_MRDSL;
	}
	if (id == NK_TARGET_ALIAS || kitt_text_key_is(p, "InitiatorAlias"))
		return KITT_FFP_IGNORE;
	if (id >= 0 || kitt_is_chap_key(p) ||
	    kitt_text_key_is(p, "InitiatorName") ||
	    kitt_text_key_is(p, "TargetName") ||
	    kitt_text_key_is(p, "SessionType"))
		return KITT_FFP_REJECT;
	return KITT_FFP_NOT_UNDERSTOOD;
}

static bool kitt_is_declaration(const struct kitt_text_pair *p)
{
	return kitt_text_key_is(p, "InitiatorName") ||
	       kitt_text_key_is(p, "TargetName") ||
	       kitt_text_key_is(p, "InitiatorAlias") ||
	       kitt_text_key_is(p, "SessionType");
}

static enum kitt_nego_error kitt_nego_name(const struct kitt_text_pair *p,
					   char *dst, bool *have)
{
	if (*have)
		return KITT_NEGO_INITIATOR_ERROR;
	if (!kitt_iscsi_name_valid(p->value, p->value_len))
		return KITT_NEGO_BAD_NAME;
	memcpy(dst, p->value, p->value_len);
	dst[p->value_len] = '\0';
	*have = true;
	return KITT_NEGO_OK;
}

static enum kitt_nego_error kitt_nego_session_type(struct kitt_nego *n,
						   const struct kitt_text_pair *p)
{
	if (n->have_session_type)
		return KITT_NEGO_INITIATOR_ERROR;
	n->have_session_type = true;
	if (kitt_text_value_is(p, "Discovery"))
		n->session_type = KITT_SESS_DISCOVERY;
	else if (kitt_text_value_is(p, "Normal"))
		n->session_type = KITT_SESS_NORMAL;
	else
		return KITT_NEGO_INITIATOR_ERROR;
	return KITT_NEGO_OK;
}

/* InitiatorName, TargetName, SessionType, InitiatorAlias. */
static enum kitt_nego_error kitt_nego_declare(struct kitt_nego *n,
					      const struct kitt_text_pair *p)
{
	if (kitt_text_key_is(p, "InitiatorName"))
		return kitt_nego_name(p, n->initiator_name,
				      &n->have_initiator_name);
	if (kitt_text_key_is(p, "TargetName"))
		return kitt_nego_name(p, n->target_name, &n->have_target_name);
	if (kitt_text_key_is(p, "SessionType"))
		return kitt_nego_session_type(n, p);
	/* InitiatorAlias: free text, kept for the ACL's info file. */
	if (p->value_len > KITT_TEXT_VALUE_MAX)
		return KITT_NEGO_INITIATOR_ERROR;
	memcpy(n->initiator_alias, p->value, p->value_len);
	n->initiator_alias[p->value_len] = '\0';
	return KITT_NEGO_OK;
}

static enum kitt_nego_error kitt_nego_one(struct kitt_nego *n,
					  enum kitt_login_stage stage,
					  const struct kitt_text_pair *p,
					  struct kitt_text_buf *resp)
{
	int id = kitt_nego_find(p);
	const struct kitt_nego_key *k;

	if (id < 0) {
		/*
		 * CHAP keys belong to the authentication exchange: the login
		 * answers them (drivers/chap.c), in the security stage only.
		 */
		if (kitt_is_chap_key(p)) {
			if (stage != KITT_STAGE_SECURITY ||
			    kitt_chap_keys_add(&n->chap_keys, p) < 0)
				return KITT_NEGO_INITIATOR_ERROR;
			return KITT_NEGO_OK;
		}
		if (++n->not_understood > KITT_NEGO_MAX_UNKNOWN)
			return KITT_NEGO_TOO_BIG;
		if (kitt_text_add(resp, p->key, p->key_len, kitt_not_understood,
				  sizeof(kitt_not_understood) - 1))
			return KITT_NEGO_TOO_BIG;
		return KITT_NEGO_OK;
	}
	k = &kitt_nego_keys[id];
	if (n->state[id] == NKS_OFFERED)
		return kitt_nego_take_answer(n, id, p);
	if (n->state[id] != NKS_NONE)
		return KITT_NEGO_INITIATOR_ERROR;	/* offered twice */
	if ((k->flags & NK_SECURITY) && stage != KITT_STAGE_SECURITY)
		return KITT_NEGO_INITIATOR_ERROR;
	n->state[id] = NKS_ANSWERED;
	if ((k->flags & NK_DISC_IRR) && n->session_type == KITT_SESS_DISCOVERY) {
		if (kitt_text_add(resp, p->key, p->key_len, kitt_irrelevant,
				  sizeof(kitt_irrelevant) - 1))
			return KITT_NEGO_TOO_BIG;
		return KITT_NEGO_OK;
	}
	if (kitt_nego_answer(n, id, p, resp))
		return KITT_NEGO_TOO_BIG;
	return KITT_NEGO_OK;
}

enum kitt_nego_error kitt_nego_declarations(struct kitt_nego *n,
					    const char *text, u32 len)
{
	struct kitt_text_pair p;
	enum kitt_nego_error err;
	u32 pos;
	int r;

	for (pos = 0; (r = kitt_text_next(text, len, &pos, &p)) > 0;) {
		if (!kitt_is_declaration(&p))
			continue;
		err = kitt_nego_declare(n, &p);
		if (err)
			return err;
	}
	if (r < 0)
		return KITT_NEGO_INITIATOR_ERROR;
	n->declared = true;
	return KITT_NEGO_OK;
}

enum kitt_nego_error kitt_nego_process(struct kitt_nego *n,
				       enum kitt_login_stage stage,
				       const char *text, u32 len,
				       struct kitt_text_buf *resp)
{
	struct kitt_text_pair p;
	enum kitt_nego_error err;
	u32 pos;

	/* Declarations first: SessionType decides what else is relevant. */
	if (!n->declared) {
		err = kitt_nego_declarations(n, text, len);
		if (err)
			return err;
	}
	n->declared = false;
	memset(&n->chap_keys, 0, sizeof(n->chap_keys));

	for (pos = 0; kitt_text_next(text, len, &pos, &p) > 0;) {
		if (kitt_is_declaration(&p))
			continue;	/* taken in the first pass */
		err = kitt_nego_one(n, stage, &p, resp);
		if (err)
			return err;
	}
	return KITT_NEGO_OK;
}

/*
 * Should we offer key @id ourselves? When our value is not the default:
 * the initiator can only move towards it if we say it (a larger
 * MaxBurstLength, ImmediateData=No...). A list is offered only when the
 * default is not in it.
 */
static bool kitt_nego_wants_offer(const struct kitt_nego *n, int id)
{
	const struct kitt_nego_key *k = &kitt_nego_keys[id];
	const char *tv = kitt_nego_target_value(n, k);
	u32 d;

	switch (k->func) {
	case NF_LIST:
		return !kitt_list_has(tv, k->dflt, (u32)strlen(k->dflt));
	case NF_MIN:
	case NF_MAX:
		kitt_parse_u32(k->dflt, (u32)strlen(k->dflt), &d);
		return kitt_nego_target_num(n, k) != d;
	case NF_OR:
	case NF_AND:
		return kitt_nego_target_bool(n, k) != !strcmp(k->dflt, "Yes");
	default:
		return false;
	}
}

static int kitt_nego_offer(struct kitt_nego *n, int id,
			   struct kitt_text_buf *resp)
{
	const struct kitt_nego_key *k = &kitt_nego_keys[id];
	char num[11];
	const char *v;

	switch (k->func) {
	case NF_MIN:
	case NF_MAX:
		kitt_u32_to_str(kitt_nego_target_num(n, k), num);
		v = num;
		break;
	case NF_OR:
	case NF_AND:
		v = kitt_nego_target_bool(n, k) ? "Yes" : "No";
		break;
	default:
		v = kitt_nego_target_value(n, k);
		break;
	}
	if (kitt_text_add_str(resp, k->name, v))
		return -ENOSPC;
	kitt_nego_store(n, id, v, (u32)strlen(v));
	n->state[id] = NKS_OFFERED;
	return 0;
}

/*
 * The TPG parameter kitt declares as its MaxRecvDataSegmentLength. As
 * iscsi_target_mod does, so that a configuration behaves the same on
 * both: MaxXmitDataSegmentLength once the initiator has declared its own
 * (every common initiator does, first thing), MaxRecvDataSegmentLength
 * if kitt speaks first.
 */
static int kitt_nego_mrdsl_key(const struct kitt_nego *n)
{
	if (n->state[NK_MRDSL] == NKS_ANSWERED)
		return KITT_KEY_MAX_XMIT_DSL;
	return KITT_KEY_MAX_RECV_DSL;
}

int kitt_nego_target_offers(struct kitt_nego *n, struct kitt_text_buf *resp)
{
	bool discovery = n->session_type == KITT_SESS_DISCOVERY;
	const char *alias = n->cfg.v[KITT_KEY_TARGET_ALIAS];
	int id;

	if (!n->declared_mrdsl) {
		n->mrdsl_key = kitt_nego_mrdsl_key(n);
		if (kitt_text_add_str(resp, "MaxRecvDataSegmentLength",
				      n->cfg.v[n->mrdsl_key]))
			return -ENOSPC;
		n->declared_mrdsl = true;
	}
	if (!n->declared_alias && !discovery && alias[0]) {
		if (kitt_text_add_str(resp, "TargetAlias", alias))
			return -ENOSPC;
		n->declared_alias = true;
	}
	for (id = 0; id < NK_COUNT; id++) {
		const struct kitt_nego_key *k = &kitt_nego_keys[id];

		if (!(k->flags & NK_OFFER) || n->state[id] != NKS_NONE)
			continue;
		if (discovery && (k->flags & NK_DISC_IRR))
			continue;
		if (kitt_nego_wants_offer(n, id) && kitt_nego_offer(n, id, resp))
			return -ENOSPC;
	}
	return kitt_nego_pending(n);
}

/*
 * login_keys_workaround: boot clients (gPXE, Flexboot) never answer a
 * FirstBurstLength or MaxConnections we offer, so with it on the login
 * does not wait for those answers and our offer stands, as in
 * iscsi_target_mod. Off, every offer must be answered (RFC 7143 §6.2).
 */
static bool kitt_nego_reply_optional(const struct kitt_nego *n, int id)
{
	return n->keys_workaround &&
	       (id == NK_FIRST_BURST || id == NK_MAX_CONNECTIONS);
}

int kitt_nego_pending(const struct kitt_nego *n)
{
	int id, pending = 0;

	for (id = 0; id < NK_COUNT; id++)
		pending += n->state[id] == NKS_OFFERED &&
			   !kitt_nego_reply_optional(n, id);
	return pending;
}

/* The agreed value of @id (or our unanswered optional offer), else its RFC default. */
static const char *kitt_nego_value(const struct kitt_nego *n, int id)
{
	bool taken = n->state[id] != NKS_NONE &&
		     (n->state[id] != NKS_OFFERED ||
		      kitt_nego_reply_optional(n, id));

	if (taken && n->value[id][0])
		return n->value[id];
	return kitt_nego_keys[id].dflt;
}

static u32 kitt_nego_num(const struct kitt_nego *n, int id)
{
	const char *v = kitt_nego_value(n, id);
	u32 x;

	if (kitt_nego_parse_num(v, (u32)strlen(v), &x))
		kitt_parse_u32(kitt_nego_keys[id].dflt,
			       (u32)strlen(kitt_nego_keys[id].dflt), &x);
	return x;
}

static bool kitt_nego_yes(const struct kitt_nego *n, int id)
{
	return !strcmp(kitt_nego_value(n, id), "Yes");
}

void kitt_nego_result(const struct kitt_nego *n, struct kitt_sess_params *p)
{
	u32 xmit_cap;

	p->header_digest = !strcmp(kitt_nego_value(n, NK_HEADER_DIGEST), "CRC32C");
	p->data_digest = !strcmp(kitt_nego_value(n, NK_DATA_DIGEST), "CRC32C");
	p->max_connections = kitt_nego_num(n, NK_MAX_CONNECTIONS);
	p->initial_r2t = kitt_nego_yes(n, NK_INITIAL_R2T);
	p->immediate_data = kitt_nego_yes(n, NK_IMMEDIATE_DATA);
	p->max_burst_length = kitt_nego_num(n, NK_MAX_BURST);
	p->first_burst_length = kitt_nego_num(n, NK_FIRST_BURST);
	/* §13.14: FirstBurstLength never exceeds MaxBurstLength. */
	if (p->first_burst_length > p->max_burst_length)
		p->first_burst_length = p->max_burst_length;
	p->default_time2wait = kitt_nego_num(n, NK_TIME2WAIT);
	p->default_time2retain = kitt_nego_num(n, NK_TIME2RETAIN);
	p->max_outstanding_r2t = kitt_nego_num(n, NK_MAX_R2T);
	p->data_pdu_in_order = kitt_nego_yes(n, NK_DATA_PDU_IN_ORDER);
	p->data_sequence_in_order = kitt_nego_yes(n, NK_DATA_SEQ_IN_ORDER);
	p->error_recovery_level = kitt_nego_num(n, NK_ERL);

	/* What we declared (or would have: the initiator assumes 8192). */
	if (kitt_parse_u32(n->cfg.v[n->mrdsl_key],
			   (u32)strlen(n->cfg.v[n->mrdsl_key]),
			   &p->max_recv_dsl))
		p->max_recv_dsl = 8192;
	/* We send at most what the initiator declared it can take. */
	p->max_xmit_dsl = kitt_nego_num(n, NK_MRDSL);
	if (kitt_parse_u32(n->cfg.v[KITT_KEY_MAX_XMIT_DSL],
			   (u32)strlen(n->cfg.v[KITT_KEY_MAX_XMIT_DSL]),
			   &xmit_cap) || !xmit_cap)
		xmit_cap = LEN_MAX;
	p->max_xmit_dsl_cap = xmit_cap;
	if (xmit_cap < p->max_xmit_dsl)
		p->max_xmit_dsl = xmit_cap;
}

/*
 * RFC 7143 §4.2.7.2: "iqn." + yyyy-mm + "." + naming authority [":" ...],
 * "eui." + 16 hex digits, or "naa." + 16 or 32 hex digits. Characters are
 * the lower-case, stringprep-normalised ones: ASCII letters are accepted
 * in lower case only, with digits, '-', '.' and ':'.
 */
static bool kitt_hex_digits(const char *s, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (kitt_hex_digit(s[i]) < 0)
			return false;
	return true;
}

bool kitt_iscsi_name_valid(const char *name, u32 len)
{
	u32 i;

	if (len > KITT_ISCSI_NAME_MAX)
		return false;
	if (len >= 4 && !memcmp(name, "eui.", 4))
		return len == 20 && kitt_hex_digits(name + 4, 16);
	if (len >= 4 && !memcmp(name, "naa.", 4))
		return (len == 20 || len == 36) && kitt_hex_digits(name + 4, len - 4);
	if (len < 12 || memcmp(name, "iqn.", 4))
		return false;
	/* iqn.yyyy-mm. */
	for (i = 4; i < 11; i++)
		if (i == 8 ? name[i] != '-' : !(name[i] >= '0' && name[i] <= '9'))
			return false;
	if (name[11] != '.')
		return false;
	for (i = 12; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == ':'))
			return false;
	}
	return len > 12;
}
