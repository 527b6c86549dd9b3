using System.Text.Json;
using System.Text.Json.Serialization;
using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// Everything needed to find and remove one fault, from any process: it is the fault handle's state and the
/// plugin's journal entry. The names it records (qdisc handle, nft table, iptables comment) are Faultline's own
/// marks, so removal deletes exactly what this fault added; <see cref="Filters"/> are the u32 filters of a
/// destination-filtered netem or tbf fault, which verification checks one by one.
/// </summary>
public sealed record EngineState(
    string FaultId,
    EngineKind Engine,
    NetworkAction Action,
    Direction Direction,
    string Namespace,
    string NamespaceLabel,
    string Interface,
    string? Table = null,
    IReadOnlyList<string>? Rules = null,
    int? Queue = null,
    string? Detail = null,
    string? Family = null,
    IReadOnlyList<TcFilter>? Filters = null)
{
    /// <summary>The nftables family of the fault's table: inet, except duplication (dup needs ip).</summary>
    [JsonIgnore]
    public string TableFamily => Family ?? "inet";

    public const string QdiscHandle = "fa17:";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    [JsonIgnore]
    public NetworkNamespace NetworkNamespace => new(Namespace);

    public string Comment => CommentFor(FaultId);

    public static string CommentFor(string faultId) => $"faultline:{faultId}";

    public JsonElement ToJson() => JsonSerializer.SerializeToElement(this, Json);

    public string ToText() => JsonSerializer.Serialize(this, Json);

    public static EngineState? FromJson(JsonElement json) =>
        json.ValueKind == JsonValueKind.Object ? json.Deserialize<EngineState>(Json) : null;

    public static EngineState? FromText(string text) => JsonSerializer.Deserialize<EngineState>(text, Json);

    /// <summary>An nftables table name of this fault: letters, digits and underscores only.</summary>
    public static string TableFor(string faultId) =>
        "faultline_" + new string([.. faultId.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
}
