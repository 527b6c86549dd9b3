using System.Net;
using Faultline.Api.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Faultline.Api.Tests.Features.Health;

public sealed class HealthEndpointsTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task Healthz_and_readyz_answer_without_a_key_when_the_schema_is_current()
    {
        var client = Server.Client();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", (await ready.ReadJsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_is_503_while_migrations_are_not_applied_and_healthz_stays_200()
    {
        var connectionString = await Postgres.CreateDatabaseAsync("unmigrated", migrated: false);
        await using var app = FaultlineApplication.Build(new FaultlineServerOptions
        {
            ConnectionString = connectionString,
            Urls = ["http://127.0.0.1:0"],
            SecretsKey = Faultline.Storage.Secrets.MasterKey.Generate(),
            MinimumLogLevel = LogLevel.Warning,
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = LoopbackHttp.CreateClient(new Uri(address));

        var ready = await client.GetAsync("/readyz", TestContext.Current.CancellationToken);
        var body = await ready.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("migrations not applied", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Readyz_is_503_when_the_database_is_unreachable()
    {
        // A port nothing listens on: the probe must answer quickly and honestly, not hang or 500.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var app = FaultlineApplication.Build(new FaultlineServerOptions
        {
            ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Password=x;Timeout=2",
            Urls = ["http://127.0.0.1:0"],
            SecretsKey = Faultline.Storage.Secrets.MasterKey.Generate(),
            MinimumLogLevel = LogLevel.Critical,
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = LoopbackHttp.CreateClient(new Uri(address));

        var ready = await client.GetAsync("/readyz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("database unreachable", (await ready.ReadJsonAsync()).GetProperty("detail").GetString());
        await app.StopAsync(TestContext.Current.CancellationToken);
    }
}
