using System.Globalization;

namespace Faultline.Bench.Load;

/// <summary>Command-line settings. Parsed by hand: four flags do not justify a parser dependency.</summary>
internal sealed record BenchOptions(TimeSpan Duration, TimeSpan Warmup, int Connections, string? JsonPath)
{
    public const string Usage =
        """
        Usage: load.sh [--duration SECONDS] [--warmup SECONDS] [--connections N] [--json PATH]
          --duration     measured time per scenario (default 10)
          --warmup       unmeasured time per scenario before it, for JIT, pools and connections (default 2)
          --connections  concurrent connections, one closed-loop worker each (default 50)
          --json         also write the results as JSON to PATH
        """;

    public static BenchOptions Default { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), 50, null);

    /// <summary>Returns null and an error message when the arguments are not understood.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = Default;
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (flag is "-h" or "--help")
            {
                error = "";
                return null;
            }

            if (i + 1 >= args.Count)
            {
                error = $"{flag} needs a value.";
                return null;
            }

            var value = args[++i];
            switch (flag)
            {
                case "--duration" when TryPositiveSeconds(value, out var seconds):
                    options = options with { Duration = seconds };
                    break;
                case "--warmup" when TryPositiveSeconds(value, out var seconds) || value == "0":
                    options = options with { Warmup = seconds };
                    break;
                case "--connections" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var connections) && connections is >= 1 and <= 1000:
                    options = options with { Connections = connections };
                    break;
                case "--json" when value.Length > 0:
                    options = options with { JsonPath = value };
                    break;
                default:
                    error = $"Invalid option or value: {flag} {value}";
                    return null;
            }
        }

        return options;
    }

    private static bool TryPositiveSeconds(string value, out TimeSpan seconds)
    {
        var ok = double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) && number is > 0 and <= 3600;
        seconds = ok ? TimeSpan.FromSeconds(number) : TimeSpan.Zero;
        return ok;
    }
}
