/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kitt's trace events (system "kitt"): logins, sessions, connections,
 * Rejects, task management and SCSI commands, for perf, trace-cmd and
 * bpftrace. Documentation/admin-guide.rst shows how to use them.
 *
 * Sessions are named by TSIH (0 before login ends), tasks by ITT. Strings
 * are copied into the event; a disabled event costs a static branch.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kitt

#if !defined(_KITT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KITT_TRACE_H

#include <linux/tracepoint.h>
#include "kitt/compat.h"
#include "kitt/pdu.h"

/* A Login Request starts a login on a connection from @peer. */
TRACE_EVENT(kitt_login_start,
	TP_PROTO(const char *peer, const u8 *isid, u16 tsih, u16 cid),
	TP_ARGS(peer, isid, tsih, cid),
	TP_STRUCT__entry(
		__string(peer, peer)
		__field(u64, isid)
		__field(u16, tsih)
		__field(u16, cid)
	),
	TP_fast_assign(
		kitt_assign_str(peer, peer);
		/* one number: perf's and trace-cmd's parser take no %ph */
		__entry->isid = (u64)kitt_get_be16(isid) << 32 |
				kitt_get_be32(isid + 2);
		__entry->tsih = tsih;
		__entry->cid = cid;
	),
	TP_printk("peer=%s isid=%012llx tsih=%u cid=%u", __get_str(peer),
		  __entry->isid, __entry->tsih, __entry->cid)
);

/*
 * The login's outcome: status class and detail of the last Login
 * Response (0/0: the session is in the full feature phase), and why not;
 * 255/255 (KITT_LOGIN_ABANDONED) if none was sent (the login timed out,
 * the initiator closed...), with why the connection closed.
 */
TRACE_EVENT(kitt_login_result,
	TP_PROTO(const char *peer, const char *initiator, const char *target,
		 u16 tsih, u8 class, u8 detail, const char *why),
	TP_ARGS(peer, initiator, target, tsih, class, detail, why),
	TP_STRUCT__entry(
		__string(peer, peer)
		__string(initiator, initiator)
		__string(target, target)
		__string(why, why)
		__field(u16, tsih)
		__field(u8, class)
		__field(u8, detail)
	),
	TP_fast_assign(
		kitt_assign_str(peer, peer);
		kitt_assign_str(initiator, initiator);
		kitt_assign_str(target, target);
		kitt_assign_str(why, why);
		__entry->tsih = tsih;
		__entry->class = class;
		__entry->detail = detail;
	),
	/* why, with its spaces, last and unquoted: libtraceevent takes no \" */
	TP_printk("peer=%s initiator=%s target=%s tsih=%u class=%u detail=%u why=%s",
		  __get_str(peer), __get_str(initiator), __get_str(target),
		  __entry->tsih, __entry->class, __entry->detail,
		  __get_str(why))
);

/* A session begins (normal or discovery) or ends (logged out or not). */
DECLARE_EVENT_CLASS(kitt_sess_class,
	TP_PROTO(u16 tsih, const char *initiator, const char *target,
		 bool normal, bool logged_out),
	TP_ARGS(tsih, initiator, target, normal, logged_out),
	TP_STRUCT__entry(
		__string(initiator, initiator)
		__string(target, target)
		__field(u16, tsih)
		__field(bool, normal)
		__field(bool, logged_out)
	),
	TP_fast_assign(
		kitt_assign_str(initiator, initiator);
		kitt_assign_str(target, target);
		__entry->tsih = tsih;
		__entry->normal = normal;
		__entry->logged_out = logged_out;
	),
	TP_printk("tsih=%u initiator=%s target=%s type=%s logged_out=%d",
		  __entry->tsih, __get_str(initiator), __get_str(target),
		  __entry->normal ? "normal" : "discovery", __entry->logged_out)
);

DEFINE_EVENT(kitt_sess_class, kitt_sess_create,
	TP_PROTO(u16 tsih, const char *initiator, const char *target,
		 bool normal, bool logged_out),
	TP_ARGS(tsih, initiator, target, normal, logged_out));

DEFINE_EVENT(kitt_sess_class, kitt_sess_end,
	TP_PROTO(u16 tsih, const char *initiator, const char *target,
		 bool normal, bool logged_out),
	TP_ARGS(tsih, initiator, target, normal, logged_out));

/*
 * A connection's state: 0 login, 1 full feature phase, 2 logging out,
 * 3 closing. @why is set when the state is 3: why it closes ("logged
 * out", "closed by the initiator", "login timed out"...).
 */
TRACE_EVENT(kitt_conn_state,
	TP_PROTO(const void *conn, u16 tsih, int old, int state,
		 const char *why),
	TP_ARGS(conn, tsih, old, state, why),
	TP_STRUCT__entry(
		__field(const void *, conn)
		__string(why, why)
		__field(u16, tsih)
		__field(int, old)
		__field(int, state)
	),
	TP_fast_assign(
		__entry->conn = conn;
		kitt_assign_str(why, why);
		__entry->tsih = tsih;
		__entry->old = old;
		__entry->state = state;
	),
	TP_printk("conn=%p tsih=%u old=%d state=%d why=%s",
		  __entry->conn, __entry->tsih, __entry->old, __entry->state,
		  __get_str(why))
);

/* A Reject: its reason (RFC 7143 11.17.1) and the rejected PDU's header. */
TRACE_EVENT(kitt_reject,
	TP_PROTO(u16 tsih, u8 reason, u8 opcode, u32 itt),
	TP_ARGS(tsih, reason, opcode, itt),
	TP_STRUCT__entry(
		__field(u16, tsih)
		__field(u8, reason)
		__field(u8, opcode)
		__field(u32, itt)
	),
	TP_fast_assign(
		__entry->tsih = tsih;
		__entry->reason = reason;
		__entry->opcode = opcode;
		__entry->itt = itt;
	),
	TP_printk("tsih=%u reason=0x%02x opcode=0x%02x itt=0x%08x",
		  __entry->tsih, __entry->reason, __entry->opcode, __entry->itt)
);

/* A task management request (@function: RFC 7143 11.5.1) and its task. */
TRACE_EVENT(kitt_tmf,
	TP_PROTO(u16 tsih, u32 itt, u8 function, u64 lun, u32 ref_itt),
	TP_ARGS(tsih, itt, function, lun, ref_itt),
	TP_STRUCT__entry(
		__field(u64, lun)
		__field(u32, itt)
		__field(u32, ref_itt)
		__field(u16, tsih)
		__field(u8, function)
	),
	TP_fast_assign(
		__entry->lun = lun;
		__entry->itt = itt;
		__entry->ref_itt = ref_itt;
		__entry->tsih = tsih;
		__entry->function = function;
	),
	TP_printk("tsih=%u itt=0x%08x function=%u lun=%llu ref_itt=0x%08x",
		  __entry->tsih, __entry->itt, __entry->function,
		  __entry->lun, __entry->ref_itt)
);

/* Its response (RFC 7143 11.6.1: 0 function complete). */
TRACE_EVENT(kitt_tmf_rsp,
	TP_PROTO(u16 tsih, u32 itt, u8 response),
	TP_ARGS(tsih, itt, response),
	TP_STRUCT__entry(
		__field(u32, itt)
		__field(u16, tsih)
		__field(u8, response)
	),
	TP_fast_assign(
		__entry->itt = itt;
		__entry->tsih = tsih;
		__entry->response = response;
	),
	TP_printk("tsih=%u itt=0x%08x response=%u", __entry->tsih,
		  __entry->itt, __entry->response)
);

/* A SCSI command goes to the target core: @len is the CDB's data length. */
TRACE_EVENT(kitt_cmd_submit,
	TP_PROTO(u16 tsih, u32 itt, u64 lun, u8 opcode, u32 len),
	TP_ARGS(tsih, itt, lun, opcode, len),
	TP_STRUCT__entry(
		__field(u64, lun)
		__field(u32, itt)
		__field(u32, len)
		__field(u16, tsih)
		__field(u8, opcode)
	),
	TP_fast_assign(
		__entry->lun = lun;
		__entry->itt = itt;
		__entry->len = len;
		__entry->tsih = tsih;
		__entry->opcode = opcode;
	),
	TP_printk("tsih=%u itt=0x%08x lun=%llu opcode=0x%02x len=%u",
		  __entry->tsih, __entry->itt, __entry->lun, __entry->opcode,
		  __entry->len)
);

/*
 * The core answered a SCSI command: SCSI status, bytes moved and residual
 * (negative: overflow).
 */
TRACE_EVENT(kitt_cmd_complete,
	TP_PROTO(u16 tsih, u32 itt, u8 opcode, u32 bytes, s64 resid,
		 u8 status),
	TP_ARGS(tsih, itt, opcode, bytes, resid, status),
	TP_STRUCT__entry(
		__field(s64, resid)
		__field(u32, itt)
		__field(u32, bytes)
		__field(u16, tsih)
		__field(u8, opcode)
		__field(u8, status)
	),
	TP_fast_assign(
		__entry->resid = resid;
		__entry->itt = itt;
		__entry->bytes = bytes;
		__entry->tsih = tsih;
		__entry->opcode = opcode;
		__entry->status = status;
	),
	TP_printk("tsih=%u itt=0x%08x opcode=0x%02x bytes=%u resid=%lld status=0x%02x",
		  __entry->tsih, __entry->itt, __entry->opcode, __entry->bytes,
		  __entry->resid, __entry->status)
);

#endif /* _KITT_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH kitt
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
