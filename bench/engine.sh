#!/usr/bin/env bash
# Engine benchmark (see bench/README.md): abort latency, takeover after kill -9, run throughput. Builds what it
# starts (the faultline executable and the noop and http plugins, in Release) and runs it; arguments go to the
# benchmark: --quick, --runs N, --guardrail-interval S, --takeovers N, --throughput-runs N, ... (--help lists them).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The takeover figure starts real `faultline server` processes from this build, and every node loads the plugins
# staged under artifacts/plugins by these builds.
for project in src/Faultline plugins/Faultline.Plugins.Noop plugins/Faultline.Plugins.Http; do
  dotnet build "$repo/$project" -c Release -nologo -v quiet
done

exec dotnet run -c Release --project "$repo/bench/Faultline.Bench.Engine" -- "$@"
