namespace NodeDb.Orleans.Grains.Security;

/// <summary>Sends audit entries to the audit log of their tenant without waiting for them.</summary>
public sealed class AuditTrail(IGrainFactory grains, Hosting.SchedulerClock clock)
{
    public void Record(string scope, string? principal, string? keyId, string action, string target, string? client, string outcome, string? detail)
    {
        var entry = new AuditEntry
        {
            At = clock.GetUtcNow(),
            Principal = principal,
            KeyId = keyId,
            Action = action,
            Target = target,
            ClientAddress = client,
            Outcome = outcome,
            Detail = detail,
        };

        // One-way: the refusal or the answer does not wait for the audit write.
        _ = grains.GetGrain<IAuditLogGrain>(scope).AppendAsync(entry);
    }
}
