namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// Where translated values live in a Faultline experiment document, as <see cref="ExperimentSpecWriter"/> writes
/// it. The translation always yields a single fault step, so its paths are fixed; they are kept together so a
/// change of layout is made in one place.
/// </summary>
internal static class FaultlinePaths
{
    public const string ApiVersion = "$.apiVersion";
    public const string Name = "$.metadata.name";
    public const string Labels = "$.metadata.labels";
    public const string SteadyState = "$.spec.steadyState";
    public const string Step = "$.spec.method[0]";
    public const string Injector = Step + ".fault";
    public const string Parameters = Step + ".params";
    public const string Duration = Step + ".duration";
    public const string ScheduleCron = "$.spec.schedule.cron";
    public const string ScheduleConcurrency = "$.spec.schedule.concurrency";
}
