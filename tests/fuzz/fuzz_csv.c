/* fuzz_csv.c — libFuzzer target: the CSV importer's parser and the UTF-8 check on arbitrary bytes. */
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
				size_t n = strlen(s);
				if (!utf8_ok(s, n) || n > 512)
					continue;
				/* Valid UTF-8 cut before any lead byte is valid again; cut inside a sequence it is not. */
				for (size_t k = 1; k < n; k++)
					if (utf8_ok(s, k) != (((unsigned char)s[k] & 0xC0) != 0x80))
						__builtin_trap();
			}
		csv_free(&doc);
	}
	return 0;
}
