/*
 * reinc.h - what the two modules of the reinc command share: the status
 * records collected from reincd's P_STATUS_REC frames and their rendering
 * (status.c), used by the request/reply code in reinc.c.
 *
 * Not a public interface: nothing outside cli/ includes it.
 */
#ifndef REINC_CLI_H
#define REINC_CLI_H

#include <stdio.h>

#include "proto.h"

/* Copy one P_STATUS_REC frame into the record list.  0 or -ENOMEM. */
int status_add(const struct proto_msg *pm);

/* Number of records collected so far. */
size_t status_count(void);

/* Print the collected records: a table, or JSON when json is set.  With
 * single set (a label was asked for) JSON is one object, not an array.
 * 0, -ESRCH (single, but no record), or -errno of a failed write. */
int status_print(FILE *out, int json, int single);

/* Free the records. */
void status_free(void);

#endif /* REINC_CLI_H */
