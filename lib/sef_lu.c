/*
 * sef_lu.c - live-update callbacks: registration and MINIX's predefined
 * implementations.  The prepare protocol itself (readiness checks before
 * every receive, state save, handover) belongs to the live-update work;
 * until then reincd never asks a service to prepare and these callbacks
 * are only stored.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sef_internal.h"

static sef_cb_lu_prepare_t cb_prepare = sef_cb_lu_prepare_null;
static sef_cb_lu_state_isvalid_t cb_isvalid = sef_cb_lu_state_isvalid_generic;
static sef_cb_lu_state_changed_t cb_changed = sef_cb_lu_state_changed_null;
static sef_cb_lu_state_dump_t cb_dump = sef_cb_lu_state_dump_null;
static sef_cb_lu_state_save_t cb_save = sef_cb_lu_state_save_null;
static sef_cb_lu_response_t cb_response = sef_cb_lu_response_rs_reply;

SEF__SETCB(sef_setcb_lu_prepare, sef_cb_lu_prepare_t, cb_prepare)
SEF__SETCB(sef_setcb_lu_state_isvalid, sef_cb_lu_state_isvalid_t, cb_isvalid)
SEF__SETCB(sef_setcb_lu_state_changed, sef_cb_lu_state_changed_t, cb_changed)
SEF__SETCB(sef_setcb_lu_state_dump, sef_cb_lu_state_dump_t, cb_dump)
SEF__SETCB(sef_setcb_lu_state_save, sef_cb_lu_state_save_t, cb_save)
SEF__SETCB(sef_setcb_lu_response, sef_cb_lu_response_t, cb_response)

int sef_cb_lu_prepare_null(int state) { return -ENOTREADY; }
int sef_cb_lu_prepare_always_ready(int state) { return 0; }
int sef_cb_lu_prepare_never_ready(int state) { return -ENOTREADY; }

int sef_cb_lu_prepare_crash(int state)
{
	fprintf(stderr, "Simulating a crash at update prepare time...\n");
	fflush(stderr);
	abort();
}

int sef_cb_lu_state_isvalid_null(int state, int flags) { return 0; }

int sef_cb_lu_state_isvalid_standard(int state, int flags)
{
	return SEF_LU_STATE_IS_STANDARD(state);
}

int sef_cb_lu_state_isvalid_workfree(int state, int flags)
{
	return state == SEF_LU_STATE_WORK_FREE;
}

int sef_cb_lu_state_isvalid_workfree_self(int state, int flags)
{
	return state == SEF_LU_STATE_WORK_FREE &&
	       (flags & (SEF_LU_SELF | SEF_LU_ASR));
}

int sef_cb_lu_state_isvalid_generic(int state, int flags)
{
	return state == SEF_LU_STATE_EVAL || state == SEF_LU_STATE_WORK_FREE;
}

void sef_cb_lu_state_changed_null(int old_state, int state) { }

void sef_cb_lu_state_dump_null(int state)
{
	printf("NULL\n");
}

int sef_cb_lu_state_save_null(int state, int flags) { return 0; }
int sef_cb_lu_response_null(message *m) { return -ENOSYS; }

int sef_cb_lu_response_rs_reply(message *m)
{
	return -ENOSYS;  /* no live update yet: see the live-update issue */
}
