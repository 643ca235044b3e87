/* regno.h -- registration numbers (No. Registrasi): the registration
 * service's names for libcommon/registration_number.h (the verifier service
 * checks the numbers typed back with the same module; see there for the
 * scheme and why it is mod 31). */
#ifndef REGISTRATION_REGNO_H
#define REGISTRATION_REGNO_H

#include "registration_number.h"

#define REGISTRATION_REGNO_ALPHABET PC_REGNO_ALPHABET
#define REGISTRATION_REGNO_LEN PC_REGNO_LEN

/* See pc_regno_new, pc_regno_valid and pc_regno_normalise. */
static inline void registration_regno_new(char out[9]) { pc_regno_new(out); }
static inline int registration_regno_valid(const char *s) { return pc_regno_valid(s); }
static inline pc_status registration_regno_normalise(const char *in, char out[9]) {
    return pc_regno_normalise(in, out);
}

#endif
