/* nip.h -- parse and validate the 18-digit NIP (Nomor Induk Pegawai). */
#ifndef PUPNS_NIP_H
#define PUPNS_NIP_H

/* A NIP is the civil servant's key everywhere in PUPNS: the look-up, the
 * registration and the receipts all start from it. Its digits carry data:
 *
 *   digits 1-8    YYYYMMDD  birth date (tanggal lahir)
 *   digits 9-14   YYYYMM    start of service (TMT CPNS)
 *   digit  15     G         gender (jenis kelamin): 1 male, 2 female
 *   digits 16-18  NNN       serial (nomor urut), 001-999
 *
 * e.g. 197501022014071003. Validating the structure here lets every service
 * reject a mistyped NIP before it costs a Kafka round trip or a database
 * query, and gives the portal one precise Indonesian message per fault.
 *
 * The functions keep no state and are safe to call from any thread. */

typedef enum {
    PC_NIP_OK = 0,
    PC_NIP_ELENGTH,        /* NULL, empty, or not exactly 18 bytes */
    PC_NIP_ENOT_DIGITS,    /* 18 bytes but not all ASCII '0'-'9' */
    PC_NIP_EBIRTH_DATE,    /* not a calendar date, year < 1900, or after today */
    PC_NIP_ETMT_INVALID,   /* TMT month not 01-12 or year < 1900 */
    PC_NIP_ETMT_BEFORE_18, /* TMT month earlier than the month of the 18th birthday */
    PC_NIP_ETMT_FUTURE,    /* TMT month after the current month */
    PC_NIP_EGENDER,        /* gender digit not 1 or 2 */
    PC_NIP_ESERIAL,        /* serial is 000 */
    PC_NIP_ERROR_COUNT     /* number of values above; not an error */
} pc_nip_error;

typedef struct {
    int birth_year, birth_month, birth_day;
    int tmt_year, tmt_month;
    int gender;  /* 1 male, 2 female */
    int serial;  /* 1-999 */
} pc_nip;

/* Validate s against today's date (UTC). On PC_NIP_OK fills *out if out is
 * not NULL; on any error *out is left untouched. s is taken as given:
 * surrounding whitespace is the caller's to trim, and length counts bytes.
 *
 * Checks run in this order and the first failure is returned: length,
 * digits, birth date, TMT validity, TMT before 18, TMT in the future,
 * gender, serial.
 *
 * The 18-year rule compares months only, ignoring the birth day:
 *   tmt_year*12 + tmt_month >= (birth_year+18)*12 + birth_month
 * so a TMT in the very month of the 18th birthday is accepted. TMT is a
 * month, so anything finer would reject real appointments of people who
 * turned 18 during their first month of service. */
pc_nip_error pc_nip_parse(const char *s, pc_nip *out);

/* As pc_nip_parse, with an explicit "today" (a valid calendar date) so tests
 * and batch re-validation are reproducible. */
pc_nip_error pc_nip_parse_at(const char *s, int today_y, int today_m, int today_d,
                             pc_nip *out);

/* Stable machine code, e.g. "nip_length"; "ok" for PC_NIP_OK. Never NULL. */
const char *pc_nip_error_code(pc_nip_error e);

/* Indonesian message for the user, naming the digits at fault. Never NULL. */
const char *pc_nip_error_message(pc_nip_error e);

/* The part at fault: "nip", "tanggal_lahir", "tmt_cpns", "jenis_kelamin" or
 * "nomor_urut". Never NULL. */
const char *pc_nip_error_field(pc_nip_error e);

#endif
