/* SPDX-License-Identifier: MIT */
/*
 * Risky traits of attachments (see traits.h). Each check below says which
 * abuse it answers. Checks read bytes only within the file's length and
 * treat every offset found inside the file as hostile.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "analysis/archive.h"
#include "analysis/traits.h"
#include "mailscope/slice.h"
#include "util/ascii.h"
#include "util/vec.h"

/* Size of one OLE directory entry, fixed by the format. */
#define OLE_DIR_ENTRY_BYTES 128
/* DIFAT entries held in the OLE header itself. */
#define OLE_HEADER_DIFAT 109
/* Sector numbers at and above this are markers (free, end of chain). */
#define OLE_MAX_REGULAR_SECTOR 0xFFFFFFF9u
/* Longest PDF name compared; the names we want are far shorter. */
#define PDF_MAX_NAME 64
/* Headers listed in an OOXML zip while looking for vbaProject.bin. */
#define OOXML_MAX_MEMBERS 10000

/* Adds a flag unless present (see traits.h). */
ms_status ms_traits_add(ms_arena *a, ms_trait_list *list, const char *name,
                        const char *reason_fmt, ...)
{
    if (ms_traits_has(list, name))
        return MS_OK;
    ms_status rc =
        MS_VEC_GROW(a, list->items, list->n, list->cap, MS_TRAITS_MAX);
    if (rc == MS_ELIMIT)
        return MS_OK;
    if (rc != MS_OK)
        return rc;
    char text[256];
    va_list ap;
    va_start(ap, reason_fmt);
    int len = vsnprintf(text, sizeof(text), reason_fmt, ap);
    va_end(ap);
    if (len < 0)
        len = 0;
    if ((size_t)len >= sizeof(text))
        len = sizeof(text) - 1;
    const char *reason = ms_arena_strndup(a, text, (size_t)len);
    if (reason == NULL)
        return MS_ENOMEM;
    list->items[list->n++] = (ms_trait){name, reason};
    return MS_OK;
}

/* True when the list holds the flag (see traits.h). */
bool ms_traits_has(const ms_trait_list *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->items[i].name, name) == 0)
            return true;
    return false;
}

/* Reads a little-endian 16-bit value. */
static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

/* Reads a little-endian 32-bit value. */
static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Reads a big-endian 32-bit value. */
static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

/* Names the executable format by its header (see traits.h). */
const char *ms_traits_executable_kind(const unsigned char *p, size_t n)
{
    if (n >= 2 && p[0] == 'M' && p[1] == 'Z') {
        /* e_lfanew points at the PE signature; a bare MZ without it is
         * an old DOS program, still runnable by a double click. */
        if (n >= 0x40) {
            uint32_t pe = le32(p + 0x3c);
            if (pe <= n - 4 && memcmp(p + pe, "PE\0\0", 4) == 0)
                return "PE";
        }
        return "MS-DOS";
    }
    if (n >= 4 && memcmp(p,
                         "\x7f"
                         "ELF",
                         4) == 0)
        return "ELF";
    if (n >= 4) {
        uint32_t magic = be32(p);
        if (magic == 0xfeedface || magic == 0xfeedfacf || magic == 0xcefaedfe ||
            magic == 0xcffaedfe)
            return "Mach-O";
        /* 0xcafebabe starts both universal Mach-O binaries and Java
         * classes; a universal binary holds a handful of architectures
         * where a class file has its version (45 and up). */
        if (magic == 0xcafebabe && n >= 8 && be32(p + 4) > 0 &&
            be32(p + 4) < 20)
            return "Mach-O universal";
    }
    return NULL;
}

/* The OLE compound file being walked. */
typedef struct ole_file {
    const unsigned char *p;
    size_t n;
    unsigned shift;      /* log2 of the sector size */
    size_t sector_bytes; /* 512 or 4096 */
    size_t max_steps;    /* bound on any chain walk: sectors in the file */
} ole_file;

/* Returns the offset of sector s, or 0 when s is a marker or the sector
 * lies outside the file (0 is the header, never a data sector). */
static size_t ole_sector_offset(const ole_file *f, uint32_t s)
{
    if (s >= OLE_MAX_REGULAR_SECTOR)
        return 0;
    uint64_t off = ((uint64_t)s + 1) << f->shift;
    if (off + f->sector_bytes > f->n)
        return 0;
    return (size_t)off;
}

/* Returns the sector number of FAT sector k from the DIFAT (in the header
 * for the first 109, then in a chain of DIFAT sectors), or a marker. */
static uint32_t ole_fat_sector(const ole_file *f, uint32_t k)
{
    if (k < OLE_HEADER_DIFAT)
        return le32(f->p + 0x4c + 4 * k);
    k -= OLE_HEADER_DIFAT;
    uint32_t per_sector = (uint32_t)(f->sector_bytes / 4) - 1;
    uint32_t sector = le32(f->p + 0x44);
    for (size_t steps = 0; steps < f->max_steps; steps++) {
        size_t off = ole_sector_offset(f, sector);
        if (off == 0)
            return OLE_MAX_REGULAR_SECTOR;
        if (k < per_sector)
            return le32(f->p + off + 4 * k);
        k -= per_sector;
        sector = le32(f->p + off + 4 * per_sector);
    }
    return OLE_MAX_REGULAR_SECTOR;
}

/* Returns the sector after s in its chain, from the FAT, or a marker. */
static uint32_t ole_next_sector(const ole_file *f, uint32_t s)
{
    uint32_t per_sector = (uint32_t)(f->sector_bytes / 4);
    uint32_t fat_sector = ole_fat_sector(f, s / per_sector);
    size_t off = ole_sector_offset(f, fat_sector);
    if (off == 0)
        return OLE_MAX_REGULAR_SECTOR;
    return le32(f->p + off + 4 * (s % per_sector));
}

/* True when the directory entry at e names a VBA storage or stream. The
 * name is UTF-16LE; only ASCII names are of interest. */
static bool ole_entry_is_vba(const unsigned char *e)
{
    uint32_t name_bytes = le16(e + 0x40);
    if (name_bytes < 2 || name_bytes > 64)
        return false;
    char name[32];
    size_t len = 0;
    for (uint32_t i = 0; i + 1 < name_bytes && len < sizeof(name) - 1; i += 2) {
        if (e[i + 1] != 0 || e[i] == 0)
            break;
        name[len++] = ms_ascii_lower((char)e[i]);
    }
    name[len] = '\0';
    return strcmp(name, "vba") == 0 || strcmp(name, "_vba_project") == 0 ||
           strcmp(name, "_vba_project_cur") == 0;
}

/* Walks the OLE directory for VBA storages (see traits.h). */
bool ms_traits_ole_has_vba(const unsigned char *p, size_t n)
{
    if (n < 512 || memcmp(p, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) != 0)
        return false;
    ole_file f = {.p = p, .n = n};
    f.shift = le16(p + 0x1e);
    if (f.shift != 9 && f.shift != 12)
        return false;
    f.sector_bytes = (size_t)1 << f.shift;
    f.max_steps = n / f.sector_bytes + 1;
    uint32_t sector = le32(p + 0x30);
    for (size_t steps = 0; steps < f.max_steps; steps++) {
        size_t off = ole_sector_offset(&f, sector);
        if (off == 0)
            return false;
        for (size_t e = 0; e < f.sector_bytes; e += OLE_DIR_ENTRY_BYTES)
            if (ole_entry_is_vba(p + off + e))
                return true;
        sector = ole_next_sector(&f, sector);
    }
    return false;
}

/* True for the bytes that end a PDF name: white space and delimiters. */
static bool pdf_name_ends(unsigned char c)
{
    return c == 0 || ms_ascii_is_space((char)c) || strchr("()<>[]{}/%", c);
}

/* Scans a PDF for risky names (see traits.h). */
unsigned ms_traits_pdf_scan(const unsigned char *p, size_t n)
{
    static const struct {
        const char *name;
        unsigned bit;
    } WANTED[] = {
        {"JavaScript", MS_PDF_JAVASCRIPT},  {"JS", MS_PDF_JAVASCRIPT},
        {"OpenAction", MS_PDF_OPEN_ACTION}, {"Launch", MS_PDF_LAUNCH},
        {"EmbeddedFile", MS_PDF_EMBEDDED},  {"EmbeddedFiles", MS_PDF_EMBEDDED},
        {"AA", MS_PDF_AUTO_ACTION},
    };
    unsigned found = 0;
    const unsigned char *end = p + n;
    const unsigned char *s = p;
    while (s < end && (s = memchr(s, '/', (size_t)(end - s))) != NULL) {
        s++;
        char name[PDF_MAX_NAME + 1];
        size_t len = 0;
        bool escaped = false;
        while (s < end && !pdf_name_ends(*s) && len < PDF_MAX_NAME) {
            /* Writers may spell any name byte as #xx; malware uses it to
             * hide /JavaScript from plain string searches. */
            if (*s == '#' && end - s >= 3 &&
                ms_ascii_hex_value((char)s[1]) >= 0 &&
                ms_ascii_hex_value((char)s[2]) >= 0) {
                name[len++] = (char)(ms_ascii_hex_value((char)s[1]) * 16 +
                                     ms_ascii_hex_value((char)s[2]));
                escaped = true;
                s += 3;
            } else {
                name[len++] = (char)*s++;
            }
        }
        name[len] = '\0';
        for (size_t i = 0; i < sizeof(WANTED) / sizeof(WANTED[0]); i++) {
            if (strcmp(name, WANTED[i].name) == 0) {
                found |= WANTED[i].bit;
                if (escaped)
                    found |= MS_PDF_OBFUSCATED;
            }
        }
    }
    return found;
}

/* True when ext is one of the NULL-terminated list. */
static bool ext_in(const char *ext, const char *const *list)
{
    if (ext == NULL || ext[0] == '\0')
        return false;
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(ext, list[i]) == 0)
            return true;
    return false;
}

/* Extensions Windows runs on a double click as programs. */
static const char *const EXECUTABLE_EXTENSIONS[] = {
    "exe", "scr", "com",    "pif",         "dll",  "cpl",  "msi",
    "msp", "jar", "gadget", "application", "appx", "msix", NULL};
/* Extensions of scripts a double click hands to an interpreter. */
static const char *const SCRIPT_EXTENSIONS[] = {
    "js",  "jse", "vbs", "vbe", "wsf", "wsh", "ps1", "psm1", "psd1", "bat",
    "cmd", "hta", "sct", "vb",  "reg", "inf", "sh",  "py",   NULL};
/* Extensions of disk images Windows mounts on a double click, which
 * carries their contents past Mark-of-the-Web. */
static const char *const DISK_IMAGE_EXTENSIONS[] = {"iso", "img", "vhd", "vhdx",
                                                    "dmg", "udf", NULL};
/* Extensions of harmless-looking documents used as the decoy first part
 * of a double extension. */
static const char *const DECOY_EXTENSIONS[] = {
    "pdf",  "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "rtf",  "jpg",
    "jpeg", "png", "gif",  "bmp", "zip",  "rar", "7z",   "htm", "html", "csv",
    "odt",  "mp3", "mp4",  "avi", "wav",  "eml", "msg",  "xml", NULL};

/* Lower-cases the extension between two dots of a file name, ignoring the
 * spaces around it ("invoice.pdf   .exe"). Writes at most cap - 1 chars
 * and a NUL into out. */
static void extension_between(const char *start, const char *end, char *out,
                              size_t cap)
{
    while (start < end && ms_ascii_is_space(*start))
        start++;
    while (end > start && ms_ascii_is_space(end[-1]))
        end--;
    size_t len = 0;
    while (start < end && len < cap - 1)
        out[len++] = ms_ascii_lower(*start++);
    out[len] = '\0';
}

/* Flags names built to deceive: a double extension, bidirectional
 * overrides and runs of spaces. */
static ms_status name_traits(ms_arena *a, const char *name, ms_trait_list *list)
{
    ms_status rc = MS_OK;
    if (name == NULL)
        return MS_OK;
    /* Windows drops trailing dots and spaces when it saves a file, so
     * "invoice.pdf.exe." ends .pdf.exe. */
    size_t len = strlen(name);
    while (len > 0 && (name[len - 1] == '.' || name[len - 1] == ' '))
        len--;
    const char *end = name + len;
    const char *last = memrchr(name, '.', len);
    if (last != NULL && last != name) {
        const char *prev = last - 1;
        while (prev > name && *prev != '.')
            prev--;
        if (*prev == '.') {
            char outer[16], inner[16];
            extension_between(last + 1, end, outer, sizeof(outer));
            extension_between(prev + 1, last, inner, sizeof(inner));
            if ((ext_in(outer, EXECUTABLE_EXTENSIONS) ||
                 ext_in(outer, SCRIPT_EXTENSIONS) ||
                 strcmp(outer, "lnk") == 0) &&
                ext_in(inner, DECOY_EXTENSIONS))
                rc = ms_traits_add(a, list, "double_extension",
                                   "name ends .%s.%s: a .%s posing as a .%s",
                                   inner, outer, outer, inner);
        }
    }
    /* U+202E (RIGHT-TO-LEFT OVERRIDE) and its kin make "invoice_fdp.exe"
     * display as "invoice_exe.pdf". */
    static const struct {
        const char *utf8;
        const char *label;
    } BIDI[] = {{"\xe2\x80\xae", "U+202E right-to-left override"},
                {"\xe2\x80\xab", "U+202B right-to-left embedding"},
                {"\xe2\x81\xa7", "U+2067 right-to-left isolate"}};
    for (size_t i = 0; rc == MS_OK && i < sizeof(BIDI) / sizeof(BIDI[0]); i++)
        if (strstr(name, BIDI[i].utf8) != NULL)
            rc = ms_traits_add(a, list, "rtl_override", "name holds %s",
                               BIDI[i].label);
    /* "invoice.pdf                       .exe": the padding pushes the
     * real extension past the width of the client's file name column. */
    size_t run = 0, longest = 0;
    for (const char *c = name; *c; c++) {
        if (*c == ' ' || *c == '\t')
            run++;
        else if ((unsigned char)c[0] == 0xc2 && (unsigned char)c[1] == 0xa0) {
            run++;
            c++;
        } else
            run = 0;
        if (run > longest)
            longest = run;
    }
    if (rc == MS_OK && longest >= MS_TRAITS_SPACE_RUN)
        rc = ms_traits_add(a, list, "space_padding_name",
                           "name holds %zu spaces in a row", longest);
    return rc;
}

/* True when the MIME type starts with prefix. */
static bool mime_starts(const char *mime, const char *prefix)
{
    return mime != NULL && strncmp(mime, prefix, strlen(prefix)) == 0;
}

/* Flags programs, scripts and shortcuts, by header, extension and
 * libmagic's type: any of them runs code when opened. */
static ms_status program_traits(ms_arena *a, const ms_traits_input *in,
                                ms_trait_list *list)
{
    ms_status rc = MS_OK;
    const char *kind = ms_traits_executable_kind(in->data, in->size);
    if (kind != NULL)
        rc = ms_traits_add(a, list, "executable", "%s executable header", kind);
    else if (ext_in(in->extension, EXECUTABLE_EXTENSIONS))
        rc = ms_traits_add(a, list, "executable",
                           ".%s is run as a program on Windows", in->extension);
    if (rc != MS_OK)
        return rc;
    if (ext_in(in->extension, SCRIPT_EXTENSIONS))
        rc = ms_traits_add(a, list, "script",
                           ".%s is run by a script host when opened",
                           in->extension);
    else if (mime_starts(in->mime_type, "text/x-shellscript") ||
             mime_starts(in->mime_type, "text/x-msdos-batch") ||
             mime_starts(in->mime_type, "application/javascript") ||
             mime_starts(in->mime_type, "text/javascript") ||
             mime_starts(in->mime_type, "text/x-python") ||
             mime_starts(in->mime_type, "text/x-perl"))
        rc = ms_traits_add(a, list, "script", "content is %s", in->mime_type);
    if (rc != MS_OK)
        return rc;
    static const unsigned char LNK_HEADER[] = {0x4c, 0, 0, 0, 0x01, 0x14, 0x02,
                                               0,    0, 0, 0, 0,    0xc0, 0,
                                               0,    0, 0, 0, 0,    0x46};
    if (in->size >= sizeof(LNK_HEADER) &&
        memcmp(in->data, LNK_HEADER, sizeof(LNK_HEADER)) == 0)
        rc = ms_traits_add(a, list, "shortcut",
                           "Windows shortcut (.lnk) header: runs a command");
    else if (in->extension != NULL && strcmp(in->extension, "lnk") == 0)
        rc = ms_traits_add(a, list, "shortcut",
                           ".lnk is a Windows shortcut: runs a command");
    return rc;
}

/* True when the file is an Office Open XML document by type or name. */
static bool is_ooxml(const ms_traits_input *in)
{
    static const char *const OOXML_EXTENSIONS[] = {
        "docx", "docm", "dotm", "dotx", "xlsx", "xlsm", "xltm",
        "xlam", "pptx", "pptm", "ppsm", "potm", NULL};
    return mime_starts(in->mime_type,
                       "application/vnd.openxmlformats-officedocument.") ||
           mime_starts(in->mime_type, "application/vnd.ms-word.") ||
           mime_starts(in->mime_type, "application/vnd.ms-excel.") ||
           mime_starts(in->mime_type, "application/vnd.ms-powerpoint.") ||
           ext_in(in->extension, OOXML_EXTENSIONS);
}

/* Flags Office documents that carry VBA macros, the classic first stage
 * of a malware infection ("enable content to view this invoice"). */
static ms_status macro_traits(ms_arena *a, const ms_traits_input *in,
                              ms_trait_list *list)
{
    if (ms_traits_ole_has_vba(in->data, in->size))
        return ms_traits_add(a, list, "office_macro",
                             "OLE compound file with a VBA storage");
    if (in->size >= 4 && memcmp(in->data, "PK\x03\x04", 4) == 0 &&
        is_ooxml(in) &&
        ms_archive_has_member(in->data, in->size, "vbaProject.bin",
                              OOXML_MAX_MEMBERS))
        return ms_traits_add(a, list, "office_macro",
                             "Office Open XML file with vbaProject.bin");
    return MS_OK;
}

/* True when the PDF header appears in the first KB, where readers look
 * for it (junk before it is tolerated, and used to dodge scanners). */
static bool looks_like_pdf(const ms_traits_input *in)
{
    size_t n = in->size < 1024 ? in->size : 1024;
    ms_slice head = {(const char *)in->data, n};
    return ms_slice_find_ci(head, MS_SLICE_LIT("%PDF-")) != (size_t)-1 ||
           (in->mime_type != NULL &&
            strcmp(in->mime_type, "application/pdf") == 0);
}

/* Flags PDF features that run code or drop files when the document is
 * opened. */
static ms_status pdf_traits(ms_arena *a, const ms_traits_input *in,
                            ms_trait_list *list)
{
    if (!looks_like_pdf(in))
        return MS_OK;
    size_t n = in->size < MS_TRAITS_MAX_SCAN_BYTES ? in->size
                                                   : MS_TRAITS_MAX_SCAN_BYTES;
    unsigned found = ms_traits_pdf_scan(in->data, n);
    const char *how =
        (found & MS_PDF_OBFUSCATED) ? " (name hidden with #xx escapes)" : "";
    ms_status rc = MS_OK;
    if (found & MS_PDF_JAVASCRIPT)
        rc = ms_traits_add(a, list, "pdf_javascript",
                           "PDF holds /JavaScript or /JS%s", how);
    if (rc == MS_OK && (found & MS_PDF_OPEN_ACTION))
        rc = ms_traits_add(a, list, "pdf_open_action",
                           "PDF runs an /OpenAction when opened%s", how);
    if (rc == MS_OK && (found & MS_PDF_AUTO_ACTION))
        rc = ms_traits_add(a, list, "pdf_auto_action",
                           "PDF has /AA additional actions%s", how);
    if (rc == MS_OK && (found & MS_PDF_LAUNCH))
        rc = ms_traits_add(a, list, "pdf_launch",
                           "PDF has a /Launch action that starts a program%s",
                           how);
    if (rc == MS_OK && (found & MS_PDF_EMBEDDED))
        rc = ms_traits_add(a, list, "pdf_embedded_file",
                           "PDF carries /EmbeddedFile%s", how);
    return rc;
}

/* Flags HTML attachments with forms or scripts: a local HTML file opens
 * in the browser from file://, out of reach of URL filters, and is the
 * usual carrier of credential-phishing pages and HTML smuggling. */
static ms_status html_traits(ms_arena *a, const ms_traits_input *in,
                             ms_trait_list *list)
{
    static const char *const HTML_EXTENSIONS[] = {
        "htm", "html", "xhtml", "shtml", "hta", "svg", NULL};
    bool html = ext_in(in->extension, HTML_EXTENSIONS) ||
                mime_starts(in->mime_type, "text/html") ||
                mime_starts(in->mime_type, "image/svg") ||
                mime_starts(in->declared, "text/html");
    if (!html)
        return MS_OK;
    size_t n = in->size < MS_TRAITS_MAX_SCAN_BYTES ? in->size
                                                   : MS_TRAITS_MAX_SCAN_BYTES;
    ms_slice body = {(const char *)in->data, n};
    ms_status rc = MS_OK;
    if (ms_slice_find_ci(body, MS_SLICE_LIT("<form")) != (size_t)-1)
        rc = ms_traits_add(a, list, "html_form",
                           "HTML attachment with a <form>");
    if (rc == MS_OK &&
        ms_slice_find_ci(body, MS_SLICE_LIT("<script")) != (size_t)-1)
        rc = ms_traits_add(a, list, "html_script",
                           "HTML attachment with a <script>");
    return rc;
}

/* Flags disk images: mounted by a double click, they hide their payload
 * from Mark-of-the-Web and from scanners that do not open them. */
static ms_status disk_image_traits(ms_arena *a, const ms_traits_input *in,
                                   ms_trait_list *list)
{
    const unsigned char *p = in->data;
    size_t n = in->size;
    const char *kind = NULL;
    if (n >= 0x8006 && memcmp(p + 0x8001, "CD001", 5) == 0)
        kind = "ISO 9660";
    else if (n >= 8 && memcmp(p, "vhdxfile", 8) == 0)
        kind = "VHDX";
    else if (n >= 512 && (memcmp(p, "conectix", 8) == 0 ||
                          memcmp(p + n - 512, "conectix", 8) == 0))
        kind = "VHD";
    else if (n >= 512 && memcmp(p + n - 512, "koly", 4) == 0)
        kind = "Apple disk image";
    if (kind != NULL)
        return ms_traits_add(a, list, "disk_image", "%s disk image", kind);
    if (ext_in(in->extension, DISK_IMAGE_EXTENSIONS))
        return ms_traits_add(a, list, "disk_image",
                             ".%s is mounted as a disk by a double click",
                             in->extension);
    return MS_OK;
}

/* Judges the file (see traits.h). */
ms_status ms_traits_detect(ms_arena *a, const ms_traits_input *in,
                           ms_trait_list *list)
{
    ms_status rc = program_traits(a, in, list);
    if (rc == MS_OK)
        rc = macro_traits(a, in, list);
    if (rc == MS_OK)
        rc = pdf_traits(a, in, list);
    if (rc == MS_OK)
        rc = html_traits(a, in, list);
    if (rc == MS_OK)
        rc = disk_image_traits(a, in, list);
    if (rc == MS_OK)
        rc = name_traits(a, in->filename, list);
    return rc;
}
