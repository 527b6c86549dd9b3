namespace Faultline.Observability.Internal;

/// <summary>One series' current value, updated lock-free from any number of recording threads.</summary>
internal sealed class DoublePoint
{
    private double _value;

    public double Value => Volatile.Read(ref _value);

    public void Add(double delta)
    {
        // Compare-and-swap retry: there is no Interlocked.Add for double, and a lock would serialise the hot path.
        // The bits are compared because that is what CompareExchange compares (0.0 and -0.0 differ there).
        var current = Volatile.Read(ref _value);
        while (true)
        {
            var observed = Interlocked.CompareExchange(ref _value, current + delta, current);
            if (BitConverter.DoubleToInt64Bits(observed) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = observed;
        }
    }

    public void Set(double value) => Interlocked.Exchange(ref _value, value);
}
