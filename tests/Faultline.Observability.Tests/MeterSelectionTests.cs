using System.Diagnostics.Metrics;

namespace Faultline.Observability.Tests;

public sealed class MeterSelectionTests
{
    [Fact]
    public void Meters_not_in_the_list_are_ignored()
    {
        using var included = new Meter(TestMeters.UniqueName());
        using var ignored = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([included.Name]);

        included.CreateCounter<int>("faultline.kept").Add(1);
        ignored.CreateCounter<int>("faultline.dropped").Add(1);

        Assert.Equal("# TYPE faultline_kept_total counter\nfaultline_kept_total 1\n", collector.Collect());
    }

    [Fact]
    public void Entries_ending_in_a_dot_or_star_are_prefixes_and_names_ignore_case()
    {
        var root = TestMeters.UniqueName();
        using var exact = new Meter(root);
        using var child = new Meter(root + ".Chaos");
        using var starChild = new Meter(root + "Star.Probe");
        using var lookalike = new Meter(root + "Other");
        using var collector = new PrometheusMetricsCollector([root.ToUpperInvariant(), root + ".", root + "Star.*"]);

        exact.CreateCounter<int>("faultline.exact").Add(1);
        child.CreateCounter<int>("faultline.child").Add(1);
        starChild.CreateCounter<int>("faultline.star").Add(1);
        lookalike.CreateCounter<int>("faultline.lookalike").Add(1);

        var text = collector.Collect();
        Assert.Contains("faultline_exact_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("faultline_child_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("faultline_star_total 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("lookalike", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_predicate_selects_meters()
    {
        using var meter = new Meter(TestMeters.UniqueName(), "2.0");
        using var collector = new PrometheusMetricsCollector(m => m.Name == meter.Name && m.Version == "2.0");

        meter.CreateCounter<int>("faultline.versioned").Add(1);

        Assert.Equal("# TYPE faultline_versioned_total counter\nfaultline_versioned_total 1\n", collector.Collect());
    }

    [Fact]
    public void Options_combine_names_and_filter()
    {
        using var byName = new Meter(TestMeters.UniqueName());
        using var byFilter = new Meter(TestMeters.UniqueName());
        var options = new PrometheusMetricsOptions { MeterFilter = m => m.Name == byFilter.Name };
        options.Meters.Clear();
        options.Meters.Add(byName.Name);
        using var collector = new PrometheusMetricsCollector(options);

        byName.CreateCounter<int>("faultline.by.name").Add(1);
        byFilter.CreateCounter<int>("faultline.by.filter").Add(1);

        var text = collector.Collect();
        Assert.Contains("faultline_by_name_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("faultline_by_filter_total 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_options_name_the_platform_meters()
    {
        var options = new PrometheusMetricsOptions();

        Assert.Equal(
            ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "Npgsql", "Faultline", "Faultline."],
            options.Meters);
    }

    [Fact]
    public void Instruments_created_before_the_collector_are_picked_up_and_disposed_meters_are_dropped()
    {
        var meter = new Meter(TestMeters.UniqueName());
        var early = meter.CreateCounter<int>("faultline.early");
        using var collector = new PrometheusMetricsCollector([meter.Name]);

        early.Add(4);
        Assert.Equal("# TYPE faultline_early_total counter\nfaultline_early_total 4\n", collector.Collect());

        meter.Dispose();
        Assert.Equal(string.Empty, collector.Collect());
    }

    [Fact]
    public void A_disposed_collector_refuses_to_collect_and_stops_listening()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        var collector = new PrometheusMetricsCollector([meter.Name]);
        var counter = meter.CreateCounter<int>("faultline.after.dispose");

        collector.Dispose();
        counter.Add(1);

        Assert.False(counter.Enabled);
        Assert.Throws<ObjectDisposedException>(collector.Collect);
    }
}
