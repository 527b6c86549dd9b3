using System.Diagnostics;
using System.Globalization;

namespace Faultline.Bench;

/// <summary>
/// Cumulative CPU seconds at one instant (Linux /proc): the whole machine, this process (the in-process node
/// and the bench driving it), and the PostgreSQL cluster. The difference of two snapshots tells whether
/// something else ate the cores during a run, which on a shared machine is the first thing to rule out
/// before trusting a figure.
/// </summary>
internal sealed record CpuSnapshot(long Timestamp, double MachineBusy, double MachineSteal, double MachineInterrupts, double Bench, double Postgres)
{
    // USER_HZ: the unit of /proc times, 100 on every Linux ABI the runtime supports.
    private const double TicksPerSecond = 100;

    /// <summary>Null where /proc is not there to read (not Linux).</summary>
    public static CpuSnapshot? Take(int? postmasterPid)
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }

        try
        {
            // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var idle = fields[3] + fields[4];
            var steal = fields.Length > 7 ? fields[7] : 0;

            // irq and softirq: charged to no process, and in this benchmark mostly the loopback traffic between
            // the node and PostgreSQL, i.e. the workload itself rather than a competitor.
            var interrupts = fields[5] + fields[6];

            // guest time is already counted in user; summing the first eight avoids counting it twice.
            var total = fields.Take(8).Sum();
            return new CpuSnapshot(
                Stopwatch.GetTimestamp(),
                (total - idle - steal) / TicksPerSecond,
                steal / TicksPerSecond,
                interrupts / TicksPerSecond,
                Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
                postmasterPid is { } pid ? PostgresSeconds(pid) : 0);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// The postmaster with its exited children (cutime/cstime) plus every live backend. Backends of closed
    /// connections are covered by the postmaster's children time once reaped.
    /// </summary>
    private static double PostgresSeconds(int postmasterPid)
    {
        long ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var stat = ReadStat(pid);
            if (stat is null)
            {
                continue;
            }

            var (parent, utime, stime, cutime, cstime) = stat.Value;
            if (pid == postmasterPid)
            {
                ticks += utime + stime + cutime + cstime;
            }
            else if (parent == postmasterPid)
            {
                ticks += utime + stime;
            }
        }

        return ticks / TicksPerSecond;
    }

    private static (int Parent, long Utime, long Stime, long Cutime, long Cstime)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The process exited between listing and reading.
            return null;
        }

        // The command name is in parentheses and may contain spaces: fields are counted after the last ')'.
        // After it: state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17).
        var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (
            int.Parse(rest[1], CultureInfo.InvariantCulture),
            long.Parse(rest[11], CultureInfo.InvariantCulture),
            long.Parse(rest[12], CultureInfo.InvariantCulture),
            long.Parse(rest[13], CultureInfo.InvariantCulture),
            long.Parse(rest[14], CultureInfo.InvariantCulture));
    }
}
