using System.Reflection;
using Faultline.Sdk;
using Faultline.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace Faultline.Engine.Plugins;

/// <summary>
/// Loads every plugin folder of the search paths into its own load context and keeps the registered
/// injectors, metric providers and discovery providers by name. A plugin that is incompatible or broken is
/// recorded with its error and skipped; nothing a plugin does while loading can stop the host.
/// </summary>
public sealed class PluginCatalog
{
    private readonly PluginHostOptions _options;
    private readonly ILogger _logger;
    private readonly List<PluginInfo> _plugins = [];
    private readonly Dictionary<string, GuardedInjector> _injectors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GuardedMetricProvider> _metricProviders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GuardedTargetDiscovery> _discoveries = new(StringComparer.Ordinal);

    public PluginCatalog(PluginHostOptions options, ILogger<PluginCatalog> logger)
    {
        _options = options;
        _logger = logger;
        foreach (var directory in FindPluginDirectories())
        {
            var info = Load(directory);
            _plugins.Add(info);
            if (info.Status == PluginStatus.Loaded)
            {
                _logger.LogInformation("Loaded plugin {PluginId} {Version} from {Directory}", info.Id, info.Version, directory);
            }
            else
            {
                _logger.LogWarning("Plugin in {Directory} is {Status}: {Error}", directory, info.Status, info.Error);
            }
        }
    }

    public IReadOnlyList<PluginInfo> Plugins => _plugins;

    public IReadOnlyCollection<GuardedInjector> Injectors => _injectors.Values;

    public IReadOnlyCollection<GuardedMetricProvider> MetricProviders => _metricProviders.Values;

    public IReadOnlyCollection<GuardedTargetDiscovery> TargetDiscoveries => _discoveries.Values;

    public GuardedInjector? FindInjector(string name) => _injectors.GetValueOrDefault(name);

    public GuardedMetricProvider? FindMetricProvider(string name) => _metricProviders.GetValueOrDefault(name);

    public GuardedTargetDiscovery? FindTargetDiscovery(string name) => _discoveries.GetValueOrDefault(name);

    private IEnumerable<string> FindPluginDirectories() =>
        _options.SearchPaths
            .Where(Directory.Exists)
            .SelectMany(root => Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            .Where(directory => File.Exists(Path.Combine(directory, SdkInfo.ManifestFileName)));

    private PluginInfo Load(string directory)
    {
        var fallbackId = Path.GetFileName(directory);
        PluginManifest manifest;
        try
        {
            manifest = PluginManifest.Read(directory);
        }
        catch (Exception exception) when (exception is PluginLoadException or IOException or UnauthorizedAccessException)
        {
            return Failed(fallbackId, null, directory, exception.Message);
        }

        if (!manifest.Sdk.Contains(SdkInfo.ContractVersion))
        {
            return new PluginInfo(manifest.Id, manifest.Version.ToString(), manifest.Sdk.ToString(), directory, PluginStatus.Incompatible,
                $"Built for SDK contract {manifest.Sdk}; this host provides {SdkInfo.ContractVersion}.", [], [], []);
        }

        if (_plugins.Any(p => p.Id == manifest.Id && p.Status == PluginStatus.Loaded))
        {
            return Failed(manifest.Id, manifest, directory, $"Another folder already loaded plugin '{manifest.Id}'.");
        }

        try
        {
            var registrar = Register(manifest, directory);
            var clash = registrar.Injectors.Select(i => i.Name).Where(_injectors.ContainsKey)
                .Concat(registrar.MetricProviders.Select(p => p.Name).Where(_metricProviders.ContainsKey))
                .Concat(registrar.TargetDiscoveries.Select(d => d.Name).Where(_discoveries.ContainsKey))
                .Concat(Duplicates(registrar))
                .ToList();
            if (clash.Count > 0)
            {
                return Failed(manifest.Id, manifest, directory, $"Names already registered: {string.Join(", ", clash.Distinct())}.");
            }

            foreach (var injector in registrar.Injectors)
            {
                _injectors[injector.Name] = new GuardedInjector(injector, manifest.Id, _options.Timeouts, _logger);
            }

            foreach (var provider in registrar.MetricProviders)
            {
                _metricProviders[provider.Name] = new GuardedMetricProvider(provider, manifest.Id, _options.Timeouts);
            }

            foreach (var discovery in registrar.TargetDiscoveries)
            {
                _discoveries[discovery.Name] = new GuardedTargetDiscovery(discovery, manifest.Id, _options.Timeouts);
            }

            return new PluginInfo(manifest.Id, manifest.Version.ToString(), manifest.Sdk.ToString(), directory, PluginStatus.Loaded, null,
                [.. registrar.Injectors.Select(i => i.Descriptor)],
                [.. registrar.MetricProviders.Select(p => p.Descriptor)],
                [.. registrar.TargetDiscoveries.Select(d => d.Descriptor)]);
        }
#pragma warning disable CA1031 // Whatever a plugin throws while loading is reported, never allowed to stop the host.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var cause = exception;
            while (cause is TargetInvocationException or AggregateException && cause.InnerException is { } inner)
            {
                cause = inner;
            }

            return Failed(manifest.Id, manifest, directory, cause is PluginLoadException ? cause.Message : $"{cause.GetType().Name}: {cause.Message}");
        }
    }

    private PluginRegistrar Register(PluginManifest manifest, string directory)
    {
        var entryPath = Path.Combine(directory, manifest.EntryAssembly);
        if (!File.Exists(entryPath))
        {
            throw new PluginLoadException($"Entry assembly {manifest.EntryAssembly} is not in the plugin folder.");
        }

        var context = new PluginLoadContext(entryPath, manifest.Id);
        var assembly = context.LoadFromAssemblyPath(entryPath);
        EnsureReferencesResolve(context, assembly);

        var entryTypes = assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IFaultlinePlugin).IsAssignableFrom(t))
            .ToList();
        if (entryTypes.Count != 1)
        {
            throw new PluginLoadException(entryTypes.Count == 0
                ? $"{manifest.EntryAssembly} has no public class implementing IFaultlinePlugin."
                : $"{manifest.EntryAssembly} has {entryTypes.Count} classes implementing IFaultlinePlugin; exactly one is allowed.");
        }

        var stateDirectory = _options.StateDirectoryOf?.Invoke(manifest.Id) ?? Path.Combine(_options.StateRoot, manifest.Id);
        Directory.CreateDirectory(stateDirectory);
        var settings = _options.Settings.GetValueOrDefault(manifest.Id) ?? new Dictionary<string, string>();
        var registrar = new PluginRegistrar();

        // Registration runs with a deadline too: a plugin that blocks here must not block the host's start.
        var registration = Task.Run(() =>
        {
            var plugin = (IFaultlinePlugin)Activator.CreateInstance(entryTypes[0])!;
            plugin.Register(registrar, new PluginContext(directory, stateDirectory, settings, new PluginLog(_logger, manifest.Id)));
        });
        if (!registration.Wait(_options.Timeouts.Register))
        {
            throw new PluginLoadException($"Register did not return within {_options.Timeouts.Register.TotalSeconds:0} s.");
        }

        return registrar;
    }

    /// <summary>
    /// A missing dependency otherwise surfaces only when a method using it first runs, in the middle of an
    /// experiment. Resolving every reference at load time reports it up front.
    /// </summary>
    private static void EnsureReferencesResolve(PluginLoadContext context, Assembly assembly)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<Assembly>([assembly]);
        while (pending.Count > 0)
        {
            foreach (var reference in pending.Dequeue().GetReferencedAssemblies())
            {
                if (!seen.Add(reference.FullName))
                {
                    continue;
                }

                Assembly loaded;
                try
                {
                    loaded = context.LoadFromAssemblyName(reference);
                }
                catch (FileNotFoundException exception)
                {
                    throw new PluginLoadException($"Missing dependency {reference.Name} {reference.Version}: it is neither in the plugin folder nor in the framework.", exception);
                }

                // Framework assemblies are trusted to be complete; walk only what the plugin brought.
                if (System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(loaded) == context)
                {
                    pending.Enqueue(loaded);
                }
            }
        }
    }

    private static IEnumerable<string> Duplicates(PluginRegistrar registrar) =>
        registrar.Injectors.Select(i => i.Name).GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key)
            .Concat(registrar.MetricProviders.Select(p => p.Name).GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key))
            .Concat(registrar.TargetDiscoveries.Select(d => d.Name).GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key));

    private static PluginInfo Failed(string id, PluginManifest? manifest, string directory, string error) =>
        new(id, manifest?.Version.ToString(), manifest?.Sdk.ToString(), directory, PluginStatus.Failed, error, [], [], []);
}
