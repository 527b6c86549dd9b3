using System.Net.Sockets;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>One timed TCP attempt: its outcome, how long it took (until success or failure) and what went wrong.</summary>
public sealed record TcpAttempt(TcpOutcome Outcome, TimeSpan Elapsed, string? Error = null)
{
    public bool Succeeded => Outcome == TcpOutcome.Succeeded;

    /// <summary>The path was cut: no answer at all, an unreachable, or a local refusal to send.</summary>
    public bool Blocked => Outcome is TcpOutcome.TimedOut or TcpOutcome.Unreachable or TcpOutcome.Denied;

    public static TcpAttempt From(SocketException exception, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var outcome = exception.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => TcpOutcome.Refused,
            SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown or SocketError.NetworkDown => TcpOutcome.Unreachable,
            SocketError.AccessDenied => TcpOutcome.Denied,
            SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => TcpOutcome.Reset,
            SocketError.TimedOut => TcpOutcome.TimedOut,
            _ => TcpOutcome.Failed,
        };
        return new TcpAttempt(outcome, elapsed, $"{exception.SocketErrorCode}: {exception.Message}");
    }
}
