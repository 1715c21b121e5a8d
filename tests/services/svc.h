/*
 * svc.h - the request protocol of the test service (svc.c), shared with
 * its client (client.c).  Test-only: nothing outside tests/ uses it.
 *
 * Request layout (any type):
 *   m_u64[0]   sequence number chosen by the client, echoed in the reply
 *   m_i32[2]   argument (signal number for SVC_SIGS, milliseconds for
 *              SVC_SLEEP)
 *   m_i32[11]  request flags (SVCF_*; a reply may reuse the field)
 * Reply layout (every reply):
 *   m_type     the request's m_type; -ENOSYS for an unknown type
 *   m_u64[0]   the request's sequence number
 *   m_i32[12]  pid of the instance that answered
 *   m_i32[13]  its endpoint (sef_self())
 * plus, per type, the fields listed below.
 */
#ifndef REINC_TEST_SVC_H
#define REINC_TEST_SVC_H

#define SVC_ECHO    0x100 /* payload echoed unchanged (except 12, 13) */
#define SVC_INFO    0x101 /* init info of this instance, see SVCI_* */
#define SVC_SIGS    0x102 /* i32[2]=signo -> i32[2]=count of signo,
                           * i32[3]=all signals, i32[4]=EINTR returns */
#define SVC_HANG    0x103 /* busy loop forever (no reply) */
#define SVC_BLOCK   0x104 /* block forever outside sef_receive (no reply) */
#define SVC_CRASH   0x105 /* abort() (no reply) */
#define SVC_EXIT    0x106 /* exit(0) (no reply) */
#define SVC_SEGV    0x107 /* write through NULL in svc_crash_here() */
#define SVC_NOTIFY  0x108 /* ipc_notify(RS_PROC_NR), then reply */
#define SVC_SLEEP   0x109 /* sleep i32[2] ms, then reply */
#define SVC_ADD     0x10a /* counter += i32[2] -> i32[2] = counter,
                           * i32[3] = the region's counter (luregion) */
#define SVC_LUINFO  0x10b /* live-update facts, see SVCL_* */
#define SVC_DEFER   0x10c /* no reply now: kept until an SVC_FLUSH (the
                           * kept requests move with the state blob) */
#define SVC_FLUSH   0x10d /* answer every kept request, then this one:
                           * i32[2] = how many were answered */

/* SVC_LUINFO reply fields (m_i32[index]) */
#define SVCL_STATE     2  /* sef_lu_state() */
#define SVCL_SAVES     3  /* state_save calls in this instance */
#define SVCL_CHANGES   4  /* state_changed calls in this instance */
#define SVCL_LASTOLD   5  /* ... the last one's old state */
#define SVCL_LASTNEW   6  /* ... and new state */
#define SVCL_BLOBVER   7  /* version of the blob got at LU init, 0: none */
#define SVCL_COUNTER   8  /* the counter (SVC_ADD) */
#define SVCL_FDINO     9  /* inode of the stored memo descriptor (fdstore) */
#define SVCL_PREPARES 10  /* prepare callback calls in this instance */
#define SVCL_NDEFER   11  /* requests kept unanswered (SVC_DEFER) */

/* SVC_INFO reply fields (m_i32[index]; 0 and 1 hold the sequence) */
#define SVCI_TYPE      2  /* type passed to the last init callback run */
#define SVCI_RESTARTS  3  /* info->restarts */
#define SVCI_OLD_EP    4  /* info->old_endpoint */
#define SVCI_EP        5  /* info->endpoint */
#define SVCI_FLAGS     6  /* info->flags */
#define SVCI_CBMASK    7  /* callbacks run in this instance: SVCCB_* */
#define SVCI_PINGS     8  /* pings seen (word "countping" only) */
#define SVCI_EVENTS    9  /* SEF events sef_receive wrongly returned */
#define SVCI_REQUESTS 10  /* requests served by this instance so far */

#define SVCCB_FRESH   0x1
#define SVCCB_LU      0x2
#define SVCCB_RESTART 0x4

/* request flags (m_i32[11]) */
#define SVCF_NOREPLY 0x1   /* sent with ipc_send: do not answer */

#define SVC_I_ARG   2
#define SVC_I_FLAGS 11
#define SVC_I_PID   12
#define SVC_I_EP    13

#endif
