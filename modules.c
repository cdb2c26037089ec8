/* modules.c — the registry: every module, once. Adding a module is one MODULE(...) line here (the
 * Makefile compiles the folders named on these lines) and a NAME/module.c defining NAME_module.
 * Order matters: services start top to bottom and stop bottom to top, so a module comes after the
 * modules whose interfaces it implements are wired (courses registers the transcoder's sink in
 * its init, which runs before any service starts). */
#include "server/module.h"

#define DX_MODULES(MODULE) \
	MODULE(courses)    \
	MODULE(transcoder) \
	MODULE(quiz)       \
	MODULE(scoring)    \
	MODULE(classes)    \
	MODULE(attach)

#define DECLARE(name) extern const module name##_module;
#define LIST(name) &name##_module,
extern const module core_module;
DX_MODULES(DECLARE)

const module *const dx_modules[] = {&core_module, DX_MODULES(LIST) NULL};
