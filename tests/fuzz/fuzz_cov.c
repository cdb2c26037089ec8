/* fuzz_cov.c — libFuzzer target: coverage JSON parsing and the crediting rules on arbitrary input. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courses/credit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	cov_set c;
	cov_init(&c);
	if (cov_from_json(&c, s) == 0) {
		/* invariants: sorted, disjoint, non-negative; serialising round-trips */
		for (int i = 0; i < c.n; i++) {
			if (!(c.iv[i].start >= 0 && c.iv[i].start <= c.iv[i].end))
				__builtin_trap();
			if (i && !(c.iv[i - 1].end < c.iv[i].start))
				__builtin_trap();
		}
		char *j = cov_to_json(&c);
		cov_set d;
		cov_init(&d);
		if (cov_from_json(&d, j) != 0 || d.n != c.n || fabs(cov_length(&d) - cov_length(&c)) > 1e-6)
			__builtin_trap();
		cov_free(&d);
		free(j);
		/* a heartbeat never credits more than wall time */
		if (size >= 16) {
			double pos, now;
			memcpy(&pos, data, 8);
			memcpy(&now, data + 8, 8);
			hb_state st = {.last_at = 1000, .last_pos = 10, .duration = 600, .today_study_s = 0, .max_rate = 1};
			double before = cov_length(&c);
			hb_outcome o = credit_heartbeat(&st, &c, now, pos, 1);
			if (o.credited_s < 0 || (o.credited_s > 0 && o.credited_s > now - 1000 + 1e-9))
				__builtin_trap();
			/* what a heartbeat adds lies inside [0, duration] */
			if (cov_length(&c) > before + 600 + 1e-6)
				__builtin_trap();
		}
	}
	cov_free(&c);
	free(s);
	return 0;
}
