/* itest_captcha.c -- the captcha service against the real broker and Redis:
 * issue gives an id, a PNG data URL and the lifetime, with the answer held
 * in Redis; a check consumes the captcha whether right or wrong; expired,
 * unknown and malformed checks get their reasons; concurrent issues get
 * distinct ids; junk on the request topic does not stop the service; a
 * check delivered twice (the same request id) gets the same verdict twice
 * and any other check "expired" (services/captcha/store.c, called here
 * directly: Kafka's redelivery of one message cannot be asked for).
 *
 *   itest_captcha [NIPS_FILE]   (argument ignored; env PUPNS_KAFKA_BROKERS,
 *                                PUPNS_REDIS_URL, PUPNS_CAPTCHA_TTL_S)
 * Prints TAP lines. */
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "contract.h"
#include "envelope.h"
#include "ids.h"
#include "kafka.h"
#include "log.h"
#include "redis.h"
#include "rpc.h"
#include "store.h"

#define TIMEOUT_MS 10000
#define CONCURRENT 20

static int tap_n;
static pc_rpc *rpc;
static pc_redis *redis;
static pc_config cfg;

static void tap(int ok, const char *name) { printf("%sok %d - %s\n", ok ? "" : "not ", ++tap_n, name); }

/* One request; the reply's data or NULL (timeout). data is stolen. */
static json_t *call(const char *type, const char *key, json_t *data, int timeout_ms) {
    json_t *reply = NULL;
    pc_status st = pc_rpc_call(rpc, PC_TOPIC_CAPTCHA_REQUESTS, key, type, data, timeout_ms, &reply);
    json_decref(data);
    if (st != PC_OK) printf("# %s: %s\n", type, pc_status_name(st));
    return st == PC_OK ? reply : NULL;
}

/* Issues a captcha; copies its id (and the answer from Redis when answer is
 * not NULL). Returns the reply data (caller decrefs) or NULL. */
static json_t *issue(char id[PC_UUID_LEN], char answer[32]) {
    json_t *r = call(PC_TYPE_CAPTCHA_ISSUE, NULL, json_object(), TIMEOUT_MS);
    const char *got = json_string_value(json_object_get(r, "id"));
    snprintf(id, PC_UUID_LEN, "%s", got ? got : "");
    if (answer) {
        answer[0] = '\0';
        redisReply *rr = pc_redis_command(redis, NULL, "GET captcha:%s", id);
        if (rr && rr->type == REDIS_REPLY_STRING) snprintf(answer, 32, "%s", rr->str);
        if (rr) freeReplyObject(rr);
    }
    return r;
}

/* Checks answer for id; "valid/reason" as a string such as "1/ok". */
static const char *check(const char *id, const char *answer, char out[64]) {
    json_t *data = json_object();
    if (id) json_object_set_new(data, "id", json_string(id));
    if (answer) json_object_set_new(data, "answer", json_string(answer));
    json_t *r = call(PC_TYPE_CAPTCHA_CHECK, id, data, TIMEOUT_MS);
    const char *reason = json_string_value(json_object_get(r, "reason"));
    snprintf(out, 64, "%d/%s", json_is_true(json_object_get(r, "valid")), reason ? reason : "(none)");
    json_decref(r);
    return out;
}

static int is_uuid(const char *s) {
    if (strlen(s) != 36) return 0;
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i])) return 0;
    }
    return 1;
}

static long long key_ttl(const char *id) {
    long long ttl = -3;
    redisReply *rr = pc_redis_command(redis, NULL, "TTL captcha:%s", id);
    if (rr && rr->type == REDIS_REPLY_INTEGER) ttl = rr->integer;
    if (rr) freeReplyObject(rr);
    return ttl;
}

/* 1 when url is a PNG data URL whose header says width x height. */
static int png_data_url(const char *url, unsigned *w, unsigned *h) {
    static const char prefix[] = "data:image/png;base64,";
    if (!url || strncmp(url, prefix, sizeof prefix - 1) != 0) return 0;
    const char *b64 = url + sizeof prefix - 1;
    size_t cap = strlen(b64), len = 0;
    unsigned char *bin = malloc(cap + 1);
    int ok = bin && sodium_base642bin(bin, cap, b64, strlen(b64), NULL, &len, NULL,
                                      sodium_base64_VARIANT_ORIGINAL) == 0;
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    ok = ok && len > 24 && memcmp(bin, sig, 8) == 0 && memcmp(bin + 12, "IHDR", 4) == 0;
    if (ok) {
        *w = (unsigned)bin[16] << 24 | (unsigned)bin[17] << 16 | (unsigned)bin[18] << 8 | bin[19];
        *h = (unsigned)bin[20] << 24 | (unsigned)bin[21] << 16 | (unsigned)bin[22] << 8 | bin[23];
        printf("# image: %zu-byte PNG, %ux%u\n", len, *w, *h);
    }
    free(bin);
    return ok;
}

static void *concurrent_issue(void *out) {
    char *id = out;
    json_decref(issue(id, NULL));
    return NULL;
}

static int cmp_ids(const void *a, const void *b) { return strcmp(a, b); }

static void test_issue_and_check(void) {
    char id[PC_UUID_LEN], answer[32], buf[64];
    json_t *r = issue(id, answer);
    tap(r && is_uuid(id), "issue returns a UUID id");
    json_t *exp = json_object_get(r, "expires_in");
    tap(json_is_integer(exp) && json_integer_value(exp) == cfg.captcha_ttl_s,
        "expires_in is the configured lifetime");
    unsigned w = 0, h = 0;
    tap(png_data_url(json_string_value(json_object_get(r, "image")), &w, &h) && w == 200 && h == 70,
        "image is a 200x70 PNG data URL");
    json_decref(r);
    size_t n = strlen(answer);
    int lower = n >= 5 && n <= 6;
    for (size_t i = 0; i < n; i++) lower &= !isupper((unsigned char)answer[i]);
    tap(lower, "the answer is in Redis under captcha:<id>, 5-6 characters, lower case");
    long long ttl = key_ttl(id);
    printf("# ttl %lld of %d\n", ttl, cfg.captcha_ttl_s);
    tap(ttl > 0 && ttl <= cfg.captcha_ttl_s, "the key expires within the configured lifetime");

    char upper[32];
    for (size_t i = 0; i <= n; i++) upper[i] = (char)toupper((unsigned char)answer[i]);
    tap(strcmp(check(id, upper, buf), "1/ok") == 0, "the right answer in another case is valid");
    tap(key_ttl(id) == -2, "a checked captcha is gone from Redis");
    tap(strcmp(check(id, upper, buf), "0/expired") == 0, "the same id checked again is expired (single use)");
}

static void test_wrong_consumes(void) {
    char id[PC_UUID_LEN], answer[32], buf[64];
    json_decref(issue(id, answer));
    tap(strcmp(check(id, "zzzzz", buf), "0/wrong") == 0, "a wrong answer is wrong");
    tap(strcmp(check(id, answer, buf), "0/expired") == 0,
        "the right answer after a wrong one is expired (the first check consumed it)");
}

static void test_redelivered_check(void) {
    char id[PC_UUID_LEN], answer[32], check_id[PC_UUID_LEN], other[PC_UUID_LEN];
    json_decref(issue(id, answer));
    pc_uuid_v4(check_id);
    pc_uuid_v4(other);
    captcha_verdict first = CAPTCHA_EXPIRED, again = CAPTCHA_EXPIRED, third = CAPTCHA_OK;
    pc_status a = captcha_store_check(redis, id, check_id, answer, &first);
    pc_status b = captcha_store_check(redis, id, check_id, answer, &again);
    pc_status c = captcha_store_check(redis, id, other, answer, &third);
    tap(a == PC_OK && b == PC_OK && first == CAPTCHA_OK && again == CAPTCHA_OK,
        "a check delivered again (the same request id) gets its verdict again: ok");
    tap(c == PC_OK && third == CAPTCHA_EXPIRED, "another check of that captcha is expired (single use)");
    captcha_verdict wrong = CAPTCHA_OK, wrong_again = CAPTCHA_OK;
    json_decref(issue(id, answer));
    pc_uuid_v4(check_id);
    captcha_store_check(redis, id, check_id, "zzzzz", &wrong);
    captcha_store_check(redis, id, check_id, "zzzzz", &wrong_again);
    tap(wrong == CAPTCHA_WRONG && wrong_again == CAPTCHA_WRONG, "a wrong guess delivered again is wrong again");
}

static void test_expired(void) {
    char id[PC_UUID_LEN], answer[32], buf[64];
    json_decref(issue(id, answer));
    redisReply *rr = pc_redis_command(redis, NULL, "PEXPIRE captcha:%s 100", id);
    if (rr) freeReplyObject(rr);
    usleep(400 * 1000);
    tap(strcmp(check(id, answer, buf), "0/expired") == 0, "an expired captcha is expired, even with the right answer");
    char unknown[PC_UUID_LEN];
    pc_uuid_v4(unknown);
    tap(strcmp(check(unknown, "abcde", buf), "0/expired") == 0, "an unknown id is expired");
}

static void test_malformed(void) {
    char id[PC_UUID_LEN], answer[32], buf[64];
    json_decref(issue(id, answer));
    int all = 1;
    all &= strcmp(check(id, NULL, buf), "0/invalid") == 0;
    all &= strcmp(check(NULL, answer, buf), "0/invalid") == 0;
    all &= strcmp(check(id, "abcdefghijklmnopq", buf), "0/invalid") == 0;
    all &= strcmp(check(id, "", buf), "0/invalid") == 0;
    all &= strcmp(check("not-a-uuid", answer, buf), "0/invalid") == 0;
    char bad[PC_UUID_LEN];
    snprintf(bad, sizeof bad, "%s", id);
    bad[8] = 'x';
    all &= strcmp(check(bad, answer, buf), "0/invalid") == 0;
    json_t *r = call(PC_TYPE_CAPTCHA_CHECK, id, json_pack("{s:i, s:i}", "id", 7, "answer", 7), TIMEOUT_MS);
    all &= r && json_is_false(json_object_get(r, "valid")) &&
           strcmp(json_string_value(json_object_get(r, "reason")) ? json_string_value(json_object_get(r, "reason")) : "", "invalid") == 0;
    json_decref(r);
    tap(all, "malformed checks (missing, empty or oversized answer, bad id, wrong types) are invalid");
    tap(strcmp(check(id, answer, buf), "1/ok") == 0, "a malformed check consumes nothing");
}

static void test_concurrent(void) {
    char ids[CONCURRENT][PC_UUID_LEN];
    pthread_t th[CONCURRENT];
    for (int i = 0; i < CONCURRENT; i++) pthread_create(&th[i], NULL, concurrent_issue, ids[i]);
    for (int i = 0; i < CONCURRENT; i++) pthread_join(th[i], NULL);
    int ok = 1;
    for (int i = 0; i < CONCURRENT; i++) ok &= is_uuid(ids[i]);
    qsort(ids, CONCURRENT, sizeof ids[0], cmp_ids);
    for (int i = 1; i < CONCURRENT; i++) ok &= strcmp(ids[i - 1], ids[i]) != 0;
    tap(ok, "20 concurrent issues give 20 distinct ids");
    for (int i = 0; i < CONCURRENT; i++) {
        redisReply *rr = pc_redis_command(redis, NULL, "DEL captcha:%s", ids[i]);
        if (rr) freeReplyObject(rr);
    }
}

static void test_junk(pc_producer *p) {
    static const char junk[] = "{\"this is\": not an envelope";
    pc_producer_send(p, PC_TOPIC_CAPTCHA_REQUESTS, RD_KAFKA_PARTITION_UA, NULL, junk, sizeof junk - 1, NULL, NULL);
    pc_producer_flush(p, 5000);
    json_t *r = call("id.go.bkn.pupns.captcha.nonsense.v1", NULL, json_object(), 1500);
    tap(r == NULL, "a request of unknown type gets no reply");
    json_decref(r);
    char id[PC_UUID_LEN];
    json_decref(issue(id, NULL));
    tap(is_uuid(id), "after junk and unknown types the service still answers");
    redisReply *rr = pc_redis_command(redis, NULL, "DEL captcha:%s", id);
    if (rr) freeReplyObject(rr);
}

int main(void) {
    pc_log_init("itest", PC_LOG_WARN);
    if (pc_ids_init() != PC_OK) return 1;
    char err[256], instance[64];
    snprintf(instance, sizeof instance, "itest-captcha-%d", (int)getpid());
    setenv("PUPNS_INSTANCE_ID", instance, 1);
    if (pc_config_load(&cfg, "itest", err, sizeof err) != PC_OK) {
        fprintf(stderr, "# config: %s\n", err);
        return 1;
    }
    pc_event_set_source("itest", "captcha");
    pc_producer *p = pc_producer_new(&cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    rpc = p ? pc_rpc_new(&cfg, p, err, sizeof err) : NULL;
    redis = pc_redis_connect(cfg.redis_url, err, sizeof err);
    tap(rpc && redis, "reply channel and Redis connection open");
    if (!rpc || !redis) {
        fprintf(stderr, "# %s\n", err);
        pc_rpc_free(rpc);
        pc_producer_free(p);
        pc_redis_close(redis);
        return 1;
    }
    test_issue_and_check();
    test_wrong_consumes();
    test_expired();
    test_redelivered_check();
    test_malformed();
    test_concurrent();
    test_junk(p);
    pc_rpc_free(rpc);
    pc_producer_free(p);
    pc_redis_close(redis);
    return 0;
}
