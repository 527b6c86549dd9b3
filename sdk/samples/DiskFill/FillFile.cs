namespace Acme.Faultline.DiskFill;

/// <summary>
/// The file one fault writes: <c>.faultline-fill-&lt;faultId&gt;</c> in the target directory. The fault id in the
/// name makes the file its own marker: after any crash, leftover detection finds it and knows whose it is,
/// and a rollback needs nothing but the target directory and the fault id to find it again.
/// </summary>
internal static class FillFile
{
    public const string Prefix = ".faultline-fill-";

    public const long BytesPerMegabyte = 1024 * 1024;

    // Fill files start with a dot, which .NET treats as hidden on Unix and skips by default.
    private static readonly EnumerationOptions OnlyThisDirectory = new()
    {
        AttributesToSkip = 0,
        MatchType = MatchType.Simple,
        RecurseSubdirectories = false,
        IgnoreInaccessible = true,
    };

    public static string PathFor(string directory, string faultId) => Path.Combine(directory, Prefix + faultId);

    /// <summary>
    /// The fault id becomes part of a file name: a separator or a control character in it could write outside
    /// the target directory, so only a conservative alphabet is accepted.
    /// </summary>
    public static bool IsSafeFaultId(string faultId) =>
        faultId.Length is > 0 and <= 200 && faultId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Every fill file in <paramref name="directory"/>, with the fault id read back from its name.</summary>
    public static IEnumerable<(FileInfo File, string FaultId)> In(string directory) =>
        new DirectoryInfo(directory)
            .EnumerateFiles(Prefix + "*", OnlyThisDirectory)
            .Select(file => (File: file, FaultId: file.Name[Prefix.Length..]))
            .Where(fill => IsSafeFaultId(fill.FaultId));
}
