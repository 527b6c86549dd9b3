using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Faultline.Api.Tests.OpenApi;

/// <summary>
/// The served OpenAPI document is the committed contract: any drift fails here. To accept a deliberate
/// change run <c>./scripts/openapi</c>, which rewrites openapi/faultline.v1.json, and commit it.
/// </summary>
public sealed class OpenApiDocumentTests(PostgresServer postgres) : ApiTest(postgres)
{
    private static readonly string[] AuthenticatedProblems = ["401", "403", "429"];

    private static readonly string CommittedPath = Path.Combine(RepositoryRoot.Path, "openapi", "faultline.v1.json");

    [Fact]
    public async Task Served_document_matches_the_committed_one()
    {
        var served = Canonical(await Server.Client().GetStringAsync("/openapi/v1.json"));

        if (Environment.GetEnvironmentVariable("FAULTLINE_UPDATE_OPENAPI") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(CommittedPath)!);
            await File.WriteAllTextAsync(CommittedPath, served, TestContext.Current.CancellationToken);
        }

        Assert.True(File.Exists(CommittedPath), $"{CommittedPath} is missing: run ./scripts/openapi and commit it.");
        var committed = Canonical(await File.ReadAllTextAsync(CommittedPath, TestContext.Current.CancellationToken));
        Assert.True(committed == served, "The API changed but openapi/faultline.v1.json did not. Run ./scripts/openapi, review the diff and commit it.\n" + FirstDifference(committed, served));
    }

    [Fact]
    public async Task Document_is_openapi_3_1_and_every_operation_is_usable_by_generated_clients()
    {
        using var document = JsonDocument.Parse(await Server.Client().GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;
        Assert.StartsWith("3.1", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.True(root.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("bearer", out _));

        var failures = new List<string>();
        var operationIds = new HashSet<string>();
        var operations = 0;
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations++;
                var label = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var op = operation.Value;
                if (!op.TryGetProperty("operationId", out var id) || !operationIds.Add(id.GetString()!))
                {
                    failures.Add($"{label}: missing or duplicate operationId");
                }

                if (!op.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
                {
                    failures.Add($"{label}: no summary");
                }

                if (!op.TryGetProperty("tags", out var tags) || tags.GetArrayLength() == 0)
                {
                    failures.Add($"{label}: no tag");
                }

                var responses = op.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
                if (!responses.Keys.Any(code => code.StartsWith('2')))
                {
                    failures.Add($"{label}: no success response");
                }

                // Probes (/readyz) answer 503 with their own health body, as load balancers expect.
                foreach (var (code, response) in responses.Where(r => r.Key[0] is '4' or '5' && path.Name.StartsWith("/api/", StringComparison.Ordinal)))
                {
                    if (!response.TryGetProperty("content", out var content) || !content.TryGetProperty("application/problem+json", out _))
                    {
                        failures.Add($"{label}: {code} is not declared as application/problem+json");
                    }
                }

                if (path.Name.StartsWith("/api/", StringComparison.Ordinal))
                {
                    if (!op.TryGetProperty("security", out _))
                    {
                        failures.Add($"{label}: no security requirement");
                    }

                    foreach (var code in AuthenticatedProblems.Where(c => !responses.ContainsKey(c)))
                    {
                        failures.Add($"{label}: error response {code} not declared");
                    }

                    if (operation.Name is "post" or "patch" && !responses.ContainsKey("400"))
                    {
                        failures.Add($"{label}: 400 not declared");
                    }

                    if (path.Name.Contains('{', StringComparison.Ordinal) && !responses.ContainsKey("404"))
                    {
                        failures.Add($"{label}: 404 not declared");
                    }
                }
            }
        }

        Assert.True(operations >= 18, $"expected the whole API, found {operations} operations");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Interactive_documentation_is_served_at_docs()
    {
        var response = await Server.Client().GetAsync("/docs/index.html");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", html, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Indented, with object keys as served, so the committed file diffs well in review.</summary>
    private static string Canonical(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    private static string FirstDifference(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (a[i] != b[i])
            {
                return $"First difference at line {i + 1}:\n  committed: {a[i].Trim()}\n  served:    {b[i].Trim()}";
            }
        }

        return $"Lengths differ: committed {a.Length} lines, served {b.Length}.";
    }
}
