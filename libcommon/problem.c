/* problem.c -- RFC 9457 problem+json objects. */
#include "problem.h"

#include <stdio.h>

json_t *pc_problem_new(int status, const char *code, const char *title, const char *detail,
                       const char *field) {
    char type[160];
    snprintf(type, sizeof type, "https://pupns.bkn.go.id/problems/%s", code);
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", title, "status",
                          status, "detail", detail ? detail : title, "code", code);
    if (p && field) json_object_set_new(p, "field", json_string(field));
    return p;
}

void pc_problem_add_error(json_t *problem, const char *field, const char *code, const char *message) {
    json_t *errors = json_object_get(problem, "errors");
    if (!errors) {
        errors = json_array();
        json_object_set_new(problem, "errors", errors);
    }
    json_array_append_new(errors,
                          json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message));
}
