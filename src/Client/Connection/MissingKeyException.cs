namespace NodeDb.Orleans.Client.Connection;

/// <summary>No usable API key was found; exits with <see cref="ExitCodes.NotAllowed"/> and says how to get one.</summary>
public sealed class MissingKeyException(string message) : Exception(message);
