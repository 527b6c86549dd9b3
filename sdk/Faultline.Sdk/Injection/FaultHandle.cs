using System.Text.Json;
using Faultline.Sdk.Targets;

namespace Faultline.Sdk.Injection;

/// <summary>
/// Everything needed to verify and remove one injected fault, serializable to JSON. It is persisted before the
/// engine relies on it and must suffice on its own: a rollback may run in another process, on another node,
/// after a crash, with nothing but this handle. <see cref="State"/> is the injector's own data (rule handles,
/// pids, paths).
/// </summary>
public sealed record FaultHandle(
    string Injector,
    string FaultId,
    Target Target,
    JsonElement State,
    DateTimeOffset InjectedAt,
    DateTimeOffset ExpiresAt)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FaultHandle FromJson(string json) =>
        JsonSerializer.Deserialize<FaultHandle>(json, Json) ?? throw new JsonException("A fault handle cannot be null.");

    /// <summary>Reads a field of <see cref="State"/>, for injectors that keep a flat object there.</summary>
    public string? StateString(string name) =>
        State.ValueKind == JsonValueKind.Object && State.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
