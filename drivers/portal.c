// SPDX-License-Identifier: GPL-2.0
/*
 * Network portals: one listening socket and one listener kernel thread per
 * distinct address, shared by every TPG whose np/ directory names it.
 *
 * Connections accepted here are handed to login; until login exists they
 * are closed at once, so an initiator sees a clean TCP close.
 */
#define pr_fmt(fmt) "kitt: " fmt

#include <linux/delay.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "kitt/conn.h"
#include "kitt/kitt.h"

/* Every live portal; protected by kitt_portals_lock. */
static LIST_HEAD(kitt_portals);
static DEFINE_MUTEX(kitt_portals_lock);

static int kitt_portal_sockaddr(const struct kitt_netaddr *a,
				struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == KITT_AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(a->port);
		memcpy(&sin6->sin6_addr, a->addr, 16);
		return sizeof(*sin6);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_port = htons(a->port);
	memcpy(&((struct sockaddr_in *)ss)->sin_addr, a->addr, 4);
	return sizeof(struct sockaddr_in);
}

/*
 * Listen with SO_REUSEADDR (a restarted target rebinds at once) and
 * IP_FREEBIND (a portal may be configured before its address is up).
 */
static int kitt_portal_listen(struct kitt_portal *portal)
{
	struct sockaddr_storage ss;
	struct socket *sock;
	int len, ret;

	len = kitt_portal_sockaddr(&portal->addr, &ss);
	ret = sock_create_kern(&init_net, ss.ss_family, SOCK_STREAM,
			       IPPROTO_TCP, &sock);
	if (ret)
		return ret;
	sock_set_reuseaddr(sock->sk);
	ip_sock_set_freebind(sock->sk);
	/*
	 * No IPV6_V6ONLY: "[::]:3260" (targetcli's default portal) takes IPv4
	 * too, as it does with iscsi_target_mod.
	 */
	ret = kernel_bind(sock, (struct sockaddr *)&ss, len);
	if (ret)
		goto out_release;
	ret = kernel_listen(sock, SOMAXCONN);
	if (ret)
		goto out_release;
	portal->sock = sock;
	return 0;

out_release:
	sock_release(sock);
	return ret;
}

/* Hand a new connection to login; if that cannot start, close it. */
static void kitt_portal_handoff(struct kitt_portal *portal, struct socket *conn)
{
	if (!kitt_conn_start(portal, conn))
		return;
	kernel_sock_shutdown(conn, SHUT_RDWR);
	sock_release(conn);
}

static int kitt_portal_thread(void *arg)
{
	struct kitt_portal *portal = arg;
	struct socket *conn;
	int ret;

	while (!kthread_should_stop()) {
		ret = kernel_accept(portal->sock, &conn, 0);
		if (!ret) {
			kitt_portal_handoff(portal, conn);
			continue;
		}
		/* Stopping: the socket was shut down under us. */
		if (kthread_should_stop())
			break;
		/* Out of memory or a connection reset before accept: retry. */
		if (ret != -EAGAIN && ret != -ECONNABORTED && ret != -EINTR)
			msleep_interruptible(100);
	}
	return 0;
}

static struct kitt_portal *kitt_portal_create(const struct kitt_netaddr *addr)
{
	char name[KITT_NETADDR_STR_MAX + 1];
	struct kitt_portal *portal;
	int ret;

	portal = kzalloc(sizeof(*portal), GFP_KERNEL);
	if (!portal)
		return ERR_PTR(-ENOMEM);
	kref_init(&portal->ref);
	INIT_LIST_HEAD(&portal->conns);
	portal->addr = *addr;
	portal->state = KITT_PORTAL_LISTENING;
	kitt_netaddr_format(addr, name, sizeof(name));

	ret = kitt_portal_listen(portal);
	if (ret)
		goto out_free;
	portal->thread = kthread_run(kitt_portal_thread, portal, "kitt_np/%s",
				     name);
	if (IS_ERR(portal->thread)) {
		ret = PTR_ERR(portal->thread);
		goto out_sock;
	}
	pr_info("listening on %s\n", name);
	return portal;

out_sock:
	sock_release(portal->sock);
out_free:
	kfree(portal);
	pr_warn("cannot listen on %s: error %d\n", name, ret);
	return ERR_PTR(ret);
}

/* The portal for @addr, shared if one exists, else a new listener. */
struct kitt_portal *kitt_portal_get(const struct kitt_netaddr *addr)
{
	struct kitt_portal *portal;

	mutex_lock(&kitt_portals_lock);
	list_for_each_entry(portal, &kitt_portals, entry) {
		if (kitt_netaddr_equal(&portal->addr, addr)) {
			kref_get(&portal->ref);
			goto out;
		}
	}
	portal = kitt_portal_create(addr);
	if (!IS_ERR(portal))
		list_add_tail(&portal->entry, &kitt_portals);
out:
	mutex_unlock(&kitt_portals_lock);
	return portal;
}

static void kitt_portal_release(struct kref *ref)
{
	struct kitt_portal *portal = container_of(ref, struct kitt_portal, ref);
	char name[KITT_NETADDR_STR_MAX + 1];

	lockdep_assert_held(&kitt_portals_lock);
	list_del(&portal->entry);
	portal->state = KITT_PORTAL_STOPPING;
	/* Shutting the listening socket down wakes the thread in accept. */
	kernel_sock_shutdown(portal->sock, SHUT_RDWR);
	kthread_stop(portal->thread);
	sock_release(portal->sock);
	kitt_portal_close_conns(portal);
	kitt_netaddr_format(&portal->addr, name, sizeof(name));
	pr_info("stopped listening on %s\n", name);
	kfree(portal);
}

void kitt_portal_put(struct kitt_portal *portal)
{
	mutex_lock(&kitt_portals_lock);
	kref_put(&portal->ref, kitt_portal_release);
	mutex_unlock(&kitt_portals_lock);
}
