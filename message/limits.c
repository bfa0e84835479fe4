#include "limits.h"

#include "lib/config.h"

struct msg_limits msg_limits_from_config(const struct config *cfg)
{
	struct msg_limits l = {cfg->mime_max_depth, cfg->mime_max_parts, cfg->mime_max_header_field,
			       cfg->mime_max_header_held};
	return l;
}
