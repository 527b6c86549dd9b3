#!/usr/bin/env bash
# Load benchmark of the REST API on loopback (see bench/README.md). Builds in Release and runs it;
# arguments go to the benchmark: --duration S, --warmup S, --connections N, --json PATH.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# No cd: a relative --json path stays relative to where the script was called from.
exec dotnet run -c Release --project "$repo/bench/Faultline.Bench.Load" -- "$@"
