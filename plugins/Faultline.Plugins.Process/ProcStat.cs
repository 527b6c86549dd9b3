using System.Globalization;

namespace Faultline.Plugins.Process;

/// <summary>
/// The fields of /proc/&lt;pid&gt;/stat we rely on. The start time (field 22) tells a process from a later one
/// that reused its pid, so a signal never reaches the wrong process.
/// </summary>
internal sealed record ProcStat(int Pid, string Command, char State, ulong StartTime)
{
    public bool IsStopped => State is 'T' or 't';

    public static ProcStat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command sits in parentheses and may itself contain spaces and parentheses: split after the last ')'.
        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }

        var rest = text[(close + 2)..].Split(' ');
        return rest.Length > 19 && ulong.TryParse(rest[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? new ProcStat(pid, text[(open + 1)..close], rest[0][0], start)
            : null;
    }
}
