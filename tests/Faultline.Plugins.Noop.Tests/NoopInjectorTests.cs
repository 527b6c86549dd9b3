using Faultline.Sdk.Testing;
using System.Diagnostics;
using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;

namespace Faultline.Plugins.Noop.Tests;

/// <summary>What the kit cannot know: the marker's content, the deliberate failures, and the refusals.</summary>
public sealed class NoopInjectorTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("faultline-noop-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Inject_writes_a_marker_naming_the_target_and_the_expiry()
    {
        var injector = new NoopInjector(_state);
        var request = Request(NewTarget(), new { });

        var handle = await injector.InjectAsync(request, Token);

        var path = Path.Combine(_state, $"noop-{request.FaultId}.json");
        Assert.True(File.Exists(path), $"inject did not write {path}");
        using var marker = JsonDocument.Parse(await File.ReadAllTextAsync(path, Token));
        Assert.Equal(request.FaultId, marker.RootElement.GetProperty("faultId").GetString());
        Assert.Equal(request.Target.Kind, marker.RootElement.GetProperty("targetKind").GetString());
        Assert.Equal(request.Target.Id, marker.RootElement.GetProperty("targetId").GetString());
        Assert.Equal(request.ExpiresAt, marker.RootElement.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(request.ExpiresAt, handle.ExpiresAt);
        Assert.Single(Directory.GetFiles(_state));
    }

    [Fact]
    public async Task A_noop_stands_in_for_every_kind_of_target_faultline_knows()
    {
        var injector = new NoopInjector(_state);
        foreach (var kind in new[] { TargetKinds.Host, TargetKinds.Process, TargetKinds.Pod, TargetKinds.Container, TargetKinds.NetworkInterface, TargetKinds.Directory, TargetKinds.Redis, "noop" })
        {
            Assert.Contains(kind, injector.Descriptor.TargetKinds);
            var request = Request(Target.Of(kind, "x-1"), new { });
            Assert.True((await injector.ValidateAsync(request, Token)).IsValid, $"{kind} refused");
        }

        var refused = await injector.ValidateAsync(Request(Target.Of("mainframe", "x-1"), new { }), Token);
        Assert.Contains(refused.Errors, e => e.Path == "target.kind");
    }

    [Fact]
    public async Task FailInject_throws_after_the_marker_is_written_so_leftover_detection_finds_it()
    {
        var injector = new NoopInjector(_state);
        var request = Request(NewTarget(), new { failInject = true });

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () => await injector.InjectAsync(request, Token));
        Assert.Contains("failInject", failure.Message, StringComparison.Ordinal);

        // What the host does after a failed inject: scan the target, roll back what carries the fault id.
        var leftover = Assert.Single(await injector.ListLeftoversAsync(request.Target, Token));
        Assert.Equal(request.FaultId, leftover.FaultId);
        Assert.True((await injector.VerifyAsync(leftover, Token)).InEffect);
        Assert.Equal(RollbackStatus.Removed, (await injector.RollbackAsync(leftover, Token)).Status);
        Assert.Empty(await injector.ListLeftoversAsync(request.Target, Token));
        Assert.Empty(Directory.GetFiles(_state));
    }

    [Fact]
    public async Task InjectDelay_holds_inject_for_that_long()
    {
        var injector = new NoopInjector(_state);
        var clock = Stopwatch.StartNew();

        var handle = await injector.InjectAsync(Request(NewTarget(), new { injectDelay = "300ms" }), Token);

        // Task.Delay runs on a coarser clock than Stopwatch and may end a millisecond or so early.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(280), $"inject returned after {clock.Elapsed}, before its 300ms delay");
        Assert.True((await injector.VerifyAsync(handle, Token)).InEffect);
    }

    [Fact]
    public async Task A_cancelled_delay_stops_inject_at_once_and_leaves_the_marker_as_a_leftover()
    {
        var injector = new NoopInjector(_state);
        var request = Request(NewTarget(), new { injectDelay = "10s" });
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancellation.CancelAfter(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await injector.InjectAsync(request, cancellation.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"inject ignored its cancellation for {clock.Elapsed}");
        Assert.Equal(request.FaultId, Assert.Single(await injector.ListLeftoversAsync(request.Target, Token)).FaultId);
    }

    [Fact]
    public async Task FailVerify_reports_the_fault_absent_while_its_marker_is_there()
    {
        var injector = new NoopInjector(_state);
        var request = Request(NewTarget(), new { failVerify = true });
        var handle = await injector.InjectAsync(request, Token);

        var verification = await injector.VerifyAsync(handle, Token);

        Assert.False(verification.InEffect);
        Assert.Contains("verify forced to fail", verification.Evidence, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_state, $"noop-{request.FaultId}.json")));

        // The recorded flag survives a restart: a leftover's handle fails verify the same way.
        var leftover = Assert.Single(await new NoopInjector(_state).ListLeftoversAsync(request.Target, Token));
        Assert.False((await injector.VerifyAsync(leftover, Token)).InEffect);
        Assert.Equal(RollbackStatus.Removed, (await injector.RollbackAsync(handle, Token)).Status);
        Assert.Contains("no marker", (await injector.VerifyAsync(handle, Token)).Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_inject_delay_above_10s_is_refused_by_validation_and_by_inject()
    {
        var injector = new NoopInjector(_state);
        var request = Request(NewTarget(), new { injectDelay = "10.5s" });

        var result = await injector.ValidateAsync(request, Token);
        Assert.Contains(result.Errors, e => e.Path == "$.injectDelay" && e.Message.Contains("10s", StringComparison.Ordinal));
        Assert.True((await injector.ValidateAsync(Request(request.Target, new { injectDelay = "10s" }), Token)).IsValid);
        Assert.Equal("$.injectDelay", Assert.Single((await injector.ValidateAsync(Request(request.Target, new { injectDelay = "1m" }), Token)).Errors).Path);

        await Assert.ThrowsAsync<ArgumentException>(async () => await injector.InjectAsync(request, Token));
        Assert.Empty(Directory.GetFiles(_state));
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        var injector = new NoopInjector(_state);
        var request = Request(Target.Of("mainframe", ""), new { failInject = "no", injectDelay = "fast", extra = true }) with { FaultId = "../escape" };

        var result = await injector.ValidateAsync(request, Token);

        Assert.Equal(["$.extra", "$.failInject", "$.injectDelay", "faultId", "target.id", "target.kind"], result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_fault_id_that_could_leave_the_state_directory_is_never_written()
    {
        var injector = new NoopInjector(_state);
        var request = Request(NewTarget(), new { }) with { FaultId = "../../outside" };

        await Assert.ThrowsAsync<ArgumentException>(async () => await injector.InjectAsync(request, Token));

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_state)!, "noop-*"));
        Assert.Empty(Directory.GetFiles(_state));
        var handle = new FaultHandle(NoopInjector.InjectorName, request.FaultId, request.Target, JsonSerializer.SerializeToElement(new { }), DateTimeOffset.UtcNow, request.ExpiresAt);
        Assert.Equal(RollbackStatus.AlreadyAbsent, (await injector.RollbackAsync(handle, Token)).Status);
    }

    [Fact]
    public async Task Leftovers_and_rollback_stay_on_their_own_target()
    {
        var injector = new NoopInjector(_state);
        var first = Request(NewTarget(), new { });
        var second = Request(NewTarget(), new { });
        var firstHandle = await injector.InjectAsync(first, Token);
        await injector.InjectAsync(second, Token);

        Assert.Equal(first.FaultId, Assert.Single(await injector.ListLeftoversAsync(first.Target, Token)).FaultId);
        Assert.Equal(second.FaultId, Assert.Single(await injector.ListLeftoversAsync(second.Target, Token)).FaultId);

        // A handle that pairs the first fault's id with the second target is not that fault: nothing is removed.
        var mismatched = firstHandle with { Target = second.Target };
        Assert.False((await injector.VerifyAsync(mismatched, Token)).InEffect);
        Assert.Equal(RollbackStatus.AlreadyAbsent, (await injector.RollbackAsync(mismatched, Token)).Status);
        Assert.True((await injector.VerifyAsync(firstHandle, Token)).InEffect);
    }

    [Fact]
    public async Task The_plugin_registers_the_injector_with_its_state_directory()
    {
        var registrar = new RecordingRegistrar();
        new NoopPlugin().Register(registrar, new Sdk.Plugins.PluginContext(AppContext.BaseDirectory, _state, new Dictionary<string, string>(), new SilentLog()));

        var injector = Assert.Single(registrar.Injectors);
        Assert.Equal("noop", injector.Name);
        var request = Request(NewTarget(), new { });
        await injector.InjectAsync(request, Token);
        Assert.True(File.Exists(Path.Combine(_state, $"noop-{request.FaultId}.json")));
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private static Target NewTarget() => Target.Of("noop", $"t-{Guid.NewGuid():N}");

    private static FaultRequest Request(Target target, object parameters) =>
        new($"test-{Guid.NewGuid():N}", Guid.NewGuid(), target, JsonSerializer.SerializeToElement(parameters), TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow.AddMinutes(1));
}
