using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Faultline.Bench;

/// <summary>What the figures were measured on: without it, a req/s number cannot be compared with anything.</summary>
internal sealed record MachineInfo(
    int ProcessorCount,
    string CpuModel,
    long TotalMemoryBytes,
    long GcAvailableMemoryBytes,
    string Os,
    string Runtime,
    string Gc)
{
    public static MachineInfo Read() => new(
        Environment.ProcessorCount,
        ReadCpuModel() ?? RuntimeInformation.ProcessArchitecture.ToString(),
        ReadMemTotalBytes() ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        // The GC's figure honours container limits, which /proc/meminfo does not.
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        GCSettings.IsServerGC ? "server" : "workstation");

    private static string? ReadCpuModel() =>
        ReadProcLines("/proc/cpuinfo")
            .FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?
            .Split(':', 2)[1].Trim();

    private static long? ReadMemTotalBytes()
    {
        // "MemTotal:       24683776 kB"
        var line = ReadProcLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts is [_, var kilobytes, "kB"] && long.TryParse(kilobytes, NumberStyles.None, CultureInfo.InvariantCulture, out var kb)
            ? kb * 1024
            : null;
    }

    private static string[] ReadProcLines(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllLines(path) : [];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or a sandbox hiding /proc: the fallbacks above still describe the machine.
            return [];
        }
    }
}
