using System.Collections.Concurrent;
using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Testing;
using Faultline.Testing;

namespace Faultline.Plugins.Process.Tests;

/// <summary>process.pause against real processes, through the SDK's conformance kit (fresh-process rollback included).</summary>
public sealed class ProcessPauseConformanceTests : InjectorConformanceTests
{
    private readonly ConcurrentDictionary<string, SleepingProcess> _processes = new();

    protected override string? PluginDirectory => Path.Combine(RepositoryRoot.Path, "artifacts", "plugins", "faultline.process");

    protected override string? FaultlineCli
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            return Path.Combine(RepositoryRoot.Path, "src", "Faultline", "bin", configuration, "net10.0", "faultline.dll");
        }
    }

    protected override JsonElement ValidParameters => JsonSerializer.SerializeToElement(new { watchdog = true });

    protected override IEnumerable<(JsonElement Parameters, string ErrorPath)> InvalidParameters =>
    [
        (JsonSerializer.SerializeToElement(new { watchdog = "yes" }), "$.watchdog"),
        (JsonSerializer.SerializeToElement(new { signal = 9 }), "$.signal"),
    ];

    protected override IFaultInjector CreateInjector(string stateDirectory) => new ProcessPauseInjector(stateDirectory);

    protected override Task<Target> CreateTargetAsync()
    {
        var process = new SleepingProcess();
        _processes[process.Target.Id] = process;
        return Task.FromResult(process.Target);
    }

    protected override Task DisposeTargetAsync(Target target)
    {
        if (_processes.TryRemove(target.Id, out var process))
        {
            process.Dispose();
        }

        return Task.CompletedTask;
    }
}
