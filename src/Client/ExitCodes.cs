namespace NodeDb.Orleans.Client;

/// <summary>The process exit codes of <c>nodedb</c>; scripts may rely on them.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The service refused the request (bad cron, unknown schedule, SQL error…); the message says why.</summary>
    public const int Refused = 1;

    /// <summary>The command line is wrong (unknown command, missing or malformed argument); nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>No silo answered at the gateway, even after retrying.</summary>
    public const int Unreachable = 3;

    /// <summary>No API key, a key the cluster refused (unknown, expired, revoked), or a call outside the key's tenant or role.</summary>
    public const int NotAllowed = 4;

    /// <summary>Interrupted with Ctrl+C.</summary>
    public const int Interrupted = 130;
}
