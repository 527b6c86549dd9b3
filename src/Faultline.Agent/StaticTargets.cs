using Faultline.Sdk.Targets;

namespace Faultline.Agent;

/// <summary>Targets named by the operator as <c>kind/id</c>; the id is everything after the first slash, so paths keep theirs.</summary>
public static class StaticTargets
{
    public static IEnumerable<Target> Parse(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        foreach (var text in texts)
        {
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == text.Length - 1)
            {
                throw new FormatException($"Target '{text}' is not kind/id (e.g. noop/demo or directory//var/lib/app).");
            }

            yield return Target.Of(text[..slash], text[(slash + 1)..]);
        }
    }
}
