#!/usr/bin/env bash
# Network benchmark (see bench/README.md): per network engine, inject -> fault observable and rollback -> baseline,
# against the bare tc/nft/iptables command as the floor, in two throwaway namespaces (fl-bench-*). Needs root.
# Arguments go to the benchmark: --quick (3 runs), --runs N (default 10), --help.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec dotnet run -c Release --project "$repo/bench/Faultline.Bench.Network" -- "$@"
