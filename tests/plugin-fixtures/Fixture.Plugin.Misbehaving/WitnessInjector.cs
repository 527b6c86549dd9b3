using Faultline.Sdk.Injection;
using Fixture.Common;

namespace Fixture.Plugin.Misbehaving;

/// <summary>
/// Refuses to inject unless <c>&lt;witnessDirectory&gt;/&lt;faultId&gt;.json</c> already exists: the agent tests point it at
/// the agent's journal to prove that the journal entry is on disk before the injector is ever called.
/// </summary>
public sealed class WitnessInjector(string stateDirectory, string witnessDirectory) : MarkerInjector("fixture.witness", stateDirectory, "Injects only when a witness file of the fault exists.")
{
    public override async ValueTask<FaultHandle> InjectAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        var witness = Path.Combine(witnessDirectory, request.FaultId + ".json");
        if (!File.Exists(witness))
        {
            throw new InvalidOperationException($"no witness {witness} when inject was called");
        }

        return await base.InjectAsync(request, cancellationToken);
    }
}
