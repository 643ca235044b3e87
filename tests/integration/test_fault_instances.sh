#!/usr/bin/env bash
# test_fault_instances.sh -- runs test_fault_instances.py: two registration
# instances, one SIGKILLed mid-wave of 1,000 registrations and a third
# started; exactly once, and one NIP's racing commands answered as their
# partition order says. Leaves one registration instance running.
exec /usr/bin/python3 "$(dirname "$0")/test_fault_instances.py"
