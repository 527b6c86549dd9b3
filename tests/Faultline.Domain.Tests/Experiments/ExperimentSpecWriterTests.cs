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
