/*
 * sema.h - the protocol of the semaphore service (sema.c), a simplified
 * MINIX IPC server: counting semaphores 0..SEMA_MAX-1, all starting at 0.
 *
 * Request m_type SEMA_REQ, m_i32[0] the operation, m_i32[1] the
 * semaphore.  Reply m_type: 0 or the value (SEMA_GET), or -errno:
 * -EINVAL (bad semaphore or operation), -EINTR (SEMA_DOWN interrupted by
 * a caught signal).
 */
#ifndef SEMA_H
#define SEMA_H

#define SEMA_REQ  0x3200
#define SEMA_MAX  64

enum {
	SEMA_DOWN = 1,   /* take a unit, waiting while there is none; the
	                  * unit is held by the caller until SEMA_UP or its
	                  * exit */
	SEMA_UP,         /* give a unit back (or add one) */
	SEMA_GET,        /* the value; m_i32[1] of the reply: waiters */
};

#endif
