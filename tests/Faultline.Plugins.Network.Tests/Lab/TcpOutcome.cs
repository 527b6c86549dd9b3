namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>How one TCP attempt (connect, request/response, transfer) ended; failures are data, not exceptions.</summary>
public enum TcpOutcome
{
    Succeeded,

    /// <summary>No answer before the deadline: what a dropping firewall (a partition) looks like.</summary>
    TimedOut,

    /// <summary>The peer answered with a reset: the path works, nothing listens (or a REJECT with tcp-reset).</summary>
    Refused,

    /// <summary>An ICMP unreachable or no route (a REJECT with an icmp type, a removed address or route).</summary>
    Unreachable,

    /// <summary>The local stack refused to send (EPERM/EACCES from a firewall on the sender's own output).</summary>
    Denied,

    /// <summary>An established connection was reset or closed by the peer in the middle.</summary>
    Reset,

    /// <summary>Anything else, including a wrong echo; the attempt's error says what.</summary>
    Failed,
}
