/* ctl.h -- the commands of pupns-ctl, one module each. Each returns the
 * process exit status (0 ok, 1 failed or found a problem, 2 usage). */
#ifndef PUPNS_CTL_H
#define PUPNS_CTL_H

#include <jansson.h>

#include "config.h"
#include "kafka.h"

/* `topics [--check] FILE`: creates every topic of FILE (proto/topics.json)
 * that is missing, fitted to the cluster (topics.h), and reports each
 * existing topic that differs from FILE as a warning. With check set it
 * creates nothing and returns 1 when a topic is missing or differs. */
int ctl_topics(const pc_config *cfg, const char *path, int check);

/* `topics --gc-replies [--dry-run]`: deletes reply topics that have had no
 * message within their retention (orphans of gateways that died without
 * deleting theirs); never one written to within it, nor one never written
 * to (its age is unknown: reported, kept). */
int ctl_gc_replies(const pc_config *cfg, int dry_run);

/* Part of `topics` when it runs with Kafka credentials (acls.c): creates
 * the ACLs FILE's "acl" section and its topics' producers and consumers
 * imply. 0 when all were made, or when FILE has no "acl" section. */
int ctl_acls(pc_producer *p, const json_t *root);

/* `keygen`: prints fresh service keys as PUPNS_* lines. */
int ctl_keygen(void);

/* `user add|disable|list ...` (user.c): the verifier service's accounts;
 * argv holds the arguments after "user". */
int ctl_user(int argc, char **argv);

/* `call TOPIC TYPE KEY DATA [--timeout MS]` (call.c): one request/reply
 * (KEY "-": none), the reply's data printed as one JSON line. 1 when no
 * reply came in time, 2 when DATA is not a JSON object. */
int ctl_call(const pc_config *cfg, const char *topic, const char *type, const char *key, const char *data_text,
             int timeout_ms);

/* `feed --instansi KODE [--from-beginning] [--max N] [--idle-exit S]`
 * (feed.c): one region's public events as JSON lines; argv holds the
 * arguments after "feed". */
int ctl_feed(const pc_config *cfg, int argc, char **argv);

#endif
