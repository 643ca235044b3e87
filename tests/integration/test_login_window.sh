#!/usr/bin/env bash
# test_login_window.sh -- per-NIP login failures decay: they count within an
# hour of the first one, then start over (the window is moved back in the
# database rather than waited for). NIPS_FILE line 469.
source "$(dirname "$0")/../lib.sh"
echo "1..4"
nip=$(sed -n 469p "$NIPS_FILE")
sql() { psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -tAc "$1"; }
login() { req POST /api/v1/auth/login "{\"nip\":\"$nip\",\"kata_kunci\":\"$1\"}"; echo "$STATUS"; }
sql "DELETE FROM registration.login_throttle WHERE nip = '$nip'" >/dev/null
codes=""; for i in 1 2 3 4 5; do codes="$codes $(login salah-$i)"; done
is "$codes" " 401 401 401 401 429" "five failures within the hour lock the NIP"
is "$(sql "SELECT failures FROM registration.login_throttle WHERE nip = '$nip'")" 5 "they are counted"
# An hour later (and the lock-out over), the old failures no longer count.
sql "UPDATE registration.login_throttle SET window_start = now() - interval '61 minutes', locked_until = NULL WHERE nip = '$nip'" >/dev/null
is "$(login salah-6)" 401 "a failure after the window is an ordinary failure, not a lock-out"
is "$(sql "SELECT failures FROM registration.login_throttle WHERE nip = '$nip'")" 1 "and the count starts over"
