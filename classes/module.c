/* module.c — the classes module's descriptor. Today the pure completion rule, verification codes,
 * QR and certificate PDFs; its routes, resources, tables and demo classes join here. */
#include "module.h"

const module classes_module = {
	.name = "classes",
};
