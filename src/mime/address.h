/* SPDX-License-Identifier: MIT */
/*
 * Address lists of From, To, Cc, Reply-To and the like (RFC 5322 3.4 and
 * the obsolete syntax of 4.4), read the way mail clients read them.
 */
#ifndef MS_MIME_ADDRESS_H
#define MS_MIME_ADDRESS_H

#include <stddef.h>

#include "mailscope/message.h"

/* Parses an address-list value (From, To, Cc, Reply-To, ...; unfolded,
 * not RFC 2047-decoded, n bytes at in, no NUL needed) into up to max
 * addresses (0: a built-in ceiling of 10000) allocated in the arena;
 * past the ceiling a "limit_addresses" defect is noted. Each entry's
 * name is "" when none, unquoted with escapes resolved but NOT decoded:
 * the caller decodes each name after the split, so that an encoded comma
 * cannot split an address. address is local@domain without comments or
 * obsolete white space ("" when the entry is only a quoted name), domain
 * the lower-cased (ASCII only) domain or "". Groups are stepped over;
 * entries without '@' are kept as written. Oddities are noted on m (may
 * be NULL) at path: InvalidAddressDefect, DisplayNameAddressDefect (the
 * name is itself another address; the detail is that address). Returns
 * MS_OK for any input, MS_ENOMEM when the arena refuses. */
ms_status ms_address_list_parse(ms_arena *a, ms_message *m, const char *path,
                                const char *in, size_t n, size_t max,
                                ms_address **out, size_t *n_out);

#endif
