/*
 * hello.h - the protocol of the hello service (hello.c) and its client
 * (hello_client.c): MINIX's hello driver, with its character-device
 * calls turned into two requests.
 *
 *   HELLO_OPEN   the driver's open: increments the open counter.
 *                Reply: m_type 0, m_u32[0] = opens so far (since the
 *                start or the last crash restart; a live update keeps
 *                the count), m_u8[8..21] = the 14 bytes "Hello, World!\n"
 *                (not NUL-terminated), i.e. what reading /dev/hello gave.
 *   HELLO_CLOSE  the driver's close.  Reply: m_type 0.
 *   anything else: reply m_type -ENOSYS.
 */
#ifndef REINC_EXAMPLE_HELLO_H
#define REINC_EXAMPLE_HELLO_H

#define HELLO_OPEN   0x1200
#define HELLO_CLOSE  0x1201

#define HELLO_MESSAGE     "Hello, World!\n"
#define HELLO_MESSAGE_LEN 14
#define HELLO_COUNT_IDX   0   /* m_u32[HELLO_COUNT_IDX]: opens so far */
#define HELLO_MESSAGE_OFF 8   /* m_u8[HELLO_MESSAGE_OFF...]: the message */

#endif
