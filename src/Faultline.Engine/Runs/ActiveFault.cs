using Faultline.Engine.Plugins;
using Faultline.Sdk.Injection;

namespace Faultline.Engine.Runs;

/// <summary>A fault this activation applied (or inherited) and must remove: the injector and the handle to remove it by.</summary>
internal sealed record ActiveFault(string Id, IInjectorChannel Injector, FaultHandle Handle);
