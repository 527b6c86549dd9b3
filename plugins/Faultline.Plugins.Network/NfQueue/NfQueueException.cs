namespace Faultline.Plugins.Network.NfQueue;

/// <summary>
/// The kernel refused an NFQUEUE request (bind, configure) or the netlink socket failed; the message names the
/// queue, the namespace and what to do, and <see cref="Errno"/> carries the kernel's error code when there is one.
/// </summary>
public sealed class NfQueueException : Exception
{
    public NfQueueException()
    {
    }

    public NfQueueException(string message)
        : base(message)
    {
    }

    public NfQueueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NfQueueException(string message, int errno)
        : base(message)
    {
        Errno = errno;
    }

    /// <summary>The positive errno the kernel answered with; 0 when the failure was not the kernel's answer.</summary>
    public int Errno { get; }
}
