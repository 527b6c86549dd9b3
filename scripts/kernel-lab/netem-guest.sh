#!/usr/bin/env bash
# Runs inside the kernel lab's qemu guest (scripts/netem-tests hands it to klab.sh), from the repository root,
# as root, on Debian's stock kernel: loads sch_netem, then runs the already built network tests of the Netem
# category, writing their trx into $KLAB_OUT (the one directory the guest writes back to the host).
# Its exit code is the test runner's: 0 all passed, anything else a failure.
set -uo pipefail
: "${KLAB_OUT:?run me through scripts/kernel-lab/klab.sh}"
configuration=${FAULTLINE_NETEM_CONFIGURATION:-Release}
runner=${FAULTLINE_NETEM_RUNNER:-xunit}
trx=${FAULTLINE_NETEM_TRX:-Faultline.Plugins.Network.Tests.Netem.trx}
project=tests/Faultline.Plugins.Network.Tests
assembly=$project/bin/$configuration/net10.0/Faultline.Plugins.Network.Tests

# The tests must fail, not skip, when something they need is missing here (see Netem/NetemLab.cs).
export FAULTLINE_KERNEL_LAB=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

up() { cut -d' ' -f1 /proc/uptime; }
echo "kernel lab: $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo); up $(up) s"
# netem is a module on the stock kernel; the probe's `tc qdisc add ... netem` would autoload it too, but a
# failure here says why at once instead of as a failed probe later.
modprobe sch_netem || echo "kernel lab: modprobe sch_netem failed; the Netem tests will fail on the host probe" >&2
lsmod | awk '$1 == "sch_netem" { print "kernel lab: sch_netem loaded" }'

started=$(up)
case "$runner" in
  xunit)
    # xunit v3 test projects are executables: no MSBuild, no vstest host, the quickest start under emulation.
    # -failSkips: in the lab a skipped test was never measured, so it counts as failed.
    "$assembly" -trait "Category=Netem" -trx "$KLAB_OUT/$trx" -failSkips -noColor -noLogo -showLiveOutput
    status=$?
    ;;
  dotnet-test)
    dotnet test "$project" -c "$configuration" --no-build --nologo --filter "Category=Netem" \
      --logger "trx;LogFileName=$trx" --logger "console;verbosity=normal" --results-directory "$KLAB_OUT"
    status=$?
    ;;
  *)
    echo "kernel lab: unknown FAULTLINE_NETEM_RUNNER '$runner' (xunit or dotnet-test)" >&2
    exit 2
    ;;
esac
echo "kernel lab: test runner ($runner) exited $status after $(awk -v a="$started" -v b="$(up)" 'BEGIN { printf "%.1f", b - a }') s"
exit "$status"
