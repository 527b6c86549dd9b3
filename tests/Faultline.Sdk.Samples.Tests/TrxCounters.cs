using System.Globalization;
using System.Xml.Linq;

namespace Faultline.Sdk.Samples.Tests;

/// <summary>The totals of a test run, from its trx file: what ran, not just the exit code of dotnet test.</summary>
public sealed record TrxCounters(int Total, int Executed, int Passed, int Failed)
{
    public static TrxCounters Read(string trxFile)
    {
        var counters = XDocument.Load(trxFile).Descendants().First(e => e.Name.LocalName == "Counters");
        int Count(string name) => int.Parse(counters.Attribute(name)?.Value ?? "0", CultureInfo.InvariantCulture);
        return new TrxCounters(Count("total"), Count("executed"), Count("passed"), Count("failed"));
    }
}
