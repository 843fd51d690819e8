#!/usr/bin/env python3
r"""Checks that every name of the Gridbook API used by the demo apps exists.

Run by scripts/check-demo-api, which generates the bindings first. The UI code
of android-demo (Compose) and ios-demo (App/, SwiftUI) is compiled by nothing
on the machines that run the tests, so a name renamed in the Rust API would
only break those apps in Android Studio or Xcode. This reads the freshly
generated Kotlin (two files: the objects in package org.gridbook, the core's
records, enums and error in org.gridbook.core) and Swift (both files in module
Gridbook), extracts
the API (types; their fields, methods, constructors and parameters, enum cases,
sealed-class variants; top-level functions), then reads every .kt/.kts/.swift
file under android-demo/ and ios-demo/ and reports, as path:line, each use of
an API name that the bindings do not have. No compiler is involved, so a name
is checked where the checker can tell that it belongs to the API:

  Kotlin  every `import org.gridbook.X` or `import org.gridbook.core.X` (or
          `org.gridbook.X.Y`, or a name written out as `org.gridbook.X` in
          code) must name an API type or function declared in that package.
          `import org.gridbook.*` is refused: the rules need to know
          which names come from the API (ktlint's default rules refuse it too).
  Swift   in a file that imports Gridbook, every capitalised name used as a
          type or constructor must be an API type, a type of the demo or a
          platform type listed in SWIFT_PLATFORM_TYPES (or with an Apple
          framework prefix); every call of a free function must be an API
          function, a function of the demo or one of SWIFT_GLOBAL_FUNCS.
  both    `Type.member` on an API type must be one of its members (enum cases
          and entries, sealed variants, static and companion functions);
          `value.member` must be a member of the value's type when that is an
          API type; named arguments (Kotlin `name =`) and argument labels
          (Swift `name:`) of a call of an API function or constructor must be
          its parameters; a Swift implicit member (`.nobodyHome`) or case
          pattern must be a case or static member of the API type its context
          expects (a switch subject, the other side of == != ??, an array whose
          first element names the type, a parameter, variable or return value
          of that type); a demo type implementing an API interface or protocol
          must have each of its methods (a Kotlin `override fun` in it must
          override one of them).

A value's type is known from declarations (`val x: T`, parameters, properties
of demo and API types), from what API and demo functions return (a generic
`read<T>(body: (Store) -> T)` returns its lambda's value), from constructor
calls, from Kotlin smart casts (`is T` in when, if and &&), from Swift patterns
(`case let .done(report)`, `if let`, `guard let`, `as?`) and from the element
type for the usual collection and scope functions (map, filter, forEach, let,
ForEach, items...). Members of the language itself (Kotlin's copy, entries,
name, message; Swift's hashValue, localizedDescription) and the demo's own
extensions of API types are known too.

What it cannot see (not reported, so a rename there still shows only in the
IDE): a member used on a value whose type it cannot tell (`--stats` lists the
names that API types also have); the number and types of arguments (only their
names); key paths (`\.householdId`) and anything by reflection; a misspelt
Kotlin call of an API function whose import is right (a rename in the API is
caught at the import).
The one way it can be wrong the other way: a Swift platform type or global
function missing from the lists above is reported until it is added there.
Python 3.8 or newer, standard library only.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from typing import NamedTuple, Optional

# ---------------------------------------------------------------------------
# Lexer: identifiers, numbers, strings (with their interpolations lexed as code
# between the markers « and »), operators; comments dropped. Each token knows
# its line and whether a newline or blank space precedes it (statement ends,
# Swift's postfix `?`/`!` and generic `<` depend on it).


class Tok:
    __slots__ = ("k", "t", "line", "nl", "sp", "pos")

    def __init__(self, k, t, line, nl, sp, pos):
        self.k, self.t, self.line, self.nl, self.sp, self.pos = k, t, line, nl, sp, pos

    def __repr__(self):
        return f"{self.t}@{self.line}"


OPS3 = ("...", "..<", "===", "!==")
OPS2 = ("?.", "?:", "!!", "->", "::", "==", "!=", "<=", ">=", "&&", "||", "??",
        "+=", "-=", "*=", "/=", "%=", "++", "--", "..")
NUM_RE = re.compile(r"0[xXbB][0-9a-fA-F_]+[uUlL]*|[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9]+)?[a-zA-Z]*")
SWIFT_DIRECTIVES = {"if", "elseif", "else", "endif", "warning", "error", "sourceLocation"}
COMMENT_RE = re.compile(r"/\*|\*/|\n")
OP_RE = re.compile("|".join(re.escape(o) for o in OPS3 + OPS2) + "|.", re.S)
STRING_STOP_RE = re.compile(r'["\\$\n]')
SPACE_RE = re.compile(r"[ \t\r\f\ufeff]+")
WORD_RE = re.compile(r"\w*")
RAW_STRING_RE = re.compile(r'#+"')
CHAR_RE = re.compile(r"'(?:\\u[0-9a-fA-F]{4}|\\.|[^'\\])'")
DIRECTIVE_RE = re.compile(r"#([A-Za-z]+)")


class Lexer:
    def __init__(self, src, lang):
        self.s, self.lang, self.i, self.line = src, lang, 0, 1
        self.toks = []
        self.nl = True
        self.sp = True

    def emit(self, k, t, pos=None):
        self.toks.append(Tok(k, t, self.line, self.nl, self.sp, self.i if pos is None else pos))
        self.nl = self.sp = False

    def run(self, stop=None):
        """Lexes to the end, or to the unmatched `stop` closing an interpolation."""
        s, n, depth = self.s, len(self.s), 0
        while self.i < n:
            c = s[self.i]
            if c == "\n":
                self.line += 1
                self.nl = self.sp = True
                self.i += 1
                continue
            if c in " \t\r\f\ufeff":
                self.sp = True
                self.i = SPACE_RE.match(s, self.i).end()
                continue
            if s.startswith("//", self.i):
                j = s.find("\n", self.i)
                self.i = n if j < 0 else j
                self.sp = True
                continue
            if s.startswith("/*", self.i):
                self.comment()
                continue
            if stop is not None and c in "({[)}]":
                if c in "({[":
                    depth += 1
                elif depth == 0:
                    if c == stop:
                        self.i += 1
                        return
                else:
                    depth -= 1
            if c == '"' or (c == "#" and self.lang == "swift" and RAW_STRING_RE.match(s, self.i)):
                self.string()
                continue
            if c == "'" and self.lang == "kotlin":
                m = CHAR_RE.match(s, self.i)
                self.emit("str", "'")
                self.i = m.end() if m else self.i + 1
                continue
            if c == "#" and self.lang == "swift" and self.nl:
                m = DIRECTIVE_RE.match(s, self.i)
                if m and m.group(1) in SWIFT_DIRECTIVES:  # #if/#endif lines: both branches are read
                    j = s.find("\n", self.i)
                    self.i = n if j < 0 else j
                    continue
            if c == "`":
                j = s.find("`", self.i + 1)
                j = n if j < 0 else j
                self.emit("id", s[self.i + 1:j], self.i + 1)
                self.i = j + 1
                continue
            if c.isalpha() or c == "_" or (c == "$" and self.lang == "swift"):
                j = WORD_RE.match(s, self.i + 1).end()
                self.emit("id", s[self.i:j])
                self.i = j
                continue
            if c.isdigit():
                m = NUM_RE.match(s, self.i)
                self.emit("num", m.group(0))
                self.i = m.end()
                continue
            op = OP_RE.match(s, self.i).group(0)
            self.emit("op", op)
            self.i += len(op)

    def comment(self):
        """A block comment (they nest in both languages)."""
        depth = 0
        for m in COMMENT_RE.finditer(self.s, self.i):
            t = m.group(0)
            if t == "\n":
                self.line += 1
                self.nl = True
            elif t == "/*":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    self.i = m.end()
                    break
        else:
            self.i = len(self.s)
        self.sp = True

    def string(self):
        s, n = self.s, len(self.s)
        hashes = 0
        while s[self.i] == "#":
            hashes += 1
            self.i += 1
        triple = s.startswith('"""', self.i)
        self.emit("str", '"')
        self.i += 3 if triple else 1
        close = ('"""' if triple else '"') + "#" * hashes
        raw_kotlin = triple and self.lang == "kotlin"
        while self.i < n:
            m = STRING_STOP_RE.search(s, self.i)  # skip the plain text
            if m is None:
                self.i = n
                break
            self.i = m.start()
            c = s[self.i]
            if s.startswith(close, self.i):
                self.i += len(close)
                if triple:
                    while self.i < n and s[self.i] == '"':
                        self.i += 1
                return
            if c == "\n":
                self.line += 1
                if not triple:
                    return
                self.i += 1
                continue
            if self.lang == "swift" and s.startswith("\\" + "#" * hashes + "(", self.i):
                self.i += 2 + hashes
                self.interpolation(")")
                continue
            if c == "\\" and not raw_kotlin:
                self.i += 2
                continue
            if self.lang == "kotlin" and c == "$" and self.i + 1 < n:
                if s[self.i + 1] == "{":
                    self.i += 2
                    self.interpolation("}")
                    continue
                if s[self.i + 1].isalpha() or s[self.i + 1] == "_":
                    j = self.i + 1
                    while j < n and (s[j].isalnum() or s[j] == "_"):
                        j += 1
                    self.emit("op", "«")
                    self.emit("id", s[self.i + 1:j], self.i + 1)
                    self.emit("op", "»")
                    self.i = j
                    continue
            self.i += 1

    def interpolation(self, stop):
        nl, sp = self.nl, self.sp
        self.nl = self.sp = False
        self.emit("op", "«")
        self.run(stop)
        self.nl = self.sp = False
        self.emit("op", "»")
        self.nl, self.sp = nl, sp


LEXED = {}  # (language, text) -> tokens: the self-test re-reads only the file it changed


def lex(src, lang):
    toks = LEXED.get((lang, src))
    if toks is None:
        lx = Lexer(src, lang)
        lx.run()
        toks = LEXED[(lang, src)] = lx.toks
    return toks


OPEN = {"(": ")", "[": "]", "{": "}", "«": "»"}
# Operators that continue an expression on the next line: at the end of a line,
# or (Swift, with spaces around them) at the start of the next.
LINE_END_OPS = {"+", "-", "*", "/", "%", "&&", "||", "?:", "??", "=", "==", "!=", ".", "?.", ",", "->", "..", "+=", "-="}
SWIFT_LINE_START_OPS = {"+", "-", "*", "/", "<", ">", "<=", ">=", "...", "..<", "?", ":"}
CLOSE = {v: k for k, v in OPEN.items()}

# ---------------------------------------------------------------------------
# Types. A Ty names either an API type ("api:Store", "api:GridbookException.Invalid"),
# a type of the demo ("demo:TodayState.Loaded"), a generic parameter ("gen:T"),
# a container ("List", "Set", "Map", "Fn" with .ret, "Tuple") or anything else of
# the platform by its plain name ("String", "StateFlow"). Before resolution the
# names are as written.


class Ty(NamedTuple):
    name: str
    args: tuple = ()
    opt: bool = False
    ret: Optional["Ty"] = None


def unwrap(t):
    return t._replace(opt=False) if t is not None and t.opt else t


def elem(t):
    t = unwrap(t)
    if t is not None and t.name in ("List", "Set") and t.args:
        return t.args[0]
    return None


KOTLIN_LISTS = {"List", "MutableList", "ArrayList", "Collection", "MutableCollection", "Iterable", "Sequence", "Array"}
KOTLIN_SETS = {"Set", "MutableSet", "HashSet", "LinkedHashSet"}
KOTLIN_MAPS = {"Map", "MutableMap", "HashMap", "LinkedHashMap"}


def normalise(name, args, lang):
    """Containers by one name whatever the language spells them."""
    for prefix in ("kotlin.collections.", "kotlin.", "Swift.", "Foundation."):
        if name.startswith(prefix) and "." not in name[len(prefix):]:
            name = name[len(prefix):]
    if lang == "kotlin":
        if name in KOTLIN_LISTS:
            return Ty("List", args[:1])
        if name in KOTLIN_SETS:
            return Ty("Set", args[:1])
        if name in KOTLIN_MAPS:
            return Ty("Map", args[:2])
    else:
        if name == "Array":
            return Ty("List", args[:1])
        if name == "Set":
            return Ty("Set", args[:1])
        if name == "Dictionary":
            return Ty("Map", args[:2])
        if name == "Optional" and args and args[0] is not None:
            return args[0]._replace(opt=True)
    return Ty(name, tuple(args))


# Words that may stand before a type and do not change which type it is.
TYPE_PREFIX = {"suspend", "some", "any", "inout", "borrowing", "consuming", "sending", "isolated", "out", "in", "reified"}

# ---------------------------------------------------------------------------
# Declarations (pass 1): the types, functions and properties of the generated
# API and of the demo, with the types of their members.


class Param(NamedTuple):
    label: Optional[str]  # what a call writes: Swift's argument label (None: `_`), Kotlin's name
    name: str
    ty: Optional[Ty]
    default: bool
    prop: bool = False  # a Kotlin primary-constructor `val`/`var`


class Func:
    __slots__ = ("name", "params", "ret", "ctx", "generics", "owner", "override", "at")

    def __init__(self, name, params, ret, ctx, generics=(), owner=None, override=False, at=None):
        self.name, self.params, self.ret, self.ctx = name, params, ret, ctx
        self.generics, self.owner, self.override, self.at = tuple(generics), owner, override, at

    def sig(self):
        if self.ctx.lang == "swift":
            return f"{self.name}({''.join((p.label or '_') + ':' for p in self.params)})"
        return f"{self.name}({', '.join(p.name for p in self.params)})"


class Field:
    __slots__ = ("name", "ty", "init", "ctx", "stored", "default", "owner", "delegate", "resolved", "cache")

    def __init__(self, name, ty, init, ctx, stored=True, default=False, owner=None, delegate=False):
        self.name, self.ty, self.init, self.ctx = name, ty, init, ctx
        self.stored, self.default, self.owner, self.delegate = stored, default, owner, delegate
        self.resolved, self.cache = False, None


class TypeInfo:
    def __init__(self, qual, kind, ctx, origin):
        self.qual, self.kind, self.ctx, self.origin = qual, kind, ctx, origin
        self.name = qual.rsplit(".", 1)[-1]
        self.generics = ()
        self.supers = []  # raw Ty
        self.fields = {}  # name -> Field
        self.order = []  # stored properties in order (Swift memberwise init)
        self.methods = {}  # name -> [Func]
        self.sfields = {}  # static properties (Kotlin: companion object)
        self.smethods = {}
        self.cases = {}  # enum cases / entries -> [Param] or None
        self.nested = {}  # simple name -> qualified name
        self.ctors = []
        self.mods = set()
        self.declared = False  # False while only extensions were seen

    def __repr__(self):
        return f"{self.origin}:{self.qual}"


class Ctx:
    """Where a declaration was read: the file and how names resolve in it."""

    def __init__(self, lang, origin, path):
        self.lang, self.origin, self.path = lang, origin, path
        self.imports = {}  # Kotlin: simple name -> full name
        self.gridbook = origin == "api"  # Swift: the file imports Gridbook
        self.package = None  # Kotlin: the file's package


class Module:
    def __init__(self, lang, origin):
        self.lang, self.origin = lang, origin
        self.types = {}
        self.funcs = {}
        self.props = {}
        self.exts = []  # Kotlin extension functions and properties: (raw receiver Ty, Func or Field)
        self.aliases = {}

    def type(self, qual, kind, ctx):
        ti = self.types.get(qual)
        if ti is None:
            ti = self.types[qual] = TypeInfo(qual, kind, ctx, self.origin)
        return ti


KOTLIN_MODS = {"public", "private", "protected", "internal", "open", "abstract", "final", "override", "data",
               "sealed", "enum", "inner", "annotation", "companion", "const", "lateinit", "suspend", "inline",
               "operator", "infix", "tailrec", "external", "vararg", "noinline", "crossinline", "actual",
               "expect", "value"}
SWIFT_MODS = {"public", "private", "fileprivate", "internal", "open", "final", "static", "override", "mutating",
              "nonmutating", "convenience", "required", "lazy", "weak", "unowned", "nonisolated", "indirect",
              "dynamic", "optional", "prefix", "postfix", "infix", "isolated", "package", "distributed"}


MATES = {}  # id(tokens) -> (tokens, index of each bracket's partner)


class Parser:
    """Token helpers shared by both passes."""

    def __init__(self, toks, ctx):
        self.toks, self.ctx, self.lang = toks, ctx, ctx.lang
        self.n = len(toks)
        cached = MATES.get(id(toks))
        if cached is not None and cached[0] is toks:
            self.mate = cached[1]
            return
        self.mate = [-1] * self.n
        MATES[id(toks)] = (toks, self.mate)
        stack = []
        for i, t in enumerate(toks):
            if t.k == "op":
                if t.t in OPEN:
                    stack.append(i)
                elif t.t in CLOSE:
                    while stack and toks[stack[-1]].t != CLOSE[t.t]:
                        self.mate[stack.pop()] = i  # unbalanced: closes here
                    if stack:
                        self.mate[stack.pop()] = i
        for i in stack:
            self.mate[i] = self.n

    def op(self, i, s):
        return i < self.n and self.toks[i].k == "op" and self.toks[i].t == s

    def kw(self, i, s):
        return i < self.n and self.toks[i].k == "id" and self.toks[i].t == s

    def ident(self, i):
        return i < self.n and self.toks[i].k == "id"

    def after(self, i):
        """The index after the bracket group opened at i."""
        return min(self.mate[i], self.n - 1) + 1

    def continues(self, i):
        """Whether token i, first on its line, continues the expression of the line before."""
        t, p = self.toks[i], self.toks[i - 1] if i else None
        if t.k == "op" and t.t in (".", "?.", "?:", "&&", "||", "??", "=", "==", "!=", "+=", "-="):
            return True
        if t.k == "id" and t.t in ("else", "catch", "finally", "where"):
            return True
        if self.lang == "swift" and t.k == "op" and t.t in SWIFT_LINE_START_OPS and t.sp:
            nxt = self.toks[i + 1] if i + 1 < self.n else None
            return nxt is not None and nxt.sp  # a binary operator (spaces on both sides)
        if p is not None and p.k == "op" and p.t in LINE_END_OPS:
            return True
        if p is not None and p.k == "id" and p.t in ("to", "and", "or"):
            return True
        return False

    def stmt_end(self, i, end):
        """The start of the next statement after the one starting at i."""
        j, first = i, True
        while j < end:
            t = self.toks[j]
            if not first and t.nl and not self.continues(j):
                return j
            if t.k == "op":
                if t.t == ";":
                    return j + 1
                if t.t in OPEN:
                    j, first = self.after(j), False
                    continue
                if t.t in CLOSE:
                    return j if not first else j + 1
            j, first = j + 1, False
        return end

    def skip_mods(self, i, end):
        """Skips annotations, attributes and modifiers; returns (modifiers, index)."""
        mods = set()
        allowed = KOTLIN_MODS if self.lang == "kotlin" else SWIFT_MODS
        while i < end:
            t = self.toks[i]
            if t.k == "op" and t.t == "@":
                i += 1
                while self.ident(i) and (self.op(i + 1, ".") or self.op(i + 1, ":")) and self.ident(i + 2):
                    i += 2  # @file:JvmName, @kotlin.Deprecated
                i += 1
                if self.op(i, "(") and not self.toks[i].sp:
                    i = self.after(i)
                continue
            if t.k == "id" and (t.t in allowed or (self.lang == "swift" and t.t == "class" and self.ident(i + 1)
                                                   and self.toks[i + 1].t in ("func", "var", "let", "subscript", "override", "final"))):
                # A modifier only when a declaration follows (Kotlin `data`, `value`, `open` are names too).
                nxt = self.toks[i + 1] if i + 1 < self.n else None
                if nxt is None or not (nxt.k == "id" or (nxt.k == "op" and nxt.t == "@") or
                                       (nxt.k == "op" and nxt.t == "(" and self.ident(i + 2) and self.toks[i + 2].t in ("set", "unsafe"))):
                    break
                mods.add(t.t)
                i += 1
                if self.op(i, "(") and self.ident(i + 1) and self.toks[i + 1].t in ("set", "unsafe"):
                    i = self.after(i)  # private(set), nonisolated(unsafe)
                continue
            break
        return mods, i

    def line_end(self, i):
        """The first token of the next line."""
        j = i + 1
        while j < self.n and not self.toks[j].nl:
            j += 1
        return j

    # Types -----------------------------------------------------------------

    def parse_type(self, i, end):
        """Parses a type at i; returns (raw Ty or None, index after it)."""
        toks = self.toks
        while i < end:
            if self.op(i, "@"):
                i += 2
                if self.op(i, "(") and not toks[i].sp:
                    i = self.after(i)
            elif toks[i].k == "id" and toks[i].t in TYPE_PREFIX and (self.ident(i + 1) or self.op(i + 1, "(") or self.op(i + 1, "[")):
                i += 1
            else:
                break
        if i >= end:
            return None, i
        t = toks[i]
        ty = None
        if t.k == "op" and t.t == "(":
            close = self.mate[i]
            elems = [self.param_type(a, b) for a, b in self.split(i + 1, close, angles=True)]
            j = close + 1
            while self.ident(j) and toks[j].t in ("async", "throws", "rethrows"):
                j += 1
            if self.op(j, "->"):
                ret, j = self.parse_type(j + 1, end)
                ty = Ty("Fn", tuple(elems), ret=ret)
            elif len(elems) == 1:
                ty = elems[0]
            else:
                ty = Ty("Tuple", tuple(elems))
        elif t.k == "op" and t.t == "[":
            close = self.mate[i]
            colon = self.find_top(i + 1, close, ":")
            if colon is not None:
                k, _ = self.parse_type(i + 1, colon)
                v, _ = self.parse_type(colon + 1, close)
                ty = Ty("Map", (k, v))
            else:
                e, _ = self.parse_type(i + 1, close)
                ty = Ty("List", (e,))
            j = close + 1
        elif t.k == "id":
            name, j, args = t.t, i + 1, ()
            while j < end:
                if self.op(j, "<") and not toks[j].sp:
                    close = self.angle_close(j, end)
                    if close is None:
                        break
                    args = tuple(self.parse_type(a, b)[0] for a, b in self.split(j + 1, close, angles=True))
                    j = close + 1
                    continue
                if self.op(j, ".") and self.ident(j + 1) and toks[j + 1].t not in ("Type", "Protocol", "self"):
                    name += "." + toks[j + 1].t
                    j += 2
                    continue
                break
            if self.op(j, ".") and self.ident(j + 1) and toks[j + 1].t in ("Type", "Protocol"):
                j += 2
                name, args = "Metatype", ()
            ty = normalise(name, args, self.lang)
            if self.lang == "kotlin" and self.op(j, ".") and self.op(j + 1, "("):
                ty, j = self.parse_type(j + 1, end)  # a function type with a receiver: A.() -> R
        else:
            return None, i
        while j < end and self.toks[j].k == "op" and not self.toks[j].sp:
            if self.toks[j].t == "?" or (self.lang == "swift" and self.toks[j].t == "!"):
                ty = ty._replace(opt=True) if ty else ty
                j += 1
            else:
                break
        return ty, j

    def param_type(self, a, b):
        """The type of `label name: Type` or of a bare type in a function type's list."""
        colon = self.find_top(a, b, ":")
        if colon is not None and all(self.toks[k].k == "id" for k in range(a, colon)):
            a = colon + 1
        return self.parse_type(a, b)[0]

    def angle_close(self, i, end):
        """The `>` closing the `<` at i when what is between can be type arguments."""
        depth, j = 0, i
        while j < end:
            t = self.toks[j]
            if t.k == "op":
                if t.t == "<":
                    depth += 1
                elif t.t == ">":
                    depth -= 1
                    if depth == 0:
                        return j
                elif t.t in ("(", "["):
                    j = self.after(j)
                    continue
                elif t.t not in (".", ",", "?", "!", ":", "*", "->", "@", "&"):
                    return None
            elif t.k != "id":
                return None
            j += 1
        return None

    def find_top(self, i, end, s):
        j = i
        while j < end:
            t = self.toks[j]
            if t.k == "op":
                if t.t == s:
                    return j
                if t.t in OPEN:
                    j = self.after(j)
                    continue
            j += 1
        return None

    def split(self, i, end, angles=False):
        """(start, end) of each comma-separated part of i..end at bracket depth 0."""
        parts, start, j, depth = [], i, i, 0
        while j < end:
            t = self.toks[j]
            if t.k == "op":
                if t.t in OPEN:
                    j = self.after(j)
                    continue
                if angles and t.t == "<" and not t.sp:
                    depth += 1
                elif angles and t.t == ">" and depth:
                    depth -= 1
                elif t.t == "," and depth == 0:
                    parts.append((start, j))
                    start = j + 1
            j += 1
        if start < end:
            parts.append((start, end))
        return parts

    def dotted(self, i):
        """A name such as `A.B` at i (a Swift type declaration's, whose `<...>` are generic parameters)."""
        if not self.ident(i):
            return None, i
        name, j = self.toks[i].t, i + 1
        while self.op(j, ".") and self.ident(j + 1):
            name += "." + self.toks[j + 1].t
            j += 2
        return name, j

    def generics(self, i):
        """Names of the generic parameters `<T: X, U>` at i; returns (names, index after)."""
        if not self.op(i, "<"):
            return (), i
        close = self.angle_close(i, self.n)
        if close is None:
            return (), i + 1
        names = []
        for a, b in self.split(i + 1, close, angles=True):
            k = a
            while k < b and self.toks[k].k == "id" and self.toks[k].t in ("in", "out", "reified") and k + 1 < b:
                k += 1
            if k < b and self.toks[k].k == "id":
                names.append(self.toks[k].t)
        return tuple(names), close + 1

    def params(self, i):
        """The parameters of the list opened by `(` at i; returns (params, index after `)`)."""
        close = self.mate[i]
        out = []
        for a, b in self.split(i + 1, close, angles=True):
            mods, k = self.skip_mods(a, b)
            prop = False
            if self.kw(k, "val") or self.kw(k, "var"):
                prop, k = True, k + 1
            ids = []
            while k < b and self.toks[k].k == "id" and len(ids) < 2 and not self.op(k, ":"):
                ids.append(self.toks[k].t)
                k += 1
            if not ids:
                continue
            ty = None
            if self.op(k, ":"):
                ty, k = self.parse_type(k + 1, b)
            default = self.find_top(k, b, "=") is not None
            if self.lang == "swift":
                label = ids[0] if ids[0] != "_" else None
                name = ids[-1]
            else:
                label = name = ids[-1]
            out.append(Param(label, name, ty, default, prop))
        return out, close + 1


class Collector(Parser):
    """Pass 1: what each file declares."""

    def __init__(self, toks, ctx, module):
        super().__init__(toks, ctx)
        self.module = module
        self.api = ctx.origin == "api"

    def run(self):
        self.members(0, self.n, None, False)

    def visible(self, mods, owner):
        if not self.api:
            return True
        if self.lang == "kotlin":
            return not mods & {"private", "internal", "protected"}
        return bool(mods & {"public", "open"}) or (owner is not None and owner.kind in ("protocol", "enum") and owner.declared)

    def members(self, i, end, owner, static):
        while i < end:
            start = i
            mods, i = self.skip_mods(i, end)
            if i >= end:
                break
            t = self.toks[i]
            if t.k == "id":
                w = t.t
                if self.lang == "kotlin":
                    if w in ("import", "package"):
                        i = self.line_end(i)
                        continue
                    if w in ("class", "interface") or (w == "object" and not self.op(i + 1, "(")):
                        i = self.k_type(i, end, owner, mods, static)
                        continue
                    if w == "fun":
                        i = self.k_fun(i, end, owner, mods, static)
                        continue
                    if w in ("val", "var"):
                        i = self.k_prop(i, end, owner, mods, static)
                        continue
                    if w == "constructor" and owner is not None and self.op(i + 1, "("):
                        params, j = self.params(i + 1)
                        if self.visible(mods, owner):
                            owner.ctors.append(Func("constructor", params, None, self.ctx, owner=owner))
                        i = self.stmt_end(j, end) if not self.op(j, "{") else self.after(j)
                        continue
                    if w == "typealias" and self.ident(i + 1) and self.op(i + 2, "="):
                        ty, j = self.parse_type(i + 3, end)
                        self.module.aliases[self.toks[i + 1].t] = (ty, self.ctx)
                        i = j
                        continue
                else:
                    if w == "import":
                        i = self.line_end(i)
                        continue
                    if w in ("struct", "enum", "protocol", "actor", "extension", "class"):
                        i = self.s_type(i, end, owner, mods)
                        continue
                    if w == "func":
                        i = self.s_func(i, end, owner, mods)
                        continue
                    if w == "init" and owner is not None:
                        j = i + 1
                        if self.op(j, "?") or self.op(j, "!"):
                            j += 1
                        _, j = self.generics(j)
                        if self.op(j, "("):
                            params, j = self.params(j)
                            if self.visible(mods, owner):
                                owner.ctors.append(Func("init", params, None, self.ctx, owner=owner))
                            i = self.body_end(j, end)
                            continue
                    if w in ("var", "let"):
                        i = self.s_prop(i, end, owner, mods)
                        continue
                    if w == "case" and owner is not None and owner.kind == "enum":
                        i = self.s_case(i + 1, end, owner)
                        continue
                    if w == "typealias" and self.ident(i + 1) and self.op(i + 2, "="):
                        ty, j = self.parse_type(i + 3, end)
                        self.module.aliases[self.toks[i + 1].t] = (ty, self.ctx)
                        i = j
                        continue
            i = self.stmt_end(i, end)
            if i <= start:
                i = start + 1


    def body_end(self, j, end):
        """After a signature: skips the words up to a body `{...}`, or to the statement's end."""
        while j < end and self.ident(j) and self.toks[j].t in ("async", "throws", "rethrows", "where") and not self.toks[j].nl:
            j += 1
        if self.op(j, "{"):
            return self.after(j)
        return self.stmt_end(j, end) if j < end and not self.toks[j].nl else j

    def add_func(self, owner, static, f, mods):
        if not self.visible(mods, owner):
            return
        if owner is None:
            self.module.funcs.setdefault(f.name, []).append(f)
        else:
            (owner.smethods if static else owner.methods).setdefault(f.name, []).append(f)

    # Kotlin ----------------------------------------------------------------

    def k_type(self, i, end, owner, mods, static):
        w = self.toks[i].t
        i += 1
        companion = w == "object" and "companion" in mods
        name = "Companion"
        if self.ident(i):
            name = self.toks[i].t
            i += 1
        kind = "interface" if w == "interface" else "object" if w == "object" else "enum" if "enum" in mods else "class"
        gens, i = self.generics(i)
        _, i = self.skip_mods(i, end)
        if self.kw(i, "constructor"):
            i += 1
        params = None
        if self.op(i, "("):
            params, i = self.params(i)
        supers = []
        if self.op(i, ":"):
            i += 1
            while i < end:
                sty, i = self.parse_type(i, end)
                if sty is not None:
                    supers.append(sty)
                if self.op(i, "("):
                    i = self.after(i)
                if self.kw(i, "by"):  # delegation: `: Iface by value` implements Iface
                    mods = set(mods) | {"delegates"}
                    i += 1
                    while i < end and not (self.op(i, ",") or self.op(i, "{") or self.toks[i].nl):
                        i = self.after(i) if self.toks[i].t in OPEN else i + 1
                if self.op(i, ","):
                    i += 1
                    continue
                break
        if self.kw(i, "where"):
            while i < end and not self.op(i, "{"):
                i += 1
        body = None
        if self.op(i, "{"):
            body = (i + 1, self.mate[i])
            i = self.after(i)
        if not self.visible(mods, owner):
            return i
        if companion and owner is not None:
            ti = owner
            owner.nested[name] = owner.qual  # Type.Companion
            if body:
                self.members(body[0], body[1], owner, True)
            return i
        qual = f"{owner.qual}.{name}" if owner is not None else name
        ti = self.module.type(qual, kind, self.ctx)
        ti.kind, ti.ctx, ti.declared, ti.mods = kind, self.ctx, True, set(mods)
        ti.generics, ti.supers = gens, supers
        if owner is not None:
            owner.nested[name] = qual
        if params is not None:
            ti.ctors.append(Func("constructor", params, None, self.ctx, owner=ti))
            for p in params:
                if p.prop:
                    ti.fields[p.name] = Field(p.name, p.ty, None, self.ctx, owner=ti)
        if body:
            j = body[0]
            if kind == "enum":
                j = self.k_entries(j, body[1], ti)
            self.members(j, body[1], ti, False)
        if not ti.ctors and kind == "class" and not mods & {"sealed", "abstract"}:
            ti.ctors.append(Func("constructor", [], None, self.ctx, owner=ti))  # the default constructor
        return i

    def k_entries(self, i, end, ti):
        while i < end:
            _, i = self.skip_mods(i, end)
            if not (self.ident(i) and (i + 1 >= end or self.toks[i + 1].k == "op" and self.toks[i + 1].t in (",", ";", "(", "{", "}"))):
                return i
            ti.cases[self.toks[i].t] = None
            i += 1
            if self.op(i, "("):
                i = self.after(i)
            if self.op(i, "{"):
                i = self.after(i)
            if self.op(i, ","):
                i += 1
                continue
            if self.op(i, ";"):
                return i + 1
            return i
        return i

    def k_fun(self, i, end, owner, mods, static):
        i += 1
        gens, i = self.generics(i)
        ty, j = self.parse_type(i, end)
        if ty is None or not self.op(j, "("):
            return self.stmt_end(i, end)
        parts = ty.name.rsplit(".", 1)
        name = parts[-1]
        params, j = self.params(j)
        ret = None
        if self.op(j, ":"):
            ret, j = self.parse_type(j + 1, end)
        f = Func(name, params, ret, self.ctx, gens, owner, "override" in mods, at=i + 2 * (len(ty.name.split(".")) - 1))
        if len(parts) == 2 and owner is None:
            self.module.exts.append((Ty(parts[0], ty.args), f))
        else:
            self.add_func(owner, static, f, mods)
        if self.kw(j, "where"):
            while j < end and not (self.op(j, "{") or self.op(j, "=")) and not (j > 0 and self.toks[j].nl):
                j += 1
        if self.op(j, "{"):
            return self.after(j)
        if self.op(j, "="):
            return self.stmt_end(j + 1, end)
        return j

    def k_prop(self, i, end, owner, mods, static):
        i += 1
        _, i = self.generics(i)
        if self.op(i, "("):
            return self.stmt_end(i, end)
        ty, j = self.parse_type(i, end)
        if ty is None:
            return self.stmt_end(i, end)
        parts = ty.name.rsplit(".", 1)
        name = parts[-1]
        declared = None
        if self.op(j, ":"):
            declared, j = self.parse_type(j + 1, end)
        init, delegate = None, False
        if self.op(j, "=") or self.kw(j, "by"):
            delegate = self.kw(j, "by")
            k = self.stmt_end(j + 1, end)
            init, j = (j + 1, k), k
        if len(parts) == 2:  # an extension property: a member of its receiver's type
            if owner is None:
                self.module.exts.append((Ty(parts[0], ty.args), Field(name, declared, None, self.ctx)))
            return j
        if not self.visible(mods, owner):
            return j
        f = Field(name, declared, init, self.ctx, default=init is not None, owner=owner, delegate=delegate)
        if owner is None:
            self.module.props[name] = f
        else:
            (owner.sfields if static else owner.fields)[name] = f
        return j

    # Swift -----------------------------------------------------------------

    def s_type(self, i, end, owner, mods):
        w = self.toks[i].t
        i += 1
        name, i = self.dotted(i)
        if name is None:
            return self.stmt_end(i, end)
        gens = ()
        if w != "extension":
            gens, i = self.generics(i)
        supers = []
        if self.op(i, ":"):
            i += 1
            while i < end:
                sty, i = self.parse_type(i, end)
                if sty is not None:
                    supers.append(sty)
                if self.op(i, ","):
                    i += 1
                    continue
                break
        while i < end and not self.op(i, "{"):
            i += 1
        body = (i + 1, self.mate[i]) if i < end else None
        nxt = self.after(i) if i < end else end
        if w == "extension":
            ti = self.module.type(name, None, self.ctx)
            ti.supers += supers
            if body:
                self.members(body[0], body[1], ti, False)
            return nxt
        if not self.visible(mods, owner):
            return nxt
        qual = f"{owner.qual}.{name}" if owner is not None else name
        ti = self.module.type(qual, w, self.ctx)
        ti.kind, ti.ctx, ti.declared, ti.mods, ti.generics = w, self.ctx, True, set(mods), gens
        ti.supers = supers + ti.supers
        if owner is not None:
            owner.nested[name] = qual
        if body:
            self.members(body[0], body[1], ti, False)
        return nxt

    def s_func(self, i, end, owner, mods):
        i += 1
        if i >= end:
            return i
        start = i
        name = self.toks[i].t
        i += 1
        gens, i = self.generics(i)
        if not self.op(i, "("):
            return self.stmt_end(i, end)
        params, i = self.params(i)
        while self.ident(i) and self.toks[i].t in ("async", "throws", "rethrows"):
            i += 1
        ret = None
        if self.op(i, "->"):
            ret, i = self.parse_type(i + 1, end)
        f = Func(name, params, ret, self.ctx, gens, owner, at=start)
        self.add_func(owner, bool(mods & {"static", "class"}), f, mods)
        return self.body_end(i, end)

    def s_prop(self, i, end, owner, mods):
        let = self.toks[i].t == "let"
        i += 1
        if not self.ident(i):
            return self.stmt_end(i, end)
        name = self.toks[i].t
        i += 1
        declared = None
        if self.op(i, ":"):
            declared, i = self.parse_type(i + 1, end)
        init, stored = None, True
        if self.op(i, "="):
            k = self.stmt_end(i + 1, end)
            init, i = (i + 1, k), k
        if self.op(i, "{") and not self.toks[i].nl:
            body = self.toks[i + 1] if i + 1 < self.n else None
            # Observers (didSet/willSet) keep a property stored; anything else computes it.
            stored = body is not None and body.k == "id" and body.t in ("didSet", "willSet")
            i = self.after(i)
        if not self.visible(mods, owner):
            return i
        optional_var = not let and declared is not None and declared.opt  # defaults to nil
        f = Field(name, declared, init, self.ctx, stored, default=init is not None or optional_var, owner=owner)
        if owner is None:
            self.module.props[name] = f
        elif mods & {"static", "class"}:
            owner.sfields[name] = f
        else:
            owner.fields[name] = f
            if stored and not (let and init is not None):
                owner.order.append(f)
        return i

    def s_case(self, i, end, owner):
        while i < end and self.ident(i):
            name = self.toks[i].t
            i += 1
            params = None
            if self.op(i, "("):
                params = []
                close = self.mate[i]
                for a, b in self.split(i + 1, close, angles=True):
                    colon = self.find_top(a, b, ":")
                    if colon is not None and colon == a + 1 and self.toks[a].k == "id":
                        params.append(Param(self.toks[a].t, self.toks[a].t, self.parse_type(colon + 1, b)[0], False))
                    elif colon is not None and colon == a + 2:
                        label = self.toks[a].t
                        ty = self.parse_type(colon + 1, b)[0]
                        params.append(Param(None if label == "_" else label, self.toks[a + 1].t, ty, False))
                    else:
                        params.append(Param(None, "", self.parse_type(a, b)[0], False))
                i = close + 1
            if self.op(i, "="):
                i += 2
            owner.cases[name] = params
            if self.op(i, ","):
                i += 1
                continue
            break
        return i


# ---------------------------------------------------------------------------
# What the languages give every value of a type, so that `entries`, `copy`,
# `message` or `hashValue` on an API type are not taken for API names.

KOTLIN_ANY = {"toString", "hashCode", "equals", "let", "also", "apply", "run", "takeIf", "takeUnless", "to", "javaClass"}
KOTLIN_DATA = {"copy"} | {f"component{k}" for k in range(1, 30)}
KOTLIN_ENUM = {"name", "ordinal", "compareTo", "declaringJavaClass"}
KOTLIN_ENUM_STATIC = {"entries", "values", "valueOf"}
KOTLIN_THROWABLE = {"message", "cause", "localizedMessage", "stackTrace", "printStackTrace", "suppressed",
                    "suppressedExceptions", "addSuppressed", "fillInStackTrace", "initCause", "getStackTrace",
                    "stackTraceToString"}
SWIFT_ANY = {"self", "hashValue", "hash"}
SWIFT_STATIC = {"self", "init", "Type"}
# Platform supertypes of generated types, with the members they add. A generated
# type with any other platform supertype has members this check cannot list,
# so a name missing from it is not reported.
PLATFORM_SUPERS = {
    "kotlin": {"Exception": KOTLIN_THROWABLE, "Throwable": KOTLIN_THROWABLE, "RuntimeException": KOTLIN_THROWABLE,
               "AutoCloseable": {"close", "use"}, "Closeable": {"close", "use"}, "Any": set()},
    "swift": {"Error": {"localizedDescription"},
              "LocalizedError": {"localizedDescription", "errorDescription", "failureReason", "recoverySuggestion", "helpAnchor"},
              "Equatable": set(), "Hashable": set(), "Sendable": set(), "AnyObject": set(), "Comparable": set(),
              "CustomStringConvertible": {"description"}, "CustomDebugStringConvertible": {"debugDescription"}},
}

# Swift and Apple types the demo uses. Only consulted for capitalised names that
# are neither API types nor declared in the demo, in files that import Gridbook.
SWIFT_PLATFORM_TYPES = set("""
    Actor Any AnyObject Array Bool Character Comparable Data Date DateComponents Dictionary Double Equatable Error Float
    Hashable Hasher Identifiable Int Int8 Int16 Int32 Int64 Never ObjectIdentifier Optional Result Sendable Set
    String Substring UInt UInt8 UInt16 UInt32 UInt64 Void Self Codable Decodable Encodable CaseIterable
    CustomStringConvertible Range ClosedRange Sequence Collection AsyncStream Task TaskGroup MainActor
    CheckedContinuation UnsafeContinuation Calendar TimeZone Locale URL URLResourceValues FileManager
    FileProtectionType UserDefaults Bundle ProcessInfo JSONDecoder JSONEncoder UUID DispatchQueue DispatchGroup
    DispatchSemaphore DispatchSpecificKey DispatchTime OperationQueue Thread RunLoop Timer NotificationCenter
    ObservableObject Published AnyCancellable PassthroughSubject CurrentValueSubject
    App Scene WindowGroup View Group List Section ForEach Text Button Toggle Picker TextField SecureField Form
    VStack HStack ZStack LazyVStack LazyHStack Spacer Divider ProgressView Label Image Color Font NavigationStack
    NavigationLink NavigationView ToolbarItem ToolbarItemGroup Binding State StateObject ObservedObject
    EnvironmentObject Environment ScrollView Alert Sheet EmptyView AnyView GeometryReader
    StaticString JSONSerialization Process Pipe FileHandle UTF8 XCTestCase XCTestExpectation DateFormatter
    ISO8601DateFormatter NumberFormatter
""".split())
# Apple framework types by their framework prefix (Core Location, Foundation's NS*, Core Foundation, Security, XCTest).
SWIFT_PLATFORM_PREFIXES = ("CL", "NS", "CF", "Sec", "UI", "XCT", "CG", "AV", "MK", "UN")
# Swift's global functions and XCTest's assertions (free functions in a file importing Gridbook that are none of these,
# nor the demo's, must be the API's).
SWIFT_GLOBAL_FUNCS = set("""
    print debugPrint dump min max abs zip stride type precondition preconditionFailure fatalError assert
    assertionFailure withCheckedContinuation withCheckedThrowingContinuation withUnsafeContinuation
    withUnsafeThrowingContinuation withTaskGroup withThrowingTaskGroup withTaskCancellationHandler withAnimation
    repeatElement sequence swap numericCast isKnownUniquelyReferenced withExtendedLifetime autoreleasepool
    addTeardownBlock expectation wait fulfillment measure kill
""".split())
# Platform classes whose inherited methods may be called without `self.` (then a free call is not checked).
SWIFT_PLATFORM_CLASSES = {"XCTestCase", "NSObject"}

# Collection and scope functions whose lambda receives an element (or the receiver itself).
ELEM_LAMBDA = {"forEach", "map", "mapNotNull", "filter", "filterNot", "first", "firstOrNull", "last", "lastOrNull", "find",
               "findLast", "any", "all", "none", "count", "sortedBy", "sortedByDescending", "groupBy", "associate",
               "associateBy", "associateWith", "flatMap", "sumOf", "maxByOrNull", "minByOrNull", "maxBy", "minBy",
               "partition", "takeWhile", "dropWhile", "onEach", "distinctBy", "single", "singleOrNull", "indexOfFirst",
               "indexOfLast", "joinToString", "compactMap", "contains", "allSatisfy", "firstIndex", "lastIndex",
               "sorted", "min", "max", "drop", "prefix", "removeAll", "removeIf"}
INDEXED_LAMBDA = {"forEachIndexed", "mapIndexed", "filterIndexed", "mapIndexedNotNull"}
RECV_LAMBDA = {"let", "also", "takeIf", "takeUnless", "use"}
RETURNS_ELEM = {"first", "firstOrNull", "last", "lastOrNull", "find", "findLast", "single", "singleOrNull", "get",
                "getOrNull", "elementAt", "random", "randomElement", "min", "max", "minByOrNull", "maxByOrNull",
                "removeFirst", "removeLast", "popLast"}
SWIFT_OPTIONAL_ELEM = {"first", "last", "min", "max", "randomElement", "popLast"}
RETURNS_SAME = {"filter", "filterNot", "sorted", "sortedBy", "sortedByDescending", "reversed", "distinct", "distinctBy",
                "take", "drop", "takeLast", "dropLast", "toList", "toMutableList", "plus", "minus", "orEmpty",
                "shuffled", "onEach", "dropFirst", "prefix", "suffix", "filterIndexed", "takeWhile", "dropWhile"}


class Val:
    """What an expression denotes: a value of a type ("v"), a type itself ("t"),
    functions not yet called ("f"), a package path ("ns"), or a function of a
    container or of Optional ("bf")."""
    __slots__ = ("kind", "ty", "ti", "funcs", "name", "api", "recv")

    def __init__(self, kind, ty=None, ti=None, funcs=None, name=None, api=False, recv=None):
        self.kind, self.ty, self.ti, self.funcs, self.name, self.api, self.recv = kind, ty, ti, funcs, name, api, recv


def V(ty, name=None):
    return Val("v", ty=ty, name=name)


def vty(v):
    return v.ty if v is not None and v.kind == "v" else None


class Scope:
    __slots__ = ("vars", "funcs", "parent", "ti", "self_ty", "ret", "gens")

    def __init__(self, parent, ti=None, self_ty=None, ret=None, gens=()):
        self.vars, self.funcs, self.parent, self.ti, self.ret, self.gens = {}, {}, parent, ti, ret, tuple(gens)
        self.self_ty = self_ty if self_ty is not None or parent is None else parent.self_ty


class World:
    """The API and the demo of both languages, and what was found."""

    def __init__(self):
        self.api = {lang: Module(lang, "api") for lang in ("kotlin", "swift")}
        self.demo = {lang: Module(lang, "demo") for lang in ("kotlin", "swift")}
        self.files = {}  # path -> (toks, ctx)
        self.findings = {}
        self.stats = {}
        self.blind = []
        self.silent = {}
        self.uses = []  # (kind, language, path, line, offset, name) of every API name checked
        self.api_names = {"kotlin": set(), "swift": set()}
        self.demo_funcs = set()

    def report(self, path, line, msg):
        self.findings.setdefault((path, line, msg), None)

    def count(self, key, n=1):
        self.stats[key] = self.stats.get(key, 0) + n

    # Names -------------------------------------------------------------------

    def resolve(self, raw, ctx, gens=(), encl=()):
        if raw is None:
            return None
        args = tuple(self.resolve(a, ctx, gens, encl) for a in raw.args)
        ret = self.resolve(raw.ret, ctx, gens, encl) if raw.ret is not None else None
        name = raw.name
        if name not in ("List", "Set", "Map", "Fn", "Tuple", "Metatype"):
            module = self.api[ctx.lang] if ctx.origin == "api" else self.demo[ctx.lang]
            alias = module.aliases.get(name)
            if alias is not None and alias[0] is not None and alias[0].name != name:
                t = self.resolve(alias[0], alias[1], gens, encl)
                return t._replace(opt=t.opt or raw.opt) if t else None
            name = self.qualify(name, ctx, gens, encl)
        return Ty(name, args, raw.opt, ret)

    def qualify(self, name, ctx, gens=(), encl=()):
        parts = name.split(".")
        lang = ctx.lang
        if parts[0] in gens:
            return "gen:" + parts[0]
        api, demo = self.api[lang], self.demo[lang]
        if lang == "kotlin" and parts[:2] == ["org", "gridbook"] and len(parts) > 2:
            if parts[2] != "demo":
                return "api:" + ".".join(parts[2:])
            rest = parts[3:]
            while rest and rest[0][:1].islower():
                rest = rest[1:]
            q = ".".join(rest)
            return "demo:" + q if q in demo.types else name
        if lang == "swift" and parts[0] == "Gridbook" and len(parts) > 1:
            return "api:" + ".".join(parts[1:])
        if ctx.origin == "api":
            q = self.find(api, parts, encl)
            return "api:" + q if q else name
        if lang == "kotlin":
            full = ctx.imports.get(parts[0])
            if full is not None:
                fp = full.split(".")
                if fp[:2] == ["org", "gridbook"] and len(fp) > 2 and fp[2] != "demo":
                    return "api:" + ".".join(fp[2:] + parts[1:])
                if fp[:3] == ["org", "gridbook", "demo"]:
                    q = ".".join([fp[-1]] + parts[1:])
                    return "demo:" + q if q in demo.types else name
                return name
            q = self.find(demo, parts, encl)
            return "demo:" + q if q else name
        q = self.find(demo, parts, encl)
        if q:
            return "demo:" + q
        q = self.find(api, parts, ())
        return "api:" + q if q else name

    @staticmethod
    def find(module, parts, encl):
        tail = ".".join(parts)
        for e in reversed(encl):
            segs = e.split(".")
            for k in range(len(segs), 0, -1):
                q = ".".join(segs[:k]) + "." + tail
                ti = module.types.get(q)
                if ti is not None and ti.declared:
                    return q
        ti = module.types.get(tail)
        return tail if ti is not None and ti.declared else None

    def tinfo(self, ty, lang):
        if ty is None:
            return None
        if ty.name.startswith("api:"):
            return self.api[lang].types.get(ty.name[4:])
        if ty.name.startswith("demo:"):
            return self.demo[lang].types.get(ty.name[5:])
        return None

    def type_ty(self, ti):
        return Ty(("api:" if ti.origin == "api" else "demo:") + ti.qual, tuple(Ty("gen:" + g) for g in ti.generics))

    # Members -----------------------------------------------------------------

    def supers(self, ti, lang):
        for raw in ti.supers:
            yield raw, self.resolve(raw, ti.ctx, ti.generics, (ti.qual,))

    def lookup(self, ti, name, static, lang, seen=None):
        """(kind, object, owner) of a member, or None."""
        seen = seen if seen is not None else set()
        if id(ti) in seen:
            return None
        seen.add(id(ti))
        if ti.origin == "api":  # the demo's own extensions of an API type
            ext = self.demo[lang].types.get(ti.qual)
            if ext is not None and not ext.declared:
                r = self.lookup(ext, name, static, lang, seen)
                if r is not None:
                    return r
        if static:
            if name in ti.cases:
                return ("case", ti.cases[name], ti)
            if name in ti.nested:
                return ("type", ti.nested[name], ti)
            if name in ti.sfields:
                return ("field", ti.sfields[name], ti)
            if name in ti.smethods:
                return ("method", ti.smethods[name], ti)
            if ti.kind != "object":
                return None
        if name in ti.fields:
            return ("field", ti.fields[name], ti)
        if name in ti.methods:
            return ("method", ti.methods[name], ti)
        for _, sty in self.supers(ti, lang):
            sti = self.tinfo(sty, lang)
            if sti is not None:
                r = self.lookup(sti, name, False, lang, seen)
                if r is not None:
                    return r
        return None

    def in_subtype(self, ti, name, lang):
        """Whether an API subtype of `ti` (a sealed class's variant) has the member `name`."""
        for sub in self.api[lang].types.values():
            if sub is not ti and sub.declared and any(self.tinfo(sty, lang) is ti for _, sty in self.supers(sub, lang)):
                if self.lookup(sub, name, False, lang) is not None:
                    return True
        return False

    def platform_supers(self, ti, lang, seen=None):
        """Names of the platform types among the (transitive) supertypes of a type."""
        seen = seen or set()
        if ti.qual in seen:
            return set()
        seen.add(ti.qual)
        out = set()
        for raw, sty in self.supers(ti, lang):
            sti = self.tinfo(sty, lang)
            if sti is None:
                out.add(raw.name.rsplit(".", 1)[-1])
            else:
                out |= self.platform_supers(sti, lang, seen)
        return out

    def builtin(self, ti, name, static, lang):
        """Whether `name` is given by the language or a platform supertype; None when it cannot tell."""
        sup = self.platform_supers(ti, lang)
        known = PLATFORM_SUPERS[lang]
        if lang == "kotlin":
            if static:
                return name in ("Companion",) or (ti.kind == "enum" and name in KOTLIN_ENUM_STATIC)
            if name in KOTLIN_ANY or ("data" in ti.mods and name in KOTLIN_DATA) or (ti.kind == "enum" and name in KOTLIN_ENUM):
                return True
        else:
            if static:
                return name in SWIFT_STATIC or ("CaseIterable" in sup and name == "allCases")
            if name in SWIFT_ANY:
                return True
        if any(name in known[s] for s in sup if s in known):
            return True
        if any(s not in known for s in sup):
            return None
        return False

    def field_type(self, f, recv=None):
        """The type of a property, inferred from its initialiser when it declares none."""
        owner = f.owner
        gens = owner.generics if owner is not None else ()
        encl = (owner.qual,) if owner is not None else ()
        if f.ty is not None:
            t = self.resolve(f.ty, f.ctx, gens, encl)
        else:
            if not f.resolved:
                f.resolved = True
                f.cache = self.infer(f)
            t = f.cache
        return subst(t, owner, recv)

    def infer(self, f):
        if f.init is None or f.ctx.origin != "demo":
            return None
        checker = self.silent.get(f.ctx.path)
        if checker is None:
            toks, ctx = self.files[f.ctx.path]
            checker = self.silent[f.ctx.path] = Checker(self, toks, ctx, silent=True)
        return checker.infer_range(f)


def subst(t, owner, recv):
    """Replaces the generic parameters of `owner` by the type arguments of `recv`."""
    if t is None:
        return None
    mapping = {}
    if owner is not None and recv is not None and owner.generics:
        mapping = {g: a for g, a in zip(owner.generics, recv.args)}

    def go(x):
        if x is None:
            return None
        if x.name.startswith("gen:"):
            r = mapping.get(x.name[4:])
            return r._replace(opt=r.opt or x.opt) if r is not None else None
        return x._replace(args=tuple(go(a) for a in x.args), ret=go(x.ret) if x.ret is not None else None)

    return go(t)


# ---------------------------------------------------------------------------
# Pass 2: walks each demo file's statements and expressions with the types of
# its variables in scope, and reports the API names that do not exist.

PACKAGE_ROOTS = {"org", "com", "java", "javax", "kotlin", "kotlinx", "android", "androidx"}
PREC = {
    "kotlin": {"=": 1, "+=": 1, "-=": 1, "*=": 1, "/=": 1, "%=": 1, "||": 10, "&&": 20, "==": 30, "!=": 30, "===": 30,
               "!==": 30, "<": 35, ">": 35, "<=": 35, ">=": 35, "in": 40, "!in": 40, "is": 40, "!is": 40, "?:": 50,
               "infix": 60, "..": 70, "..<": 70, "+": 80, "-": 80, "*": 90, "/": 90, "%": 90, "as": 100, "as?": 100},
    "swift": {"=": 1, "+=": 1, "-=": 1, "*=": 1, "/=": 1, "%=": 1, "?": 5, "||": 10, "&&": 20, "==": 40, "!=": 40,
              "===": 40, "!==": 40, "<": 40, ">": 40, "<=": 40, ">=": 40, "??": 50, "as": 60, "as?": 60, "as!": 60,
              "is": 60, "...": 70, "..<": 70, "+": 80, "-": 80, "|": 80, "*": 90, "/": 90, "%": 90, "&": 90},
}
RIGHT_ASSOC = {"=", "+=", "-=", "*=", "/=", "%=", "??"}
KOTLIN_INFIX = {"to", "until", "downTo", "step", "and", "or", "xor", "shl", "shr", "ushr"}
STATE_WRAPPERS = {"State", "MutableState", "StateFlow", "MutableStateFlow"}
PLATFORM_CTORS = {"mutableStateOf": "MutableState", "MutableStateFlow": "MutableStateFlow"}
# Platform functions whose value is their lambda's.
LAMBDA_RESULT = {"synchronized", "run", "with", "withContext", "runBlocking", "withTimeout", "remember", "rememberSaveable"}


def delegated(t):
    """The type of `val x by <t>` for Compose's and kotlinx's state holders."""
    t = unwrap(t)
    return t.args[0] if t is not None and t.name in STATE_WRAPPERS and t.args else None


class Checker(Parser):
    def __init__(self, world, toks, ctx, silent=False):
        super().__init__(toks, ctx)
        self.w, self.silent = world, silent
        self.api, self.demo = world.api[self.lang], world.demo[self.lang]
        self.encl = []  # qualified names of the enclosing types, innermost last

    def flag(self, i, msg):
        if not self.silent:
            self.w.report(self.ctx.path, self.toks[min(i, self.n - 1)].line, msg)

    def count(self, key):
        if not self.silent:
            self.w.count(key)

    def use(self, key, k, name):
        """Counts a checked use of the API name `name` near token k, and remembers where it is
        (the self-test misspells it there, or renames it in the bindings)."""
        if self.silent:
            return
        self.w.count(key)
        for j in list(range(k, min(k + 12, self.n))) + list(range(k - 1, max(k - 12, -1), -1)):
            t = self.toks[j]
            if t.k == "id" and t.t == name:
                self.w.uses.append((key, self.lang, self.ctx.path, t.line, t.pos, name))
                return

    def run(self):
        self.block(0, self.n, Scope(None))

    def infer_range(self, f):
        """The type of a property's initialiser (pass 1 left it undeclared)."""
        saved = self.encl
        owner = f.owner
        self.encl = [owner.qual] if owner is not None else []
        sc = Scope(None, ti=owner, self_ty=self.w.type_ty(owner), gens=owner.generics) if owner is not None else Scope(None)
        try:
            v, _, _ = self.expr(f.init[0], f.init[1], sc)
        finally:
            self.encl = saved
        t = vty(v)
        return delegated(t) if f.delegate else t

    # Names and types ---------------------------------------------------------

    def gens(self, sc):
        out = ()
        while sc is not None:
            out += sc.gens
            sc = sc.parent
        return out

    def res(self, raw, sc):
        return self.w.resolve(raw, self.ctx, self.gens(sc), tuple(self.encl))

    def ti(self, ty):
        return self.w.tinfo(unwrap(ty), self.lang)

    def ptype(self, f, p, recv):
        owner = f.owner
        gens = f.generics + (owner.generics if owner is not None else ())
        t = self.w.resolve(p.ty, f.ctx, gens, (owner.qual,) if owner is not None else ())
        return subst(t, owner, recv)

    def rtype(self, f, recv):
        if f.ret is None:
            return None
        owner = f.owner
        gens = f.generics + (owner.generics if owner is not None else ())
        t = self.w.resolve(f.ret, f.ctx, gens, (owner.qual,) if owner is not None else ())
        return subst(t, owner, recv)

    def check_type(self, raw, i, sc):
        if raw is None:
            return
        for a in raw.args:
            self.check_type(a, i, sc)
        if raw.ret is not None:
            self.check_type(raw.ret, i, sc)
        if raw.name not in ("List", "Set", "Map", "Fn", "Tuple", "Metatype"):
            self.check_name(raw.name, i, sc)

    def check_name(self, dotted, i, sc):
        """Checks a type name as written (maybe dotted) where it names or may name the API."""
        parts = dotted.split(".")
        if self.lang == "kotlin":
            if is_api_name(dotted):
                package, rest = api_parts(dotted)
                self.check_api_path(rest, i, dotted, package=package)
            elif len(parts) > 1:
                full = self.ctx.imports.get(parts[0])
                if full is not None and is_api_name(full):
                    self.check_api_path(api_parts(full)[1] + parts[1:], i, dotted, head_checked=True)
            return
        if parts[0] == "Gridbook" and len(parts) > 1:
            self.check_api_path(parts[1:], i, dotted)
            return
        if not self.ctx.gridbook:
            return
        head = parts[0]
        if head in self.gens(sc) or self.w.find(self.demo, [head], tuple(self.encl)) or head in self.demo.aliases:
            return
        ti = self.api.types.get(head)
        if ti is not None and ti.declared:
            self.check_api_path(parts, i, dotted)
            return
        if head.upper() == head:
            return  # SIGKILL, EINTR: C constants, never a type's name
        if head in SWIFT_PLATFORM_TYPES or any(head.startswith(p) and head[len(p):][:1].isupper()
                                               for p in SWIFT_PLATFORM_PREFIXES):
            return
        self.flag(i, f"{head}: no type of that name in the generated Gridbook API, the demo or the platform types this "
                     f"check knows (a renamed API type? if it is a platform type, add it to SWIFT_PLATFORM_TYPES in "
                     f"scripts/check-demo-api.py)")

    def check_api_path(self, parts, i, written, head_checked=False, package=None):
        """`parts`: an API type or top-level function, then names nested in it. `head_checked`:
        the first was checked already (by its import, or it is an import: counted as such).
        `package`: the Kotlin package it was named in, which must be the one declaring it."""
        if not parts:
            return True
        head = parts[0]
        ti = self.api.types.get(head)
        if ti is None or not ti.declared:
            if len(parts) == 1 and (head in self.api.funcs or head in self.api.props):
                decl = self.api.funcs.get(head) or [self.api.props[head]]
                if not self.in_package(decl[0].ctx, head, package, i, written):
                    return False
                if not head_checked:
                    self.use("functions", i, head)
                return True
            self.flag(i, f"{written}: the generated API has no type or function {head}")
            return False
        if not self.in_package(ti.ctx, head, package, i, written):
            return False
        if not head_checked:
            self.use("types", i, head)
        for p in parts[1:]:
            r = self.w.lookup(ti, p, True, self.lang)
            if r is None:
                if self.w.builtin(ti, p, True, self.lang) is False:
                    self.flag(i, f"{written}: the generated API type {ti.qual} has no {p}")
                return False
            self.use("static members", i, p)
            if r[0] != "type":
                return True
            ti = self.api.types.get(r[1])
            if ti is None:
                return True
        return True

    def in_package(self, ctx, head, package, i, written):
        """Whether an API declaration read in `ctx` is in the Kotlin `package` it was named in."""
        if package is None or ctx.package is None or ctx.package == package:
            return True
        self.flag(i, f"{written}: {head} is declared in package {ctx.package}, not {package}")
        return False

    def var(self, sc, name):
        s = sc
        while s is not None:
            if name in s.vars:
                return True, s.vars[name]
            if s.ti is not None:
                r = self.w.lookup(s.ti, name, False, self.lang) or self.w.lookup(s.ti, name, True, self.lang)
                if r is not None and r[0] == "field":
                    return True, self.w.field_type(r[1], s.self_ty)
            s = s.parent
        f = self.demo.props.get(name)
        if f is not None:
            return True, self.w.field_type(f)
        return False, None

    def free_funcs(self, sc, name):
        """What a call `name(...)` without a receiver can mean: (functions, from the API)."""
        s = sc
        while s is not None:
            if name in s.funcs:
                return s.funcs[name], False
            if s.ti is not None:
                r = self.w.lookup(s.ti, name, False, self.lang) or self.w.lookup(s.ti, name, True, self.lang)
                if r is not None and r[0] == "method":
                    return r[1], r[2].origin == "api"
            s = s.parent
        if name in self.demo.funcs:
            return self.demo.funcs[name], False
        exts = [f for _, f in self.demo.exts if f.name == name]
        if exts:
            return exts, False
        if self.lang == "kotlin":
            full = self.ctx.imports.get(name)
            if full is not None and is_api_name(full) and full.split(".")[-1] in self.api.funcs:
                return self.api.funcs[full.split(".")[-1]], True
        elif name in self.api.funcs and self.ctx.gridbook:
            return self.api.funcs[name], True
        return None, False

    def blind(self, name, k):
        """`.name` on a value of unknown type, where name is also an API member's: not checked (--stats)."""
        if not self.silent and name in self.w.api_names[self.lang]:
            self.w.blind.append((self.ctx.path, self.toks[k].line, name))

    # Statements --------------------------------------------------------------

    def block(self, i, end, sc):
        """Walks the statements of i..end; returns the value of the last one if it is an expression."""
        last = None
        while i < end:
            j, last = self.statement(i, end, sc)
            i = j if j > i else i + 1
        return last

    def statement(self, i, end, sc):
        """Walks one statement; returns (index after it, its value if it is an expression)."""
        t = self.toks[i]
        if t.k == "op" and (t.t in (";", ",") or t.t in CLOSE):
            return i + 1, None
        mods, j = self.skip_mods(i, end)
        if j >= end:
            return j, None
        t = self.toks[j]
        if t.k == "id":
            handler = self.k_statement if self.lang == "kotlin" else self.s_statement
            r = handler(t.t, j, end, sc, mods)
            if r is not None:
                return r, None
        v, k, _ = self.expr(j, end, sc)
        return k, v


    def find_kw(self, i, end, w):
        j = i
        while j < end:
            t = self.toks[j]
            if t.k == "id" and t.t == w:
                return j
            if t.k == "op" and t.t in OPEN:
                if t.t == "{":
                    return None
                j = self.after(j)
                continue
            j += 1
        return None

    def ret_of(self, sc):
        while sc is not None:
            if sc.ret is not None:
                return sc.ret
            sc = sc.parent
        return None

    def params_checked(self, i, sc):
        """The parameters at `(` i, their types checked and default values walked."""
        params, _ = self.params(i)
        for a, b in self.split(i + 1, self.mate[i], angles=True):
            colon = self.find_top(a, b, ":")
            raw = None
            if colon is not None:
                raw, _ = self.parse_type(colon + 1, b)
                self.check_type(raw, colon, sc)
            eq = self.find_top(a, b, "=")
            if eq is not None:
                self.expr(eq + 1, b, sc, self.res(raw, sc), nl=False)
        return params

    def accessor(self, j, end, sc):
        """get() = ..., set(value) { ... }, didSet { ... }."""
        k = j + 1
        asc = Scope(sc)
        if self.op(k, "("):
            for a, _ in self.split(k + 1, self.mate[k]):
                if self.ident(a):
                    asc.vars[self.toks[a].t] = None
            k = self.after(k)
        asc.vars.update({"newValue": None, "oldValue": None, "value": None} if self.toks[j].t != "get" else {})
        if self.op(k, "="):
            _, k, _ = self.expr(k + 1, end, asc)
            return k
        if self.op(k, "{"):
            self.block(k + 1, self.mate[k], asc)
            return self.after(k)
        return k

    def body(self, k, end, sc):
        """A braced block, or a single statement (Kotlin's if/for/when branches)."""
        if self.op(k, "{"):
            self.block(k + 1, self.mate[k], Scope(sc))
            return self.after(k)
        if k < end:
            return self.statement(k, end, sc)[0]
        return k

    def cast_scope(self, sc, casts):
        if not casts:
            return sc
        out = Scope(sc)
        for name, ty in casts:
            out.vars[name] = ty
        return out

    def supertypes(self, k, end, sc):
        """`: A(args), B` after a Kotlin class header; returns the index after them."""
        k += 1
        while k < end:
            raw, k2 = self.parse_type(k, end)
            if raw is None:
                break
            self.check_type(raw, k, sc)
            k = k2
            if self.op(k, "(") and not self.toks[k].nl:
                for a, b in self.split(k + 1, self.mate[k]):
                    self.expr(a, b, sc, nl=False)
                k = self.after(k)
            if self.kw(k, "by"):
                _, k, _ = self.expr(k + 1, end, sc)
            if self.op(k, ","):
                k += 1
                continue
            break
        return k

    def conform(self, ti, i, label):
        """A demo type implementing an API interface or protocol has all of its methods."""
        ifaces, other = [], False
        for _, sty in self.w.supers(ti, self.lang):
            sti = self.ti(sty)
            if sti is not None and sti.origin == "api" and sti.kind in ("interface", "protocol"):
                ifaces.append(sti)
            elif not (sty is not None and sty.name in ("Sendable", "AnyObject", "Any")):
                other = True
        if not ifaces or ti.mods & {"abstract", "delegates"}:
            return  # an abstract class needs not implement them, nor one that delegates them
        names = ", ".join(s.qual for s in ifaces)
        required = {}
        for sti in ifaces:
            for name, fs in sti.methods.items():
                required.setdefault(name, fs)
        for name, fs in required.items():
            mine = ti.methods.get(name)
            if mine and mine[0].at is not None:
                self.use("interface methods", mine[0].at, name)
            else:
                self.count("interface methods")
            if not mine:
                self.flag(i, f"{label} implements API {names} but has no {fs[0].sig()} (renamed in the API?)")
            elif self.lang == "swift" and not any([p.label for p in m.params] == [p.label for p in f.params]
                                                  for m in mine for f in fs):
                self.flag(i, f"{label}.{mine[0].sig()}: API {names} declares {fs[0].sig()}")
        if self.lang == "kotlin" and not other:
            for name, mine in ti.methods.items():
                if any(m.override for m in mine) and name not in required and name not in ("toString", "hashCode", "equals"):
                    self.flag(i, f"{label}: override fun {name} overrides nothing of API {names}")

    # Kotlin ------------------------------------------------------------------

    def k_statement(self, w, j, end, sc, mods):
        if w == "import":
            self.k_import(j)
            return self.line_end(j)
        if w == "package" or w == "typealias":
            return self.line_end(j)
        if w in ("class", "interface") or (w == "object" and (self.ident(j + 1) or "companion" in mods)):
            return self.k_class(j, end, sc, mods)
        if w == "fun" and not self.op(j + 1, "("):
            return self.k_fun(j, end, sc)
        if w in ("val", "var"):
            return self.k_val(j, end, sc)
        if w == "constructor" and self.op(j + 1, "("):
            fsc = Scope(sc)
            for p in self.params_checked(j + 1, fsc):
                fsc.vars[p.name] = self.res(p.ty, fsc)
            k = self.after(j + 1)
            if self.op(k, ":"):
                k += 1
                if self.ident(k) and self.op(k + 1, "("):
                    for a, b in self.split(k + 2, self.mate[k + 1]):
                        self.expr(a, b, fsc, nl=False)
                    k = self.after(k + 1)
            return self.body(k, end, fsc) if self.op(k, "{") else k
        if w == "init" and self.op(j + 1, "{"):
            self.block(j + 2, self.mate[j + 1], Scope(sc))
            return self.after(j + 1)
        if w in ("get", "set") and (self.op(j + 1, "(") or self.op(j + 1, "=")):
            return self.accessor(j, end, sc)
        if w == "if":
            return self.k_if(j, end, sc)[1]
        if w == "for":
            return self.k_for(j, end, sc)
        if w == "while":
            k = j + 1
            if self.op(k, "("):
                self.expr(k + 1, self.mate[k], sc, nl=False)
                k = self.after(k)
            return self.body(k, end, sc)
        if w == "do" and self.op(j + 1, "{"):
            k = self.body(j + 1, end, sc)
            if self.kw(k, "while") and self.op(k + 1, "("):
                self.expr(k + 2, self.mate[k + 1], sc, nl=False)
                k = self.after(k + 1)
            return k
        if w == "return":
            return self.k_return(j, end, sc)
        if w in ("break", "continue"):
            return j + 3 if self.op(j + 1, "@") and not self.toks[j + 1].sp else j + 1
        return None

    def k_import(self, i):
        parts, j = [], i + 1
        while self.ident(j) or self.op(j, "*"):
            parts.append(self.toks[j].t)
            if self.op(j + 1, ".") and not self.toks[j + 1].nl:
                j += 2
                continue
            break
        if len(parts) > 2 and is_api_name(".".join(parts)):
            self.use("imports", i, parts[-1])
            if parts[-1] == "*":
                self.flag(i, "import org.gridbook.*: import the API's names one by one (scripts/check-demo-api needs to "
                             "know which names come from the API; ktlint's no-wildcard-imports asks the same)")
            else:
                package, rest = api_parts(".".join(parts))
                self.check_api_path(rest, i, ".".join(parts), head_checked=True, package=package)

    def k_class(self, j, end, sc, mods):
        k = j + 1
        name = "Companion"
        if self.ident(k):
            name = self.toks[k].t
            k += 1
        gens, k = self.generics(k)
        _, k = self.skip_mods(k, end)
        if self.kw(k, "constructor"):
            k += 1
        if "companion" in mods and self.encl:
            qual = self.encl[-1]
        else:
            qual = f"{self.encl[-1]}.{name}" if self.encl else name
        ti = self.demo.types.get(qual)
        csc = Scope(sc, ti=ti, self_ty=self.w.type_ty(ti) if ti is not None else None, gens=gens)
        if self.op(k, "("):
            for p in self.params_checked(k, csc):
                csc.vars[p.name] = self.res(p.ty, csc)
            k = self.after(k)
        if self.op(k, ":"):
            k = self.supertypes(k, end, csc)
        if self.kw(k, "where"):
            while k < end and not self.op(k, "{"):
                k += 1
        if self.op(k, "{"):
            self.encl.append(qual)
            self.block(k + 1, self.mate[k], csc)
            self.encl.pop()
            k = self.after(k)
        if ti is not None:
            self.conform(ti, j, ti.name)
        return k

    def k_object(self, i, end, sc):
        """An object expression: `object : SyncListener { override fun onProgress(...) }`."""
        k = i + 1
        tmp = TypeInfo("object", "object", self.ctx, "demo")
        tmp.declared = True
        csc = Scope(sc, ti=tmp)
        if self.op(k, ":"):
            start = k + 1
            k = self.supertypes(k, end, csc)
            for a, b in self.split(start, k):
                raw, _ = self.parse_type(a, b)
                if raw is not None:
                    tmp.supers.append(raw)
        if self.op(k, "{"):
            Collector(self.toks, self.ctx, Module(self.lang, "demo")).members(k + 1, self.mate[k], tmp, False)
            tmp.ctx = self.ctx
            self.block(k + 1, self.mate[k], csc)
            k = self.after(k)
        self.conform(tmp, i, "object : " + ", ".join(r.name for r in tmp.supers))
        return V(None), k

    def k_fun(self, j, end, sc):
        k = j + 1
        gens, k = self.generics(k)
        raw, k2 = self.parse_type(k, end)
        if raw is None or not self.op(k2, "("):
            return self.stmt_end(j, end)
        parts = raw.name.rsplit(".", 1)
        fsc = Scope(sc, gens=gens)
        if len(parts) == 2:  # an extension function: the receiver's members are in scope
            recv = Ty(parts[0], raw.args)
            self.check_type(recv, k, fsc)
            rt = self.res(recv, fsc)
            fsc.self_ty, fsc.ti = rt, self.ti(rt)
        params = self.params_checked(k2, fsc)
        for p in params:
            fsc.vars[p.name] = self.res(p.ty, fsc)
        k = self.after(k2)
        rraw = None
        if self.op(k, ":"):
            rraw, k = self.parse_type(k + 1, end)
            self.check_type(rraw, k, fsc)
            fsc.ret = self.res(rraw, fsc)
        if len(parts) == 1 and sc.ti is None and sc.parent is not None:  # a function local to a function
            sc.funcs.setdefault(parts[0], []).append(Func(parts[0], params, rraw, self.ctx, gens))
        if self.kw(k, "where"):
            while k < end and not (self.op(k, "{") or self.op(k, "=")):
                k += 1
        if self.op(k, "{"):
            self.block(k + 1, self.mate[k], fsc)
            return self.after(k)
        if self.op(k, "="):
            _, k, _ = self.expr(k + 1, end, fsc, fsc.ret)
        return k

    def k_val(self, j, end, sc):
        k = j + 1
        _, k = self.generics(k)
        if self.op(k, "("):  # val (a, b) = ...
            return self.destructure(k, end, sc)
        raw, k2 = self.parse_type(k, end)
        if raw is None:
            return self.stmt_end(j, end)
        name = raw.name.rsplit(".", 1)[-1]
        k = k2
        dty = None
        if self.op(k, ":"):
            draw, k = self.parse_type(k + 1, end)
            self.check_type(draw, k, sc)
            dty = self.res(draw, sc)
        t = dty
        if self.op(k, "="):
            v, k, _ = self.expr(k + 1, end, sc, dty)
            t = dty or vty(v)
        elif self.kw(k, "by"):
            v, k, _ = self.expr(k + 1, end, sc)
            t = dty or delegated(vty(v))
        sc.vars[name] = t
        return k

    def destructure(self, k, end, sc):
        """`val (a, b) = e` / `let (a, b) = e` at `(` k: a and b typed from a tuple, Pair or Triple."""
        names = [self.toks[a].t if self.ident(a) else None for a, _ in self.split(k + 1, self.mate[k])]
        k = self.after(k)
        if self.op(k, ":"):
            _, k = self.parse_type(k + 1, end)
        parts = ()
        if self.op(k, "="):
            v, k, _ = self.expr(k + 1, end, sc)
            t = unwrap(vty(v))
            if t is not None and t.name in ("Tuple", "Pair", "Triple"):
                parts = t.args
        for idx, nm in enumerate(names):
            if nm is not None:
                sc.vars[nm] = parts[idx] if idx < len(parts) else None
        return k

    def k_if(self, j, end, sc):
        k = j + 1
        casts = []
        if self.op(k, "("):
            _, _, casts = self.expr(k + 1, self.mate[k], sc, nl=False)
            k = self.after(k)
        k = self.body(k, end, self.cast_scope(sc, casts))
        if self.kw(k, "else"):
            k = self.body(k + 1, end, Scope(sc))
        return V(None), k

    def k_for(self, j, end, sc):
        k = j + 1
        fsc = Scope(sc)
        if self.op(k, "("):
            close = self.mate[k]
            inn = self.find_kw(k + 1, close, "in")
            if inn is not None:
                v, _, _ = self.expr(inn + 1, close, sc, nl=False)
                a = k + 1
                if self.op(a, "("):
                    for pa, _ in self.split(a + 1, self.mate[a]):
                        if self.ident(pa):
                            fsc.vars[self.toks[pa].t] = None
                elif self.ident(a):
                    t = elem(vty(v))
                    if self.op(a + 1, ":"):
                        raw, _ = self.parse_type(a + 2, inn)
                        self.check_type(raw, a, sc)
                        t = self.res(raw, sc)
                    fsc.vars[self.toks[a].t] = t
            k = self.after(k)
        return self.body(k, end, fsc)

    def k_return(self, j, end, sc):
        k = j + 1
        if self.op(k, "@") and not self.toks[k].sp:
            k += 2
        if k < end and not self.toks[k].nl and not (self.toks[k].k == "op" and (self.toks[k].t in CLOSE or self.toks[k].t == ";")):
            _, k, _ = self.expr(k, end, sc, self.ret_of(sc))
        return k

    def k_when(self, j, end, sc):
        k = j + 1
        inner = Scope(sc)
        subj_name, subj_ty = None, None
        if self.op(k, "("):
            close = self.mate[k]
            a = k + 1
            if self.kw(a, "val") and self.ident(a + 1):
                subj_name, b = self.toks[a + 1].t, a + 2
                dty = None
                if self.op(b, ":"):
                    raw, b = self.parse_type(b + 1, close)
                    self.check_type(raw, b, sc)
                    dty = self.res(raw, sc)
                if self.op(b, "="):
                    v, _, _ = self.expr(b + 1, close, sc, nl=False)
                    subj_ty = dty or vty(v)
                inner.vars[subj_name] = subj_ty
            else:
                v, _, _ = self.expr(a, close, sc, nl=False)
                subj_ty = vty(v)
                subj_name = v.name if v is not None and v.kind == "v" else None
            k = self.after(k)
        if not self.op(k, "{"):
            return V(None), k
        close, b = self.mate[k], k + 1
        while b < close:
            casts, conds = [], 0
            while b < close:
                if self.kw(b, "else"):
                    b += 1
                elif self.kw(b, "is") or (self.op(b, "!") and self.kw(b + 1, "is")):
                    neg = self.op(b, "!")
                    b += 2 if neg else 1
                    raw, b = self.parse_type(b, close)
                    self.check_type(raw, b - 1, inner)
                    if not neg and subj_name:
                        casts.append((subj_name, self.res(raw, inner)))
                elif self.kw(b, "in") or (self.op(b, "!") and self.kw(b + 1, "in")):
                    b += 2 if self.op(b, "!") else 1
                    _, b, _ = self.expr(b, close, inner, nl=False)
                else:
                    _, b, c = self.expr(b, close, inner, unwrap(subj_ty), nl=False)
                    casts += c  # when { x is T -> x.member }
                conds += 1
                if self.op(b, ","):
                    b += 1
                    continue
                break
            if not self.op(b, "->"):
                b += 1
                continue
            b += 1
            bsc = self.cast_scope(inner, casts if conds == 1 else [])
            b = self.body(b, close, bsc)
        return V(None), close + 1

    def k_try(self, j, end, sc):
        k = j + 1
        if self.op(k, "{"):
            k = self.body(k, end, sc)
        while self.kw(k, "catch"):
            k += 1
            csc = Scope(sc)
            if self.op(k, "("):
                close = self.mate[k]
                if self.ident(k + 1) and self.op(k + 2, ":"):
                    raw, _ = self.parse_type(k + 3, close)
                    self.check_type(raw, k + 3, sc)
                    csc.vars[self.toks[k + 1].t] = self.res(raw, sc)
                k = self.after(k)
            k = self.body(k, end, csc) if self.op(k, "{") else k
        if self.kw(k, "finally") and self.op(k + 1, "{"):
            k = self.body(k + 1, end, sc)
        return V(None), k

    # Swift -------------------------------------------------------------------

    def s_statement(self, w, j, end, sc, mods):
        if w == "import" or w == "typealias":
            return self.line_end(j)
        if w in ("struct", "enum", "protocol", "actor", "extension") or (w == "class" and self.ident(j + 1)):
            return self.s_type(j, end, sc)
        if w in ("func", "subscript"):
            return self.s_func(j, end, sc)
        if w == "init" and (self.op(j + 1, "(") or self.op(j + 1, "?") or self.op(j + 1, "!") or self.op(j + 1, "<")):
            return self.s_func(j - 1, end, sc, init=True)
        if w == "deinit" and self.op(j + 1, "{"):
            return self.body(j + 1, end, sc)
        if w in ("let", "var"):
            return self.s_var(j, end, sc)
        if w == "case":
            return self.s_case_decl(j, end, sc)
        if w == "if":
            return self.s_if(j, end, sc)
        if w == "guard":
            k = self.s_conditions(j + 1, end, sc)
            if self.kw(k, "else"):
                k += 1
            return self.body(k, end, sc) if self.op(k, "{") else k
        if w == "switch":
            return self.s_switch(j, end, sc)[1]
        if w == "for":
            return self.s_for(j, end, sc)
        if w == "while":
            csc = Scope(sc)
            k = self.s_conditions(j + 1, end, csc)
            return self.body(k, end, csc) if self.op(k, "{") else k
        if w == "repeat" and self.op(j + 1, "{"):
            k = self.body(j + 1, end, sc)
            if self.kw(k, "while"):
                _, k, _ = self.expr(k + 1, end, sc)
            return k
        if w == "do" and self.op(j + 1, "{"):
            return self.s_do(j, end, sc)
        if w == "defer" and self.op(j + 1, "{"):
            return self.body(j + 1, end, sc)
        if w == "return":
            k = j + 1
            if k < end and not self.toks[k].nl and not (self.toks[k].k == "op" and self.toks[k].t in CLOSE):
                _, k, _ = self.expr(k, end, sc, self.ret_of(sc))
            return k
        if w in ("break", "continue", "fallthrough"):
            return j + 2 if self.ident(j + 1) and not self.toks[j + 1].nl else j + 1
        if w in ("get", "set", "didSet", "willSet") and (self.op(j + 1, "{") or self.op(j + 1, "(")):
            return self.accessor(j, end, sc)
        return None

    def s_type(self, j, end, sc):
        w = self.toks[j].t
        name, k = self.dotted(j + 1)
        if name is None:
            return self.stmt_end(j, end)
        raw = Ty(name)
        gens = ()
        if w == "extension":
            self.check_type(raw, j + 1, sc)
            self_ty = self.res(raw, sc)
            qual = self_ty.name.split(":", 1)[-1]
            ti = self.ti(self_ty) or self.demo.types.get(raw.name)
        else:
            gens, k = self.generics(k)
            qual = f"{self.encl[-1]}.{raw.name}" if self.encl else raw.name
            ti = self.demo.types.get(qual)
            self_ty = self.w.type_ty(ti) if ti is not None else None
        csc = Scope(sc, ti=ti, self_ty=self_ty, gens=gens)
        if self.op(k, ":"):
            k += 1
            while k < end:
                sraw, k2 = self.parse_type(k, end)
                if sraw is None:
                    break
                self.check_type(sraw, k, csc)
                k = k2
                if self.op(k, ","):
                    k += 1
                    continue
                break
        while k < end and not self.op(k, "{"):
            k += 1
        if k < end:
            self.encl.append(qual)
            self.block(k + 1, self.mate[k], csc)
            self.encl.pop()
            k = self.after(k)
        if ti is not None and w != "extension":
            self.conform(ti, j, ti.name)
        return k

    def s_func(self, j, end, sc, init=False):
        k = j + 2  # after the name (or `init`)
        if init and (self.op(k, "?") or self.op(k, "!")):
            k += 1
        gens, k = self.generics(k)
        fsc = Scope(sc, gens=gens)
        if not self.op(k, "("):
            return self.stmt_end(j + 1, end)
        params = self.params_checked(k, fsc)
        for p in params:
            fsc.vars[p.name] = self.res(p.ty, fsc)
        k = self.after(k)
        while self.ident(k) and self.toks[k].t in ("async", "throws", "rethrows"):
            k += 1
        raw = None
        if self.op(k, "->"):
            raw, k = self.parse_type(k + 1, end)
            self.check_type(raw, k, fsc)
            fsc.ret = self.res(raw, fsc)
        if not init and sc.ti is None and sc.parent is not None:  # a function local to a function
            sc.funcs.setdefault(self.toks[j + 1].t, []).append(Func(self.toks[j + 1].t, params, raw, self.ctx, gens))
        if self.kw(k, "where"):
            while k < end and not self.op(k, "{"):
                k += 1
        if self.op(k, "{"):
            self.block(k + 1, self.mate[k], fsc)
            return self.after(k)
        return k

    def s_var(self, j, end, sc):
        k = j + 1
        if self.op(k, "("):  # let (a, b) = ...
            return self.destructure(k, end, sc)
        if not self.ident(k):
            return self.stmt_end(j, end)
        name = self.toks[k].t
        k += 1
        dty = None
        if self.op(k, ":"):
            raw, k = self.parse_type(k + 1, end)
            self.check_type(raw, k, sc)
            dty = self.res(raw, sc)
        t = dty
        if self.op(k, "="):
            v, k, _ = self.expr(k + 1, end, sc, dty)
            t = dty or vty(v)
        sc.vars[name] = t
        if self.op(k, "{") and not self.toks[k].nl:  # a computed property or observers
            self.block(k + 1, self.mate[k], Scope(sc, ret=dty))
            k = self.after(k)
        return k

    def s_case_decl(self, j, end, sc):
        k = j + 1
        while self.ident(k):
            k += 1
            if self.op(k, "("):
                for a, b in self.split(k + 1, self.mate[k], angles=True):
                    self.check_type(self.param_type(a, b), a, sc)
                k = self.after(k)
            if self.op(k, "="):
                k += 2
            if self.op(k, ","):
                k += 1
                continue
            break
        return k

    def s_if(self, j, end, sc):
        csc = Scope(sc)
        k = self.s_conditions(j + 1, end, csc)
        if self.op(k, "{"):
            self.block(k + 1, self.mate[k], csc)
            k = self.after(k)
        if self.kw(k, "else"):
            k += 1
            if self.kw(k, "if"):
                return self.s_if(k, end, sc)
            k = self.body(k, end, sc) if self.op(k, "{") else k
        return k

    def s_conditions(self, j, end, csc):
        """`if`/`guard`/`while` conditions; their bindings go into csc."""
        while j < end:
            if self.kw(j, "let") or self.kw(j, "var"):
                k = j + 1
                if not self.ident(k):
                    _, j, _ = self.expr(k, end, csc, nobrace=True)
                else:
                    name = self.toks[k].t
                    k += 1
                    dty = None
                    if self.op(k, ":"):
                        raw, k = self.parse_type(k + 1, end)
                        self.check_type(raw, k, csc)
                        dty = self.res(raw, csc)
                    if self.op(k, "="):
                        v, k, _ = self.expr(k + 1, end, csc, dty, nobrace=True)
                        t = dty or unwrap(vty(v))
                    else:  # `if let x {`: x unwrapped
                        t = unwrap(self.var(csc, name)[1])
                    csc.vars[name] = t
                    j = k
            elif self.kw(j, "case"):
                eq = self.find_top(j + 1, end, "=")
                brace = self.find_top(j + 1, end, "{")
                if eq is None or (brace is not None and brace < eq):
                    return brace if brace is not None else end
                v, k, _ = self.expr(eq + 1, end, csc, nobrace=True)
                self.s_pattern(j + 1, eq, vty(v), csc)
                j = k
            elif self.op(j, "#"):
                j += 2
                if self.op(j, "("):
                    j = self.after(j)
            else:
                _, j, _ = self.expr(j, end, csc, nobrace=True)
            if self.op(j, ","):
                j += 1
                continue
            break
        return j

    def s_switch(self, j, end, sc):
        v, k, _ = self.expr(j + 1, end, sc, nobrace=True)
        subj = vty(v)
        if not self.op(k, "{"):
            return None, k
        close, b = self.mate[k], k + 1
        csc = Scope(sc)
        while b < close:
            if self.kw(b, "case"):
                csc = Scope(sc)
                colon = self.find_top(b + 1, close, ":")
                if colon is None:
                    break
                wh = self.find_kw(b + 1, colon, "where")
                for a, e in self.split(b + 1, wh if wh is not None else colon):
                    self.s_pattern(a, e, subj, csc)
                if wh is not None:
                    self.expr(wh + 1, colon, csc, nl=False)
                b = colon + 1
                continue
            if self.kw(b, "default") and self.op(b + 1, ":"):
                csc = Scope(sc)
                b += 2
                continue
            if self.op(b, "@") and self.kw(b + 1, "unknown"):
                b += 2
                continue
            nb = self.statement(b, close, csc)[0]
            b = nb if nb > b else b + 1
        return None, close + 1

    def s_for(self, j, end, sc):
        k = j + 1
        fsc = Scope(sc)
        if self.kw(k, "case"):
            k += 1
        inn = self.find_kw(k, end, "in")
        if inn is None:
            return self.stmt_end(j, end)
        v, e, _ = self.expr(inn + 1, end, sc, nobrace=True)
        self.s_pattern(k, inn, elem(vty(v)), fsc, bind=True)
        if self.kw(e, "where"):
            _, e, _ = self.expr(e + 1, end, fsc, nobrace=True)
        if self.op(e, "{"):
            self.block(e + 1, self.mate[e], fsc)
            e = self.after(e)
        return e

    def s_do(self, j, end, sc):
        k = self.body(j + 1, end, sc)
        while self.kw(k, "catch"):
            csc = Scope(sc)
            k += 1
            if self.op(k, "{"):
                csc.vars["error"] = Ty("Error")
            else:
                brace = self.find_top(k, end, "{")
                if brace is None:
                    return end
                wh = self.find_kw(k, brace, "where")
                self.s_pattern(k, wh if wh is not None else brace, Ty("Error"), csc)
                if wh is not None:
                    self.expr(wh + 1, brace, csc, nl=False)
                k = brace
            self.block(k + 1, self.mate[k], csc)
            k = self.after(k)
        return k

    def s_pattern(self, a, e, exp, sc, bind=False):
        """A Swift pattern matched against a value of type `exp`; binds its variables in sc."""
        j = a
        if self.kw(j, "let") or self.kw(j, "var"):
            bind, j = True, j + 1
        if j >= e:
            return
        t = self.toks[j]
        if self.op(j, ".") and self.ident(j + 1):
            params = self.pattern_case(exp, j + 1)
            k = j + 2
            if self.op(k, "("):
                self.sub_patterns(k, params, sc, bind)
            return
        if t.k == "id" and t.t[:1].isupper() and self.op(j + 1, ".") and self.ident(j + 2):
            dotted, k = [t.t], j + 1
            while self.op(k, ".") and self.ident(k + 1):
                dotted.append(self.toks[k + 1].t)
                k += 2
            self.check_name(".".join(dotted[:-1]), j, sc)
            tt = self.res(Ty(".".join(dotted[:-1])), sc)
            params = self.pattern_case(tt, k - 1)
            if self.op(k, "("):
                self.sub_patterns(k, params, sc, bind)
            return
        if t.k == "id" and t.t == "_" and j + 1 >= e:
            return
        if t.k == "id" and self.kw(j + 1, "as"):
            raw, _ = self.parse_type(j + 2, e)
            self.check_type(raw, j, sc)
            sc.vars[t.t] = self.res(raw, sc)
            return
        if t.k == "id" and bind and (j + 1 >= e or self.op(j + 1, "?")):
            sc.vars[t.t] = exp
            return
        if self.kw(j, "is"):
            raw, _ = self.parse_type(j + 1, e)
            self.check_type(raw, j, sc)
            return
        if self.op(j, "(") and self.after(j) >= e:  # a tuple
            args = exp.args if exp is not None and exp.name == "Tuple" else ()
            for idx, (pa, pb) in enumerate(self.split(j + 1, self.mate[j])):
                self.s_pattern(pa, pb, args[idx] if idx < len(args) else None, sc, bind)
            return
        self.expr(j, e, sc, unwrap(exp), nl=False)

    def pattern_case(self, exp, k):
        """Checks the case named at token k against the type `exp`; returns its associated values [(label, type)]."""
        name = self.toks[k].t
        et = unwrap(exp)
        if exp is not None and exp.opt and name in ("none", "some"):
            return None
        ti = self.ti(et)
        if ti is None:
            return None
        r = self.w.lookup(ti, name, True, self.lang)
        if r is None:
            if ti.origin == "api" and self.w.builtin(ti, name, True, self.lang) is False:
                self.flag(k, f".{name}: the generated API type {ti.qual} has no case {name}")
            return None
        if ti.origin == "api":
            self.use("implicit members", k, name)
        if r[0] != "case" or r[1] is None:
            return None
        owner = r[2]
        return [(p.label, self.w.resolve(p.ty, owner.ctx, owner.generics, (owner.qual,))) for p in r[1]], owner

    def sub_patterns(self, k, params, sc, bind):
        plist, owner = params if params else (None, None)
        for idx, (a, b) in enumerate(self.split(k + 1, self.mate[k])):
            lbl = None
            if self.ident(a) and self.op(a + 1, ":"):
                lbl, a = self.toks[a].t, a + 2
            pty = None
            if plist is not None:
                if lbl is not None:
                    match = [t for l, t in plist if l == lbl]
                    if not match and owner.origin == "api":
                        self.flag(a - 2, f"{lbl}: the case has no associated value {lbl} in the generated API type {owner.qual}")
                    pty = match[0] if match else None
                elif idx < len(plist):
                    pty = plist[idx][1]
            self.s_pattern(a, b, pty, sc, bind)

    # Expressions -------------------------------------------------------------

    def binop(self, i):
        """(operator, precedence, tokens) of a binary operator at i, or None."""
        t = self.toks[i]
        prec = PREC[self.lang]
        if t.k == "op":
            o = t.t
            if o == "!" and self.lang == "kotlin" and (self.kw(i + 1, "is") or self.kw(i + 1, "in")) and not self.toks[i + 1].sp:
                return "!" + self.toks[i + 1].t, prec["is"], 2
            if o == "?":
                return ("?", prec["?"], 1) if self.lang == "swift" and t.sp else None
            if o in ("<", ">") and not t.sp:
                return None
            if o == "&" and self.lang == "swift" and i + 1 < self.n and not self.toks[i + 1].sp:
                return None  # `&x`: an inout argument, not a bitwise and
            p = prec.get(o)
            return (o, p, 1) if p is not None else None
        if t.k == "id":
            w = t.t
            if w == "as":
                if (self.op(i + 1, "?") or self.op(i + 1, "!")) and not self.toks[i + 1].sp:
                    return "as" + self.toks[i + 1].t, prec["as"], 2
                return "as", prec["as"], 1
            if w == "is":
                return "is", prec["is"], 1
            if self.lang == "kotlin":
                if w == "in":
                    return "in", prec["in"], 1
                if w in KOTLIN_INFIX:
                    return "infix", prec["infix"], 1
        return None

    def expr(self, i, end, sc, exp=None, nl=True, nobrace=False, minp=0):
        """Parses an expression from i; returns (Val or None, index after it, smart casts)."""
        if i >= end:
            return None, i, []
        v, i, casts = self.unary(i, end, sc, exp, nl, nobrace)
        while i < end:
            t = self.toks[i]
            if nl and t.nl and not self.continues(i):
                break
            b = self.binop(i)
            if b is None or b[1] < minp:
                break
            o, p, width = b
            i += width
            if o in ("as", "as?", "as!"):
                raw, i = self.parse_type(i, end)
                self.check_type(raw, i - 1, sc)
                t2 = self.res(raw, sc)
                v, casts = V(t2._replace(opt=True) if t2 is not None and o == "as?" else t2), []
                continue
            if o in ("is", "!is"):
                raw, i = self.parse_type(i, end)
                self.check_type(raw, i - 1, sc)
                if o == "is" and v is not None and v.kind == "v" and v.name:
                    casts = casts + [(v.name, self.res(raw, sc))]
                v = V(Ty("Bool"))
                continue
            lt = unwrap(vty(v))
            if o == "?":  # Swift's ternary
                a, i, _ = self.expr(i, end, sc, exp, nl, nobrace, 0)
                c = None
                if self.op(i, ":"):
                    c, i, _ = self.expr(i + 1, end, sc, exp, nl, nobrace, p)
                v, casts = (a if vty(a) is not None else c), []
                continue
            rexp = lt if o in ("==", "!=", "===", "!==", "=", "??", "?:", "+=", "-=") else None
            rsc = self.cast_scope(sc, casts) if o == "&&" else sc
            r, i, rc = self.expr(i, end, rsc, rexp, nl, nobrace, p if o in RIGHT_ASSOC else p + 1)
            casts = casts + rc if o == "&&" else []
            if o in ("??", "?:"):
                v = V(lt) if lt is not None else (V(vty(r)) if vty(r) is not None else None)
            elif o in ("==", "!=", "===", "!==", "<", ">", "<=", ">=", "&&", "||", "in", "!in"):
                v = V(Ty("Bool"))
            else:
                v = None
        return v, i, casts

    def unary(self, i, end, sc, exp, nl, nobrace):
        t = self.toks[i]
        if t.k == "op" and t.t in ("!", "-", "+", "++", "--", "&", "~", "*", "..."):
            if i + 1 >= end:
                return None, i + 1, []
            v, j, _ = self.unary(i + 1, end, sc, exp if t.t == "&" else None, nl, nobrace)
            return (V(Ty("Bool")) if t.t == "!" else v if t.t == "&" else None), j, []
        if t.k == "id" and (t.t == "await" or (t.t == "try" and self.lang == "swift")):
            j, opt = i + 1, False
            if (self.op(j, "?") or self.op(j, "!")) and not self.toks[j].sp:
                opt, j = self.toks[j].t == "?", j + 1
            if j >= end:
                return None, j, []
            v, j, c = self.unary(j, end, sc, exp, nl, nobrace)
            if opt and vty(v) is not None:
                v = V(vty(v)._replace(opt=True))
            return v, j, c
        v, j = self.postfix(i, end, sc, exp, nl, nobrace)
        return v, j, []

    def postfix(self, i, end, sc, exp, nl, nobrace):
        v, i = self.primary(i, end, sc, exp, nl, nobrace)
        while i < end:
            t = self.toks[i]
            if t.k != "op":
                break
            o = t.t
            if o in (".", "?."):
                if self.ident(i + 1):
                    v = self.member(v, i + 1, o == "?.")
                    i += 2
                    if v is not None and v.kind == "bf" and not (self.op(i, "(") and not self.toks[i].nl or
                                                                 self.op(i, "{") and not self.toks[i].nl and not nobrace):
                        v = self.bf_result(v, [], None)  # a property such as Swift's `rows.first`
                    continue
                if i + 1 < end and self.toks[i + 1].k == "num":
                    v, i = None, i + 2
                    continue
                break
            if t.nl:
                break
            if o == "(" or (o == "{" and not nobrace):
                v, i = self.call(v, i, end, sc, nobrace)
                continue
            if o == "[" and not t.sp:
                for a, b in self.split(i + 1, self.mate[i]):
                    self.expr(a, b, sc, nl=False)
                t0 = unwrap(vty(v))
                if t0 is not None and t0.name == "List" and t0.args:
                    v = V(t0.args[0])
                elif t0 is not None and t0.name == "Map" and len(t0.args) == 2 and t0.args[1] is not None:
                    v = V(t0.args[1]._replace(opt=True))
                else:
                    v = None
                i = self.after(i)
                continue
            if o == "!!" or (o == "!" and self.lang == "swift" and not t.sp):
                if vty(v) is not None:
                    v = V(unwrap(vty(v)), v.name)
                i += 1
                continue
            if o == "?" and self.lang == "swift" and not t.sp:
                i += 1
                continue
            if o == "<" and not t.sp and v is not None and v.kind in ("t", "f", "u"):
                close = self.angle_close(i, end)
                if close is not None:
                    args = []
                    for a, b in self.split(i + 1, close, angles=True):
                        raw, _ = self.parse_type(a, b)
                        self.check_type(raw, a, sc)
                        args.append(self.res(raw, sc))
                    if v.kind == "t" and v.ty is not None:
                        v = Val("t", ty=v.ty._replace(args=tuple(args)), ti=v.ti)
                    i = close + 1
                    if v.kind == "u" and v.name in ("assertIs", "assertFailsWith") and len(args) == 1 and (
                            self.op(i, "(") or self.op(i, "{")):
                        v, i = self.call(v, i, end, sc, nobrace)
                        v = V(args[0])  # kotlin.test's assertIs<T>(value): T, assertFailsWith<T> { }: T
                    continue
                break
            if o == "::" and self.ident(i + 1):
                if self.toks[i + 1].t != "class":
                    self.member(v, i + 1, False)
                v, i = None, i + 2
                continue
            break
        return v, i

    def primary(self, i, end, sc, exp, nl, nobrace):
        t = self.toks[i]
        if t.k == "str":
            j = i + 1
            while self.op(j, "«"):
                self.expr(j + 1, self.mate[j], sc, nl=False)
                j = self.after(j)
            return V(Ty("String")), j
        if t.k == "num":
            return V(Ty("Number")), i + 1
        if t.k == "op":
            o = t.t
            if o == "(":
                parts = self.split(i + 1, self.mate[i])
                v = None
                for a, b in parts:
                    if self.lang == "swift" and self.ident(a) and self.op(a + 1, ":"):
                        a += 2  # a labelled tuple element
                    r, _, c = self.expr(a, b, sc, exp if len(parts) == 1 else None, nl=False)
                    if len(parts) == 1:
                        v = r
                return v, self.after(i)
            if o == "[":
                ety = elem(exp)
                for a, b in self.split(i + 1, self.mate[i]):
                    colon = self.find_top(a, b, ":") if self.lang == "swift" else None
                    if colon is not None:  # a dictionary entry
                        self.expr(a, colon, sc, nl=False)
                        self.expr(colon + 1, b, sc, nl=False)
                        continue
                    r, _, _ = self.expr(a, b, sc, ety, nl=False)
                    if ety is None and vty(r) is not None:
                        ety = vty(r)  # [VisitOutcome.met, .nobodyHome]: the first element gives the type
                return V(Ty("List", (ety,))), self.after(i)
            if o == "{":
                j, ret = self.lambda_(i, sc, exp if exp is not None and exp.name == "Fn" else None)
                return V(Ty("Fn", ret=ret)), j
            if o == "." and self.ident(i + 1) and self.lang == "swift":
                return self.implicit(exp, i + 1), i + 2
            if o == "\\":  # a key path
                j = i + 1
                while j < end and (self.op(j, ".") or self.ident(j)) and not (j > i + 1 and self.toks[j].sp):
                    j += 1
                return None, j
            if o == "::" and self.ident(i + 1):
                return None, i + 2
            if o == "@":
                _, j = self.skip_mods(i, end)
                if j <= i:
                    j = i + 1
                if self.ident(j) and self.op(j - 1, "@"):
                    j += 1
                return (self.postfix(j, end, sc, exp, nl, nobrace) if j < end else (None, j))
            if o == "#":
                j = i + 2 if self.ident(i + 1) else i + 1
                if self.op(j, "("):
                    j = self.after(j)
                return None, j
            return None, i + 1
        w = t.t
        if self.lang == "kotlin":
            if w == "if":
                return self.k_if(i, end, sc)
            if w == "when":
                return self.k_when(i, end, sc)
            if w == "try":
                return self.k_try(i, end, sc)
            if w == "object" and (self.op(i + 1, ":") or self.op(i + 1, "{")):
                return self.k_object(i, end, sc)
            if w == "this":
                if self.op(i + 1, "@") and not self.toks[i + 1].sp:
                    return None, i + 3
                return V(sc.self_ty), i + 1
            if w == "return":
                return None, self.k_return(i, end, sc)
            if w == "throw":
                _, j, _ = self.expr(i + 1, end, sc, None, nl, nobrace)
                return None, j
            if w in ("break", "continue"):
                return None, (i + 3 if self.op(i + 1, "@") else i + 1)
            if w == "fun" and self.op(i + 1, "("):  # an anonymous function
                fsc = Scope(sc)
                for p in self.params_checked(i + 1, fsc):
                    fsc.vars[p.name] = self.res(p.ty, fsc)
                j = self.after(i + 1)
                if self.op(j, ":"):
                    raw, j = self.parse_type(j + 1, end)
                    self.check_type(raw, j, fsc)
                if self.op(j, "{"):
                    self.block(j + 1, self.mate[j], fsc)
                    j = self.after(j)
                elif self.op(j, "="):
                    _, j, _ = self.expr(j + 1, end, fsc, None, nl, nobrace)
                return V(None), j
            if w in ("super", "null"):
                return V(None), i + 1
        else:
            if w == "self":
                return V(sc.self_ty), i + 1
            if w == "Self":
                return Val("t", ty=sc.self_ty, ti=self.ti(sc.self_ty)), i + 1
            if w in ("super", "nil"):
                return V(None), i + 1
            if w == "switch":
                return self.s_switch(i, end, sc)
            if w == "if":
                return None, self.s_if(i, end, sc)
            if w in ("try", "await"):
                v, j, _ = self.unary(i, end, sc, exp, nl, nobrace)
                return v, j
            if w == "Gridbook" and self.op(i + 1, "."):
                return Val("ns", name="Gridbook"), i + 1
        if w in ("true", "false"):
            return V(Ty("Bool")), i + 1
        found, ty = self.var(sc, w)
        if found:
            return V(ty, w), i + 1
        call = (self.op(i + 1, "(") or (self.op(i + 1, "{") and not nobrace)) and not self.toks[i + 1].nl
        if call or (self.op(i + 1, "<") and not self.toks[i + 1].sp):
            funcs, api = self.free_funcs(sc, w)
            if funcs is not None:
                if api:
                    self.use("functions", i, w)
                return Val("f", funcs=funcs, api=api, name=w), i + 1
            if not w[:1].isupper():
                self.free_call(w, i, sc)
                return Val("u", name=w), i + 1
        if w[:1].isupper():
            self.check_name(w, i, sc)
            ty = Ty(self.w.qualify(w, self.ctx, self.gens(sc), tuple(self.encl)))
            return Val("t", ty=ty, ti=self.ti(ty)), i + 1
        if self.lang == "kotlin" and w in PACKAGE_ROOTS and self.op(i + 1, "."):
            return Val("ns", name=w), i + 1
        if self.lang == "kotlin" and w in self.ctx.imports and is_api_name(self.ctx.imports[w]) and w in self.api.funcs:
            return Val("f", funcs=self.api.funcs[w], api=True, name=w), i + 1  # a function reference
        return V(None, w), i + 1

    def free_call(self, w, i, sc):
        """A Swift call of a free function that is nothing known: a renamed API function?"""
        if self.lang != "swift" or not self.ctx.gridbook or self.silent:
            return
        if w in SWIFT_GLOBAL_FUNCS or w in self.w.demo_funcs:
            return
        s = sc
        while s is not None:
            if s.ti is not None and self.w.platform_supers(s.ti, self.lang) & SWIFT_PLATFORM_CLASSES:
                return  # maybe an inherited method (XCTestCase's expectation(...))
            s = s.parent
        self.flag(i, f"{w}(...): no function of that name in the generated Gridbook API, the demo or the Swift global "
                     f"functions this check knows (a renamed API function? if it is a platform function, add it to "
                     f"SWIFT_GLOBAL_FUNCS in scripts/check-demo-api.py)")

    def implicit(self, exp, k):
        """Swift's `.name` where the context expects a value of type `exp`."""
        name = self.toks[k].t
        et = unwrap(exp)
        if et is None or (exp.opt and name in ("none", "some")):
            return None
        ti = self.ti(et)
        if ti is None:
            return None
        r = self.w.lookup(ti, name, True, self.lang)
        if r is None:
            if ti.origin == "api":
                b = self.w.builtin(ti, name, True, self.lang)
                if b is False:
                    self.flag(k, f".{name}: the generated API type {ti.qual} has no case or static member {name}")
                elif b:
                    self.count("implicit members")
            return None
        if ti.origin == "api":
            self.use("implicit members", k, name)
        return self.member_val(r, et, name, True)

    def member_val(self, r, recv, name, static):
        kind, obj, owner = r
        api = owner.origin == "api"
        if kind == "field":
            return V(self.w.field_type(obj, None if static else recv))
        if kind == "method":
            return Val("f", funcs=obj, api=api, name=f"{owner.qual}.{name}", recv=None if static else recv)
        if kind == "type":
            module = self.api if api else self.demo
            ti = module.types.get(obj)
            return Val("t", ty=self.w.type_ty(ti) if ti is not None else None, ti=ti)
        ety = self.w.type_ty(owner)  # an enum case or entry
        if obj is None:
            return V(ety)
        return Val("f", funcs=[Func(name, obj, Ty(owner.qual), owner.ctx, owner=owner)], api=api, name=f"{owner.qual}.{name}")

    def member(self, v, k, safe):
        """`v.name`, name at token k."""
        name = self.toks[k].t
        if v is None or v.kind in ("f", "bf", "u"):
            return None
        if v.kind == "ns":
            if self.lang == "kotlin" and v.name == "org.gridbook" and name == "core":
                return Val("ns", name="org.gridbook.core")
            if self.lang == "kotlin" and v.name in API_PACKAGES and name != "demo":
                ok = self.check_api_path([name], k, v.name + "." + name, package=v.name)
                if not ok:
                    return None
                if name in self.api.funcs:
                    return Val("f", funcs=self.api.funcs[name], api=True, name=name)
                ti = self.api.types.get(name)
                return Val("t", ty=self.w.type_ty(ti), ti=ti)
            if self.lang == "swift" and v.name == "Gridbook":
                return self.gridbook_member(name, k)
            if v.name.startswith("org.gridbook.demo") and name[:1].isupper():
                ty = Ty(self.w.qualify(name, self.ctx))
                return Val("t", ty=ty, ti=self.ti(ty))
            if name[:1].isupper():
                return Val("t", ty=Ty(name))
            return Val("ns", name=v.name + "." + name)
        if v.kind == "t":
            ti = v.ti
            if ti is None:
                return None
            r = self.w.lookup(ti, name, True, self.lang)
            api = ti.origin == "api"
            if r is None:
                b = self.w.builtin(ti, name, True, self.lang) if api else None
                if b is False:
                    self.flag(k, f"{ti.qual}.{name}: the generated API type {ti.qual} has no {name}")
                elif b:
                    self.count("static members")  # given by the language (entries, values)
                if self.lang == "kotlin" and ti.kind == "enum" and name == "entries":
                    return V(Ty("List", (self.w.type_ty(ti),)))
                return None
            if api:
                self.use("static members", k, name)
            return self.member_val(r, v.ty, name, True)
        t = v.ty
        if t is None:
            self.blind(name, k)
            return None
        if self.lang == "swift" and t.opt and not safe:
            return Val("bf", name=name, recv=t) if name in ("map", "flatMap") else None  # Optional's own
        b = unwrap(t)
        if b.name in ("List", "Set", "Map", "String") or b.name in STATE_WRAPPERS:
            if b.name in STATE_WRAPPERS and name == "value" and b.args:
                return V(b.args[0])
            return Val("bf", name=name, recv=b)
        ti = self.ti(b)
        if ti is None:
            return Val("bf", name=name, recv=b) if name in RECV_LAMBDA or name in ("apply", "run") else None
        r = self.w.lookup(ti, name, False, self.lang)
        api = ti.origin == "api"
        if r is None:
            if self.lang == "kotlin" and name == "copy" and ("data" in ti.mods) and ti.ctors:
                if api:
                    self.count("members")
                params = [p._replace(default=True) for p in ti.ctors[0].params]
                copy = Func("copy", params, Ty(ti.qual), ti.ctx, owner=ti)
                return Val("f", funcs=[copy], api=api, name=f"{ti.qual}.copy", recv=b)
            if name in RECV_LAMBDA or name in ("apply", "run"):
                return Val("bf", name=name, recv=b)
            if api and self.w.in_subtype(ti, name, self.lang):
                return None  # maybe smart-cast where this cannot see it (`if (e !is X) return`)
            if api:
                bi = self.w.builtin(ti, name, False, self.lang)
                if bi is False:
                    self.flag(k, f".{name}: the generated API type {ti.qual} has no member {name}")
                elif bi:
                    self.count("members")
            return None
        if api:
            self.use("members", k, name)
        res = self.member_val(r, b, name, False)
        if safe and res is not None and res.kind == "v" and res.ty is not None:
            res = V(res.ty._replace(opt=True))
        return res

    def gridbook_member(self, name, k):
        if not self.check_api_path([name], k, "Gridbook." + name):
            return None
        if name in self.api.funcs:
            return Val("f", funcs=self.api.funcs[name], api=True, name=name)
        ti = self.api.types.get(name)
        return Val("t", ty=self.w.type_ty(ti), ti=ti)

    # Calls -------------------------------------------------------------------

    def arg_list(self, a, b):
        out = []
        for pa, pb in self.split(a, b):
            label = None
            if self.ident(pa) and pa + 1 < pb:
                if self.lang == "kotlin" and self.op(pa + 1, "="):
                    label, pa = self.toks[pa].t, pa + 2
                elif self.lang == "swift" and self.op(pa + 1, ":"):
                    label, pa = self.toks[pa].t, pa + 2
            out.append((label, pa, pb))
        return out

    def labels_of(self, f):
        return {p.label for p in f.params if p.label} if self.lang == "swift" else {p.name for p in f.params}

    def callee(self, v):
        """(candidate functions, from the API, a name for messages, the receiver type)."""
        if v is None:
            return [], False, "", None
        if v.kind == "f":
            return v.funcs, v.api, v.name, v.recv
        if v.kind == "t" and v.ti is not None:
            ti = v.ti
            cands = list(ti.ctors)
            if not cands and self.lang == "swift" and ti.kind == "struct" and ti.origin == "demo":
                cands = [Func("init", [Param(f.name, f.name, f.ty, f.default) for f in ti.order], None, ti.ctx, owner=ti)]
            return cands, ti.origin == "api", ti.qual, v.ty
        return [], False, "", None

    def choose(self, cands, args, trailing):
        if len(cands) <= 1:
            return cands[0] if cands else None
        labels = [lbl for lbl, _, _ in args if lbl]
        ok = [f for f in cands if all(lbl in self.labels_of(f) for lbl in labels) and len(args) <= len(f.params)]
        exact = [f for f in ok if len(f.params) == len(args) + trailing]
        pick = exact or ok
        return pick[0] if len(pick) == 1 else None

    def param_of(self, f, args, idx):
        if f is None:
            return None
        lbl = args[idx][0]
        if lbl is not None:
            return next((p for p in f.params if (p.label if self.lang == "swift" else p.name) == lbl), None)
        if self.lang == "swift":
            pos = sum(1 for l, _, _ in args[:idx] if l is None)
            unl = [p for p in f.params if p.label is None]
            return unl[pos] if pos < len(unl) else None
        return f.params[idx] if idx < len(f.params) else None

    def call(self, v, i, end, sc, nobrace):
        """A call at i: `(args)` and/or trailing lambdas; returns (result, index after)."""
        args, j = [], i
        if self.op(i, "("):
            args = self.arg_list(i + 1, self.mate[i])
            j = self.after(i)
        trailing = []
        while j < end and self.op(j, "{") and not self.toks[j].nl and not nobrace:
            trailing.append(j)
            j = self.after(j)
            if self.lang == "swift" and self.ident(j) and self.op(j + 1, ":") and self.op(j + 2, "{") and not self.toks[j].nl:
                trailing.append(j + 2)  # Button { ... } label: { ... }
                j = self.after(j + 2)
        cands, api, desc, recv = self.callee(v)
        chosen = self.choose(cands, args, len(trailing))
        if api and cands:
            for lbl, a, _ in args:
                if lbl is None:
                    continue
                if any(lbl in self.labels_of(f) for f in cands):
                    self.use("argument labels", a - 2, lbl)
                else:
                    what = f"{lbl}:" if self.lang == "swift" else f"{lbl} ="
                    self.flag(a - 2, f"{what} the generated API's {desc} has no parameter {lbl} "
                                     f"({' or '.join(f.sig() for f in cands)})")
        lam = None  # the lambda type of a container function, ForEach, items
        name = None  # of an unresolved function (items) or a platform type (ForEach)
        if v is not None and v.kind == "u":
            name = v.name
        elif v is not None and v.kind == "t" and v.ty is not None:
            name = v.ty.name
        if v is not None and v.kind == "bf":
            lam = self.bf_lambda(v)
        types = []
        for idx, (lbl, a, b) in enumerate(args):
            p = self.param_of(chosen, args, idx)
            pty = self.ptype(chosen, p, recv) if p is not None else None
            if lam is not None and self.op(a, "{"):
                pty = lam
            r, _, _ = self.expr(a, b, sc, pty, nl=False)
            types.append(vty(r))
            if idx == 0 and name in ("ForEach", "items", "itemsIndexed"):
                e = elem(vty(r))
                lam = Ty("Fn", (Ty("Number"), e) if name == "itemsIndexed" else (e,))
        fn = lam
        if fn is None and chosen is not None and chosen.params:
            last = self.ptype(chosen, chosen.params[-1], recv)
            fn = last if last is not None and last.name == "Fn" else None
        if fn is None and v is not None and v.kind == "v" and vty(v) is not None and vty(v).name == "Fn":
            fn = None
        lambdas = [t.ret for t in types if t is not None and t.name == "Fn"]
        for n, k in enumerate(trailing):
            lambdas.append(self.lambda_(k, sc, fn if n == len(trailing) - 1 or lam is not None else None)[1])
        return self.result(v, chosen, cands, recv, args, types, lambdas[-1] if lambdas else None), j

    def result(self, v, chosen, cands, recv, args, types, lam):
        """The value of a call; `lam`: the result type of its (last) lambda."""
        if v is None:
            return None
        if v.kind == "bf":
            return self.bf_result(v, args, types, lam)
        if v.kind == "u":
            if v.name in PLATFORM_CTORS and types:
                return V(Ty(PLATFORM_CTORS[v.name], (types[0],)))
            if v.name in ("requireNotNull", "checkNotNull") and types:
                return V(unwrap(types[0]))
            if v.name in LAMBDA_RESULT:
                return V(lam)
            return None
        if v.kind == "t":
            ty = v.ty
            if ty is None:
                return None
            ti = v.ti
            if ti is None:
                if ty.name in PLATFORM_CTORS and not ty.args and types:
                    return V(Ty(PLATFORM_CTORS[ty.name], (types[0],)))
                if ty.name == "XCTUnwrap" and types:
                    return V(unwrap(types[0]))
                if ty.name == "Array" and len(types) == 1 and types[0] is not None and types[0].name == "List":
                    return V(types[0])
                return V(ty) if not ty.name.startswith("XCT") else None
            if ti.generics and chosen is not None and not any(a is not None and not a.name.startswith("gen:") for a in ty.args):
                mapping = {}
                for idx in range(len(args)):
                    p = self.param_of(chosen, args, idx)
                    if p is not None and p.ty is not None and p.ty.name in ti.generics and idx < len(types):
                        mapping[p.ty.name] = types[idx]
                ty = ty._replace(args=tuple(mapping.get(g) for g in ti.generics))
            return V(ty)
        if v.kind == "v":
            t = unwrap(vty(v))
            return V(t.ret) if t is not None and t.name == "Fn" else None
        if v.kind == "f":
            f = chosen
            if f is None:
                rets = {self.rtype(c, recv) for c in cands}
                return V(rets.pop()) if len(rets) == 1 else None
            if f.ret is not None and f.ret.name in f.generics and any(
                    p.ty is not None and p.ty.name == "Fn" and p.ty.ret is not None and p.ty.ret.name == f.ret.name for p in f.params):
                return V(lam._replace(opt=lam.opt or f.ret.opt) if lam is not None else None)  # read<T>(body: (Store) -> T): T
            t = self.rtype(f, recv)
            return V(t) if t is not None and not t.name.startswith("gen:") else None
        return None

    def bf_lambda(self, v):
        """The lambda a container or scope function passes its elements (or its receiver) to."""
        r, name = v.recv, v.name
        if r is None:
            return None
        if name in RECV_LAMBDA or (self.lang == "swift" and r.opt and name in ("map", "flatMap")):
            return Ty("Fn", (unwrap(r),))
        if r.name in STATE_WRAPPERS and r.args and name in ("update", "collect", "onEach", "map", "filter"):
            return Ty("Fn", (r.args[0],))
        e = elem(r)
        if name in INDEXED_LAMBDA:
            return Ty("Fn", (Ty("Number"), e))
        if name in ELEM_LAMBDA:
            two = self.lang == "swift" and name in ("sorted", "min", "max")
            return Ty("Fn", (e, e) if two else (e,))
        return None

    def bf_result(self, v, args, types, lam=None):
        r, name = v.recv, v.name
        if r is None:
            return None
        if name in ("also", "apply"):
            return V(r)
        if name in ("let", "run", "use") or (self.lang == "swift" and r.opt and name in ("map", "flatMap")):
            return V(lam._replace(opt=lam.opt or r.opt) if lam is not None and self.lang == "swift" else lam)
        if name in ("map", "mapNotNull", "compactMap", "mapIndexed", "flatMap") and r.name in ("List", "Set"):
            e = unwrap(lam) if name in ("mapNotNull", "compactMap") else lam
            return V(Ty("List", (e,))) if name != "flatMap" else V(lam if lam is not None and lam.name == "List" else None)
        if name in ("enumerated", "withIndex") and r.name == "List" and r.args:
            return V(Ty("List", (Ty("Tuple", (Ty("Number"), r.args[0])),)))
        if name in ("takeIf", "takeUnless"):
            return V(r._replace(opt=True))
        if name == "asStateFlow" and r.args:
            return V(Ty("StateFlow", r.args))
        if name in ("collectAsStateWithLifecycle", "collectAsState") and r.args:
            return V(Ty("State", r.args))
        if r.name in ("List", "Set") and r.args:
            e = r.args[0]
            if name in RETURNS_ELEM and e is not None:
                opt = name.endswith("OrNull") or (self.lang == "swift" and name in SWIFT_OPTIONAL_ELEM)
                return V(e._replace(opt=True) if opt else e)
            if name in RETURNS_SAME:
                return V(Ty("List", r.args))
        if r.name == "Map" and len(r.args) == 2:
            if name == "values":
                return V(Ty("List", (r.args[1],)))
            if name == "keys":
                return V(Ty("List", (r.args[0],)))
        return None

    def lambda_(self, k, sc, fn=None):
        """A lambda or closure at `{` k whose type (if known) is `fn`; returns (index after it, the type of its result)."""
        close = self.mate[k]
        lsc = Scope(sc)
        ptys = list(fn.args) if fn is not None and fn.name == "Fn" else []
        names, body, ret = self.lambda_params(k + 1, close)
        if names and len(names) > 1 and len(ptys) == 1 and ptys[0] is not None and ptys[0].name == "Tuple":
            ptys = list(ptys[0].args)  # { offset, element in ... } over enumerated()
        if names is None:
            if self.lang == "kotlin":
                lsc.vars["it"] = ptys[0] if len(ptys) == 1 else None
            else:
                for idx in range(max(len(ptys), 4)):
                    lsc.vars[f"${idx}"] = ptys[idx] if idx < len(ptys) else None
        else:
            for idx, (nm, raw) in enumerate(names):
                if raw is not None:
                    self.check_type(raw, k, sc)
                if nm and nm != "_":
                    lsc.vars[nm] = self.res(raw, sc) if raw is not None else (ptys[idx] if idx < len(ptys) else None)
        last = self.block(body, close, lsc)
        if ret is not None:
            self.check_type(ret, body, sc)
            return close + 1, self.res(ret, sc)
        return close + 1, vty(last)

    def lambda_params(self, a, close):
        """The parameters declared at the start of a lambda: ([(name, raw type)], body start), or (None, a)."""
        toks = self.toks
        if self.lang == "kotlin":
            j, typed = a, False
            while j < close:
                t = toks[j]
                if t.k == "op" and t.t == "->":
                    break
                if t.k == "op" and t.t == ":":
                    typed = True
                if t.k == "id" or (t.k == "op" and (t.t in (",", ":", "<", ">", "?") or (t.t == "." and typed))):
                    j += 1
                    continue
                if t.k == "op" and t.t == "(":
                    j = self.after(j)
                    continue
                return None, a, None
            else:
                return None, a, None
            out = []
            for pa, pb in self.split(a, j, angles=True):
                if self.op(pa, "("):
                    out += [(toks[x].t, None) for x, _ in self.split(pa + 1, self.mate[pa]) if self.ident(x)]
                elif self.ident(pa):
                    raw = self.parse_type(pa + 2, pb)[0] if self.op(pa + 1, ":") else None
                    out.append((toks[pa].t, raw))
            return out, j + 1, None
        j = a
        if self.op(j, "["):
            j = self.after(j)
        while self.op(j, "@"):
            j += 2
        if self.kw(j, "in"):
            return [], j + 1, None
        out, ret = [], None
        if self.op(j, "("):
            for pa, pb in self.split(j + 1, self.mate[j], angles=True):
                if self.ident(pa):
                    raw = self.parse_type(pa + 2, pb)[0] if self.op(pa + 1, ":") else None
                    out.append((toks[pa].t, raw))
            j = self.after(j)
        else:
            while j < close and self.ident(j) and toks[j].t not in ("in", "async", "throws"):
                out.append((toks[j].t, None))
                j += 1
                if self.op(j, ","):
                    j += 1
        while self.ident(j) and toks[j].t in ("async", "throws"):
            j += 1
        if self.op(j, "->") and out:
            ret, j = self.parse_type(j + 1, close)
        return (out, j + 1, ret) if self.kw(j, "in") and out else (None, a, None)


# The Kotlin packages of the generated API, most specific first: the core's
# records, enums and error, then gridbook-ffi's objects and functions.
API_PACKAGES = ("org.gridbook.core", "org.gridbook")


def is_api_name(full):
    """Whether a Kotlin qualified name is in an API package (not the demo's org.gridbook.demo)."""
    parts = full.split(".")
    return parts[:2] == ["org", "gridbook"] and len(parts) > 2 and parts[2] != "demo" and full != "org.gridbook.core"


def api_parts(full):
    """An API name's package and the names after it: `org.gridbook.core.Visit.id` -> (`org.gridbook.core`, [Visit, id])."""
    for package in API_PACKAGES:
        if full.startswith(package + "."):
            return package, full[len(package) + 1:].split(".")
    return None, []


# ---------------------------------------------------------------------------
# Loading, reporting, the command line.

DEMO_DIRS = (("android-demo", "kotlin", (".kt", ".kts")), ("ios-demo", "swift", (".swift",)))
# Build outputs: a local Gradle build generates the bindings into android-demo/app/build/,
# SwiftPM builds into ios-demo/.build/; neither is the demo's code.
SKIP_DIRS = {"build", ".build", ".gradle", ".swiftpm", "DerivedData", ".idea"}
PLUMBING = ("FfiConverter", "Uniffi", "uniffi", "RustBuffer", "ForeignBytes")


class Fatal(Exception):
    pass


def source_files(root, exts):
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS)
        out += [os.path.join(d, f) for f in files if f.endswith(exts)]
    return sorted(out)


def scan_imports(toks, ctx):
    for i, t in enumerate(toks):
        if t.k != "id" or t.t != "import":
            continue
        parts, j = [], i + 1
        while j < len(toks) and (toks[j].k == "id" or toks[j].t == "*"):
            parts.append(toks[j].t)
            if j + 1 < len(toks) and toks[j + 1].t == "." and not toks[j + 1].nl:
                j += 2
                continue
            break
        if not parts:
            continue
        if ctx.lang == "swift":
            names = [p for p in parts if p not in ("struct", "class", "enum", "protocol", "func", "var", "let", "typealias")]
            if names and names[0] == "Gridbook":
                ctx.gridbook = True
        elif parts[-1] != "*":
            alias = parts[-1]
            if j + 2 < len(toks) and toks[j + 1].t == "as" and toks[j + 2].k == "id":
                alias = toks[j + 2].t
            ctx.imports[alias] = ".".join(parts)


API_CACHE = {}  # the generated sources' texts -> their API module (the self-test reuses it)


def load(world, bindings, root):
    for lang, sub, exts in (("kotlin", "kotlin", (".kt",)), ("swift", "swift", (".swift",))):
        files = source_files(os.path.join(bindings, sub), exts)
        if not files:
            raise Fatal(f"no generated {lang} under {os.path.join(bindings, sub)} (run scripts/bindings-generate --out {bindings})")
        texts = []
        for path in files:
            with open(path, encoding="utf-8") as fh:
                texts.append((path, fh.read()))
        key = (lang, tuple(texts))
        if key in API_CACHE:
            world.api[lang], world.api_names[lang] = API_CACHE[key]
            continue
        for path, text in texts:
            ctx = Ctx(lang, "api", path)
            if lang == "kotlin":
                package = re.search(r"^package ([\w.]+)", text, re.M)
                ctx.package = package.group(1) if package else None
            Collector(lex(text, lang), ctx, world.api[lang]).run()
        module = world.api[lang]
        # Extensions in the hand-written layer beside the generated code
        # (Kotlin `suspend fun Store.sync(...)`, Swift `extension Store`) become
        # methods of their receiver; a Kotlin one is also imported by its name.
        for raw, f in getattr(module, "exts", []):
            ti = world.tinfo(world.resolve(raw, f.ctx, getattr(f, "generics", ())), lang)
            if ti is not None and isinstance(f, Field):
                ti.fields.setdefault(f.name, f)
            elif ti is not None:
                ti.methods.setdefault(f.name, []).append(f)
            if isinstance(f, Func):
                module.funcs.setdefault(f.name, []).append(f)
        useful = [t for t in module.types.values() if t.declared and not t.qual.startswith(PLUMBING)
                  and (t.fields or t.methods or t.cases or t.nested)]
        if len(useful) < 5 or not module.funcs or not any(t.methods for t in useful):
            raise Fatal(f"the generated {lang} in {os.path.join(bindings, sub)} does not read as a uniffi API "
                        f"({len(useful)} types): has uniffi's output changed? scripts/check-demo-api.py must be adapted")
        names = set(module.funcs)
        for t in useful:
            names |= set(t.fields) | set(t.methods) | set(t.cases) | set(t.nested) | set(t.sfields) | set(t.smethods)
        world.api_names[lang] = names
        API_CACHE.clear() if len(API_CACHE) > 8 else None
        API_CACHE[key] = (module, names)
    count = 0
    for d, lang, exts in DEMO_DIRS:
        files = source_files(os.path.join(root, d), exts)
        if not files:
            raise Fatal(f"no {'/'.join(exts)} files under {os.path.join(root, d)}")
        for path in files:
            with open(path, encoding="utf-8") as fh:
                toks = lex(fh.read(), lang)
            ctx = Ctx(lang, "demo", path)
            scan_imports(toks, ctx)
            world.files[path] = (toks, ctx)
            Collector(toks, ctx, world.demo[lang]).run()
            count += 1
    # Kotlin extension functions become methods of their receiver's type.
    for lang in ("kotlin", "swift"):
        demo = world.demo[lang]
        for raw, f in demo.exts:
            rt = world.resolve(raw, f.ctx, getattr(f, "generics", ()))
            ti = world.tinfo(rt, lang)
            if ti is not None and ti.origin == "api":
                ti = demo.type(ti.qual, None, f.ctx)  # the demo's extensions of an API type
            if ti is not None and isinstance(f, Field):
                ti.fields.setdefault(f.name, f)
            elif ti is not None:
                ti.methods.setdefault(f.name, []).append(f)
        demo.exts = [(raw, f) for raw, f in demo.exts if isinstance(f, Func)]
        world.demo_funcs |= set(demo.funcs) | {f.name for _, f in demo.exts}
        for t in demo.types.values():
            world.demo_funcs |= set(t.methods) | set(t.smethods)
    return count


def check(bindings, root):
    """Returns (findings, stats, blind spots, number of demo files, uses)."""
    world = World()
    nfiles = load(world, bindings, root)
    for path, (toks, ctx) in sorted(world.files.items()):
        try:
            Checker(world, toks, ctx).run()
        except Exception as e:  # a construct this reader mishandles: say where, never skip the file
            raise RuntimeError(f"while reading {os.path.relpath(path, root)}") from e
    findings = sorted((os.path.relpath(p, root), line, msg) for p, line, msg in world.findings)
    uses = [(k, lang, os.path.relpath(p, root), line, pos, name) for k, lang, p, line, pos, name in world.uses]
    blind = sorted(set((os.path.relpath(p, root), line, name) for p, line, name in world.blind))
    return findings, world.stats, blind, nfiles, uses


# ---------------------------------------------------------------------------
# Self-test, on temporary copies. The unchanged demo must pass. Then, for each
# kind of check and each language, it takes one use the clean run checked,
# preferring a file that is not compiled here (Compose ui/, SwiftUI App/) and
# the longest name (the most specific), and
#   - misspells it in a copy of the demo: that line must be reported;
#   - renames that name everywhere in a copy of the generated bindings, as a
#     rename in the Rust API would: that use must be reported.
# A Kotlin `import org.gridbook.*` added to a UI file must be reported too.
# The cases are chosen from what the demo uses today, so editing the demo or
# the API does not break the self-test; it fails if any case goes unreported.

KINDS = ("imports", "types", "functions", "static members", "members", "argument labels", "implicit members",
         "interface methods")


def ui_rank(path):
    """0 for code no compiler sees here (the apps' UI), 1 for other main code, 2 for tests."""
    p = path.replace(os.sep, "/")
    if p.startswith("android-demo/"):
        return 2 if "/src/test/" in p else 1 if "/logic/" in p or "/src/main/" not in p else 0
    return 0 if p.startswith("ios-demo/App/") else 2 if "/Tests/" in p else 1


def pick_uses(uses):
    """One use per (language, kind): in UI code if any, the longest name, then the first by place."""
    best = {}
    for kind, lang, path, line, pos, name in uses:
        key = (ui_rank(path), -len(name), path, pos)
        if (lang, kind) not in best or key < best[(lang, kind)][0]:
            best[(lang, kind)] = (key, (kind, lang, path, line, pos, name))
    return [best[k][1] for k in sorted(best, key=lambda k: (k[0], KINDS.index(k[1])))]


def copy_sources(src, dst, exts):
    for path in source_files(src, exts):
        target = os.path.join(dst, os.path.relpath(path, src))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(path, target)


class Edit:
    """Replaces files' texts for the duration of a `with` block."""

    def __init__(self, changes):
        self.changes = changes  # path -> new text

    def __enter__(self):
        self.saved = {}
        for path, text in self.changes.items():
            with open(path, encoding="utf-8") as fh:
                self.saved[path] = fh.read()
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)

    def __exit__(self, *exc):
        for path, text in self.saved.items():
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)


def self_test(bindings, root):
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="check-demo-api-")
    failures, total = [], 0
    try:
        demo, gen = os.path.join(tmp, "demo"), os.path.join(tmp, "bindings")
        for d, _, exts in DEMO_DIRS:
            copy_sources(os.path.join(root, d), os.path.join(demo, d), exts)
        copy_sources(bindings, gen, (".kt", ".swift"))
        findings, stats, _, _, uses = check(gen, demo)
        if findings:
            raise Fatal("the unchanged copy of the demo has findings:\n" + "\n".join(f"  {p}:{l}: {m}" for p, l, m in findings))
        print(f"check-demo-api --self-test: the unchanged demo passes ({sum(stats.values())} uses checked). Each use "
              f"below, misspelt in a copy of the demo, then renamed in a copy of the bindings, must be reported:")

        def expect(what, path, line, name, changes):
            nonlocal total
            total += 1
            with Edit(changes):
                found = check(gen, demo)[0]
            hits = [f"{p}:{l}: {m}" for p, l, m in found if p == path and (line is None or l == line) and name in m]
            if hits:
                print(f"  ok  {what:9} {hits[0]}" + (f" (+{len(found) - 1} more)" if len(found) > 1 else ""))
            else:
                failures.append(what)
                print(f"  FAILED  {what}: nothing reported at {path}:{line or ''} naming {name}"
                      + "".join(f"\n      got {p}:{l}: {m}" for p, l, m in found))

        def read(path):
            with open(path, encoding="utf-8") as fh:
                return fh.read()

        for kind, lang, rel, line, pos, name in pick_uses(uses):
            path = os.path.join(demo, rel)
            text = read(path)
            if text[pos:pos + len(name)] != name:
                raise Fatal(f"the use of {name} recorded at {rel}:{line} is not there (a bug of this script)")
            # The demo misspells it. A Kotlin call of a function is checked through its import (an
            # unknown function is the compiler's business, not the API's), and a misspelt method
            # of an implementation is reported where the type is declared: any line of the file.
            exact = kind != "interface methods"
            print(f"  {lang} {kind}: {name} at {rel}:{line}")
            if not (lang == "kotlin" and kind == "functions"):
                misspelt = text[:pos] + name + "X" + text[pos + len(name):]
                expect("misspelt", rel, line if exact else None, name if kind == "interface methods" else name + "X",
                       {path: misspelt})
            # The bindings rename it.
            pattern = r"(?<![\w$])" + re.escape(name) + r"(?!\w)"
            if lang == "kotlin" and name in KOTLIN_MODS:
                # A name that is also a modifier (`Store.open`): leave `open class Store` alone.
                pattern += r"(?!\s+(?:" + "|".join(sorted(KOTLIN_MODS)) + r"|class|fun|val|var|interface|object)\b)"
            pattern = re.compile(pattern)
            changes = {}
            for g in source_files(os.path.join(gen, lang), (".kt", ".swift")):
                new, count = pattern.subn(name + "Renamed", read(g))
                if count:
                    changes[g] = new
            if not changes:
                failures.append(f"{name} not found in the generated {lang}")
                print(f"  FAILED  {lang} {kind}: {name} is used but not found in the generated {lang}")
                continue
            exact = kind not in ("interface methods",) and not (lang == "kotlin" and kind == "functions")
            expect("renamed", rel, line if exact else None, name, changes)

        # A wildcard import in a Kotlin UI file.
        for rel in sorted({u[2] for u in uses if u[1] == "kotlin" and u[0] == "imports"}, key=lambda r: (ui_rank(r), r))[:1]:
            path = os.path.join(demo, rel)
            text = read(path)
            at = text.index("\nimport org.gridbook.") + 1
            line = text.count("\n", 0, at) + 1
            print(f"  kotlin: a wildcard import added at {rel}:{line}")
            expect("added", rel, line, "org.gridbook.*",
                   {path: text[:at] + "import org.gridbook.*\n" + text[at:]})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    took = time.monotonic() - started
    if failures:
        print(f"check-demo-api --self-test: FAILED: {len(failures)} of {total} cases not reported ({took:.1f} s)", file=sys.stderr)
        return 1
    if total < 10:
        print(f"check-demo-api --self-test: FAILED: only {total} cases could be made from the demo", file=sys.stderr)
        return 1
    print(f"check-demo-api --self-test: all {total} cases reported ({took:.1f} s)")
    return 0


STAT_NAMES = (("imports", "imports"), ("types", "type names"), ("functions", "function calls"),
              ("static members", "Type.member"), ("members", "value.member"), ("argument labels", "argument labels"),
              ("implicit members", "implicit members and case patterns"), ("interface methods", "interface methods"))


def summary(stats):
    return ", ".join(f"{label} {stats[key]}" for key, label in STAT_NAMES if stats.get(key))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bindings", required=True, help="directory with the generated kotlin/ and swift/")
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    help="the clone holding android-demo/ and ios-demo/")
    ap.add_argument("--self-test", action="store_true", help="prove on copies that renamed or misspelt names are caught")
    ap.add_argument("--stats", action="store_true", help="also list API member names used on values of unknown type")
    args = ap.parse_args(argv)
    started = time.monotonic()
    sys.setrecursionlimit(20000)  # the expression reader recurses once per nesting level
    try:
        if args.self_test:
            return self_test(args.bindings, args.root)
        findings, stats, blind, nfiles, _ = check(args.bindings, args.root)
    except Fatal as e:
        print(f"check-demo-api: {e}", file=sys.stderr)
        return 2
    except Exception:
        traceback.print_exc()
        print("check-demo-api: FAILED: an error in scripts/check-demo-api.py (above)", file=sys.stderr)
        return 2
    for path, line, msg in findings:
        print(f"{path}:{line}: {msg}")
    if args.stats:
        print(f"not checked: {len(blind)} uses of names that API types have as members, on values whose type this "
              f"check could not tell:")
        for path, line, name in blind:
            print(f"  {path}:{line}: .{name}")
    took = time.monotonic() - started
    total = sum(stats.get(k, 0) for k, _ in STAT_NAMES)
    sys.stdout.flush()
    if findings:
        print(f"check-demo-api: FAILED: {len(findings)} uses of names the generated bindings do not have "
              f"(see above; {nfiles} files, {took:.1f} s)", file=sys.stderr)
        return 1
    print(f"check-demo-api: {total} uses of the API in {nfiles} files of android-demo/ and ios-demo/ "
          f"exist in the generated bindings ({summary(stats)}; {took:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
