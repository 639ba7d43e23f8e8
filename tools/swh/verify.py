"""Verify Standard Webhooks deliveries with the official `standardwebhooks` library.

Usage: tools/swh/.venv/bin/python tools/swh/verify.py < deliveries.jsonl
(the venv is created by `bash tools/test.sh` from tools/swh/requirements.txt).

Input: one JSON object per line (blank lines are skipped):
    {"secret": "whsec_...",
     "headers": {"webhook-id": "...", "webhook-timestamp": "...", "webhook-signature": "..."},
     "body": "<the exact request body, as a string>"}
  - header names are matched case-insensitively; other headers are ignored;
  - the signed bytes are the UTF-8 encoding of "body" (the library only takes text);
  - the library checks the timestamp against the current clock (5 minutes either way),
    so deliveries must be verified soon after they were signed.

Output: one line per non-blank input line, in order, flushed as it is written:
    ok                      the delivery verifies with the secret
    err: <Type>: <message>  it does not (or the input line was malformed)
Exit status: 0 once all input is read (verdicts are in the output), 2 if
`standardwebhooks` cannot be imported.
"""

import json
import sys

try:
    from standardwebhooks import Webhook
except ImportError as e:  # pragma: no cover
    print(f"cannot import standardwebhooks ({e}); run `bash tools/test.sh`", file=sys.stderr)
    sys.exit(2)


def check(line: str) -> str:
    try:
        item = json.loads(line)
        headers = {str(k): str(v) for k, v in item["headers"].items()}
        Webhook(item["secret"]).verify(item["body"], headers, json_parse=False)
        return "ok"
    except Exception as e:  # any failure is a verdict, not a crash
        return f"err: {type(e).__name__}: {e}".replace("\n", " ")


def main() -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        print(check(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
