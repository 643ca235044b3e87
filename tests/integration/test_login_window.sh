#!/usr/bin/env bash
# test_login_window.sh -- per-NIP login failures decay: they count within an
# hour of the first one, then start over (the window is moved back in the
# database rather than waited for); five of them ask for a captcha, never a
# lock-out. NIPs: range login_window (tests/ranges.tsv).
source "$(dirname "$0")/../lib.sh"
echo "1..5"
nip=$(range_nips login_window)
sql() { psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -tAc "$1"; }
login() { req POST /api/v1/auth/login "{\"nip\":\"$nip\",\"kata_kunci\":\"$1\"}"; echo "$STATUS:$(jget code)"; }
sql "DELETE FROM registration.login_throttle WHERE nip = '$nip'" >/dev/null
codes=""; for i in 1 2 3 4 5 6; do codes="$codes $(login salah-$i)"; done
is "$codes" " 401:login_gagal 401:login_gagal 401:login_gagal 401:login_gagal 401:login_gagal 401:captcha_wajib" \
    "five failures within the hour make the next login need a captcha (no lock-out)"
is "$(sql "SELECT failures FROM registration.login_throttle WHERE nip = '$nip'")" 5 "they are counted; the captcha refusal is not"
is "$(sql "SELECT count(*) FROM registration.login_throttle WHERE nip = '$nip' AND locked_until IS NOT NULL")" 0 \
    "and nothing is locked"
# An hour later, the old failures no longer count.
sql "UPDATE registration.login_throttle SET window_start = now() - interval '61 minutes' WHERE nip = '$nip'" >/dev/null
is "$(login salah-7)" 401:login_gagal "a failure after the window is an ordinary failure again"
is "$(sql "SELECT failures FROM registration.login_throttle WHERE nip = '$nip'")" 1 "and the count starts over"
