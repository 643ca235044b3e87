/* service.c -- shared start-up of the services' main(). */
#include "service.h"

#include <stdio.h>
#include <string.h>

#include "envelope.h"
#include "ids.h"
#include "lifecycle.h"
#include "log.h"

int pc_service_init(int argc, char **argv, const char *service, const char *about, pc_config *cfg) {
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("pupns-%s: %s\n\nEnvironment:\n", service, about);
        pc_config_usage(stdout);
        return 0;
    }
    char err[512];
    if (pc_config_load(cfg, service, err, sizeof err) != PC_OK) {
        fprintf(stderr, "pupns-%s: %s\n", service, err);
        return 2;
    }
    pc_log_init(service, pc_log_level_parse(cfg->log_level));
    /* Signals are blocked before any thread starts, so all inherit the mask. */
    if (pc_ids_init() != PC_OK || pc_lifecycle_init() != PC_OK) {
        PC_ERROR("cannot initialise");
        return 1;
    }
    pc_event_set_source(service, cfg->instance_id);
    return -1;
}
