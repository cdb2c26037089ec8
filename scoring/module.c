/* module.c — the scoring module's descriptor. Today only the pure status rules (assess.c); its
 * routes, services and tables join here. */
#include "module.h"

const module scoring_module = {
	.name = "scoring",
};
