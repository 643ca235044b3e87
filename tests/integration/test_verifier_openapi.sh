#!/usr/bin/env bash
# test_verifier_openapi.sh -- the verifier API's real responses match
# proto/openapi.yaml (tests/e2e/openapi_check.py): refusals without a session,
# then, with the sessions of a Verifikator 1 (of a seeded unit), a
# Verifikator 2 (of its instansi) and an admin made here, the read paths and
# the typed-number refusals. Needs BASE_URL, PG_PORT, BIN_DIR, TOP.
set -uo pipefail
run=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
pg() { psql -X -q -tA -h 127.0.0.1 -p "$PG_PORT" -U postgres -d pupns -c "$1"; }
source "$(dirname "$0")/../lib.sh"  # test_range: its row (tests/ranges.tsv)
read -r row _ < <(test_range verifier_openapi)
read -r unit inst < <(pg "SELECT unit_kerja_kode, instansi_kode FROM identity.pns ORDER BY nip OFFSET $((row - 1)) LIMIT 1" | tr '|' ' ')
export PUPNS_PG_URL=postgresql://pupns_verifier@127.0.0.1:$PG_PORT/pupns
pw='Verifikasi#2015-Malang'
add() { echo "$pw" | "$BIN_DIR/pupns-ctl" user add "$@" >/dev/null; }
add "oa1.$run" --role verifikator1 --nama "OpenAPI V1" --unit "$unit"
add "oa2.$run" --role verifikator2 --nama "OpenAPI V2" --instansi "$inst"
add "oad.$run" --role admin --nama "OpenAPI Admin"
token() { curl -s -X POST -H 'Content-Type: application/json' -d "{\"username\": \"$1\", \"kata_kunci\": \"$pw\"}" \
    "$BASE_URL/api/v1/verifikator/login" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("token",""))'; }
t1=$(token "oa1.$run"); t2=$(token "oa2.$run"); ta=$(token "oad.$run")
b1="Authorization=Bearer%20$t1"; b2="Authorization=Bearer%20$t2"; ba="Authorization=Bearer%20$ta"
/usr/bin/python3 "$TOP/tests/e2e/openapi_check.py" "$TOP/proto/openapi.yaml" "$BASE_URL" <<CASES
POST /api/v1/verifikator/login {} =>400:data_login_kurang
POST /api/v1/verifikator/login raw:x =>400:json_tidak_valid
POST /api/v1/verifikator/login {"username": "tidak.ada", "kata_kunci": "salah-sekali"} =>401:login_gagal
POST /api/v1/verifikator/login {"username": "oa1.$run", "kata_kunci": "$pw"} =>200
GET /api/v1/verifikator/sesi =>401:perlu_login
POST /api/v1/verifikator/logout =>401:perlu_login
GET /api/v1/verifikator/unit-kerja/$unit/pns Authorization=Bearer%20AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA =>401:perlu_login
POST /api/v1/verifikator/tanda-terima {"no_registrasi": "C8Y9GVRX"} =>401:perlu_login
DELETE /api/v1/verifikator/tanda-terima/C8Y9GVRX =>401:perlu_login
GET /api/v1/verifikator/batch =>401:perlu_login
GET /api/v1/verifikator/batch/1 =>401:perlu_login
POST /api/v1/verifikator/batch/1/terima =>401:perlu_login
GET /api/v1/verifikator/koreksi =>401:perlu_login
GET /api/v1/verifikator/audit =>401:perlu_login
GET /api/v1/verifikator/sesi $b1 =>200
GET /api/v1/verifikator/unit-kerja/$unit/pns $b1 =>200
GET /api/v1/verifikator/unit-kerja/$unit/pns?status=not_registered&limit=5 $b2 =>200
GET /api/v1/verifikator/unit-kerja/$unit/pns?status=bogus $b1 =>400:status_tidak_valid
GET /api/v1/verifikator/unit-kerja/$unit/pns $ba =>200
POST /api/v1/verifikator/tanda-terima {"no_registrasi": "C8Y9GVRP"} $b1 =>400:no_registrasi_salah_ketik
POST /api/v1/verifikator/tanda-terima {"no_registrasi": "C8Y9GVR0"} $b1 =>400:no_registrasi_tidak_valid
POST /api/v1/verifikator/tanda-terima {"no_registrasi": "C8Y9GVRX"} $b1 =>404:registrasi_tidak_ditemukan
POST /api/v1/verifikator/tanda-terima {"qr": "PUPNS1.bukan"} $b1 =>422:qr_tidak_valid
POST /api/v1/verifikator/tanda-terima {"no_registrasi": "C8Y9GVRX"} $b2 =>403:peran_tidak_diizinkan
POST /api/v1/verifikator/batch {"unit_kerja_kode": "$unit"} $b1 =>409:tidak_ada_tanda_terima
POST /api/v1/verifikator/batch {"unit_kerja_kode": "BUKAN.UNIT"} $b1 =>403:di_luar_wewenang
GET /api/v1/verifikator/batch $b1 =>200
GET /api/v1/verifikator/batch?status=submitted $b2 =>200
GET /api/v1/verifikator/batch/999999999 $b2 =>404:batch_tidak_ditemukan
POST /api/v1/verifikator/batch/999999999/kembalikan {"alasan": "Tidak lengkap"} $b2 =>404:batch_tidak_ditemukan
GET /api/v1/verifikator/koreksi $b2 =>200
GET /api/v1/verifikator/koreksi?status=all $ba =>200
GET /api/v1/verifikator/koreksi $b1 =>403:peran_tidak_diizinkan
GET /api/v1/verifikator/audit?limit=5 $ba =>200
GET /api/v1/verifikator/audit $b1 =>403:peran_tidak_diizinkan
GET /api/v1/unit-kerja/$unit/status =>200
POST /api/v1/verifikator/logout $b1 =>204
GET /api/v1/verifikator/sesi $b1 =>401:perlu_login
CASES
