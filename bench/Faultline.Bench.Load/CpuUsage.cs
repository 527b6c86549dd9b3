using System.Diagnostics;

namespace Faultline.Bench.Load;

/// <summary>
/// CPU used during the measured window, in percent of all cores (100 = every core busy the whole time).
/// "Other" is the machine's busy time not spent by this process or its PostgreSQL: a build or test run
/// sharing the machine shows up there, and makes the figures of that scenario low.
/// </summary>
internal sealed record CpuUsage(double Bench, double Postgres, double Other, double Steal)
{
    public static CpuUsage? Between(CpuSnapshot? before, CpuSnapshot? after)
    {
        if (before is null || after is null)
        {
            return null;
        }

        var capacity = (after.Timestamp - before.Timestamp) / (double)Stopwatch.Frequency * Environment.ProcessorCount;
        double Percent(double seconds) => Math.Round(100 * seconds / capacity, 1);

        var bench = after.Bench - before.Bench;
        var postgres = after.Postgres - before.Postgres;
        var other = Math.Max(0, after.MachineBusy - before.MachineBusy - bench - postgres);
        return new CpuUsage(Percent(bench), Percent(postgres), Percent(other), Percent(after.MachineSteal - before.MachineSteal));
    }
}
