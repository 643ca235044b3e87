/* edge.c -- request rules and response headers of the HTTP edge. */
#include "edge.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "respond.h"

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 1 if url holds a control byte (NUL included), raw or as %XX. */
static int has_control_bytes(const char *url) {
    for (const unsigned char *c = (const unsigned char *)url; *c; c++) {
        if (*c < 0x20 || *c == 0x7f) return 1;
        if (*c == '%' && c[1] && c[2]) {
            int hi = hexval(c[1]), lo = hexval(c[2]);
            if (hi >= 0 && lo >= 0 && (hi * 16 + lo < 0x20 || hi * 16 + lo == 0x7f)) return 1;
        }
    }
    return 0;
}

/* The value of a Content-Length that is a plain decimal number, else -1. */
static long long content_length(const char *v) {
    if (!v || !*v) return -1;
    for (const char *c = v; *c; c++)
        if (!isdigit((unsigned char)*c)) return -1;
    return strlen(v) > 15 ? -1 : strtoll(v, NULL, 10);
}

static int carries_data(const char *verb) {
    return strcmp(verb, "POST") == 0 || strcmp(verb, "PUT") == 0 || strcmp(verb, "PATCH") == 0;
}

int gw_edge_refused(const struct _u_request *req, struct _u_response *resp, long max_body) {
    const char *url = req->http_url ? req->http_url : "";
    if (has_control_bytes(url)) {
        gw_fail(resp, 400, "jalur_tidak_valid", "Alamat tidak valid",
                "Alamat yang diminta memuat karakter yang tidak diizinkan.", NULL);
        return 1;
    }
    if (req->http_protocol && strstr(req->http_protocol, "1.1") &&
        !u_map_get_case(req->map_header, "Host")) {
        gw_fail(resp, 400, "host_wajib", "Permintaan tidak lengkap", "Header Host wajib ada pada HTTP/1.1.", NULL);
        return 1;
    }
    const char *te = u_map_get_case(req->map_header, "Transfer-Encoding");
    if (te && strcasecmp(te, "chunked") != 0) {
        gw_fail(resp, 400, "pengkodean_tidak_dikenal", "Permintaan tidak valid",
                "Transfer-Encoding yang dikirim tidak didukung.", NULL);
        return 1;
    }
    const char *clen_text = u_map_get_case(req->map_header, "Content-Length");
    long long clen = clen_text ? content_length(clen_text) : 0;
    if (clen < 0) {
        gw_fail(resp, 400, "panjang_tidak_valid", "Permintaan tidak valid",
                "Header Content-Length tidak valid.", NULL);
        return 1;
    }
    if (clen > max_body || (long long)req->binary_body_length > max_body) {
        gw_fail(resp, 413, "permintaan_terlalu_besar", "Permintaan terlalu besar",
                "Data yang dikirim melebihi batas ukuran yang diizinkan.", NULL);
        return 1;
    }
    const char *ctype = u_map_get_case(req->map_header, "Content-Type");
    if (carries_data(req->http_verb) && (clen > 0 || req->binary_body_length > 0) &&
        (!ctype || strncasecmp(ctype, "application/json", 16) != 0 || (ctype[16] && ctype[16] != ';' && ctype[16] != ' '))) {
        gw_fail(resp, 415, "jenis_konten_tidak_didukung", "Jenis data tidak didukung",
                "Kirim data sebagai application/json.", NULL);
        return 1;
    }
    return 0;
}

void gw_edge_security_headers(struct _u_response *resp) {
    ulfius_add_header_to_response(resp, "Content-Security-Policy",
                                  "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    ulfius_add_header_to_response(resp, "X-Frame-Options", "DENY");
    ulfius_add_header_to_response(resp, "Referrer-Policy", "no-referrer");
    ulfius_add_header_to_response(resp, "X-Content-Type-Options", "nosniff");
}
