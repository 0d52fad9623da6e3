#!/usr/bin/env bash
# Makes .venv/ with Google's own Python clients, used by the conformance and shape tests to call
# the sandbox exactly as a Python service would. Packages come from the machine's package index
# (PIP_INDEX_URL, or pip's configured one); nothing else is downloaded. Idempotent: an existing
# venv with every module importable is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
pkgs=(google-auth google-api-core google-api-python-client google-genai requests grpcio googleapis-common-protos)
check='import google.auth, google.api_core, googleapiclient, google.genai, requests, grpc, google.rpc.status_pb2'
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -W ignore -c "$check" 2>/dev/null; then
  exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "python-clients: python3 not found" >&2; exit 1; }
python3 -m venv "$venv"
# A local mirror, where the machine has one, avoids minutes of retries against an index it cannot reach.
if [ -z "${PIP_INDEX_URL:-}" ] && [ -d /opt/pypi/simple ]; then export PIP_INDEX_URL=file:///opt/pypi/simple; fi
"$venv/bin/pip" install -q --disable-pip-version-check "${pkgs[@]}" 2>&1 | grep -v '^WARNING: Location' || true
"$venv/bin/python" -W ignore -c "$check"
echo "python-clients: $("$venv/bin/pip" list --disable-pip-version-check 2>/dev/null | grep -E '^google-(auth|api-core|api-python-client|genai) ' | tr -s ' ' | paste -sd, -)"
