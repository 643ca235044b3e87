#!/usr/bin/env bash
# test_purge.sh -- bookkeeping tables stay bounded: the registration and
# identity services purge dead rows (libcommon/purge.h) and keep live ones.
# Plants both kinds with SQL, restarts the two services (a pass runs at
# start), and reads the tables and pupns_purged_rows_total. No NIP rows used:
# the planted rows carry made-up keys.
source "$(dirname "$0")/../lib.sh"
echo "1..8"
sql() { psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -tAc "$1"; }
sql "INSERT INTO registration.login_throttle (nip, failures, window_start) VALUES
       ('000000000000000001', 3, now() - interval '2 hours'), ('000000000000000002', 3, now())
     ON CONFLICT (nip) DO UPDATE SET window_start = EXCLUDED.window_start" >/dev/null
sql "INSERT INTO registration.command_result (command_id, nip, result, created_at) VALUES
       ('purge-test-old', '000000000000000001', '{}', now() - interval '9 days'),
       ('purge-test-new', '000000000000000001', '{}', now())
     ON CONFLICT (command_id) DO UPDATE SET created_at = EXCLUDED.created_at" >/dev/null
sql "INSERT INTO registration.outbox (event_id, topic, key, payload, created_at, sent_at) VALUES
       (gen_random_uuid(), 'purge.test', 'old', '{}', now() - interval '3 days', now() - interval '2 days'),
       (gen_random_uuid(), 'purge.test', 'recent', '{}', now(), now())" >/dev/null
sql "INSERT INTO identity.outbox (event_id, topic, key, payload, created_at, sent_at) VALUES
       (gen_random_uuid(), 'purge.test', 'old', '{}', now() - interval '3 days', now() - interval '2 days')" >/dev/null
for s in registration identity; do "$TOP/infra/stack/svc.sh" start "$s" 1; done
gone=0
for _ in $(seq 150); do
    [ "$(sql "SELECT count(*) FROM registration.outbox WHERE topic = 'purge.test' AND key = 'old'")" = 0 ] &&
        [ "$(sql "SELECT count(*) FROM identity.outbox WHERE topic = 'purge.test'")" = 0 ] &&
        [ "$(sql "SELECT count(*) FROM registration.command_result WHERE command_id = 'purge-test-old'")" = 0 ] &&
        { gone=1; break; }
    sleep 0.2
done
is "$gone" 1 "a pass at start removes sent outbox rows (registration, identity) and old command results"
is "$(sql "SELECT count(*) FROM registration.outbox WHERE topic = 'purge.test' AND key = 'recent'")" 1 \
    "a recently sent outbox row stays (a day's grace)"
is "$(sql "SELECT count(*) FROM registration.command_result WHERE command_id = 'purge-test-new'")" 1 \
    "a command result within the commands' retention stays"
is "$(sql "SELECT count(*) FROM registration.login_throttle WHERE nip = '000000000000000001'")" 0 \
    "a login throttle whose hour has passed is removed"
is "$(sql "SELECT count(*) FROM registration.login_throttle WHERE nip = '000000000000000002'")" 1 \
    "a login throttle within its hour stays"
is "$(sql "SELECT count(*) FROM registration.outbox WHERE sent_at IS NULL AND topic = 'purge.test'")" 0 \
    "(no unsent row was planted or touched)"
metrics=$(curl -s "http://127.0.0.1:$((STACK_BASE + 13))/metrics")
check "registration counts what it purged" grep -q 'pupns_purged_rows_total{table="registration.outbox"}' <<<"$metrics"
metrics=$(curl -s "http://127.0.0.1:$((STACK_BASE + 11))/metrics")
check "identity counts what it purged" grep -q 'pupns_purged_rows_total{table="identity.outbox"}' <<<"$metrics"
sql "DELETE FROM registration.outbox WHERE topic = 'purge.test'; DELETE FROM registration.command_result WHERE command_id LIKE 'purge-test-%';
     DELETE FROM registration.login_throttle WHERE nip IN ('000000000000000001', '000000000000000002')" >/dev/null
