/* SPDX-License-Identifier: MIT */
/*
 * IP address helpers (see ip.h), written by hand rather than on
 * inet_pton/inet_ntop: the C library's rules differ between systems
 * (some accept "010.0.0.1" or "1.2.3" for IPv4, some print IPv6 in a
 * form RFC 5952 does not allow), and a Received header or a URL must
 * read the same everywhere. The hand-written code is also several times
 * faster, which matters on a path run for every hop of every mail.
 *
 * IPv4 is the strict dotted quad only. The inet_aton forms ("1.2.3",
 * "0x7f.1", "2130706433") and octets with leading zeros ("010.0.0.1",
 * octal 8.0.0.1 to inet_aton but 10.0.0.1 to a reader) are refused on
 * purpose: they are how obfuscated URLs and forged headers make an
 * address read differently to a person and to a program, and taking
 * them for a plain address here would hide the trick. URL analysis
 * detects those forms itself.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/ascii.h"
#include "util/ip.h"

/* Longest textual IPv6 address accepted (8 groups of 4 hex digits and 7
 * colons, or the IPv4-tail form), before the zone id. */
#define MAX_IPV6_TEXT 45

/* Parses exactly n bytes as a strict dotted quad into b[0..3]. Returns
 * false for anything else, including leading zeros and empty octets. */
static bool parse_ipv4(const char *p, size_t n, unsigned char *b)
{
    size_t i = 0;
    for (int octet = 0; octet < 4; octet++) {
        if (octet > 0) {
            if (i >= n || p[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < n && ms_ascii_is_digit(p[i]) && i - start < 3) {
            v = v * 10 + (unsigned)(p[i] - '0');
            i++;
        }
        size_t len = i - start;
        if (len == 0 || v > 255 || (len > 1 && p[start] == '0'))
            return false;
        b[octet] = (unsigned char)v;
    }
    return i == n;
}

/* Parses exactly n bytes as an RFC 4291 IPv6 address (no prefix, no
 * brackets, no zone) into b[0..15]. Returns false on any syntax error:
 * more than one "::", a "::" standing for no group, groups of more than
 * four hex digits, an IPv4 tail anywhere but at the end. */
static bool parse_ipv6(const char *p, size_t n, unsigned char *b)
{
    unsigned words[8];
    int count = 0, gap = -1;
    size_t i = 0;
    if (n < 2 || n > MAX_IPV6_TEXT)
        return false;
    if (p[0] == ':') {
        if (p[1] != ':')
            return false;
        gap = 0;
        i = 2;
    }
    while (i < n) {
        size_t start = i;
        unsigned v = 0;
        while (i < n && ms_ascii_hex_value(p[i]) >= 0 && i - start < 5) {
            v = v * 16 + (unsigned)ms_ascii_hex_value(p[i]);
            i++;
        }
        if (i == start)
            return false;
        if (i < n && p[i] == '.') {
            /* the embedded IPv4 form: the last 32 bits as a dotted quad */
            unsigned char quad[4];
            if (count > 6 || !parse_ipv4(p + start, n - start, quad))
                return false;
            words[count++] = (unsigned)quad[0] << 8 | quad[1];
            words[count++] = (unsigned)quad[2] << 8 | quad[3];
            i = n;
            break;
        }
        if (i - start > 4 || count == 8)
            return false;
        words[count++] = v;
        if (i == n)
            break;
        if (p[i] != ':')
            return false;
        i++;
        if (i < n && p[i] == ':') {
            if (gap >= 0)
                return false;
            gap = count;
            i++;
        } else if (i == n) {
            return false; /* a single trailing colon */
        }
    }
    if (gap < 0 ? count != 8 : count > 7)
        return false;
    int zeros = 8 - count;
    int o = 0;
    for (int k = 0; k < count; k++) {
        if (k == gap) {
            for (int z = 0; z < zeros; z++, o++)
                b[2 * o] = b[2 * o + 1] = 0;
        }
        b[2 * o] = (unsigned char)(words[k] >> 8);
        b[2 * o + 1] = (unsigned char)(words[k] & 0xFF);
        o++;
    }
    if (gap == count) {
        for (; o < 8; o++)
            b[2 * o] = b[2 * o + 1] = 0;
    }
    return true;
}

/* True when p[0..n) starts with the "IPv6:" tag of RFC 5321 4.1.3, in
 * any case. */
static bool has_ipv6_tag(const char *p, size_t n)
{
    return n >= 5 && ms_ascii_lower(p[0]) == 'i' &&
           ms_ascii_lower(p[1]) == 'p' && ms_ascii_lower(p[2]) == 'v' &&
           p[3] == '6' && p[4] == ':';
}

/* Parses a textual IPv4 or IPv6 address; see ip.h. */
bool ms_ip_parse(const char *p, size_t n, ms_ip *out)
{
    if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
        p++;
        n -= 2;
    }
    bool tagged = has_ipv6_tag(p, n);
    if (tagged) {
        p += 5;
        n -= 5;
        if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
            p++;
            n -= 2;
        }
    }
    const char *colon = memchr(p, ':', n);
    unsigned char b[16];
    if (colon == NULL) {
        if (tagged || !parse_ipv4(p, n, b))
            return false;
        memset(out, 0, sizeof(*out));
        out->family = 4;
        memcpy(out->bytes, b, 4);
        return true;
    }
    const char *zone = memchr(p, '%', n);
    if (zone)
        n = (size_t)(zone - p);
    if (!parse_ipv6(p, n, b))
        return false;
    out->family = 6;
    memcpy(out->bytes, b, 16);
    return true;
}

/* True when the IPv4 address b[0..3] is globally routable (the IANA
 * special-purpose registry, RFC 6890, minus the global entries). */
static bool ipv4_is_public(const unsigned char *b)
{
    if (b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224)
        return false; /* this network, private, loopback, multicast and
                         240/4 reserved with the broadcast address */
    if (b[0] == 100 && (b[1] & 0xC0) == 64)
        return false; /* 100.64/10 carrier-grade NAT */
    if (b[0] == 169 && b[1] == 254)
        return false; /* link-local */
    if (b[0] == 172 && (b[1] & 0xF0) == 16)
        return false; /* 172.16/12 private */
    if (b[0] == 192 && b[1] == 168)
        return false; /* 192.168/16 private */
    if (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2))
        return false; /* IETF protocol assignments, TEST-NET-1 */
    if (b[0] == 192 && b[1] == 88 && b[2] == 99)
        return false; /* deprecated 6to4 relay anycast */
    if (b[0] == 198 && (b[1] == 18 || b[1] == 19))
        return false; /* benchmarking */
    if (b[0] == 198 && b[1] == 51 && b[2] == 100)
        return false; /* TEST-NET-2 */
    if (b[0] == 203 && b[1] == 0 && b[2] == 113)
        return false; /* TEST-NET-3 */
    return true;
}

/* True when the address is globally routable; see ip.h. IPv6 is public
 * only inside 2000::/3, the global unicast space, minus its special
 * blocks: everything else (::, ::1, fc00::/7, fe80::/10, ff00::/8,
 * fec0::/10, 100::/64) is not, and the IPv4-mapped (::ffff:0:0/96) and
 * IPv4-compatible (::/96) forms are judged by their IPv4 address, since
 * a forged hop can hide 10.0.0.1 as ::ffff:10.0.0.1. */
bool ms_ip_is_public(const ms_ip *ip)
{
    const unsigned char *b = ip->bytes;
    if (ip->family == 4)
        return ipv4_is_public(b);
    static const unsigned char zero[16] = {0};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xFF, 0xFF};
    if (memcmp(b, mapped, 12) == 0)
        return ipv4_is_public(b + 12);
    if (memcmp(b, zero, 12) == 0) /* ::, ::1 and IPv4-compatible */
        return memcmp(b, zero, 15) != 0 && ipv4_is_public(b + 12);
    if ((b[0] & 0xE0) != 0x20)
        return false; /* outside 2000::/3 global unicast */
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)
        return false; /* 2001:db8::/32 documentation */
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x02 &&
        b[4] == 0 && b[5] == 0)
        return false; /* 2001:2::/48 benchmarking */
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && (b[3] & 0xF0) == 0x10)
        return false; /* 2001:10::/28 ORCHID */
    if (b[0] == 0x20 && b[1] == 0x02)
        return ipv4_is_public(b + 2); /* 6to4 carries an IPv4 address */
    if (b[0] == 0x3F && b[1] == 0xFF && (b[2] & 0xF0) == 0)
        return false; /* 3fff::/20 documentation (RFC 9637) */
    return true;
}

/* Writes the decimal octet v at buf and returns the digits written. */
static size_t put_octet(char *buf, unsigned v)
{
    size_t o = 0;
    if (v >= 100)
        buf[o++] = (char)('0' + v / 100);
    if (v >= 10)
        buf[o++] = (char)('0' + v / 10 % 10);
    buf[o++] = (char)('0' + v % 10);
    return o;
}

/* Writes the dotted quad of b[0..3] at buf (room for 15 bytes) and
 * returns its length. */
static size_t put_quad(char *buf, const unsigned char *b)
{
    size_t o = 0;
    for (int i = 0; i < 4; i++) {
        if (i > 0)
            buf[o++] = '.';
        o += put_octet(buf + o, b[i]);
    }
    return o;
}

/* Formats canonically; see ip.h. The text is built in a local buffer of
 * the largest size and copied, so a short buf gets "" rather than a cut
 * address. */
size_t ms_ip_format(const ms_ip *ip, char *buf, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xFF, 0xFF};
    char text[MS_IP_TEXT_MAX];
    size_t o = 0;
    if (ip->family == 4) {
        o = put_quad(text, ip->bytes);
    } else if (memcmp(ip->bytes, mapped, 12) == 0) {
        memcpy(text, "::ffff:", 7);
        o = 7 + put_quad(text + 7, ip->bytes + 12);
    } else {
        unsigned words[8];
        for (int k = 0; k < 8; k++)
            words[k] = (unsigned)ip->bytes[2 * k] << 8 | ip->bytes[2 * k + 1];
        /* RFC 5952 4.2: compress the longest run of two or more zero
         * groups, the first one when two runs are equally long */
        int best = -1, best_len = 1;
        for (int k = 0; k < 8;) {
            int len = 0;
            while (k + len < 8 && words[k + len] == 0)
                len++;
            if (len > best_len) {
                best = k;
                best_len = len;
            }
            k += len ? len : 1;
        }
        for (int k = 0; k < 8; k++) {
            if (k == best) {
                text[o++] = ':';
                if (k == 0)
                    text[o++] = ':';
                k += best_len - 1;
                continue;
            }
            unsigned w = words[k];
            bool started = false;
            for (int shift = 12; shift >= 0; shift -= 4) {
                unsigned nibble = (w >> shift) & 0xF;
                if (nibble || started || shift == 0) {
                    text[o++] = hex[nibble];
                    started = true;
                }
            }
            if (k < 7)
                text[o++] = ':';
        }
    }
    if (size <= o) {
        if (size)
            buf[0] = '\0';
        return 0;
    }
    memcpy(buf, text, o);
    buf[o] = '\0';
    return o;
}

/* True when c, written right before a literal, makes it part of a larger
 * word (a host name, a version string, an identifier). */
static bool joins_left(char c)
{
    return ms_ascii_is_alnum(c) || c == '.' || c == '_' || c == '-';
}

/* True when the literal ending before p[end] stands alone on its right:
 * it is not followed by a word character, and not by a dot or colon that
 * continues into one ("1.2.3.4.dsl.example", "1.2.3.4.5"). */
static bool stands_alone_right(const char *p, size_t n, size_t end)
{
    if (end >= n)
        return true;
    char c = p[end];
    if (ms_ascii_is_alnum(c) || c == '_' || c == '-')
        return false;
    if ((c == '.' || c == ':') && end + 1 < n &&
        (ms_ascii_is_alnum(p[end + 1]) || p[end + 1] == '-'))
        return false;
    return true;
}

/* True when p[0..n) holds at least one decimal digit. Words of hex
 * letters with colons ("cafe::babe", "Foo::Bar") are read as text, not
 * as an address, which real mail never writes without a digit. */
static bool has_digit(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (ms_ascii_is_digit(p[i]))
            return true;
    }
    return false;
}

/* Tries the run p[start..end) (already trimmed) as an address literal and
 * calls fn when it is one. */
static void try_literal(const char *p, size_t n, size_t start, size_t end,
                        bool tagged,
                        void (*fn)(void *, const ms_ip *, size_t, size_t),
                        void *ctx)
{
    size_t colons = 0, dots = 0;
    for (size_t k = start; k < end; k++) {
        colons += p[k] == ':';
        dots += p[k] == '.';
    }
    ms_ip ip;
    if (colons == 1 && dots == 3 && !tagged) {
        /* "1.2.3.4:25": an IPv4 address with a port, as some MTAs and
         * proxies write the client */
        const char *colon = memchr(p + start, ':', end - start);
        size_t addr_end = (size_t)(colon - p);
        size_t port_len = end - addr_end - 1;
        if (port_len == 0 || port_len > 5 || !stands_alone_right(p, n, end))
            return;
        for (size_t k = addr_end + 1; k < end; k++) {
            if (!ms_ascii_is_digit(p[k]))
                return;
        }
        if (parse_ipv4(p + start, addr_end - start, ip.bytes)) {
            memset(ip.bytes + 4, 0, 12);
            ip.family = 4;
            fn(ctx, &ip, start, addr_end - start);
        }
        return;
    }
    if (!stands_alone_right(p, n, end))
        return;
    if (colons >= 2 && has_digit(p + start, end - start) &&
        ms_ip_parse(p + start, end - start, &ip))
        fn(ctx, &ip, start, end - start);
    else if (colons == 0 && dots == 3 && !tagged &&
             ms_ip_parse(p + start, end - start, &ip))
        fn(ctx, &ip, start, end - start);
}

/* LITERAL marks the bytes that may make up an address literal: hex
 * digits, ':' and '.'. */
enum { LITERAL = 1 };
static const unsigned char scan_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Returns the offset of the first decimal digit of p[i, n), or n;
 * sixteen bytes at a time with SSE2. */
static size_t next_digit(const char *p, size_t i, size_t n)
{
#ifdef __SSE2__
    const __m128i before_0 = _mm_set1_epi8('0' - 1);
    const __m128i after_9 = _mm_set1_epi8('9' + 1);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        int mask = _mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, before_0),
                                                   _mm_cmplt_epi8(v, after_9)));
        if (mask != 0)
            return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < n; i++) {
        if (ms_ascii_is_digit(p[i]))
            return i;
    }
    return n;
}

/*
 * Calls fn for each literal in the text; see ip.h. The text is read as
 * runs of hex digits, dots and colons; a run is a candidate only when it
 * starts a word (or follows an "IPv6:" tag) and ends one.
 *
 * Every address reported holds a decimal digit, so the scan goes from
 * digit to digit: the run around a digit is found by reading back to its
 * start, where the "IPv6:" tag, if any, ends two bytes in ("6:"). The
 * runs without a digit in between ("face", "de.ad", host names) are
 * never looked at, which is what makes the scan cheap on Received text.
 */
void ms_ip_scan(const char *p, size_t n,
                void (*fn)(void *ctx, const ms_ip *ip, size_t off, size_t len),
                void *ctx)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        size_t from = i;
        size_t digit = next_digit(p, from, n);
        if (digit == n)
            break;
        size_t run = digit;
        while (run > from && (scan_class[u[run - 1]] & LITERAL))
            run--;
        size_t end = digit;
        while (end < n && (scan_class[u[end]] & LITERAL))
            end++;
        i = end;
        /* "IPv6:" before the run: its '6' and ':' start the run */
        bool tagged = false;
        size_t start = run;
        if (run >= from + 3 && has_ipv6_tag(p + run - 3, n - (run - 3)) &&
            (run == 3 || !joins_left(p[run - 4]))) {
            tagged = true;
            start = run + 2;
            if (next_digit(p, start, end) == end)
                continue; /* the run's only digit was the tag's 6 */
        }
        bool left_ok = tagged || start == 0 || !joins_left(p[start - 1]);
        /* a lone leading colon belongs to the text before ("IP:1.2.3.4") */
        if (!tagged && end - start >= 2 && p[start] == ':' &&
            p[start + 1] != ':') {
            start++;
            left_ok = true;
        }
        /* a sentence-ending dot or colon is not part of the address */
        while (end > start && p[end - 1] == '.')
            end--;
        if (end - start >= 2 && p[end - 1] == ':' && p[end - 2] != ':')
            end--;
        if (left_ok && end - start >= 2)
            try_literal(p, n, start, end, tagged, fn, ctx);
    }
}
