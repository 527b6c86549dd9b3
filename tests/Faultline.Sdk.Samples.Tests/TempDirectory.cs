namespace Faultline.Sdk.Samples.Tests;

/// <summary>A fresh temporary directory, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix)
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A file still held by a process that is going away must not turn a passed test red.
            Console.Error.WriteLine($"could not delete {Path}: {exception.Message}");
        }
    }
}
