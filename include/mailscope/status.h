/* SPDX-License-Identifier: MIT */
/*
 * Status codes returned by every fallible mailscope function. A caller
 * checks the code and jumps to its single exit on anything but MS_OK.
 * Hostile input is never a status: the parser records it as a defect.
 */
#ifndef MAILSCOPE_STATUS_H
#define MAILSCOPE_STATUS_H

typedef enum ms_status {
    MS_OK = 0,   /* success */
    MS_ENOMEM,   /* an allocation failed */
    MS_ELIMIT,   /* a configured ceiling was reached */
    MS_EIO,      /* reading or writing a file or socket failed */
    MS_EINVAL,   /* bad argument or bad configuration */
    MS_ENOTFOUND /* the thing looked up does not exist */
} ms_status;

/* Returns a short constant English name for a status code. */
const char *ms_status_str(ms_status rc);

#endif
