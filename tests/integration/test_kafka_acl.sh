#!/usr/bin/env bash
# test_kafka_acl.sh -- runs test_kafka_acl.py (Kafka credentials and ACLs).
cd "$(dirname "$0")" && exec /usr/bin/python3 test_kafka_acl.py
