namespace Faultline.Sdk.Metrics;

/// <summary>The provider could not answer (unreachable, refused, rate limited past its retries, malformed answer).</summary>
public sealed class MetricProviderException : Exception
{
    public MetricProviderException()
    {
    }

    public MetricProviderException(string message)
        : base(message)
    {
    }

    public MetricProviderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
