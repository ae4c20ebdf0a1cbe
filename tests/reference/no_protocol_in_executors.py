#!/usr/bin/env python3
"""The store protocol is written once, in Rust (store/): no executor restates it.

Scans the Python and Node executors and the framework integrations for the
things only the protocol may hold: SQL statements, the Lua script, the
Redis key format, TTL and retry constants, and the ledger's history rules.
Plain Python 3 standard library; exits non-zero naming each finding.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

EXECUTORS = [
    "bindings-python/python/regcore/store",
    "bindings-python/python/regcore/contrib",
    "bindings-node/store",
    "bindings-node/express",
]

FORBIDDEN = {
    "SQL statement": re.compile(
        r"\b(INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET|SELECT\s+[\w*(),. ]+\s+FROM|ON\s+CONFLICT|CREATE\s+TABLE)\b"
    ),
    "Lua script": re.compile(r"redis\.call\s*\("),
    "Redis key format": re.compile(r":(lockout|code|session):\{|\{\{|%7B|%7D", re.IGNORECASE),
    "TTL or day constant": re.compile(r"\b(86_?400_?000|86_?400|retain_until|retainUntil|expiresMs|expires_ms)\b"),
    "retry constant": re.compile(r"\b(attempts\s*[:=]\s*200|deadline\s*[:=]\s*5(\.0)?\b|0\.0005|baseDelayMs\s*=\s*0\.5|maxDelayMs\s*=\s*20)"),
    "history rule": re.compile(r"'(issued|reissued|rebound)'|\"(issued|reissued|rebound)\""),
    "SHA-1 of the script": re.compile(r"createHash\(\s*['\"]sha1|hashlib\.sha1"),
}

SUFFIXES = {".py", ".js", ".ts", ".mjs", ".cjs"}


def main() -> int:
    findings = []
    scanned = 0
    for folder in EXECUTORS:
        base = ROOT / folder
        if not base.exists():
            continue
        for path in sorted(base.rglob("*")):
            if path.suffix not in SUFFIXES or "node_modules" in path.parts or not path.is_file():
                continue
            scanned += 1
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for what, pattern in FORBIDDEN.items():
                    if pattern.search(line):
                        findings.append(f"{path.relative_to(ROOT)}:{number}: {what}: {line.strip()}")
    for finding in findings:
        print(finding)
    print(f"no_protocol_in_executors: {scanned} files scanned, {len(findings)} findings")
    return 1 if findings or scanned == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
