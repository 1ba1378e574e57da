/* SPDX-License-Identifier: MIT */
/*
 * Names of the status codes, for messages to the user.
 */
#include "mailscope/status.h"

/* Returns a short constant English name for a status code. */
const char *ms_status_str(ms_status rc)
{
    switch (rc) {
    case MS_OK:
        return "ok";
    case MS_ENOMEM:
        return "out of memory";
    case MS_ELIMIT:
        return "limit reached";
    case MS_EIO:
        return "input/output error";
    case MS_EINVAL:
        return "invalid argument";
    case MS_ENOTFOUND:
        return "not found";
    }
    return "unknown status";
}
