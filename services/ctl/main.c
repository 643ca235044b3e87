/* main.c -- pupns-ctl: operator commands: `topics` creates every topic of
 * proto/topics.json; `keygen` prints fresh service keys. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ids.h"
#include "kafka.h"
#include "log.h"

static int create_topics(const pc_config *cfg, const char *path) {
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        fprintf(stderr, "pupns-ctl: %s:%d: %s\n", path, jerr.line, jerr.text);
        return 1;
    }
    char err[512];
    pc_producer *p = pc_producer_new(cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    if (!p) {
        fprintf(stderr, "pupns-ctl: %s\n", err);
        json_decref(root);
        return 1;
    }
    int rc = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(root, "topics"), i, t) {
        if (json_is_true(json_object_get(t, "per_instance"))) continue; /* made by their owners */
        const char *name = json_string_value(json_object_get(t, "name"));
        int parts = (int)json_integer_value(json_object_get(t, "partitions"));
        long retention = (long)json_integer_value(json_object_get(t, "retention_ms"));
        if (!name || parts < 1) {
            fprintf(stderr, "pupns-ctl: topic %zu lacks a name or partitions\n", i);
            rc = 1;
            continue;
        }
        if (pc_kafka_create_topic(p, name, parts, retention, err, sizeof err) != PC_OK) {
            fprintf(stderr, "pupns-ctl: %s\n", err);
            rc = 1;
        }
    }
    pc_producer_free(p);
    json_decref(root);
    return rc;
}

/* Prints fresh keys as environment lines for a secrets file (mode 0600). */
static int keygen(void) {
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES], k[32];
    char hex[65];
    if (sodium_init() < 0) return 1;
    crypto_box_keypair(pk, sk);
    printf("PUPNS_REGISTRATION_PUBLIC_KEY=%s\n", sodium_bin2hex(hex, sizeof hex, pk, sizeof pk));
    printf("PUPNS_REGISTRATION_SECRET_KEY=%s\n", sodium_bin2hex(hex, sizeof hex, sk, sizeof sk));
    randombytes_buf(k, sizeof k);
    printf("PUPNS_FLOW_KEY=%s\n", sodium_bin2hex(hex, sizeof hex, k, sizeof k));
    randombytes_buf(k, sizeof k);
    printf("PUPNS_REGISTRATION_PEPPER=%s\n", sodium_bin2hex(hex, sizeof hex, k, sizeof k));
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(k, sizeof k);
    sodium_memzero(hex, sizeof hex);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "keygen") == 0) return keygen();
    if (argc < 2 || strcmp(argv[1], "topics") != 0) {
        fprintf(stderr, "usage: pupns-ctl topics [proto/topics.json]\n"
                        "       pupns-ctl keygen   (prints new keys as PUPNS_* lines)\n\nEnvironment:\n");
        pc_config_usage(stderr);
        return 2;
    }
    char err[256];
    pc_config cfg;
    if (pc_config_load(&cfg, "ctl", err, sizeof err) != PC_OK) {
        fprintf(stderr, "pupns-ctl: %s\n", err);
        return 2;
    }
    pc_log_init("ctl", pc_log_level_parse(cfg.log_level));
    pc_ids_init();
    return create_topics(&cfg, argc > 2 ? argv[2] : "proto/topics.json");
}
