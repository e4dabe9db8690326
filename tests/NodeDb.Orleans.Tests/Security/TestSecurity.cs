using NodeDb.Orleans.Grains.Security;

namespace NodeDb.Orleans.Tests.Security;

/// <summary>Gives an in-process test silo the run's cluster-admin key and cluster secret (<see cref="TestKeys"/>).</summary>
public static class TestSecurity
{
    public static ISiloBuilder AddTestSecurity(this ISiloBuilder silo, Action<SecurityOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return silo.AddNodeDbSecurity(o =>
        {
            o.BootstrapKey = TestKeys.ClusterAdmin;
            o.ClusterSecret = TestKeys.ClusterSecret;
            configure?.Invoke(o);
        });
    }
}
