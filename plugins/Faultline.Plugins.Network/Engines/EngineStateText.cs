namespace Faultline.Plugins.Network.Engines;

/// <summary>Short texts about a fault's place, for evidence.</summary>
public static class EngineStateText
{
    public static string Key(this EngineState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return $"{state.NamespaceLabel}/{state.Interface}";
    }
}
