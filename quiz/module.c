/* module.c — the quiz module's descriptor. Today the pure question, grading, statistics and import
 * logic; its routes, resources (a quiz to take, an attempt of mine), tables and demo bank join here. */
#include "module.h"

const module quiz_module = {
	.name = "quiz",
};
