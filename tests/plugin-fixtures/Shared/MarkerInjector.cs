using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Validation;

namespace Fixture.Common;

/// <summary>
/// A harmless fault for host tests: a marker file per fault in the plugin's state directory. Subclasses
/// misbehave on purpose (hang, throw) after the marker exists, as a real injector might half-way through.
/// </summary>
public class MarkerInjector(string name, string stateDirectory, string description) : IFaultInjector
{
    public string Name => name;

    public string StateDirectory => stateDirectory;

    public InjectorDescriptor Descriptor => new(
        name, description, """{"type":"object","additionalProperties":false}""", [TargetKinds.Host], HostRequirements.None, FaultComposition.ByClaims);

    public ValueTask<ValidationResult> ValidateAsync(FaultRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ValidationResult.Valid);

    public virtual async ValueTask<FaultHandle> InjectAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        await WriteMarkerAsync(request);
        return Handle(request.FaultId, request.Target, request.ExpiresAt);
    }

    public virtual ValueTask<Verification> VerifyAsync(FaultHandle handle, CancellationToken cancellationToken) =>
        ValueTask.FromResult(File.Exists(MarkerPath(handle.FaultId)) ? Verification.Active("marker present") : Verification.Absent("no marker"));

    public ValueTask<RollbackResult> RollbackAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        var path = MarkerPath(handle.FaultId);
        if (!File.Exists(path))
        {
            return ValueTask.FromResult(RollbackResult.AlreadyAbsent("no marker"));
        }

        File.Delete(path);
        return ValueTask.FromResult(RollbackResult.Removed("marker deleted"));
    }

    public ValueTask<IReadOnlyList<FaultHandle>> ListLeftoversAsync(Target target, CancellationToken cancellationToken)
    {
        IReadOnlyList<FaultHandle> leftovers = Directory.Exists(stateDirectory)
            ? Directory.GetFiles(stateDirectory, $"{name}-*.marker")
                .Where(file => File.ReadAllText(file) == target.Id)
                .Select(file => Handle(Path.GetFileNameWithoutExtension(file)[(name.Length + 1)..], target, DateTimeOffset.UtcNow))
                .ToList()
            : [];
        return ValueTask.FromResult(leftovers);
    }

    protected async Task WriteMarkerAsync(FaultRequest request)
    {
        Directory.CreateDirectory(stateDirectory);
        await File.WriteAllTextAsync(MarkerPath(request.FaultId), request.Target.Id);
    }

    private string MarkerPath(string faultId) => Path.Combine(stateDirectory, $"{name}-{faultId}.marker");

    private FaultHandle Handle(string faultId, Target target, DateTimeOffset expiresAt) =>
        new(name, faultId, target, JsonSerializer.SerializeToElement(new { }), DateTimeOffset.UtcNow, expiresAt);
}
