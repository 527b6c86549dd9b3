namespace Faultline.Plugins.Network.Actions;

/// <summary>Which traffic of the target is hit: leaving it (to), arriving at it (from), or both.</summary>
public enum Direction
{
    To,
    From,
    Both,
}
