// SPDX-License-Identifier: GPL-2.0
/*
 * Connections: socket callbacks, the io_work that receives and sends with
 * a budget, and teardown.
 *
 * Lifetime: the connection holds one reference for being alive, dropped
 * by release_work once the socket is quiet and io_work can no longer run;
 * whoever else keeps a pointer (a session) holds its own reference.
 */
#define pr_fmt(fmt) "kitt: " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <scsi/iscsi_proto.h>

#include "kitt/compat.h"
#include "kitt/conn.h"
#include "kitt/digest.h"
#include "kitt/kitt.h"
#include "kitt/trace.h"

/*
 * How long a peer may take to log in, from accept to full feature phase,
 * until the target it names is known (then its TPG's login_timeout).
 */
#define KITT_LOGIN_TIMEOUT	(15 * HZ)
/* PDUs received, and sent, per io_work run before others get a turn. */
#define KITT_IO_BUDGET		16

static struct workqueue_struct *kitt_wq;
/* Connections have a cache of their own: a leak shows when it is destroyed. */
static struct kmem_cache *kitt_conn_cache;

/*
 * Protects every portal's connection list, login count and discovery
 * count, kitt_discovery_total, and each kitt_conn.portal, .login_counted
 * and .disc_counted.
 */
static DEFINE_MUTEX(kitt_conns_lock);

/*
 * cpus_allowed_list (fabric root attribute): the CPUs io_work runs on.
 * Empty, the default, means every CPU: io_work then runs where it is
 * queued, near the socket's softirq. Otherwise each connection keeps one
 * CPU of the set that was online when it picked (connections spread in
 * turn); kitt_allowed_cpus_gen counts changes, and a connection whose
 * pick is older picks again at the start of its next io_work run.
 * kitt_allowed_cpus_lock is a leaf: nothing else is taken under it.
 */
static struct cpumask kitt_allowed_cpus;
static unsigned int kitt_allowed_cpus_gen;	/* read with READ_ONCE */
static DEFINE_MUTEX(kitt_allowed_cpus_lock);	/* protects the two above */
static atomic_t kitt_conn_seq;			/* spreads connections */

/*
 * Connections one portal lets log in at once: a peer opening connections
 * and never logging in ties up no more than this (each is closed after
 * the login timeout). Beyond it, a new connection closes the login that
 * has gone longest without a Login PDU (KITT_LOGIN_STALE), or is closed
 * itself if every login is progressing.
 */
static unsigned int kitt_max_logins = 256;
#define KITT_MAX_LOGINS_MAX	65536

/*
 * With max_logins_per_portal connections in login, a new one makes room
 * by closing the one that has gone longest without a Login PDU, if that
 * is at least this long: idle and trickling peers cannot keep initiators
 * out, and a burst of real logins is not cut short.
 */
#define KITT_LOGIN_STALE	HZ

/* A module parameter's new value, refused unless in [@min, @max]. */
static int kitt_param_set_range(const char *val, const struct kernel_param *kp,
				unsigned int min, unsigned int max)
{
	unsigned int v;
	int ret;

	ret = kstrtouint(val, 0, &v);
	if (ret)
		return ret;
	if (v < min || v > max) {
		pr_warn("%s must be %u to %u, not %u\n", kp->name, min, max, v);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static int kitt_max_logins_set(const char *val, const struct kernel_param *kp)
{
	return kitt_param_set_range(val, kp, 1, KITT_MAX_LOGINS_MAX);
}

static const struct kernel_param_ops kitt_max_logins_ops = {
	.set = kitt_max_logins_set,
	.get = param_get_uint,
};

module_param_cb(max_logins_per_portal, &kitt_max_logins_ops,
		&kitt_max_logins, 0644);
MODULE_PARM_DESC(max_logins_per_portal,
		 "connections logging in at once through one portal, 1-65536 (default 256)");

/*
 * Discovery sessions one portal holds at once. Beyond it, a new one
 * closes the discovery session idle longest, if that is at least
 * KITT_DISC_STALE, or is refused ("out of resources") if every one was
 * active within it. Each costs a connection and a TSIH of the discovery
 * range. All portals together hold at most KITT_DISCOVERY_SESSIONS_MAX
 * (kitt_discovery_total, under kitt_conns_lock): past that a new one
 * likewise makes room on its own portal or is refused, never left to
 * find the TSIH range full.
 */
static unsigned int kitt_max_discovery = 64;
static unsigned int kitt_discovery_total;
#define KITT_DISC_STALE		HZ

static int kitt_max_discovery_set(const char *val,
				  const struct kernel_param *kp)
{
	return kitt_param_set_range(val, kp, 1, KITT_DISCOVERY_SESSIONS_MAX);
}

static const struct kernel_param_ops kitt_max_discovery_ops = {
	.set = kitt_max_discovery_set,
	.get = param_get_uint,
};

module_param_cb(max_discovery_sessions_per_portal, &kitt_max_discovery_ops,
		&kitt_max_discovery, 0644);
MODULE_PARM_DESC(max_discovery_sessions_per_portal,
		 "discovery sessions one portal holds at once, 1-4096 (default 64)");

/* Seconds a discovery session may go without a PDU in before it is closed. */
static unsigned int kitt_discovery_idle = 30;
#define KITT_DISC_IDLE_MAX	3600

static int kitt_discovery_idle_set(const char *val,
				   const struct kernel_param *kp)
{
	return kitt_param_set_range(val, kp, 1, KITT_DISC_IDLE_MAX);
}

static const struct kernel_param_ops kitt_discovery_idle_ops = {
	.set = kitt_discovery_idle_set,
	.get = param_get_uint,
};

module_param_cb(discovery_idle_timeout, &kitt_discovery_idle_ops,
		&kitt_discovery_idle, 0644);
MODULE_PARM_DESC(discovery_idle_timeout,
		 "seconds a discovery session may stay idle, 1-3600 (default 30)");

/* @conn no longer counts as logging in through its portal. */
static void kitt_conn_uncount_login(struct kitt_conn *conn)
{
	lockdep_assert_held(&kitt_conns_lock);
	if (conn->login_counted && conn->portal)
		conn->portal->logins--;
	conn->login_counted = false;
}

/* @conn no longer counts as a discovery session of its portal. */
static void kitt_conn_uncount_discovery(struct kitt_conn *conn)
{
	lockdep_assert_held(&kitt_conns_lock);
	if (conn->disc_counted) {
		if (conn->portal)
			conn->portal->discovery--;
		kitt_discovery_total--;
	}
	conn->disc_counted = false;
}

struct kitt_tx *kitt_tx_alloc(u32 data_len, gfp_t gfp)
{
	struct kitt_tx *tx = kzalloc(sizeof(*tx), gfp);
	struct iscsi_hdr *hdr;

	if (!tx)
		return NULL;
	if (data_len) {
		tx->data = kvzalloc(data_len, gfp);
		if (!tx->data) {
			kfree(tx);
			return NULL;
		}
	}
	tx->data_len = data_len;
	hdr = (void *)tx->hdr;
	hton24(hdr->dlength, data_len);
	return tx;
}

void kitt_tx_free(struct kitt_tx *tx)
{
	/* Command PDUs live in their command, which frees itself. */
	if (!tx || tx->kind != KITT_TX_BUF)
		return;
	kvfree(tx->data);
	kfree(tx);
}

/*
 * Queue io_work, unless the connection's release has begun: release
 * cancels io_work once, and nothing may queue it again after that.
 */
static void kitt_conn_queue_io_locked(struct kitt_conn *conn)
{
	lockdep_assert_held(&conn->lock);
	if (!conn->kick_off)
		queue_work_on(READ_ONCE(conn->cpu), kitt_wq, &conn->io_work);
}

/*
 * Run io_work for what was just queued or made ready. From io_work itself
 * nothing is needed: it receives and sends until neither moves, so what
 * it queued goes out before it stops (and a full socket wakes it).
 */
void kitt_conn_kick_locked(struct kitt_conn *conn)
{
	lockdep_assert_held(&conn->lock);
	if (current_work() != &conn->io_work)
		kitt_conn_queue_io_locked(conn);
}

void kitt_conn_kick(struct kitt_conn *conn)
{
	spin_lock_bh(&conn->lock);
	kitt_conn_kick_locked(conn);
	spin_unlock_bh(&conn->lock);
}

/*
 * The wake-up for a response, without the lock. It may read kick_off
 * just before release sets it and queue io_work after release has
 * cancelled it: such a late run finds the connection CLOSING and does
 * nothing, and release cancels io_work once more when no completion can
 * come any more (kitt_conn_release_work()).
 */
static void kitt_conn_kick_rsp(struct kitt_conn *conn)
{
	if (current_work() != &conn->io_work && !READ_ONCE(conn->kick_off))
		queue_work_on(READ_ONCE(conn->cpu), kitt_wq, &conn->io_work);
}

/*
 * Queue a command's response (rsp_tx, once per command) from wherever the
 * core completed it, and wake io_work. The core holds the command, so the
 * session, and so the connection, waits for this to return
 * (kitt_conn_release_work()). Nothing is queued once the connection is
 * closing: release ends the command (kitt_conn_release_cmds()).
 */
void kitt_conn_queue_rsp(struct kitt_conn *conn, struct kitt_tx *tx)
{
	if (READ_ONCE(conn->state) == KITT_CONN_CLOSING)
		return;
	llist_add(&tx->rsp_node, &conn->rsp_ll);
	kitt_conn_kick_rsp(conn);
}

/*
 * Move the responses queued since the last look to rsp_list, oldest
 * first. io_work's, or release's once io_work has stopped.
 */
void kitt_conn_take_rsps(struct kitt_conn *conn)
{
	struct llist_node *node;
	struct kitt_tx *tx, *next;

	if (llist_empty(&conn->rsp_ll))
		return;
	node = llist_reverse_order(llist_del_all(&conn->rsp_ll));
	llist_for_each_entry_safe(tx, next, node, rsp_node)
		list_add_tail(&tx->entry, &conn->rsp_list);
}

/* Whether another PDU waits to be sent after the current one (io_work). */
bool kitt_conn_tx_pending(struct kitt_conn *conn)
{
	return !list_empty_careful(&conn->tx_queue) ||
	       !list_empty(&conn->rsp_list) || !llist_empty(&conn->rsp_ll);
}

/*
 * From a socket callback: these run under sk_callback_lock, and release
 * restores the socket's own callbacks under it before cancelling
 * io_work, so no check is needed (and the hot path takes no lock).
 */
static void kitt_conn_kick_sk(struct kitt_conn *conn)
{
	queue_work_on(READ_ONCE(conn->cpu), kitt_wq, &conn->io_work);
}

/* The session's TSIH for trace events: 0 while logging in. */
static u16 kitt_conn_tsih(const struct kitt_conn *conn)
{
	return conn->sess ? conn->sess->tsih : 0;
}

void kitt_conn_set_state(struct kitt_conn *conn, enum kitt_conn_state state)
{
	enum kitt_conn_state old;

	spin_lock_bh(&conn->lock);
	old = conn->state;
	/* Nothing leaves CLOSING. */
	if (old != KITT_CONN_CLOSING && old != state) {
		WRITE_ONCE(conn->state, state);
		trace_kitt_conn_state(conn, kitt_conn_tsih(conn), old, state, "");
	}
	spin_unlock_bh(&conn->lock);
}

void kitt_conn_queue_tx(struct kitt_conn *conn, struct kitt_tx *tx)
{
	spin_lock_bh(&conn->lock);
	if (conn->state == KITT_CONN_CLOSING) {
		spin_unlock_bh(&conn->lock);
		kitt_tx_free(tx);
		return;
	}
	list_add_tail(&tx->entry, &conn->tx_queue);
	atomic_inc(&conn->tx_bufs);
	atomic_add(tx->data_len, &conn->tx_buf_bytes);
	kitt_conn_kick_locked(conn);
	spin_unlock_bh(&conn->lock);
}

/* ---- cpus_allowed_list: where io_work runs ---- */

/*
 * The @n-th (modulo their number) allowed CPU that is online, or
 * WORK_CPU_UNBOUND (the queueing CPU) when every CPU is allowed or no
 * allowed CPU is online. Under kitt_allowed_cpus_lock.
 */
static int kitt_allowed_cpu_locked(unsigned int n)
{
	unsigned int count = 0;
	int cpu;

	lockdep_assert_held(&kitt_allowed_cpus_lock);
	if (cpumask_empty(&kitt_allowed_cpus) ||
	    cpumask_subset(cpu_online_mask, &kitt_allowed_cpus))
		return WORK_CPU_UNBOUND;
	for_each_cpu_and(cpu, &kitt_allowed_cpus, cpu_online_mask)
		count++;
	if (!count)
		return WORK_CPU_UNBOUND;
	n %= count;
	for_each_cpu_and(cpu, &kitt_allowed_cpus, cpu_online_mask)
		if (!n--)
			break;
	/* A CPU went offline between the walks: no n-th one any more. */
	if (cpu >= nr_cpu_ids)
		return WORK_CPU_UNBOUND;
	return cpu;
}

/* Pick @conn's CPU from the current set. Process context: io_work or accept. */
static void kitt_conn_pick_cpu(struct kitt_conn *conn)
{
	mutex_lock(&kitt_allowed_cpus_lock);
	WRITE_ONCE(conn->cpu, kitt_allowed_cpu_locked(conn->cpu_seq));
	conn->cpu_gen = kitt_allowed_cpus_gen;
	mutex_unlock(&kitt_allowed_cpus_lock);
}

/*
 * A new set of CPUs (not empty, all possible). A connection moves at its
 * next io_work run; the workqueue never runs one work item on two CPUs
 * at once, so the move needs nothing more.
 */
int kitt_allowed_cpus_set(const struct cpumask *mask)
{
	if (cpumask_empty(mask) || !cpumask_subset(mask, cpu_possible_mask))
		return -EINVAL;
	mutex_lock(&kitt_allowed_cpus_lock);
	cpumask_copy(&kitt_allowed_cpus, mask);
	WRITE_ONCE(kitt_allowed_cpus_gen, kitt_allowed_cpus_gen + 1);
	mutex_unlock(&kitt_allowed_cpus_lock);
	return 0;
}

/* The set as a CPU list; every possible CPU while none was set. */
ssize_t kitt_allowed_cpus_show(char *page)
{
	const struct cpumask *mask = cpu_possible_mask;
	ssize_t ret;

	mutex_lock(&kitt_allowed_cpus_lock);
	if (!cpumask_empty(&kitt_allowed_cpus))
		mask = &kitt_allowed_cpus;
	ret = sysfs_emit(page, "%*pbl\n", cpumask_pr_args(mask));
	mutex_unlock(&kitt_allowed_cpus_lock);
	return ret;
}

/* ---- socket callbacks: only wake io_work (or start the teardown) ---- */

static void kitt_sk_data_ready(struct sock *sk)
{
	struct kitt_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn)
		kitt_conn_kick_sk(conn);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void kitt_sk_write_space(struct sock *sk)
{
	struct kitt_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn && sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		kitt_conn_kick_sk(conn);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void kitt_sk_state_change(struct sock *sk)
{
	struct kitt_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn) {
		switch (sk->sk_state) {
		case TCP_FIN_WAIT1:
		case TCP_CLOSE_WAIT:
		case TCP_CLOSE:
			/* io_work sees the end of the stream and closes. */
			kitt_conn_kick_sk(conn);
			break;
		default:
			break;
		}
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void kitt_conn_install_callbacks(struct kitt_conn *conn)
{
	struct sock *sk = conn->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = conn;
	conn->saved_data_ready = sk->sk_data_ready;
	conn->saved_state_change = sk->sk_state_change;
	conn->saved_write_space = sk->sk_write_space;
	sk->sk_data_ready = kitt_sk_data_ready;
	sk->sk_state_change = kitt_sk_state_change;
	sk->sk_write_space = kitt_sk_write_space;
	write_unlock_bh(&sk->sk_callback_lock);
}

static void kitt_conn_restore_callbacks(struct kitt_conn *conn)
{
	struct sock *sk = conn->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = conn->saved_data_ready;
	sk->sk_state_change = conn->saved_state_change;
	sk->sk_write_space = conn->saved_write_space;
	write_unlock_bh(&sk->sk_callback_lock);
}

/* ---- receiving ---- */

/*
 * Whether recvmsg() could only say -EAGAIN: nothing queued to read and
 * nothing to report, seen without the socket's lock. io_work ends every
 * run with a look for the next header, and the run that sends a
 * completed command's answer usually finds nothing. Data that arrives
 * after the look kicks io_work (sk_data_ready), and so do packets that
 * wait in the socket's backlog while someone holds its lock, once they
 * are queued; an error, the peer's FIN or a state other than established
 * is left to recvmsg(). (Data segments are read by kitt_conn_recv_iter()
 * only once their header said they come.)
 */
static bool kitt_conn_rx_idle(const struct kitt_conn *conn)
{
	const struct sock *sk = conn->sock->sk;

	return skb_queue_empty_lockless(&sk->sk_receive_queue) &&
	       !READ_ONCE(sk->sk_err) &&
	       !(READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) &&
	       READ_ONCE(sk->sk_state) == TCP_ESTABLISHED;
}

/* recvmsg() into @buf: >0 read, 0 nothing yet, <0 the connection is over. */
static int kitt_conn_recvmsg(struct kitt_conn *conn, void *buf, u32 len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	int ret;

	ret = kernel_recvmsg(conn->sock, &msg, &iov, 1, len, msg.msg_flags);
	if (ret == -EAGAIN)
		return 0;
	if (ret == 0)
		return -ECONNRESET;	/* orderly close by the peer */
	return ret;
}

/* Bytes read ahead and not taken yet. */
static u32 kitt_conn_staged(const struct kitt_conn *conn)
{
	return conn->rx_stage_len - conn->rx_stage_pos;
}

/* Up to @len bytes read ahead into @buf; how many. */
static u32 kitt_conn_take_staged(struct kitt_conn *conn, void *buf, u32 len)
{
	u32 n = min(len, kitt_conn_staged(conn));

	if (!n)
		return 0;
	memcpy(buf, conn->rx_stage + conn->rx_stage_pos, n);
	conn->rx_stage_pos += n;
	return n;
}

/*
 * Whether the socket holds more than @len bytes to read: a hint, seen
 * without the socket's lock as tcp_poll() sees it (tcp_epollin_ready());
 * recvmsg() takes what is there either way.
 */
static bool kitt_conn_rx_more_than(const struct kitt_conn *conn, u32 len)
{
	const struct tcp_sock *tp = tcp_sk(conn->sock->sk);

	return READ_ONCE(tp->rcv_nxt) - READ_ONCE(tp->copied_seq) > len;
}

/*
 * Read ahead: whatever the socket holds, up to KITT_RX_STAGE bytes, into
 * the empty stage, then up to @len of it into @buf. A run of headers
 * without data (reads at queue depth) costs one recvmsg(), not one each;
 * data that came along is copied out of the stage when its turn comes.
 */
static int kitt_conn_recv_ahead(struct kitt_conn *conn, void *buf, u32 len)
{
	int ret;

	/*
	 * From the first read ahead on: connections that never read ahead
	 * (logging in, idle, writing) do without. Without memory at once
	 * (no reclaim on the fast path), the piece is read as asked.
	 */
	if (!conn->rx_stage)
		conn->rx_stage = kmalloc(KITT_RX_STAGE,
					 GFP_NOWAIT | __GFP_NOWARN);
	if (!conn->rx_stage)
		return kitt_conn_recvmsg(conn, buf, len);
	ret = kitt_conn_recvmsg(conn, conn->rx_stage, KITT_RX_STAGE);
	conn->rx_stage_pos = 0;
	conn->rx_stage_len = max(ret, 0);
	if (ret <= 0)
		return ret;
	return kitt_conn_take_staged(conn, buf, len);
}

/*
 * Read up to @len bytes, what was read ahead first; >0 read, 0 nothing
 * yet, <0 the connection is over. After a PDU without data, the next
 * header (with its AHS and digest) is read ahead when the socket holds
 * more (conn->rx_ahead). Whatever comes back short, the socket had no
 * more: sk_data_ready comes with the rest.
 */
static int kitt_conn_recv(struct kitt_conn *conn, void *buf, u32 len)
{
	u32 got;
	int ret;

	if (unlikely(conn->replay))
		return kitt_park_read(conn, buf, len);
	got = kitt_conn_take_staged(conn, buf, len);
	if (got == len || kitt_conn_rx_idle(conn))
		return got;
	len -= got;
	if (conn->rx_ahead && len < KITT_RX_STAGE &&
	    kitt_conn_rx_more_than(conn, len))
		ret = kitt_conn_recv_ahead(conn, (u8 *)buf + got, len);
	else
		ret = kitt_conn_recvmsg(conn, (u8 *)buf + got, len);
	return ret < 0 ? ret : got + ret;
}

/* Fill @buf up to @want bytes, tracking progress in rx_done. 1 when full. */
static int kitt_conn_recv_piece(struct kitt_conn *conn, void *buf, u32 want)
{
	int ret;

	if (conn->rx_done < want) {
		ret = kitt_conn_recv(conn, (u8 *)buf + conn->rx_done,
				     want - conn->rx_done);
		if (ret <= 0)
			return ret;
		conn->rx_done += ret;
	}
	if (conn->rx_done < want)
		return 0;
	conn->rx_done = 0;
	return 1;
}

/* CRC of the data received through rx_iter: a buffer or a command's pages. */
static u32 kitt_conn_crc_dest(struct kitt_conn *conn, u32 crc)
{
	if (conn->rx_bvec_n)
		return kitt_crc_bvec(crc, conn->rx_bvec, conn->rx_bvec_n);
	if (conn->rx_data)
		return kitt_crc_buf(crc, conn->rx_data, conn->rx_data_len);
	return crc;
}

/* What was read ahead into conn->rx_iter, as much as it takes; how much. */
static u32 kitt_conn_take_staged_iter(struct kitt_conn *conn)
{
	u32 n = min_t(u32, kitt_conn_staged(conn),
		      iov_iter_count(&conn->rx_iter));

	if (!n)
		return 0;
	n = copy_to_iter(conn->rx_stage + conn->rx_stage_pos, n,
			 &conn->rx_iter);
	conn->rx_stage_pos += n;
	return n;
}

/*
 * Into conn->rx_iter, what was read ahead first: >0 read, 0 nothing yet,
 * <0 the connection is over.
 */
static int kitt_conn_recv_iter(struct kitt_conn *conn)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	u32 got;
	int ret;

	if (unlikely(conn->replay))
		return kitt_park_read_iter(conn, &conn->rx_iter);
	got = kitt_conn_take_staged_iter(conn);
	if (!iov_iter_count(&conn->rx_iter))
		return got;
	msg.msg_iter = conn->rx_iter;
	ret = sock_recvmsg(conn->sock, &msg, MSG_DONTWAIT);
	if (ret == -EAGAIN)
		return got;
	if (ret == 0)
		return -ECONNRESET;
	if (ret < 0)
		return ret;
	conn->rx_iter = msg.msg_iter;
	return got + ret;
}

/*
 * The data segment goes where conn->rx_iter points (a kernel buffer, or
 * a command's pages), then conn->rx_discard more bytes are dropped.
 */
static int kitt_conn_recv_data(struct kitt_conn *conn)
{
	int ret;

	if (iov_iter_count(&conn->rx_iter)) {
		ret = kitt_conn_recv_iter(conn);
		if (ret <= 0)
			return ret;
		if (iov_iter_count(&conn->rx_iter))
			return 0;
	}
	/* The digest covers the data where it landed, then what is dropped. */
	if (conn->ddigest && !conn->rx_crc_dest && !conn->replay) {
		conn->rx_crc = kitt_conn_crc_dest(conn, conn->rx_crc);
		conn->rx_crc_dest = true;
	}
	/* What is left over (or all of it) is dropped. */
	while (conn->rx_discard) {
		u32 n = min_t(u32, conn->rx_discard, sizeof(conn->rx_ahs));

		ret = kitt_conn_recv(conn, conn->rx_ahs, n);
		if (ret <= 0)
			return ret;
		if (conn->ddigest && !conn->replay)
			conn->rx_crc = kitt_crc_buf(conn->rx_crc, conn->rx_ahs, ret);
		conn->rx_discard -= ret;
	}
	return 1;
}

static void kitt_conn_rx_reset(struct kitt_conn *conn)
{
	kvfree(conn->rx_data);
	conn->rx_data = NULL;
	conn->rx_cmd = NULL;
	iov_iter_kvec(&conn->rx_iter, ITER_DEST, NULL, 0, 0);
	conn->rx_discard = 0;
	conn->rx_reject = 0;
	conn->rx_drop = false;
	conn->rx_sn_counted = false;
	conn->rx_park = false;
	conn->rx_state = KITT_RX_BHS;
	conn->rx_done = 0;
	conn->rx_bvec_n = 0;
	conn->rx_crc = KITT_CRC_SEED;
	conn->rx_crc_dest = false;
}

/* Receive the data segment into a buffer of its own (non-SCSI PDUs). */
static int kitt_conn_rx_to_buffer(struct kitt_conn *conn)
{
	conn->rx_data = kvmalloc(conn->rx_data_len, GFP_KERNEL);
	if (!conn->rx_data)
		return -ENOMEM;
	conn->rx_kvec.iov_base = conn->rx_data;
	conn->rx_kvec.iov_len = conn->rx_data_len;
	conn->rx_bvec_n = 0;
	iov_iter_kvec(&conn->rx_iter, ITER_DEST, &conn->rx_kvec, 1,
		      conn->rx_data_len);
	return 0;
}

/* A whole header is in: check its framing, then decide what follows. */
static int kitt_conn_rx_bhs(struct kitt_conn *conn)
{
	struct kitt_pdu_check_result res;
	enum kitt_pdu_phase phase;

	if (conn->state == KITT_CONN_LOGIN)
		phase = KITT_PHASE_LOGIN;
	else
		phase = KITT_PHASE_FULL;
	if (kitt_pdu_check(conn->rx_bhs, phase, &conn->limits, &res) ==
	    KITT_PDU_FATAL) {
		pr_warn_ratelimited("dropping connection: %s (opcode 0x%02x)\n",
				    res.why, kitt_bhs_opcode(conn->rx_bhs));
		return -EPROTO;
	}
	conn->rx_data_len = kitt_bhs_data_len(conn->rx_bhs);
	conn->rx_state = KITT_RX_HDR;
	return 0;
}

/* A digest did not match: at ErrorRecoveryLevel 0 the connection ends. */
static int kitt_conn_digest_error(struct kitt_conn *conn, const char *what)
{
	if (conn->sess && conn->sess->tpg)
		atomic_inc(&conn->sess->tpg->tiqn->stats.digest_errors);
	pr_warn_ratelimited("dropping connection: %s digest error (opcode 0x%02x)\n",
			    what, kitt_bhs_opcode(conn->rx_bhs));
	return -EBADMSG;
}

/* Header and AHS are in: check the header digest, if any. */
static int kitt_conn_rx_hdigest(struct kitt_conn *conn)
{
	u32 crc;
	int ret;

	if (!conn->hdigest || conn->replay)
		return 1;	/* a held PDU's was checked when it came */
	ret = kitt_conn_recv_piece(conn, conn->rx_digest, KITT_DIGEST_LEN);
	if (ret <= 0)
		return ret;
	crc = kitt_crc_buf(KITT_CRC_SEED, conn->rx_bhs, KITT_BHS_LEN);
	crc = kitt_crc_buf(crc, conn->rx_ahs, conn->rx_ahs_len);
	if (!kitt_digest_ok(conn->rx_digest, crc))
		return kitt_conn_digest_error(conn, "header");
	return 1;
}

/* Data and padding are in: check the data digest, if any. */
static int kitt_conn_rx_ddigest(struct kitt_conn *conn)
{
	int ret;

	if (!conn->ddigest || !conn->rx_data_len || conn->replay)
		return 1;
	ret = kitt_conn_recv_piece(conn, conn->rx_digest, KITT_DIGEST_LEN);
	if (ret <= 0)
		return ret;
	if (!kitt_digest_ok(conn->rx_digest, conn->rx_crc))
		return kitt_conn_digest_error(conn, "data");
	return 1;
}

/*
 * Header and AHS are in. SCSI commands and Data-Out place their data
 * themselves (straight into the command's pages); other PDUs get a buffer.
 */
static int kitt_conn_rx_hdr(struct kitt_conn *conn)
{
	int ret = 0;

	if (conn->state != KITT_CONN_LOGIN)
		ret = kitt_ffp_rx_hdr(conn);
	if (ret < 0)
		return ret;
	if (ret == 0 && conn->rx_data_len)
		ret = kitt_conn_rx_to_buffer(conn);
	if (ret < 0)
		return ret;
	conn->rx_state = conn->rx_cmd ? KITT_RX_WAIT : KITT_RX_DATA;
	return 0;
}

/* Dispatch a complete PDU. */
static int kitt_conn_rx_pdu(struct kitt_conn *conn)
{
	int ret;

	if (conn->state == KITT_CONN_LOGIN) {
		WRITE_ONCE(conn->login_seen, jiffies);
		ret = kitt_login_rx(conn);
	} else {
		ret = kitt_ffp_rx(conn);
	}
	kitt_conn_rx_reset(conn);
	if (unlikely(conn->replay))
		kitt_park_replay_end(conn);
	return ret;
}

/* Data done: padding next, or the digest. */
static void kitt_conn_rx_data_done(struct kitt_conn *conn)
{
	conn->rx_state = kitt_pad4(conn->rx_data_len) != conn->rx_data_len ?
			 KITT_RX_PAD : KITT_RX_DDIGEST;
}

/* The next PDU's header, from the socket or a held PDU: 1 once it is in. */
static int kitt_conn_rx_start(struct kitt_conn *conn)
{
	int ret;

	if (!conn->rx_done) {
		/* Answers pile up unread: read on once they drain. */
		if (atomic_read(&conn->tx_bufs) >= KITT_TX_BUFS_MAX ||
		    atomic_read(&conn->tx_buf_bytes) >= KITT_TX_BUF_BYTES_MAX)
			return 0;
		/* A request held past a CmdSN gap whose turn came. */
		if (unlikely(conn->park_bytes) && !conn->replay)
			kitt_park_replay_next(conn);
	}
	ret = kitt_conn_recv_piece(conn, conn->rx_bhs, KITT_BHS_LEN);
	if (ret <= 0)
		return ret;
	/* At most KITT_AHS_MAX: rx_ahs holds any AHS. */
	conn->rx_ahs_len = kitt_bhs_ahs_len(conn->rx_bhs);
	conn->rx_state = conn->rx_ahs_len ? KITT_RX_AHS : KITT_RX_HDIGEST;
	return 1;
}

/* Make progress on receiving one PDU: 1 if one was handled, 0 if not. */
static int kitt_conn_try_recv_one(struct kitt_conn *conn)
{
	u32 pad;
	int ret;

	for (;;) {
		switch (conn->rx_state) {
		case KITT_RX_BHS:
			ret = kitt_conn_rx_start(conn);
			if (ret <= 0)
				return ret;
			break;
		case KITT_RX_AHS:
			ret = kitt_conn_recv_piece(conn, conn->rx_ahs,
						   conn->rx_ahs_len);
			if (ret <= 0)
				return ret;
			conn->rx_state = KITT_RX_HDIGEST;
			break;
		case KITT_RX_HDIGEST:
			/* Trust no field of a header before its digest. */
			ret = kitt_conn_rx_hdigest(conn);
			if (ret <= 0)
				return ret;
			conn->rx_ahead = false;	/* the header only */
			ret = kitt_conn_rx_bhs(conn);
			break;
		case KITT_RX_HDR:
			ret = kitt_conn_rx_hdr(conn);
			break;
		case KITT_RX_WAIT:
			/* The command is not ready for its data yet. */
			ret = kitt_cmd_rx_ready(conn);
			if (ret <= 0)
				return ret;
			conn->rx_state = KITT_RX_DATA;
			break;
		case KITT_RX_DATA:
			if (conn->rx_data_len) {
				ret = kitt_conn_recv_data(conn);
				if (ret <= 0)
					return ret;
			}
			kitt_conn_rx_data_done(conn);
			break;
		case KITT_RX_PAD:
			pad = kitt_pad4(conn->rx_data_len) - conn->rx_data_len;
			ret = kitt_conn_recv_piece(conn, conn->rx_pad, pad);
			if (ret <= 0)
				return ret;
			if (conn->ddigest && !conn->replay)
				conn->rx_crc = kitt_crc_buf(conn->rx_crc,
							    conn->rx_pad, pad);
			conn->rx_state = KITT_RX_DDIGEST;
			break;
		case KITT_RX_DDIGEST:
			/* Nothing of the PDU is acted on before its digest. */
			ret = kitt_conn_rx_ddigest(conn);
			if (ret <= 0)
				return ret;
			conn->rx_state = KITT_RX_END;
			break;
		case KITT_RX_END:
			if (!conn->replay)
				WRITE_ONCE(conn->last_rx, jiffies);
			conn->rx_ahead = !conn->rx_data_len;
			return kitt_conn_rx_pdu(conn) ?: 1;
		default:
			return -EINVAL;
		}
		if (ret < 0)
			return ret;
	}
}

/* ---- sending ---- */

/*
 * The first of tx_queue, if any. io_work looks after everything it queued
 * itself, and usually finds the queue empty: that look takes no lock.
 * What other contexts queue after it kicks io_work. The Logout Response
 * waits for the responses queued before it: the connection closes after it.
 */
static struct kitt_tx *kitt_conn_next_queued(struct kitt_conn *conn)
{
	struct kitt_tx *tx;

	if (list_empty_careful(&conn->tx_queue))
		return NULL;
	spin_lock_bh(&conn->lock);
	tx = list_first_entry_or_null(&conn->tx_queue, struct kitt_tx, entry);
	if (tx && tx->flags & KITT_TX_SESS_END && !list_empty(&conn->rsp_list))
		tx = NULL;
	if (tx)
		list_del_init(&tx->entry);
	spin_unlock_bh(&conn->lock);
	return tx;
}

/* The next PDU to send: R2Ts and buffers first, then responses. */
static struct kitt_tx *kitt_conn_next_tx(struct kitt_conn *conn)
{
	struct kitt_tx *tx;

	kitt_conn_take_rsps(conn);
	tx = kitt_conn_next_queued(conn);
	if (tx)
		return tx;
	tx = list_first_entry_or_null(&conn->rsp_list, struct kitt_tx, entry);
	if (tx)
		list_del_init(&tx->entry);
	return tx;
}

/*
 * StatSN, ExpCmdSN and MaxCmdSN are current as a PDU leaves; @status
 * PDUs take the next StatSN, others repeat the last one sent.
 */
void kitt_conn_stamp_hdr(struct kitt_conn *conn, u8 *hdr, bool status)
{
	struct iscsi_hdr *h = (void *)hdr;

	h->statsn = cpu_to_be32(conn->stat_sn);
	if (status)
		conn->stat_sn++;
	if (conn->sess)
		kitt_sess_fill_sn(conn->sess, hdr);
	else
		kitt_login_fill_sn(conn, hdr);
}

/*
 * The header is complete: add its digest if the connection uses them.
 * Returns the length to send, digest included.
 */
u32 kitt_conn_seal_hdr(struct kitt_conn *conn, u8 *hdr)
{
	if (!conn->hdigest)
		return KITT_BHS_LEN;
	kitt_digest_put(hdr + KITT_BHS_LEN,
			kitt_crc_buf(KITT_CRC_SEED, hdr, KITT_BHS_LEN));
	return KITT_BHS_LEN + KITT_DIGEST_LEN;
}

/* Padding of data segments to 4 bytes. */
const u8 kitt_zero_pad[4];

/*
 * A buffer PDU starts to go out: stamp its sequence numbers and add the
 * digests. Login Responses never carry digests, even the last one,
 * which leaves after the connection has turned them on.
 */
static void kitt_conn_start_buf(struct kitt_conn *conn, struct kitt_tx *tx)
{
	bool login = kitt_bhs_opcode(tx->hdr) == ISCSI_OP_LOGIN_RSP;
	u32 crc;

	kitt_conn_stamp_hdr(conn, tx->hdr, tx->flags & KITT_TX_STATSN);
	tx->hdr_len = login ? KITT_BHS_LEN : kitt_conn_seal_hdr(conn, tx->hdr);
	tx->ddigest_len = 0;
	if (login || !conn->ddigest || !tx->data_len)
		return;
	crc = kitt_crc_buf(KITT_CRC_SEED, tx->data, tx->data_len);
	crc = kitt_crc_buf(crc, kitt_zero_pad,
			   kitt_pad4(tx->data_len) - tx->data_len);
	kitt_digest_put(tx->ddigest, crc);
	tx->ddigest_len = KITT_DIGEST_LEN;
}

/*
 * Send what is left of @len bytes at @buf, *@sent bytes of which have
 * gone already. 1 when all is sent, 0 if the socket is full, <0 on error.
 */
int kitt_conn_send_kvec(struct kitt_conn *conn, const void *buf, u32 len,
			u32 *sent, bool more)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec iov;
	int ret;

	if (*sent >= len)
		return 1;
	iov.iov_base = (void *)((const u8 *)buf + *sent);
	iov.iov_len = len - *sent;
	if (more)
		msg.msg_flags |= MSG_MORE;
	ret = kernel_sendmsg(conn->sock, &msg, &iov, 1, iov.iov_len);
	if (ret == -EAGAIN)
		return 0;
	if (ret < 0)
		return ret;
	conn->tx_corked = more;
	*sent += ret;
	return *sent == len ? 1 : 0;
}

/*
 * Send @len bytes of pages (@n pieces) without copying; MSG_MORE if @more.
 * Returns the bytes sent, 0 if the socket is full, <0 on error. What a
 * short send left in TCP may have gone with MSG_MORE: count it corked.
 */
int kitt_conn_send_pages(struct kitt_conn *conn, struct bio_vec *bv,
			 unsigned int n, u32 len, bool more)
{
	int ret = kitt_sock_send_bvec(conn->sock, bv, n, len,
				      MSG_DONTWAIT | (more ? MSG_MORE : 0));

	if (ret == -EAGAIN)
		return 0;
	if (ret <= 0)
		return ret ?: -EPIPE;
	conn->tx_corked = more || ret < len;
	return ret;
}

/*
 * The last bytes sent went with MSG_MORE, but nothing follows them in
 * this run (what was queued sent nothing, or the queue emptied): push
 * them now, or TCP holds them back for about 200 ms.
 */
static void kitt_conn_push(struct kitt_conn *conn)
{
	if (!conn->tx_corked)
		return;
	conn->tx_corked = false;
	tcp_sock_set_cork(conn->sock->sk, false);
}

/* Header, data, padding and data digest of a buffer PDU, in turn. */
static int kitt_conn_send_buf(struct kitt_conn *conn, struct kitt_tx *tx,
			      bool more)
{
	const struct {
		const void *buf;
		u32 len;
	} piece[] = {
		{ tx->hdr, tx->hdr_len },
		{ tx->data, tx->data_len },
		{ kitt_zero_pad, kitt_pad4(tx->data_len) - tx->data_len },
		{ tx->ddigest, tx->ddigest_len },
	};
	u32 total = 0, base = 0, sent;
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(piece); i++)
		total += piece[i].len;
	for (i = 0; i < ARRAY_SIZE(piece); i++) {
		u32 end = base + piece[i].len;

		if (tx->sent < end) {
			sent = tx->sent - base;
			ret = kitt_conn_send_kvec(conn, piece[i].buf,
						  piece[i].len, &sent,
						  more || end < total);
			tx->sent = base + sent;
			if (ret <= 0)
				return ret;
		}
		base = end;
	}
	return 1;
}

/* 1 if a PDU (or a command's run of them) went out whole, 0 if not. */
static int kitt_conn_try_send_one(struct kitt_conn *conn)
{
	struct kitt_tx *tx = conn->tx_cur;
	bool more;
	int ret;

	if (!tx) {
		tx = kitt_conn_next_tx(conn);
		if (!tx)
			return 0;
		if (tx->kind == KITT_TX_BUF)
			kitt_conn_start_buf(conn, tx);
		if (tx->flags & KITT_TX_SESS_END) {
			/* What went before it may still be corked. */
			kitt_conn_push(conn);
			conn->tx_last = tx;
			kitt_conn_close_quiet(conn, "logged out");
			return -ESHUTDOWN;
		}
		conn->tx_cur = tx;
	}
	more = kitt_conn_tx_pending(conn);
	if (tx->kind == KITT_TX_BUF)
		ret = kitt_conn_send_buf(conn, tx, more);
	else
		ret = kitt_cmd_send(conn, tx);
	if (ret <= 0)
		return ret;
	conn->tx_cur = NULL;
	if (tx->kind != KITT_TX_BUF)
		return 1;
	atomic_dec(&conn->tx_bufs);
	atomic_sub(tx->data_len, &conn->tx_buf_bytes);
	if (tx->flags & KITT_TX_CLOSE) {
		kitt_tx_free(tx);
		kitt_conn_close_quiet(conn, "login refused");
		return -ESHUTDOWN;
	}
	kitt_tx_free(tx);
	return 1;
}

static void kitt_conn_io_work(struct work_struct *work)
{
	struct kitt_conn *conn = container_of(work, struct kitt_conn, io_work);
	bool progress;
	int budget = KITT_IO_BUDGET, ret;

	/* First: a late wake-up may run it while release goes on. */
	if (READ_ONCE(conn->state) == KITT_CONN_CLOSING)
		return;
	if (unlikely(conn->cpu_gen != READ_ONCE(kitt_allowed_cpus_gen)))
		kitt_conn_pick_cpu(conn);
	kitt_conn_reap_aborted(conn, false);
	do {
		progress = false;
		if (READ_ONCE(conn->state) == KITT_CONN_CLOSING)
			return;
		ret = kitt_conn_try_recv_one(conn);
		if (ret < 0)
			goto fail;
		progress |= ret > 0;
		ret = kitt_conn_try_send_one(conn);
		if (ret == -ESHUTDOWN)
			return;
		if (ret < 0)
			goto fail;
		progress |= ret > 0;
	} while (progress && --budget);

	/*
	 * What was aborted during this run (a TMF the core ended at once
	 * calls aborted_task from here), or skipped at its start while its
	 * PDU was being read or sent, is let go now: a LUN RESET waits for it.
	 */
	kitt_conn_reap_aborted(conn, false);
	/* Every run of sends ends pushed. */
	kitt_conn_push(conn);
	/* Out of budget with work left: let others run, then go on. */
	if (progress) {
		spin_lock_bh(&conn->lock);
		kitt_conn_queue_io_locked(conn);
		spin_unlock_bh(&conn->lock);
	}
	return;

fail:
	if (ret == -ECONNRESET)
		kitt_conn_close_quiet(conn, "closed by the initiator");
	else
		kitt_conn_close(conn, "I/O error");
}

/* ---- lifetime ---- */

static void kitt_conn_free(struct kref *ref)
{
	struct kitt_conn *conn = container_of(ref, struct kitt_conn, ref);

	sock_release(conn->sock);
	kitt_page_frag_cache_drain(&conn->tx_frags);
	kfree(conn->rx_stage);
	kmem_cache_free(kitt_conn_cache, conn);
}

void kitt_conn_put(struct kitt_conn *conn)
{
	kref_put(&conn->ref, kitt_conn_free);
}

/*
 * Drop what the initiator sent after its Logout (a late NOP-Out answer):
 * unread data would make the close a reset, which may discard the Logout
 * Response before it leaves. Best effort, up to 64 KiB.
 */
static void kitt_conn_discard_rx(struct kitt_conn *conn)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	u8 scratch[256];
	struct kvec iov;
	int i;

	for (i = 0; i < 256; i++) {
		iov.iov_base = scratch;
		iov.iov_len = sizeof(scratch);
		if (kernel_recvmsg(conn->sock, &msg, &iov, 1, iov.iov_len,
				   msg.msg_flags) <= 0)
			return;
	}
}

/* Seconds a Logout Response may wait for room in the socket. */
#define KITT_LAST_SEND_SECS	5

/*
 * The Logout Response io_work handed over (stamped and sealed): sent
 * now that the session has ended, waiting a little for room, and then
 * the connection closes. It has no data segment.
 */
static void kitt_conn_send_last(struct kitt_conn *conn)
{
	struct kitt_tx *tx = conn->tx_last;
	struct msghdr msg = { };
	struct kvec iov;

	if (!tx)
		return;
	conn->tx_last = NULL;
	iov.iov_base = tx->hdr;
	iov.iov_len = tx->hdr_len;
	sock_set_sndtimeo(conn->sock->sk, KITT_LAST_SEND_SECS);
	kernel_sendmsg(conn->sock, &msg, &iov, 1, iov.iov_len);
	kitt_conn_discard_rx(conn);
	kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	kitt_tx_free(tx);
}

static void kitt_conn_release_work(struct work_struct *work)
{
	struct kitt_conn *conn = container_of(work, struct kitt_conn,
					      release_work);
	struct kitt_tx *tx, *next;

	kitt_conn_restore_callbacks(conn);
	spin_lock_bh(&conn->lock);
	WRITE_ONCE(conn->kick_off, true);
	spin_unlock_bh(&conn->lock);
	cancel_work_sync(&conn->io_work);
	cancel_delayed_work_sync(&conn->login_timeout);
	cancel_delayed_work_sync(&conn->nopin_work);
	cancel_delayed_work_sync(&conn->logout_timeout);
	cancel_delayed_work_sync(&conn->watch_work);
	spin_lock_bh(&conn->lock);
	conn->io_stopped = true;
	spin_unlock_bh(&conn->lock);
	/* A Logout Response still to go keeps the socket open for it. */
	if (!conn->tx_last)
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	/* What io_work held back is free to go now. */
	kitt_conn_reap_aborted(conn, true);

	mutex_lock(&kitt_conns_lock);
	kitt_conn_uncount_login(conn);
	kitt_conn_uncount_discovery(conn);
	if (conn->portal)
		list_del(&conn->portal_entry);
	conn->portal = NULL;
	mutex_unlock(&kitt_conns_lock);

	kitt_conn_rx_reset(conn);
	kitt_park_free_all(conn);
	if (conn->tx_cur)
		kitt_tx_free(conn->tx_cur);
	conn->tx_cur = NULL;
	spin_lock_bh(&conn->lock);
	list_for_each_entry_safe(tx, next, &conn->tx_queue, entry) {
		list_del_init(&tx->entry);
		kitt_tx_free(tx);
	}
	spin_unlock_bh(&conn->lock);
	/* Commands end before their session does. */
	kitt_conn_release_cmds(conn);
	kitt_sess_conn_closed(conn);
	/*
	 * Every command has ended, and no completion is queueing a response
	 * any more: one may have queued io_work after it was cancelled.
	 */
	cancel_work_sync(&conn->io_work);
	/* Responses queued too late for release to see: never read again. */
	llist_del_all(&conn->rsp_ll);
	kitt_conn_send_last(conn);
	kitt_login_trace_abandoned(conn);
	kitt_login_free(conn->login);
	conn->login = NULL;
	kvfree(conn->rx_bvec);
	conn->rx_bvec = NULL;
	kvfree(conn->text_rsp);
	conn->text_rsp = NULL;
	kitt_conn_put(conn);
}

/*
 * Start tearing @conn down, once, because of @why (in the trace event,
 * and logged, ratelimited, if @log). Callable from any context but hard
 * interrupts.
 */
static void kitt_conn_end(struct kitt_conn *conn, const char *why, bool log)
{
	enum kitt_conn_state old;

	spin_lock_bh(&conn->lock);
	old = conn->state;
	if (old != KITT_CONN_CLOSING) {
		WRITE_ONCE(conn->state, KITT_CONN_CLOSING);
		conn->end_why = why;
		trace_kitt_conn_state(conn, kitt_conn_tsih(conn), old,
				      KITT_CONN_CLOSING, why);
	}
	spin_unlock_bh(&conn->lock);
	if (old == KITT_CONN_CLOSING)
		return;
	if (log) {
		char peer[KITT_NETADDR_STR_MAX + 1];

		kitt_netaddr_format(&conn->peer, peer, sizeof(peer));
		pr_info_ratelimited("closing connection from %s: %s\n", peer, why);
	}
	queue_work(kitt_wq, &conn->release_work);
}

/* An abnormal end, worth a line in the log. */
void kitt_conn_close(struct kitt_conn *conn, const char *why)
{
	kitt_conn_end(conn, why, true);
}

/* An expected end: only the trace event says why. */
void kitt_conn_close_quiet(struct kitt_conn *conn, const char *why)
{
	kitt_conn_end(conn, why, false);
}

/* Seconds an initiator gets to log out when asked (Parameter3). */
#define KITT_LOGOUT_GRACE_SECS	2

static void kitt_conn_logout_timeout(struct work_struct *work)
{
	struct kitt_conn *conn = container_of(to_delayed_work(work),
					      struct kitt_conn, logout_timeout);

	kitt_conn_close(conn, "did not log out when asked");
}

/*
 * The target is going away (TPG disabled or removed, portal removed):
 * ask the initiator of a normal session to log out (Async Message,
 * AsyncEvent 1, RFC 7143 §11.9.1), so that it finishes its I/O and logs
 * out cleanly; drop the connection if it has not within the grace time.
 * Connections still logging in, and discovery sessions, close now.
 * Callers may hold spinlocks.
 */
void kitt_conn_ask_logout(struct kitt_conn *conn)
{
	struct kitt_tx *tx = NULL;
	struct iscsi_async *hdr;
	bool ask = false, close = false;

	spin_lock_bh(&conn->lock);
	if (conn->state == KITT_CONN_LOGIN ||
	    (conn->state == KITT_CONN_FULL && !conn->normal)) {
		close = true;
	} else if (conn->state == KITT_CONN_FULL && !conn->logout_asked &&
		   !conn->kick_off) {
		conn->logout_asked = true;
		ask = true;
		/* Under the lock: release cancels it after setting kick_off. */
		queue_delayed_work(kitt_wq, &conn->logout_timeout,
				   (KITT_LOGOUT_GRACE_SECS + 1) * HZ);
	}
	spin_unlock_bh(&conn->lock);
	if (ask) {
		tx = kitt_tx_alloc(0, GFP_ATOMIC);
		close = !tx;
	}
	if (close) {
		kitt_conn_close_quiet(conn, "closed by the target");
		return;
	}
	if (!ask)
		return;		/* asked already, or logging out */
	hdr = (void *)tx->hdr;
	hdr->opcode = ISCSI_OP_ASYNC_EVENT;
	hdr->flags = ISCSI_FLAG_CMD_FINAL;
	memset(hdr->rsvd4, 0xff, 4);	/* bytes 16-19: 0xffffffff, no task */
	hdr->async_event = ISCSI_ASYNC_MSG_REQUEST_LOGOUT;
	/* Parameter3: the seconds the initiator has to log out. */
	hdr->param3 = cpu_to_be16(KITT_LOGOUT_GRACE_SECS);
	tx->flags = KITT_TX_STATSN;
	kitt_conn_queue_tx(conn, tx);
}

static void kitt_conn_login_timeout(struct work_struct *work)
{
	struct kitt_conn *conn = container_of(to_delayed_work(work),
					      struct kitt_conn, login_timeout);

	if (READ_ONCE(conn->state) == KITT_CONN_LOGIN)
		kitt_conn_close(conn, "login timed out");
}

/*
 * NOP-In pings (RFC 7143 §11.19): when nothing has arrived for the ACL's
 * nopin_timeout, ask the initiator to answer; no answer within
 * nopin_response_timeout means the peer is gone: drop the connection.
 */
static void kitt_conn_nopin_work(struct work_struct *work)
{
	struct kitt_conn *conn = container_of(to_delayed_work(work),
					      struct kitt_conn, nopin_work);
	struct kitt_tx *tx = kitt_tx_alloc(0, GFP_KERNEL);
	unsigned long now = jiffies, next;
	bool dead = false, ping = false;

	spin_lock_bh(&conn->lock);
	if (conn->state != KITT_CONN_FULL) {
		spin_unlock_bh(&conn->lock);
		kitt_tx_free(tx);
		return;
	}
	if (conn->nopin_outstanding) {
		next = conn->nopin_sent + conn->nopin_response;
		dead = time_after_eq(now, next);
	} else {
		next = READ_ONCE(conn->last_rx) + conn->nopin_interval;
		if (tx && time_after_eq(now, next)) {
			if (++conn->nopin_ttt == ISCSI_RESERVED_TAG)
				conn->nopin_ttt = 1;
			conn->nopin_outstanding = true;
			conn->nopin_sent = now;
			next = now + conn->nopin_response;
			ping = true;
		}
	}
	spin_unlock_bh(&conn->lock);
	if (dead) {
		kitt_tx_free(tx);
		kitt_conn_close(conn, "no answer to NOP-In ping");
		return;
	}
	if (!ping) {
		kitt_tx_free(tx);
	} else {
		struct iscsi_nopin *hdr = (void *)tx->hdr;

		hdr->opcode = ISCSI_OP_NOOP_IN;
		hdr->flags = ISCSI_FLAG_CMD_FINAL;
		hdr->itt = RESERVED_ITT;		/* no task */
		hdr->ttt = cpu_to_be32(conn->nopin_ttt);
		/* A ping is not a status: StatSN is not advanced. */
		kitt_conn_queue_tx(conn, tx);
	}
	queue_delayed_work(kitt_wq, &conn->nopin_work,
			   time_after(next, now) ? next - now : 1);
}

/*
 * A discovery session that has received no PDU for discovery_idle_timeout
 * is closed: it holds a connection and a TSIH, and nothing pings it.
 */
static void kitt_conn_watch_idle(struct kitt_conn *conn)
{
	unsigned long limit = READ_ONCE(kitt_discovery_idle) * HZ;
	unsigned long idle = jiffies - READ_ONCE(conn->last_rx);

	if (idle >= limit) {
		kitt_conn_close(conn, "discovery session idle");
		return;
	}
	/* At least once a second: a lower limit takes effect soon. */
	queue_delayed_work(kitt_wq, &conn->watch_work,
			   min_t(unsigned long, limit - idle, HZ));
}

/* How often writes are looked at while a TMF is in the core. */
#define KITT_WATCH_FAST		max(HZ / 50, 1)

/*
 * Writes waiting for Data-Out (kitt_conn_watch_writes): once a second,
 * and every KITT_WATCH_FAST while any session has a TMF in the core.
 */
static void kitt_conn_watch_work(struct work_struct *work)
{
	struct kitt_conn *conn = container_of(to_delayed_work(work),
					      struct kitt_conn, watch_work);
	enum kitt_conn_state state = READ_ONCE(conn->state);

	if (state != KITT_CONN_FULL && state != KITT_CONN_LOGOUT)
		return;
	if (!conn->normal) {
		kitt_conn_watch_idle(conn);
		return;
	}
	if (kitt_conn_watch_writes(conn, conn->dataout_timeout)) {
		kitt_conn_close(conn, "Data-Out timeout");
		return;
	}
	queue_delayed_work(kitt_wq, &conn->watch_work,
			   kitt_tmfs_in_core() ? KITT_WATCH_FAST : HZ);
}

/* A TMF of this connection went to the core: look at its writes soon. */
void kitt_conn_watch_soon(struct kitt_conn *conn)
{
	spin_lock_bh(&conn->lock);
	if (!conn->kick_off)
		mod_delayed_work(kitt_wq, &conn->watch_work, KITT_WATCH_FAST);
	spin_unlock_bh(&conn->lock);
}

/* A NOP-Out with ITT 0xffffffff answered ping @ttt. */
void kitt_conn_nopin_answered(struct kitt_conn *conn, u32 ttt)
{
	spin_lock_bh(&conn->lock);
	if (conn->nopin_outstanding && ttt == conn->nopin_ttt)
		conn->nopin_outstanding = false;
	spin_unlock_bh(&conn->lock);
}

static void kitt_sockaddr_to_netaddr(const struct sockaddr_storage *ss,
				     struct kitt_netaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		a->family = KITT_AF_INET6;
		memcpy(a->addr, &s6->sin6_addr, 16);
		a->port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		a->family = KITT_AF_INET4;
		memcpy(a->addr, &s4->sin_addr, 4);
		a->port = ntohs(s4->sin_port);
	}
}

/*
 * The login of @portal that has gone longest without a whole Login PDU,
 * if that is at least KITT_LOGIN_STALE; NULL if none has.
 */
static struct kitt_conn *kitt_portal_stale_login(struct kitt_portal *portal)
{
	unsigned long limit = jiffies - KITT_LOGIN_STALE, oldest = 0, seen;
	struct kitt_conn *conn, *stale = NULL;

	lockdep_assert_held(&kitt_conns_lock);
	/* In accept order: of logins silent equally long, the first. */
	list_for_each_entry(conn, &portal->conns, portal_entry) {
		seen = READ_ONCE(conn->login_seen);
		if (!conn->login_counted || time_after(seen, limit))
			continue;
		if (!stale || time_before(seen, oldest)) {
			oldest = seen;
			stale = conn;
		}
	}
	return stale;
}

/*
 * Count a new login through @portal; at the cap, close the stalest login
 * to make room. False if there is none to close: the new one must go.
 */
static bool kitt_portal_count_login(struct kitt_portal *portal)
{
	struct kitt_conn *stale = NULL;
	bool room;

	mutex_lock(&kitt_conns_lock);
	room = portal->logins < READ_ONCE(kitt_max_logins);
	if (!room) {
		stale = kitt_portal_stale_login(portal);
		if (stale) {
			kitt_conn_uncount_login(stale);
			kitt_conn_close_quiet(stale, "stale login, for a new one");
			room = true;
		}
	}
	if (room)
		portal->logins++;
	mutex_unlock(&kitt_conns_lock);
	if (stale)
		pr_warn_ratelimited("%u connections logging in through one portal: closing the one silent longest\n",
				    READ_ONCE(kitt_max_logins));
	return room;
}

/*
 * The discovery session of @portal idle longest, if that is at least
 * KITT_DISC_STALE; NULL if none is.
 */
static struct kitt_conn *kitt_portal_idle_discovery(struct kitt_portal *portal)
{
	unsigned long limit = jiffies - KITT_DISC_STALE, oldest = 0, seen;
	struct kitt_conn *conn, *idle = NULL;

	lockdep_assert_held(&kitt_conns_lock);
	list_for_each_entry(conn, &portal->conns, portal_entry) {
		seen = READ_ONCE(conn->last_rx);
		if (!conn->disc_counted || time_after(seen, limit))
			continue;
		if (!idle || time_before(seen, oldest)) {
			oldest = seen;
			idle = conn;
		}
	}
	return idle;
}

/*
 * @conn completes a discovery login: count it on its portal. At
 * max_discovery_sessions_per_portal (or KITT_DISCOVERY_SESSIONS_MAX of all
 * portals), the portal's discovery session idle longest makes room;
 * -EBUSY if none has been idle KITT_DISC_STALE, -ENODEV if the portal is
 * gone.
 */
int kitt_conn_count_discovery(struct kitt_conn *conn)
{
	struct kitt_conn *idle = NULL;
	struct kitt_portal *portal;
	int ret = 0;

	mutex_lock(&kitt_conns_lock);
	portal = conn->portal;
	if (!portal) {
		ret = -ENODEV;
	} else if (portal->discovery >= READ_ONCE(kitt_max_discovery) ||
		   kitt_discovery_total >= KITT_DISCOVERY_SESSIONS_MAX) {
		idle = kitt_portal_idle_discovery(portal);
		if (idle) {
			kitt_conn_uncount_discovery(idle);
			kitt_conn_close_quiet(idle, "idle discovery, for a new one");
		} else {
			ret = -EBUSY;
		}
	}
	if (!ret) {
		portal->discovery++;
		kitt_discovery_total++;
		conn->disc_counted = true;
	}
	mutex_unlock(&kitt_conns_lock);
	if (idle)
		pr_warn_ratelimited("%u discovery sessions on one portal: closing the one idle longest\n",
				    READ_ONCE(kitt_max_discovery));
	return ret;
}

/* A new connection's lists, works and first state, before anything runs. */
static void kitt_conn_setup(struct kitt_conn *conn, struct socket *sock)
{
	kref_init(&conn->ref);
	conn->sock = sock;
	spin_lock_init(&conn->lock);
	INIT_LIST_HEAD(&conn->tx_queue);
	init_llist_head(&conn->rsp_ll);
	INIT_LIST_HEAD(&conn->rsp_list);
	INIT_LIST_HEAD(&conn->cmds);
	INIT_LIST_HEAD(&conn->aborted);
	INIT_LIST_HEAD(&conn->parked);
	INIT_LIST_HEAD(&conn->park_next);
	INIT_WORK(&conn->io_work, kitt_conn_io_work);
	INIT_WORK(&conn->release_work, kitt_conn_release_work);
	INIT_DELAYED_WORK(&conn->login_timeout, kitt_conn_login_timeout);
	INIT_DELAYED_WORK(&conn->nopin_work, kitt_conn_nopin_work);
	INIT_DELAYED_WORK(&conn->logout_timeout, kitt_conn_logout_timeout);
	INIT_DELAYED_WORK(&conn->watch_work, kitt_conn_watch_work);
	conn->state = KITT_CONN_LOGIN;
	conn->rx_state = KITT_RX_BHS;
	conn->rx_crc = KITT_CRC_SEED;
	conn->limits.max_recv_dsl = KITT_LOGIN_DSL_MAX;
	conn->limits.max_ahs = KITT_AHS_MAX;
	conn->cpu_seq = atomic_inc_return(&kitt_conn_seq);
}

/* A new connection from @portal's listener: set it up to log in. */
int kitt_conn_start(struct kitt_portal *portal, struct socket *sock)
{
	struct sockaddr_storage ss;
	struct kitt_conn *conn;

	if (!kitt_portal_count_login(portal)) {
		pr_warn_ratelimited("%u connections logging in through one portal, none silent for a second: closing the new one\n",
				    READ_ONCE(kitt_max_logins));
		return -EBUSY;
	}
	conn = kmem_cache_zalloc(kitt_conn_cache, GFP_KERNEL);
	if (conn)
		conn->login = kitt_login_alloc();
	if (!conn || !conn->login) {
		if (conn)
			kmem_cache_free(kitt_conn_cache, conn);
		mutex_lock(&kitt_conns_lock);
		portal->logins--;
		mutex_unlock(&kitt_conns_lock);
		return -ENOMEM;
	}
	kitt_conn_setup(conn, sock);
	kitt_conn_pick_cpu(conn);

	if (kernel_getsockname(sock, (struct sockaddr *)&ss) >= 0)
		kitt_sockaddr_to_netaddr(&ss, &conn->local);
	if (kernel_getpeername(sock, (struct sockaddr *)&ss) >= 0)
		kitt_sockaddr_to_netaddr(&ss, &conn->peer);
	tcp_sock_set_nodelay(sock->sk);

	/*
	 * On the portal's list, with its portal, before the callbacks go in:
	 * io_work finds the target a login names through the portal. What
	 * walks the list to close a connection cannot pick this one before
	 * then: stale logins are looked for only on this thread, the walk
	 * for idle discovery sessions takes only those, and a portal going
	 * away stops this thread before closing what is on the list.
	 */
	conn->accepted = jiffies;
	conn->login_seen = conn->accepted;
	mutex_lock(&kitt_conns_lock);
	conn->portal = portal;
	conn->login_counted = true;
	list_add_tail(&conn->portal_entry, &portal->conns);
	mutex_unlock(&kitt_conns_lock);

	/*
	 * Once the callbacks are in, io_work may run and even close the
	 * connection: hold it until it is started, and have the timer
	 * ready before anything can look at it.
	 */
	kref_get(&conn->ref);
	queue_delayed_work(kitt_wq, &conn->login_timeout, KITT_LOGIN_TIMEOUT);
	kitt_conn_install_callbacks(conn);

	/* Data may have arrived before the callbacks were in place. */
	kitt_conn_kick(conn);
	kitt_conn_put(conn);
	return 0;
}

/* The login named a TPG: its login_timeout, from accept, bounds the login. */
void kitt_conn_login_deadline(struct kitt_conn *conn, u32 secs)
{
	unsigned long deadline = conn->accepted + secs * HZ, now = jiffies;

	mod_delayed_work(kitt_wq, &conn->login_timeout,
			 time_after(deadline, now) ? deadline - now : 0);
}

/* The portal is going away: close every connection that came through it. */
void kitt_portal_close_conns(struct kitt_portal *portal)
{
	struct kitt_conn *conn, *next;

	mutex_lock(&kitt_conns_lock);
	list_for_each_entry_safe(conn, next, &portal->conns, portal_entry) {
		kitt_conn_uncount_login(conn);
		kitt_conn_uncount_discovery(conn);
		list_del(&conn->portal_entry);
		conn->portal = NULL;
		kitt_conn_ask_logout(conn);
	}
	mutex_unlock(&kitt_conns_lock);
}

int kitt_conn_init(void)
{
	kitt_conn_cache = KMEM_CACHE(kitt_conn, 0);
	if (!kitt_conn_cache)
		return -ENOMEM;
	kitt_wq = alloc_workqueue("kitt", WQ_MEM_RECLAIM, 0);
	if (!kitt_wq) {
		kmem_cache_destroy(kitt_conn_cache);
		return -ENOMEM;
	}
	return 0;
}

void kitt_conn_exit(void)
{
	/* Every portal is gone, so every connection is closing: drain. */
	destroy_workqueue(kitt_wq);
	kmem_cache_destroy(kitt_conn_cache);
}

/* The portal @conn came through, or NULL once that portal is gone. */
struct kitt_portal *kitt_conn_portal(struct kitt_conn *conn)
{
	struct kitt_portal *portal;

	mutex_lock(&kitt_conns_lock);
	portal = conn->portal;
	mutex_unlock(&kitt_conns_lock);
	return portal;
}

/* Normal sessions are pinged as their ACL says (nopin_timeout 0: never). */
static void kitt_conn_start_nopin(struct kitt_conn *conn)
{
	struct se_session *se_sess = conn->sess->se_sess;
	struct kitt_nacl *nacl;
	u32 interval;

	if (!se_sess || !se_sess->se_node_acl)
		return;
	nacl = kitt_nacl(se_sess->se_node_acl);
	interval = READ_ONCE(nacl->attrib.nopin_timeout);
	if (!interval)
		return;
	spin_lock_bh(&conn->lock);
	conn->nopin_interval = interval * HZ;
	conn->nopin_response = READ_ONCE(nacl->attrib.nopin_response_timeout) * HZ;
	conn->last_rx = jiffies;
	spin_unlock_bh(&conn->lock);
	queue_delayed_work(kitt_wq, &conn->nopin_work, conn->nopin_interval);
}

/*
 * Normal sessions watch their writes (dataout_timeout, aborts), discovery
 * sessions how long they have been idle.
 */
static void kitt_conn_start_watch(struct kitt_conn *conn)
{
	struct se_session *se_sess = conn->sess->se_sess;
	struct kitt_nacl *nacl;

	/* A discovery session: its idle limit. */
	if (!conn->normal) {
		queue_delayed_work(kitt_wq, &conn->watch_work, HZ);
		return;
	}
	if (!se_sess || !se_sess->se_node_acl)
		return;
	nacl = kitt_nacl(se_sess->se_node_acl);
	conn->dataout_timeout = READ_ONCE(nacl->attrib.dataout_timeout) * HZ;
	queue_delayed_work(kitt_wq, &conn->watch_work, HZ);
}

/* Login succeeded: the session's parameters now govern the connection. */
void kitt_conn_logged_in(struct kitt_conn *conn)
{
	/* A timeout already firing must not close a connection now in. */
	cancel_delayed_work_sync(&conn->login_timeout);
	mutex_lock(&kitt_conns_lock);
	kitt_conn_uncount_login(conn);
	mutex_unlock(&kitt_conns_lock);
	conn->params = conn->sess->params;
	conn->limits.max_recv_dsl = conn->params.max_recv_dsl;
	/* Enough page slots for any one Data-Out or immediate data. */
	conn->rx_bvec_max = DIV_ROUND_UP(conn->params.max_recv_dsl, PAGE_SIZE) + 1;
	conn->rx_bvec = kvmalloc_array(conn->rx_bvec_max, sizeof(*conn->rx_bvec),
				       GFP_KERNEL);
	if (!conn->rx_bvec)
		conn->rx_bvec_max = 0;
	kitt_login_free(conn->login);
	conn->login = NULL;
	/* From the next PDU on, both ways (RFC 7143 §13.1). */
	conn->hdigest = conn->params.header_digest;
	conn->ddigest = conn->params.data_digest;
	kitt_conn_set_state(conn, KITT_CONN_FULL);
	kitt_conn_start_nopin(conn);
	kitt_conn_start_watch(conn);
}
