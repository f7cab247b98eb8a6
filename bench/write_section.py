"""Replaces the text between `<!-- NAME results begin -->` and `<!-- NAME results end -->`
in a README with the contents of a result file (adding the markers, or the README, when missing).

Usage: python3 bench/write_section.py README RESULT NAME      (NAME: api.sh, tunnel.sh, ...)
"""
import os
import sys

readme, result, name = sys.argv[1:]
begin, end = f"<!-- {name} results begin -->", f"<!-- {name} results end -->"
text = open(readme).read() if os.path.exists(readme) else "# Benchmarks\n"
if begin not in text:
    text = text.rstrip("\n") + f"\n\n{begin}\n{end}\n"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(readme, "w").write(head + begin + "\n" + open(result).read().rstrip("\n") + "\n" + end + tail)
