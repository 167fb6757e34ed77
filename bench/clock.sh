#!/usr/bin/env bash
# clock.sh: the clock test at benchmark size (1,000 sequences at once, each
# a step killed by its timeout). Not part of the suite: it takes a loaded
# machine's worth of processes. Prints the test's verdict and its time.
#   bench/clock.sh [BUILD_DIR]      (default: build)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
[ -x "$build/drove" ] || { echo "build drove first (cmake --build $build)"; exit 1; }
start=$EPOCHREALTIME
DROVE=$PWD/$build/drove DROVE_SOURCE_DIR=$PWD DROVE_CLOCK_SEQS=${SEQS:-1000} \
	bash tests/e2e/test_clock.sh
python3 -c "print(f'clock test: {$EPOCHREALTIME - $start:.1f}s')"
