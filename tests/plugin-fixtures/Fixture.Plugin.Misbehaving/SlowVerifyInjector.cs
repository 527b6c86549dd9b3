using Faultline.Sdk.Injection;
using Fixture.Common;

namespace Fixture.Plugin.Misbehaving;

/// <summary>Injects fine, but its verify never answers.</summary>
public sealed class SlowVerifyInjector(string stateDirectory) : MarkerInjector("fixture.slow-verify", stateDirectory, "Verify hangs.")
{
    public override async ValueTask<Verification> VerifyAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        await new TaskCompletionSource().Task;
        return Verification.Absent("unreachable");
    }
}
