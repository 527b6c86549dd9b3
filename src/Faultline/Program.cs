using System.CommandLine;
using Faultline.Commands;

// One executable, many roles: `up` (everything on this machine), `server` (a control-plane node over an
// external PostgreSQL). Agents and CLI commands join as their issues land.
var root = new RootCommand("Faultline: chaos engineering with verified rollback.")
{
    UpCommand.Create(),
    ServerCommand.Create(),
    PluginsCommand.Create(),
};

// The host handles SIGINT/SIGTERM itself and must be allowed to stop the database after the server;
// System.CommandLine's own termination timeout would cut that short.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
