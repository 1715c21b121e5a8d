/*
 * fuzz_request.c - reincd's request decoder: any bytes through
 * proto_decode and, when they decode, request_check, which must refuse or
 * accept without crashing.  Replayed from tests/fuzz/corpus/request/ by
 * `make check`; `make fuzz` explores with libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "reincd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct proto_msg *pm;
	char err[160];
	if (!pm && !(pm = malloc(sizeof(*pm))))
		return 0;
	if (proto_decode(data, size, pm) == 0)
		(void)request_check(pm, err, sizeof(err));
	return 0;
}
