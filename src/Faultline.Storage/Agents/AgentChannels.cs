namespace Faultline.Storage.Agents;

/// <summary>
/// LISTEN/NOTIFY channels of the agent protocol. As with <see cref="Runs.RunChannels"/>, a notification only wakes a
/// waiter early: the waiter re-reads the table, and also re-reads on a timer, so a lost notification only delays.
/// </summary>
public static class AgentChannels
{
    /// <summary>A command was queued: payload is the agent id. Wakes that agent's held poll, on whichever node.</summary>
    public const string Commands = "faultline_agent_commands";

    /// <summary>A command's result arrived: payload is the command id. Wakes the sender, on whichever node.</summary>
    public const string Results = "faultline_agent_results";
}
