/* SPDX-License-Identifier: MIT */
/*
 * Risky traits of a file, each a named flag with a short reason: what an
 * analyst looks for first in a malicious attachment. Executables (PE,
 * ELF, Mach-O), scripts and shortcuts; Office documents with macros (OLE
 * VBA storages, OOXML vbaProject.bin); PDFs with JavaScript, automatic
 * actions, Launch or embedded files; HTML with forms or scripts; names
 * that lie (double extensions, right-to-left override, runs of spaces);
 * disk images. The flags are documented in docs/attachments.md.
 */
#ifndef MS_ANALYSIS_TRAITS_H
#define MS_ANALYSIS_TRAITS_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/arena.h"
#include "mailscope/status.h"

/* Most flags kept for one file. */
#define MS_TRAITS_MAX 32
/* Spaces in a row in a file name that count as padding: enough to push
 * the real extension out of view in a mail client's attachment list. */
#define MS_TRAITS_SPACE_RUN 5
/* Bytes of a PDF or HTML file searched for keywords. */
#define MS_TRAITS_MAX_SCAN_BYTES (32u * 1024 * 1024)

/* One flag: a constant name and a reason in the arena. */
typedef struct ms_trait {
    const char *name;
    const char *reason;
} ms_trait;

/* The flags of one file, an arena vector. */
typedef struct ms_trait_list {
    ms_trait *items;
    size_t n;
    size_t cap;
} ms_trait_list;

/* What the traits are judged on. Any string may be NULL or "". */
typedef struct ms_traits_input {
    const char *filename;
    const char *extension; /* lower-case, without the dot */
    const char *declared;  /* declared content type */
    const char *mime_type; /* libmagic's */
    const unsigned char *data;
    size_t size;
} ms_traits_input;

/* Adds the flag name (a literal) with a printf-formatted reason, unless
 * a flag of that name is already in the list. Returns MS_OK, or MS_ENOMEM;
 * past MS_TRAITS_MAX the flag is dropped silently. */
ms_status ms_traits_add(ms_arena *a, ms_trait_list *list, const char *name,
                        const char *reason_fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* True when the list holds a flag of that name. */
bool ms_traits_has(const ms_trait_list *list, const char *name);

/* Judges the file and appends its flags to list. Returns MS_OK or
 * MS_ENOMEM; odd bytes are never an error. */
ms_status ms_traits_detect(ms_arena *a, const ms_traits_input *in,
                           ms_trait_list *list);

/* Returns a short description of the executable format the bytes start
 * with ("PE", "ELF", "Mach-O"), or NULL. */
const char *ms_traits_executable_kind(const unsigned char *p, size_t n);

/* True when the bytes are an OLE2 compound file whose directory holds a
 * VBA macro storage ("VBA", "_VBA_PROJECT", "Macros"). The directory is
 * walked through the FAT with every sector number checked. */
bool ms_traits_ole_has_vba(const unsigned char *p, size_t n);

/* Bits of PDF features found by ms_traits_pdf_scan. */
enum {
    MS_PDF_JAVASCRIPT = 1 << 0,  /* /JavaScript or /JS */
    MS_PDF_OPEN_ACTION = 1 << 1, /* /OpenAction */
    MS_PDF_LAUNCH = 1 << 2,      /* /Launch */
    MS_PDF_EMBEDDED = 1 << 3,    /* /EmbeddedFile(s) */
    MS_PDF_AUTO_ACTION = 1 << 4, /* /AA */
    MS_PDF_OBFUSCATED = 1 << 5   /* a name spelled with #xx escapes */
};

/* Scans PDF bytes for the names above, decoding #xx escapes in names
 * first ("/J#61vaScript" is /JavaScript). Returns the MS_PDF_* bits. */
unsigned ms_traits_pdf_scan(const unsigned char *p, size_t n);

#endif
