using System.Net.Sockets;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace NodeDb.Orleans.Client.Connection;

/// <summary>Which failures are the cluster being briefly unreachable (worth a retry) rather than an answer.</summary>
public static class TransientErrors
{
    /// <summary>
    /// True when the request certainly never reached a grain: the gateway refused the connection or the message.
    /// Safe to retry for any command.
    /// </summary>
    public static bool NotDelivered(Exception e) => e switch
    {
        NodeDbException => false,

        // A subclass of OrleansMessageRejectionException, but the message may have reached the silo before it died.
        SiloUnavailableException => false,
        OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException or SocketException => true,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(NotDelivered),
        _ => e.InnerException is { } inner && NotDelivered(inner),
    };

    /// <summary>
    /// True for <see cref="NotDelivered"/> and for a silo that died while holding the request (it may have run):
    /// safe to retry only for commands whose effect does not add up when repeated.
    /// </summary>
    public static bool MaybeDelivered(Exception e) => e switch
    {
        NodeDbException => false,
        SiloUnavailableException or GatewayLostException => true,
        _ => NotDelivered(e),
    };
}
