using System.Globalization;
using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;

namespace Faultline.Plugins.Process.Tests;

/// <summary>What the kit cannot know: the measured effect on the process, the watchdog, and the refusals.</summary>
public sealed class ProcessPauseInjectorTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("faultline-pause-").FullName;

    [Fact]
    public async Task The_process_is_really_stopped_and_really_resumed()
    {
        using var sleeping = new SleepingProcess();
        var injector = new ProcessPauseInjector(_state);

        var handle = await injector.InjectAsync(Request(sleeping.Target, TimeSpan.FromMinutes(1)), TestContext.Current.CancellationToken);
        Assert.True((await injector.VerifyAsync(handle, TestContext.Current.CancellationToken)).InEffect);
        Assert.Equal('T', sleeping.State);

        await injector.RollbackAsync(handle, TestContext.Current.CancellationToken);
        Assert.NotEqual('T', sleeping.State);
        Assert.Empty(Directory.GetFiles(_state, "pause-*.json"));
    }

    [Fact]
    public async Task The_watchdog_resumes_the_process_at_expiry_without_faultline()
    {
        using var sleeping = new SleepingProcess();
        var injector = new ProcessPauseInjector(_state);

        // A 1 s fault whose owner "dies": nobody calls rollback. The detached watchdog must resume the process.
        var handle = await injector.InjectAsync(Request(sleeping.Target, TimeSpan.FromSeconds(1)), TestContext.Current.CancellationToken);
        Assert.Equal('T', sleeping.State);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (sleeping.State == 'T' && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.NotEqual('T', sleeping.State);
        Assert.Equal(RollbackStatus.AlreadyAbsent, (await injector.RollbackAsync(handle, TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    public async Task Pid_1_and_faultline_itself_are_refused()
    {
        var injector = new ProcessPauseInjector(_state);
        foreach (var pid in new[] { 1, Environment.ProcessId })
        {
            var result = await injector.ValidateAsync(Request(Target.Of(TargetKinds.Process, pid.ToString(CultureInfo.InvariantCulture)), TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);
            Assert.Contains(result.Errors, e => e.Path == "target.id");
            await Assert.ThrowsAsync<InvalidOperationException>(async () =>
                await injector.InjectAsync(Request(Target.Of(TargetKinds.Process, pid.ToString(CultureInfo.InvariantCulture)), TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task A_reused_pid_is_never_signalled()
    {
        using var sleeping = new SleepingProcess();
        var injector = new ProcessPauseInjector(_state);
        var stale = sleeping.Target with { Attributes = new Dictionary<string, string> { ["startTime"] = "1" } };

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await injector.InjectAsync(Request(stale, TimeSpan.FromSeconds(30)), TestContext.Current.CancellationToken));
        Assert.NotEqual('T', sleeping.State);
        Assert.Empty(Directory.GetFiles(_state, "pause-*.json"));
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private static FaultRequest Request(Target target, TimeSpan duration) =>
        new($"test-{Guid.NewGuid():N}", Guid.NewGuid(), target, JsonSerializer.SerializeToElement(new { }), duration, DateTimeOffset.UtcNow + duration);
}
