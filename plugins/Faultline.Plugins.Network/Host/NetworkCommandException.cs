namespace Faultline.Plugins.Network.Host;

/// <summary>A host command (tc, nft, iptables) failed; the message carries the command line and its stderr.</summary>
public sealed class NetworkCommandException : Exception
{
    public NetworkCommandException()
    {
    }

    public NetworkCommandException(string message)
        : base(message)
    {
    }

    public NetworkCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
