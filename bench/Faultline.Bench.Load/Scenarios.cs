using System.Net;
using System.Text;

namespace Faultline.Bench.Load;

/// <summary>The measured endpoints, floor first: every other figure is read relative to it.</summary>
internal static class Scenarios
{
    public const string FloorName = "GET /healthz (floor)";

    public static IReadOnlyList<Scenario> All(string ownerKey)
    {
        // Built once: the header value is the same for every request, and formatting it per request would
        // bill the client's work to the server's figures.
        var bearer = $"Bearer {ownerKey}";

        return
        [
            new(FloorName, "No auth, no database: Kestrel, routing, middleware and JSON only.", HttpStatusCode.OK,
                // Deliberately without Authorization: with it, authentication would look the key up in the database.
                () => new HttpRequestMessage(HttpMethod.Get, "/healthz")),
            new("GET /api/v1/teams?limit=20", "Auth (key lookup) plus a 20-row keyset page.", HttpStatusCode.OK,
                () => Authorized(new HttpRequestMessage(HttpMethod.Get, "/api/v1/teams?limit=20"), bearer)),
            new("POST /api/v1/teams", "Auth plus a committed insert of a team and its audit entry.", HttpStatusCode.Created,
                () => Authorized(new HttpRequestMessage(HttpMethod.Post, "/api/v1/teams") { Content = NewTeam($"bench-{Guid.NewGuid():N}") }, bearer)),
            new("GET /api/v1/organization", "Auth plus one row by primary key.", HttpStatusCode.OK,
                () => Authorized(new HttpRequestMessage(HttpMethod.Get, "/api/v1/organization"), bearer)),
        ];
    }

    public static HttpContent NewTeam(string name) =>
        new StringContent($$"""{"name":"{{name}}"}""", Encoding.UTF8, "application/json");

    public static HttpRequestMessage Authorized(HttpRequestMessage request, string bearer)
    {
        // Without validation: the value is ours and well-formed, and parsing it on every request is client CPU.
        request.Headers.TryAddWithoutValidation("Authorization", bearer);
        return request;
    }
}
