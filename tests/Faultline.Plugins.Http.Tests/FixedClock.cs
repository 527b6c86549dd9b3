namespace Faultline.Plugins.Http.Tests;

/// <summary>A clock that always says the same instant, to test what "now" means to the provider.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
