using Faultline.Sdk.Injection;
using Fixture.Common;

namespace Fixture.Plugin.Misbehaving;

/// <summary>Leaves its marker, then throws, as an injector failing half-way would.</summary>
public sealed class ThrowingInjector(string stateDirectory) : MarkerInjector("fixture.throw", stateDirectory, "Throws after applying.")
{
    public override async ValueTask<FaultHandle> InjectAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        await WriteMarkerAsync(request);
        throw new InvalidOperationException("half-applied and failed");
    }
}
