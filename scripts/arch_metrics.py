#!/usr/bin/env python3
"""Architecture figures of issue 8, measured on src/: the longest functions, direct error
agreements outside src/par (calls of ss_comm_agree*, agreement-only verbs), raw allocations outside the project's
allocator (malloc/calloc/realloc/strdup calls), abort/MPI_Abort calls.
Usage: scripts/arch_metrics.py [--top N]"""
import collections
import glob
import os
import re
import sys


def functions(path):
    """(name, first line, length in lines) of each top-level function body in a C file."""
    text = open(path, encoding="utf-8").read()
    # comments out, newlines kept
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    lines = text.split("\n")
    out, depth, start, name, sig = [], 0, None, None, ""
    for i, line in enumerate(lines):
        code = re.sub(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])*\'|//.*$', "", line)
        for j, ch in enumerate(code):
            if ch == "{":
                if depth == 0:
                    head = (sig + " " + code[:j]).split(";")[-1].split("}")[-1]
                    head = re.sub(r"__attribute__\s*\(\(.*?\)\)", "", head).strip()
                    m = re.findall(r"(\w+)\s*\([^;{}]*\)\s*$", head)
                    start, name = i, (m[-1] if m else None)
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0 and start is not None:
                    if name and name not in ("if", "for", "while", "switch"):
                        out.append((name, start + 1, i - start + 1))
                    start, name, sig = None, None, ""
        if depth == 0 and start is None:
            sig = (sig + " " + code)[-400:]
    return out


def main():
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 8
    files = sorted(glob.glob("src/**/*.c", recursive=True))
    funcs = [(n, f, l, k) for f in files for (n, l, k) in functions(f)]
    funcs.sort(key=lambda x: -x[3])
    print(f"functions in src/: {len(funcs)}; over 80 lines: {sum(1 for x in funcs if x[3] > 80)}")
    for n, f, l, k in funcs[:top]:
        print(f"  {k:4d} lines  {f}:{l}  {n}")
    agree, alloc, aborts, checks, phases = [], [], [], [], []
    for f in files:
        for i, line in enumerate(open(f, encoding="utf-8"), 1):
            code = re.sub(r"/\*.*?\*/|//.*$", "", line)
            if not f.startswith("src/par/") and re.search(r"\bss_comm_agree\w*\s*\(", code):
                agree.append(f"{f}:{i}")
            if not f.startswith("src/par/") and re.search(r"\b(ss_par_check|ss_par_agree\w*)\s*\(", code):
                checks.append(f"{f}:{i}")
            if not f.startswith("src/par/") and re.search(r"\bss_par_phase_end\s*\(", code):
                phases.append(f"{f}:{i}")
            if re.search(r"(?<![\w.>])(malloc|calloc|realloc|strdup|strndup)\s*\(", code):
                alloc.append(f"{f}:{i}")
            if re.search(r"\b(abort|MPI_Abort)\s*\(", code):
                aborts.append(f"{f}:{i}")
    print(f"direct agreement calls outside src/par: {len(agree)} in "
          f"{len(set(a.split(':')[0] for a in agree))} files")
    print(f"explicit agreements outside src/par (agreement-only verbs such as the former ss_par_check; "
          f"scripts/check_arch.py fails on any): {len(checks)} in {len(set(a.split(':')[0] for a in checks))} files")
    by_dir = collections.Counter(os.path.dirname(c.split(":")[0]) for c in checks)
    print("  by folder: " + (", ".join(f"{d} {n}" for d, n in sorted(by_dir.items())) or "none"))
    print(f"  simulator code (src/rlhf, src/bandit, src/facility): "
          f"{sum(n for d, n in by_dir.items() if d.split('/')[1] in ('rlhf', 'bandit', 'facility'))}")
    print(f"driver phase boundaries (ss_par_phase_end; the driver only: src/core/driver.c, resume.c, interrupt.c, "
          f"src/main.c): {len(phases)}: "
          f"{' '.join(phases)}")
    print(f"raw allocation calls (malloc/calloc/realloc/strdup): {len(alloc)} in "
          f"{len(set(a.split(':')[0] for a in alloc))} files")
    print(f"abort/MPI_Abort calls: {len(aborts)}: {' '.join(aborts)}")


if __name__ == "__main__":
    main()
