using System.Net;

namespace Faultline.Agent;

/// <summary>The control plane could not be reached or refused a request; <see cref="Status"/> is null when no answer came.</summary>
public sealed class ControlPlaneException : Exception
{
    public ControlPlaneException()
    {
    }

    public ControlPlaneException(string message)
        : base(message)
    {
    }

    public ControlPlaneException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ControlPlaneException(string message, HttpStatusCode? status, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
    }

    public HttpStatusCode? Status { get; }

    /// <summary>The token was refused (revoked, expired, wrong organization): retrying soon will not help.</summary>
    public bool TokenRefused => Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;

    /// <summary>The control plane no longer knows the session: the agent says hello again.</summary>
    public bool SessionUnknown => Status is HttpStatusCode.NotFound or HttpStatusCode.Gone;
}
