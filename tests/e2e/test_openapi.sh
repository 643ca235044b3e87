#!/usr/bin/env bash
# test_openapi.sh -- the gateway's real responses match proto/openapi.yaml.
# Case syntax: see openapi_check.py (METHOD PATH [BODY] [Header=Value] [=>STATUS[:code]]).
# --flows first runs the success paths (registers one NIP of range openapi, tests/ranges.tsv).
flows=--flows
[ -n "${NIPS_FILE:-}" ] || { flows=; echo "# NIPS_FILE unset: success paths skipped"; }
bearer43=Authorization=Bearer%20AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
# A correction report needs step 2's flow token for its NIP and a solved
# captcha: two NIPs of range correction_openapi (never registered), a token
# each, one captcha (the 201 spends it; the same again is a 400).
eval "$(/usr/bin/python3 - <<'PY'
import os, shlex, sys
sys.path.insert(0, os.path.join(os.environ["TOP"], "tests", "integration"))
import identity_helpers as ih  # noqa: E402
import correction_client as cc  # noqa: E402
a, b = ih.range_rows("correction_openapi")[:2]
cid, ans = ih.pc.captcha()
for k, v in (("kor_nip", a), ("kor_token", cc.token_for(a) or ""), ("kor_token_b", cc.token_for(b) or ""),
             ("kor_cid", cid), ("kor_ans", ans)):
    print(f"{k}={shlex.quote(v)}")
PY
)"
/usr/bin/python3 "$(dirname "$0")/openapi_check.py" "$TOP/proto/openapi.yaml" "$BASE_URL" $flows <<CASES
GET /api/v1/pns/197501022014071003
GET /api/v1/pns/19750102201407100
GET /api/v1/pns/197501022014131003
GET /api/v1/pns/199001012015011999
GET /api/v1/pns/197501022014071003 bytes:70000 =>413:permintaan_terlalu_besar
GET /healthz
GET /readyz
GET /metrics
GET /api/v1/pertanyaan-pengaman =>200
POST /api/v1/captcha =>201
POST /api/v1/registrasi/mulai raw: =>400:json_tidak_valid
POST /api/v1/registrasi/mulai raw:{"nip": =>400:json_tidak_valid
POST /api/v1/registrasi/mulai raw:[1,2] =>400:json_tidak_valid
POST /api/v1/registrasi/mulai raw:{"nip":"1","nip":"2"} =>400:json_tidak_valid
POST /api/v1/registrasi/mulai {"nip": "12345", "email": "bukan-email"} =>400:data_tidak_valid
POST /api/v1/registrasi/mulai {"nip": "197501022014131003", "email": "pns@example.go.id"} =>400:data_tidak_valid
POST /api/v1/registrasi/mulai {"nip": "199001012015011999", "email": "pns@example.go.id"} =>404:nip_tidak_ditemukan
POST /api/v1/registrasi/mulai bytes:70000 =>413:permintaan_terlalu_besar
POST /api/v1/registrasi raw:nope =>400:json_tidak_valid
POST /api/v1/registrasi {} Idempotency-Key=openapi-check-0001 =>400:data_tidak_valid
POST /api/v1/registrasi {"token": "x.y", "kata_kunci": "pendek", "konfirmasi_kata_kunci": "lain", "nama_ibu_kandung": " ", "pertanyaan_id": 99, "jawaban": "", "captcha_id": "", "captcha_jawaban": ""} Idempotency-Key=openapi-check-0002 =>400:data_tidak_valid
POST /api/v1/auth/login raw:x =>400:json_tidak_valid
POST /api/v1/auth/login {} =>400:data_login_kurang
POST /api/v1/auth/login {"nip": "199001012015011999", "kata_kunci": "salah-sekali"} =>401:login_gagal
POST /api/v1/auth/login {"nip": "000000000000000000", "kata_kunci": "salah-sekali"} =>400:data_login_kurang
POST /api/v1/pns/199001012015011999/koreksi {"field": "nama", "usulan": "X"} =>401:token_wajib
POST /api/v1/pns/12/koreksi {"field": "umur"} =>400:data_tidak_valid
POST /api/v1/pns/197501022014071003/koreksi raw:x =>400:json_tidak_valid
POST /api/v1/pns/197501022014071003/koreksi {"field": "nama", "usulan": "X", "token": "bukan.token"} =>401:token_tidak_valid
POST /api/v1/pns/197501022014071003/koreksi {"field": "nama", "usulan": "X"} $bearer43 =>401:perlu_login
POST /api/v1/pns/$kor_nip/koreksi {"field": "nama", "usulan": "X", "token": "$kor_token_b", "captcha_id": "$kor_cid", "captcha_jawaban": "$kor_ans"} =>403:token_nip_lain
POST /api/v1/pns/$kor_nip/koreksi {"field": "nama", "usulan": "<b>X</b>", "token": "$kor_token"} =>400:data_tidak_valid
POST /api/v1/pns/$kor_nip/koreksi {"field": "instansi", "usulan": "Pemerintah Kota Batu", "token": "$kor_token", "captcha_id": "$kor_cid", "captcha_jawaban": "$kor_ans"} =>201
POST /api/v1/pns/$kor_nip/koreksi {"field": "instansi", "usulan": "Pemerintah Kota Batu", "token": "$kor_token", "captcha_id": "$kor_cid", "captcha_jawaban": "$kor_ans"} =>400:data_tidak_valid
GET /api/v1/pns/197501022014071003/koreksi =>401:perlu_login
GET /api/v1/pns/197501022014071003/koreksi $bearer43 =>401:perlu_login
POST /api/v1/auth/login bytes:70000 =>413:permintaan_terlalu_besar
POST /api/v1/auth/logout =>401:perlu_login
POST /api/v1/auth/logout Authorization=Bearer%20pendek =>401:perlu_login
POST /api/v1/auth/logout $bearer43 =>401:perlu_login
GET /api/v1/registrasi/XXXX =>401:perlu_login
GET /api/v1/registrasi/XXXX Authorization=Basic%20dXNlcjpwYXNz =>401:perlu_login
GET /api/v1/registrasi/C8Y9GVRX $bearer43 =>401:perlu_login
# A login refused for a bad nip or a missing kata_kunci once crashed the
# gateway (a use-after-free, caught under ASan): kept as regression cases.
POST /api/v1/auth/login {"nip": "197501022014071003"} =>400:data_login_kurang
POST /api/v1/auth/login {"nip": "1234", "kata_kunci": "x"} =>400:data_login_kurang
# Recovery and the own account (issue 11; their success paths: test_recovery.py).
POST /api/v1/kata-kunci/reset raw:x =>400:json_tidak_valid
POST /api/v1/kata-kunci/reset {} =>400:data_tidak_valid
POST /api/v1/kata-kunci/reset {"nip": "12", "no_registrasi": "", "jawaban": " ", "kata_kunci": "pendek", "konfirmasi": "lain", "captcha_id": "x", "captcha_jawaban": "y"} =>400:data_tidak_valid
POST /api/v1/kata-kunci/lupa {} =>400:data_tidak_valid
POST /api/v1/kata-kunci/lupa raw:[1] =>400:json_tidak_valid
POST /api/v1/kata-kunci/baru {"token": "x", "kata_kunci": "Baru#Sekali2026", "konfirmasi": "Baru#Sekali2026"} =>400:tautan_tidak_berlaku
POST /api/v1/kata-kunci/baru {"token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "kata_kunci": "Baru#Sekali2026", "konfirmasi": "Baru#Sekali2026"} =>400:tautan_tidak_berlaku
POST /api/v1/kata-kunci/baru {"token": "x", "kata_kunci": "pendek"} =>400:data_tidak_valid
POST /api/v1/status {} =>400:data_tidak_valid
POST /api/v1/status raw: =>400:json_tidak_valid
POST /api/v1/email/verifikasi {"token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} =>400:tautan_tidak_berlaku
POST /api/v1/email/verifikasi {} =>400:tautan_tidak_berlaku
GET /api/v1/akun =>401:perlu_login
GET /api/v1/akun Authorization=Bearer%20AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA =>401:perlu_login
POST /api/v1/akun/email {"email": "a@example.go.id"} =>401:perlu_login
POST /api/v1/akun/email/kirim-ulang =>401:perlu_login
POST /api/v1/akun/kata-kunci {} =>401:perlu_login
CASES
