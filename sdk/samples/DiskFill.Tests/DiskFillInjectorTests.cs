using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;

namespace Acme.Faultline.DiskFill.Tests;

/// <summary>What disk.fill promises beyond the common contract: its own expiry, clean failures, and its refusals.</summary>
public sealed class DiskFillInjectorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disk-fill-target-").FullName;
    private readonly DiskFillInjector _injector = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_fill_file_is_deleted_at_the_faults_expiry_without_anyone_rolling_back()
    {
        var request = Request(1) with { ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(1) };
        var path = Path.Combine(_directory, $".faultline-fill-{request.FaultId}");
        using var watcher = new FileSystemWatcher(_directory, ".faultline-fill-*") { EnableRaisingEvents = true };
        var deleted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Deleted += (_, change) =>
        {
            if (change.FullPath == path)
            {
                deleted.TrySetResult();
            }
        };

        var handle = await _injector.InjectAsync(request, Token);
        Assert.True(File.Exists(path) || deleted.Task.IsCompleted, "inject wrote no fill file");

        // The watchdog, not this process, removes it: wait for the deletion itself, with a deadline far past the expiry.
        if (File.Exists(path))
        {
            await deleted.Task.WaitAsync(TimeSpan.FromSeconds(30), Token);
        }

        Assert.False(File.Exists(path));
        Assert.False((await _injector.VerifyAsync(handle, Token)).InEffect);
        Assert.Equal(RollbackStatus.AlreadyAbsent, (await _injector.RollbackAsync(handle, Token)).Status);
    }

    [Fact]
    public async Task A_rollback_right_after_inject_also_stops_the_expiry_watchdog()
    {
        var request = Request(1);
        var path = Path.Combine(_directory, $".faultline-fill-{request.FaultId}");

        var handle = await _injector.InjectAsync(request, Token);
        Assert.NotEmpty(ProcessesNaming(path));
        Assert.Equal(RollbackStatus.Removed, (await _injector.RollbackAsync(handle, Token)).Status);

        Assert.Empty(ProcessesNaming(path));
    }

    [Fact]
    public async Task A_cancelled_inject_leaves_no_file_behind()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await _injector.InjectAsync(Request(2), cancelled.Token));

        Assert.Empty(Directory.GetFiles(_directory));
        Assert.Empty(await _injector.ListLeftoversAsync(Target.Of(TargetKinds.Directory, _directory), Token));
        Assert.Empty(ProcessesNaming(_directory));
    }

    [Fact]
    public async Task A_fault_id_that_could_leave_the_directory_is_refused()
    {
        var request = Request(1) with { FaultId = "../escape" };

        await Assert.ThrowsAsync<ArgumentException>(async () => await _injector.InjectAsync(request, Token));

        Assert.Empty(Directory.GetFiles(_directory));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_directory)!, "escape")));
    }

    [Theory]
    [InlineData("host", "/tmp", "target.kind")]
    [InlineData("directory", "relative/path", "target.id")]
    [InlineData("directory", "/no/such/directory/anywhere", "target.id")]
    public async Task Targets_other_than_an_existing_absolute_directory_are_refused(string kind, string id, string errorPath)
    {
        var result = await _injector.ValidateAsync(Request(1) with { Target = Target.Of(kind, id) }, Token);

        Assert.Contains(result.Errors, error => error.Path == errorPath);
    }

    [Fact]
    public void Two_fills_of_one_directory_claim_different_resources_so_they_compose()
    {
        Assert.NotEqual(_injector.Claims(Request(1)), _injector.Claims(Request(1)));
        Assert.Empty(_injector.Descriptor.Composition.ConflictsWith);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Live processes with an argument that names <paramref name="path"/> (or a file in it): the fault's watchdogs.</summary>
    private static List<string> ProcessesNaming(string path)
    {
        var found = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
                if (arguments.Any(argument => argument.StartsWith(path, StringComparison.Ordinal)))
                {
                    found.Add($"{Path.GetFileName(directory)}: {string.Join(' ', arguments)}");
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return found;
    }

    private FaultRequest Request(int megabytes) => new(
        $"test-{Guid.NewGuid():N}",
        Guid.NewGuid(),
        Target.Of(TargetKinds.Directory, _directory),
        JsonSerializer.SerializeToElement(new { megabytes }),
        TimeSpan.FromMinutes(1),
        DateTimeOffset.UtcNow.AddMinutes(1));
}
