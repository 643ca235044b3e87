#!/usr/bin/env bash
# test_deploy_manifests.sh -- runs test_deploy_manifests.py (compose and k8s in step with the code).
exec /usr/bin/python3 "$(dirname "$0")/test_deploy_manifests.py"
