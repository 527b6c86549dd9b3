using System.Globalization;

namespace Faultline.Domain.Experiments;

/// <summary>Every fault action of a spec with the JSON path it was read from, for errors that name the right place.</summary>
public static class FaultLocations
{
    public static IEnumerable<(string Path, FaultAction Fault)> Of(ExperimentSpec spec)
    {
        foreach (var located in Steps(spec.Method, "$.spec.method"))
        {
            yield return located;
        }

        for (var i = 0; i < spec.Rollbacks.Count; i++)
        {
            yield return ($"$.spec.rollbacks[{i.ToString(CultureInfo.InvariantCulture)}]", spec.Rollbacks[i]);
        }
    }

    private static IEnumerable<(string Path, FaultAction Fault)> Steps(IReadOnlyList<MethodStep> steps, string path)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var stepPath = $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]";
            switch (steps[i])
            {
                case FaultStep fault:
                    yield return (stepPath, fault.Fault);
                    break;
                case ParallelStep parallel:
                    for (var b = 0; b < parallel.Branches.Count; b++)
                    {
                        foreach (var located in Steps(parallel.Branches[b], $"{stepPath}.parallel[{b.ToString(CultureInfo.InvariantCulture)}]"))
                        {
                            yield return located;
                        }
                    }

                    break;
                default:
                    break;
            }
        }
    }
}
