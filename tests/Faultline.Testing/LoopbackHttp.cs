namespace Faultline.Testing;

/// <summary>HTTP clients for loopback servers only.</summary>
public static class LoopbackHttp
{
    /// <summary>
    /// A client that never goes through a proxy: an HTTP_PROXY in the environment must not turn a request to
    /// 127.0.0.1 into traffic leaving the machine.
    /// </summary>
    public static HttpClient CreateClient(Uri baseAddress) =>
        new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
}
