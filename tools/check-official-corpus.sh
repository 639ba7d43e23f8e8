#!/usr/bin/env bash
# Drops the whole official ATProto lexicon corpus (~390 files, fetched from the npm
# registry by tools/fetch-official-lexicons.sh) into a copy of this workspace's
# lexicons/, checks it with `placehook lex check`, and builds the workspace with it:
# every official lexicon must compile through build.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bash tools/fetch-official-lexicons.sh "$work/official" >/dev/null
n=$(find "$work/official" -name '*.json' | wc -l)
echo "official corpus: $n lexicon files"

cargo build --quiet --bin placehook
"${CARGO_TARGET_DIR:-target}"/debug/placehook lex check "$work/official"

mkdir -p "$work/ws"
cp -r Cargo.toml Cargo.lock build.rs .cargo src lexrt lex codegen codegen-fixtures benches tests migrations "$work/ws/"
cp -r lexicons "$work/ws/lexicons"
cp -r "$work/official/." "$work/ws/lexicons/"
echo "building with $(find "$work/ws/lexicons" -name '*.json' | wc -l) lexicon files"
(cd "$work/ws" && CARGO_TARGET_DIR="$root/target/official-corpus" cargo build --quiet --lib)
echo "official corpus: compiled"
