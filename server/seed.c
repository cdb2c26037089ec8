/* seed.c — the demo academy: the core's people, then each module's demo content (module.seed). */
#include "seed.h"
#include "db.h"
#include "module.h"

#include <stdio.h>

int seed_demo(const char *data_dir)
{
	if (db_exists("SELECT 1 FROM users", "")) {
		printf("demo data already present in %s\n", data_dir);
		return 0;
	}
	if (db_begin() < 0) {
		fprintf(stderr, "dangxiao: seeding the demo academy failed: %s\n", db_errmsg());
		return -1;
	}
	if (modules_seed(data_dir) < 0) {
		db_rollback();
		fprintf(stderr, "dangxiao: seeding the demo academy failed\n");
		return -1;
	}
	if (db_commit() < 0) {
		fprintf(stderr, "dangxiao: seeding the demo academy failed: %s\n", db_errmsg());
		return -1;
	}
	/* Outside the transaction: it may run ffmpeg for a few seconds. A demo without it still works. */
	modules_seed_late(data_dir);
	printf("demo academy created in %s\n", data_dir);
	return 0;
}
