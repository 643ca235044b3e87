/* verifier_sql.h -- SQL fragments several verifier modules share. */
#ifndef VERIFIER_SQL_H
#define VERIFIER_SQL_H

/* A timestamptz as RFC 3339 UTC with milliseconds (NULL stays NULL). */
#define VERIFIER_TS(x) "to_char(" x " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

#endif
