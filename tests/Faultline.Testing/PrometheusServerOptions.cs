namespace Faultline.Testing;

/// <summary>How a <see cref="PrometheusServer"/> serves its own HTTP API; the defaults are plain HTTP at the root.</summary>
public sealed record PrometheusServerOptions
{
    /// <summary>
    /// The text of a <c>--web.config.file</c> (basic_auth_users with bcrypt hashes, tls_server_config), written
    /// into the server's directory; null for none. <see cref="PrometheusServer.WaitForValueAsync"/> and
    /// <see cref="PrometheusServer.TargetHealthAsync"/> speak plain unauthenticated HTTP and need none.
    /// </summary>
    public string? WebConfig { get; init; }

    /// <summary>The web config turns on TLS: the API is at https.</summary>
    public bool Https { get; init; }

    /// <summary>A path the API lives under (<c>/prometheus</c>), as behind a reverse proxy; null for the root.</summary>
    public string? RoutePrefix { get; init; }
}
