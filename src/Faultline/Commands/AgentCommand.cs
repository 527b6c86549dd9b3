using System.CommandLine;
using System.Runtime.InteropServices;
using Faultline.Agent;
using Faultline.Sdk.Targets;

namespace Faultline.Commands;

/// <summary>
/// <c>faultline agent</c>: runs on a host whose targets the control plane may fault. It connects out to the
/// control plane with an agent token and holds the faults it applies under a dead-man switch.
/// On SIGTERM/SIGINT it removes every fault it holds before it exits: an agent that goes away cannot watch its
/// faults any more, and a fault nobody watches must not stay. The run that owned one sees it gone on its next verify.
/// </summary>
internal static class AgentCommand
{
    public static Command Create()
    {
        var server = new Option<string?>("--server") { Description = "The control plane's address, e.g. https://faultline.example.com (FAULTLINE_SERVER).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FAULTLINE_SERVER") };
        var tokenFile = new Option<FileInfo?>("--token-file") { Description = "A file holding the agent token (default: FAULTLINE_AGENT_TOKEN)." };
        var name = new Option<string>("--name") { Description = "The agent's name (FAULTLINE_AGENT_NAME, default the host name).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FAULTLINE_AGENT_NAME") ?? Environment.MachineName };
        var stateDir = new Option<string?>("--state-dir") { Description = "Durable state: the fault journal and plugin state (FAULTLINE_STATE_DIR, default 'state' next to faultline)." };
        var pluginPath = new Option<string[]>("--plugin-path") { Description = "Folders holding plugin folders (default: the plugins folder next to faultline, then FAULTLINE_PLUGIN_PATH).", AllowMultipleArgumentsPerToken = true };
        var grace = new Option<double>("--grace") { Description = "Seconds a fault stays without a renewal from the control plane (FAULTLINE_AGENT_GRACE_SECONDS).", DefaultValueFactory = _ => DoubleFromEnvironment("FAULTLINE_AGENT_GRACE_SECONDS", 15) };
        var targets = new Option<string[]>("--target") { Description = "A target to report as kind/id (e.g. noop/demo, directory//var/lib/app); repeatable; FAULTLINE_AGENT_TARGETS holds more, comma-separated.", AllowMultipleArgumentsPerToken = true };
        var logFormat = new Option<string>("--log-format") { Description = "json or text (FAULTLINE_LOG_FORMAT).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FAULTLINE_LOG_FORMAT") ?? "json" };
        var command = new Command("agent", "Run an agent: connect out to the control plane and apply its faults to this host's targets.")
        {
            server, tokenFile, name, stateDir, pluginPath, grace, targets, logFormat,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Uri.TryCreate(parse.GetValue(server), UriKind.Absolute, out var serverUri) || serverUri.Scheme is not ("https" or "http"))
            {
                await Console.Error.WriteLineAsync("faultline agent: set --server (or FAULTLINE_SERVER) to the control plane's address, e.g. https://faultline.example.com.");
                return 2;
            }

            var token = await ReadTokenAsync(parse.GetValue(tokenFile), cancellationToken);
            if (string.IsNullOrWhiteSpace(token))
            {
                await Console.Error.WriteLineAsync("faultline agent: set FAULTLINE_AGENT_TOKEN (or --token-file) to an agent token of your organization.");
                return 2;
            }

            List<Target> staticTargets;
            try
            {
                staticTargets = [.. StaticTargets.Parse([.. parse.GetValue(targets) ?? [], .. (Environment.GetEnvironmentVariable("FAULTLINE_AGENT_TARGETS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)])];
            }
            catch (FormatException exception)
            {
                await Console.Error.WriteLineAsync($"faultline agent: {exception.Message}");
                return 2;
            }

            var paths = parse.GetValue(pluginPath);
            var options = new AgentOptions
            {
                Server = serverUri,
                Token = token,
                Name = parse.GetValue(name)!,
                StateDirectory = parse.GetValue(stateDir) is { } dir ? Path.GetFullPath(dir) : ServerSettings.StateDirectory(),
                PluginSearchPaths = paths is { Length: > 0 } ? [.. paths.Select(Path.GetFullPath)] : ServerSettings.PluginSearchPaths(),
                StaticTargets = staticTargets,
                Grace = TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(grace))),
            };
            return await RunAsync(options, parse.GetValue(logFormat)!, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(AgentOptions options, string logFormat, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(logging => ConfigureLogging(logging, logFormat));
        var logger = loggerFactory.CreateLogger("Faultline.Agent");
        await using var runtime = new AgentRuntime(options, loggerFactory);
        foreach (var plugin in runtime.Catalog.Plugins)
        {
            logger.LogInformation("Plugin {PluginId} {Version}: {Status} {Error}", plugin.Id, plugin.Version, plugin.Status, plugin.Error);
        }

        logger.LogInformation("Agent {Name} starting: control plane {Server}, state {StateDirectory}, grace {Grace}", options.Name, options.Server, options.StateDirectory, options.Grace);
        // Program.cs turns System.CommandLine's own signal handling off (the server's host handles signals), so the
        // agent takes SIGTERM and SIGINT itself: without this the runtime would end the process before any rollback.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        await runtime.StartAsync();
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        logger.LogInformation("Agent {Name} stopping: removing every fault it holds", options.Name);
        var clean = await runtime.StopAsync();
        logger.LogInformation("Agent {Name} stopped ({Outcome})", options.Name, clean ? "no fault left" : "faults left in the journal");
        return clean ? 0 : 1;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task<string?> ReadTokenAsync(FileInfo? file, CancellationToken cancellationToken) =>
        file is null
            ? Environment.GetEnvironmentVariable("FAULTLINE_AGENT_TOKEN")?.Trim()
            : (await File.ReadAllTextAsync(file.FullName, cancellationToken)).Trim();

    private static void ConfigureLogging(ILoggingBuilder logging, string format)
    {
        logging.SetMinimumLevel(LogLevel.Information);
        if (string.Equals(format, "text", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
        }
        else
        {
            logging.AddJsonConsole(console =>
            {
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }
    }

    private static double DoubleFromEnvironment(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
