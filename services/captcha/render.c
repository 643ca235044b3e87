/* render.c -- captcha images: scaled bitmap glyphs, per-character rotation
 * and shear, a sine warp of the whole text, and noise lines, arcs and dots.
 *
 * The glyphs come from gd's built-in Giant font (bold, 9x15), sampled
 * through an inverse transform, so no TrueType font needs to be installed.
 * Every random choice uses libsodium's generator: an attacker who saw many
 * images learns nothing about the next one. Text is dark on a light ground
 * and thicker than any noise stroke, so people can still read it. */
#include "render.h"

#include <gd.h>
#include <gdfontg.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "challenge.h"

#define W CAPTCHA_WIDTH
#define H CAPTCHA_HEIGHT

/* Uniform integer in [lo, hi]. */
static int rnd(int lo, int hi) { return lo + (int)randombytes_uniform((uint32_t)(hi - lo + 1)); }
/* Uniform real in [lo, hi]. */
static double rndf(double lo, double hi) { return lo + (hi - lo) * randombytes_uniform(1000001) / 1e6; }

/* The text before warping: coverage (0..1) and colour of each pixel. */
typedef struct {
    float alpha[H][W];
    int colour[H][W];
} layer;

/* Whether pixel (x, y) of glyph c is set; out of range is unset. */
static int glyph_bit(const gdFont *f, int c, int x, int y) {
    if (x < 0 || y < 0 || x >= f->w || y >= f->h) return 0;
    return f->data[(size_t)(c - f->offset) * (size_t)(f->w * f->h) + (size_t)(y * f->w + x)] != 0;
}

/* Bilinear coverage of glyph c at real glyph coordinates (gx, gy). */
static double glyph_sample(const gdFont *f, int c, double gx, double gy) {
    gx -= 0.5;
    gy -= 0.5;
    int x0 = (int)floor(gx), y0 = (int)floor(gy);
    double fx = gx - x0, fy = gy - y0;
    return (1 - fx) * (1 - fy) * glyph_bit(f, c, x0, y0) + fx * (1 - fy) * glyph_bit(f, c, x0 + 1, y0) +
           (1 - fx) * fy * glyph_bit(f, c, x0, y0 + 1) + fx * fy * glyph_bit(f, c, x0 + 1, y0 + 1);
}

/* A dark colour, random hue: strong contrast against the light ground. */
static int dark_colour(void) {
    int r = rnd(0, 110), g = rnd(0, 110), b = rnd(0, 110);
    while (0.299 * r + 0.587 * g + 0.114 * b > 80) { r /= 2; g /= 2; b /= 2; }
    return gdTrueColor(r, g, b);
}

/* Draws character c centred on (cx, cy), scaled by (sx, sy), sheared by k
 * and rotated by theta, into the layer. */
static void draw_glyph(layer *l, const gdFont *f, int c, double cx, double cy, double sx, double sy,
                       double k, double theta, int colour) {
    double co = cos(theta), si = sin(theta);
    int reach = (int)(f->h * sy * 0.75) + 2;
    for (int y = (int)cy - reach; y <= (int)cy + reach; y++) {
        if (y < 0 || y >= H) continue;
        for (int x = (int)cx - reach; x <= (int)cx + reach; x++) {
            if (x < 0 || x >= W) continue;
            /* Inverse transform: undo the rotation, then the shear, then the scale. */
            double u = x - cx, v = y - cy;
            double ur = co * u + si * v, vr = -si * u + co * v;
            double gx = (ur - k * vr) / sx + f->w / 2.0, gy = vr / sy + f->h / 2.0;
            double cov = glyph_sample(f, c, gx, gy);
            /* Sharpen the bilinear ramp into a narrow anti-aliased edge. */
            double a = (cov - 0.3) / 0.4;
            a = a < 0 ? 0 : a > 1 ? 1 : a;
            if (a > l->alpha[y][x]) {
                l->alpha[y][x] = (float)a;
                l->colour[y][x] = colour;
            }
        }
    }
}

/* Lays the characters out left to right with random size, slant, rotation,
 * height and colour (each character its own). */
static void draw_text(layer *l, const char *text) {
    const gdFont *f = gdFontGetGiant();
    size_t n = strlen(text);
    double margin = 14, slot = (W - 2 * margin) / (double)n;
    double x = margin + slot / 2 + rndf(-3, 3);
    int colour = dark_colour();
    for (size_t i = 0; i < n; i++) {
        double sx = rndf(2.6, 3.2) * (slot < 30 ? slot / 30 : 1), sy = rndf(2.7, 3.2);
        double cy = H / 2.0 + rndf(-5, 5);
        if (randombytes_uniform(3) == 0) colour = dark_colour();
        draw_glyph(l, f, (unsigned char)text[i], x, cy, sx, sy, rndf(-0.25, 0.25), rndf(-0.25, 0.25), colour);
        x += slot + rndf(-3, 2);
    }
}

/* Light ground with a gentle diagonal gradient between two random tints. */
static int ground(int x, int y, const int a[3], const int b[3], int rgb[3]) {
    double t = (x + 0.5 * y) / (W + 0.5 * H);
    for (int i = 0; i < 3; i++) rgb[i] = (int)(a[i] + (b[i] - a[i]) * t);
    return gdTrueColor(rgb[0], rgb[1], rgb[2]);
}

/* Paints the ground, then the text layer through a sine warp: each output
 * pixel reads the layer at a displaced position, bending every stroke. */
static void compose(gdImagePtr im, const layer *l) {
    int a[3], b[3];
    for (int i = 0; i < 3; i++) {
        a[i] = rnd(220, 255);
        b[i] = rnd(220, 255);
    }
    double ax = rndf(2.5, 4.5), px = rndf(45, 80), p1 = rndf(0, 2 * M_PI);
    double ay = rndf(3, 5.5), py = rndf(70, 130), p2 = rndf(0, 2 * M_PI);
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            int bg[3];
            int colour = ground(x, y, a, b, bg);
            int xs = (int)lround(x + ax * sin(2 * M_PI * y / px + p1));
            int ys = (int)lround(y + ay * sin(2 * M_PI * x / py + p2));
            float al = (xs >= 0 && ys >= 0 && xs < W && ys < H) ? l->alpha[ys][xs] : 0;
            if (al > 0) {
                int c = l->colour[ys][xs];
                int fg[3] = { gdTrueColorGetRed(c), gdTrueColorGetGreen(c), gdTrueColorGetBlue(c) };
                for (int i = 0; i < 3; i++) bg[i] = (int)lround(bg[i] * (1 - al) + fg[i] * al);
                colour = gdTrueColor(bg[0], bg[1], bg[2]);
            }
            gdImageSetPixel(im, x, y, colour);
        }
    }
}

/* A mid-tone colour: visible over the ground, yet lighter than the text,
 * so a stroke of noise is not read as part of a character. */
static int mid_colour(void) { return gdTrueColor(rnd(100, 175), rnd(100, 175), rnd(100, 175)); }

/* A wavy line across the whole width. */
static void wave(gdImagePtr im, int colour, int thickness) {
    double y0 = rndf(15, H - 15), amp = rndf(4, 14), per = rndf(60, 200), ph = rndf(0, 2 * M_PI);
    double slope = rndf(-0.15, 0.15);
    gdImageSetThickness(im, thickness);
    int px = 0, py = (int)(y0 + amp * sin(ph));
    for (int x = 4; x <= W; x += 4) {
        int y = (int)(y0 + slope * x + amp * sin(2 * M_PI * x / per + ph));
        gdImageLine(im, px, py, x, y, colour);
        px = x;
        py = y;
    }
}

/* Noise that crosses the text: wavy lines and arcs thinner than the
 * strokes (at most one of them dark and then only 1 px), plus scattered
 * dots, mid-tone and light. */
static void noise(gdImagePtr im) {
    for (int n = rnd(1, 2); n > 0; n--) wave(im, mid_colour(), 2);
    wave(im, randombytes_uniform(2) ? dark_colour() : mid_colour(), 1);
    gdImageSetThickness(im, 1);
    for (int n = rnd(1, 2); n > 0; n--) {
        int w = rnd(W / 2, W * 2), h = rnd(H / 2, H * 2);
        gdImageArc(im, rnd(0, W), rnd(0, H), w, h, rnd(0, 360), rnd(0, 360), mid_colour());
    }
    for (int n = rnd(350, 500); n > 0; n--) {
        int colour = randombytes_uniform(3) ? gdTrueColor(rnd(60, 200), rnd(60, 200), rnd(60, 200))
                                            : gdTrueColor(rnd(225, 255), rnd(225, 255), rnd(225, 255));
        gdImageSetPixel(im, rnd(0, W - 1), rnd(0, H - 1), colour);
    }
}

pc_status captcha_render_png(const char *text, unsigned char **png, size_t *len) {
    *png = NULL;
    *len = 0;
    size_t n = text ? strlen(text) : 0;
    if (n == 0 || n > CAPTCHA_ANSWER_MAX) return PC_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (text[i] < 33 || text[i] > 126) return PC_EINVAL;
    layer *l = calloc(1, sizeof *l);
    gdImagePtr im = l ? gdImageCreateTrueColor(W, H) : NULL;
    pc_status st = PC_ERROR;
    if (!im) goto out;
    draw_text(l, text);
    compose(im, l);
    noise(im);
    /* A 64-colour palette keeps the PNG (and the Kafka reply) small. */
    gdImageTrueColorToPalette(im, 0, 64);
    int size = 0;
    void *bytes = gdImagePngPtrEx(im, &size, 9);
    if (bytes && size > 0 && (*png = malloc((size_t)size)) != NULL) {
        memcpy(*png, bytes, (size_t)size);
        *len = (size_t)size;
        st = PC_OK;
    }
    gdFree(bytes);
out:
    if (im) gdImageDestroy(im);
    free(l);
    return st;
}

char *captcha_render_data_url(const unsigned char *png, size_t len) {
    static const char prefix[] = "data:image/png;base64,";
    size_t b64 = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *url = malloc(sizeof prefix - 1 + b64);
    if (!url) return NULL;
    memcpy(url, prefix, sizeof prefix - 1);
    sodium_bin2base64(url + sizeof prefix - 1, b64, png, len, sodium_base64_VARIANT_ORIGINAL);
    return url;
}
