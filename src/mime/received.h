/* SPDX-License-Identifier: MIT */
/*
 * The Received chain (RFC 5321 4.4): one hop per Received header, parsed
 * into its clauses and the facts an analyst wants (sending host, HELO
 * name, IP, TLS, authentication, date), and the sender IP of the mail.
 */
#ifndef MS_MIME_RECEIVED_H
#define MS_MIME_RECEIVED_H

#include <stddef.h>

#include "mailscope/message.h"

/* Parses one Received value (n bytes at in, unfolded, any bytes, no NUL
 * needed) into hop, every string of which is allocated in the arena:
 * raw (a copy of the value), the clauses from, by, with, id, for_, via,
 * envelope_from, the date after the last top-level ';', and the derived
 * from_host (reverse DNS), helo, from_ip (canonical text), by_host, tls
 * and authenticated. Clause keywords are matched in any case and order,
 * outside (nested) comments. Never fails on content: what cannot be read
 * leaves hop->parsed false with raw kept. Returns MS_ENOMEM only when the
 * arena refuses. */
ms_status ms_received_parse(ms_arena *a, const char *in, size_t n,
                            ms_received_hop *hop);

/* Reverses hops given in header order (newest first) so that hops[0] is
 * the oldest, and fills each delay: seconds since the previous (older)
 * hop when both dates are valid, else 0. Negative delays are kept: they
 * reveal forged or misordered hops. */
void ms_received_chain_finish(ms_received_hop *hops, size_t n);

/* The sender IP of a chain given oldest first (after
 * ms_received_chain_finish): with a trust string, mail-parser's rule
 * (the last public address before " by " in the newest hop whose "by"
 * clause holds the trust string); without, the first public client
 * address walking from the newest hop. See received.c for the exact
 * rules. Returns an arena string or NULL. */
const char *ms_received_sender_ip(ms_arena *a, const ms_received_hop *hops,
                                  size_t n, const char *trust);

#endif
