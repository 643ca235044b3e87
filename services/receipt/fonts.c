/* fonts.c -- where the receipt's fonts are, and a tag of their bytes. */
#include "fonts.h"

#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

static const char *const files[] = { "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf" };
#define SANS_CP1252 "DejaVuSans-CP1252.ttf"

const char *receipt_fonts_sans_cp1252(const char *dir) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, SANS_CP1252);
    return access(path, R_OK) == 0 ? SANS_CP1252 : "DejaVuSans.ttf";
}

static int has_fonts(const char *dir) {
    char path[600];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (access(path, R_OK) != 0) return 0;
    }
    return 1;
}

pc_status receipt_fonts_find(const char *configured, const char *system_dir, char *dir, size_t cap) {
    if (configured && *configured) {
        snprintf(dir, cap, "%s", configured);
        return has_fonts(dir) ? PC_OK : PC_ENOTFOUND;
    }
    /* The build's Latin subsets (make: $(B)/fonts), next to bin/. */
    char exe[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *bin = dirname(exe);
        snprintf(dir, cap, "%s/../fonts", bin);
        if (has_fonts(dir)) return PC_OK;
    }
    snprintf(dir, cap, "%s", system_dir);
    return has_fonts(dir) ? PC_OK : PC_ENOTFOUND;
}

pc_status receipt_fonts_tag(const char *dir, char tag[17]) {
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 8);
    const char *all[] = { files[0], files[1], files[2], receipt_fonts_sans_cp1252(dir) };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        char path[600], buf[65536];
        snprintf(path, sizeof path, "%s/%s", dir, all[i]);
        FILE *f = fopen(path, "rb");
        if (!f) return PC_ENOTFOUND;
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, f)) > 0) crypto_generichash_update(&h, (unsigned char *)buf, got);
        fclose(f);
    }
    unsigned char out[8];
    crypto_generichash_final(&h, out, sizeof out);
    sodium_bin2hex(tag, 17, out, sizeof out);
    return PC_OK;
}
