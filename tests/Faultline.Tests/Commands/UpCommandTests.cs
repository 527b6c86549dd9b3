using System.Net;
using System.Net.Http.Headers;

namespace Faultline.Tests.Commands;

/// <summary>
/// `faultline up` as a user runs it: an embedded PostgreSQL created on first start and reused after,
/// the owner key printed once, and Ctrl-C / SIGTERM / SIGKILL handled without losing data or leaving a server behind.
/// </summary>
public sealed class UpCommandTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"faultline-up-{Guid.NewGuid():N}");

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task First_start_prints_a_working_key_and_a_second_start_reuses_the_data_after_ctrl_c_sigterm_and_sigkill()
    {
        // First start: cluster created, migrations applied, organization bootstrapped, key printed once.
        string key;
        Guid organizationId;
        await using (var first = StartUp())
        {
            var address = await AddressAsync(first);
            key = (await first.WaitForLineAsync(@"FAULTLINE_API_KEY=(flk_\S+)", StartTimeout)).Groups[1].Value;
            using var client = Client(address, key);

            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
            var organization = await client.GetAsync("/api/v1/organization");
            Assert.Equal(HttpStatusCode.OK, organization.StatusCode);
            var body = await organization.ReadJsonAsync();
            Assert.Equal("Default", body.GetProperty("name").GetString());
            organizationId = body.GetProperty("id").GetGuid();
            Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync("/api/v1/teams", new { name = "survives-restarts" })).StatusCode);

            // Without a configured key, up made its own next to the data, readable by this user only.
            var secretsKey = Path.Combine(_dataDir, "secrets.key");
            Assert.Contains($"Created the secrets key {secretsKey}", first.Output, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secretsKey));

            first.Signal(Signals.Interrupt);
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("Embedded PostgreSQL stopped.", first.Output, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(_dataDir, "pg", "postmaster.pid")), "PostgreSQL still running after Ctrl-C");
        }

        // Second start: same data, no new key, the old key still works; SIGTERM stops it as cleanly.
        await using (var second = StartUp())
        {
            var address = await AddressAsync(second);
            Assert.DoesNotContain("FAULTLINE_API_KEY=", second.Output, StringComparison.Ordinal);
            Assert.Contains("Secrets are sealed with the key in", second.Output, StringComparison.Ordinal);
            using var client = Client(address, key);
            var organization = await (await client.GetAsync("/api/v1/organization")).ReadJsonAsync();
            Assert.Equal(organizationId, organization.GetProperty("id").GetGuid());
            Assert.Contains("survives-restarts", await client.GetStringAsync("/api/v1/teams"), StringComparison.Ordinal);

            second.Signal(Signals.Terminate);
            Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.False(File.Exists(Path.Combine(_dataDir, "pg", "postmaster.pid")), "PostgreSQL still running after SIGTERM");
        }

        // SIGKILL leaves the database server orphaned; the next start must take it over, not fail.
        await using (var killed = StartUp())
        {
            await AddressAsync(killed);
            killed.Signal(Signals.Kill);
            await killed.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.True(File.Exists(Path.Combine(_dataDir, "pg", "postmaster.pid")), "expected the orphaned PostgreSQL after SIGKILL");
        }

        await using (var recovered = StartUp())
        {
            var address = await AddressAsync(recovered);
            using var client = Client(address, key);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/organization")).StatusCode);

            recovered.Signal(Signals.Interrupt);
            Assert.Equal(0, await recovered.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.False(File.Exists(Path.Combine(_dataDir, "pg", "postmaster.pid")));
        }
    }

    [Fact]
    public async Task Server_without_a_database_says_what_to_set()
    {
        await using var server = FaultlineProcess.Start(new Dictionary<string, string?>(), "server", "--port", "0");

        Assert.Equal(2, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("FAULTLINE_DB", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_without_a_secrets_key_refuses_to_start_rather_than_store_plaintext()
    {
        await using var server = FaultlineProcess.Start(
            new Dictionary<string, string?> { ["FAULTLINE_DB"] = "Host=127.0.0.1;Port=1", ["FAULTLINE_SECRETS_KEY"] = null }, "server", "--port", "0");

        Assert.Equal(2, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("FAULTLINE_SECRETS_KEY", server.Output, StringComparison.Ordinal);
        Assert.Contains("never stored in plaintext", server.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Temp leftovers never fail a test.
        }
    }

    private FaultlineProcess StartUp() =>
        FaultlineProcess.Start(
            new Dictionary<string, string?> { ["FAULTLINE_LOG_FORMAT"] = "text", ["FAULTLINE_SECRETS_KEY"] = null }, "up", "--port", "0", "--data-dir", _dataDir);

    private static async Task<Uri> AddressAsync(FaultlineProcess process) =>
        new((await process.WaitForLineAsync(@"Faultline is up at (http://127\.0\.0\.1:\d+)", StartTimeout)).Groups[1].Value);

    private static HttpClient Client(Uri address, string key)
    {
        var client = LoopbackHttp.CreateClient(address);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
