using Faultline.Sdk.Targets;

namespace Faultline.Agent;

/// <summary>
/// The targets this agent reported in its current session: the only ones it acts on. A command naming any other
/// target is refused, whatever the control plane says, so a compromised or confused control plane cannot turn the
/// agent against something its operator never exposed.
/// </summary>
public sealed class ReportedTargets
{
    private volatile HashSet<(string Kind, string Id)> _targets = [];

    public void Replace(IEnumerable<Target> targets) => _targets = [.. targets.Select(t => (t.Kind, t.Id))];

    public bool Contains(Target target) => target is not null && _targets.Contains((target.Kind, target.Id));
}
