using System.Text.Json.Nodes;
using Faultline.Domain.Experiments;
using Faultline.Domain.Policies;
using Faultline.Domain.Validation;

namespace Faultline.Domain.Tests.Policies;

public sealed class BlastRadiusPolicyJsonTests
{
    private static readonly BlastRadiusPolicy Full = new()
    {
        AllowedNamespaces = ["staging", "qa"],
        AllowedKinds = ["pod", "process"],
        RequiredLabels = new Dictionary<string, string>(StringComparer.Ordinal) { ["env"] = "staging", ["team"] = "payments" },
        ProtectedTargets = ["db-*", "pod/payments-*", "tier=payments-db,env=staging"],
        MaxFaultDuration = TimeSpan.FromMinutes(10),
        MaxSharePercentOfService = 25,
        ServiceLabel = "app.kubernetes.io/name",
        MaxConcurrentRuns = 3,
        ApprovalRequiredLabels = new Dictionary<string, string>(StringComparer.Ordinal) { ["env"] = "production" },
    };

    [Fact]
    public void Write_then_read_keeps_every_field()
    {
        var text = BlastRadiusPolicyJson.Write(Full).ToJsonString();

        var read = Read(text, out var errors);

        Assert.True(errors.IsEmpty, Describe(errors));
        Assert.NotNull(read);
        Assert.Equal(Full.AllowedNamespaces, read.AllowedNamespaces);
        Assert.Equal(Full.AllowedKinds, read.AllowedKinds);
        Assert.Equal(Full.RequiredLabels.OrderBy(p => p.Key, StringComparer.Ordinal), read.RequiredLabels.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(Full.ProtectedTargets, read.ProtectedTargets);
        Assert.Equal(TimeSpan.FromMinutes(10), read.MaxFaultDuration);
        Assert.Equal(25, read.MaxSharePercentOfService);
        Assert.Equal("app.kubernetes.io/name", read.ServiceLabel);
        Assert.Equal(3, read.MaxConcurrentRuns);
        Assert.Equal(Full.ApprovalRequiredLabels, read.ApprovalRequiredLabels);
    }

    [Fact]
    public void Durations_are_written_as_text_that_reads_back()
    {
        var json = BlastRadiusPolicyJson.Write(Full);

        var written = json["maxFaultDuration"]!.GetValue<string>();

        Assert.True(Durations.TryParse(written, out var duration), written);
        Assert.Equal(TimeSpan.FromMinutes(10), duration);
        Assert.Equal(25, json["maxSharePercentOfService"]!.GetValue<int>());
        Assert.Equal(3, json["maxConcurrentRuns"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("10m", 600)]
    [InlineData("1h30m", 5400)]
    [InlineData("90s", 90)]
    public void A_duration_is_read_from_its_text(string text, int seconds)
    {
        var read = Read($$"""{"maxFaultDuration":"{{text}}"}""", out var errors);

        Assert.True(errors.IsEmpty, Describe(errors));
        Assert.Equal(TimeSpan.FromSeconds(seconds), read!.MaxFaultDuration);
    }

    [Fact]
    public void Limits_that_are_not_set_are_left_out_rather_than_written_as_null()
    {
        var json = BlastRadiusPolicyJson.Write(BlastRadiusPolicy.Unrestricted);

        Assert.False(json.ContainsKey("maxFaultDuration"));
        Assert.False(json.ContainsKey("maxSharePercentOfService"));
        Assert.False(json.ContainsKey("maxConcurrentRuns"));
        Assert.Equal("app", json["serviceLabel"]!.GetValue<string>());
    }

    [Fact]
    public void Zero_concurrent_runs_survives_the_round_trip_as_a_freeze()
    {
        var read = Read(BlastRadiusPolicyJson.Write(new BlastRadiusPolicy { MaxConcurrentRuns = 0 }).ToJsonString(), out var errors);

        Assert.True(errors.IsEmpty, Describe(errors));
        Assert.Equal(0, read!.MaxConcurrentRuns);
    }

    [Fact]
    public void An_empty_object_reads_as_unrestricted()
    {
        var read = Read("{}", out var errors);

        Assert.True(errors.IsEmpty, Describe(errors));
        Assert.NotNull(read);
        Assert.Empty(read.AllowedNamespaces);
        Assert.Empty(read.AllowedKinds);
        Assert.Empty(read.RequiredLabels);
        Assert.Empty(read.ProtectedTargets);
        Assert.Null(read.MaxFaultDuration);
        Assert.Null(read.MaxSharePercentOfService);
        Assert.Equal(BlastRadiusPolicy.DefaultServiceLabel, read.ServiceLabel);
        Assert.Null(read.MaxConcurrentRuns);
        Assert.Empty(read.ApprovalRequiredLabels);
    }

    [Fact]
    public void The_unrestricted_policy_round_trips_to_itself()
    {
        var read = Read(BlastRadiusPolicyJson.Write(BlastRadiusPolicy.Unrestricted).ToJsonString(), out var errors);

        Assert.True(errors.IsEmpty, Describe(errors));
        Assert.Equal(BlastRadiusPolicyJson.Write(BlastRadiusPolicy.Unrestricted).ToJsonString(), BlastRadiusPolicyJson.Write(read!).ToJsonString());
    }

    [Theory]
    [InlineData("null", "$")]
    [InlineData("[]", "$")]
    [InlineData("\"unrestricted\"", "$")]
    public void A_document_that_is_not_an_object_is_refused_at_the_root(string json, string path)
    {
        var errors = new ValidationErrors();

        var read = BlastRadiusPolicyJson.Read(JsonNode.Parse(json), errors);

        Assert.Null(read);
        Assert.Equal([path], errors.ToDictionary().Keys);
    }

    [Theory]
    // Unknown fields: a typo must not silently drop a limit.
    [InlineData("""{"allowedNamspaces":["staging"]}""", "$.allowedNamspaces")]
    [InlineData("""{"maxConcurrentRun":1}""", "$.maxConcurrentRun")]
    // Wrong types.
    [InlineData("""{"allowedNamespaces":"staging"}""", "$.allowedNamespaces")]
    [InlineData("""{"allowedKinds":["pod",7]}""", "$.allowedKinds[1]")]
    [InlineData("""{"allowedKinds":[""]}""", "$.allowedKinds[0]")]
    [InlineData("""{"requiredLabels":["env=staging"]}""", "$.requiredLabels")]
    [InlineData("""{"requiredLabels":{"env":1}}""", "$.requiredLabels.env")]
    [InlineData("""{"approvalRequiredLabels":{"env":true}}""", "$.approvalRequiredLabels.env")]
    [InlineData("""{"maxSharePercentOfService":"50"}""", "$.maxSharePercentOfService")]
    [InlineData("""{"maxConcurrentRuns":"3"}""", "$.maxConcurrentRuns")]
    [InlineData("""{"serviceLabel":5}""", "$.serviceLabel")]
    [InlineData("""{"serviceLabel":""}""", "$.serviceLabel")]
    // Out of range.
    [InlineData("""{"maxSharePercentOfService":0}""", "$.maxSharePercentOfService")]
    [InlineData("""{"maxSharePercentOfService":101}""", "$.maxSharePercentOfService")]
    [InlineData("""{"maxSharePercentOfService":12.5}""", "$.maxSharePercentOfService")]
    [InlineData("""{"maxConcurrentRuns":-1}""", "$.maxConcurrentRuns")]
    [InlineData("""{"maxConcurrentRuns":10001}""", "$.maxConcurrentRuns")]
    // Protected targets that are no pattern.
    [InlineData("""{"protectedTargets":["db-*","tier="]}""", "$.protectedTargets[1]")]
    [InlineData("""{"protectedTargets":["=payments"]}""", "$.protectedTargets[0]")]
    [InlineData("""{"protectedTargets":["tier=a,tier=b"]}""", "$.protectedTargets[0]")]
    [InlineData("""{"protectedTargets":["  "]}""", "$.protectedTargets[0]")]
    // Durations that are not durations, or out of range.
    [InlineData("""{"maxFaultDuration":"ten minutes"}""", "$.maxFaultDuration")]
    [InlineData("""{"maxFaultDuration":"600"}""", "$.maxFaultDuration")]
    [InlineData("""{"maxFaultDuration":600}""", "$.maxFaultDuration")]
    [InlineData("""{"maxFaultDuration":"0s"}""", "$.maxFaultDuration")]
    [InlineData("""{"maxFaultDuration":"25h"}""", "$.maxFaultDuration")]
    public void An_invalid_field_is_reported_at_its_path(string json, string path)
    {
        var read = Read(json, out var errors);

        Assert.Null(read);
        Assert.Equal([path], errors.ToDictionary().Keys);
    }

    [Fact]
    public void Every_error_of_a_document_is_reported_at_once()
    {
        const string json = """
            {
              "allowedKinds": "pod",
              "protectedTargets": ["db-*", "tier="],
              "maxFaultDuration": "soon",
              "maxSharePercentOfService": 0,
              "maxConcurrentRuns": -2,
              "requiredLabels": { "env": 1 },
              "color": "red"
            }
            """;

        var read = Read(json, out var errors);

        Assert.Null(read);
        Assert.Equal(
            ["$.allowedKinds", "$.color", "$.maxConcurrentRuns", "$.maxFaultDuration", "$.maxSharePercentOfService", "$.protectedTargets[1]", "$.requiredLabels.env"],
            errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Errors_say_what_is_expected()
    {
        _ = Read("""{"maxFaultDuration":"soon","maxSharePercentOfService":101}""", out var errors);

        var messages = errors.ToDictionary();
        Assert.Contains("'soon' is not a duration", Assert.Single(messages["$.maxFaultDuration"]), StringComparison.Ordinal);
        Assert.Contains("from 1 to 100", Assert.Single(messages["$.maxSharePercentOfService"]), StringComparison.Ordinal);
    }

    private static BlastRadiusPolicy? Read(string json, out ValidationErrors errors)
    {
        errors = new ValidationErrors();
        return BlastRadiusPolicyJson.Read(JsonNode.Parse(json), errors);
    }

    private static string Describe(ValidationErrors errors) =>
        string.Join("; ", errors.ToDictionary().Select(pair => $"{pair.Key} {string.Join(" ", pair.Value)}"));
}
