using System.Text.Json;

namespace Faultline.Domain.Agents;

/// <summary>JSON settings both ends use: web defaults (camelCase), enums as strings.</summary>
public static class AgentJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        return options;
    }
}
