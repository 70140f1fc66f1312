/*
 * replay.c — runs a libFuzzer target over files, without libFuzzer.
 *
 * `make test` links every tests/fuzz/fuzz_*.c with this driver and the
 * sanitizers, then feeds it the target's corpus: a finding that once
 * crashed stays fixed.  Usage: replay_fuzz_x FILE...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char *argv[])
{
	unsigned char *data;
	long len;
	FILE *f;
	int i;

	for (i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 2;
		}
		if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) != 0) {
			perror(argv[i]);
			return 2;
		}
		if ((data = malloc((size_t)len + 1)) == NULL)
			return 2;
		if (fread(data, 1, (size_t)len, f) != (size_t)len) {
			perror(argv[i]);
			return 2;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(data, (size_t)len);
		free(data);
	}
	printf("replayed %d inputs\n", argc - 1);
	return 0;
}
