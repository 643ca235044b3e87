#!/usr/bin/env bash
# test_receipt_rotation.sh -- runs test_receipt_rotation.py (the receipt
# signing key rotated on the running stack and put back). Should the Python
# process die before it restored the stack's keys (SIGKILL), this puts the
# original secrets.env back and restarts the receipt instances with it, so
# the tests after this one find the stack as it was. A backup found before
# the run is from a run killed with this script (its trap never ran): it
# holds the original keys, so it is put back first, never overwritten.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
backup=$STATE_DIR/secrets.env.rotation-backup
restore() {
    [ -f "$backup" ] || return 0
    echo "# test_receipt_rotation.py left the rotated keys: restoring $STATE_DIR/secrets.env"
    mv "$backup" "$STATE_DIR/secrets.env"
    mapfile -t inst < <("$TOP/infra/stack/svc.sh" list receipt | cut -d' ' -f2)
    for i in "${inst[@]:-1}"; do "$TOP/infra/stack/svc.sh" start receipt "$i"; done
}
restore
trap restore EXIT
/usr/bin/python3 "$(dirname "$0")/test_receipt_rotation.py"
