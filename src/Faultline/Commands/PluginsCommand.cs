using System.CommandLine;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faultline.Commands;

/// <summary>
/// <c>faultline plugins</c>: what is installed, and the operator's emergency tools. <c>rollback</c> removes a
/// fault from its serialized handle alone, in a fresh process: the way out when everything else is gone.
/// </summary>
internal static class PluginsCommand
{
    public static Command Create()
    {
        var pluginPath = new Option<string[]>("--plugin-path") { Description = "Folders holding plugin folders (default: the plugins folder next to faultline, then FAULTLINE_PLUGIN_PATH).", AllowMultipleArgumentsPerToken = true };
        var stateDir = new Option<string?>("--state-dir") { Description = "The plugin state directory the fault was injected with (markers, journals)." };

        var list = new Command("list", "List installed plugins, their status and what they offer.") { pluginPath };
        list.SetAction(parse => List(Catalog(parse.GetValue(pluginPath), null)));

        var handle = new Option<FileInfo>("--handle") { Description = "A fault handle as JSON (from the run report or the agent journal).", Required = true };
        var rollback = new Command("rollback", "Roll back one fault from its handle.") { handle, pluginPath, stateDir };
        rollback.SetAction((parse, cancellationToken) => RollbackAsync(Catalog(parse.GetValue(pluginPath), parse.GetValue(stateDir)), parse.GetValue(handle)!, cancellationToken));

        var injector = new Option<string>("--injector") { Description = "Injector name, e.g. process.pause.", Required = true };
        var kind = new Option<string>("--target-kind") { Description = "Target kind, e.g. process.", Required = true };
        var id = new Option<string>("--target-id") { Description = "Target id, e.g. a pid.", Required = true };
        var remove = new Option<bool>("--remove") { Description = "Roll back every leftover found." };
        var leftovers = new Command("leftovers", "List (and with --remove, roll back) an injector's leftovers on a target.") { injector, kind, id, remove, pluginPath, stateDir };
        leftovers.SetAction((parse, cancellationToken) => LeftoversAsync(
            Catalog(parse.GetValue(pluginPath), parse.GetValue(stateDir)), parse.GetValue(injector)!, Target.Of(parse.GetValue(kind)!, parse.GetValue(id)!), parse.GetValue(remove), cancellationToken));

        return new Command("plugins", "Installed plugins and manual fault cleanup.") { list, rollback, leftovers };
    }

    private static PluginCatalog Catalog(string[]? searchPaths, string? stateDirectory)
    {
        var options = new PluginHostOptions
        {
            SearchPaths = searchPaths is { Length: > 0 } ? [.. searchPaths.Select(Path.GetFullPath)] : ServerSettings.PluginSearchPaths(),
            StateRoot = Path.Combine(ServerSettings.StateDirectory(), "plugins"),
            StateDirectoryOf = stateDirectory is null ? null : _ => Path.GetFullPath(stateDirectory),
        };
        return new PluginCatalog(options, NullLogger<PluginCatalog>.Instance);
    }

    private static int List(PluginCatalog catalog)
    {
        if (catalog.Plugins.Count == 0)
        {
            Console.WriteLine("No plugins found.");
            return 0;
        }

        foreach (var plugin in catalog.Plugins)
        {
            Console.WriteLine($"{plugin.Id} {plugin.Version ?? "?"} (sdk {plugin.SdkRange ?? "?"}): {plugin.Status}{(plugin.Error is null ? "" : " - " + plugin.Error)}");
            foreach (var injector in plugin.Injectors)
            {
                Console.WriteLine($"  injector  {injector.Name}: {injector.Description} [targets: {string.Join(", ", injector.TargetKinds)}]");
            }

            foreach (var provider in plugin.MetricProviders)
            {
                Console.WriteLine($"  metrics   {provider.Name}: {provider.Description}");
            }

            foreach (var discovery in plugin.TargetDiscoveries)
            {
                Console.WriteLine($"  discovery {discovery.Name}: {discovery.Description}");
            }
        }

        return catalog.Plugins.All(p => p.Status == PluginStatus.Loaded) ? 0 : 1;
    }

    private static async Task<int> RollbackAsync(PluginCatalog catalog, FileInfo handleFile, CancellationToken cancellationToken)
    {
        FaultHandle handle;
        try
        {
            handle = FaultHandle.FromJson(await File.ReadAllTextAsync(handleFile.FullName, cancellationToken));
        }
        catch (Exception exception) when (exception is IOException or System.Text.Json.JsonException)
        {
            await Console.Error.WriteLineAsync($"faultline plugins rollback: cannot read {handleFile}: {exception.Message}");
            return 2;
        }

        var injector = catalog.FindInjector(handle.Injector);
        if (injector is null)
        {
            await Console.Error.WriteLineAsync($"faultline plugins rollback: no loaded plugin provides injector '{handle.Injector}'. Installed: {string.Join(", ", catalog.Plugins.Select(p => $"{p.Id} ({p.Status})"))}");
            return 2;
        }

        try
        {
            var result = await injector.RollbackAsync(handle, cancellationToken);
            var after = await injector.VerifyAsync(handle, cancellationToken);
            Console.WriteLine($"{handle.Injector} fault {handle.FaultId} on {handle.Target}: {result.Status.ToString().ToLowerInvariant()} ({result.Evidence}); verify: {(after.InEffect ? "STILL IN EFFECT" : "absent")} ({after.Evidence})");
            return after.InEffect ? 1 : 0;
        }
        catch (PluginCallException exception)
        {
            await Console.Error.WriteLineAsync($"faultline plugins rollback: {exception.Message}");
            return 1;
        }
    }

    private static async Task<int> LeftoversAsync(PluginCatalog catalog, string injectorName, Target target, bool remove, CancellationToken cancellationToken)
    {
        var injector = catalog.FindInjector(injectorName);
        if (injector is null)
        {
            await Console.Error.WriteLineAsync($"faultline plugins leftovers: no loaded plugin provides injector '{injectorName}'.");
            return 2;
        }

        var leftovers = await injector.ListLeftoversAsync(target, cancellationToken);
        Console.WriteLine($"{leftovers.Count} leftover(s) of {injectorName} on {target}.");
        foreach (var leftover in leftovers)
        {
            Console.WriteLine($"  fault {leftover.FaultId}, injected {leftover.InjectedAt:O}, expires {leftover.ExpiresAt:O}");
            if (remove)
            {
                var result = await injector.RollbackAsync(leftover, cancellationToken);
                Console.WriteLine($"    {result.Status.ToString().ToLowerInvariant()}: {result.Evidence}");
            }
        }

        return 0;
    }
}
