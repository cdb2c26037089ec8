/* replay.c — runs a libFuzzer target without libFuzzer: calls LLVMFuzzerTestOneInput once on every
 * file of the folders (or files) given, in name order. Built with gcc + ASan/UBSan for `make test`
 * (tests/run_all.sh), so the kept corpora and every crash input are replayed on each run.
 * Prints "replay: N inputs" and exits 0; a failing input ends the process (trap, sanitizer report)
 * after its name was printed on stderr. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t cap = 4096, n = 0;
	uint8_t *d = malloc(cap);
	size_t got;
	while ((got = fread(d + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			d = realloc(d, cap *= 2);
	}
	fclose(f);
	/* an exact-size copy, so that reading past the input is caught as under libFuzzer */
	uint8_t *in = malloc(n ? n : 1);
	memcpy(in, d, n);
	free(d);
	fprintf(stderr, "replay: %s\n", path);
	LLVMFuzzerTestOneInput(in, n);
	free(in);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	long count = 0;
	int bad = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad |= run_file(argv[i]) < 0;
			count++;
			continue;
		}
		struct dirent **ents;
		int n = scandir(argv[i], &ents, NULL, by_name);
		if (n < 0) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		for (int k = 0; k < n; k++) {
			char p[4096];
			snprintf(p, sizeof p, "%s/%s", argv[i], ents[k]->d_name);
			if (ents[k]->d_name[0] != '.' && stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
				bad |= run_file(p) < 0;
				count++;
			}
			free(ents[k]);
		}
		free(ents);
	}
	printf("replay: %ld inputs\n", count);
	return bad;
}
