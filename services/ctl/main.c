/* main.c -- pupns-ctl: operator commands. `topics` creates (or checks) the
 * topics of proto/topics.json, fitted to the cluster's size; `topics
 * --gc-replies` removes expired reply topics; `keygen` prints fresh keys;
 * `call` sends one request; `feed` prints one region's events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctl.h"
#include "envelope.h"
#include "ids.h"
#include "log.h"

static int usage(void) {
    fprintf(stderr,
            "usage: pupns-ctl topics [--check] [proto/topics.json]\n"
            "           creates the missing topics (replication fitted to the cluster);\n"
            "           --check creates nothing, exits 1 if a topic is missing or differs\n"
            "       pupns-ctl topics --gc-replies [--dry-run]\n"
            "           deletes reply topics with no message within their retention\n"
            "       pupns-ctl keygen   (prints new keys as PUPNS_* lines)\n"
            "       pupns-ctl user add|disable|list ...   (verifier accounts; pupns-ctl user for help)\n"
            "       pupns-ctl call TOPIC TYPE KEY|- DATA [--timeout MS]\n"
            "           one request/reply; prints the reply's data as a JSON line\n"
            "       pupns-ctl feed --instansi KODE [--from-beginning] [--max N] [--idle-exit SECONDS]\n"
            "           one region's public events as JSON lines; reads on where it stopped\n"
            "\nEnvironment:\n");
    pc_config_usage(stderr);
    return 2;
}

/* call and feed: they talk to Kafka with the stack's configuration. */
static int ctl_client(int argc, char **argv) {
    int feed = strcmp(argv[1], "feed") == 0, timeout_ms = 10000;
    if (!feed && argc == 8 && strcmp(argv[6], "--timeout") == 0) timeout_ms = atoi(argv[7]);
    else if (!feed && argc != 6) return usage();
    if (timeout_ms <= 0) return usage();
    char err[256];
    pc_config cfg;
    if (pc_config_load(&cfg, "ctl", err, sizeof err) != PC_OK) {
        fprintf(stderr, "pupns-ctl: %s\n", err);
        return 2;
    }
    pc_log_init("ctl", pc_log_level_parse(cfg.log_level));
    pc_ids_init();
    pc_event_set_source("ctl", cfg.instance_id);
    return feed ? ctl_feed(&cfg, argc - 2, argv + 2) : ctl_call(&cfg, argv[2], argv[3], argv[4], argv[5], timeout_ms);
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "keygen") == 0) return ctl_keygen();
    if (argc >= 2 && strcmp(argv[1], "user") == 0) return ctl_user(argc - 2, argv + 2);
    if (argc >= 2 && (strcmp(argv[1], "call") == 0 || strcmp(argv[1], "feed") == 0)) return ctl_client(argc, argv);
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
