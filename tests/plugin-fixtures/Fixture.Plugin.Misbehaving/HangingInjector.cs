using Faultline.Sdk.Injection;
using Fixture.Common;

namespace Fixture.Plugin.Misbehaving;

/// <summary>Leaves its marker, then never returns and ignores cancellation: the worst plugin there is.</summary>
public sealed class HangingInjector(string stateDirectory) : MarkerInjector("fixture.hang", stateDirectory, "Hangs after applying.")
{
    public override async ValueTask<FaultHandle> InjectAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        await WriteMarkerAsync(request);
        await new TaskCompletionSource().Task;
        throw new InvalidOperationException("unreachable");
    }
}
