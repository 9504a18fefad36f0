"""The table of bad inputs at the top of docs/reliability.md, generated from
tests/data/bad_inputs.tsv (the list tests/integration.d/bad_inputs.sh runs).

usage: python3 scripts/bad_inputs_table.py                  print the table
       python3 scripts/bad_inputs_table.py --update FILE    rewrite the table in FILE (make docs)
       python3 scripts/bad_inputs_table.py --check FILE     exit 1 when FILE's table differs
The table sits between the lines BEGIN and END below.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TSV = os.path.join(ROOT, "tests", "data", "bad_inputs.tsv")
BEGIN = "<!-- bad-inputs table: generated from tests/data/bad_inputs.tsv by scripts/bad_inputs_table.py (make docs) -->"
END = "<!-- end of the bad-inputs table -->"


def read_cases(path=TSV):
    rows, header = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
                continue
            if len(cells) != len(header):
                sys.exit(f"{path}: {cells[0]}: expected {len(header)} tab-separated cells, found {len(cells)}")
            rows.append(dict(zip(header, cells)))
    return rows


def cell(text):
    return text.replace("|", "\\|")


def command(case):
    cmd = case["command"].replace("$D/", "tests/data/bad/").replace("$D", "tests/data/bad").replace("$W/", "")
    return "`stratsim " + cell(cmd) + "`"


def table(rows):
    out = [BEGIN,
           "| # | area | bad input | command (ranks) | exit | message contains |",
           "|---|---|---|---|---|---|"]
    for i, c in enumerate(rows, 1):
        ranks = f" ({c['np']} ranks)" if c["np"] != "1" else ""
        out.append(f"| {i} | {c['area']} | {cell(c['input'])} | {command(c)}{ranks} | {c['exit']} | "
                   f"`{cell(c['message'])}` |")
    out.append(END)
    return "\n".join(out) + "\n"


def split(text, path):
    if BEGIN not in text or END not in text:
        sys.exit(f"{path}: no bad-inputs table markers")
    head, rest = text.split(BEGIN, 1)
    body, tail = rest.split(END, 1)
    return head, BEGIN + body + END + "\n", tail[1:] if tail.startswith("\n") else tail


def main(argv):
    want = table(read_cases())
    if not argv:
        sys.stdout.write(want)
        return 0
    if len(argv) != 2 or argv[0] not in ("--update", "--check"):
        sys.exit(__doc__)
    path = argv[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head, have, tail = split(text, path)
    if argv[0] == "--check":
        if have != want:
            print(f"{path}: the bad-inputs table differs from tests/data/bad_inputs.tsv; run make docs")
            return 1
        return 0
    if have != want:
        with open(path, "w", encoding="utf-8") as f:
            f.write(head + want + tail)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
