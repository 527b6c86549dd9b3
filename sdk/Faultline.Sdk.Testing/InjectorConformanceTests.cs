using System.Diagnostics;
using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using NJsonSchema;
using Xunit;

namespace Faultline.Sdk.Testing;

/// <summary>
/// The contract every injector keeps, as tests. Derive a class, give it a real target and parameters, and
/// run it with the rest of your tests:
/// <list type="bullet">
/// <item>inject → verify in effect → rollback → verify absent;</item>
/// <item>rollback twice: the second is AlreadyAbsent, nothing throws;</item>
/// <item>rollback from the serialized handle in a fresh process (the faultline CLI), with nothing else;</item>
/// <item>leftover detection finds the fault until it is rolled back;</item>
/// <item>the parameters schema and ValidateAsync agree on valid and invalid parameters.</item>
/// </list>
/// </summary>
public abstract class InjectorConformanceTests : IAsyncLifetime
{
    private readonly List<FaultHandle> _toCleanUp = [];

    /// <summary>A state directory private to this test, handed to every injector instance it creates.</summary>
    protected string StateDirectory { get; } = Directory.CreateTempSubdirectory("faultline-conformance-").FullName;

    /// <summary>A fresh injector instance, as the plugin's Register would create it.</summary>
    protected abstract IFaultInjector CreateInjector(string stateDirectory);

    /// <summary>A real target the fault can be injected into (a process you started, a namespace you created).</summary>
    protected abstract Task<Target> CreateTargetAsync();

    /// <summary>Parameters that must be accepted.</summary>
    protected abstract JsonElement ValidParameters { get; }

    /// <summary>Parameters that must be refused, each with the JSON path the error must name.</summary>
    protected abstract IEnumerable<(JsonElement Parameters, string ErrorPath)> InvalidParameters { get; }

    /// <summary>Releases the target (stops the process, deletes the namespace).</summary>
    protected virtual Task DisposeTargetAsync(Target target) => Task.CompletedTask;

    /// <summary>
    /// The plugin folder (with faultline-plugin.json) and the faultline CLI (faultline.dll) used for the
    /// fresh-process rollback. Defaults: FAULTLINE_PLUGIN_DIR and FAULTLINE_CLI.
    /// </summary>
    protected virtual string? PluginDirectory => Environment.GetEnvironmentVariable("FAULTLINE_PLUGIN_DIR");

    protected virtual string? FaultlineCli => Environment.GetEnvironmentVariable("FAULTLINE_CLI");

    protected virtual TimeSpan FaultDuration => TimeSpan.FromSeconds(60);

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        // Whatever a failed assertion left behind is removed, so a red test never leaves a fault on the machine.
        var injector = CreateInjector(StateDirectory);
        foreach (var handle in _toCleanUp)
        {
            try
            {
                await injector.RollbackAsync(handle, CancellationToken.None);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                Console.Error.WriteLine($"conformance cleanup of {handle.FaultId} failed: {exception.Message}");
            }
        }

        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Temp leftovers never fail a test.
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Inject_takes_effect_and_rollback_removes_it()
    {
        var target = await CreateTargetAsync();
        try
        {
            var injector = CreateInjector(StateDirectory);
            var request = Request(target);
            Assert.True((await injector.ValidateAsync(request, Token)).IsValid, "ValidParameters must pass ValidateAsync.");

            var handle = await InjectAsync(injector, request);
            var active = await injector.VerifyAsync(handle, Token);
            Assert.True(active.InEffect, $"After inject, verify must report the fault in effect: {active.Evidence}");

            var rollback = await injector.RollbackAsync(handle, Token);
            Assert.Equal(RollbackStatus.Removed, rollback.Status);
            var clean = await injector.VerifyAsync(handle, Token);
            Assert.False(clean.InEffect, $"After rollback, verify must report the fault absent: {clean.Evidence}");
        }
        finally
        {
            await DisposeTargetAsync(target);
        }
    }

    [Fact]
    public async Task Rollback_is_idempotent()
    {
        var target = await CreateTargetAsync();
        try
        {
            var injector = CreateInjector(StateDirectory);
            var handle = await InjectAsync(injector, Request(target));

            Assert.Equal(RollbackStatus.Removed, (await injector.RollbackAsync(handle, Token)).Status);
            Assert.Equal(RollbackStatus.AlreadyAbsent, (await injector.RollbackAsync(handle, Token)).Status);
            Assert.False((await injector.VerifyAsync(handle, Token)).InEffect);
        }
        finally
        {
            await DisposeTargetAsync(target);
        }
    }

    [Fact]
    public async Task Rollback_from_the_serialized_handle_works_in_a_fresh_process()
    {
        var cli = FaultlineCli;
        var pluginDirectory = PluginDirectory;
        if (cli is null || pluginDirectory is null || !File.Exists(cli))
        {
            Assert.Skip("Set FAULTLINE_CLI (path to faultline.dll) and FAULTLINE_PLUGIN_DIR (the staged plugin folder), or override FaultlineCli and PluginDirectory, to run the fresh-process rollback.");
        }

        var target = await CreateTargetAsync();
        try
        {
            var injector = CreateInjector(StateDirectory);
            var handle = await InjectAsync(injector, Request(target));
            Assert.True((await injector.VerifyAsync(handle, Token)).InEffect);
            var handleFile = Path.Combine(StateDirectory, "handle.json");
            await File.WriteAllTextAsync(handleFile, handle.ToJson(), Token);

            var (exitCode, output) = await RunAsync(
                "dotnet", [cli!, "plugins", "rollback", "--handle", handleFile, "--plugin-path", Path.GetDirectoryName(pluginDirectory)!, "--state-dir", StateDirectory]);

            Assert.True(exitCode == 0, $"faultline plugins rollback exited {exitCode}:\n{output}");
            Assert.Contains("removed", output, StringComparison.OrdinalIgnoreCase);
            var after = await CreateInjector(StateDirectory).VerifyAsync(FaultHandle.FromJson(handle.ToJson()), Token);
            Assert.False(after.InEffect, $"After the fresh process rolled back, the fault must be absent: {after.Evidence}");
        }
        finally
        {
            await DisposeTargetAsync(target);
        }
    }

    [Fact]
    public async Task Leftovers_are_found_until_rolled_back()
    {
        var target = await CreateTargetAsync();
        try
        {
            var handle = await InjectAsync(CreateInjector(StateDirectory), Request(target));

            // A new instance, as after a restart: it must find the fault from what is on the target and in its state.
            var restarted = CreateInjector(StateDirectory);
            var leftovers = await restarted.ListLeftoversAsync(target, Token);
            var leftover = Assert.Single(leftovers, l => l.FaultId == handle.FaultId);
            Assert.Equal(RollbackStatus.Removed, (await restarted.RollbackAsync(leftover, Token)).Status);

            Assert.DoesNotContain(await restarted.ListLeftoversAsync(target, Token), l => l.FaultId == handle.FaultId);
            Assert.False((await restarted.VerifyAsync(handle, Token)).InEffect);
        }
        finally
        {
            await DisposeTargetAsync(target);
        }
    }

    [Fact]
    public async Task Schema_and_validation_agree()
    {
        var injector = CreateInjector(StateDirectory);
        Assert.Equal(injector.Name, injector.Descriptor.Name);
        Assert.NotEmpty(injector.Descriptor.TargetKinds);
        Assert.False(string.IsNullOrWhiteSpace(injector.Descriptor.Description));
        var schema = await JsonSchema.FromJsonAsync(injector.Descriptor.ParametersSchema, Token);

        var target = await CreateTargetAsync();
        try
        {
            Assert.Empty(schema.Validate(ValidParameters.GetRawText()));
            Assert.True((await injector.ValidateAsync(Request(target), Token)).IsValid);

            var cases = InvalidParameters.ToList();
            Assert.NotEmpty(cases);
            foreach (var (parameters, errorPath) in cases)
            {
                var result = await injector.ValidateAsync(Request(target) with { Parameters = parameters }, Token);
                Assert.False(result.IsValid, $"ValidateAsync accepted {parameters.GetRawText()}");
                Assert.Contains(result.Errors, e => e.Path == errorPath);
                Assert.True(schema.Validate(parameters.GetRawText()).Count > 0, $"The schema accepts {parameters.GetRawText()}, which ValidateAsync refuses.");
            }
        }
        finally
        {
            await DisposeTargetAsync(target);
        }
    }

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    protected FaultRequest Request(Target target) => new(
        $"conformance-{Guid.NewGuid():N}",
        Guid.NewGuid(),
        target,
        ValidParameters,
        FaultDuration,
        DateTimeOffset.UtcNow + FaultDuration);

    private async Task<FaultHandle> InjectAsync(IFaultInjector injector, FaultRequest request)
    {
        var handle = await injector.InjectAsync(request, Token);
        _toCleanUp.Add(handle);
        Assert.Equal(request.FaultId, handle.FaultId);
        Assert.Equal(injector.Name, handle.Injector);
        var roundTrip = FaultHandle.FromJson(handle.ToJson());
        Assert.Equal(handle.ToJson(), roundTrip.ToJson());
        return handle;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Token);
        var stderr = process.StandardError.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
