namespace NodeDb.Orleans.Client;

/// <summary>An argument that parsed but makes no sense (an unreadable file, a bad instant); exits with <see cref="ExitCodes.Usage"/>.</summary>
public sealed class UsageException(string message) : Exception(message);
