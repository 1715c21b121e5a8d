/*
 * fuzz_duration.c - fuzz target for proto_parse_duration(), which reads
 * durations from the command line, system.conf and control frames.
 *
 * The input (up to its first NUL) is parsed as a duration; an accepted
 * one must be a sane number of milliseconds (0 to 10^12).  The string is
 * copied into an exact-size buffer so that ASan catches any read past
 * its NUL.  Built with replay.c by `make check` (corpus in
 * tests/fuzz/corpus/duration/) and with libFuzzer by run-libfuzzer.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = strnlen((const char *)data, size);
	char *s = malloc(n + 1);
	int64_t ms = -1;

	if (!s)
		abort();
	memcpy(s, data, n);
	s[n] = 0;
	int r = proto_parse_duration(s, &ms);
	if (r != 0 && r != -EINVAL) {
		fprintf(stderr, "fuzz_duration: \"%s\": result %d\n", s, r);
		abort();
	}
	if (r == 0 && (ms < 0 || ms > 1000000000000LL)) {
		fprintf(stderr, "fuzz_duration: \"%s\": %lld ms\n", s,
		        (long long)ms);
		abort();
	}
	free(s);
	return 0;
}
