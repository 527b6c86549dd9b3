using System.Net.Http.Headers;
using System.Net.Http.Json;
using Faultline.Domain.Agents;

namespace Faultline.Agent;

/// <summary>
/// The two requests of the protocol, always opened by the agent. The token goes only into the Authorization
/// header; no message or exception built here contains it.
/// </summary>
public sealed class ControlPlaneClient : IDisposable
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly TimeSpan _timeoutMargin;

    public ControlPlaneClient(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = new HttpClient(options.HttpHandlerFactory?.Invoke() ?? new SocketsHttpHandler(), disposeHandler: true)
        {
            BaseAddress = options.Server,

            // Each request sets its own deadline (a long poll outlasts any fixed timeout).
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("faultline-agent", AgentVersion.Value));
        _timeoutMargin = options.RequestTimeoutMargin;
    }

    public Task<AgentSession> HelloAsync(AgentHello hello, CancellationToken cancellationToken) =>
        PostAsync<AgentHello, AgentSession>(AgentProtocol.SessionsPath, hello, HelloTimeout, cancellationToken);

    /// <summary>A long poll: the control plane holds it up to <paramref name="pollWait"/> when it has nothing to say.</summary>
    public Task<AgentPollResponse> PollAsync(AgentPoll poll, TimeSpan pollWait, CancellationToken cancellationToken) =>
        PostAsync<AgentPoll, AgentPollResponse>(AgentProtocol.PollPath, poll, pollWait + _timeoutMargin, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await _http.PostAsJsonAsync(path, body, AgentJson.Options, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new ControlPlaneException($"POST {path} answered {(int)response.StatusCode} {response.ReasonPhrase}.", response.StatusCode);
            }

            return await response.Content.ReadFromJsonAsync<TResponse>(AgentJson.Options, deadline.Token)
                ?? throw new ControlPlaneException($"POST {path} answered an empty body.", response.StatusCode);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ControlPlaneException($"POST {path} got no answer within {timeout.TotalSeconds:0.#} s.", null, exception);
        }
        catch (HttpRequestException exception)
        {
            throw new ControlPlaneException($"POST {path} failed: {exception.Message}", exception.StatusCode, exception);
        }
        catch (System.Text.Json.JsonException exception)
        {
            throw new ControlPlaneException($"POST {path} answered something that is not the protocol: {exception.Message}", null, exception);
        }
    }
}
