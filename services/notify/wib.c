/* wib.c -- times in mails: RFC 3339 from the notices as Western Indonesian
 * Time (WIB, UTC+7, no daylight saving), written the Indonesian way. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "notify.h"

static const char *const months[12] = { "Januari", "Februari", "Maret",     "April",   "Mei",      "Juni",
                                        "Juli",    "Agustus",  "September", "Oktober", "November", "Desember" };

int notify_format_wib(const char *s, char *out, size_t cap) {
    struct tm t = { 0 };
    int used = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour, &t.tm_min,
                     &t.tm_sec, &used) != 6)
        return 0;
    const char *p = s + used;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++) {}
    long offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int hh, mm, n = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5) return 0;
        offset = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return 0;
    }
    if (*p || t.tm_mon < 1 || t.tm_mon > 12 || t.tm_mday < 1 || t.tm_mday > 31 || t.tm_hour > 23 || t.tm_min > 59)
        return 0;
    t.tm_year -= 1900;
    t.tm_mon -= 1;
    time_t when = timegm(&t) - offset + 7 * 3600;
    struct tm w;
    if (!gmtime_r(&when, &w)) return 0;
    int n = snprintf(out, cap, "%d %s %d pukul %02d.%02d WIB", w.tm_mday, months[w.tm_mon], w.tm_year + 1900,
                     w.tm_hour, w.tm_min);
    return n > 0 && (size_t)n < cap;
}
