using System.Text.RegularExpressions;
using Faultline.Domain.Agents;
using Faultline.Domain.Validation;
using Faultline.Sdk.Targets;

namespace Faultline.Api.Features.Agents;

/// <summary>
/// Checks protocol messages before anything is stored, every error at once and keyed by JSON path. The limits
/// bound what one agent can make the control plane store and scan on every poll.
/// </summary>
public static partial class AgentProtocolValidation
{
    public const int MaxInjectors = 64;
    public const int MaxTargets = 1000;
    public const int MaxHeldFaults = 1000;
    public const int MaxResults = 256;
    public const int MaxSelfRemovals = 1000;
    private const int MaxEvidence = 16_384;

    public static ValidationErrors Validate(AgentHello hello)
    {
        var errors = new ValidationErrors();
        errors.RequireText("$.name", hello.Name, 100);
        if (!string.IsNullOrWhiteSpace(hello.Name) && hello.Name.Length <= 100 && !AgentName().IsMatch(hello.Name))
        {
            errors.Add("$.name", "must start with a letter or digit and hold only letters, digits, '.', '_' and '-'.");
        }

        errors.RequireText("$.hostname", hello.Hostname, 253);
        errors.RequireText("$.version", hello.Version, 64);
        ValidateList(errors, "$.injectors", hello.Injectors, MaxInjectors, (path, injector) =>
        {
            Kind(errors, $"{path}.name", injector.Name);
            ValidateList(errors, $"{path}.targetKinds", injector.TargetKinds, 32, (kindPath, kind) => Kind(errors, kindPath, kind));
        });
        ValidateList(errors, "$.targets", hello.Targets, MaxTargets, (path, target) => ValidateTarget(errors, path, target));
        ValidateList(errors, "$.heldFaults", hello.HeldFaults, MaxHeldFaults, (path, held) =>
        {
            errors.RequireText($"{path}.faultId", held.FaultId, 200);
            Kind(errors, $"{path}.injector", held.Injector);
            ValidateTarget(errors, $"{path}.target", held.Target);
        });
        return errors;
    }

    public static ValidationErrors Validate(AgentPoll poll)
    {
        var errors = new ValidationErrors();
        if (poll.SessionId == Guid.Empty)
        {
            errors.Add("$.sessionId", "is required: the sessionId of the answer to the hello.");
        }

        ValidateList(errors, "$.results", poll.Results, MaxResults, (path, result) =>
        {
            if (result.CommandId == Guid.Empty)
            {
                errors.Add($"{path}.commandId", "is required.");
            }
        });
        ValidateList(errors, "$.heldFaultIds", poll.HeldFaultIds, MaxHeldFaults, (path, id) => errors.RequireText(path, id, 200));
        ValidateList(errors, "$.selfRemovals", poll.SelfRemovals, MaxSelfRemovals, (path, removal) =>
        {
            errors.RequireText($"{path}.faultId", removal.FaultId, 200);
            errors.RequireText($"{path}.reason", removal.Reason, 200);
            errors.RequireText($"{path}.evidence", removal.Evidence, MaxEvidence);
        });
        return errors;
    }

    private static void ValidateTarget(ValidationErrors errors, string path, Target? target)
    {
        if (target is null)
        {
            errors.Add(path, "is required.");
            return;
        }

        Kind(errors, $"{path}.kind", target.Kind);
        errors.RequireText($"{path}.id", target.Id, 512);
    }

    private static void Kind(ValidationErrors errors, string path, string? kind)
    {
        errors.RequireText(path, kind, 100);
        if (!string.IsNullOrWhiteSpace(kind) && kind.Length <= 100 && !KindPattern().IsMatch(kind))
        {
            errors.Add(path, "must be lower-case words of letters, digits and '-', joined by '.' (like 'process' or 'network.interface').");
        }
    }

    /// <summary>A missing list is an error (the protocol always sends one, if empty); so is a null item or one too many.</summary>
    private static void ValidateList<T>(ValidationErrors errors, string path, IReadOnlyList<T>? items, int max, Action<string, T> each)
    {
        if (items is null)
        {
            errors.Add(path, "is required (an empty list when there is nothing).");
            return;
        }

        if (items.Count > max)
        {
            errors.Add(path, $"must hold at most {max} items, not {items.Count}.");
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                errors.Add($"{path}[{i}]", "must not be null.");
            }
            else
            {
                each($"{path}[{i}]", items[i]);
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex AgentName();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)*$")]
    private static partial Regex KindPattern();
}
