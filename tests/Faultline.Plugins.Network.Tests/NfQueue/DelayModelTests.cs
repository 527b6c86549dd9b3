using Faultline.Plugins.Network.NfQueue;

namespace Faultline.Plugins.Network.Tests.NfQueue;

/// <summary>The delay model's statistics, without the kernel: netem's uniform jitter and its correlation.</summary>
public sealed class DelayModelTests
{
    private const int Samples = 20_000;

    [Fact]
    public void Full_correlation_repeats_the_first_delay()
    {
        var sequence = new CorrelatedDelaySequence(new DelayModel(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50), 100), new Random(7));

        var delays = Draw(sequence, 100);

        Assert.NotEqual(TimeSpan.FromMilliseconds(200), delays[0]);
        Assert.All(delays.Skip(1), delay => Assert.Equal(delays[0], delay));
    }

    [Fact]
    public void No_correlation_draws_independent_uniform_delays_across_the_whole_band()
    {
        var sequence = new CorrelatedDelaySequence(new DelayModel(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50)), new Random(11));

        var delays = Draw(sequence, Samples).Select(delay => delay.TotalMilliseconds).ToArray();

        Assert.All(delays, delay => Assert.InRange(delay, 150, 250));
        Assert.True(delays.Distinct().Count() > Samples * 0.9, "uncorrelated delays repeat");
        Assert.InRange(delays.Average(), 199, 201);

        // Uniform on [-50, 50] ms: standard deviation 50/√3 ≈ 28.9 ms, and every tenth of the band gets ~10%.
        Assert.InRange(StandardDeviation(delays), 28, 29.8);
        Assert.All(Enumerable.Range(0, 10), decile => Assert.InRange(delays.Count(d => d >= 150 + (decile * 10) && d < 160 + (decile * 10)), Samples * 0.085, Samples * 0.115));
        Assert.InRange(LagOneAutocorrelation(delays), -0.03, 0.03);
    }

    [Theory]
    [InlineData(25)]
    [InlineData(75)]
    public void Partial_correlation_makes_neighbouring_delays_lean_on_each_other(double percent)
    {
        var sequence = new CorrelatedDelaySequence(new DelayModel(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(40), percent), new Random(13));

        var delays = Draw(sequence, Samples).Select(delay => delay.TotalMilliseconds).ToArray();

        // u = c·u_prev + (1−c)·fresh is an AR(1) process: the lag-1 autocorrelation is c itself.
        Assert.InRange(LagOneAutocorrelation(delays), (percent / 100) - 0.04, (percent / 100) + 0.04);
        Assert.InRange(delays.Average(), 99, 101);
        Assert.All(delays, delay => Assert.InRange(delay, 60, 140));
    }

    [Fact]
    public void Jitter_larger_than_latency_never_gives_a_negative_delay()
    {
        var sequence = new CorrelatedDelaySequence(new DelayModel(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(30)), new Random(17));

        var delays = Draw(sequence, 1000);

        Assert.All(delays, delay => Assert.True(delay >= TimeSpan.Zero));
        Assert.Contains(TimeSpan.Zero, delays);
    }

    [Fact]
    public void Without_jitter_every_delay_is_the_latency()
    {
        var sequence = new CorrelatedDelaySequence(new DelayModel(TimeSpan.FromMilliseconds(200), TimeSpan.Zero, 30), new Random(19));

        Assert.All(Draw(sequence, 100), delay => Assert.Equal(TimeSpan.FromMilliseconds(200), delay));
    }

    [Theory]
    [InlineData(-1, 0, 0)]
    [InlineData(10, -1, 0)]
    [InlineData(10, 5, -0.1)]
    [InlineData(10, 5, 100.1)]
    [InlineData(10, 5, double.NaN)]
    public void Out_of_range_parameters_are_refused(double latencyMs, double jitterMs, double correlation) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DelayModel(TimeSpan.FromMilliseconds(latencyMs), TimeSpan.FromMilliseconds(jitterMs), correlation));

    private static List<TimeSpan> Draw(CorrelatedDelaySequence sequence, int count) => [.. Enumerable.Range(0, count).Select(_ => sequence.Next())];

    private static double StandardDeviation(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(value => (value - mean) * (value - mean)) / values.Length);
    }

    private static double LagOneAutocorrelation(double[] values)
    {
        var mean = values.Average();
        var variance = values.Sum(value => (value - mean) * (value - mean));
        var covariance = 0.0;
        for (var index = 1; index < values.Length; index++)
        {
            covariance += (values[index] - mean) * (values[index - 1] - mean);
        }

        return covariance / variance;
    }
}
