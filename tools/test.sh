#!/usr/bin/env bash
# The test suite: every Rust test, then the differential test of `placehook lex validate`
# against the reference implementation (@atproto/lexicon) on generated inputs.
# Installs what it uses under tools/ first when it is missing: the npm packages of
# tools/ref and tools/xrpc-client, the reference PDS of tools/pds (Node 22 and
# @atproto/dev-env, by tools/pds/install.sh), and the PyPI verifier in tools/swh/.venv.
# It installs nothing system-wide itself: when a system package is missing (python3
# without venv support, build tools for tools/pds), it runs tools/setup.sh, the one
# script that does, and says so on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d tools/ref/node_modules/@atproto/lexicon ]; then
  npm ci --prefix tools/ref --no-audit --no-fund --loglevel=error
fi
if [ ! -d tools/xrpc-client/node_modules/@atproto/xrpc ]; then
  npm ci --prefix tools/xrpc-client --no-audit --no-fund --loglevel=error
fi
# The reference PDS and PLC directory (tests/network). install.sh returns at once when
# they are installed and match their lockfiles; it exits 3 when build tools (apt) are
# missing, which tools/setup.sh installs.
pds_status=0
bash tools/pds/install.sh || pds_status=$?
if [ "$pds_status" -eq 3 ]; then
  echo "tools/test.sh: tools/pds needs system packages;" \
    "installing them with tools/setup.sh" >&2
  bash tools/setup.sh
  bash tools/pds/install.sh
elif [ "$pds_status" -ne 0 ]; then
  exit "$pds_status"
fi
# The official Standard Webhooks verifier (tests/standard_webhooks.rs), when python3 exists.
if command -v python3 >/dev/null &&
  ! tools/swh/.venv/bin/python -c 'import standardwebhooks' 2>/dev/null; then
  # Debian splits venv support into python3-venv, a system package: tools/setup.sh.
  if ! python3 -m venv tools/swh/.venv 2>/dev/null; then
    rm -rf tools/swh/.venv
    echo "tools/test.sh: python3 cannot create a venv;" \
      "installing system packages with tools/setup.sh: python3-venv" >&2
    bash tools/setup.sh
    python3 -m venv tools/swh/.venv
  fi
  tools/swh/.venv/bin/pip install --quiet --disable-pip-version-check --require-hashes \
    -r tools/swh/requirements.txt
fi

cargo nextest run --workspace --no-fail-fast

# Differential: random near-valid inputs per def; every verdict must match the reference.
cargo build --quiet --bin placehook
bin=${CARGO_TARGET_DIR:-target}/debug/placehook
count=${DIFF_COUNT:-5000}
for def in place.stream.chat.message place.stream.livestream place.stream.chat.profile \
  place.stream.server.createWebhook place.stream.server.updateWebhook \
  place.stream.server.listWebhooks app.bsky.feed.post app.bsky.graph.follow; do
  printf '%-40s ' "$def"
  bash tools/ref/difftest.sh "$bin" lexicons "$def" "$count" 1
done
