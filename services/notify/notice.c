/* notice.c -- the notices of pupns.registration.notices, checked field by
 * field, and their sealed tokens opened (proto/schemas/registration.*.json). */
#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "notify.h"
#include "seal.h"

static const struct {
    const char *type, *name;
} kinds[NOTICE_NTYPES] = {
    [NOTICE_WELCOME] = { PC_TYPE_REG_NOTICE_WELCOME, "welcome" },
    [NOTICE_EMAIL_VERIFICATION] = { PC_TYPE_REG_NOTICE_EMAIL_VERIFY, "email_verification" },
    [NOTICE_EMAIL_CHANGED] = { PC_TYPE_REG_NOTICE_EMAIL_CHANGED, "email_changed" },
    [NOTICE_RESET_LINK] = { PC_TYPE_REG_NOTICE_RESET_LINK, "reset_link" },
    [NOTICE_PASSWORD_RESET] = { PC_TYPE_REG_NOTICE_PASSWORD_RESET, "password_reset" },
    [NOTICE_STATUS_MAIL] = { PC_TYPE_REG_NOTICE_STATUS_MAIL, "status_mail" },
};

const char *notify_kind_name(notice_kind k) {
    return k < NOTICE_NTYPES ? kinds[k].name : "unknown";
}

const char *notify_kind_type(notice_kind k) {
    return k < NOTICE_NTYPES ? kinds[k].type : "";
}

/* A non-empty string field without control characters (they could break
 * a header or a line), at most max bytes; NULL otherwise. */
static const char *field(json_t *o, const char *k, size_t max) {
    const char *s = json_string_value(json_object_get(o, k));
    if (!s || !*s || strlen(s) > max) return NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return NULL;
    return s;
}

static const char *ref_name(json_t *o, const char *k) {
    return field(json_object_get(o, k), "nama", 512);
}

int notify_address_valid(const char *s) {
    size_t n = s ? strlen(s) : 0;
    const char *at = s ? strrchr(s, '@') : NULL;
    if (n < 3 || n > 254 || !at || at == s || !at[1] || strchr(s, '@') != at) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("\"()<>[]\\,;:", *p)) return 0;
    return strchr(at + 1, '.') != NULL && at[1] != '.' && s[n - 1] != '.';
}

/* Tokens go into a URL fragment as they are: only URL-safe characters. */
static int token_valid(const char *t) {
    size_t n = strlen(t);
    return n >= 16 && n <= 512 &&
           strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~") == n;
}

static pc_status fail(notify_notice *n, char *errstr, size_t errlen, const char *what) {
    snprintf(errstr, errlen, "%s", what);
    notice_kind k = n->kind; /* kept: the caller counts the refusal by type */
    notify_notice_clear(n);
    n->kind = k;
    return PC_EINVAL;
}

pc_status notify_notice_parse(const pc_event *ev, const unsigned char pk[32], const unsigned char sk[32],
                              notify_notice *n, char *errstr, size_t errlen) {
    memset(n, 0, sizeof *n);
    n->kind = NOTICE_NTYPES;
    for (int k = 0; k < NOTICE_NTYPES; k++)
        if (strcmp(ev->type, kinds[k].type) == 0) n->kind = (notice_kind)k;
    if (n->kind == NOTICE_NTYPES) return fail(n, errstr, errlen, "not a notice type notify knows");
    json_t *d = ev->data;
    n->nip = field(d, "nip", 18);
    if (!n->nip || strlen(n->nip) != 18 || strspn(n->nip, "0123456789") != 18)
        return fail(n, errstr, errlen, "nip missing or not 18 digits");
    if (!(n->nama = field(d, "nama", 512))) return fail(n, errstr, errlen, "nama missing");
    n->to = field(d, n->kind == NOTICE_EMAIL_CHANGED ? "old_email" : "email", 254);
    if (!notify_address_valid(n->to)) return fail(n, errstr, errlen, "no recipient address notify can mail");
    n->created_at = field(d, "created_at", 64);
    n->expires_at = field(d, "expires_at", 64);
    n->at = field(d, "at", 64);
    switch (n->kind) {
    case NOTICE_WELCOME:
        n->instansi = ref_name(d, "instansi");
        n->unit_kerja = ref_name(d, "unit_kerja");
        __attribute__((fallthrough)); /* the number is needed too */
    case NOTICE_STATUS_MAIL:
        n->no_registrasi = field(d, "no_registrasi", 8);
        if (!n->no_registrasi || strspn(n->no_registrasi, "23456789ABCDEFGHJKMNPQRSTUVWXYZ") != 8)
            return fail(n, errstr, errlen, "no_registrasi missing or malformed");
        n->state = field(d, "state", 64);
        break;
    case NOTICE_EMAIL_CHANGED:
        n->new_email = field(d, "email", 254);
        if (!notify_address_valid(n->new_email)) return fail(n, errstr, errlen, "the new address is missing");
        break;
    case NOTICE_PASSWORD_RESET:
        n->via = field(d, "via", 32);
        break;
    default:
        break;
    }
    if (n->kind == NOTICE_WELCOME || n->kind == NOTICE_EMAIL_VERIFICATION || n->kind == NOTICE_RESET_LINK) {
        const char *sealed = json_string_value(json_object_get(d, "token_sealed"));
        pc_status st = sealed ? pc_unseal_b64(pk, sk, sealed, &n->token) : PC_EINVAL;
        if (st == PC_ERROR) {
            notify_notice_clear(n);
            snprintf(errstr, errlen, "out of memory");
            return PC_ERROR;
        }
        if (st != PC_OK) return fail(n, errstr, errlen, "token_sealed missing or does not open with notify's key");
        if (!token_valid(n->token)) return fail(n, errstr, errlen, "the opened token is not a URL-safe token");
    }
    return PC_OK;
}

void notify_notice_clear(notify_notice *n) {
    pc_secret_free(n->token);
    memset(n, 0, sizeof *n);
}
