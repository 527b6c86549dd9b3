using System.Net;

namespace Faultline.Api.Tests.Http;

public sealed class IdempotencyTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task A_retried_post_with_the_same_key_creates_once_and_replays_the_first_answer()
    {
        var first = await PostAsync("retry-1", """{"name":"once"}""");
        var second = await PostAsync("retry-1", """{"name":"once"}""");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1L, await Server.ScalarAsync<long>("select count(*) from teams where name = 'once'"));
        Assert.Equal(1L, await Server.ScalarAsync<long>("select count(*) from audit_events where action = 'team.created' and summary->>'name' = 'once'"));
    }

    [Fact]
    public async Task The_same_key_for_a_different_request_is_refused()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("reuse-1", """{"name":"first"}""")).StatusCode);

        var response = await PostAsync("reuse-1", """{"name":"second"}""");

        AssertProblem(await response.ReadJsonAsync(), response, HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        Assert.Equal(0L, await Server.ScalarAsync<long>("select count(*) from teams where name = 'second'"));
    }

    [Fact]
    public async Task A_failed_request_is_not_remembered_so_the_retry_after_the_fix_goes_through()
    {
        var existing = await CreateTeamAsync(Owner, "taken");
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync("fix-1", """{"name":"taken"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("fix-2", """{"name":""}""")).StatusCode);

        // The cause of the conflict goes away; the same request under the same key must now run, not replay 409.
        Assert.Equal(HttpStatusCode.NoContent, (await Owner.SendRawAsync(HttpMethod.Delete, $"/api/v1/teams/{existing}", null, ifMatch: "\"1\"")).StatusCode);
        var retried = await PostAsync("fix-1", """{"name":"taken"}""");

        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.False(retried.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("fix-2", """{"name":"now-valid"}""")).StatusCode);
    }

    [Fact]
    public async Task Keys_are_scoped_to_the_api_key_that_sent_them()
    {
        var (_, otherAdmin) = await CreateKeyAsync(Owner, "other-admin", "admin");
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("shared", """{"name":"by-owner"}""")).StatusCode);

        var other = await PostAsync("shared", """{"name":"by-other"}""", Server.Client(otherAdmin));

        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        Assert.Equal("by-other", (await other.ReadJsonAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Concurrent_retries_create_exactly_one_team()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostAsync("race-1", """{"name":"raced"}""")));

        Assert.All(attempts, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Contains(attempts, a => a.StatusCode == HttpStatusCode.Created);
        Assert.Equal(1L, await Server.ScalarAsync<long>("select count(*) from teams where name = 'raced'"));
    }

    [Fact]
    public async Task An_over_long_key_is_a_validation_problem()
    {
        var response = await PostAsync(new string('k', 300), """{"name":"long-key"}""");

        AssertProblem(await response.ReadJsonAsync(), response, HttpStatusCode.BadRequest, "validation");
        Assert.Equal(0L, await Server.ScalarAsync<long>("select count(*) from teams where name = 'long-key'"));
    }

    private Task<HttpResponseMessage> PostAsync(string key, string body, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/teams")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", key);
        return (client ?? Owner).SendAsync(request);
    }
}
