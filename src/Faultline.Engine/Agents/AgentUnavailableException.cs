namespace Faultline.Engine.Agents;

/// <summary>The agent did not answer in time (disconnected, partitioned, or too slow).</summary>
public sealed class AgentUnavailableException : Exception
{
    public AgentUnavailableException()
    {
    }

    public AgentUnavailableException(string message)
        : base(message)
    {
    }

    public AgentUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
