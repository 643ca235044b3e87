/* status.c -- names of the shared status codes. */
#include "status.h"

const char *pc_status_name(pc_status s) {
    switch (s) {
    case PC_OK: return "ok";
    case PC_ERROR: return "error";
    case PC_EINVAL: return "invalid";
    case PC_ENOTFOUND: return "not_found";
    case PC_ECONFLICT: return "conflict";
    case PC_ETIMEDOUT: return "timeout";
    case PC_EUNAVAIL: return "unavailable";
    case PC_EDENIED: return "denied";
    case PC_ELIMIT: return "limited";
    }
    return "unknown";
}
