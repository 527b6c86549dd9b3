using System.Text.Json;
using System.Text.Json.Nodes;
using Faultline.Api.Problems;
using Faultline.Domain.Experiments;
using Faultline.Domain.Experiments.ChaosMesh;
using Faultline.Domain.Secrets;
using Faultline.Domain.Tenancy;
using Faultline.Domain.Validation;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Storage.Experiments;
using Faultline.Storage.Secrets;

namespace Faultline.Api.Features.Experiments;

/// <summary>
/// Turns a submitted document into a checked experiment: parse (YAML or JSON), translate Chaos Mesh manifests,
/// read the spec, check each fault's parameters with its injector's own validation and resolve the team.
/// Every error comes back at once; what only limits running (a plugin not installed yet) is a warning.
/// </summary>
public sealed class ExperimentDocuments(PluginCatalog plugins, ExperimentStore experiments, SecretStore secrets)
{
    public const string FaultlineFormat = "faultline";
    public const string ChaosMeshFormat = "chaos-mesh";

    public async Task<CheckedExperiment> CheckAsync(ExperimentBody body, Caller caller, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var warnings = new List<string>();
        var document = SpecDocument.Parse(body.Text, errors) ?? throw ProblemException.Validation(errors.ToDictionary());

        ChaosMeshTranslation? translation = null;
        ExperimentSpec? spec;
        if (document["apiVersion"] is JsonValue apiVersion && apiVersion.GetValueKind() == JsonValueKind.String &&
            apiVersion.GetValue<string>().StartsWith("chaos-mesh.org/", StringComparison.Ordinal))
        {
            translation = ChaosMeshTranslator.Translate(document, errors);
            spec = translation.Experiment;
            warnings.AddRange(translation.Warnings);
        }
        else
        {
            spec = ExperimentSpecReader.Read(document, errors);
        }

        if (spec is null)
        {
            throw ProblemException.Validation(errors.ToDictionary());
        }

        await CheckFaultsAsync(spec, errors, warnings, cancellationToken);
        CheckProviders(spec, warnings);
        var teamId = await ResolveTeamAsync(spec, caller, errors, cancellationToken);
        if (!errors.IsEmpty)
        {
            throw ProblemException.Validation(errors.ToDictionary());
        }

        await CheckSecretsAsync(spec, caller.OrganizationId, teamId, cancellationToken);
        var normalized = ExperimentSpecWriter.Write(spec).ToJsonString();
        return new CheckedExperiment(
            spec,
            new ExperimentDocument(
                teamId,
                spec.Metadata.Name,
                translation is null ? FaultlineFormat : ChaosMeshFormat,
                body.Text,
                normalized,
                spec.Schedule?.Cron,
                spec.Schedule?.Concurrency.ToString().ToLowerInvariant()),
            warnings,
            translation);
    }

    private async Task CheckFaultsAsync(ExperimentSpec spec, ValidationErrors errors, List<string> warnings, CancellationToken cancellationToken)
    {
        foreach (var (path, fault) in FaultLocations.Of(spec))
        {
            var injector = plugins.FindInjector(fault.Injector);
            if (injector is null)
            {
                var installed = string.Join(", ", plugins.Injectors.Select(i => i.Name).Order(StringComparer.Ordinal));
                warnings.Add($"{path}.fault: no installed plugin provides '{fault.Injector}' (installed: {(installed.Length == 0 ? "none" : installed)}); the experiment is kept but cannot run until one does.");
                continue;
            }

            var kinds = fault.Selector.Kinds.Count > 0 ? fault.Selector.Kinds : injector.Descriptor.TargetKinds;
            foreach (var kind in fault.Selector.Kinds.Where(k => !injector.Descriptor.TargetKinds.Contains(k)))
            {
                errors.Add($"{path}.selector.kinds", $"{fault.Injector} acts on {string.Join(", ", injector.Descriptor.TargetKinds)}, not '{kind}'.");
            }

            // Parameters are checked by the injector itself; target-specific checks wait for the run's real targets.
            var probe = new FaultRequest("validation", Guid.Empty, Target.Of(kinds.Count > 0 ? kinds[0] : "unknown", "validation"), fault.Parameters, fault.Duration, DateTimeOffset.UtcNow + fault.Duration);
            try
            {
                var result = await injector.ValidateAsync(probe, cancellationToken);
                foreach (var error in result.Errors.Where(e => e.Path.StartsWith('$')))
                {
                    errors.Add($"{path}.params{error.Path[1..]}", error.Message);
                }
            }
            catch (PluginCallException exception)
            {
                errors.Add($"{path}.fault", $"the injector's validation failed: {exception.Message}");
            }
        }
    }

    private void CheckProviders(ExperimentSpec spec, List<string> warnings)
    {
        var providers = spec.SteadyState.Select(p => p.Provider).Concat(spec.Guardrails.Select(g => g.Provider)).Distinct(StringComparer.Ordinal);
        foreach (var provider in providers.Where(p => plugins.FindMetricProvider(p) is null))
        {
            warnings.Add($"metric provider '{provider}' is not installed; probes and guardrails using it cannot be evaluated until it is, and a run would abort on them.");
        }
    }

    /// <summary>
    /// Every secret reference must name a secret of the experiment's own team, now: a well-formed document that
    /// points at nothing is refused (422) at the reference's path. A secret deleted later only fails its probe.
    /// </summary>
    private async Task CheckSecretsAsync(ExperimentSpec spec, Guid organizationId, Guid? teamId, CancellationToken cancellationToken)
    {
        var references = SecretReferences.Of(spec);
        if (references.Count == 0)
        {
            return;
        }

        var errors = new ValidationErrors();
        if (teamId is not { } team)
        {
            foreach (var reference in references)
            {
                errors.Add(reference.Path, $"secret '{reference.Name}' cannot be used: secrets belong to a team, and this experiment has none (set metadata.team).");
            }
        }
        else
        {
            var existing = await secrets.ExistingNamesAsync(organizationId, team, [.. references.Select(r => r.Name).Distinct(StringComparer.Ordinal)], cancellationToken);
            foreach (var reference in references.Where(r => !existing.Contains(r.Name)))
            {
                errors.Add(reference.Path, $"no secret named '{reference.Name}' exists in the experiment's team.");
            }
        }

        if (!errors.IsEmpty)
        {
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity, ProblemTypes.Validation, "The experiment references secrets it cannot use",
                "Nothing was stored. See errors for each reference.", errors.ToDictionary());
        }
    }

    private async Task<Guid?> ResolveTeamAsync(ExperimentSpec spec, Caller caller, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (spec.Metadata.Team is not { } teamName)
        {
            // A team-bound key's experiments belong to its team.
            return caller.TeamId;
        }

        var teamId = await experiments.FindTeamIdAsync(caller.OrganizationId, teamName, cancellationToken);
        if (teamId is null || !caller.CanSeeTeam(teamId.Value))
        {
            errors.Add("$.metadata.team", $"no team named '{teamName}' is visible to this API key.");
        }

        return teamId;
    }
}

/// <summary>A checked experiment, ready to store, with what the user should know.</summary>
public sealed record CheckedExperiment(ExperimentSpec Spec, ExperimentDocument Document, IReadOnlyList<string> Warnings, ChaosMeshTranslation? Translation);
