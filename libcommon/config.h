/* config.h -- service configuration from PUPNS_* environment variables.
 *
 * One declarative table (config.c) names every setting: its variable, type,
 * bounds, default and the field it lands in. Defaults run the local stack;
 * `pc_config_usage` prints the table for --help and the README. */
#ifndef PUPNS_CONFIG_H
#define PUPNS_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "status.h"

typedef struct {
    char service[32];          /* which service loaded it (not from the environment) */
    char kafka_brokers[256];
    char pg_url[512];
    char redis_url[256];
    char http_bind[64];
    int http_port;
    int http_max_connections;
    int http_conn_timeout_s;
    int http_max_body;
    char static_dir[512];
    char instance_id[96];
    int request_timeout_ms;
    int reply_retention_ms;
    int batch_max;
    int kafka_linger_ms;
    char log_level[16];
} pc_config;

/* Fills c from defaults and the environment. %s in a string default is the
 * service name. Returns PC_EINVAL with errstr naming the variable at fault. */
pc_status pc_config_load(pc_config *c, const char *service, char *errstr, size_t errlen);

/* Prints "VARIABLE  default  description" lines for every setting. */
void pc_config_usage(FILE *out);

#endif
