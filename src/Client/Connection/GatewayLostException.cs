namespace NodeDb.Orleans.Client.Connection;

/// <summary>The silo behind the gateway went away while it held the call: the call may or may not have taken effect.</summary>
public sealed class GatewayLostException(string message) : Exception(message);
