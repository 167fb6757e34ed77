#!/usr/bin/env bash
# run_all.sh: the whole test suite, from a fresh Debian 12 machine (as root)
# or a developer's: install what is missing, build the normal and the
# sanitizer (ASan + UBSan) trees, run every test in the first and the unit
# tests in the second, fuzz for a short time when clang is here, and last build the Debian package, install it and
# run it. README's test command and .ci/run run exactly this.
set -eu
cd "$(dirname "$0")/.."

pkgs="build-essential cmake pkg-config libev-dev libyaml-dev libncurses-dev
      libcmocka-dev tmux python3 procps openssh-client openssh-server
      pandoc man-db zsh fish python3-jsonschema python3-yaml
      dpkg-dev debhelper lintian"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "run_all: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >/dev/null
fi

jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
cmake -S . -B build-asan -DDROVE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j "$jobs"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
ctest --test-dir build-asan -L unit --output-on-failure -j "$jobs"
echo "== headless end-to-end tests, and the review, on the sanitizer build"
for t in tests/e2e/test_headless.sh tests/e2e/test_logs.sh \
    tests/e2e/test_review.sh tests/e2e/test_ssh.sh tests/e2e/test_json.sh \
    tests/e2e/test_conventions.sh tests/e2e/test_notify.sh; do
	DROVE=$PWD/build-asan/drove DROVE_SOURCE_DIR=$PWD DROVE_SANITIZED=1 \
	    bash "$t" >"build-asan/$(basename "$t" .sh).log" 2>&1 ||
		{ cat "build-asan/$(basename "$t" .sh).log"; exit 1; }
	tail -n 1 "build-asan/$(basename "$t" .sh).log"
done
echo "== all tests (unit and end-to-end) on the normal build"
ctest --test-dir build --output-on-failure -j "$jobs"
if command -v clang >/dev/null; then
	echo "== libFuzzer: each target for ${DROVE_FUZZ_SECONDS:-10}s (clang is here)"
	CC=clang cmake -S . -B build-fuzz -DDROVE_FUZZ=ON -DDROVE_SANITIZE=ON \
	    -DDROVE_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-fuzz -j "$jobs" --target fuzz_config fuzz_outbuf \
	    fuzz_runread >build-fuzz/build.log 2>&1 ||
		{ cat build-fuzz/build.log; exit 1; }
	for f in fuzz_config fuzz_outbuf fuzz_runread; do
		# New inputs go to a scratch directory, never into the repo.
		rm -rf "build-fuzz/new-$f" && mkdir -p "build-fuzz/new-$f"
		"build-fuzz/fuzz/$f" "build-fuzz/new-$f" "fuzz/corpus/$f" \
		    -max_total_time="${DROVE_FUZZ_SECONDS:-10}" -timeout=10 \
		    -rss_limit_mb=2048 >"build-fuzz/$f.log" 2>&1 ||
			{ tail -n 60 "build-fuzz/$f.log"; exit 1; }
		echo "$f: $(grep -o 'DONE.*cov: [0-9]*' "build-fuzz/$f.log" | tail -n 1 | sed 's/DONE */coverage /'), no crash"
	done
else
	echo "== libFuzzer: skipped (no clang: apt-get install clang to run it)"
fi
echo "== the Debian package: build, lintian, dpkg -i, run, remove"
DROVE=$PWD/build/drove DROVE_SOURCE_DIR=$PWD bash tests/deb/test_deb.sh \
    >build/test_deb.log 2>&1 || { cat build/test_deb.log; exit 1; }
tail -n 1 build/test_deb.log
