/* SPDX-License-Identifier: MIT */
/*
 * QR codes in images; see qrcode.h.
 */
#include "analysis/qrcode.h"

#include <dlfcn.h>
#include <stddef.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>
#include <zbar.h>

#include "util/log.h"

/* The zbar library, opened at the first image to scan. */
#define ZBAR_SONAME "libzbar.so.0"

/*
 * zbar is opened with dlopen() at the first image, not linked: it pulls
 * in fifteen shared libraries (D-Bus, systemd, X11, video4linux and what
 * they need) whose loading and relocation were a quarter of the dynamic
 * loader's work at every start of mailscope, and most runs never scan an
 * image.
 */
typedef struct zbar_api {
    zbar_image_scanner_t *(*image_scanner_create)(void);
    void (*image_scanner_destroy)(zbar_image_scanner_t *);
    int (*image_scanner_set_config)(zbar_image_scanner_t *, zbar_symbol_type_t,
                                    zbar_config_t, int);
    zbar_image_t *(*image_create)(void);
    void (*image_destroy)(zbar_image_t *);
    void (*image_set_format)(zbar_image_t *, unsigned long);
    void (*image_set_size)(zbar_image_t *, unsigned, unsigned);
    void (*image_set_data)(zbar_image_t *, const void *, unsigned long,
                           zbar_image_cleanup_handler_t *);
    int (*scan_image)(zbar_image_scanner_t *, zbar_image_t *);
    const zbar_symbol_t *(*image_first_symbol)(const zbar_image_t *);
    const zbar_symbol_t *(*symbol_next)(const zbar_symbol_t *);
    const char *(*symbol_get_data)(const zbar_symbol_t *);
    unsigned (*symbol_get_data_length)(const zbar_symbol_t *);
} zbar_api;

static zbar_api zbar;
static bool zbar_loaded;
static pthread_once_t zbar_once = PTHREAD_ONCE_INIT;

/* Opens zbar and looks up every function of zbar_api; zbar_loaded says
 * whether all were found. Runs once per process (pthread_once). */
static void zbar_load(void)
{
    void *lib = dlopen(ZBAR_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        MS_LOG_WARN(NULL, "QR codes not read: %s", dlerror());
        return;
    }
    static const struct {
        const char *name;
        size_t offset;
    } symbols[] = {
        {"zbar_image_scanner_create", offsetof(zbar_api, image_scanner_create)},
        {"zbar_image_scanner_destroy",
         offsetof(zbar_api, image_scanner_destroy)},
        {"zbar_image_scanner_set_config",
         offsetof(zbar_api, image_scanner_set_config)},
        {"zbar_image_create", offsetof(zbar_api, image_create)},
        {"zbar_image_destroy", offsetof(zbar_api, image_destroy)},
        {"zbar_image_set_format", offsetof(zbar_api, image_set_format)},
        {"zbar_image_set_size", offsetof(zbar_api, image_set_size)},
        {"zbar_image_set_data", offsetof(zbar_api, image_set_data)},
        {"zbar_scan_image", offsetof(zbar_api, scan_image)},
        {"zbar_image_first_symbol", offsetof(zbar_api, image_first_symbol)},
        {"zbar_symbol_next", offsetof(zbar_api, symbol_next)},
        {"zbar_symbol_get_data", offsetof(zbar_api, symbol_get_data)},
        {"zbar_symbol_get_data_length",
         offsetof(zbar_api, symbol_get_data_length)},
    };
    for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
        void *f = dlsym(lib, symbols[i].name);
        if (f == NULL) {
            MS_LOG_WARN(NULL, "QR codes not read: %s has no %s", ZBAR_SONAME,
                        symbols[i].name);
            return;
        }
        memcpy((char *)&zbar + symbols[i].offset, &f, sizeof(f));
    }
    zbar_loaded = true;
}

static const unsigned char png_magic[8] = {0x89, 'P',  'N',  'G',
                                           '\r', '\n', 0x1a, '\n'};

/* True when the bytes start like a PNG or a JPEG file. */
int ms_qr_is_image(const unsigned char *p, size_t n)
{
    if (n >= 8 && memcmp(p, png_magic, 8) == 0)
        return 1;
    return n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff;
}

/* Decodes a PNG into malloc'd grey levels; NULL when it is broken or too
 * large. */
static unsigned char *png_grey(const unsigned char *p, size_t n,
                               unsigned *width, unsigned *height)
{
    png_image image;
    memset(&image, 0, sizeof(image));
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, p, n))
        return NULL;
    if (image.width == 0 || image.height == 0 ||
        (unsigned long long)image.width * image.height > MS_QR_MAX_PIXELS) {
        png_image_free(&image);
        return NULL;
    }
    image.format = PNG_FORMAT_GRAY;
    unsigned char *grey = malloc(PNG_IMAGE_SIZE(image));
    if (grey == NULL) {
        png_image_free(&image);
        return NULL;
    }
    if (!png_image_finish_read(&image, NULL, grey, 0, NULL)) {
        png_image_free(&image);
        free(grey);
        return NULL;
    }
    *width = image.width;
    *height = image.height;
    return grey;
}

/* libjpeg reports errors by calling error_exit, which must not return:
 * it jumps back to the decoder. */
typedef struct jpeg_failure {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
} jpeg_failure;

static void jpeg_fail(j_common_ptr cinfo)
{
    jpeg_failure *f = (jpeg_failure *)cinfo->err;
    longjmp(f->jump, 1);
}

static void jpeg_quiet(j_common_ptr cinfo)
{
    (void)cinfo; /* warnings of broken files are not ours to print */
}

/* Decodes a JPEG into malloc'd grey levels; NULL when it is broken or
 * too large. */
static unsigned char *jpeg_grey(const unsigned char *p, size_t n,
                                unsigned *width, unsigned *height)
{
    struct jpeg_decompress_struct cinfo;
    jpeg_failure failure;
    unsigned char *volatile grey = NULL;
    cinfo.err = jpeg_std_error(&failure.mgr);
    failure.mgr.error_exit = jpeg_fail;
    failure.mgr.output_message = jpeg_quiet;
    if (setjmp(failure.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(grey);
        return NULL;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, p, (unsigned long)n);
    if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK ||
        cinfo.image_width == 0 || cinfo.image_height == 0 ||
        (unsigned long long)cinfo.image_width * cinfo.image_height >
            MS_QR_MAX_PIXELS) {
        jpeg_destroy_decompress(&cinfo);
        return NULL;
    }
    cinfo.out_color_space = JCS_GRAYSCALE;
    jpeg_start_decompress(&cinfo);
    unsigned w = cinfo.output_width, h = cinfo.output_height;
    if ((unsigned long long)w * h > MS_QR_MAX_PIXELS ||
        cinfo.output_components != 1) {
        jpeg_destroy_decompress(&cinfo);
        return NULL;
    }
    grey = malloc((size_t)w * h);
    if (grey == NULL) {
        jpeg_destroy_decompress(&cinfo);
        return NULL;
    }
    while (cinfo.output_scanline < h) {
        JSAMPROW row = grey + (size_t)cinfo.output_scanline * w;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    *width = w;
    *height = h;
    return grey;
}

/* Decodes the QR codes of an image; see qrcode.h. */
ms_status ms_qr_decode(ms_arena *a, const unsigned char *p, size_t n,
                       const char **texts, size_t *n_texts)
{
    *n_texts = 0;
    if (p == NULL || !ms_qr_is_image(p, n))
        return MS_OK;
    unsigned width = 0, height = 0;
    unsigned char *grey = p[0] == 0x89 ? png_grey(p, n, &width, &height)
                                       : jpeg_grey(p, n, &width, &height);
    if (grey == NULL)
        return MS_OK;
    ms_status rc = MS_OK;
    zbar_image_scanner_t *scanner = NULL;
    zbar_image_t *image = NULL;
    pthread_once(&zbar_once, zbar_load);
    if (!zbar_loaded)
        goto out;
    scanner = zbar.image_scanner_create();
    image = zbar.image_create();
    if (scanner == NULL || image == NULL) {
        rc = MS_ENOMEM;
        goto out;
    }
    /* QR codes only: the other symbologies cost time and find bar codes
     * on parcels */
    zbar.image_scanner_set_config(scanner, 0, ZBAR_CFG_ENABLE, 0);
    zbar.image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar.image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
    zbar.image_set_size(image, width, height);
    zbar.image_set_data(image, grey, (unsigned long)width * height, NULL);
    if (zbar.scan_image(scanner, image) > 0) {
        for (const zbar_symbol_t *sym = zbar.image_first_symbol(image);
             sym && *n_texts < MS_QR_MAX_CODES; sym = zbar.symbol_next(sym)) {
            const char *data = zbar.symbol_get_data(sym);
            unsigned len = zbar.symbol_get_data_length(sym);
            if (data == NULL || len == 0)
                continue;
            char *copy = ms_arena_strndup(a, data, len);
            if (copy == NULL) {
                rc = MS_ENOMEM;
                break;
            }
            texts[(*n_texts)++] = copy;
        }
    }
out:
    if (image)
        zbar.image_destroy(image);
    if (scanner)
        zbar.image_scanner_destroy(scanner);
    free(grey);
    return rc;
}
