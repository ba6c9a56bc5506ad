#!/usr/bin/env python3
"""Jinja2 oracle for gmodel's differential template corpus.

Renders every compiler/jinja/testdata/corpus/NNN_name.jinja with REAL Jinja2
(configured like dbt) and writes the expected result next to it:

  NNN_name.out  the exact bytes Jinja2 rendered (UTF-8, no newline added)
  NNN_name.err  for templates Jinja2 rejects: one line, no trailing newline,
                holding a short substring the error message must contain

Usage (from the repository root):

  python3 tests/tools/jinja_oracle/gen.py            # (re)write all .out/.err
  python3 tests/tools/jinja_oracle/gen.py --check    # re-render, report diffs, exit 1 on any
  python3 tests/tools/jinja_oracle/gen.py 31 6 ...   # only templates whose file name
                                                     # contains one of the given strings
                                                     # (also with --check)
  python3 tests/tools/jinja_oracle/gen.py --show 62 7  # print what Jinja2 renders (repr)
                                                     # for matching names; writes nothing

Error cases: a template that must fail starts with the marker comment

  {# expect-error: PHRASE #}

The generator renders it, requires Jinja2 to raise, and requires PHRASE to
occur (case-sensitively) in str(exception); PHRASE is then written to .err.
A template WITHOUT the marker that makes Jinja2 raise, or a template WITH the
marker that renders fine, is reported as a failure (nothing is guessed).

Environment (dbt's defaults):
  jinja2.Environment(extensions=['jinja2.ext.do', 'jinja2.ext.loopcontrols'],
                     undefined=jinja2.Undefined)
  autoescape off, trim_blocks off, lstrip_blocks off, keep_trailing_newline off.
Globals (env.globals, so macros see them too, as dbt's macros see the context):
  * every key of corpus/_context.json (key order preserved);
  * every top-level macro of corpus/_macros/*.jinja. As in dbt (which stores
    each macro's source separately), each macro is compiled as its own
    template and wrapped like dbt's MacroGenerator: calling it returns the
    macro's output, or the value given to `return(...)` if the macro called
    `return` (dbt raises MacroReturn from the `return` global and the
    MacroGenerator catches it). Macros of these files reach each other - same
    file or not - through the globals, hence through the wrapper;
  * `return`: raises MacroReturn(value).
Each template gets a fresh environment and a fresh copy of the context, so a
template mutating a global list ({% do users.append(..) %}) affects no other.
Note: `return` used in a macro defined inside a template itself is NOT caught
(the same as dbt: only project macros are wrapped) - the corpus avoids it.

Deterministic: files are processed in sorted order, no time/random is used.
"""

import glob
import json
import os
import re
import sys

import jinja2
import jinja2.nodes

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
CORPUS = os.path.join(ROOT, "compiler", "jinja", "testdata", "corpus")
MARKER = re.compile(r"\A\{#-?\s*expect-error:\s*(.*?)\s*-?#\}")
MACRO_BLOCK = re.compile(r"(\{%-?\s*macro\s+(\w+).*?\{%-?\s*endmacro\s*-?%\})", re.S)
NAME_RE = re.compile(r"\A\d{3}_[a-z0-9_]+\.jinja\Z")


class MacroReturn(Exception):
    """dbt_common.exceptions.macros.MacroReturn"""

    def __init__(self, value):
        super().__init__("return")
        self.value = value


def dbt_return(value):
    raise MacroReturn(value)


class MacroGenerator:
    """Like dbt's CallableMacroGenerator: call the jinja macro, catch return()."""

    def __init__(self, name):
        self.name = name
        self.macro = None  # bound after all modules are built

    def __call__(self, *args, **kwargs):
        try:
            return self.macro(*args, **kwargs)
        except MacroReturn as e:
            return e.value


def read(path):
    with open(path, "r", encoding="utf-8", newline="") as f:
        return f.read()


def make_env():
    env = jinja2.Environment(
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        undefined=jinja2.Undefined,
    )
    ctx = json.loads(read(os.path.join(CORPUS, "_context.json")))
    env.globals.update(ctx)
    env.globals["return"] = dbt_return

    # Like dbt, every top-level macro of a _macros file becomes its own
    # template (dbt stores each macro's source separately), so a macro calling
    # another macro - of the same file or not - goes through the globals, i.e.
    # through the MacroGenerator that catches return().
    # Pass 1: register a generator per macro name first, so every macro module
    # built in pass 2 sees all of them (a module's context snapshots globals).
    files = sorted(glob.glob(os.path.join(CORPUS, "_macros", "*.jinja")))
    gens, chunks = {}, []
    for path in files:
        src = read(path)
        names = [n.name for n in env.parse(src).body if isinstance(n, jinja2.nodes.Macro)]
        found = MACRO_BLOCK.findall(src)
        if [n for _, n in found] != names:
            raise SystemExit("%s: cannot split into macros (nested macros or "
                             "'endmacro' in a string?): %r vs %r" % (path, names, found))
        for chunk, name in found:
            if name in gens:
                raise SystemExit("duplicate global macro %r (%s)" % (name, path))
            gens[name] = MacroGenerator(name)
            chunks.append((name, chunk))
    env.globals.update(gens)
    # Pass 2: build one module per macro and bind the generator to it.
    for name, chunk in chunks:
        gens[name].macro = getattr(env.from_string(chunk).module, name)
    return env


def render(path):
    """Returns ('out', text) or ('err', exception)."""
    src = read(path)
    env = make_env()
    try:
        return "out", env.from_string(src).render()
    except Exception as e:  # TemplateError, ZeroDivisionError, TypeError, ...
        return "err", e


def expected(path):
    """Returns (kind, content, problem)."""
    src = read(path)
    m = MARKER.match(src)
    kind, val = render(path)
    name = os.path.basename(path)
    if m:
        phrase = m.group(1)
        if kind == "out":
            return None, None, "%s: marked expect-error but Jinja2 rendered %r" % (name, val)
        msg = str(val)
        if phrase not in msg:
            return None, None, "%s: phrase %r not in Jinja2 error %s: %r" % (
                name, phrase, type(val).__name__, msg)
        return "err", phrase, None
    if kind == "err":
        return None, None, "%s: Jinja2 raised %s: %s (add an expect-error marker?)" % (
            name, type(val).__name__, val)
    return "out", val, None


def main(argv):
    check = "--check" in argv
    if "--show" in argv:
        for a in argv[argv.index("--show") + 1:]:
            for p in sorted(glob.glob(os.path.join(CORPUS, "*%s*.jinja" % a))):
                kind, val = render(p)
                print(os.path.basename(p), kind, repr(val) if kind == "out" else
                      "%s: %s" % (type(val).__name__, val))
        return 0
    filters = [a for a in argv if not a.startswith("--")]
    paths = sorted(glob.glob(os.path.join(CORPUS, "*.jinja")))
    if filters:
        paths = [p for p in paths if any(f in os.path.basename(p) for f in filters)]
    problems, diffs, written = [], [], 0
    counts = {"out": 0, "err": 0}
    seen_nums = {}
    for path in paths:
        name = os.path.basename(path)
        if not NAME_RE.match(name):
            problems.append("%s: file name must match NNN_lower_snake.jinja" % name)
            continue
        num = name[:3]
        if num in seen_nums:
            problems.append("%s: number %s already used by %s" % (name, num, seen_nums[num]))
        seen_nums[num] = name
        kind, content, problem = expected(path)
        if problem:
            problems.append(problem)
            continue
        counts[kind] += 1
        base = path[: -len(".jinja")]
        target, other = base + "." + kind, base + ("." + ("err" if kind == "out" else "out"))
        data = content.encode("utf-8")
        if check:
            if not os.path.exists(target):
                diffs.append("%s: missing %s" % (name, os.path.basename(target)))
            else:
                with open(target, "rb") as f:
                    have = f.read()
                if have != data:
                    diffs.append("%s: %s differs\n  want %r\n  have %r" % (
                        name, os.path.basename(target), data, have))
            if os.path.exists(other):
                diffs.append("%s: stale %s" % (name, os.path.basename(other)))
        else:
            old = None
            if os.path.exists(target):
                with open(target, "rb") as f:
                    old = f.read()
            if old != data:
                with open(target, "wb") as f:
                    f.write(data)
                written += 1
            if os.path.exists(other):
                os.remove(other)
                written += 1
    if not filters:
        # orphans: .out/.err without a template
        for p in sorted(glob.glob(os.path.join(CORPUS, "*.out")) + glob.glob(os.path.join(CORPUS, "*.err"))):
            if not os.path.exists(p.rsplit(".", 1)[0] + ".jinja"):
                diffs.append("orphan %s" % os.path.basename(p))
    for p in problems:
        print("PROBLEM", p)
    for d in diffs:
        print("DIFF", d)
    print("%d templates: %d .out, %d .err; %s" % (
        counts["out"] + counts["err"], counts["out"], counts["err"],
        ("%d differences" % len(diffs)) if check else ("%d files written" % written)))
    return 1 if problems or diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
