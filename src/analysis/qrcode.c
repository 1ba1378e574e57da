/* SPDX-License-Identifier: MIT */
/*
 * QR codes in images; see qrcode.h.
 */
#include "analysis/qrcode.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>
#include <zbar.h>

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
    zbar_image_scanner_t *scanner = zbar_image_scanner_create();
    zbar_image_t *image = zbar_image_create();
    if (scanner == NULL || image == NULL) {
        rc = MS_ENOMEM;
        goto out;
    }
    /* QR codes only: the other symbologies cost time and find bar codes
     * on parcels */
    zbar_image_scanner_set_config(scanner, 0, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(image, width, height);
    zbar_image_set_data(image, grey, (unsigned long)width * height, NULL);
    if (zbar_scan_image(scanner, image) > 0) {
        for (const zbar_symbol_t *sym = zbar_image_first_symbol(image);
             sym && *n_texts < MS_QR_MAX_CODES; sym = zbar_symbol_next(sym)) {
            const char *data = zbar_symbol_get_data(sym);
            unsigned len = zbar_symbol_get_data_length(sym);
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
        zbar_image_destroy(image);
    if (scanner)
        zbar_image_scanner_destroy(scanner);
    free(grey);
    return rc;
}
