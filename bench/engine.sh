#!/usr/bin/env bash
# Engine benchmark (see bench/README.md): abort latency (through the http probe and through real Prometheus),
# takeover after kill -9, run throughput. Builds what it starts (the faultline executable and the noop, http and
# prometheus plugins, in Release) and runs it; arguments go to the benchmark: --quick, --runs N,
# --abort-prometheus-runs N, --guardrail-interval S, --takeovers N, ... (--help lists them).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The takeover figure starts real `faultline server` processes from this build, and every node loads the plugins
# staged under artifacts/plugins by these builds.
for project in src/Faultline plugins/Faultline.Plugins.Noop plugins/Faultline.Plugins.Http plugins/Faultline.Plugins.Prometheus; do
  dotnet build "$repo/$project" -c Release -nologo -v quiet
done

exec dotnet run -c Release --project "$repo/bench/Faultline.Bench.Engine" -- "$@"
