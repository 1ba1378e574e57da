/* SPDX-License-Identifier: MIT */
/*
 * IP addresses: parsing, classification (public or not), canonical
 * formatting and scanning of text for address literals. Used by the
 * Received chain, URL analysis and observables. Everything here is pure
 * and allocation-free: it runs on every hop of every mail and on bodies.
 */
#ifndef MS_UTIL_IP_H
#define MS_UTIL_IP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ms_ip {
    int family;              /* 4 or 6 */
    unsigned char bytes[16]; /* network order; IPv4 uses the first 4 */
} ms_ip;

/* Longest text ms_ip_format writes, NUL included. */
#define MS_IP_TEXT_MAX 46

/* Parses a textual IPv4 address (strict dotted quad: four decimal octets
 * 0-255 without leading zeros) or IPv6 address (any RFC 4291 form,
 * embedded IPv4 tail included), with an optional "IPv6:" prefix (any
 * case), optional brackets, and a zone id ("%eth0"), which is dropped.
 * Returns true on success; *out is untouched on failure. */
bool ms_ip_parse(const char *p, size_t n, ms_ip *out);

/* True when the address is globally routable: not private (RFC 1918),
 * loopback, link-local, CGNAT, multicast, reserved, documentation,
 * benchmarking, unspecified, unique-local, nor an IPv4-mapped or
 * IPv4-compatible form of such an address. */
bool ms_ip_is_public(const ms_ip *ip);

/* Formats canonically: dotted quad, or IPv6 per RFC 5952 (lower case,
 * longest zero run compressed, mapped IPv4 as ::ffff:a.b.c.d). Writes a
 * NUL; returns the length, 0 when size is too small (MS_IP_TEXT_MAX is
 * always enough). */
size_t ms_ip_format(const ms_ip *ip, char *buf, size_t size);

/* Calls fn for each IPv4 or IPv6 literal in the text, with the offset
 * and length of the address itself (an "IPv6:" prefix, brackets and an
 * IPv4 ":port" suffix are not included). Literals must stand alone:
 * "1.2.3.4.5", "v1.2.3.4", "4.9.2.1" inside a longer dotted run, a
 * dotted quad that starts a host name ("1.2.3.4.dsl.example") and words
 * of hex letters are not addresses. */
void ms_ip_scan(const char *p, size_t n,
                void (*fn)(void *ctx, const ms_ip *ip, size_t off, size_t len),
                void *ctx);

#endif
