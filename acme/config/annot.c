/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * acmec's own settings: metadata.annotations under acmec.io/, where a
 * cluster accepts them (acmec.conf(5), ANNOTATIONS).
 */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "acme/config/config.h"
#include "acme/config/walk.h"
#include "acme/log.h"

void
cfgw_issuer_annotations(struct ld *ld, const yaml_node_t *n,
    struct cfg_issuer *is)
{
	(void)ld;
	(void)n;
	(void)is;
}

void
cfgw_cert_annotations(struct ld *ld, const yaml_node_t *n, struct cfg_cert *c)
{
	(void)ld;
	(void)n;
	(void)c;
}
