/* fuzz_http.c — libFuzzer target: the router's path matching and ISO time parsing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "http.h"
#include "module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	req r;
	memset(&r, 0, sizeof r);
	r.a = arena_new();
	const route *const *route_tables = routes_all();
	for (int t = 0; route_tables[t]; t++)
		for (const route *rt = route_tables[t]; rt->method; rt++)
			if (http_match(&r, rt->pattern, s))
				for (int i = 0; i < r.nids; i++)
					if (r.ids[i] <= 0)
						__builtin_trap();
	(void)parse_iso(s);
	arena_free(r.a);
	free(s);
	return 0;
}
