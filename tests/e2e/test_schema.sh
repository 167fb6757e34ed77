#!/usr/bin/env bash
# config/drove.schema.json against drove's loader, over the same corpus
# (tests/schema/corpus.py says which), with Debian's python3-jsonschema.
. "$(dirname "$0")/lib.sh"

# Debian's python, where python3-jsonschema is, whatever else is on PATH.
py=/usr/bin/python3
if ! "$py" -c 'import jsonschema, yaml' 2>/dev/null; then
	fail "python3-jsonschema and python3-yaml are needed (apt-get install python3-jsonschema python3-yaml)"
	finish
	exit 1
fi
"$py" "$DROVE_SOURCE_DIR/tests/schema/corpus.py" "$DROVE" "$DROVE_SOURCE_DIR" \
    >"$T/corpus.out" 2>&1
check "the schema and the loader agree over the corpus" test $? -eq 0
grep -v '^[0-9]* passed' "$T/corpus.out"
check "the corpus is not empty" grep -qE '^[1-9][0-9]* passed, 0 failed$' "$T/corpus.out"
finish
