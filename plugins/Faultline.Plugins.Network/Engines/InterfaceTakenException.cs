namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// An engine refused a fault before changing anything, because what it needs on the interface is already held
/// (Faultline's root qdisc, by another fault or a leftover). Nothing of the fault exists, so its journal entry
/// goes too: left behind, it would make the holder's qdisc look like this fault's to leftover detection.
/// </summary>
public sealed class InterfaceTakenException : InvalidOperationException
{
    public InterfaceTakenException()
    {
    }

    public InterfaceTakenException(string message)
        : base(message)
    {
    }

    public InterfaceTakenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
