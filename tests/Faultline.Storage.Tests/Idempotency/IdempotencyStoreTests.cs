using System.Security.Cryptography;
using System.Text;
using Faultline.Storage.Idempotency;

namespace Faultline.Storage.Tests.Idempotency;

public sealed class IdempotencyStoreTests(PostgresServer postgres) : StorageTest(postgres)
{
    private const string Key = "5f1c2a9e-retry-me";
    private const string Method = "POST";
    private const string RequestPath = "/api/v1/teams";

    private static readonly byte[] RequestHash = Hash("""{"name":"payments"}""");
    private static readonly byte[] OtherRequestHash = Hash("""{"name":"search"}""");
    private static readonly StoredResponse Created = new(201, Encoding.UTF8.GetBytes("""{"id":"0196f1a0"}"""), "application/json; charset=utf-8", "/api/v1/teams/0196f1a0");

    private readonly Guid _apiKeyId = Guid.CreateVersion7();
    private Guid _organizationId;
    private IdempotencyStore _store = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _organizationId = await CreateOrganizationAsync("Acme");
        _store = new IdempotencyStore(DataSource);
    }

    [Fact]
    public async Task The_first_use_of_a_key_is_claimed()
    {
        var claim = await ClaimAsync(RequestHash);

        Assert.Equal(IdempotencyClaimStatus.Claimed, claim.Status);
        Assert.Null(claim.Response);
        Assert.Equal(1L, await ScalarAsync<long>("select count(*) from idempotency_records where status_code is null"));
    }

    [Fact]
    public async Task The_same_request_while_the_first_is_unfinished_is_in_progress()
    {
        await ClaimAsync(RequestHash);

        var claim = await ClaimAsync(RequestHash);

        Assert.Equal(IdempotencyClaimStatus.InProgress, claim.Status);
        Assert.Null(claim.Response);
    }

    [Fact]
    public async Task The_same_request_after_completion_replays_the_stored_response()
    {
        await ClaimAsync(RequestHash);
        await _store.CompleteAsync(_apiKeyId, Key, Created, Ct);

        var claim = await ClaimAsync(RequestHash);

        Assert.Equal(IdempotencyClaimStatus.Replay, claim.Status);
        var response = Assert.IsType<StoredResponse>(claim.Response);
        Assert.Equal(Created.StatusCode, response.StatusCode);
        Assert.Equal(Created.Body, response.Body);
        Assert.Equal(Created.ContentType, response.ContentType);
        Assert.Equal(Created.Location, response.Location);
    }

    [Fact]
    public async Task A_completed_response_without_body_type_or_location_replays_as_such()
    {
        await ClaimAsync(RequestHash);
        await _store.CompleteAsync(_apiKeyId, Key, new StoredResponse(204, [], null, null), Ct);

        var claim = await ClaimAsync(RequestHash);

        Assert.Equal(IdempotencyClaimStatus.Replay, claim.Status);
        Assert.Equal(204, claim.Response!.StatusCode);
        Assert.Empty(claim.Response.Body);
        Assert.Null(claim.Response.ContentType);
        Assert.Null(claim.Response.Location);
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_is_a_mismatch_before_and_after_completion()
    {
        await ClaimAsync(RequestHash);

        Assert.Equal(IdempotencyClaimStatus.Mismatch, (await ClaimAsync(OtherRequestHash)).Status);

        await _store.CompleteAsync(_apiKeyId, Key, Created, Ct);
        var afterCompletion = await ClaimAsync(OtherRequestHash);

        Assert.Equal(IdempotencyClaimStatus.Mismatch, afterCompletion.Status);
        Assert.Null(afterCompletion.Response);
    }

    [Theory]
    [InlineData("PUT", RequestPath)]
    [InlineData(Method, "/api/v1/api-keys")]
    public async Task The_same_key_and_body_on_another_method_or_path_is_a_mismatch(string method, string path)
    {
        await ClaimAsync(RequestHash);
        await _store.CompleteAsync(_apiKeyId, Key, Created, Ct);

        var claim = await _store.ClaimAsync(_organizationId, _apiKeyId, Key, RequestHash, method, path, Ct);

        Assert.Equal(IdempotencyClaimStatus.Mismatch, claim.Status);
    }

    [Fact]
    public async Task Release_makes_the_key_claimable_again_even_for_another_request()
    {
        await ClaimAsync(RequestHash);

        await _store.ReleaseAsync(_apiKeyId, Key, Ct);

        Assert.Equal(0L, await ScalarAsync<long>("select count(*) from idempotency_records"));
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await ClaimAsync(OtherRequestHash)).Status);
    }

    [Fact]
    public async Task Release_after_completion_keeps_the_stored_response()
    {
        await ClaimAsync(RequestHash);
        await _store.CompleteAsync(_apiKeyId, Key, Created, Ct);

        await _store.ReleaseAsync(_apiKeyId, Key, Ct);

        Assert.Equal(IdempotencyClaimStatus.Replay, (await ClaimAsync(RequestHash)).Status);
    }

    [Fact]
    public async Task Keys_are_scoped_to_the_api_key_that_sent_them()
    {
        await ClaimAsync(RequestHash);
        await _store.CompleteAsync(_apiKeyId, Key, Created, Ct);
        var otherApiKey = Guid.CreateVersion7();

        var claim = await _store.ClaimAsync(_organizationId, otherApiKey, Key, OtherRequestHash, Method, RequestPath, Ct);

        Assert.Equal(IdempotencyClaimStatus.Claimed, claim.Status);
        Assert.Equal(IdempotencyClaimStatus.Replay, (await ClaimAsync(RequestHash)).Status);
    }

    [Fact]
    public async Task A_record_older_than_the_retention_is_forgotten()
    {
        await ClaimAsync(RequestHash);
        await _store.CompleteAsync(_apiKeyId, Key, Created, Ct);
        await ExecuteAsync(
            "update idempotency_records set created_at = now() - @age",
            new { age = IdempotencyStore.Retention + TimeSpan.FromMinutes(1) });

        var claim = await ClaimAsync(OtherRequestHash);

        Assert.Equal(IdempotencyClaimStatus.Claimed, claim.Status);
        Assert.Equal(1L, await ScalarAsync<long>("select count(*) from idempotency_records where status_code is null"));
    }

    [Fact]
    public async Task A_record_just_inside_the_retention_is_still_replayed()
    {
        await ClaimAsync(RequestHash);
        await _store.CompleteAsync(_apiKeyId, Key, Created, Ct);
        await ExecuteAsync(
            "update idempotency_records set created_at = now() - @age",
            new { age = IdempotencyStore.Retention - TimeSpan.FromMinutes(5) });

        Assert.Equal(IdempotencyClaimStatus.Replay, (await ClaimAsync(RequestHash)).Status);
    }

    [Fact]
    public async Task Of_many_concurrent_identical_requests_exactly_one_claims_the_key()
    {
        const int requests = 10;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var claims = Enumerable.Range(0, requests).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await ClaimAsync(RequestHash);
        })).ToList();
        start.SetResult();

        var results = await Task.WhenAll(claims);

        Assert.Single(results, c => c.Status == IdempotencyClaimStatus.Claimed);
        Assert.All(results.Where(c => c.Status != IdempotencyClaimStatus.Claimed), c => Assert.Equal(IdempotencyClaimStatus.InProgress, c.Status));
        Assert.Equal(1L, await ScalarAsync<long>("select count(*) from idempotency_records"));
    }

    private Task<IdempotencyClaim> ClaimAsync(byte[] requestHash) =>
        _store.ClaimAsync(_organizationId, _apiKeyId, Key, requestHash, Method, RequestPath, Ct);

    private static byte[] Hash(string body) => SHA256.HashData(Encoding.UTF8.GetBytes(body));
}
