using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NodeDb.Orleans.Client.Connection;

/// <summary>Reads <c>--gateway HOST:PORT</c>.</summary>
public static class GatewayAddress
{
    /// <summary>The embedded silo's gateway.</summary>
    public const string Default = "127.0.0.1:32111";

    /// <summary>Parses <c>HOST:PORT</c> (an IP address, <c>[v6]:port</c> or a host name resolved now); null and a reason when it is not one.</summary>
    public static IPEndPoint? TryParse(string text, out string reason)
    {
        reason = "";
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            reason = "expected HOST:PORT, for example 127.0.0.1:32111";
            return null;
        }

        var host = text[..colon].Trim('[', ']');
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            reason = $"the port '{text[(colon + 1)..]}' is not a number from 1 to 65535";
            return null;
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }

        try
        {
            var addresses = Dns.GetHostAddresses(host);
            var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            if (chosen is not null)
            {
                return new IPEndPoint(chosen, port);
            }
        }
        catch (SocketException e)
        {
            reason = $"the host '{host}' cannot be resolved ({e.Message})";
            return null;
        }

        reason = $"the host '{host}' has no address";
        return null;
    }
}
