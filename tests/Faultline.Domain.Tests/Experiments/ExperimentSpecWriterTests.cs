using Faultline.Domain.Experiments;
using Faultline.Domain.Validation;

namespace Faultline.Domain.Tests.Experiments;

public sealed class ExperimentSpecWriterTests
{
    [Fact]
    public void What_the_writer_writes_reads_back_to_the_same_experiment_with_defaults_made_explicit()
    {
        var original = ExperimentSpecReader.Parse(ExperimentSpecReaderTests.PaymentLatency, new ValidationErrors())!;

        var written = ExperimentSpecWriter.Write(original);
        var errors = new ValidationErrors();
        var reread = ExperimentSpecReader.Read(written, errors);

        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Keys));
        Assert.Equal(written.ToJsonString(), ExperimentSpecWriter.Write(reread!).ToJsonString());
        Assert.Equal("last", written["spec"]!["steadyState"]![0]!["aggregation"]!.GetValue<string>());
        Assert.Equal("abort", written["spec"]!["steadyState"]![0]!["onProviderError"]!.GetValue<string>());
        Assert.Equal("forbid", written["spec"]!["schedule"]!["concurrency"]!.GetValue<string>());
        Assert.Equal(original.Faults.Single().Parameters.GetRawText(), reread!.Faults.Single().Parameters.GetRawText());
    }

    [Fact]
    public void Recovery_and_guardrail_windows_read_and_write_back()
    {
        const string text = """
            apiVersion: faultline.dev/v1
            kind: Experiment
            metadata: { name: windows }
            spec:
              hypothesis: h
              method:
                - fault: a.one
                  selector: { kinds: [host] }
                  duration: 1s
              guardrails:
                - name: p99-latency
                  provider: prometheus
                  query: histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[1m]))
                  window: 30s
                  aggregation: p99
                  tolerance: { maxIncreasePercent: 20 }
                  every: 1s
              recovery: { within: 45s }
            """;

        var errors = new ValidationErrors();
        var spec = ExperimentSpecReader.Parse(text, errors);

        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
        var guardrail = Assert.Single(spec!.Guardrails);
        Assert.Equal(TimeSpan.FromSeconds(30), guardrail.Window);
        Assert.Equal(Aggregation.P99, guardrail.Aggregation);
        Assert.Equal(20, guardrail.Tolerance.MaxIncreasePercent);
        Assert.Equal(TimeSpan.FromSeconds(45), spec.Recovery!.Within);
        var written = ExperimentSpecWriter.Write(spec);
        Assert.Equal("45s", written["spec"]!["recovery"]!["within"]!.GetValue<string>());
        Assert.Equal(written.ToJsonString(), ExperimentSpecWriter.Write(ExperimentSpecReader.Read(written, new ValidationErrors())!).ToJsonString());
    }

    [Fact]
    public void Fault_locations_name_each_fault_by_its_path()
    {
        const string text = """
            apiVersion: faultline.dev/v1
            kind: Experiment
            metadata: { name: paths }
            spec:
              hypothesis: h
              method:
                - pause: 1s
                - parallel:
                    - - fault: a.one
                        selector: { kinds: [host] }
                        duration: 1s
                    - - fault: a.two
                        selector: { kinds: [host] }
                        duration: 1s
              rollbacks:
                - fault: a.three
                  selector: { kinds: [host] }
                  duration: 1s
            """;

        var spec = ExperimentSpecReader.Parse(text, new ValidationErrors())!;

        Assert.Equal(
            ["$.spec.method[1].parallel[0][0]", "$.spec.method[1].parallel[1][0]", "$.spec.rollbacks[0]"],
            FaultLocations.Of(spec).Select(l => l.Path).ToArray());
    }
}
