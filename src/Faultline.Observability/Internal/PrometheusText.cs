using System.Collections;
using System.Globalization;
using System.Text;

namespace Faultline.Observability.Internal;

/// <summary>Escaping and number formatting of the text exposition format, version 0.0.4.</summary>
internal static class PrometheusText
{
    /// <summary>HELP text escapes only backslash and line feed; a raw quote is legal there.</summary>
    public static string EscapeHelp(string help)
    {
        if (help.AsSpan().IndexOfAny('\\', '\n') < 0)
        {
            return help;
        }

        return help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    public static void AppendEscapedLabelValue(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }
    }

    /// <summary>Go's float syntax, which Prometheus parses: <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>, otherwise round-trip decimal.</summary>
    public static string FormatDouble(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        return double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Tag values are objects; Prometheus wants a string that does not depend on the server's culture.
    /// Booleans are lower case as in OpenTelemetry's exporters, arrays become <c>[a,b]</c>.
    /// </summary>
    public static string FormatLabelValue(object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        bool flag => flag ? "true" : "false",
        double number => FormatDouble(number),
        float number => FormatDouble(number),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => "[" + string.Join(',', items.Cast<object?>().Select(FormatLabelValue)) + "]",
        _ => value.ToString() ?? string.Empty,
    };
}
