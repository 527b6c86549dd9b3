using System.Diagnostics;

namespace Faultline.Bench;

/// <summary>
/// CPU used during the measured window, in percent of all cores (100 = every core busy the whole time).
/// "Interrupts" is irq and softirq time, which the kernel charges to no process: here mostly the loopback
/// traffic of the workload itself. "Other" is the rest of the machine's busy time, not spent by this process
/// or its PostgreSQL: a build or test run sharing the machine shows up there, and makes the figures low.
/// </summary>
internal sealed record CpuUsage(double Bench, double Postgres, double Interrupts, double Other, double Steal)
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
        var interrupts = after.MachineInterrupts - before.MachineInterrupts;
        var other = Math.Max(0, after.MachineBusy - before.MachineBusy - bench - postgres - interrupts);
        return new CpuUsage(Percent(bench), Percent(postgres), Percent(interrupts), Percent(other), Percent(after.MachineSteal - before.MachineSteal));
    }
}
