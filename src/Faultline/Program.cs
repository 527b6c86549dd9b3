using System.CommandLine;
using Faultline.Commands;

// One executable, many roles: `up` (everything on this machine), `server` (a control-plane node over an
// external PostgreSQL), `agent` (on a host whose targets the control plane faults). CLI commands join as their
// issues land.
var root = new RootCommand("Faultline: chaos engineering with verified rollback.")
{
    UpCommand.Create(),
    ServerCommand.Create(),
    PluginsCommand.Create(),
    AgentCommand.Create(),
};

// The host handles SIGINT/SIGTERM itself and must be allowed to stop the database after the server;
// System.CommandLine's own termination timeout would cut that short.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
