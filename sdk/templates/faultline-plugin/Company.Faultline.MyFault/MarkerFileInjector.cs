using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Validation;

namespace Company.Faultline.MyFault;

/// <summary>
/// <c>myfault.marker</c>: a starting point that keeps the whole injector contract (its conformance tests pass as
/// generated) while doing nothing harmful: it writes a marker file <c>.faultline-marker-&lt;faultId&gt;</c> into a
/// directory. Replace what inject, verify and rollback do with your real fault and keep the shape:
/// validate everything before acting, put the fault id into every artifact, make rollback idempotent and verified,
/// and let leftover detection find the fault from what is on the target.
/// </summary>
public sealed class MarkerFileInjector : IFaultInjector
{
    public const string InjectorName = "myfault.marker";

    private const string Prefix = ".faultline-marker-";

    private const string Schema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "note": { "type": "string", "maxLength": 200, "description": "Text written into the marker file." }
          }
        }
        """;

    // Marker files start with a dot, which .NET treats as hidden on Unix and skips by default.
    private static readonly EnumerationOptions OnlyThisDirectory = new() { AttributesToSkip = 0, RecurseSubdirectories = false, IgnoreInaccessible = true };

    public string Name => InjectorName;

    public InjectorDescriptor Descriptor { get; } = new(
        InjectorName,
        "Write a marker file into a directory (a template's placeholder fault: replace it with yours).",
        Schema,
        [TargetKinds.Directory],
        HostRequirements.None,
        FaultComposition.ByClaims);

    /// <summary>Each fault has its own file, so faults on one directory never collide.</summary>
    public IReadOnlyList<string> Claims(FaultRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return [$"directory:{request.Target.Id}:marker-{request.FaultId}"];
    }

    public ValueTask<ValidationResult> ValidateAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ValueTask.FromResult(new ValidationResult(Check(request)));
    }

    public async ValueTask<FaultHandle> InjectAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Inject never trusts that validation ran: it refuses to act on a request that fails it.
        var errors = Check(request);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid {InjectorName} request: {string.Join("; ", errors.Select(e => $"{e.Path} {e.Message}"))}", nameof(request));
        }

        var note = request.Parameters.ValueKind == JsonValueKind.Object && request.Parameters.TryGetProperty("note", out var value) ? value.GetString() : null;
        var injectedAt = DateTimeOffset.UtcNow;

        // CreateNew never follows a planted symlink nor overwrites someone else's file. The file name carries the
        // fault id, so after any crash leftover detection finds the fault and knows whose it is.
        // A real fault should also arm its own expiry where it can (a kernel timer, a TTL, a detached watchdog),
        // so that it never outlives request.ExpiresAt even if Faultline is gone.
        var stream = new FileStream(PathOf(request.Target, request.FaultId), FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        await using (stream)
        {
            await using var writer = new StreamWriter(stream);
            await writer.WriteAsync((note ?? "").AsMemory(), cancellationToken);
        }

        return new FaultHandle(InjectorName, request.FaultId, request.Target, JsonSerializer.SerializeToElement(new { note }), injectedAt, request.ExpiresAt);
    }

    public ValueTask<Verification> VerifyAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);

        // Measured, not assumed: look at the target itself.
        var path = PathOf(handle.Target, handle.FaultId);
        return ValueTask.FromResult(File.Exists(path) ? Verification.Active($"{path} exists") : Verification.Absent($"{path} does not exist"));
    }

    public ValueTask<RollbackResult> RollbackAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);

        // Everything comes from the handle alone: rollback may run in another process, after a crash.
        var path = PathOf(handle.Target, handle.FaultId);
        if (!File.Exists(path))
        {
            return ValueTask.FromResult(RollbackResult.AlreadyAbsent($"{path} does not exist"));
        }

        File.Delete(path);

        // Verified: Removed is only said once the artifact is seen gone.
        return File.Exists(path)
            ? throw new IOException($"{path} still exists after it was deleted.")
            : ValueTask.FromResult(RollbackResult.Removed($"deleted {path}"));
    }

    public ValueTask<IReadOnlyList<FaultHandle>> ListLeftoversAsync(Target target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Kind != TargetKinds.Directory || !Path.IsPathFullyQualified(target.Id) || !Directory.Exists(target.Id))
        {
            return ValueTask.FromResult<IReadOnlyList<FaultHandle>>([]);
        }

        // The expiry is not recorded on the target; a leftover is due by definition, so its handle says "now".
        var now = DateTimeOffset.UtcNow;
        IReadOnlyList<FaultHandle> leftovers = new DirectoryInfo(target.Id)
            .EnumerateFiles(Prefix + "*", OnlyThisDirectory)
            .Select(file => (File: file, FaultId: file.Name[Prefix.Length..]))
            .Where(marker => IsSafeFaultId(marker.FaultId))
            .Select(marker => new FaultHandle(InjectorName, marker.FaultId, target, JsonSerializer.SerializeToElement(new { note = (string?)null }), marker.File.LastWriteTimeUtc, now))
            .ToList();
        return ValueTask.FromResult(leftovers);
    }

    /// <summary>Every problem at once, at JSON paths relative to the parameters ($.note) or at the target.</summary>
    private static List<ParameterError> Check(FaultRequest request)
    {
        var errors = new List<ParameterError>();
        if (request.Parameters.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ParameterError("$", "must be an object."));
        }
        else
        {
            foreach (var property in request.Parameters.EnumerateObject())
            {
                if (property.Name != "note")
                {
                    errors.Add(new ParameterError($"$.{property.Name}", $"is not a parameter of {InjectorName}."));
                }
                else if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString()!.Length > 200)
                {
                    errors.Add(new ParameterError("$.note", "must be a string of at most 200 characters."));
                }
            }
        }

        if (request.Target.Kind != TargetKinds.Directory)
        {
            errors.Add(new ParameterError("target.kind", $"{InjectorName} acts on '{TargetKinds.Directory}' targets, not '{request.Target.Kind}'."));
        }
        else if (!Path.IsPathFullyQualified(request.Target.Id) || !Directory.Exists(request.Target.Id))
        {
            errors.Add(new ParameterError("target.id", $"must be an existing directory given by its absolute path, not '{request.Target.Id}'."));
        }

        if (!IsSafeFaultId(request.FaultId))
        {
            errors.Add(new ParameterError("faultId", "must consist of letters, digits, '-', '_' and '.' only: it becomes part of a file name."));
        }

        return errors;
    }

    /// <summary>The marker of one fault, found from the target and the fault id alone (never from a path in the handle).</summary>
    private static string PathOf(Target target, string faultId) => IsSafeFaultId(faultId) && Path.IsPathFullyQualified(target.Id)
        ? Path.Combine(target.Id, Prefix + faultId)
        : throw new ArgumentException($"Fault {faultId} on {target} does not name a marker file.", nameof(faultId));

    // A separator or a control character in the fault id could write outside the target directory.
    private static bool IsSafeFaultId(string faultId) =>
        faultId.Length is > 0 and <= 200 && faultId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
