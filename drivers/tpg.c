// SPDX-License-Identifier: GPL-2.0
/*
 * Target portal groups: creation, enabling, and the defaults of TPG and ACL
 * attributes (which match iscsi_target_mod's, so configurations move between
 * the two unchanged).
 */
#define pr_fmt(fmt) "kitt: " fmt

#include <linux/slab.h>
#include <scsi/scsi_proto.h>

#include "kitt/kitt.h"

void kitt_tpg_attrib_init(struct kitt_tpg_attrib *a)
{
	a->authentication = 1;
	a->login_timeout = 15;
	a->netif_timeout = 2;
	a->generate_node_acls = 0;
	a->cache_dynamic_acls = 0;
	a->default_cmdsn_depth = 64;
	a->demo_mode_write_protect = 1;
	a->prod_mode_write_protect = 0;
	a->demo_mode_discovery = 1;
	a->default_erl = 0;
	a->t10_pi = 0;
	a->fabric_prot_type = 0;
	a->tpg_enabled_sendtargets = 1;
	a->login_keys_workaround = 1;
}

void kitt_nacl_attrib_init(struct kitt_nacl_attrib *a)
{
	a->dataout_timeout = 3;
	a->dataout_timeout_retries = 5;
	a->default_erl = 0;
	a->nopin_timeout = 15;
	a->nopin_response_timeout = 30;
	a->random_datain_pdu_offsets = 0;
	a->random_datain_seq_offsets = 0;
	a->random_r2t_offsets = 0;
}

/* "tpgt_N" with N in 1..65535 (RFC 7143 target portal group tag). */
static int kitt_parse_tpgt(const char *name, u16 *tag)
{
	unsigned long v;

	if (strncmp(name, "tpgt_", 5))
		return -EINVAL;
	if (kstrtoul(name + 5, 0, &v) || v == 0 || v > U16_MAX)
		return -EINVAL;
	*tag = (u16)v;
	return 0;
}

struct se_portal_group *kitt_make_tpg(struct se_wwn *wwn, const char *name)
{
	struct kitt_tiqn *tiqn = container_of(wwn, struct kitt_tiqn, wwn);
	struct kitt_tpg *tpg;
	u16 tag;
	int ret;

	if (kitt_parse_tpgt(name, &tag)) {
		pr_warn_ratelimited("invalid TPG name \"%s\": want tpgt_1 .. tpgt_65535\n",
				    name);
		return ERR_PTR(-EINVAL);
	}
	tpg = kzalloc(sizeof(*tpg), GFP_KERNEL);
	if (!tpg)
		return ERR_PTR(-ENOMEM);
	tpg->tiqn = tiqn;
	tpg->tag = tag;
	mutex_init(&tpg->lock);
	INIT_LIST_HEAD(&tpg->tpg_nps);
	kitt_tpg_attrib_init(&tpg->attrib);
	kitt_key_values_init(&tpg->params);

	ret = core_tpg_register(wwn, &tpg->se_tpg, SCSI_PROTOCOL_ISCSI);
	if (ret) {
		kfree(tpg);
		return ERR_PTR(ret);
	}
	return &tpg->se_tpg;
}

void kitt_drop_tpg(struct se_portal_group *se_tpg)
{
	struct kitt_tpg *tpg = kitt_tpg(se_tpg);

	/* configfs removed every np/ and acls/ entry before this. */
	WARN_ON(!list_empty(&tpg->tpg_nps));
	core_tpg_deregister(se_tpg);
	kfree(tpg);
}

/*
 * The core has already tested and will set se_tpg->enabled; nothing else
 * needs doing until there are sessions to close on disable.
 */
int kitt_enable_tpg(struct se_portal_group *se_tpg, bool enable)
{
	return 0;
}
