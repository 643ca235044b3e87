/* problem.h -- RFC 9457 problem details (application/problem+json).
 *
 * type is https://pupns.bkn.go.id/problems/<code>; title and detail are in
 * Bahasa Indonesia for the PNS; `code` is stable for programs; `errors`
 * lists field-level faults so a form can show them all at once. */
#ifndef PUPNS_PROBLEM_H
#define PUPNS_PROBLEM_H

#include <jansson.h>

#define PC_PROBLEM_CONTENT_TYPE "application/problem+json"

/* New problem object; field may be NULL. Never returns NULL unless out of memory. */
json_t *pc_problem_new(int status, const char *code, const char *title, const char *detail,
                       const char *field);

/* Appends {field, code, message} to the problem's "errors" array. */
void pc_problem_add_error(json_t *problem, const char *field, const char *code, const char *message);

#endif
