using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Faultline.Api.Hosting;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Faultline.Api.Tests.Problems;

/// <summary>
/// A corpus of broken requests against every write endpoint and every listing: each must get a 4xx problem
/// document (never a 5xx, never a success) and nothing may be stored.
/// </summary>
public sealed partial class BrokenRequestCorpusTests(PostgresServer postgres) : ApiTest(postgres)
{
    private static readonly (string Name, Func<HttpContent?> Content, int[] Allowed)[] BodyCorpus =
    [
        ("truncated JSON", () => Json("""{"name":"""), [400]),
        ("not JSON at all", () => Json("name=payments"), [400]),
        ("array instead of object", () => Json("""[{"name":"x"}]"""), [400]),
        ("JSON null", () => Json("null"), [400]),
        ("bare string", () => Json("\"payments\""), [400]),
        ("unknown field", () => Json("""{"name":"x","email":"x@example.com","role":"viewer","definitelyNotAField":true}"""), [400]),
        ("wrong types", () => Json("""{"name":12,"email":false,"role":3,"description":[],"displayName":{},"teamId":"nope","expiresAt":"soon"}"""), [400]),
        ("bad enum value", () => Json("""{"name":"x","email":"x@example.com","role":"superuser"}"""), [400]),
        ("null for a required field", () => Json("""{"name":null,"email":null,"role":null}"""), [400]),
        ("duplicate property", () => Json("""{"name":"a","name":"b","email":"x@example.com","email":"y@example.com","role":"viewer","role":"admin"}"""), [400]),
        ("deep nesting", () => Json(new string('[', 200) + new string(']', 200)), [400]),
        ("huge number", () => Json("""{"name":1e400,"role":1e400,"email":1e400}"""), [400]),
        ("invalid UTF-8", () => Bytes([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d], "application/json"), [400]),
        ("empty body", () => Json(""), [400]),
        ("no body and no content type", () => null, [400, 415]),
        ("text/plain", () => Bytes(Encoding.UTF8.GetBytes("""{"name":"x"}"""), "text/plain"), [415]),
        ("form encoded", () => Bytes(Encoding.UTF8.GetBytes("name=x"), "application/x-www-form-urlencoded"), [415]),
        ("oversized body", () => Json("{\"name\":\"" + new string('x', 2 * 1024 * 1024) + "\"}"), [413]),
        ("over-long strings", () => Json($$"""{"name":"{{new string('n', 500)}}","email":"{{new string('e', 500)}}@example.com","role":"viewer","description":"{{new string('d', 5000)}}"}"""), [400]),
    ];

    private static readonly string[] QueryCorpus =
    [
        "limit=abc", "limit=0", "limit=-1", "limit=100000", "limit=1.5", "cursor=!!!", "cursor=AAAA", "cursor=" + new string('A', 500),
    ];

    [Fact]
    public async Task Every_write_endpoint_answers_broken_bodies_with_a_4xx_problem_and_stores_nothing()
    {
        var (teamId, memberId, keyId) = await SeedAsync();
        var before = await CountEverythingAsync();
        var failures = new List<string>();

        var writeEndpoints = ApiEndpoints().Where(e => e.Endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is not null).ToList();
        Assert.True(writeEndpoints.Count >= 7, $"expected the body-taking endpoints, found {writeEndpoints.Count}");

        foreach (var (endpoint, method, pattern) in writeEndpoints)
        {
            var path = Fill(pattern, teamId, memberId, keyId);
            foreach (var (name, content, allowed) in BodyCorpus)
            {
                var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content() };
                request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
                request.Headers.TryAddWithoutValidation("Idempotency-Key", $"corpus-{Guid.NewGuid():N}");
                await CheckAsync(request, $"{method} {pattern} with {name}", allowed, failures);
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(before, await CountEverythingAsync());
    }

    [Fact]
    public async Task Every_listing_answers_bad_paging_parameters_with_a_400_naming_the_parameter()
    {
        var (teamId, memberId, keyId) = await SeedAsync();
        var failures = new List<string>();

        var listings = ApiEndpoints().Where(e => e.Method == "GET" && e.Endpoint.Metadata.OfType<IProducesResponseTypeMetadata>()
            .Any(p => p.Type?.Name.StartsWith("PageResponse", StringComparison.Ordinal) == true)).ToList();
        Assert.True(listings.Count >= 4, $"expected the paged listings, found {listings.Count}");

        foreach (var (_, method, pattern) in listings)
        {
            foreach (var query in QueryCorpus)
            {
                var request = new HttpRequestMessage(HttpMethod.Get, $"{Fill(pattern, teamId, memberId, keyId)}?{query}");
                var body = await CheckAsync(request, $"{method} {pattern}?{query[..Math.Min(query.Length, 30)]}", [400], failures);
                var parameter = query[..query.IndexOf('=', StringComparison.Ordinal)];
                if (body is not null && !body.Contains($"\"{parameter}\"", StringComparison.Ordinal))
                {
                    failures.Add($"{method} {pattern}?{parameter}: the problem does not name '{parameter}': {body}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("actorKeyId=not-a-guid", "actorKeyId")]
    [InlineData("from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z", "from")]
    public async Task Audit_filters_of_the_wrong_type_get_a_400_naming_them(string query, string parameter)
    {
        var response = await Owner.GetAsync($"/api/v1/audit-events?{query}");
        var body = await response.ReadJsonAsync();

        AssertProblem(body, response, HttpStatusCode.BadRequest, "validation");
        Assert.True(body.GetProperty("errors").TryGetProperty(parameter, out _), body.ToString());
    }

    [Fact]
    public async Task Unknown_routes_and_methods_get_problem_documents()
    {
        var missing = await Owner.GetAsync("/api/v1/no-such-thing");
        var wrongMethod = await Owner.PutAsync("/api/v1/teams", new StringContent("{}", Encoding.UTF8, "application/json"));

        AssertProblem(await missing.ReadJsonAsync(), missing, HttpStatusCode.NotFound, "not-found");
        AssertProblem(await wrongMethod.ReadJsonAsync(), wrongMethod, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
    }

    private async Task<string?> CheckAsync(HttpRequestMessage request, string label, int[] allowed, List<string> failures)
    {
        HttpResponseMessage response;
        try
        {
            // The agent protocol opens to agent tokens only; everything else to API keys.
            var client = request.RequestUri?.OriginalString.StartsWith(FaultlineApplication.AgentProtocolPrefix + "/", StringComparison.Ordinal) == true ? _agent! : Owner;
            response = await client.SendAsync(request);
        }
        catch (HttpRequestException exception)
        {
            // Kestrel may close the connection on an oversized body after answering; the answer must still be seen.
            failures.Add($"{label}: no answer ({exception.Message})");
            return null;
        }

        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        if (!allowed.Contains(status))
        {
            failures.Add($"{label}: expected {string.Join('/', allowed)}, got {status}: {body[..Math.Min(body.Length, 300)]}");
        }
        else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json" || !body.Contains("\"type\":\"https://faultline.dev/problems/", StringComparison.Ordinal))
        {
            failures.Add($"{label}: {status} without a problem document: {body[..Math.Min(body.Length, 300)]}");
        }

        return body;
    }

    private async Task<(Guid TeamId, Guid MemberId, Guid KeyId)> SeedAsync()
    {
        var teamId = await CreateTeamAsync(Owner, $"seed-{Guid.NewGuid():N}");
        var member = await Owner.PostJsonAsync($"/api/v1/teams/{teamId}/members", new { email = "seed@example.com", role = "viewer" });
        var (keyId, _) = await CreateKeyAsync(Owner, "seed", "viewer");
        var experiment = await Owner.SendRawAsync(
            HttpMethod.Post, "/api/v1/experiments", Features.Experiments.ExperimentDocumentsForTests.PauseProcess($"seed-{Guid.NewGuid():N}"), "application/yaml");
        _experimentId = (await experiment.ReadJsonAsync()).GetProperty("id").GetGuid();
        var (agentTokenId, agentToken) = await Features.Agents.AgentFixtures.CreateAgentTokenAsync(Owner, "seed");
        _agentTokenId = agentTokenId;
        _agent = Features.Agents.TestAgent.Client(Server, agentToken);
        using var agent = new Features.Agents.TestAgent(Server, agentToken);
        _agentId = (await agent.HelloAsync(Features.Agents.TestAgent.Hello("seed", Features.Agents.AgentFixtures.Demo))).AgentId;
        return (teamId, (await member.ReadJsonAsync()).GetProperty("id").GetGuid(), keyId);
    }

    /// <summary>An existing experiment, so broken replacements are refused for their body, not for a missing target.</summary>
    private Guid _experimentId;

    /// <summary>An agent token and its agent, so agent routes are reached and the protocol is called as an agent.</summary>
    private Guid _agentTokenId;

    private Guid _agentId;

    private HttpClient? _agent;

    private async Task<string> CountEverythingAsync() => string.Join(",",
        await Server.ScalarAsync<long>("select count(*) from organizations"),
        await Server.ScalarAsync<long>("select count(*) from teams"),
        await Server.ScalarAsync<long>("select count(*) from members"),
        await Server.ScalarAsync<long>("select count(*) from api_keys"),
        await Server.ScalarAsync<long>("select count(*) from audit_events"),
        await Server.ScalarAsync<long>("select count(*) from idempotency_records"),
        await Server.ScalarAsync<long>("select count(*) from experiments"),
        await Server.ScalarAsync<long>("select count(*) from runs"),
        await Server.ScalarAsync<long>("select count(*) from halt_switches"),
        await Server.ScalarAsync<long>("select count(*) from team_policies"),
        await Server.ScalarAsync<long>("select count(*) from secrets"),
        await Server.ScalarAsync<long>("select count(*) from agent_tokens"),
        await Server.ScalarAsync<string>("select coalesce(string_agg(name || session_id, ',' order by id), '') from agents"),
        await Server.ScalarAsync<long>("select count(*) from agent_commands"),
        await Server.ScalarAsync<long>("select count(*) from agent_self_removals"),
        await Server.ScalarAsync<string>("select coalesce(string_agg(name || version, ',' order by id), '') from teams"),
        await Server.ScalarAsync<string>("select coalesce(string_agg(role || version, ',' order by id), '') from members"),
        await Server.ScalarAsync<string>("select coalesce(string_agg(name || version, ',' order by id), '') from organizations"));

    private IEnumerable<(RouteEndpoint Endpoint, string Method, string Pattern)> ApiEndpoints() =>
        Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith(FaultlineApplication.ApiPrefix, StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (e, m, e.RoutePattern.RawText!)));

    private string Fill(string pattern, Guid teamId, Guid memberId, Guid keyId) => Placeholder().Replace(pattern, match => match.Groups[1].Value switch
    {
        "teamId" => teamId.ToString(),
        "memberId" => memberId.ToString(),
        "keyId" => keyId.ToString(),
        "experimentId" => _experimentId.ToString(),
        "runId" or "haltId" => Guid.NewGuid().ToString(),
        "name" => "corpus-secret",
        "agentTokenId" => _agentTokenId.ToString(),
        "agentId" => _agentId.ToString(),
        var other => throw new InvalidOperationException($"No value for route parameter {other}: extend {nameof(Fill)}."),
    });

    private static StringContent Json(string text) => new(text, new UTF8Encoding(false), "application/json");

    private static ByteArrayContent Bytes(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    [GeneratedRegex(@"\{(\w+)(?::[^}]+)?\}")]
    private static partial Regex Placeholder();
}
