/* fuzz_csv.c — libFuzzer target: the CSV importer's parser and UTF-8 checks on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "csv.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	csv_doc doc;
	if (csv_parse((const char *)data, size, &doc) == 0) {
		for (int i = 0; i < doc.nrows; i++)
			for (int f = 0; f < doc.rows[i].nfields; f++) {
				const char *s = doc.rows[i].fields[f];
				if (utf8_valid(s, strlen(s)) != utf8_ok(s, strlen(s)))
					__builtin_trap(); /* the two validators must agree */
			}
		csv_free(&doc);
	}
	return 0;
}
