// SPDX-License-Identifier: GPL-2.0
/*
 * kitt module entry: registers the "iscsi" fabric with the target core.
 *
 * kitt and the kernel's iscsi_target_mod both claim the configfs name
 * "iscsi". The target core neither refuses a second template of one name
 * nor copes with two on unload, so kitt refuses to load beside
 * iscsi_target_mod and, while loaded, refuses to let it load.
 */
#define pr_fmt(fmt) "kitt: " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/notifier.h>

#include "kitt/compat.h"
#include "kitt/conn.h"
#include "kitt/kitt.h"

#define KITT_RIVAL_MODULE "iscsi_target_mod"

struct kitt_discovery kitt_discovery = {
	.lock = __MUTEX_INITIALIZER(kitt_discovery.lock),
};

/* True if @name is a loaded module; our own kobject's kset is module_kset. */
static bool kitt_module_present(const char *name)
{
	struct kobject *kobj;

	kobj = kset_find_obj(THIS_MODULE->mkobj.kobj.kset, name);
	if (!kobj)
		return false;
	kobject_put(kobj);
	return true;
}

static int kitt_module_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	struct module *mod = data;

	if (action != MODULE_STATE_COMING ||
	    strcmp(mod->name, KITT_RIVAL_MODULE))
		return NOTIFY_DONE;
	pr_err("refusing to let %s load: kitt holds the iscsi fabric (rmmod kitt first)\n",
	       KITT_RIVAL_MODULE);
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block kitt_module_nb = {
	.notifier_call = kitt_module_notify,
};

static int __init kitt_init(void)
{
	int ret;

	/* Watch first, then look: no window for the rival to slip in. */
	ret = register_module_notifier(&kitt_module_nb);
	if (ret)
		return ret;
	if (kitt_module_present(KITT_RIVAL_MODULE)) {
		pr_err("%s is loaded and holds the iscsi fabric; rmmod it before loading kitt\n",
		       KITT_RIVAL_MODULE);
		ret = -EBUSY;
		goto out_notifier;
	}
	ret = kitt_sess_init();
	if (ret)
		goto out_notifier;
	ret = kitt_conn_init();
	if (ret)
		goto out_sess;
	ret = target_register_template(&kitt_fabric_ops);
	if (ret)
		goto out_conn;
	pr_info("iSCSI target fabric %s registered\n", KITT_VERSION);
	return 0;

out_conn:
	kitt_conn_exit();
out_sess:
	kitt_sess_exit();
out_notifier:
	unregister_module_notifier(&kitt_module_nb);
	return ret;
}

static void __exit kitt_exit(void)
{
	/* configfs holds a module reference while any kitt directory exists. */
	target_unregister_template(&kitt_fabric_ops);
	kitt_conn_exit();
	kitt_sess_exit();
	unregister_module_notifier(&kitt_module_nb);
	pr_info("iSCSI target fabric unregistered\n");
}

module_init(kitt_init);
module_exit(kitt_exit);

MODULE_DESCRIPTION("kitt iSCSI target fabric for the SCSI target core");
MODULE_VERSION(KITT_VERSION);
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: target_core_mod");
