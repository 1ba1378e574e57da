/* SPDX-License-Identifier: MIT */
/*
 * libmagic identification and type-mismatch checks (see filetype.h).
 *
 * One magic_t serves both questions: the MIME type (MAGIC_MIME_TYPE) and
 * the human description (no flags), switched with magic_setflags between
 * two magic_buffer calls on the same prefix. libmagic returns strings it
 * owns until the next call, so both are copied into the message arena.
 *
 * The mismatch check groups file types into families, each a set of
 * extensions and the MIME types libmagic or a mail client may give that
 * kind of file. A claim (declared type or extension) mismatches when no
 * family that admits the claim also admits the true type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <magic.h>

#include "analysis/filetype.h"
#include "util/ascii.h"

struct ms_filetype_scratch {
    magic_t cookie;
};

/* A family of files: the extensions that promise it and the MIME types
 * that deliver it. A MIME entry ending in '*' matches any type that
 * starts with the part before the star. Lists end with NULL. */
typedef struct file_family {
    const char *name;
    const char *extensions[12];
    const char *mime_types[12];
} file_family;

static const file_family FAMILIES[] = {
    {"PDF document", {"pdf", NULL}, {"application/pdf", NULL}},
    /* No "com": a COM program is raw code without a header, so any
     * bytes are one (the EICAR test file is printable text) and the
     * claim cannot be checked against libmagic's type. */
    {"Windows executable",
     {"exe", "dll", "scr", "sys", "cpl", "ocx", NULL},
     {"application/x-dosexec", "application/vnd.microsoft.portable-executable",
      "application/x-msdownload", "application/x-msdos-program", NULL}},
    {"ZIP archive",
     {"zip", NULL},
     {"application/zip", "application/x-zip-compressed", "application/x-zip",
      NULL}},
    {"Office Open XML document",
     {"docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "pptx", "pptm",
      "ppsx", NULL},
     {"application/vnd.openxmlformats-officedocument.*",
      "application/vnd.ms-word.*", "application/vnd.ms-excel.*",
      "application/vnd.ms-powerpoint.*", "application/zip", NULL}},
    {"OpenDocument",
     {"odt", "ods", "odp", "odg", NULL},
     {"application/vnd.oasis.opendocument.*", "application/zip", NULL}},
    {"OLE2 Office document",
     {"doc", "dot", "xls", "xlt", "ppt", "pps", "msg", NULL},
     {"application/msword", "application/vnd.ms-excel",
      "application/vnd.ms-powerpoint", "application/vnd.ms-office",
      "application/vnd.ms-outlook", "application/x-ole-storage",
      "application/CDFV2", "application/cdfv2", NULL}},
    {"RTF document", {"rtf", NULL}, {"text/rtf", "application/rtf", NULL}},
    {"JPEG image", {"jpg", "jpeg", "jpe", NULL}, {"image/jpeg", NULL}},
    {"PNG image", {"png", NULL}, {"image/png", NULL}},
    {"GIF image", {"gif", NULL}, {"image/gif", NULL}},
    {"BMP image", {"bmp", NULL}, {"image/bmp", "image/x-ms-bmp", NULL}},
    {"TIFF image", {"tif", "tiff", NULL}, {"image/tiff", NULL}},
    {"plain text",
     {"txt", "csv", "log", NULL},
     {"text/*", "application/csv", NULL}},
    {"HTML document",
     {"htm", "html", "shtml", "xhtml", NULL},
     {"text/html", "text/xml", "application/xhtml+xml", "text/plain", NULL}},
    {"RAR archive",
     {"rar", NULL},
     {"application/x-rar", "application/vnd.rar",
      "application/x-rar-compressed", NULL}},
    {"7-Zip archive", {"7z", NULL}, {"application/x-7z-compressed", NULL}},
    {"gzip file",
     {"gz", "tgz", NULL},
     {"application/gzip", "application/x-gzip", NULL}},
    {"tar archive", {"tar", NULL}, {"application/x-tar", NULL}},
    {"bzip2 file",
     {"bz2", "tbz2", NULL},
     {"application/x-bzip2", "application/x-bzip", NULL}},
    {"xz file", {"xz", "txz", NULL}, {"application/x-xz", NULL}},
    {"cabinet archive",
     {"cab", NULL},
     {"application/vnd.ms-cab-compressed", NULL}},
    {"ISO 9660 image", {"iso", NULL}, {"application/x-iso9660-image", NULL}},
};

#define N_FAMILIES (sizeof(FAMILIES) / sizeof(FAMILIES[0]))

/* Loads libmagic for the calling thread (see filetype.h). */
ms_status ms_filetype_scratch_new(ms_filetype_scratch **out, char *err,
                                  size_t err_size)
{
    *out = NULL;
    ms_filetype_scratch *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return MS_ENOMEM;
    /* MAGIC_NO_CHECK_COMPRESS: libmagic must not decompress what it
     * sees; archives are opened, with limits, by archive.c. */
    s->cookie = magic_open(MAGIC_NO_CHECK_COMPRESS);
    if (s->cookie == NULL) {
        free(s);
        return MS_ENOMEM;
    }
    if (magic_load(s->cookie, NULL) != 0) {
        snprintf(err, err_size, "libmagic database: %s",
                 magic_error(s->cookie) ? magic_error(s->cookie) : "?");
        magic_close(s->cookie);
        free(s);
        return MS_EINVAL;
    }
    *out = s;
    return MS_OK;
}

/* Frees the scratch and its libmagic handle. */
void ms_filetype_scratch_free(ms_filetype_scratch *s)
{
    if (s == NULL)
        return;
    magic_close(s->cookie);
    free(s);
}

/* Runs libmagic with flags on the buffer and copies its answer into the
 * arena, or fallback when it has none. Returns NULL when out of memory. */
static const char *magic_answer(ms_filetype_scratch *s, ms_arena *a, int flags,
                                const unsigned char *p, size_t n,
                                const char *fallback)
{
    const char *answer = NULL;
    /* libmagic's text tests run strndup on the buffer and can read past
     * its end when it holds no NUL (AddressSanitizer caught it in the
     * fuzz target): hand it a copy that ends with one */
    unsigned char *copy = ms_arena_alloc(a, n + 1);
    if (copy == NULL)
        return NULL;
    if (n)
        memcpy(copy, p, n);
    copy[n] = 0;
    if (magic_setflags(s->cookie, flags | MAGIC_NO_CHECK_COMPRESS) == 0)
        answer = magic_buffer(s->cookie, copy, n);
    if (answer == NULL || answer[0] == '\0')
        answer = fallback;
    return ms_arena_strndup(a, answer, strlen(answer));
}

/* Identifies the bytes (see filetype.h). */
ms_status ms_filetype_detect(ms_filetype_scratch *s, ms_arena *a,
                             const unsigned char *p, size_t n,
                             const char **mime_type, const char **description)
{
    if (n > MS_FILETYPE_PREFIX_BYTES)
        n = MS_FILETYPE_PREFIX_BYTES;
    *mime_type =
        magic_answer(s, a, MAGIC_MIME_TYPE, p, n, "application/octet-stream");
    *description = magic_answer(s, a, MAGIC_NONE, p, n, "data");
    if (*mime_type == NULL || *description == NULL)
        return MS_ENOMEM;
    return MS_OK;
}

/* Returns the extension of filename (see filetype.h). */
const char *ms_filetype_extension(ms_arena *a, const char *filename)
{
    if (filename == NULL)
        return "";
    /* Windows drops trailing dots and spaces when it saves a file:
     * "order.vbs." is saved, and run, as "order.vbs". */
    size_t end = strlen(filename);
    while (end > 0 && (filename[end - 1] == '.' || filename[end - 1] == ' '))
        end--;
    const char *dot = memrchr(filename, '.', end);
    if (dot == NULL || dot + 1 == filename + end)
        return "";
    size_t len = (size_t)(filename + end - (dot + 1));
    if (len > MS_FILETYPE_MAX_EXTENSION)
        return "";
    char *ext = ms_arena_alloc(a, len + 1);
    if (ext == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (!ms_ascii_is_alnum(dot[1 + i]))
            return "";
        ext[i] = ms_ascii_lower(dot[1 + i]);
    }
    ext[len] = '\0';
    return ext;
}

/* True when the MIME pattern (maybe ending in '*') admits mime, ignoring
 * ASCII case. */
static bool mime_pattern_matches(const char *pattern, const char *mime)
{
    size_t len = strlen(pattern);
    if (len > 0 && pattern[len - 1] == '*')
        return strncasecmp(pattern, mime, len - 1) == 0;
    return strcasecmp(pattern, mime) == 0;
}

/* True when the family admits the MIME type. */
static bool family_has_mime(const file_family *f, const char *mime)
{
    for (size_t i = 0; f->mime_types[i] != NULL; i++)
        if (mime_pattern_matches(f->mime_types[i], mime))
            return true;
    return false;
}

/* True when the family admits the extension. */
static bool family_has_extension(const file_family *f, const char *ext)
{
    for (size_t i = 0; f->extensions[i] != NULL; i++)
        if (strcmp(f->extensions[i], ext) == 0)
            return true;
    return false;
}

/* Checks one claim against the true type. by_extension selects whether
 * claim is an extension or a MIME type. Returns the name of a family the
 * claim promises but the bytes are not, or NULL when the claim is
 * unknown to every family or some family admits both. */
static const char *claim_mismatch(const char *claim, bool by_extension,
                                  const char *true_mime)
{
    const char *promised = NULL;
    for (size_t i = 0; i < N_FAMILIES; i++) {
        const file_family *f = &FAMILIES[i];
        bool claimed = by_extension ? family_has_extension(f, claim)
                                    : family_has_mime(f, claim);
        if (!claimed)
            continue;
        if (family_has_mime(f, true_mime))
            return NULL;
        if (promised == NULL)
            promised = f->name;
    }
    return promised;
}

/* Compares the claims with the true type (see filetype.h). */
bool ms_filetype_mismatch(ms_arena *a, const char *declared,
                          const char *extension, const char *true_mime,
                          const char **reason)
{
    *reason = NULL;
    if (true_mime == NULL ||
        strcmp(true_mime, "application/octet-stream") == 0 ||
        strcmp(true_mime, "inode/x-empty") == 0)
        return false;
    const char *by_ext = NULL, *by_declared = NULL;
    if (extension != NULL && extension[0] != '\0')
        by_ext = claim_mismatch(extension, true, true_mime);
    if (declared != NULL && declared[0] != '\0')
        by_declared = claim_mismatch(declared, false, true_mime);
    if (by_ext == NULL && by_declared == NULL)
        return false;

    char text[256];
    if (by_ext != NULL && by_declared != NULL)
        snprintf(text, sizeof(text),
                 "extension .%s and declared %s promise a %s, content is %s",
                 extension, declared, by_ext, true_mime);
    else if (by_ext != NULL)
        snprintf(text, sizeof(text),
                 "extension .%s promises a %s, content is %s", extension,
                 by_ext, true_mime);
    else
        snprintf(text, sizeof(text), "declared %s promises a %s, content is %s",
                 declared, by_declared, true_mime);
    *reason = ms_arena_strndup(a, text, strlen(text));
    return true;
}
