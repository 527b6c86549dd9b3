using System.Text.Json;
using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Engines;
using Faultline.Plugins.Network.Targets;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Network;

/// <summary>
/// One network fault (<c>network.delay</c>, <c>network.loss</c>...) as a real kernel fault in the target's network
/// namespace. Validation refuses what this host cannot honour, naming the field; inject writes the journal entry
/// first, then applies through the chosen engine and records that engine in the handle; rollback removes
/// exactly the fault's own marks and is safe from any process.
/// </summary>
public sealed class NetworkInjector(NetworkAction action, NetworkFaults faults) : IFaultInjector, IHostCapabilityProbe
{
    public string Name { get; } = NetworkActions.InjectorName(action);

    public NetworkAction Action => action;

    public InjectorDescriptor Descriptor { get; } = new(
        NetworkActions.InjectorName(action),
        Describe(action),
        NetworkSchemas.For(action),
        NetworkTarget.Kinds,
        new HostRequirements(["CAP_NET_ADMIN", "CAP_SYS_ADMIN"], ["netem or tbf/nftables/NFQUEUE (probed)"], ["ip", "tc", "nft", "iptables", "nsenter"]),
        FaultComposition.ByClaims);

    /// <summary>The engines this host offers, probed once per host and shared by every network injector.</summary>
    public async ValueTask<HostCapabilityReport> ProbeHostAsync(CancellationToken cancellationToken)
    {
        var capabilities = await faults.CapabilitiesAsync(cancellationToken);
        return new HostCapabilityReport(
            new Dictionary<string, bool>(StringComparer.Ordinal)
            {
                ["netem"] = capabilities.Netem,
                ["tbf"] = capabilities.Tbf,
                ["nftables"] = capabilities.Nftables,
                ["nfqueue"] = capabilities.NfQueue,
                ["tc-filters"] = capabilities.TcFilters,
            },
            capabilities.Evidence);
    }

    public async ValueTask<ValidationResult> ValidateAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<ParameterError>();
        var plan = await PlanAsync(request, errors, checkInterface: true, cancellationToken);
        return plan is null && errors.Count == 0 ? ValidationResult.Valid : new ValidationResult(errors);
    }

    public IReadOnlyList<string> Claims(FaultRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<ParameterError>();
        var parameters = NetworkParameters.Read(action, request.Parameters, errors);
        var target = parameters is null ? null : NetworkTarget.Resolve(request.Target, parameters.Interface, out _);
        if (parameters is null || target is null)
        {
            return [$"{Name}:{request.Target}"];
        }

        // The probe ran when the fault was validated; claims only ask which engine that chose.
        var capabilities = faults.CapabilitiesAsync(CancellationToken.None).GetAwaiter().GetResult();
        var engine = EngineChoice.Choose(parameters, capabilities, out _);
        return engine is { } kind ? NetworkFaults.ClaimsOf(target, parameters, kind) : [$"{Name}:{request.Target}"];
    }

    public async ValueTask<FaultHandle> InjectAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<ParameterError>();
        var plan = await PlanAsync(request, errors, checkInterface: true, cancellationToken);
        if (plan is null)
        {
            throw new ArgumentException($"Invalid {Name} request: {string.Join("; ", errors.Select(e => $"{e.Path} {e.Message}"))}", nameof(request));
        }

        var (target, parameters, kind) = plan.Value;
        var engine = faults.Engine(kind);
        for (var attempt = 0; ; attempt++)
        {
            var state = StateFor(request.FaultId, target, parameters, kind, attempt);

            // Journal first: from here on, leftover detection finds this fault whatever happens next.
            faults.Journal.Write(state);
            try
            {
                var applied = await engine.ApplyAsync(state, parameters, cancellationToken);
                faults.Log?.Info($"{Name} {request.FaultId} on {target.Key} with {kind}: {applied}");
                return new FaultHandle(Name, request.FaultId, request.Target, state.ToJson(), DateTimeOffset.UtcNow, request.ExpiresAt);
            }
            catch (InterfaceTakenException)
            {
                faults.Journal.Delete(state.FaultId);
                throw;
            }
            catch (Exception exception) when (kind == EngineKind.NfQueue && attempt < 5 && exception is IOException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                // Another delayer holds this queue number (another fault, another process): try the next one.
                await engine.RemoveAsync(state, CancellationToken.None);
                faults.Log?.Warn($"{Name} {request.FaultId}: queue {state.Queue} unavailable ({exception.Message}); trying another");
            }
        }
    }

    public async ValueTask<Verification> VerifyAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        var state = StateOf(handle);
        var (present, evidence) = await faults.Engine(state.Engine).InEffectAsync(state, cancellationToken);
        var active = present && (state.Engine != EngineKind.NfQueue || faults.NfQueue.IsDelaying(state.FaultId));
        return active ? Verification.Active($"[{state.Engine}] {evidence}") : Verification.Absent($"[{state.Engine}] {evidence}");
    }

    public async ValueTask<RollbackResult> RollbackAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        var state = StateOf(handle);
        var (removed, evidence) = await faults.Engine(state.Engine).RemoveAsync(state, cancellationToken);
        var (stillThere, check) = await faults.Engine(state.Engine).InspectAsync(state, cancellationToken);
        if (stillThere)
        {
            throw new IOException($"[{state.Engine}] {Name} {state.FaultId} is still in place after removal: {check}");
        }

        faults.Journal.Delete(state.FaultId);
        return removed ? RollbackResult.Removed($"[{state.Engine}] {evidence}") : RollbackResult.AlreadyAbsent($"[{state.Engine}] {evidence}");
    }

    public async ValueTask<IReadOnlyList<FaultHandle>> ListLeftoversAsync(Target target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var resolved = NetworkTarget.Resolve(target, null, out _);
        if (resolved is null || !resolved.Namespace.Exists)
        {
            return [];
        }

        var found = new Dictionary<string, EngineState>(StringComparer.Ordinal);
        foreach (var journaled in faults.Journal.All().Where(s => s.Namespace == resolved.Namespace.Path && s.Interface == resolved.Interface && s.Action == action))
        {
            if ((await faults.Engine(journaled.Engine).InspectAsync(journaled, cancellationToken)).Present)
            {
                found[journaled.FaultId] = journaled;
            }
        }

        foreach (var engine in faults.Engines)
        {
            foreach (var state in await engine.FindAsync(resolved, cancellationToken))
            {
                // Marks found in the kernel but not in the journal still belong to someone: report them once, under
                // the injector that the journal names, or under every injector when nobody knows.
                if (!found.ContainsKey(state.FaultId) && (faults.Journal.Find(state.FaultId) is not { } entry || entry.Action == action))
                {
                    found[state.FaultId] = faults.Journal.Find(state.FaultId) ?? state;
                }
            }
        }

        var now = DateTimeOffset.UtcNow;
        return [.. found.Values.Select(state => new FaultHandle(Name, state.FaultId, target, state.ToJson(), now, now))];
    }

    private async Task<(NetworkTarget Target, NetworkParameters Parameters, EngineKind Engine)?> PlanAsync(
        FaultRequest request, List<ParameterError> errors, bool checkInterface, CancellationToken cancellationToken)
    {
        var parameters = NetworkParameters.Read(action, request.Parameters, errors);
        var target = NetworkTarget.Resolve(request.Target, parameters?.Interface, out var targetError);
        if (targetError is not null)
        {
            errors.Add(new ParameterError("target", targetError));
        }

        if (parameters is null || target is null)
        {
            return null;
        }

        if (!target.Namespace.Exists)
        {
            errors.Add(new ParameterError("target", $"the network namespace {target.NamespaceLabel} ({target.Namespace.Path}) does not exist on this host."));
            return null;
        }

        if (checkInterface)
        {
            var link = await faults.Commands.RunAsync(target.Namespace, "ip", ["link", "show", "dev", target.Interface], cancellationToken);
            if (!link.Succeeded)
            {
                errors.Add(new ParameterError(parameters.Interface is null ? "target" : "$.interface", $"there is no interface {target.Interface} in {target.NamespaceLabel}."));
                return null;
            }
        }

        var capabilities = await faults.CapabilitiesAsync(cancellationToken);
        var engine = EngineChoice.Choose(parameters, capabilities, out var refusal);
        if (engine is null)
        {
            errors.Add(new ParameterError(refusal!.Value.Path, refusal.Value.Message));
            return null;
        }

        if (engine == EngineKind.Nftables && action is NetworkAction.Duplicate or NetworkAction.Corrupt && parameters.Direction != Direction.To)
        {
            errors.Add(new ParameterError("$.direction", $"{NetworkActions.Name(action)} without netem works on the way out only (direction: to)."));
            return null;
        }

        if (engine == EngineKind.Nftables && action == NetworkAction.Duplicate && parameters.Destinations.Any(d => d.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
        {
            errors.Add(new ParameterError("$.externalTargets", "duplication without netem is IPv4 only (nftables dup has no inet form)."));
            return null;
        }

        return (target, parameters, engine.Value);
    }

    private static EngineState StateFor(string faultId, NetworkTarget target, NetworkParameters parameters, EngineKind kind, int attempt)
    {
        var state = new EngineState(faultId, kind, parameters.Action, parameters.Direction, target.Namespace.Path, target.NamespaceLabel, target.Interface);
        return kind switch
        {
            EngineKind.Nftables => state with { Table = EngineState.TableFor(faultId), Family = NftRules.FamilyFor(parameters.Action) },
            EngineKind.NfQueue => WithRules(state with { Queue = NfQueueEngine.QueueFor(faultId, attempt) }, parameters),
            EngineKind.Netem or EngineKind.Tbf when parameters.IsFiltered => state with { Filters = TcFilter.For(parameters) },
            _ => state,
        };
    }

    private static EngineState WithRules(EngineState state, NetworkParameters parameters) => state with { Rules = NfQueueEngine.RulesFor(state, parameters) };

    private static EngineState StateOf(FaultHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return EngineState.FromJson(handle.State) ?? throw new JsonException($"The handle of fault {handle.FaultId} carries no network fault state.");
    }

    private static string Describe(NetworkAction action) => action switch
    {
        NetworkAction.Delay => "Adds latency and jitter to the target's packets (netem, or an NFQUEUE delayer where netem is missing).",
        NetworkAction.Loss => "Drops a share of the target's packets (netem, or nftables random drop).",
        NetworkAction.Duplicate => "Duplicates a share of the target's packets (netem, or nftables dup).",
        NetworkAction.Corrupt => "Corrupts a share of the target's packets (netem, or nftables payload mangling with fixed-up checksums).",
        NetworkAction.Reorder => "Reorders the target's packets (netem only).",
        NetworkAction.Bandwidth => "Caps the target's outgoing bandwidth (tbf).",
        _ => "Cuts the target off, entirely or from given CIDRs and ports (nftables drop).",
    };
}
