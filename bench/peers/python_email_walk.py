#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Parse-only peer for the parse benchmark: Python's standard `email` package.

Usage: python_email_walk.py LIST

Does the same work as the GMime peer (../shared/bench/gmime_walk.c), so the
two figures can sit side by side: for each path in LIST (one a line) it
reads the file into memory, parses it with
email.parser.BytesParser(policy=email.policy.default), walks the whole MIME
tree (multiparts and message/rfc822 parts included, as Message.walk() does),
renders every header value of the message and of each part (str(value):
RFC 2047 decoding and unfolding), and decodes each leaf's
Content-Transfer-Encoding (get_payload(decode=True), the counterpart of
GMime's data wrapper; no charset conversion, as in the GMime peer).

Prints one summary line in the GMime peer's format; the timed loop starts
after the imports and the reading of LIST, like the GMime peer's. A mail
whose parse or walk raises counts as an error and the run goes on.
"""

import email.parser
import email.policy
import platform
import sys
import time


def walk_message(msg, stats):
    """Renders every header of every entity in msg and decodes every leaf.

    Adds to the counters in stats (a dict); raises what the email package
    raises, the caller counts that as an error.
    """
    for part in msg.walk():
        stats["parts"] += 1
        for _name, value in part.items():
            str(value)
            stats["headers"] += 1
        if not part.is_multipart():
            payload = part.get_payload(decode=True)
            if payload is not None:
                stats["decoded"] += len(payload)


def main(argv):
    """Runs the benchmark loop over the list named in argv[1]; returns the
    exit status (2 on bad usage or an unreadable list, else 0)."""
    if len(argv) != 2:
        print("usage: python_email_walk.py LIST", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8", errors="surrogateescape") as f:
            paths = [line.rstrip("\r\n") for line in f]
    except OSError as e:
        print(f"python_email_walk: {argv[1]}: {e.strerror}", file=sys.stderr)
        return 2
    parser = email.parser.BytesParser(policy=email.policy.default)
    stats = {"parts": 0, "headers": 0, "decoded": 0, "errors": 0}
    mails = 0
    total_bytes = 0
    t0 = time.perf_counter()
    for path in paths:
        if not path:
            continue
        mails += 1
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            stats["errors"] += 1
            continue
        total_bytes += len(data)
        try:
            walk_message(parser.parsebytes(data), stats)
        except Exception:  # any failure of the library is a failed mail
            stats["errors"] += 1
    elapsed = time.perf_counter() - t0
    elapsed = max(elapsed, 1e-9)
    print(
        f"python-{platform.python_version()}-email mails={mails} "
        f"bytes={total_bytes} parts={stats['parts']} "
        f"headers={stats['headers']} decoded_bytes={stats['decoded']} "
        f"errors={stats['errors']} loop_s={elapsed:.3f} "
        f"mails_per_s={mails / elapsed:.1f} "
        f"MB_per_s={total_bytes / elapsed / 1e6:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
