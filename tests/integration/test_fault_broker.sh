#!/usr/bin/env bash
# test_fault_broker.sh -- runs test_fault_broker.py: SIGKILL of the Kafka node
# leading the registration command partitions during a wave of 500
# registrations, restarted later; exactly once, never 500. Needs the
# three-node cluster (tests/run.sh), TOP, STACK_NAME, STACK_BASE, BASE_URL,
# PG_PORT, PUPNS_KAFKA_BROKERS, PUPNS_REDIS_URL.
exec /usr/bin/python3 "$(dirname "$0")/test_fault_broker.py"
