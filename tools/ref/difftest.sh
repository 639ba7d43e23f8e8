#!/usr/bin/env bash
# Differential test: placehook's `lex validate` vs the reference (@atproto/lexicon).
#
#   tools/ref/difftest.sh PLACEHOOK_BIN LEXDIR DEF COUNT SEED
#
# Generates COUNT inputs (tools/ref/gen-inputs.mjs, deterministic for SEED),
# runs both validators on them, and compares each line's verdict with
# tools/ref/compare.mjs: both valid, or both invalid at the same JSON path (and,
# for a missing property, naming the same property; the wording may differ).
# Prints up to 20 mismatching inputs and a final line "N agreed, M disagreed".
# Exit status: 0 if all agree, 1 on any disagreement, 2 on usage/tool errors.
#
# Extra generator flags can be passed via GEN_FLAGS, e.g.
#   GEN_FLAGS=--no-lone-surrogates tools/ref/difftest.sh ...
# KEEP=1 keeps the temp dir (inputs + both outputs) and prints its path.
set -uo pipefail

if [ $# -ne 5 ]; then
  echo "usage: $0 PLACEHOOK_BIN LEXDIR DEF COUNT SEED" >&2
  exit 2
fi
BIN=$1 LEXDIR=$2 DEF=$3 COUNT=$4 SEED=$5
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ ! -d "$HERE/node_modules/@atproto/lexicon" ]; then
  echo "difftest: reference not installed; run: npm ci --prefix $HERE" >&2
  exit 2
fi

TMP=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then
  echo "difftest: keeping $TMP" >&2
else
  trap 'rm -rf "$TMP"' EXIT
fi

# shellcheck disable=SC2086
if ! node "$HERE/gen-inputs.mjs" --lexicons "$LEXDIR" --def "$DEF" --count "$COUNT" --seed "$SEED" ${GEN_FLAGS:-} >"$TMP/in.jsonl"; then
  echo "difftest: input generation failed" >&2
  exit 2
fi
if ! node "$HERE/validate.mjs" --lexicons "$LEXDIR" --def "$DEF" <"$TMP/in.jsonl" >"$TMP/ref.txt"; then
  echo "difftest: reference validator failed" >&2
  exit 2
fi
# Exit 0 = all valid, 1 = some invalid; anything else is a usage/schema/tool error.
"$BIN" lex validate --lexicons "$LEXDIR" --def "$DEF" <"$TMP/in.jsonl" >"$TMP/got.txt"
status=$?
if [ "$status" -gt 1 ]; then
  echo "difftest: $BIN lex validate exited with status $status" >&2
  exit 2
fi

n_in=$(wc -l <"$TMP/in.jsonl")
n_ref=$(wc -l <"$TMP/ref.txt")
n_got=$(wc -l <"$TMP/got.txt")
if [ "$n_ref" != "$n_in" ]; then
  echo "difftest: reference printed $n_ref lines for $n_in inputs" >&2
  exit 2
fi
if [ "$n_got" != "$n_in" ]; then
  echo "difftest: placehook printed $n_got lines for $n_in inputs (must be exactly one per input line)" >&2
fi

node "$HERE/compare.mjs" "$TMP/ref.txt" "$TMP/got.txt" "$TMP/in.jsonl"
