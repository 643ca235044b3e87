#!/usr/bin/python3
"""write_section.py MD KEY < SECTION -- replaces (or appends) the block
between <!-- KEY:begin --> and <!-- KEY:end --> in MD, so each benchmark
rewrites only its own section of docs/BENCHMARKS.md."""
import os
import re
import sys

path, key = sys.argv[1:3]
section = sys.stdin.read().rstrip("\n")
text = open(path).read() if os.path.exists(path) else (
    "# PUPNS benchmarks\n\nEach section is rewritten by its `make bench-*` target; "
    "ratios are against a ceiling measured in the same run.\n")
begin, end = f"<!-- {key}:begin -->", f"<!-- {key}:end -->"
block = f"{begin}\n{section}\n{end}"
if begin in text:
    text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: block, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w").write(text)
