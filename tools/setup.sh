#!/usr/bin/env bash
# System-wide setup for the tests: the only script in the repository that installs system
# packages. Idempotent and quiet: it checks what is missing, prints nothing and changes
# nothing when everything is there, and otherwise runs `apt-get update` once, installs the
# missing packages, and says which on stderr. .ci/run runs it first; tools/test.sh runs it
# only when it finds a system package missing.
#
# Packages (Debian/Ubuntu names), each with the check that says it is needed:
#   python3-venv     `python3 -m venv` (tools/test.sh makes tools/swh/.venv for the official
#                    standardwebhooks verifier, tests/standard_webhooks.rs). Debian's python3
#                    ships without ensurepip, so creating a venv fails until it is installed.
#   build-essential  `make` and a C++ compiler: tools/pds/install.sh builds better-sqlite3
#                    (the reference PDS's database, tests/network) from source with node-gyp.
#   python3          node-gyp runs gyp, a Python program, for that build.
set -euo pipefail

venv_ok() { python3 -c 'import ensurepip, venv' >/dev/null 2>&1; }
has() { command -v "$1" >/dev/null; }

missing=()
has python3 || missing+=(python3)
venv_ok || missing+=(python3-venv)
if ! has make || ! { has g++ || has c++; }; then missing+=(build-essential); fi

[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "tools/setup.sh: missing ${missing[*]} and there is no apt-get here;" \
    "install the equivalent with this system's package manager" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "tools/setup.sh: missing ${missing[*]}; run this script as root to install them" >&2
    exit 1
  fi
  sudo=(sudo)
fi

echo "tools/setup.sh: installing system packages: ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

if ! has make || ! { has g++ || has c++; }; then
  echo "tools/setup.sh: build-essential is installed, but make or a C++ compiler is still" \
    "not on PATH" >&2
  exit 1
fi
if ! venv_ok; then
  echo "tools/setup.sh: python3-venv is installed, but $(command -v python3 || echo python3)" \
    "still cannot create a venv (is it Debian's python3?)" >&2
  exit 1
fi
