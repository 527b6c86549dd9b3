using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Process;

/// <summary>
/// <c>process.pause</c>: freezes a process with SIGSTOP for the fault's duration (a hung dependency, a GC pause,
/// a stuck primary) and resumes it with SIGCONT. Safety: the marker is written before the signal; a detached
/// watchdog resumes the process at the fault's expiry even if Faultline itself is gone; the pid's start time is
/// checked before every signal so a reused pid is never touched; pid 1 and Faultline's own process are refused.
/// </summary>
public sealed class ProcessPauseInjector(string stateDirectory) : IFaultInjector
{
    public const string InjectorName = "process.pause";

    private const string Schema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "watchdog": { "type": "boolean", "default": true, "description": "Start a detached watchdog that resumes the process at the fault's expiry, whatever happens to Faultline." }
          }
        }
        """;

    public string Name => InjectorName;

    public InjectorDescriptor Descriptor { get; } = new(
        InjectorName,
        "Pause a process with SIGSTOP and resume it with SIGCONT.",
        Schema,
        [TargetKinds.Process],
        new HostRequirements(["CAP_KILL"], [], ["setsid", "sh", "sleep"]),
        FaultComposition.ByClaims);

    public IReadOnlyList<string> Claims(FaultRequest request) => [$"process:{request.Target.Id}:run-state"];

    public ValueTask<ValidationResult> ValidateAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        var errors = new List<ParameterError>();
        if (request.Parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
        {
            errors.Add(new ParameterError("$", "must be an object."));
        }
        else if (request.Parameters.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in request.Parameters.EnumerateObject())
            {
                if (property.Name != "watchdog")
                {
                    errors.Add(new ParameterError($"$.{property.Name}", "is not a parameter of process.pause."));
                }
                else if (property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors.Add(new ParameterError("$.watchdog", "must be true or false."));
                }
            }
        }

        if (request.Target.Kind != TargetKinds.Process)
        {
            errors.Add(new ParameterError("target.kind", $"process.pause acts on '{TargetKinds.Process}' targets, not '{request.Target.Kind}'."));
        }
        else if (!TryPid(request.Target, out var pid))
        {
            errors.Add(new ParameterError("target.id", "must be a process id."));
        }
        else if (pid == 1 || pid == Environment.ProcessId)
        {
            errors.Add(new ParameterError("target.id", pid == 1 ? "pid 1 is never paused." : "Faultline does not pause its own process."));
        }
        else if (ProcStat.Read(pid) is null)
        {
            errors.Add(new ParameterError("target.id", $"no process {pid} on this host."));
        }

        return ValueTask.FromResult(new ValidationResult(errors));
    }

    public async ValueTask<FaultHandle> InjectAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        if (!TryPid(request.Target, out var pid) || pid == 1 || pid == Environment.ProcessId)
        {
            throw new InvalidOperationException($"Refusing to pause {request.Target}.");
        }

        var stat = ProcStat.Read(pid) ?? throw new InvalidOperationException($"Process {pid} does not exist.");
        if (request.Target.Attribute("startTime") is { } expected && expected != stat.StartTime.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"Process {pid} is not the process that was targeted (its pid was reused).");
        }

        var useWatchdog = !(request.Parameters.ValueKind == JsonValueKind.Object &&
            request.Parameters.TryGetProperty("watchdog", out var watchdogFlag) && watchdogFlag.ValueKind == JsonValueKind.False);
        var now = DateTimeOffset.UtcNow;
        Directory.CreateDirectory(stateDirectory);

        // Intent first: if we die right after the signal, the marker is what finds and resumes the process.
        var marker = new PauseMarker(request.FaultId, request.RunId, pid, stat.StartTime, null, now, request.ExpiresAt);
        marker.Save(stateDirectory);
        if (useWatchdog)
        {
            marker = marker with { WatchdogPid = StartWatchdog(pid, request.ExpiresAt - now) };
            marker.Save(stateDirectory);
        }

        if (NativeMethods.Kill(pid, NativeMethods.SignalStop) != 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            StopWatchdog(marker.WatchdogPid);
            File.Delete(PauseMarker.PathFor(stateDirectory, request.FaultId));
            throw new InvalidOperationException($"SIGSTOP to {pid} failed (errno {errno}).");
        }

        // Signals are delivered asynchronously: the inject is done when the kernel reports the process stopped,
        // so a rollback that follows at once sees (and undoes) a fault that really exists.
        var handle = ToHandle(marker, request.Target);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (ProcStat.Read(pid) is not { } current || current.StartTime != stat.StartTime || current.IsStopped)
            {
                return handle;
            }

            await Task.Delay(10, cancellationToken);
        }

        throw new InvalidOperationException($"process {pid} did not stop within 2 s of SIGSTOP.");
    }

    public async ValueTask<Verification> VerifyAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        var (pid, startTime) = Identity(handle);

        // The stop is delivered asynchronously; give the kernel a moment to report state T.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var stat = ProcStat.Read(pid);
            if (stat is null || stat.StartTime != startTime)
            {
                return Verification.Absent($"process {pid} no longer exists");
            }

            if (stat.IsStopped)
            {
                return Verification.Active($"process {pid} ({stat.Command}) is in state {stat.State} (stopped)");
            }

            await Task.Delay(10, cancellationToken);
        }

        var last = ProcStat.Read(pid);
        return Verification.Absent($"process {pid} is in state {last?.State.ToString() ?? "?"}, not stopped");
    }

    public async ValueTask<RollbackResult> RollbackAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        var (pid, startTime) = Identity(handle);
        var markerPath = PauseMarker.PathFor(stateDirectory, handle.FaultId);
        StopWatchdog(WatchdogOf(handle));

        var stat = ProcStat.Read(pid);
        if (stat is null || stat.StartTime != startTime)
        {
            File.Delete(markerPath);
            return RollbackResult.AlreadyAbsent($"process {pid} no longer exists");
        }

        // SIGCONT is sent even when the process looks running: it also discards a SIGSTOP still pending delivery,
        // and it is harmless to a running process. The status says whether a stop was really undone.
        var wasStopped = stat.IsStopped;
        if (NativeMethods.Kill(pid, NativeMethods.SignalContinue) != 0)
        {
            throw new InvalidOperationException($"SIGCONT to {pid} failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
        }

        // Verified rollback: the marker goes only once the process is seen running again.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var now = ProcStat.Read(pid);
            if (now is null || !now.IsStopped)
            {
                File.Delete(markerPath);
                var evidence = $"process {pid} running (state {now?.State.ToString() ?? "exited"})";
                return wasStopped ? RollbackResult.Removed($"{evidence} after SIGCONT") : RollbackResult.AlreadyAbsent(evidence);
            }

            await Task.Delay(10, cancellationToken);
        }

        throw new InvalidOperationException($"process {pid} is still stopped after SIGCONT.");
    }

    public ValueTask<IReadOnlyList<FaultHandle>> ListLeftoversAsync(Target target, CancellationToken cancellationToken)
    {
        IReadOnlyList<FaultHandle> leftovers = PauseMarker.All(stateDirectory)
            .Where(m => target.Kind == TargetKinds.Process && m.Pid.ToString(CultureInfo.InvariantCulture) == target.Id)
            .Select(m => ToHandle(m, target))
            .ToList();
        return ValueTask.FromResult(leftovers);
    }

    private static int StartWatchdog(int pid, TimeSpan after)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var startInfo = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "sh", "-c", $"sleep {seconds}; kill -CONT {pid.ToString(CultureInfo.InvariantCulture)}" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var watchdog = System.Diagnostics.Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the watchdog.");
        return watchdog.Id;
    }

    private static void StopWatchdog(int? watchdogPid)
    {
        if (watchdogPid is { } watchdog && watchdog > 1)
        {
            // setsid made the watchdog a group leader: the negative pid reaches its shell and its sleep.
            _ = NativeMethods.Kill(-watchdog, NativeMethods.SignalKill);
        }
    }

    private static FaultHandle ToHandle(PauseMarker marker, Target target)
    {
        var state = JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["pid"] = marker.Pid,
            ["startTime"] = marker.StartTime.ToString(CultureInfo.InvariantCulture),
            ["watchdogPid"] = marker.WatchdogPid,
        });
        return new FaultHandle(InjectorName, marker.FaultId, target, state, marker.InjectedAt, marker.ExpiresAt);
    }

    private static (int Pid, ulong StartTime) Identity(FaultHandle handle) =>
        (handle.State.GetProperty("pid").GetInt32(), ulong.Parse(handle.State.GetProperty("startTime").GetString()!, CultureInfo.InvariantCulture));

    private static int? WatchdogOf(FaultHandle handle) =>
        handle.State.TryGetProperty("watchdogPid", out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static bool TryPid(Target target, out int pid) =>
        int.TryParse(target.Id, NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid > 0;
}
