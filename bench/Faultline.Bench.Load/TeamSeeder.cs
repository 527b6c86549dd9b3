using System.Globalization;
using System.Net;

namespace Faultline.Bench.Load;

/// <summary>Creates the teams the listing scenario pages through, so it reads a full page of real rows.</summary>
internal static class TeamSeeder
{
    public static async Task SeedAsync(Uri baseAddress, string ownerKey, int count, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = baseAddress };
        var bearer = $"Bearer {ownerKey}";
        for (var i = 1; i <= count; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"seed-{i:00}");
            using var request = Scenarios.Authorized(new HttpRequestMessage(HttpMethod.Post, "/api/v1/teams") { Content = Scenarios.NewTeam(name) }, bearer);
            using var response = await client.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException(
                    $"Seeding team {name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }
    }
}
