/* static_files.c -- serves the web portal (services/gateway/www) and answers
 * every unknown URL: a problem+json 404 under /api, the file otherwise. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"
#include "respond.h"

#define STATIC_MAX_FILE (4 * 1024 * 1024)

static const struct {
    const char *ext, *type;
} content_types[] = {
    { ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },   { ".svg", "image/svg+xml" },
    { ".png", "image/png" },                 { ".ico", "image/x-icon" },
    { ".json", "application/json" },        { ".yaml", "application/yaml" },
};

static const char *content_type_of(const char *path) {
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof content_types / sizeof content_types[0]; i++)
        if (strcmp(dot, content_types[i].ext) == 0) return content_types[i].type;
    return NULL;
}

/* Only plain relative names: letters, digits, '-', '_', '/', and dots that
 * never start a segment (so no "..", no hidden files). */
static int path_is_plain(const char *p) {
    if (*p != '/') return 0;
    for (const char *c = p; *c; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                 *c == '-' || *c == '_' || *c == '/' || (*c == '.' && c[-1] != '/');
        if (!ok) return 0;
    }
    return 1;
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size >= 0 && size <= STATIC_MAX_FILE && fseek(f, 0, SEEK_SET) == 0) {
            buf = malloc((size_t)size + 1);
            if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
                free(buf);
                buf = NULL;
            }
            *len = (size_t)size;
        }
    }
    fclose(f);
    return buf;
}

static void not_found(struct _u_response *resp) {
    gw_fail(resp, 404, "tidak_ditemukan", "Halaman tidak ditemukan",
            "Alamat yang diminta tidak ada.", NULL);
}

void gw_static(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    const char *url = req->url_path ? req->url_path : "/";
    if (strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0) {
        not_found(resp);
        return;
    }
    if (strcmp(req->http_verb, "GET") != 0 && strcmp(req->http_verb, "HEAD") != 0) {
        gw_fail(resp, 405, "metode_tidak_diizinkan", "Metode tidak diizinkan",
                "Metode HTTP ini tidak didukung untuk alamat tersebut.", NULL);
        return;
    }
    if (strcmp(url, "/") == 0) url = "/index.html";
    const char *type = content_type_of(url);
    char path[1024];
    if (!path_is_plain(url) || !type ||
        snprintf(path, sizeof path, "%s%s", gw->cfg.static_dir, url) >= (int)sizeof path) {
        not_found(resp);
        return;
    }
    size_t len = 0;
    char *body = read_file(path, &len);
    if (!body) {
        not_found(resp);
        return;
    }
    ulfius_set_binary_body_response(resp, 200, body, len);
    u_map_put(resp->map_header, "Content-Type", type);
    u_map_put(resp->map_header, "Cache-Control", "no-cache");
    u_map_put(resp->map_header, "X-Content-Type-Options", "nosniff");
    free(body);
}
