/* static_files.c -- serves the web portal (services/gateway/www) and answers
 * every unknown URL: a problem+json 404 under /api, the file otherwise.
 *
 * The portal's pages are real paths (the browser's history.pushState): a
 * path of the PNS portal (/daftar, /akun/kata-kunci-baru, ...) gets
 * index.html, one under /verifikator gets verifikator.html, and any other
 * path without a file extension gets index.html with status 404, so that a
 * person who mistyped an address sees the portal's own "not found" page
 * instead of raw JSON. Files carry an ETag: a phone on a slow connection
 * revalidates (304) instead of downloading the portal again. */
#include <errno.h>
#include <stdint.h>
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

/* The PNS portal's paths (www/js/pns.js has the same list). */
static const char *const portal_paths[] = {
    "/", "/daftar", "/daftar/formulir", "/daftar/sukses", "/masuk", "/bantuan", "/akun",
    "/akun/verifikasi-email", "/akun/kata-kunci-baru", "/lupa-kata-kunci", "/cek-status",
};

/* The file that renders `url` and the status to send it with, or NULL
 * for a path that names a file itself (or nothing). */
static const char *page_of(const char *url, int *status) {
    *status = 200;
    for (size_t i = 0; i < sizeof portal_paths / sizeof portal_paths[0]; i++)
        if (strcmp(url, portal_paths[i]) == 0) return "/index.html";
    if (strcmp(url, "/verifikator") == 0 || strncmp(url, "/verifikator/", 13) == 0) return "/verifikator.html";
    const char *last = strrchr(url, '/');
    if (last && !strchr(last, '.')) {
        *status = 404;
        return "/index.html";
    }
    return NULL;
}

/* A strong validator of the bytes: FNV-1a 64 and the length. */
static void etag_of(const char *body, size_t len, char out[48]) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)body[i];
        h *= 1099511628211ULL;
    }
    snprintf(out, 48, "\"%zx-%016llx\"", len, (unsigned long long)h);
}

/* 1 if If-None-Match lists `etag` (or is "*"). */
static int etag_matches(const struct _u_request *req, const char *etag) {
    const char *v = u_map_get_case(req->map_header, "If-None-Match");
    if (!v) return 0;
    if (strcmp(v, "*") == 0) return 1;
    const char *hit = strstr(v, etag);
    return hit != NULL;
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
    int status = 200;
    const char *page = path_is_plain(url) ? page_of(url, &status) : NULL;
    if (page) url = page;
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
    char etag[48];
    etag_of(body, len, etag);
    if (status == 200 && etag_matches(req, etag)) {
        ulfius_set_empty_body_response(resp, 304);
    } else {
        ulfius_set_binary_body_response(resp, (unsigned)status, body, len);
        u_map_put(resp->map_header, "Content-Type", type);
    }
    u_map_put(resp->map_header, "ETag", etag);
    u_map_put(resp->map_header, "Cache-Control", "no-cache");
    u_map_put(resp->map_header, "X-Content-Type-Options", "nosniff");
    free(body);
}
