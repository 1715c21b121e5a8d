/*
 * fuzz_df.c - fuzz target for the fixed-size codecs of proto.h: data
 * frames (df_decode, what every service reads from its channels) and
 * channel records (chan_rec_decode, the contents of a T_CHANS blob).
 *
 * The input is read three ways:
 *   - as a data frame: what df_decode accepts must re-encode with
 *     df_encode to the same bytes (the reserved byte 3 aside);
 *   - as a T_CHANS blob: every whole 12-byte record must re-encode to
 *     the same bytes;
 *   - as a control frame: if it decodes and carries T_CHANS, its records
 *     are decoded the way libsef does (only a whole number of them).
 * Any violation aborts.  Built with replay.c by `make check` (corpus in
 * tests/fuzz/corpus/df/) and with libFuzzer by run-libfuzzer.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...) do { \
	fprintf(stderr, "fuzz_df: " __VA_ARGS__); \
	fputc('\n', stderr); \
	abort(); \
} while (0)

static void fuzz_data_frame(const uint8_t *data, size_t size)
{
	struct df d;
	message m;
	uint8_t out[DF_SIZE];

	if (df_decode(data, size, &d) != 0)
		return;
	if (size != DF_SIZE)
		FAIL("accepted a frame of %zu bytes", size);
	if (d.kind < DF_REQ || d.kind > DF_NOTIFY)
		FAIL("accepted kind %d", d.kind);
	if (d.payload != data + 16)
		FAIL("payload outside the frame");
	memset(&m, 0, sizeof(m));
	m.m_source = -1;
	m.m_type = d.m_type;
	memcpy(m.m_raw, d.payload, MESSAGE_PAYLOAD);
	df_encode(out, d.kind, d.flags, d.seq, &m);
	if (out[3] != 0)
		FAIL("reserved byte written");
	if (memcmp(out, data, 3) || memcmp(out + 4, data + 4, DF_SIZE - 4))
		FAIL("data frame changed in the round trip");
}

/* Decodes the whole records of a blob and checks each re-encodes to the
 * same bytes; the number of records decoded. */
static size_t fuzz_chan_recs(const uint8_t *p, size_t n)
{
	size_t count = 0;

	for (size_t off = 0; n - off >= CHAN_REC_SIZE; off += CHAN_REC_SIZE) {
		struct chan_rec r;
		uint8_t out[CHAN_REC_SIZE];
		chan_rec_decode(p + off, &r);
		chan_rec_encode(out, &r);
		/* the label's last byte is always written as its NUL */
		if (memcmp(out, p + off, CHAN_REC_SIZE - 1) ||
		    out[CHAN_REC_SIZE - 1] != 0)
			FAIL("channel record changed in the round trip");
		count++;
	}
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_data_frame(data, size);
	if (fuzz_chan_recs(data, size) != size / CHAN_REC_SIZE)
		FAIL("records lost");

	struct proto_msg *pm = malloc(sizeof(*pm));
	if (!pm)
		abort();
	if (proto_decode(data, size, pm) == 0 && proto_has(pm, T_CHANS) &&
	    pm->slen[T_CHANS] % CHAN_REC_SIZE == 0) {
		/* copy out of the arena into an exact-size buffer, so that
		 * ASan catches a record read past the blob */
		size_t n = pm->slen[T_CHANS];
		uint8_t *blob = malloc(n ? n : 1);
		if (!blob)
			abort();
		memcpy(blob, pm->sval[T_CHANS], n);
		fuzz_chan_recs(blob, n);
		free(blob);
	}
	free(pm);
	return 0;
}
