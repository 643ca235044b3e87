/* service.h -- the common start of every PUPNS service's main(): --help,
 * configuration, logging, ids, signal handling and the event source. */
#ifndef PUPNS_SERVICE_H
#define PUPNS_SERVICE_H

#include "config.h"

/* Fills cfg for `service`. Returns -1 when main should go on; otherwise the
 * exit code main returns at once: 0 after printing --help (with `about`),
 * 2 for bad configuration (said on stderr), 1 when start-up failed. */
int pc_service_init(int argc, char **argv, const char *service, const char *about, pc_config *cfg);

#endif
