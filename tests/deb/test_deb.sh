#!/usr/bin/env bash
# The Debian package: built from a copy of the source tree with
# dpkg-buildpackage (debian/, debhelper), checked by lintian (no errors),
# installed into this machine with dpkg -i, the installed drove run on an
# installed example, then removed. Slower than the other tests (a whole
# build): tests/run_all.sh runs it last.
. "$(cd "$(dirname "$0")/.." && pwd)/e2e/lib.sh"

src=$DROVE_SOURCE_DIR
mkdir -p "$T/pkg/drove"
# The files git knows of (committed or not, not ignored) in a checkout,
# else the whole tree; never its build directories.
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$src" ls-files -z --cached --others --exclude-standard | (cd "$src" && tar --null -T - -cf -) |
	    tar -xf - -C "$T/pkg/drove"
else
	(cd "$src" && tar --exclude='./build*' --exclude='./obj-*' -cf - .) |
	    tar -xf - -C "$T/pkg/drove"
fi
(cd "$T/pkg/drove" && DEB_BUILD_OPTIONS="parallel=$(nproc)" \
    dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1
check "dpkg-buildpackage -us -uc -b succeeds" test $? -eq 0 ||
	tail -n 30 "$T/build.log"
deb=$(ls "$T"/pkg/drove_*_*.deb 2>/dev/null | head -n 1)
check "a .deb was made" test -n "$deb"
[ -n "$deb" ] || { finish; exit 1; }

deps=$(dpkg-deb -f "$deb" Depends)
for lib in libev4 libyaml-0-2 libncursesw6; do
	check "Depends: $lib" eval 'echo "$deps" | grep -q "\b$lib\b"'
done
check "Recommends: openssh-client" \
    test "$(dpkg-deb -f "$deb" Recommends)" = openssh-client
dpkg-deb -c "$deb" >"$T/contents"
for f in ./usr/bin/drove ./usr/share/man/man1/drove.1.gz \
    ./usr/share/man/man5/drove.yaml.5.gz \
    ./usr/share/bash-completion/completions/drove \
    ./usr/share/zsh/vendor-completions/_drove \
    ./usr/share/fish/vendor_completions.d/drove.fish \
    ./usr/share/drove/drove.schema.json \
    ./usr/share/doc/drove/copyright \
    ./usr/share/doc/drove/examples/pipeline.yaml; do
	check "the package holds $f" grep -q " $f\$" "$T/contents"
done

lintian --fail-on error "$deb" >"$T/lintian.out" 2>/dev/null
check "lintian: no errors" test $? -eq 0
grep '^E:' "$T/lintian.out"

if [ "$(id -u)" -ne 0 ]; then
	echo "# not root: the package is built and checked, not installed"
	finish
	exit
fi
if dpkg-query -W -f='${Status}' drove 2>/dev/null | grep -q "ok installed"; then
	echo "# a drove package is installed already: not replaced"
	finish
	exit
fi
E2E_CLEANUP='dpkg -r drove >/dev/null 2>&1'
dpkg -i "$deb" >"$T/dpkg.log" 2>&1
check "dpkg -i installs it" test $? -eq 0 || cat "$T/dpkg.log"
check "dpkg says it is installed" \
    eval 'dpkg-query -W -f="\${Status}" drove | grep -q "ok installed"'
/usr/bin/drove --version >"$T/version" 2>&1
check "the installed drove runs" grep -q '^drove [0-9]' "$T/version"
mkdir -p "$T/run"
cd "$T/run" || exit 1
/usr/bin/drove check /usr/share/doc/drove/examples/pipeline.yaml \
    >"$T/check" 2>&1
check "drove check on an installed example" test $? -eq 0
/usr/bin/drove --headless --log-dir "$T/run/runs" \
    /usr/share/doc/drove/examples/pipeline.yaml >"$T/runout" 2>&1
check "the installed drove runs an installed example" test $? -eq 0 ||
	tail -n 20 "$T/runout"
check "... and leaves its logs" test -d "$T/run/runs/latest"
check "man finds drove(1)" eval 'man -w drove | grep -q /usr/share/man/man1/drove.1'
check "man finds drove.yaml(5)" \
    eval 'man -w 5 drove.yaml | grep -q /usr/share/man/man5/drove.yaml.5'
dpkg -r drove >/dev/null 2>&1
check "dpkg -r removes it" test ! -e /usr/bin/drove
E2E_CLEANUP=
finish
