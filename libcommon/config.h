/* config.h -- service configuration from PUPNS_* environment variables.
 *
 * One declarative table (config.c) names every setting: its variable, type,
 * bounds, default and the field it lands in. Defaults run the local stack;
 * `pc_config_usage` prints the table for --help and the README. Every
 * setting NAME may instead come from the file named by NAME_FILE (Docker
 * and Kubernetes secrets), which keeps keys out of the environment. */
#ifndef PUPNS_CONFIG_H
#define PUPNS_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "status.h"

typedef struct {
    char service[32];          /* which service loaded it (not from the environment) */
    char kafka_brokers[256];
    char kafka_username[64];       /* empty: no SASL (kafka.c: maybe TLS, maybe nothing) */
    char kafka_password[128];
    char kafka_sasl_mechanism[32];
    char kafka_security_protocol[16]; /* empty: implied by the credentials (kafka.c) */
    char kafka_ssl_ca[512];        /* paths of PEM files: the brokers' CA, */
    char kafka_ssl_cert[512];      /* the client certificate (mutual TLS), */
    char kafka_ssl_key[512];       /* and its private key */
    char kafka_ssl_key_password[128];
    char pg_url[512];
    char redis_url[256];
    char http_bind[64];
    int http_port;
    int health_port;               /* services' /healthz /readyz /metrics; 0: off */
    int http_max_connections;
    int http_conn_timeout_s;
    int http_receive_timeout_s;    /* gateway: a request's headers and body within this */
    int http_max_per_address;      /* gateway: connections from one address */
    int http_max_body;
    char static_dir[512];
    int purge_interval_s;          /* purge.h */
    char trusted_proxies[1024];    /* gateway: X-Forwarded-For is believed only from these */
    char instance_id[96];
    int request_timeout_ms;
    int reply_retention_ms;
    int batch_max;
    int kafka_linger_ms;
    char log_level[16];
    /* registration, captcha, sessions */
    int captcha_ttl_s;
    int registration_timeout_ms;
    int session_ttl_s;
    int workers;                   /* 0: one per CPU */
    int rate_lookup_per_min;       /* per client address; 0 disables */
    int rate_captcha_per_min;
    int rate_register_per_min;
    int rate_login_per_min;
    int login_lock_after;          /* failed logins per address before lock-outs; 0 disables */
    int login_pair_lock_after;     /* ... per NIP x address before delays for that pair; 0 disables */
    int reg_max_inflight;          /* gateway: registration/login commands in flight before 503 */
    int query_max_inflight;        /* gateway: look-ups, and captchas, in flight before 503 */
    /* keys, hex; secrets are never logged or printed */
    char reg_public_key[65];       /* X25519 public key commands are sealed to */
    char reg_secret_key[65];       /* its secret half (registration service only) */
    char flow_key[65];             /* gateway: signs registration flow tokens */
    char pepper[65];               /* registration: keys the hashes of answers */
    char notify_public_key[65];    /* registration: X25519 key the notices' tokens are sealed to */
    char notify_secret_key[65];    /* its secret half (notify service only) */
    /* verifier service: its login commands carry the password sealed to this pair */
    char verifier_public_key[65];  /* gateway seals verifier passwords to it */
    char verifier_secret_key[65];  /* verifier service only */
    /* receipt service */
    char receipt_signing_key[65];      /* Ed25519 seed signing the receipts' QR codes */
    char receipt_old_public_keys[600]; /* "kid:hex,..." of retired keys: old receipts still verify */
    char receipt_font_dir[256];        /* DejaVu TTF files embedded in the PDFs */
} pc_config;

/* Decodes a 64-hex-digit key into 32 bytes; PC_EINVAL if malformed or empty. */
pc_status pc_config_key(const char *hex, unsigned char out[32]);

/* Fills c from defaults and the environment. %s in a string default is the
 * service name. Returns PC_EINVAL with errstr naming the variable at fault. */
pc_status pc_config_load(pc_config *c, const char *service, char *errstr, size_t errlen);

/* Prints "VARIABLE  default  description" lines for every setting. */
void pc_config_usage(FILE *out);

#endif
