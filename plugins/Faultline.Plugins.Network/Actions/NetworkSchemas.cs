using System.Text.Json.Nodes;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Network.Actions;

/// <summary>The JSON Schema of each network injector's parameters, the same rules <see cref="NetworkParameters"/> enforces.</summary>
public static class NetworkSchemas
{
    public static string For(NetworkAction action)
    {
        var properties = new JsonObject
        {
            ["interface"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = 15, ["pattern"] = "^[^ /:\\t\\n]+$", ["description"] = "The interface in the target's namespace; default: the target's own." },
            ["direction"] = new JsonObject { ["enum"] = new JsonArray("to", "from", "both"), ["default"] = "to", ["description"] = "to: traffic leaving the target; from: arriving; both." },
            ["externalTargets"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$" }, ["description"] = "Only traffic to (or from) these IP addresses or CIDRs." },
            ["ports"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 65535 }, ["description"] = "Only traffic to (or from) these TCP/UDP ports." },
        };
        var required = new JsonArray();
        switch (action)
        {
            case NetworkAction.Delay:
                properties["latency"] = Duration("Added to every packet, at most 10s, e.g. 200ms.");
                properties["jitter"] = Duration("Spread around the latency (uniform), not above it.");
                properties["correlation"] = Percent("How much each packet's jitter follows the previous one's (0-100).");
                properties["reorder"] = new JsonObject
                {
                    ["type"] = "object",
                    ["additionalProperties"] = false,
                    ["required"] = new JsonArray("percent"),
                    ["properties"] = new JsonObject { ["percent"] = Percent("Share sent at once, out of order."), ["correlation"] = Percent("Correlation."), ["gap"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0 } },
                };
                required.Add("latency");
                break;
            case NetworkAction.Reorder:
                properties["percent"] = Percent("Share of packets sent at once, ahead of the delayed rest.");
                properties["correlation"] = Percent("Correlation.");
                properties["gap"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0 };
                properties["latency"] = Duration("Delay of the packets that are not reordered; default 10ms.");
                required.Add("percent");
                break;
            case NetworkAction.Loss or NetworkAction.Duplicate or NetworkAction.Corrupt:
                properties["percent"] = Percent("Share of packets affected, above 0.");
                properties["correlation"] = Percent("How much each packet's fate follows the previous one's (netem only).");
                required.Add("percent");
                break;
            case NetworkAction.Bandwidth:
                properties["rate"] = new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9]+(bps|kbps|mbps|gbps|tbps)$", ["description"] = "Bytes per second, as Chaos Mesh: 1mbps is 1,000,000 bytes per second." };
                properties["limit"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["description"] = "Bytes that may wait in the queue." };
                properties["burst"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["description"] = "Bytes that may pass at full speed." };
                properties["peakrate"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0 };
                properties["minburst"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0 };
                required.Add("rate");
                required.Add("limit");
                required.Add("burst");
                break;
        }

        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["properties"] = properties,
        };
        if (required.Count > 0)
        {
            schema["required"] = required;
        }

        return schema.ToJsonString();
    }

    private static JsonObject Duration(string description) =>
        new() { ["type"] = "string", ["pattern"] = DurationText.Pattern, ["description"] = description };

    // Chaos Mesh writes percentages as strings ("100"); numbers and numeric strings are both accepted.
    private static JsonObject Percent(string description) => new()
    {
        ["anyOf"] = new JsonArray(
            new JsonObject { ["type"] = "number", ["minimum"] = 0, ["maximum"] = 100 },
            new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9]+(\\.[0-9]+)?$" }),
        ["description"] = description,
    };
}
