/* password_policy.c -- length, NIP and common-password rules for kata kunci. */
#include "password_policy.h"

#include <stddef.h>
#include <string.h>

/* Only entries of 8+ characters: shorter ones already fail the length rule.
 * Chosen from public leaked-password top lists plus what a PNS in 2015 was
 * likely to pick (religious phrases, national words, the campaign itself). */
static const char *const common[] = {
    /* international */
    "password", "password1", "password12", "password123", "passw0rd", "p@ssw0rd", "pass1234",
    "12345678", "123456789", "1234567890", "0123456789", "12341234", "12344321", "11111111",
    "00000000", "88888888", "87654321", "11223344", "12121212", "123123123", "147258369",
    "1q2w3e4r", "1q2w3e4r5t", "1qaz2wsx", "zaq12wsx", "qwertyui", "qwertyuiop", "qwerty12",
    "qwerty123", "asdfghjk", "asdfghjkl", "asdfasdf", "asdf1234", "zxcvbnm1", "123qweasd",
    "qweasdzxc", "abcd1234", "abc12345", "abcdefgh", "iloveyou", "sunshine", "football",
    "baseball", "princess", "superman", "starwars", "trustno1", "welcome1", "welcome123",
    "letmein1", "monkey123", "dragon123", "master123", "computer", "internet", "whatever",
    "changeme", "default1", "admin123", "admin1234", "administrator", "root1234", "user1234",
    "test1234", "testing123",
    /* Indonesian */
    "bismillah", "bismillah1", "bismillah123", "alhamdulillah", "assalamualaikum", "insyaallah",
    "masyaallah", "subhanallah", "allahuakbar", "indonesia", "indonesia1", "indonesia123",
    "indonesiaraya", "merdeka45", "merahputih", "garuda123", "pancasila", "jakarta123",
    "surabaya", "bandung123", "rahasia1", "rahasia123", "rahasiaku", "katakunci", "katakunci123",
    "katasandi", "katasandi123", "sayangku", "sayang123", "cinta123", "kucing123", "17081945",
    "17agustus", "17agustus1945",
    /* the civil service and this campaign */
    "pupns2015", "epupns2015", "e-pupns2015", "pupns123", "epupns123", "bkn12345", "bkn123456",
    "bkn2015!", "pnsbkn2015", "pegawai123", "pegawainegeri", "pnsindonesia", "sapk2015",
    "kepegawaian", "birokrasi",
};

static const char *const CODE_SHORT = "kata_kunci_pendek";
static const char *const CODE_LONG = "kata_kunci_panjang";
static const char *const CODE_MISMATCH = "kata_kunci_tidak_sama";
static const char *const CODE_NIP = "kata_kunci_nip";
static const char *const CODE_COMMON = "kata_kunci_umum";

static pc_status fail(const char *c, const char *m, const char **code, const char **message) {
    if (code) *code = c;
    if (message) *message = m;
    return PC_EINVAL;
}

static pc_status pass(const char **code, const char **message) {
    if (code) *code = NULL;
    if (message) *message = NULL;
    return PC_OK;
}

/* UTF-8 code points: every byte that is not a continuation byte starts one.
 * Malformed input still gets a sensible count; the gateway only passes
 * JSON strings, which are valid UTF-8. */
static size_t code_points(const char *s) {
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80) n++;
    return n;
}

static int ascii_lower(int c) {
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* strcasecmp depends on the locale; this does not. */
static int ascii_case_equal(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b)) return 0;
    return *a == *b;
}

static int is_common(const char *password) {
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (ascii_case_equal(password, common[i])) return 1;
    return 0;
}

pc_status pc_password_check(const char *password, const char *confirmation, const char *nip,
                                      const char **code, const char **message) {
    if (!password || code_points(password) < PC_PASSWORD_MIN_CHARS)
        return fail(CODE_SHORT, "Kata kunci minimal 8 karakter.", code, message);
    if (strlen(password) > PC_PASSWORD_MAX_BYTES)
        return fail(CODE_LONG, "Kata kunci terlalu panjang (maksimal 128 karakter).", code, message);
    if (nip && *nip && strstr(password, nip))
        return fail(CODE_NIP, "Kata kunci tidak boleh sama dengan NIP atau memuat NIP.", code, message);
    if (is_common(password))
        return fail(CODE_COMMON, "Kata kunci terlalu umum dan mudah ditebak. Gunakan kata kunci lain.", code,
                    message);
    if (confirmation) return pc_password_confirm_check(password, confirmation, code, message);
    return pass(code, message);
}

pc_status pc_password_confirm_check(const char *password, const char *confirmation,
                                              const char **code, const char **message) {
    /* Not constant time: both values come from the same request, so timing
     * tells an attacker nothing they did not send. */
    if (!password || !confirmation || strcmp(password, confirmation) != 0)
        return fail(CODE_MISMATCH, "Konfirmasi kata kunci tidak sama.", code, message);
    return pass(code, message);
}
