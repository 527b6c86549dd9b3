namespace Faultline.Sdk.Injection;

/// <summary>
/// What an injector declares about itself: shown at GET /api/v1/plugins and used by the API to validate
/// experiments before they run. <see cref="ParametersSchema"/> is a JSON Schema (draft 2020-12) of the
/// parameters object; <see cref="IFaultInjector.ValidateAsync"/> must agree with it.
/// </summary>
public sealed record InjectorDescriptor(
    string Name,
    string Description,
    string ParametersSchema,
    IReadOnlyList<string> TargetKinds,
    HostRequirements Requires,
    FaultComposition Composition);
