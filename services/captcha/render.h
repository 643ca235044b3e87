/* render.h -- draws a captcha answer as a distorted PNG image (libgd, no
 * font files: gd's built-in bitmap font, scaled, rotated and warped). */
#ifndef CAPTCHA_RENDER_H
#define CAPTCHA_RENDER_H

#include <stddef.h>

#include "status.h"

#define CAPTCHA_WIDTH 200
#define CAPTCHA_HEIGHT 70

/* Renders text (1..CAPTCHA_ANSWER_MAX printable ASCII characters) into a
 * new CAPTCHA_WIDTH x CAPTCHA_HEIGHT PNG. On PC_OK *png (caller free()s)
 * holds *len bytes. PC_EINVAL for unusable text, PC_ERROR if libgd failed. */
pc_status captcha_render_png(const char *text, unsigned char **png, size_t *len);

/* "data:image/png;base64,..." for the PNG bytes; caller free()s. NULL when
 * out of memory. */
char *captcha_render_data_url(const unsigned char *png, size_t len);

#endif
