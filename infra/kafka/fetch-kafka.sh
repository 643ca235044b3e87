#!/usr/bin/env bash
# fetch-kafka.sh -- copy the pinned Kafka broker jars into infra/kafka/lib (once).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
stamp="$here/lib/.complete-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
[ -f "$stamp" ] && exit 0
rm -rf "$here/lib"
mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$here/lib" -DincludeScope=runtime
touch "$stamp"
echo "fetch-kafka: $(ls "$here/lib" | wc -l) jars in $here/lib" >&2
