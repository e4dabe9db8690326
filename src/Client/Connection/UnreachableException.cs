namespace NodeDb.Orleans.Client.Connection;

/// <summary>No silo answered at the gateway within the retry budget.</summary>
public sealed class UnreachableException(string message, Exception? inner = null) : Exception(message, inner);
