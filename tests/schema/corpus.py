#!/usr/bin/python3
"""corpus.py: drove's JSON Schema and drove's own loader, run over
the same corpus, must agree.

    corpus.py DROVE SOURCE_DIR

The corpus: every config in config/, the fuzzer's seed configs, the
screenshots' scene, the configs in tests/schema/, and every YAML document the end-to-end tests write
with a quoted here-document; then, from each of these that drove accepts,
mutants: an unknown key added to each mapping, and each value replaced
by a list, a mapping, null, a word, a negative number and a boolean.

For each document `drove check` decides:
- accepted: the schema must accept it (the schema is not stricter than
  drove);
- rejected for a type or an unknown key: the schema must reject it too;
- rejected for another reason (an unknown variable, a cycle, a missing
  file): not the schema's business, counted as skipped.

YAML is read as drove reads it, YAML 1.2: only true/false (any case
spelling drove accepts) are booleans, `yes` and `on` are strings.
Prints "N passed, N failed" and exits 1 on any disagreement.
"""
import concurrent.futures
import copy
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core scalars (no yes/no/on/off
    booleans, no sexagesimals, no timestamps), as drove and editors'
    YAML 1.2 servers read them."""


Yaml12Loader.yaml_implicit_resolvers = {}
for tag, regexp, first in [
        ("tag:yaml.org,2002:bool",
         r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$",
         ["~", "n", "N", ""]),
        ("tag:yaml.org,2002:int",
         r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
         list("-+0123456789")),
        ("tag:yaml.org,2002:float",
         r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
         r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
         list("-+0123456789."))]:
    Yaml12Loader.add_implicit_resolver(tag, re.compile(regexp), first)


def _int12(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _int12)

# The loader's messages that are about a type or an unknown key.
TYPE_REASON = re.compile(
    r"error: (expected |unknown key|invalid on_failure|"
    r"(malformed|negative) duration|\S+ must be \d+ or (more|less))")

passed = failed = skipped = 0


def drove_verdict(drove, path):
    """('ok', '') or ('type', message) or ('other', message)."""
    p = subprocess.run([drove, "check", path], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True,
                       cwd=os.path.dirname(path), check=False)
    if p.returncode == 0:
        return "ok", ""
    msg = p.stderr.strip()
    return ("type" if TYPE_REASON.search(msg) else "other"), msg


def judge(validator, name, doc, verdict, msg):
    global passed, failed, skipped
    errors = list(validator.iter_errors(doc)) if doc is not None else [
        "not a mapping"]
    if verdict == "ok" and errors:
        failed += 1
        print(f"not ok - {name}: drove accepts it, the schema does not: "
              f"{getattr(errors[0], 'message', errors[0])}")
    elif verdict == "type" and not errors:
        failed += 1
        print(f"not ok - {name}: drove rejects it ({msg}), "
              f"the schema accepts it")
    elif verdict == "other":
        skipped += 1
    else:
        passed += 1


def heredocs(script):
    """The YAML documents a test script writes with <<'YAML' (quoted, so
    the shell leaves them as they are)."""
    out = []
    lines = open(script, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.search(r"<<(-?)'(YAML|EOF)'", lines[i])
        i += 1
        if not m:
            continue
        body = []
        while i < len(lines) and lines[i].strip() != m.group(2):
            body.append(lines[i].lstrip("\t") if m.group(1) else lines[i])
            i += 1
        text = "\n".join(body) + "\n"
        if "sequences" in text:
            out.append(text)
    return out


def mutants(doc):
    """(description, place, mutated document) for every place in doc."""
    def walk(node, path):
        if isinstance(node, dict):
            yield path, node
            for k, v in node.items():
                yield from walk(v, path + [k])
        elif isinstance(node, list):
            yield path, node
            for i, v in enumerate(node):
                yield from walk(v, path + [i])

    def fold(path):
        return tuple("*" if isinstance(p, int) else p for p in path)

    def at(root, path):
        for p in path:
            root = root[p]
        return root

    wrong = [["a", "list"], {"a": "mapping"}, None, "no-such-thing!",
             -1, True]
    for path, node in list(walk(doc, [])):
        if isinstance(node, dict):
            m = copy.deepcopy(doc)
            at(m, path)["bogus_key"] = "x"
            yield f"{path} + bogus_key", (fold(path), "+"), m
            keys = list(node.keys())
        else:
            keys = list(range(len(node)))
        for k in keys:
            for w in wrong:
                m = copy.deepcopy(doc)
                at(m, path)[k] = copy.deepcopy(w)
                yield (f"{path + [k]} = {json.dumps(w)}",
                       (fold(path + [k]), json.dumps(w)), m)


def main():
    drove, src = sys.argv[1], sys.argv[2]
    schema = json.load(open(os.path.join(src, "config",
                                         "drove.schema.json")))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    tmp = tempfile.mkdtemp(prefix="drove-schema.")
    try:
        corpus = []  # (name, path of a file drove reads, directory)
        files = (glob.glob(os.path.join(src, "config", "*.yaml")) +
                 glob.glob(os.path.join(src, "config", "examples",
                                        "*.yaml")) +
                 glob.glob(os.path.join(src, "fuzz", "corpus",
                                        "fuzz_config", "*")) +
                 glob.glob(os.path.join(src, "tests", "schema",
                                        "*.yaml")) +
                 [os.path.join(src, "screenshots", "scene.yaml")])
        for f in sorted(files):
            corpus.append((os.path.relpath(f, src), f))
        for script in sorted(glob.glob(os.path.join(src, "tests", "e2e",
                                                    "*.sh"))):
            for n, text in enumerate(heredocs(script)):
                d = os.path.join(tmp, f"{os.path.basename(script)}-{n}")
                os.mkdir(d)
                path = os.path.join(d, "drove.yaml")
                with open(path, "w", encoding="utf-8") as fp:
                    fp.write(text)
                corpus.append((f"{os.path.basename(script)} #{n + 1}",
                               path))

        def load(path):
            try:
                doc = yaml.load(open(path, encoding="utf-8"),
                                Loader=Yaml12Loader)
            except yaml.YAMLError:
                return False, None
            return True, doc

        accepted = []
        for name, path in corpus:
            ok, doc = load(path)
            verdict, msg = drove_verdict(drove, path)
            if not ok:
                continue
            judge(validator, name, doc, verdict, msg)
            if verdict == "ok":
                accepted.append((name, path, doc))

        # Mutants sit beside a copy of their original's directory, so
        # that a hosts file or a cwd it names is still there.
        # One mutant per place and change: the same key of the same kind
        # of mapping (list positions folded) is tried once.
        jobs, seen = [], set()
        for n, (name, path, doc) in enumerate(accepted):
            d = os.path.join(tmp, f"mut-{n}")
            shutil.copytree(os.path.dirname(path), d,
                            ignore=shutil.ignore_patterns("runs", "*.log"))
            for i, (what, where, m) in enumerate(mutants(doc)):
                if where in seen:
                    continue
                seen.add(where)
                mp = os.path.join(d, f"mutant-{i}.json")
                with open(mp, "w", encoding="utf-8") as fp:
                    json.dump(m, fp)
                jobs.append((f"{name}: {what}", mp, m))
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            verdicts = pool.map(lambda j: drove_verdict(drove, j[1]), jobs)
            for (name, _, m), (verdict, msg) in zip(jobs, verdicts):
                judge(validator, name, m, verdict, msg)
    finally:
        shutil.rmtree(tmp)
    print(f"schema: {len(corpus)} documents, {len(jobs)} mutants; "
          f"{skipped} rejected by drove for other reasons")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
