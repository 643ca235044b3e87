/* main.c -- pupns-ctl: operator commands. `topics` creates (or checks) the
 * topics of proto/topics.json, fitted to the cluster's size; `topics
 * --gc-replies` removes expired reply topics; `keygen` prints fresh keys. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ctl.h"
#include "ids.h"
#include "log.h"

static int usage(void) {
    fprintf(stderr,
            "usage: pupns-ctl topics [--check] [proto/topics.json]\n"
            "           creates the missing topics (replication fitted to the cluster);\n"
            "           --check creates nothing, exits 1 if a topic is missing or differs\n"
            "       pupns-ctl topics --gc-replies [--dry-run]\n"
            "           deletes reply topics with no message within their retention\n"
            "       pupns-ctl keygen   (prints new keys as PUPNS_* lines)\n\nEnvironment:\n");
    pc_config_usage(stderr);
    return 2;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "keygen") == 0) return ctl_keygen();
    if (argc < 2 || strcmp(argv[1], "topics") != 0) return usage();
    int check = 0, gc = 0, dry_run = 0;
    const char *path = "proto/topics.json";
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0) check = 1;
        else if (strcmp(argv[i], "--gc-replies") == 0) gc = 1;
        else if (strcmp(argv[i], "--dry-run") == 0) dry_run = 1;
        else if (argv[i][0] == '-') return usage();
        else path = argv[i];
    }
    if ((dry_run && !gc) || (gc && check)) return usage();
    char err[256];
    pc_config cfg;
    if (pc_config_load(&cfg, "ctl", err, sizeof err) != PC_OK) {
        fprintf(stderr, "pupns-ctl: %s\n", err);
        return 2;
    }
    pc_log_init("ctl", pc_log_level_parse(cfg.log_level));
    pc_ids_init();
    return gc ? ctl_gc_replies(&cfg, dry_run) : ctl_topics(&cfg, path, check);
}
