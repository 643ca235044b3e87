/* nip.c -- NIP structure checks: length, digits, dates, gender, serial. */
#include "nip.h"

#include <stddef.h>
#include <time.h>

#define NIP_LEN 18

/* Digits only via explicit range: isdigit() depends on the locale. */
static int all_digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int num(const char *s, size_t n) {
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m) {
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Orderable key for a date; only comparisons matter, not the value. */
static long date_key(int y, int m, int d) {
    return ((long)y * 12 + (m - 1)) * 31 + (d - 1);
}

static long month_key(int y, int m) {
    return (long)y * 12 + (m - 1);
}

pc_nip_error pc_nip_parse_at(const char *s, int today_y, int today_m, int today_d,
                             pc_nip *out) {
    if (!s)
        return PC_NIP_ELENGTH;
    /* Bounded scan: an attacker's megabyte string costs 19 reads, not strlen. */
    size_t len = 0;
    while (len <= NIP_LEN && s[len] != '\0')
        len++;
    if (len != NIP_LEN)
        return PC_NIP_ELENGTH;
    if (!all_digits(s, NIP_LEN))
        return PC_NIP_ENOT_DIGITS;

    pc_nip n = {
        .birth_year = num(s, 4), .birth_month = num(s + 4, 2), .birth_day = num(s + 6, 2),
        .tmt_year = num(s + 8, 4), .tmt_month = num(s + 12, 2),
        .gender = num(s + 14, 1), .serial = num(s + 15, 3),
    };

    if (n.birth_year < 1900 || n.birth_month < 1 || n.birth_month > 12 || n.birth_day < 1 ||
        n.birth_day > days_in_month(n.birth_year, n.birth_month) ||
        date_key(n.birth_year, n.birth_month, n.birth_day) > date_key(today_y, today_m, today_d))
        return PC_NIP_EBIRTH_DATE;

    if (n.tmt_year < 1900 || n.tmt_month < 1 || n.tmt_month > 12)
        return PC_NIP_ETMT_INVALID;
    if (month_key(n.tmt_year, n.tmt_month) < month_key(n.birth_year + 18, n.birth_month))
        return PC_NIP_ETMT_BEFORE_18;
    if (month_key(n.tmt_year, n.tmt_month) > month_key(today_y, today_m))
        return PC_NIP_ETMT_FUTURE;

    if (n.gender != 1 && n.gender != 2)
        return PC_NIP_EGENDER;
    if (n.serial == 0)
        return PC_NIP_ESERIAL;

    if (out)
        *out = n;
    return PC_NIP_OK;
}

pc_nip_error pc_nip_parse(const char *s, pc_nip *out) {
    time_t now = time(NULL);
    struct tm tm;
    /* Should the clock be unreadable, the far future disables only the
     * "not after today" checks; every structural check still applies. */
    if (now == (time_t)-1 || !gmtime_r(&now, &tm))
        return pc_nip_parse_at(s, 9999, 12, 31, out);
    return pc_nip_parse_at(s, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, out);
}

const char *pc_nip_error_code(pc_nip_error e) {
    switch (e) {
    case PC_NIP_OK: return "ok";
    case PC_NIP_ELENGTH: return "nip_length";
    case PC_NIP_ENOT_DIGITS: return "nip_not_digits";
    case PC_NIP_EBIRTH_DATE: return "nip_birth_date";
    case PC_NIP_ETMT_INVALID: return "nip_tmt_invalid";
    case PC_NIP_ETMT_BEFORE_18: return "nip_tmt_before_18";
    case PC_NIP_ETMT_FUTURE: return "nip_tmt_future";
    case PC_NIP_EGENDER: return "nip_gender";
    case PC_NIP_ESERIAL: return "nip_serial";
    case PC_NIP_ERROR_COUNT: break;
    }
    return "nip_unknown";
}

const char *pc_nip_error_message(pc_nip_error e) {
    switch (e) {
    case PC_NIP_OK: return "NIP valid.";
    case PC_NIP_ELENGTH: return "NIP harus terdiri dari 18 digit angka.";
    case PC_NIP_ENOT_DIGITS: return "NIP hanya boleh berisi angka 0–9.";
    case PC_NIP_EBIRTH_DATE: return "Tanggal lahir pada NIP (digit 1–8) tidak valid.";
    case PC_NIP_ETMT_INVALID: return "TMT CPNS pada NIP (digit 9–14) tidak valid.";
    case PC_NIP_ETMT_BEFORE_18:
        return "TMT CPNS pada NIP (digit 9–14) lebih awal dari usia 18 tahun.";
    case PC_NIP_ETMT_FUTURE:
        return "TMT CPNS pada NIP (digit 9–14) tidak boleh melewati bulan berjalan.";
    case PC_NIP_EGENDER:
        return "Kode jenis kelamin pada NIP (digit 15) harus 1 (pria) atau 2 (wanita).";
    case PC_NIP_ESERIAL: return "Nomor urut pada NIP (digit 16–18) tidak boleh 000.";
    case PC_NIP_ERROR_COUNT: break;
    }
    return "NIP tidak valid.";
}

const char *pc_nip_error_field(pc_nip_error e) {
    switch (e) {
    case PC_NIP_EBIRTH_DATE: return "tanggal_lahir";
    case PC_NIP_ETMT_INVALID:
    case PC_NIP_ETMT_BEFORE_18:
    case PC_NIP_ETMT_FUTURE: return "tmt_cpns";
    case PC_NIP_EGENDER: return "jenis_kelamin";
    case PC_NIP_ESERIAL: return "nomor_urut";
    case PC_NIP_OK:
    case PC_NIP_ELENGTH:
    case PC_NIP_ENOT_DIGITS:
    case PC_NIP_ERROR_COUNT: break;
    }
    return "nip";
}
