#!/usr/bin/env bash
# kafka_certs.sh -- the private CA and the certificates of a local stack's Kafka (mutual TLS).
#   kafka_certs.sh DIR NODES PRINCIPAL...
# Makes, in DIR (mode 0700), once and again only when missing, expiring or
# signed by another CA:
#   ca.pem, ca.key                 the stack's own CA (10 years);
#   kafka-N.pem/.key/.keystore.pem node N's certificate (CN=kafka-N, SAN
#                                  127.0.0.1/localhost), its key, and the PEM
#                                  keystore the broker reads (both in one);
#   PRINCIPAL.pem/.key             one client certificate per principal,
#                                  CN=PRINCIPAL (the broker maps it to
#                                  User:PRINCIPAL, the name the ACLs use);
#   admin.keystore.pem             the admin's, for Java tools.
# Keys are EC P-256 (cheap handshakes on small machines), mode 0600. The
# leaves live 5 years and are remade 30 days before they expire.
set -euo pipefail
dir=${1:?DIR}; nodes=${2:?NODES}; shift 2
days_ca=3650 days_leaf=1825 renew_s=$((30 * 86400))
umask 077
mkdir -p "$dir"; chmod 700 "$dir"
cd "$dir"

log() { echo "kafka_certs: $*" >&2; }
ossl() { openssl "$@" 2>>openssl.log >/dev/null || { tail -5 openssl.log >&2; return 1; }; }

# A new CA invalidates every leaf: they then fail the check below.
if [ ! -s ca.pem ] || [ ! -s ca.key ] || ! openssl x509 -in ca.pem -noout -checkend "$renew_s" >/dev/null 2>&1; then
    ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days "$days_ca" \
        -subj "/CN=PUPNS local Kafka CA $(basename "$(dirname "$dir")")" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        -keyout ca.key -out ca.pem
    chmod 644 ca.pem
    log "new CA in $dir"
fi

# fresh NAME: NAME.pem exists, was signed by this CA and is not about to expire.
fresh() {
    [ -s "$1.pem" ] && [ -s "$1.key" ] &&
        openssl verify -CAfile ca.pem "$1.pem" >/dev/null 2>&1 &&
        openssl x509 -in "$1.pem" -noout -checkend "$renew_s" >/dev/null 2>&1
}

# leaf NAME USAGE [SAN]: a key and a certificate CN=NAME signed by the CA.
leaf() {
    local name=$1 usage=$2 san=${3:-} ext
    ext=$(mktemp "$dir/ext.XXXXXX")
    { echo "basicConstraints=critical,CA:FALSE"; echo "keyUsage=critical,digitalSignature"
      echo "extendedKeyUsage=$usage"; [ -n "$san" ] && echo "subjectAltName=$san"; } >"$ext"
    ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$name.key.new"
    ossl req -new -key "$name.key.new" -subj "/CN=$name" -out "$name.csr"
    ossl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days_leaf" \
        -extfile "$ext" -out "$name.pem.new"
    rm -f "$ext" "$name.csr"
    mv "$name.key.new" "$name.key"; mv "$name.pem.new" "$name.pem"
    chmod 644 "$name.pem"
    rm -f "$name.keystore.pem"   # made again from the new key
}

# keystore NAME: the PEM keystore of a Java side: the key (PKCS#8, as
# genpkey writes it; unencrypted -- Java 17 cannot read OpenSSL 3's PBES2
# encryption, and a password beside the key in the same 0600 folder would
# guard nothing), then the certificate.
keystore() {
    local name=$1
    [ -s "$name.keystore.pem" ] && return 0
    cat "$name.key" "$name.pem" >"$name.keystore.new"
    mv "$name.keystore.new" "$name.keystore.pem"
}

for n in $(seq "$nodes"); do
    fresh "kafka-$n" || leaf "kafka-$n" serverAuth,clientAuth "IP:127.0.0.1,DNS:localhost"
    keystore "kafka-$n"
done
for p in "$@"; do
    fresh "$p" || leaf "$p" clientAuth
done
keystore admin

