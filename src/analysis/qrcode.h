/* SPDX-License-Identifier: MIT */
/*
 * QR codes in images: phishing mails put the link in a QR code ("scan to
 * keep your mailbox") so that URL filters never see it. PNG and JPEG
 * images are decoded to grey levels (libpng, libjpeg) and read by zbar;
 * the text of each code is handed to the URL analyzer.
 *
 * Images are the attacker's bytes: the size is checked from the header
 * before any pixel is decoded, and a broken file is no code, not an
 * error.
 */
#ifndef MS_ANALYSIS_QRCODE_H
#define MS_ANALYSIS_QRCODE_H

#include <stddef.h>

#include "mailscope/arena.h"
#include "mailscope/status.h"

/* Pixels of the largest image decoded (a 5000 x 5000 picture). */
#define MS_QR_MAX_PIXELS (25u * 1000 * 1000)

/* Codes kept per image. */
#define MS_QR_MAX_CODES 8

/* True when the bytes start like a PNG or a JPEG file. */
int ms_qr_is_image(const unsigned char *p, size_t n);

/* Decodes the QR codes of the PNG or JPEG image of n bytes at p: their
 * texts (NUL-terminated, in the arena) into texts[0..*n_texts), at most
 * MS_QR_MAX_CODES. Anything else, a broken image or one larger than
 * MS_QR_MAX_PIXELS gives no code. Returns MS_OK, or MS_ENOMEM. */
ms_status ms_qr_decode(ms_arena *a, const unsigned char *p, size_t n,
                       const char **texts, size_t *n_texts);

#endif
