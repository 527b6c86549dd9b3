namespace Faultline.Sdk.Samples.Tests;

/// <summary>Copies a folder tree, leaving out the sub-folders the caller names (build outputs, say).</summary>
public static class DirectoryCopy
{
    public static void Copy(string from, string to, params string[] skippedFolderNames)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(from))
        {
            if (!skippedFolderNames.Contains(Path.GetFileName(directory), StringComparer.Ordinal))
            {
                Copy(directory, Path.Combine(to, Path.GetFileName(directory)), skippedFolderNames);
            }
        }
    }
}
