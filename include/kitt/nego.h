/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Login-time negotiation of iSCSI session and connection parameters
 * (RFC 7143 §6, §13): one struct kitt_nego per login. The target starts
 * from its TPG's configured values (struct kitt_key_values), answers each
 * key the initiator offers, offers the keys whose configured value differs
 * from the RFC default, and ends with the operational parameters of the
 * new session. Pure code (drivers/nego.c), tested in user space.
 */
#ifndef KITT_NEGO_H
#define KITT_NEGO_H

#include "kitt/chap.h"
#include "kitt/keys.h"
#include "kitt/text.h"

#define KITT_ISCSI_NAME_MAX	223

enum kitt_session_type {
	KITT_SESS_NORMAL,	/* the default when SessionType is absent */
	KITT_SESS_DISCOVERY,
};

/* Login stages (CSG/NSG values, §11.12.4). */
enum kitt_login_stage {
	KITT_STAGE_SECURITY = 0,
	KITT_STAGE_OPERATIONAL = 1,
	KITT_STAGE_FULL_FEATURE = 3,
};

/* Authentication methods, as a bit mask of what the target allows. */
enum {
	KITT_AUTH_NONE = BIT(0),
	KITT_AUTH_CHAP = BIT(1),
};

/* The operational parameters a session runs with once logged in. */
struct kitt_sess_params {
	bool header_digest;		/* CRC32C on headers */
	bool data_digest;		/* CRC32C on data */
	u32 max_connections;
	bool initial_r2t;
	bool immediate_data;
	u32 max_recv_dsl;		/* most data we accept in one PDU */
	u32 max_xmit_dsl;		/* most data we send in one PDU */
	u32 max_xmit_dsl_cap;		/* the TPG's MaxXmitDataSegmentLength */
	u32 max_burst_length;
	u32 first_burst_length;
	u32 default_time2wait;
	u32 default_time2retain;
	u32 max_outstanding_r2t;
	bool data_pdu_in_order;
	bool data_sequence_in_order;
	u32 error_recovery_level;
};

/* Why negotiation failed, for the Login Response status. */
enum kitt_nego_error {
	KITT_NEGO_OK = 0,
	KITT_NEGO_INITIATOR_ERROR,	/* malformed text, key twice, wrong stage */
	KITT_NEGO_TOO_BIG,		/* our response would not fit */
	KITT_NEGO_BAD_NAME,		/* InitiatorName/TargetName malformed */
};

/* One slot per negotiable key (drivers/nego.c defines the table). */
#define KITT_NEGO_KEYS		32

struct kitt_nego {
	/* inputs, set by kitt_nego_init */
	struct kitt_key_values cfg;
	u32 auth_allowed;		/* KITT_AUTH_* the target accepts */
	bool keys_workaround;		/* the TPG's login_keys_workaround */

	/* declarations from the initiator */
	enum kitt_session_type session_type;
	char initiator_name[KITT_ISCSI_NAME_MAX + 1];
	char target_name[KITT_ISCSI_NAME_MAX + 1];
	char initiator_alias[KITT_TEXT_VALUE_MAX + 1];
	bool have_initiator_name, have_target_name, have_session_type;

	/* what has happened to each key (enum kitt_nego_key_state) */
	u8 state[KITT_NEGO_KEYS];
	/* the agreed value of each key, as text */
	char value[KITT_NEGO_KEYS][KITT_TEXT_VALUE_MAX + 1];
	u32 auth_method;		/* KITT_AUTH_* chosen, 0 if none yet */
	bool declared_mrdsl;		/* our MaxRecvDataSegmentLength sent */
	u8 mrdsl_key;			/* KITT_KEY_* of its value */
	bool declared_alias;		/* our TargetAlias sent */
	u32 not_understood;		/* unknown keys answered so far */
	bool declared;			/* declarations of this text taken */
	/* CHAP keys of the text just processed, for the login to answer. */
	struct kitt_chap_keys chap_keys;
};

/* Start a negotiation from @cfg, or from the defaults if @cfg is NULL. */
void kitt_nego_init(struct kitt_nego *n, const struct kitt_key_values *cfg,
		    u32 auth_allowed);

/*
 * Take only the declarations (InitiatorName, TargetName, SessionType,
 * InitiatorAlias) of a text, so that the caller can pick the target's
 * values before kitt_nego_process() answers the rest of the same text.
 */
enum kitt_nego_error kitt_nego_declarations(struct kitt_nego *n,
					    const char *text, u32 len);

/*
 * Answer one complete text of @len bytes (all PDUs of a continued request
 * joined) that arrived in @stage, appending the answers to @resp.
 */
enum kitt_nego_error kitt_nego_process(struct kitt_nego *n,
				       enum kitt_login_stage stage,
				       const char *text, u32 len,
				       struct kitt_text_buf *resp);

/*
 * Before the target agrees to leave the operational stage: append its own
 * declarations and the offers of keys whose configured value differs
 * from the default and that the initiator has not negotiated. Returns the
 * number of offers that now await an answer: while it is not 0, the
 * target must not transit.
 */
int kitt_nego_target_offers(struct kitt_nego *n, struct kitt_text_buf *resp);

/* Offers of ours still unanswered. */
int kitt_nego_pending(const struct kitt_nego *n);

/* The session's parameters from everything negotiated (defaults elsewhere). */
void kitt_nego_result(const struct kitt_nego *n, struct kitt_sess_params *p);

/* What to do with one key of a Text Request in the full feature phase. */
enum kitt_ffp_key {
	KITT_FFP_SEND_TARGETS,		/* answer with the target list */
	KITT_FFP_MRDSL,			/* new MaxRecvDataSegmentLength */
	KITT_FFP_IGNORE,		/* declarative: take it, no answer */
	KITT_FFP_REJECT,		/* answer key=Reject */
	KITT_FFP_NOT_UNDERSTOOD,	/* answer key=NotUnderstood */
};

/*
 * Only keys of Use "ALL" may come in the full feature phase (§13):
 * SendTargets, and the declarations MaxRecvDataSegmentLength (*@mrdsl set
 * to its value), InitiatorAlias and TargetAlias. Other known keys and bad
 * values are answered Reject, unknown keys NotUnderstood.
 */
enum kitt_ffp_key kitt_nego_ffp_key(const struct kitt_text_pair *p,
				    u32 *mrdsl);

/* RFC 7143 §4.2.7.2: an "iqn.", "eui." or "naa." name, at most 223 bytes. */
bool kitt_iscsi_name_valid(const char *name, u32 len);

#endif /* KITT_NEGO_H */
