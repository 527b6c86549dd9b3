using Faultline.Domain.Tenancy;

namespace Faultline.Domain.Agents;

/// <summary>
/// The secret an agent authenticates with: <c>fla_&lt;lookup&gt;_&lt;secret&gt;</c> (see <see cref="BearerToken"/>). Its own
/// scheme keeps it apart from API keys: an agent token opens only the agent protocol, an API key never does.
/// </summary>
public sealed class AgentToken : BearerToken
{
    public const string Scheme = "fla";

    private AgentToken(string lookup, string value)
        : base(lookup, value)
    {
    }

    public static AgentToken Create()
    {
        var (lookup, value) = Generate(Scheme);
        return new AgentToken(lookup, value);
    }

    /// <summary>Parses a presented token; returns null for anything that is not shaped like an agent token.</summary>
    public static AgentToken? TryParse(string? presented) =>
        ParseLookup(Scheme, presented) is { } lookup ? new AgentToken(lookup, presented!) : null;
}
