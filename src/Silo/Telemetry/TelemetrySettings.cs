namespace NodeDb.Orleans.Silo.Telemetry;

/// <summary>What the silo exports besides the standard <c>OTEL_*</c> variables. Bound from the <c>Telemetry</c> section.</summary>
public sealed class TelemetrySettings
{
    public const string SectionName = "Telemetry";

    /// <summary>
    /// Whether runs, run durations and start lateness carry the tenant (<c>nodedb.tenant</c>). Defaults to true. Turn it
    /// off on silos with many thousands of active tenants: each tenant is a series per outcome and trigger.
    /// </summary>
    public bool PerTenantMetrics { get; set; } = true;

    /// <summary>
    /// The most series one scheduler instrument keeps (OpenTelemetry's cardinality limit); measurements beyond it are
    /// folded into one series tagged <c>otel.metric.overflow=true</c>. Defaults to 2000, OpenTelemetry's own default.
    /// </summary>
    public int MaxSeriesPerInstrument { get; set; } = 2000;

    public void Validate()
    {
        if (MaxSeriesPerInstrument < 1)
        {
            throw new ArgumentException($"Telemetry:MaxSeriesPerInstrument {MaxSeriesPerInstrument} must be at least 1.");
        }
    }
}
