namespace Faultline.Engine.Cluster;

public sealed record LeaseKeeperOptions
{
    public TimeSpan Ttl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Renew every <see cref="Ttl"/> × this. A third leaves room for two more attempts before the lease can
    /// lapse when one renewal fails or is slow.
    /// </summary>
    public double RenewFraction { get; init; } = 1.0 / 3;

    public TimeSpan RenewInterval => Ttl * RenewFraction;

    /// <summary>After a renewal that could not reach the store: try again sooner than the regular interval.</summary>
    internal TimeSpan RetryDelay => RenewInterval / 3;

    internal void Validate()
    {
        if (Ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Ttl), Ttl, "A lease needs a positive TTL.");
        }

        if (RenewFraction is <= 0 or >= 1 || double.IsNaN(RenewFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(RenewFraction), RenewFraction, "Renewal must come before the TTL runs out: a fraction strictly between 0 and 1.");
        }
    }
}
