namespace Fixture.CommonLib;

public static class SharedLibrary
{
    public static string Version => "1";
}
