/* registration_number.c -- registration numbers: 7 random symbols + a mod-31 check symbol. */
#include "registration_number.h"

#include <sodium.h>
#include <string.h>

#define N 31
#define PAYLOAD (PC_REGNO_LEN - 1)

static const char alphabet[] = PC_REGNO_ALPHABET;

_Static_assert(sizeof alphabet - 1 == N, "the check arithmetic needs exactly 31 symbols");

/* Value 0..30 of an upper-case alphabet symbol, or -1. */
static int value_of(char c) {
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

/* Weighted sum mod 31 of n symbol values, the rightmost weighted `last`
 * (1 when the check symbol is included, 2 when computing it), alternating
 * 1/2 leftwards. The weights 1 and 2 are distinct and invertible mod the
 * prime 31, which is what catches substitutions and adjacent swaps. */
static int weighted_sum(const int *v, int n, int last) {
    int sum = 0, w = last;
    for (int i = n - 1; i >= 0; i--) {
        sum = (sum + w * v[i]) % N;
        w = 3 - w;
    }
    return sum;
}

void pc_regno_new(char out[9]) {
    int v[PAYLOAD];
    for (int i = 0; i < PAYLOAD; i++) {
        /* randombytes_uniform avoids modulo bias. */
        v[i] = (int)randombytes_uniform(N);
        out[i] = alphabet[v[i]];
    }
    out[PAYLOAD] = alphabet[(N - weighted_sum(v, PAYLOAD, 2)) % N];
    out[PC_REGNO_LEN] = '\0';
}

int pc_regno_valid(const char *s) {
    if (!s) return 0;
    int v[PC_REGNO_LEN];
    for (int i = 0; i < PC_REGNO_LEN; i++)
        if ((v[i] = value_of(s[i])) < 0) return 0; /* also stops at an early NUL */
    if (s[PC_REGNO_LEN] != '\0') return 0;
    return weighted_sum(v, PC_REGNO_LEN, 1) == 0;
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

pc_status pc_regno_normalise(const char *in, char out[9]) {
    out[0] = '\0';
    if (!in) return PC_EINVAL;
    size_t start = 0, end = strlen(in);
    while (start < end && is_space(in[start])) start++;
    while (end > start && is_space(in[end - 1])) end--;
    if (end - start != PC_REGNO_LEN) return PC_EINVAL;
    char tmp[PC_REGNO_LEN + 1];
    for (size_t i = 0; i < PC_REGNO_LEN; i++) {
        char c = in[start + i];
        tmp[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    tmp[PC_REGNO_LEN] = '\0';
    if (!pc_regno_valid(tmp)) return PC_EINVAL;
    memcpy(out, tmp, sizeof tmp);
    return PC_OK;
}

pc_regno_problem pc_regno_parse_typed(const char *in, char out[9]) {
    out[0] = '\0';
    char tmp[PC_REGNO_LEN + 1];
    size_t n = 0;
    int foreign = 0;
    for (const char *c = in ? in : ""; *c; c++) {
        if (is_space(*c) || *c == '-') continue;
        if (n == PC_REGNO_LEN) return PC_REGNO_LENGTH;
        char u = (*c >= 'a' && *c <= 'z') ? (char)(*c - 'a' + 'A') : *c;
        if (value_of(u) < 0) foreign = 1;
        tmp[n++] = u;
    }
    tmp[n] = '\0';
    if (n != PC_REGNO_LEN) return PC_REGNO_LENGTH;
    if (foreign) return PC_REGNO_SYMBOL;
    if (!pc_regno_valid(tmp)) return PC_REGNO_CHECK;
    memcpy(out, tmp, sizeof tmp);
    return PC_REGNO_OK;
}
