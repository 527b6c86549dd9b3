using System.Net;
using Faultline.Api.Hosting;

namespace Faultline.Api.Tests.Hosting;

public sealed class RateLimitingTests(PostgresServer postgres) : ApiTest(postgres)
{
    protected override RateLimitOptions? RateLimit => new() { PermitsPerSecond = 1, Burst = 3 };

    [Fact]
    public async Task A_key_over_its_budget_gets_429_with_retry_after_while_other_keys_are_served()
    {
        var noisy = Owner;
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++)
        {
            responses.Add(await noisy.GetAsync("/api/v1/teams"));
        }

        var rejected = responses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.NotNull(rejected);
        Assert.Equal(HttpStatusCode.OK, responses[0].StatusCode);
        var retryAfter = rejected.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        AssertProblem(await rejected.ReadJsonAsync(), rejected, HttpStatusCode.TooManyRequests, "rate-limited");

        // The budget is per key: a quiet key of the same organization is unaffected. It is created straight in
        // the database, since the noisy owner key has no budget left to create it through the API.
        var quiet = await InsertKeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await Server.Client(quiet).GetAsync("/api/v1/teams")).StatusCode);
    }

    [Fact]
    public async Task Probes_and_metrics_are_never_rate_limited()
    {
        var client = Server.Client();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        }
    }

    private async Task<string> InsertKeyAsync()
    {
        var token = Domain.Tenancy.ApiKeyToken.Create();
        var store = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Storage.Tenancy.ApiKeyStore>(Server.Services);
        var outcome = await store.CreateAsync(
            Server.Bootstrap.Organization.Id, null, Storage.Tenancy.NewApiKey.From(token, "quiet", Domain.Tenancy.Role.Viewer, null),
            Storage.Common.AuditContext.System("test"), CancellationToken.None);
        Assert.Equal(Storage.Common.OutcomeStatus.Done, outcome.Status);
        return token.Value;
    }
}
