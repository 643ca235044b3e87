/* config.c -- the settings table and its loader. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { CFG_STR, CFG_INT } cfg_type;

typedef struct {
    const char *env;
    cfg_type type;
    size_t offset;
    size_t size;        /* buffer size for strings */
    long min, max;      /* bounds for integers */
    const char *def;    /* default, as text */
    const char *help;
} cfg_entry;

#define STR(field, env, def, help) \
    { env, CFG_STR, offsetof(pc_config, field), sizeof(((pc_config *)0)->field), 0, 0, def, help }
/* Keys: no default, never printed. */
#define SECRET(field, env, help) STR(field, env, "", help)
#define INT(field, env, min, max, def, help) \
    { env, CFG_INT, offsetof(pc_config, field), 0, min, max, def, help }

static const cfg_entry cfg_table[] = {
    STR(kafka_brokers, "PUPNS_KAFKA_BROKERS", "127.0.0.1:15403", "Kafka bootstrap servers"),
    STR(pg_url, "PUPNS_PG_URL", "postgresql://pupns_%s@127.0.0.1:15401/pupns",
        "PostgreSQL URL (the service's own role)"),
    STR(kafka_username, "PUPNS_KAFKA_USERNAME", "", "Kafka SASL principal (empty: no SASL)"),
    STR(kafka_sasl_mechanism, "PUPNS_KAFKA_SASL_MECHANISM", "PLAIN",
        "Kafka SASL mechanism (PLAIN; SCRAM-SHA-512 needs librdkafka >= 2.6.1 with Kafka 4)"),
    SECRET(kafka_password, "PUPNS_KAFKA_PASSWORD", "Kafka SASL password of PUPNS_KAFKA_USERNAME"),
    STR(kafka_security_protocol, "PUPNS_KAFKA_SECURITY_PROTOCOL", "",
        "Kafka security.protocol: plaintext, ssl, sasl_plaintext or sasl_ssl (empty: ssl with a client "
        "certificate, sasl_ssl with one and a SASL user, sasl_plaintext with a user alone)"),
    STR(kafka_ssl_ca, "PUPNS_KAFKA_SSL_CA_LOCATION", "", "PEM file of the CA(s) the Kafka brokers' certificates chain to"),
    STR(kafka_ssl_cert, "PUPNS_KAFKA_SSL_CERTIFICATE_LOCATION", "",
        "PEM file of this service's Kafka client certificate (mutual TLS; its CN is the principal)"),
    STR(kafka_ssl_key, "PUPNS_KAFKA_SSL_KEY_LOCATION", "", "PEM file of that certificate's private key (mode 0600)"),
    SECRET(kafka_ssl_key_password, "PUPNS_KAFKA_SSL_KEY_PASSWORD", "passphrase of an encrypted Kafka client key"),
    STR(redis_url, "PUPNS_REDIS_URL", "redis://127.0.0.1:15402/0", "Redis URL"),
    STR(http_bind, "PUPNS_HTTP_BIND", "127.0.0.1", "gateway listen address (IPv4)"),
    INT(http_port, "PUPNS_HTTP_PORT", 1, 65535, "8080", "gateway listen port"),
    INT(health_port, "PUPNS_HEALTH_PORT", 0, 65535, "0",
        "identity/captcha/registration: port of /healthz, /readyz, /metrics (0: off)"),
    INT(http_max_connections, "PUPNS_HTTP_MAX_CONNECTIONS", 1, 100000, "1024",
        "gateway concurrent connection limit"),
    INT(http_conn_timeout_s, "PUPNS_HTTP_CONN_TIMEOUT", 1, 3600, "30",
        "idle HTTP connection timeout, seconds"),
    INT(http_receive_timeout_s, "PUPNS_HTTP_RECEIVE_TIMEOUT", 1, 3600, "20",
        "gateway: seconds a client has to send a whole request (headers and body)"),
    INT(http_max_per_address, "PUPNS_HTTP_MAX_PER_ADDRESS", 1, 100000, "256",
        "gateway concurrent connections from one client address"),
    INT(http_max_body, "PUPNS_HTTP_MAX_BODY", 1024, 16777216, "65536", "maximum request body, bytes"),
    INT(purge_interval_s, "PUPNS_PURGE_INTERVAL_S", 1, 86400, "600",
        "seconds between purges of dead bookkeeping rows (sessions, sent outbox rows, old command results...)"),
    STR(trusted_proxies, "PUPNS_TRUSTED_PROXIES", "",
        "gateway: reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For names the client"),
    STR(static_dir, "PUPNS_STATIC_DIR", "services/gateway/www", "web portal files"),
    STR(instance_id, "PUPNS_INSTANCE_ID", "", "unique instance name (default host-pid)"),
    INT(request_timeout_ms, "PUPNS_REQUEST_TIMEOUT_MS", 50, 120000, "3000",
        "how long the gateway waits for a service reply"),
    INT(reply_retention_ms, "PUPNS_REPLY_RETENTION_MS", 60000, 604800000, "3600000",
        "retention of per-instance reply topics"),
    INT(batch_max, "PUPNS_BATCH_MAX", 1, 10000, "256", "messages a service handles per batch"),
    INT(kafka_linger_ms, "PUPNS_KAFKA_LINGER_MS", 0, 1000, "1",
        "how long request/reply calls may wait to be batched into one message"),
    STR(log_level, "PUPNS_LOG_LEVEL", "info", "debug, info, warn or error"),
    INT(captcha_ttl_s, "PUPNS_CAPTCHA_TTL_S", 10, 3600, "300", "captcha lifetime, seconds"),
    INT(registration_timeout_ms, "PUPNS_REGISTRATION_TIMEOUT_MS", 100, 300000, "30000",
        "how long the gateway waits for a registration or login result"),
    INT(session_ttl_s, "PUPNS_SESSION_TTL_S", 60, 604800, "28800", "login session lifetime, seconds"),
    INT(workers, "PUPNS_WORKERS", 0, 256, "0", "password-hashing workers (0: two per CPU)"),
    INT(rate_lookup_per_min, "PUPNS_RATE_LOOKUP", 0, 100000000, "300",
        "NIP look-ups per client address per minute (0: no limit)"),
    INT(rate_captcha_per_min, "PUPNS_RATE_CAPTCHA", 0, 100000000, "30",
        "captchas issued per client address per minute (0: no limit)"),
    INT(rate_register_per_min, "PUPNS_RATE_REGISTER", 0, 100000000, "20",
        "registration attempts per client address per minute (0: no limit)"),
    INT(rate_login_per_min, "PUPNS_RATE_LOGIN", 0, 100000000, "30",
        "login attempts per client address per minute (0: no limit)"),
    INT(login_lock_after, "PUPNS_LOGIN_LOCK_AFTER", 0, 1000000, "10",
        "failed logins from one address (per hour) before growing lock-outs (0: never)"),
    INT(login_pair_lock_after, "PUPNS_LOGIN_PAIR_LOCK_AFTER", 0, 1000000, "3",
        "failed logins for one NIP from one address (per hour) before growing delays for that pair (0: never)"),
    INT(reg_max_inflight, "PUPNS_REG_MAX_INFLIGHT", 1, 100000, "512",
        "gateway: registrations+logins in flight per instance before 503 (sooner if they cannot finish in time)"),
    INT(query_max_inflight, "PUPNS_QUERY_MAX_INFLIGHT", 1, 100000, "256",
        "gateway: look-ups, and captchas, each in flight per instance before 503"),
    SECRET(reg_public_key, "PUPNS_REGISTRATION_PUBLIC_KEY", "registration service public key (hex)"),
    SECRET(reg_secret_key, "PUPNS_REGISTRATION_SECRET_KEY", "registration service secret key (hex)"),
    SECRET(flow_key, "PUPNS_FLOW_KEY", "gateway key signing registration flow tokens (hex)"),
    SECRET(pepper, "PUPNS_REGISTRATION_PEPPER", "key of the answer hashes (hex)"),
    SECRET(notify_public_key, "PUPNS_NOTIFY_PUBLIC_KEY",
           "registration: notify service public key the mail tokens are sealed to (hex)"),
    SECRET(notify_secret_key, "PUPNS_NOTIFY_SECRET_KEY", "notify: its secret half, opens the mail tokens (hex)"),
    SECRET(verifier_public_key, "PUPNS_VERIFIER_PUBLIC_KEY",
           "gateway, verifier: public key verifier passwords are sealed to (hex)"),
    SECRET(verifier_secret_key, "PUPNS_VERIFIER_SECRET_KEY", "verifier: its secret half (hex)"),
    SECRET(receipt_signing_key, "PUPNS_RECEIPT_SIGNING_KEY", "receipt: Ed25519 seed signing the QR codes (hex)"),
    STR(receipt_old_public_keys, "PUPNS_RECEIPT_OLD_PUBLIC_KEYS", "",
        "receipt: retired public keys, kid:hex,... (their receipts still verify)"),
    STR(receipt_font_dir, "PUPNS_RECEIPT_FONT_DIR", "",
        "receipt: folder of the DejaVu TTFs to embed (empty: the build's subsets, else the system's)"),
};

static pc_status cfg_set(pc_config *c, const cfg_entry *e, const char *text, const char *service,
                         char *errstr, size_t errlen) {
    char *field = (char *)c + e->offset;
    if (e->type == CFG_STR) {
        /* A default may name the service with one "%s". */
        const char *pct = text == e->def ? strstr(text, "%s") : NULL;
        int n = pct ? snprintf(field, e->size, "%.*s%s%s", (int)(pct - text), text, service, pct + 2)
                    : snprintf(field, e->size, "%s", text);
        if (n < 0 || (size_t)n >= e->size) {
            snprintf(errstr, errlen, "%s is too long (max %zu bytes)", e->env, e->size - 1);
            return PC_EINVAL;
        }
        return PC_OK;
    }
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < e->min || v > e->max) {
        snprintf(errstr, errlen, "%s must be an integer in [%ld, %ld]", e->env, e->min, e->max);
        return PC_EINVAL;
    }
    *(int *)field = (int)v;
    return PC_OK;
}

/* NAME_FILE (the Docker/Kubernetes secrets convention): the value is the
 * file's content without its final newline, so keys need not sit in the
 * environment (/proc/PID/environ) at all. *found is 0 when NAME_FILE is unset. */
static pc_status cfg_from_file(const cfg_entry *e, char *buf, size_t len, int *found, char *errstr,
                               size_t errlen) {
    char name[96];
    snprintf(name, sizeof name, "%s_FILE", e->env);
    const char *path = getenv(name);
    *found = 0;
    if (!path || !*path) return PC_OK;
    const char *direct = getenv(e->env);
    if (direct && *direct) {
        snprintf(errstr, errlen, "set either %s or %s, not both", e->env, name);
        return PC_EINVAL;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errstr, errlen, "%s: cannot read %s: %s", name, path, strerror(errno));
        return PC_EINVAL;
    }
    size_t n = fread(buf, 1, len, f);
    int failed = ferror(f);
    fclose(f);
    if (failed || n == len) {
        snprintf(errstr, errlen, "%s: %s is unreadable or longer than %zu bytes", name, path, len - 1);
        return PC_EINVAL;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) n--;
    buf[n] = '\0';
    *found = 1;
    return PC_OK;
}

pc_status pc_config_load(pc_config *c, const char *service, char *errstr, size_t errlen) {
    memset(c, 0, sizeof *c);
    snprintf(c->service, sizeof c->service, "%s", service);
    char file_value[4096];
    for (size_t i = 0; i < sizeof cfg_table / sizeof cfg_table[0]; i++) {
        const cfg_entry *e = &cfg_table[i];
        int from_file = 0;
        pc_status st = cfg_from_file(e, file_value, sizeof file_value, &from_file, errstr, errlen);
        if (st != PC_OK) return st;
        const char *env = from_file ? file_value : getenv(e->env);
        st = cfg_set(c, e, env && *env ? env : e->def, service, errstr, errlen);
        sodium_memzero(file_value, sizeof file_value);
        if (st != PC_OK) return st;
    }
    if (!c->instance_id[0]) {
        char host[64] = "host";
        gethostname(host, sizeof host - 1);
        snprintf(c->instance_id, sizeof c->instance_id, "%s-%s-%ld", service, host, (long)getpid());
    }
    return PC_OK;
}

pc_status pc_config_key(const char *hex, unsigned char out[32]) {
    if (strlen(hex) != 64) return PC_EINVAL;
    for (int i = 0; i < 32; i++) {
        unsigned v = 0;
        for (int j = 0; j < 2; j++) {
            char c = hex[2 * i + j];
            unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                         : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                         : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                                : 16u;
            if (d == 16u) return PC_EINVAL;
            v = v * 16 + d;
        }
        out[i] = (unsigned char)v;
    }
    return PC_OK;
}

void pc_config_usage(FILE *out) {
    for (size_t i = 0; i < sizeof cfg_table / sizeof cfg_table[0]; i++)
        fprintf(out, "  %-28s %-46s %s\n", cfg_table[i].env,
                cfg_table[i].def[0] ? cfg_table[i].def : "-", cfg_table[i].help);
}
