// SPDX-License-Identifier: GPL-2.0
/* Login key negotiation (drivers/nego.c). */
#include <stdio.h>
#include <string.h>

#include "kitt/nego.h"
#include "unit.h"

#define T(s) s, (u32)(sizeof(s) - 1)
#define INAME "InitiatorName=iqn.1993-08.org.debian:01:host\0"
#define TNAME "TargetName=iqn.2003-01.org.example.lab:t\0"

static char out[8192];
static struct kitt_text_buf resp;
static struct kitt_nego n;
static struct kitt_key_values cfg;

static void start(u32 auth)
{
	kitt_nego_init(&n, &cfg, auth);
	kitt_text_buf_init(&resp, out, sizeof(out));
}

static void clear_resp(void)
{
	kitt_text_buf_init(&resp, out, sizeof(out));
}

/* The value answered for @key in the response, or NULL. */
static const char *answer(const char *key)
{
	static char v[300];
	struct kitt_text_pair p;
	u32 pos = 0;

	while (kitt_text_next(resp.buf, resp.len, &pos, &p) > 0) {
		if (kitt_text_key_is(&p, key)) {
			memcpy(v, p.value, p.value_len);
			v[p.value_len] = '\0';
			return v;
		}
	}
	return NULL;
}

static int answer_is(const char *key, const char *want)
{
	const char *got = answer(key);

	if (!got || strcmp(got, want)) {
		fprintf(stderr, "answer %s: got %s, want %s\n", key,
			got ? got : "(none)", want);
		return 0;
	}
	return 1;
}

static enum kitt_nego_error proc(enum kitt_login_stage st, const char *t, u32 len)
{
	return kitt_nego_process(&n, st, t, len, &resp);
}

int main(void)
{
	struct kitt_sess_params sp;
	char many[64 * 20];
	u32 len = 0;
	int i;

	kitt_key_values_init(&cfg);
	strcpy(cfg.v[KITT_KEY_AUTH_METHOD], "CHAP,None");

	/* an open-iscsi login with the default configuration */
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_SECURITY, T(INAME "InitiatorAlias=host\0SessionType=Normal\0"
					  TNAME "AuthMethod=None\0")) == KITT_NEGO_OK);
	CHECK(answer_is("AuthMethod", "None") && n.auth_method == KITT_AUTH_NONE);
	CHECK(n.have_initiator_name && n.have_target_name);
	CHECK(!strcmp(n.initiator_name, "iqn.1993-08.org.debian:01:host"));
	CHECK(!strcmp(n.initiator_alias, "host") && n.session_type == KITT_SESS_NORMAL);
	clear_resp();
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("HeaderDigest=None\0DataDigest=None\0"
		"DefaultTime2Wait=2\0DefaultTime2Retain=0\0IFMarker=No\0OFMarker=No\0"
		"ErrorRecoveryLevel=0\0InitialR2T=No\0ImmediateData=Yes\0"
		"MaxBurstLength=16776192\0FirstBurstLength=262144\0"
		"MaxOutstandingR2T=1\0MaxConnections=1\0DataPDUInOrder=Yes\0"
		"DataSequenceInOrder=Yes\0MaxRecvDataSegmentLength=262144\0")) == KITT_NEGO_OK);
	CHECK(answer_is("HeaderDigest", "None") && answer_is("DataDigest", "None"));
	CHECK(answer_is("InitialR2T", "Yes") && answer_is("ImmediateData", "Yes"));
	CHECK(answer_is("MaxBurstLength", "262144") && answer_is("FirstBurstLength", "65536"));
	CHECK(answer_is("DefaultTime2Wait", "2") && answer_is("DefaultTime2Retain", "0"));
	CHECK(answer_is("IFMarker", "Reject") && answer_is("ErrorRecoveryLevel", "0"));
	CHECK(answer_is("MaxOutstandingR2T", "1") && answer_is("MaxConnections", "1"));
	CHECK(answer("MaxRecvDataSegmentLength") == NULL);	/* declarations are not answered */
	clear_resp();
	CHECK(kitt_nego_target_offers(&n, &resp) == 0);
	/* after the initiator's own, MaxXmitDataSegmentLength, as LIO does */
	CHECK(answer_is("MaxRecvDataSegmentLength", "262144"));
	CHECK(answer_is("TargetAlias", "LIO Target"));
	kitt_nego_result(&n, &sp);
	CHECK(!sp.header_digest && !sp.data_digest && sp.initial_r2t && sp.immediate_data);
	CHECK(sp.max_burst_length == 262144 && sp.first_burst_length == 65536);
	CHECK(sp.max_recv_dsl == 262144 && sp.max_xmit_dsl == 262144);
	CHECK(sp.default_time2retain == 0 && sp.max_connections == 1);
	CHECK(sp.error_recovery_level == 0 && sp.data_pdu_in_order);

	/* the value declared is the limit; MaxRecvDataSegmentLength if we speak first */
	strcpy(cfg.v[KITT_KEY_MAX_RECV_DSL], "4096");
	strcpy(cfg.v[KITT_KEY_MAX_XMIT_DSL], "65536");
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T(INAME TNAME
		"MaxRecvDataSegmentLength=16384\0")) == KITT_NEGO_OK);
	clear_resp();
	CHECK(kitt_nego_target_offers(&n, &resp) == 0);
	CHECK(answer_is("MaxRecvDataSegmentLength", "65536"));
	kitt_nego_result(&n, &sp);
	CHECK(sp.max_recv_dsl == 65536 && sp.max_xmit_dsl == 16384);
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T(INAME TNAME)) == KITT_NEGO_OK);
	clear_resp();
	CHECK(kitt_nego_target_offers(&n, &resp) == 0);
	CHECK(answer_is("MaxRecvDataSegmentLength", "4096"));
	CHECK(proc(KITT_STAGE_OPERATIONAL,
		   T("MaxRecvDataSegmentLength=16384\0")) == KITT_NEGO_OK);
	kitt_nego_result(&n, &sp);
	CHECK(sp.max_recv_dsl == 4096 && sp.max_xmit_dsl == 16384);
	strcpy(cfg.v[KITT_KEY_MAX_RECV_DSL], "8192");
	strcpy(cfg.v[KITT_KEY_MAX_XMIT_DSL], "262144");

	/* nothing offered: the RFC defaults; our MaxXmitDataSegmentLength caps */
	strcpy(cfg.v[KITT_KEY_MAX_XMIT_DSL], "4096");
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T(INAME TNAME)) == KITT_NEGO_OK);
	kitt_nego_result(&n, &sp);
	CHECK(sp.max_xmit_dsl == 4096 && sp.max_burst_length == 262144);
	CHECK(sp.first_burst_length == 65536 && sp.initial_r2t && sp.immediate_data);
	strcpy(cfg.v[KITT_KEY_MAX_XMIT_DSL], "262144");

	/* target offers what differs from the defaults, then takes answers */
	strcpy(cfg.v[KITT_KEY_IMMEDIATE_DATA], "No");
	strcpy(cfg.v[KITT_KEY_INITIAL_R2T], "No");
	strcpy(cfg.v[KITT_KEY_MAX_BURST_LENGTH], "1048576");
	strcpy(cfg.v[KITT_KEY_HEADER_DIGEST], "CRC32C");
	strcpy(cfg.v[KITT_KEY_ERROR_RECOVERY_LEVEL], "2");
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T(INAME TNAME "DataDigest=None\0")) == KITT_NEGO_OK);
	clear_resp();
	CHECK(kitt_nego_target_offers(&n, &resp) == 4);
	CHECK(answer_is("ImmediateData", "No") && answer_is("InitialR2T", "No"));
	CHECK(answer_is("MaxBurstLength", "1048576") && answer_is("HeaderDigest", "CRC32C"));
	CHECK(answer("ErrorRecoveryLevel") == NULL);	/* only 0 is supported */
	CHECK(answer("DataDigest") == NULL);		/* already negotiated */
	clear_resp();
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("ImmediateData=No\0InitialR2T=Yes\0"
		"MaxBurstLength=524288\0HeaderDigest=CRC32C\0")) == KITT_NEGO_OK);
	CHECK(resp.len == 0 && kitt_nego_pending(&n) == 0);
	kitt_nego_result(&n, &sp);
	CHECK(!sp.immediate_data && sp.initial_r2t && sp.max_burst_length == 524288);
	CHECK(sp.header_digest && !sp.data_digest);
	/* an answer that breaks the key's function */
	start(KITT_AUTH_NONE);
	CHECK(kitt_nego_target_offers(&n, &resp) == 4);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("MaxBurstLength=2000000\0")) == KITT_NEGO_INITIATOR_ERROR);
	start(KITT_AUTH_NONE);
	CHECK(kitt_nego_target_offers(&n, &resp) == 4);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("HeaderDigest=None\0")) == KITT_NEGO_INITIATOR_ERROR);
	/* declining an offer leaves the default */
	start(KITT_AUTH_NONE);
	CHECK(kitt_nego_target_offers(&n, &resp) == 4);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("ImmediateData=Reject\0")) == KITT_NEGO_OK);
	kitt_nego_result(&n, &sp);
	CHECK(sp.immediate_data && kitt_nego_pending(&n) == 3);
	kitt_key_values_init(&cfg);

	/* login_keys_workaround: an offered FirstBurstLength may go unanswered */
	strcpy(cfg.v[KITT_KEY_FIRST_BURST_LENGTH], "4096");
	start(KITT_AUTH_NONE);
	CHECK(kitt_nego_target_offers(&n, &resp) == 1);
	CHECK(answer_is("FirstBurstLength", "4096"));
	kitt_nego_result(&n, &sp);
	CHECK(sp.first_burst_length == 65536);		/* not agreed yet */
	start(KITT_AUTH_NONE);
	n.keys_workaround = true;
	CHECK(kitt_nego_target_offers(&n, &resp) == 0);
	CHECK(answer_is("FirstBurstLength", "4096"));
	kitt_nego_result(&n, &sp);
	CHECK(sp.first_burst_length == 4096);		/* our offer stands */
	clear_resp();
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("FirstBurstLength=1024\0")) == KITT_NEGO_OK);
	kitt_nego_result(&n, &sp);
	CHECK(sp.first_burst_length == 1024 && kitt_nego_pending(&n) == 0);
	kitt_key_values_init(&cfg);

	/* a key offered twice; a key in the wrong stage; bad text */
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("MaxBurstLength=512\0MaxBurstLength=512\0")) ==
	      KITT_NEGO_INITIATOR_ERROR);
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("MaxBurstLength=512\0")) == KITT_NEGO_OK);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("MaxBurstLength=512\0")) == KITT_NEGO_INITIATOR_ERROR);
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("AuthMethod=None\0")) == KITT_NEGO_INITIATOR_ERROR);
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_SECURITY, T(INAME INAME)) == KITT_NEGO_INITIATOR_ERROR);
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_SECURITY, T("InitiatorName=foo\0")) == KITT_NEGO_BAD_NAME);
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_SECURITY, T("SessionType=Other\0")) == KITT_NEGO_INITIATOR_ERROR);
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_SECURITY, T("MaxBurstLength=512")) == KITT_NEGO_INITIATOR_ERROR);
	start(KITT_AUTH_NONE);
	/* CHAP keys: collected in the security stage for the login, once each */
	CHECK(proc(KITT_STAGE_SECURITY, T("CHAP_A=5\0")) == KITT_NEGO_OK);
	CHECK(n.chap_keys.have == BIT(KITT_CHAP_KEY_A) && resp.len == 0);
	CHECK(proc(KITT_STAGE_SECURITY, T("CHAP_N=x\0")) == KITT_NEGO_OK);
	CHECK(n.chap_keys.have == BIT(KITT_CHAP_KEY_N));	/* per text */
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("CHAP_A=5\0")) == KITT_NEGO_INITIATOR_ERROR);
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_SECURITY, T("CHAP_A=5\0CHAP_A=5\0")) == KITT_NEGO_INITIATOR_ERROR);
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_SECURITY, T("CHAP_Q=5\0")) == KITT_NEGO_INITIATOR_ERROR);

	/* values out of range or malformed are answered Reject */
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("MaxBurstLength=100\0MaxConnections=0\0"
		"InitialR2T=maybe\0HeaderDigest=MD5,SHA1\0DataDigest=CRC32C,,None\0"
		"MaxOutstandingR2T=0x10\0DefaultTime2Wait=0x\0")) == KITT_NEGO_OK);
	CHECK(answer_is("MaxBurstLength", "Reject") && answer_is("MaxConnections", "Reject"));
	CHECK(answer_is("InitialR2T", "Reject") && answer_is("HeaderDigest", "Reject"));
	CHECK(answer_is("DataDigest", "Reject") && answer_is("MaxOutstandingR2T", "1"));
	CHECK(answer_is("DefaultTime2Wait", "Reject"));
	kitt_nego_result(&n, &sp);
	CHECK(sp.max_burst_length == 262144 && sp.max_connections == 1 && sp.initial_r2t);

	/* authentication: only what is allowed */
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_SECURITY, T(INAME "AuthMethod=CHAP\0")) == KITT_NEGO_OK);
	CHECK(answer_is("AuthMethod", "Reject") && n.auth_method == 0);
	start(KITT_AUTH_CHAP);
	CHECK(proc(KITT_STAGE_SECURITY, T(INAME "AuthMethod=None,CHAP\0")) == KITT_NEGO_OK);
	CHECK(answer_is("AuthMethod", "CHAP") && n.auth_method == KITT_AUTH_CHAP);

	/* discovery sessions: session keys are irrelevant */
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("MaxBurstLength=512\0" INAME
		"SessionType=Discovery\0HeaderDigest=None\0")) == KITT_NEGO_OK);
	CHECK(n.session_type == KITT_SESS_DISCOVERY);
	CHECK(answer_is("MaxBurstLength", "Irrelevant") && answer_is("HeaderDigest", "None"));
	clear_resp();
	CHECK(kitt_nego_target_offers(&n, &resp) == 0);
	CHECK(answer("TargetAlias") == NULL && answer_is("MaxRecvDataSegmentLength", "8192"));

	/* unknown keys: NotUnderstood, but not without end */
	start(KITT_AUTH_NONE);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("X-com.example.foo=1\0TargetAlias=me\0"
		"SendTargets=All\0")) == KITT_NEGO_OK);
	CHECK(answer_is("X-com.example.foo", "NotUnderstood"));
	CHECK(answer_is("TargetAlias", "Irrelevant") && answer_is("SendTargets", "Irrelevant"));
	start(KITT_AUTH_NONE);
	for (i = 0; i < 65; i++)
		len += (u32)sprintf(many + len, "X-k%d=v", i) + 1;
	CHECK(proc(KITT_STAGE_OPERATIONAL, many, len) == KITT_NEGO_TOO_BIG);

	/* a response that does not fit */
	kitt_nego_init(&n, &cfg, KITT_AUTH_NONE);
	kitt_text_buf_init(&resp, out, 20);
	CHECK(proc(KITT_STAGE_OPERATIONAL, T("MaxBurstLength=512\0FirstBurstLength=512\0")) ==
	      KITT_NEGO_TOO_BIG);

	/* declarations first, then the target's values, then the answers */
	start(KITT_AUTH_NONE);
	CHECK(kitt_nego_declarations(&n, T(INAME TNAME "InitialR2T=No\0")) == KITT_NEGO_OK);
	CHECK(n.have_target_name && resp.len == 0);
	strcpy(n.cfg.v[KITT_KEY_INITIAL_R2T], "No");
	CHECK(proc(KITT_STAGE_SECURITY, T(INAME TNAME "InitialR2T=No\0")) == KITT_NEGO_OK);
	CHECK(answer_is("InitialR2T", "No"));
	/* the next text has its own declarations pass */
	CHECK(proc(KITT_STAGE_OPERATIONAL, T(INAME)) == KITT_NEGO_INITIATOR_ERROR);

	/* names */
	CHECK(kitt_iscsi_name_valid(T("iqn.2003-01.org.example.lab:t")));
	CHECK(kitt_iscsi_name_valid(T("iqn.1993-08.org.debian:01:abc-def.x")));
	CHECK(kitt_iscsi_name_valid(T("eui.02004567A425678D")));
	CHECK(kitt_iscsi_name_valid(T("naa.52004567BA64678D")));
	CHECK(kitt_iscsi_name_valid(T("naa.62004567BA64678D0123456789ABCDEF")));
	CHECK(!kitt_iscsi_name_valid(T("iqn.2003-01.")));
	CHECK(!kitt_iscsi_name_valid(T("iqn.03-01.org.example")));
	CHECK(!kitt_iscsi_name_valid(T("iqn.2003-01.org.Example")));
	CHECK(!kitt_iscsi_name_valid(T("iqn.2003-01.org example")));
	CHECK(!kitt_iscsi_name_valid(T("eui.02004567A425678")));
	CHECK(!kitt_iscsi_name_valid(T("naa.52004567BA64678Z")));
	CHECK(!kitt_iscsi_name_valid(T("iqn")));

	/* Text Requests in the full feature phase */
	{
		struct kitt_text_pair p;
		u32 v = 0;

#define FFP(k, val) (p.key = (k), p.key_len = strlen(k), p.value = (val), \
		     p.value_len = strlen(val), kitt_nego_ffp_key(&p, &v))
		CHECK(FFP("SendTargets", "All") == KITT_FFP_SEND_TARGETS);
		CHECK(FFP("MaxRecvDataSegmentLength", "65536") == KITT_FFP_MRDSL && v == 65536);
		CHECK(FFP("MaxRecvDataSegmentLength", "511") == KITT_FFP_REJECT);
		CHECK(FFP("MaxRecvDataSegmentLength", "16777216") == KITT_FFP_REJECT);
		CHECK(FFP("MaxRecvDataSegmentLength", "12x") == KITT_FFP_REJECT);
		CHECK(FFP("InitiatorAlias", "host") == KITT_FFP_IGNORE);
		CHECK(FFP("MaxBurstLength", "512") == KITT_FFP_REJECT);
		CHECK(FFP("CHAP_A", "5") == KITT_FFP_REJECT);
		CHECK(FFP("TargetName", "iqn.2003-01.a:b") == KITT_FFP_REJECT);
		CHECK(FFP("X-com.example.Foo", "1") == KITT_FFP_NOT_UNDERSTOOD);
#undef FFP
	}

	UNIT_EXIT();
}
