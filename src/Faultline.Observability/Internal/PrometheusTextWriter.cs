using System.Globalization;
using System.Text;

namespace Faultline.Observability.Internal;

/// <summary>Renders metric families in the text exposition format 0.0.4.</summary>
internal static class PrometheusTextWriter
{
    public static void Write(StringBuilder output, IEnumerable<MetricFamily> families)
    {
        foreach (var family in families)
        {
            if (family.IsEmpty)
            {
                continue;
            }

            if (!string.IsNullOrEmpty(family.Help))
            {
                output.Append("# HELP ").Append(family.Name).Append(' ').Append(PrometheusText.EscapeHelp(family.Help)).Append('\n');
            }

            output.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type).Append('\n');

            foreach (var series in family.Series)
            {
                if (series.BucketCounts is { } counts)
                {
                    WriteHistogram(output, family.Name, family.Boundaries ?? [], series, counts);
                }
                else
                {
                    WriteSample(output, family.Name, string.Empty, series.Labels, null, PrometheusText.FormatDouble(series.Value));
                }
            }
        }
    }

    private static void WriteHistogram(StringBuilder output, string name, double[] boundaries, MetricSeries series, long[] counts)
    {
        long cumulative = 0;
        for (var i = 0; i < boundaries.Length; i++)
        {
            cumulative += counts[i];
            WriteSample(output, name, "_bucket", series.Labels, PrometheusText.FormatDouble(boundaries[i]), Format(cumulative));
        }

        cumulative += counts[^1];
        WriteSample(output, name, "_bucket", series.Labels, "+Inf", Format(cumulative));
        WriteSample(output, name, "_sum", series.Labels, null, PrometheusText.FormatDouble(series.Sum));
        WriteSample(output, name, "_count", series.Labels, null, Format(cumulative));
    }

    private static void WriteSample(StringBuilder output, string name, string suffix, string labels, string? le, string value)
    {
        output.Append(name).Append(suffix);
        if (labels.Length > 0 || le is not null)
        {
            output.Append('{').Append(labels);
            if (le is not null)
            {
                output.Append(labels.Length > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
            }

            output.Append('}');
        }

        output.Append(' ').Append(value).Append('\n');
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
