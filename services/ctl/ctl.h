/* ctl.h -- the commands of pupns-ctl, one module each. Each returns the
 * process exit status (0 ok, 1 failed or found a problem, 2 usage). */
#ifndef PUPNS_CTL_H
#define PUPNS_CTL_H

#include "config.h"

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

/* `keygen`: prints fresh service keys as PUPNS_* lines. */
int ctl_keygen(void);

#endif
