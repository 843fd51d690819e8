#!/usr/bin/env python3
"""Checks that the SDK's docs speak Kotlin and Swift, not Rust.

The doc comments of the exported Rust items become KDoc and Swift docs. A
Kotlin or Swift developer reads `Store.open`, `visitsDue` and `maxBackoffMs`;
Rust's `[Store::open]`, `default_visit_policy` or `max_backoff_ms` name
nothing they can call. This reads the generated and hand-written sources and
fails on a doc comment line that holds:

- a Rust path (`Store::open`, `crate::codes`);
- a rustdoc intra-doc link (`[`x`]`);
- the snake_case spelling of a name the SDK declares in camelCase (a
  function, property, parameter or field of the generated code).

Stored codes (`elderly_alone`, `grid_head`) are snake_case by design and
are not declared names, so they pass. Usage:
    check-sdk-docs.py FILE...       (Kotlin .kt and Swift .swift files)
    check-sdk-docs.py --self-test
"""

import re
import sys

RUST_PATH = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*::[A-Za-z_]")
INTRA_DOC_LINK = re.compile(r"\[`[^`\]]+`\]")
DECLARED = re.compile(
    r"\b(?:fun|val|var|func|let|case)\s+`?([a-z][A-Za-z0-9]*)`?"
    r"|[(,]\s*`?([a-z][A-Za-z0-9]*)`?\s*:"
)
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def camel_to_snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def doc_lines(path, text):
    """Yields (line number, text) of each doc comment line."""
    in_kdoc = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("///"):
            yield number, stripped[3:]
            continue
        if stripped.startswith("/**"):
            in_kdoc = True
        if in_kdoc:
            yield number, stripped.lstrip("/*")
        if in_kdoc and stripped.endswith("*/"):
            in_kdoc = False


def declared_snake_names(texts):
    names = set()
    for text in texts:
        for match in DECLARED.finditer(text):
            name = match.group(1) or match.group(2)
            if name and any(c.isupper() for c in name):
                names.add(camel_to_snake(name))
    return names


def check(files):
    texts = {path: open(path, encoding="utf-8").read() for path in files}
    snake_api = declared_snake_names(texts.values())
    problems = []
    for path, text in texts.items():
        for number, line in doc_lines(path, text):
            # IPv6 loopback `::1` is not a Rust path.
            if RUST_PATH.search(line.replace("::1", "")):
                problems.append((path, number, "a Rust path", line))
            elif INTRA_DOC_LINK.search(line):
                problems.append((path, number, "a rustdoc link", line))
            else:
                for word in SNAKE.findall(line):
                    if word in snake_api:
                        problems.append((path, number, f"Rust's name {word}", line))
                        break
    return problems


def self_test():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "good.kt")
        bad = os.path.join(tmp, "bad.kt")
        with open(good, "w", encoding="utf-8") as f:
            f.write(
                "/**\n * Opens with `Store.open`; code `elderly_alone`; host `::1`.\n */\n"
                "fun visitsDue(maxBackoffMs: Long) {}\n"
            )
        with open(bad, "w", encoding="utf-8") as f:
            f.write(
                "/**\n * See [`Store::open`].\n */\nfun a() {}\n"
                "/**\n * Null means [`default_visit_policy`].\n */\nfun b() {}\n"
                "/**\n * Up to `max_backoff_ms`.\n */\nfun defaultVisitPolicy(maxBackoffMs: Long) {}\n"
            )
        assert check([good]) == [], check([good])
        found = [(line, what) for _, line, what, _ in check([bad])]
        assert found == [(2, "a Rust path"), (6, "a rustdoc link"), (10, "Rust's name max_backoff_ms")], found
    print("check-sdk-docs: self-test passed")


def main(args):
    if args == ["--self-test"]:
        self_test()
        return 0
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(args)
    for path, number, what, line in problems:
        print(f"{path}:{number}: {what} in a doc comment: {line.strip()}", file=sys.stderr)
    if problems:
        print(f"check-sdk-docs: {len(problems)} doc lines speak Rust; name the Kotlin/Swift symbol", file=sys.stderr)
        return 1
    print(f"check-sdk-docs: {len(args)} files, docs in the platforms' terms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
