using Faultline.Domain.Experiments;
using Faultline.Engine.Runs;

namespace Faultline.Engine.Tests.Runs;

/// <summary>How samples become one value, and how the tolerance it was compared with reads on the timeline.</summary>
public sealed class ProbeAggregationTests
{
    private static readonly double[] Five = [5, 1, 4, 2, 3];

    [Theory]
    [InlineData(Aggregation.Last, 3)]
    [InlineData(Aggregation.Avg, 3)]
    [InlineData(Aggregation.Min, 1)]
    [InlineData(Aggregation.Max, 5)]
    [InlineData(Aggregation.P50, 3)]
    [InlineData(Aggregation.P90, 5)]
    [InlineData(Aggregation.P99, 5)]
    public void Five_samples(Aggregation aggregation, double expected) =>
        Assert.Equal(expected, ProbeSampler.Aggregate(Five, aggregation));

    [Theory]
    [InlineData(Aggregation.Last, 1)]
    [InlineData(Aggregation.Avg, 50.5)]
    [InlineData(Aggregation.Min, 1)]
    [InlineData(Aggregation.Max, 100)]
    [InlineData(Aggregation.P50, 50)]
    [InlineData(Aggregation.P90, 90)]
    [InlineData(Aggregation.P99, 99)]
    public void A_hundred_samples_in_descending_order(Aggregation aggregation, double expected)
    {
        double[] values = [.. Enumerable.Range(1, 100).Select(i => (double)(101 - i))];

        Assert.Equal(expected, ProbeSampler.Aggregate(values, aggregation));
    }

    [Theory]
    [InlineData(Aggregation.P50, 20)]
    [InlineData(Aggregation.P90, 40)]
    [InlineData(Aggregation.P99, 40)]
    public void Percentiles_are_nearest_rank_so_always_a_measured_value(Aggregation aggregation, double expected) =>
        Assert.Equal(expected, ProbeSampler.Aggregate([40, 10, 30, 20], aggregation));

    [Theory]
    [InlineData(Aggregation.Last)]
    [InlineData(Aggregation.Avg)]
    [InlineData(Aggregation.Min)]
    [InlineData(Aggregation.Max)]
    [InlineData(Aggregation.P50)]
    [InlineData(Aggregation.P90)]
    [InlineData(Aggregation.P99)]
    public void One_sample_is_its_own_aggregate(Aggregation aggregation) =>
        Assert.Equal(0.25, ProbeSampler.Aggregate([0.25], aggregation));

    [Fact]
    public void The_input_is_not_reordered()
    {
        double[] values = [3, 1, 2];

        _ = ProbeSampler.Aggregate(values, Aggregation.P50);

        Assert.Equal([3, 1, 2], values);
    }

    [Fact]
    public void An_unknown_aggregation_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ProbeSampler.Aggregate([1], (Aggregation)42));

    public static TheoryData<Tolerance, double?, string> Tolerances => new()
    {
        { new Tolerance(null, null, null, null, null, null), null, "any value" },
        { new Tolerance(null, null, null, 1, null, null), null, ">= 1" },
        { new Tolerance(0.05, null, null, null, null, null), null, "< 0.05" },
        { new Tolerance(null, 250, null, null, null, null), null, "<= 250" },
        { new Tolerance(null, null, 0.99, null, null, null), null, "> 0.99" },
        { new Tolerance(10, null, 2, null, null, null), null, "< 10 and > 2" },
        { new Tolerance(1, 2, 3, 4, null, null), null, "< 1 and <= 2 and > 3 and >= 4" },
        { new Tolerance(null, null, null, null, 20, null), 120, "at most 20% above baseline 120" },
        { new Tolerance(null, null, null, null, null, 10), 0.95, "at most 10% below baseline 0.95" },
        { new Tolerance(null, null, null, null, 20, null), null, "at most 20% above baseline (none)" },
        { new Tolerance(null, 500, null, null, 12.5, 5), 100, "<= 500 and at most 12.5% above baseline 100 and at most 5% below baseline 100" },
        { new Tolerance(null, null, null, 0.123456789, null, null), null, ">= 0.1235" },
    };

    [Theory]
    [MemberData(nameof(Tolerances))]
    public void A_tolerance_is_described_in_words(Tolerance tolerance, double? baseline, string expected) =>
        Assert.Equal(expected, ProbeSampler.Describe(tolerance, baseline));

    [Theory]
    [InlineData(1, "1")]
    [InlineData(0.5, "0.5")]
    [InlineData(1234.56789, "1234.5679")]
    [InlineData(-3, "-3")]
    public void Values_are_formatted_invariantly_to_four_decimals(double value, string expected) =>
        Assert.Equal(expected, ProbeSampler.Format(value));
}
