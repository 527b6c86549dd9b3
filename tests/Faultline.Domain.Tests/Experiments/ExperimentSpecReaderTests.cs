using System.Text.Json;
using Faultline.Domain.Experiments;
using Faultline.Domain.Validation;

namespace Faultline.Domain.Tests.Experiments;

public sealed class ExperimentSpecReaderTests
{
    /// <summary>The experiment of the design brief, as shipped in examples/.</summary>
    public static readonly string PaymentLatency = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "payment-latency.yaml"));

    [Fact]
    public void The_design_brief_experiment_reads_completely()
    {
        var errors = new ValidationErrors();

        var spec = ExperimentSpecReader.Parse(PaymentLatency, errors);

        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(",", e.Value)}")));
        Assert.NotNull(spec);
        Assert.Equal("payment-latency", spec.Metadata.Name);
        Assert.Equal("payments", spec.Metadata.Team);
        var fault = Assert.Single(spec.Faults);
        Assert.Equal("network.delay", fault.Injector);
        Assert.Equal("200ms", fault.Parameters.GetProperty("latency").GetString());
        Assert.Equal(100, fault.Parameters.GetProperty("correlation").GetInt32());
        Assert.Equal(TimeSpan.FromSeconds(300), fault.Duration);
        Assert.Equal(SelectionKind.All, fault.Mode.Kind);
        Assert.Equal("payment-service", fault.Selector.Labels["app"]);
        Assert.Equal(0.01, Assert.Single(spec.SteadyState).Tolerance.LessThan);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(spec.Guardrails).Every);
        Assert.Equal(ConcurrencyPolicy.Forbid, spec.Schedule!.Concurrency);
    }

    [Fact]
    public void Json_and_yaml_of_one_experiment_read_the_same()
    {
        var fromYaml = ExperimentSpecReader.Parse(PaymentLatency, new ValidationErrors())!;
        var json = JsonSerializer.Serialize(SpecDocument.Parse(PaymentLatency, new ValidationErrors()));

        var fromJson = ExperimentSpecReader.Parse(json, new ValidationErrors())!;

        Assert.Equal(fromYaml.Metadata.Name, fromJson.Metadata.Name);
        Assert.Equal(fromYaml.Faults.Single().Parameters.GetRawText(), fromJson.Faults.Single().Parameters.GetRawText());
        Assert.Equal(fromYaml.SteadyState.Single().Query, fromJson.SteadyState.Single().Query);
    }

    [Fact]
    public void Every_error_is_reported_at_once_with_its_path()
    {
        const string broken = """
            apiVersion: faultline.dev/v2
            kind: Experiment
            metadata: { name: Bad_Name }
            spec:
              hypotesis: typo
              steadyState:
                - name: p
                  provider: prometheus
                  query: up
                  tolerance: {}
              method:
                - fault: network.delay
                  selector: {}
                  mode: fixed
                  duration: 300
                - pause: soon
              schedule: { cron: "61 * * * *" }
            """;
        var errors = new ValidationErrors();

        Assert.Null(ExperimentSpecReader.Parse(broken, errors));

        var paths = errors.ToDictionary().Keys.ToHashSet();
        Assert.Contains("$.apiVersion", paths);
        Assert.Contains("$.metadata.name", paths);
        Assert.Contains("$.spec.hypotesis", paths);
        Assert.Contains("$.spec.hypothesis", paths);
        Assert.Contains("$.spec.steadyState[0].tolerance", paths);
        Assert.Contains("$.spec.method[0].selector", paths);
        Assert.Contains("$.spec.method[0].value", paths);
        Assert.Contains("$.spec.method[0].duration", paths);
        Assert.Contains("$.spec.method[1].pause", paths);
        Assert.Contains("$.spec.schedule.cron", paths);
    }

    [Theory]
    [InlineData("duration: 0s", "$.spec.method[0].duration")]
    [InlineData("duration: 25h", "$.spec.method[0].duration")]
    [InlineData("duration: 300s\n      mode: fixed-percent\n      value: 150", "$.spec.method[0].value")]
    [InlineData("duration: 300s\n      mode: all\n      value: 3", "$.spec.method[0].value")]
    [InlineData("duration: 300s\n      mode: sometimes", "$.spec.method[0].mode")]
    [InlineData("duration: 300s\n      params: [1, 2]", "$.spec.method[0].params")]
    [InlineData("duration: 300s\n      fault: Not An Injector", "$.spec.method[0].fault")]
    public void Bad_fault_fields_are_refused_at_their_path(string faultFields, string path)
    {
        var text = $"""
            apiVersion: faultline.dev/v1
            kind: Experiment
            metadata: {"{"} name: x {"}"}
            spec:
              hypothesis: h
              method:
                - selector: {"{"} kinds: [process] {"}"}
                  {faultFields}
            """;
        if (!text.Contains("fault:", StringComparison.Ordinal))
        {
            text = text.Replace("- selector:", "- fault: process.pause\n      selector:", StringComparison.Ordinal);
        }

        var errors = new ValidationErrors();

        Assert.Null(ExperimentSpecReader.Parse(text, errors));
        Assert.Contains(path, errors.ToDictionary().Keys);
    }

    [Fact]
    public void Parallel_branches_and_pauses_keep_their_shape()
    {
        const string text = """
            apiVersion: faultline.dev/v1
            kind: Experiment
            metadata: { name: two-at-once }
            spec:
              hypothesis: h
              method:
                - parallel:
                    - - fault: process.pause
                        selector: { kinds: [process], targets: ["101"] }
                        duration: 5s
                    - - pause: 1s
                      - fault: process.pause
                        selector: { kinds: [process], targets: ["102"] }
                        mode: fixed
                        value: 1
                        duration: 2s
                - pause: 500ms
            """;
        var errors = new ValidationErrors();

        var spec = ExperimentSpecReader.Parse(text, errors);

        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Keys));
        var parallel = Assert.IsType<ParallelStep>(spec!.Method[0]);
        Assert.Equal(2, parallel.Branches.Count);
        Assert.IsType<PauseStep>(parallel.Branches[1][0]);
        Assert.Equal(2, spec.Faults.Count());
        Assert.Equal(TimeSpan.FromMilliseconds(500), Assert.IsType<PauseStep>(spec.Method[1]).Duration);
    }

    [Theory]
    [InlineData("a: &x [1]\nb: *x")]
    [InlineData("a: 1\na: 2")]
    [InlineData("- just\n- a list")]
    [InlineData("key: [unclosed")]
    [InlineData("{\"apiVersion\": ")]
    [InlineData("---\na: 1\n---\nb: 2")]
    public void Documents_that_are_not_one_plain_mapping_are_refused(string text)
    {
        var errors = new ValidationErrors();

        Assert.Null(SpecDocument.Parse(text, errors));
        Assert.False(errors.IsEmpty);
    }

    [Fact]
    public void Quoted_yaml_scalars_stay_strings_and_plain_ones_are_typed()
    {
        var document = SpecDocument.Parse("a: \"100\"\nb: 100\nc: true\nd: 'true'\ne: 1.5\nf: 200ms\ng: ~", new ValidationErrors())!;

        Assert.Equal(JsonValueKind.String, document["a"]!.GetValueKind());
        Assert.Equal(JsonValueKind.Number, document["b"]!.GetValueKind());
        Assert.Equal(JsonValueKind.True, document["c"]!.GetValueKind());
        Assert.Equal(JsonValueKind.String, document["d"]!.GetValueKind());
        Assert.Equal(JsonValueKind.Number, document["e"]!.GetValueKind());
        Assert.Equal(JsonValueKind.String, document["f"]!.GetValueKind());
        Assert.Null(document["g"]);
    }
}
