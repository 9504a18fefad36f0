#!/usr/bin/env python3
"""Splits include/stratsim/rlhf.h into one header per concept, by its section markers
("/* ---...--- <section> */"), and leaves rlhf.h as an umbrella that includes them all.
Mechanical and re-runnable: after a merge that edited the old bundled rlhf.h, restore that
file and run this again (the section text moves unchanged). Usage: scripts/split_rlhf_header.py"""
import re
import sys

# section title -> (header name, what it is, headers it needs)
SECTIONS = {
    "parameters": ("rlhf_params", "the parameters of an RLHF task", ["config", "error", "par"]),
    "environment": ("rlhf_env", "the environment: features phi(s,a) and rho", ["rlhf_params"]),
    "population": ("rlhf_population", "the labelers' true parameters and the strategic subset", ["rlhf_params"]),
    "comparisons": ("rlhf_comparisons", "the comparison design and Bradley-Terry labels", ["rlhf_env"]),
    "MLE": ("rlhf_mle", "the per-labeler maximum-likelihood estimator", ["rlhf_params"]),
    "confidence": ("rlhf_confidence", "the confidence radius and sets", ["rlhf_params"]),
    "report-independent data": ("rlhf_data_cache", "each labeler's report-independent data and its cache", ["rlhf_env"]),
    "labeler estimates": ("rlhf_estimates", "a block of labelers' estimates", ["rlhf_env", "rlhf_mle", "rlhf_data_cache"]),
    "aggregators": ("rlhf_agg", "aggregators: the registry and the built objective W", ["rlhf_estimates"]),
    "states and policies": ("rlhf_policy", "the distributed states and certified policies", ["rlhf_agg", "rlhf_env"]),
    "strategies": ("rlhf_strategy", "strategies: the registry and the context of a run", ["rlhf_policy", "rlhf_mle"]),
}


def main():
    path = "include/stratsim/rlhf.h"
    text = open(path, encoding="utf-8").read()
    marks = list(re.finditer(r"^/\* -{10,} (.+?) \*/\n", text, flags=re.M))
    if not marks:
        sys.exit("split_rlhf_header: rlhf.h has no section markers (already split?)")
    head = text[:marks[0].start()]
    end = text.rindex("#endif")
    names = []
    for i, m in enumerate(marks):
        title = m.group(1)
        if title not in SECTIONS:
            sys.exit(f"split_rlhf_header: unknown section '{title}': add it to SECTIONS")
        name, what, deps = SECTIONS[title]
        body = text[m.end():marks[i + 1].start() if i + 1 < len(marks) else end].strip("\n")
        guard = "STRATSIM_" + name.upper() + "_H"
        inc = "".join(f'#include "stratsim/{d}.h"\n' for d in deps)
        std = "#include <stddef.h>\n#include <stdint.h>\n"
        out = (f"/* RLHF with strategic labelers (MODELS section 1): {what}.\n"
               f" * One concept of the umbrella stratsim/rlhf.h. */\n"
               f"#ifndef {guard}\n#define {guard}\n\n{std}{inc}\n{body}\n\n#endif\n")
        open(f"include/stratsim/{name}.h", "w", encoding="utf-8").write(out)
        names.append(name)
    umbrella_head = re.sub(r"#include [<\"].*?[>\"]\n", "", head).rstrip("\n") + "\n\n"
    umbrella = umbrella_head + "".join(f'#include "stratsim/{n}.h"\n' for n in names) + "\n#endif\n"
    umbrella = umbrella.replace(" * certified policy optimisation, strategies (ops table + registry). */",
                                " * certified policy optimisation, strategies (ops table + registry): the umbrella of\n"
                                " * the one-concept headers below, for tests and tools. */")
    open(path, "w", encoding="utf-8").write(umbrella)
    print(f"split_rlhf_header: {len(names)} headers: {' '.join(names)}")


if __name__ == "__main__":
    main()
