#!/bin/sh
# npm test: prepare the machine (test/setup/ensure-test-environment.sh), then run every
# test file with Node's test runner, one file at a time (they start real peers and containers).
# Extra arguments go to node --test (e.g. --test-name-pattern "kill -9").
set -eu
cd "$(dirname "$0")/.."
sh test/setup/ensure-test-environment.sh
files=$(find test -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "$@" $files
