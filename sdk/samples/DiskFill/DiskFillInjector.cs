using System.Globalization;
using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Validation;

namespace Acme.Faultline.DiskFill;

/// <summary>
/// <c>disk.fill</c>: takes disk space from the file system of a directory (a full disk, a log volume running out)
/// by writing a file of zeros, and gives it back at rollback.
/// Safety, as the contract asks: the file is created under the fault id before a byte is written, so a crash
/// half-way leaves something leftover detection finds; a detached watchdog deletes it at the fault's expiry even
/// if Faultline is gone; rollback is idempotent and verified (the file is seen gone before Removed is returned).
/// </summary>
public sealed class DiskFillInjector : IFaultInjector
{
    public const string InjectorName = "disk.fill";

    // One MiB of zeros, written again and again: real blocks on the disk, unlike a sparse file or a bare SetLength.
    private static readonly ReadOnlyMemory<byte> Chunk = new byte[FillFile.BytesPerMegabyte];

    public string Name => InjectorName;

    public InjectorDescriptor Descriptor { get; } = new(
        InjectorName,
        "Fill the file system of a directory with a file of zeros of the given size; removed at rollback or at the fault's expiry.",
        DiskFillRequest.ParametersSchema,
        [TargetKinds.Directory],
        new HostRequirements([], [], ["setsid", "sh", "sleep", "rm"]),
        FaultComposition.ByClaims);

    /// <summary>Each fill is its own file, so any number of fills (and other faults) share a directory.</summary>
    public IReadOnlyList<string> Claims(FaultRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return [$"disk:{request.Target.Id}:fill-{request.FaultId}"];
    }

    public ValueTask<ValidationResult> ValidateAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ValueTask.FromResult(new ValidationResult(DiskFillRequest.Check(request)));
    }

    public async ValueTask<FaultHandle> InjectAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = DiskFillRequest.Check(request);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid disk.fill request: {string.Join("; ", errors.Select(e => $"{e.Path} {e.Message}"))}", nameof(request));
        }

        if (!FillFile.IsSafeFaultId(request.FaultId))
        {
            throw new ArgumentException($"Fault id '{request.FaultId}' cannot be part of a file name.", nameof(request));
        }

        var megabytes = DiskFillRequest.Megabytes(request.Parameters);
        var path = FillFile.PathFor(request.Target.Id, request.FaultId);
        var injectedAt = DateTimeOffset.UtcNow;

        // CreateNew: never follows a planted symlink, never truncates someone else's file. From here on the
        // file (named after the fault) is on disk and leftover detection can find it.
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            BufferSize = 0,
        });
        try
        {
            await using (stream)
            {
                ExpiryWatchdog.Start(path, request.ExpiresAt - injectedAt);
                for (var written = 0; written < megabytes; written++)
                {
                    await stream.WriteAsync(Chunk, cancellationToken);
                }

                // Flushed to the device: the space is taken now, not whenever the page cache gets to it.
                stream.Flush(flushToDisk: true);
            }
        }
        catch
        {
            // A failed or cancelled inject leaves nothing behind: no half-written file, no watchdog.
            File.Delete(path);
            await ExpiryWatchdog.StopAsync(path, CancellationToken.None);
            throw;
        }

        return Handle(request.FaultId, request.Target, megabytes, injectedAt, request.ExpiresAt);
    }

    public ValueTask<Verification> VerifyAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var file = new FileInfo(PathOf(handle));
        var expected = MegabytesOf(handle) * FillFile.BytesPerMegabyte;
        if (!file.Exists)
        {
            return ValueTask.FromResult(Verification.Absent($"{file.FullName} does not exist"));
        }

        var evidence = string.Create(CultureInfo.InvariantCulture, $"{file.FullName} holds {file.Length} bytes ({expected} expected)");
        return ValueTask.FromResult(file.Length >= expected ? Verification.Active(evidence) : Verification.Absent(evidence + ", too small"));
    }

    public async ValueTask<RollbackResult> RollbackAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var path = PathOf(handle);
        var file = new FileInfo(path);
        var existed = file.Exists;
        var size = existed ? file.Length : 0;
        if (existed)
        {
            // Only when it exists: File.Delete throws when the directory itself is gone.
            File.Delete(path);
        }

        // After the file: a watchdog outliving its file only ever deletes nothing, while a file outliving its
        // watchdog would no longer expire.
        await ExpiryWatchdog.StopAsync(path, cancellationToken);

        // Verified: Removed is only said once the file is seen gone.
        if (File.Exists(path))
        {
            throw new IOException($"{path} still exists after it was deleted.");
        }

        return existed
            ? RollbackResult.Removed(string.Create(CultureInfo.InvariantCulture, $"deleted {path} ({size} bytes freed)"))
            : RollbackResult.AlreadyAbsent($"{path} does not exist");
    }

    public ValueTask<IReadOnlyList<FaultHandle>> ListLeftoversAsync(Target target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Kind != TargetKinds.Directory || !Path.IsPathFullyQualified(target.Id) || !Directory.Exists(target.Id))
        {
            return ValueTask.FromResult<IReadOnlyList<FaultHandle>>([]);
        }

        // The expiry is not recorded on disk; a leftover is by definition due, so its handle says "now".
        var now = DateTimeOffset.UtcNow;
        IReadOnlyList<FaultHandle> leftovers = FillFile.In(target.Id)
            .Select(fill => Handle(fill.FaultId, target, (int)(fill.File.Length / FillFile.BytesPerMegabyte), fill.File.LastWriteTimeUtc, now))
            .ToList();
        return ValueTask.FromResult(leftovers);
    }

    private static FaultHandle Handle(string faultId, Target target, int megabytes, DateTimeOffset injectedAt, DateTimeOffset expiresAt) =>
        new(InjectorName, faultId, target, JsonSerializer.SerializeToElement(new FillState(megabytes)), injectedAt, expiresAt);

    /// <summary>
    /// The file is found again from the target directory and the fault id alone (never from a path stored in the
    /// handle), so a handle edited by hand cannot point a rollback at some other file.
    /// </summary>
    private static string PathOf(FaultHandle handle) => FillFile.IsSafeFaultId(handle.FaultId) && Path.IsPathFullyQualified(handle.Target.Id)
        ? FillFile.PathFor(handle.Target.Id, handle.FaultId)
        : throw new ArgumentException($"Handle {handle.FaultId} does not name a fill file (target {handle.Target}).", nameof(handle));

    private static long MegabytesOf(FaultHandle handle) =>
        handle.State.ValueKind == JsonValueKind.Object && handle.State.TryGetProperty("megabytes", out var value) && value.TryGetInt64(out var megabytes)
            ? megabytes
            : 0;
}
